#!/usr/bin/env bash
# Builds the workload into OUT (default build/workload) when a source file
# is newer than it. Used by scripts/demo.sh, tests/build-progs.sh and
# examples/compare_modes.sh. Offline and HOME-independent: the module has no
# dependencies, and Go's caches live under build/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Absolute, since the build runs from this folder.
out=$(realpath -m "${1:-$root/build/workload}")
mkdir -p "$(dirname "$out")"
if [ -e "$out" ] && [ -z "$(find "$here" -newer "$out" -name '*.go' -o -newer "$out" -name go.mod)" ]; then
  exit 0
fi
echo "workload: go build examples/workload -> $out" >&2
cd "$here"
GOCACHE=$root/build/gocache GOPATH=$root/build/gopath GOFLAGS=-buildvcs=false \
  GO111MODULE=on GOPROXY=off CGO_ENABLED=0 go build -o "$out" .
