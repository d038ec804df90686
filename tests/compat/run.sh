#!/usr/bin/env bash
# Runs bpftrace v0.17.0's own runtime test suite (tests/runtime in the
# bpftrace repository) through gotrace: a third-party compatibility suite.
#
#   tests/compat/run.sh [--check] [PATTERN...]    see tests/compat/compat.py
#   GOTRACE=bpftrace tests/compat/run.sh --all    the same suite under bpftrace
#
# The suite is not vendored. It comes from Debian's source package of
# bpftrace 0.17.0 (the only network access CI has is the Debian archive):
# the orig tarball is downloaded once into build/compat/, checked against
# the sha256 that Debian's bpftrace_0.17.0-1.dsc lists, and the tests and
# their target programs are unpacked and built there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

TARBALL=bpftrace_0.17.0.orig.tar.gz
SHA256=ccc853205b081fd7e4270016065ccc04764286644bf8e0eee9bd7f344cad63e5
dir=$root/build/compat
src=$dir/bpftrace-0.17.0
stamp=$src/.built-v1

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/compat/run.sh: the compat suite needs root" >&2
  exit 1
fi

mkdir -p "$dir"
if [ ! -f "$stamp" ]; then
  if ! echo "$SHA256  $dir/$TARBALL" | sha256sum -c --status 2>/dev/null; then
    # The same mirror apt uses (scripts/deps.sh does the same).
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    echo "compat: downloading $TARBALL from $uri" >&2
    curl -fsS -m 300 -o "$dir/$TARBALL.part" "$uri/pool/main/b/bpftrace/$TARBALL"
    if ! echo "$SHA256  $dir/$TARBALL.part" | sha256sum -c --status; then
      echo "compat: $TARBALL does not have the sha256 Debian's .dsc lists" >&2
      rm -f "$dir/$TARBALL.part"
      exit 1
    fi
    mv "$dir/$TARBALL.part" "$dir/$TARBALL"
  fi
  rm -rf "$src"
  tar -C "$dir" -xzf "$dir/$TARBALL" bpftrace-0.17.0/tests/runtime \
      bpftrace-0.17.0/tests/testprogs bpftrace-0.17.0/tests/testlibs
  # As bpftrace's tests/CMakeLists.txt builds them: -g -O0, programs
  # -no-pie, libraries shared, USDT probes from systemtap's sys/sdt.h.
  sdt=
  [ -f /usr/include/x86_64-linux-gnu/sys/sdt.h ] || [ -f /usr/include/sys/sdt.h ] &&
    sdt=-DHAVE_SYSTEMTAP_SYS_SDT_H
  libs=$src/tests/testlibs
  for c in "$libs"/*.c; do
    n=$(basename "$c" .c)
    gcc -g -O0 -fPIC -shared $sdt -o "$libs/lib$n.so" "$c"
    chmod -x "$libs/lib$n.so"
  done
  for c in "$src"/tests/testprogs/*.c; do
    n=$(basename "$c" .c)
    extra=()
    [ "$n" = usdt_lib ] && extra=(-I"$libs" -L"$libs" -Wl,-rpath,"$libs" -lusdt_tp)
    gcc -g -O0 -no-pie $sdt -o "${c%.c}" "$c" "${extra[@]}"
  done
  touch "$stamp"
fi

if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi
# debugf() tests read the trace buffer at /sys/kernel/debug/tracing/trace.
if [ ! -d /sys/kernel/debug/tracing ]; then
  mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
fi
# bpftrace 0.17 complains on stderr when it cannot raise RLIMIT_MEMLOCK,
# and the suite matches stdout and stderr together.
ulimit -l unlimited 2>/dev/null || true

export COMPAT_SUITE=$src/tests
exec python3 "$root/tests/compat/compat.py" "$@"
