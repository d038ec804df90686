#!/usr/bin/env bash
# Builds the runtime-test target programs (tests/progs/*.c, *.go) into
# build/tests/progs/, each only when its source is newer than the binary.
# C targets are built -O0 -g with symbols kept, so uprobes find every function
# and its arguments. Go targets use Debian's go with the cache under build/ so
# a fresh clone, a root CI job and a read-only HOME all work; a stripped copy
# of each Go target (-s -w) is built too, for stripped-binary tests, and a
# stripped PIE one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tests/progs
out=$root/build/tests/progs
mkdir -p "$out"
export GOCACHE=$root/build/gocache GOPATH=$root/build/gopath \
       GOFLAGS=-buildvcs=false GO111MODULE=off CGO_ENABLED=0

stale() { [ ! -e "$2" ] || [ "$1" -nt "$2" ]; }

# Shared libraries (tests/progs/lib/NAME.c -> libNAME.so), which programs
# link with -lNAME and find through their RUNPATH ($ORIGIN), not through
# ld.so.cache.
for c in "$src"/lib/*.c; do
  lib=$out/lib$(basename "$c" .c).so
  if stale "$c" "$lib"; then
    echo "progs: cc -shared $(basename "$c")" >&2
    gcc -O0 -g -fno-omit-frame-pointer -Wall -shared -fPIC -o "$lib" "$c"
  fi
done

for c in "$src"/*.c; do
  bin=$out/$(basename "$c" .c)
  libs=()
  case $(basename "$c") in
    uselib.c) libs=(-L"$out" -lgtlib -Wl,-rpath,'$ORIGIN');;
  esac
  if stale "$c" "$bin"; then
    echo "progs: cc $(basename "$c")" >&2
    gcc -O0 -g -fno-omit-frame-pointer -Wall -o "$bin" "$c" "${libs[@]}"
  fi
done

for c in "$src"/*.cc; do
  bin=$out/$(basename "$c" .cc)
  if stale "$c" "$bin"; then
    echo "progs: c++ $(basename "$c")" >&2
    g++ -O0 -g -fno-omit-frame-pointer -Wall -o "$bin" "$c"
  fi
done
# a copy without DWARF, for tests bpftrace 0.17 must also run (see cstruct.c)
if stale "$src/cstruct.c" "$out/cstruct-nodwarf"; then
  gcc -O0 -fno-omit-frame-pointer -Wall -o "$out/cstruct-nodwarf" "$src/cstruct.c"
fi

for g in "$src"/*.go; do
  name=$(basename "$g" .go)
  bin=$out/$name
  if stale "$g" "$bin"; then
    echo "progs: go build $name.go" >&2
    go build -o "$bin" "$g"
  fi
  if stale "$g" "$bin-stripped"; then
    go build -ldflags='-s -w' -o "$bin-stripped" "$g"
  fi
  # PIE: loaded at a random base, so symbolizing needs the load bias.
  if stale "$g" "$bin-pie"; then
    go build -buildmode=pie -ldflags='-s -w' -o "$bin-pie" "$g"
  fi
done

# The examples' workload (examples/workload/), for tests/runtime/examples.test.
"$root/examples/workload/build.sh" "$out/workload"
# A stripped copy (no symbol table, no DWARF), as distributions ship Go
# programs: the examples that read Go types must work from the runtime's
# type descriptors alone.
if stale "$out/workload" "$out/workload-stripped"; then
  strip -o "$out/workload-stripped" "$out/workload"
fi
