#!/usr/bin/env bash
# `make demo`: trace a running Go program's allocations with gotrace.
#
# Builds the bundled workload (examples/workload/, or tests/progs/golong.go if
# the workload is not there), starts it, and runs
#   ./gotrace -e 'uprobe:runtime.mallocgc { @[ustack(5)] = count(); }' -p PID
# for DEMO_SECONDS (default 12) seconds, then stops gotrace with SIGINT (which
# prints the map: allocation counts by call stack) and stops the workload.
# Whatever happens, nothing is left running: the trap kills both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${DEMO_SECONDS:-12}
gotrace=${GOTRACE:-./gotrace}
out=$root/build/demo
mkdir -p "$out"
export GOCACHE=$root/build/gocache GOPATH=$root/build/gopath GOFLAGS=-buildvcs=false

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (BPF)" >&2; exit 1; }
command -v "${gotrace%% *}" >/dev/null || { echo "demo: $gotrace not built (run make)" >&2; exit 1; }

# build_workload prints the path of the binary to run.
build_workload() {
  local dir=$root/examples/workload
  if [ -d "$dir" ] && ls "$dir"/*.go >/dev/null 2>&1; then
    echo "demo: building examples/workload" >&2
    if [ -f "$dir/go.mod" ]; then
      (cd "$dir" && GO111MODULE=on GOPROXY=off GOFLAGS=-mod=mod go build -o "$out/workload" .) >&2
    else
      (cd "$dir" && GO111MODULE=off go build -o "$out/workload" .) >&2
    fi
    echo "$out/workload"
  else
    echo "demo: examples/workload not found; using tests/progs/golong.go" >&2
    "$root/tests/build-progs.sh" >&2
    echo "$root/build/tests/progs/golong"
  fi
}

workload_pid=""
tracer_pid=""
cleanup() {
  for p in $tracer_pid $workload_pid; do
    kill -TERM "$p" 2>/dev/null || true
  done
  sleep 0.2
  for p in $tracer_pid $workload_pid; do
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bin=$(build_workload)
if [ -n "${DEMO_ARGS:-}" ]; then read -ra args <<<"$DEMO_ARGS"; else args=(); fi
"$bin" "${args[@]}" >"$out/workload.log" 2>&1 &
workload_pid=$!
sleep 0.5
kill -0 "$workload_pid" 2>/dev/null || { echo "demo: workload exited early:" >&2; cat "$out/workload.log" >&2; exit 1; }

prog='uprobe:runtime.mallocgc { @[ustack(5)] = count(); }'
echo "demo: workload $bin is pid $workload_pid" >&2
echo "demo: $gotrace -e '$prog' -p $workload_pid   (for ${seconds}s)" >&2
$gotrace -e "$prog" -p "$workload_pid" &
tracer_pid=$!
sleep "$seconds"
if ! kill -0 "$tracer_pid" 2>/dev/null; then
  status=0; wait "$tracer_pid" || status=$?
  tracer_pid=""
  echo "demo: gotrace exited early (status $status)" >&2
  exit 1
fi
kill -INT "$tracer_pid"
# gotrace prints the map on SIGINT; give it a bounded time to do so.
for _ in $(seq 100); do kill -0 "$tracer_pid" 2>/dev/null || break; sleep 0.1; done
status=0; wait "$tracer_pid" || status=$?
tracer_pid=""
echo "demo: gotrace exited with status $status" >&2
exit "$status"
