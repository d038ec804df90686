#!/usr/bin/env bash
# Runs the runtime tests: builds the target programs, makes sure tracefs is
# mounted (tracepoint probes need it), then hands over to tests/runner.py.
#
#   tests/run.sh [-v] [PATTERN...]      run the tests whose file:name contains a PATTERN
#   GOTRACE=bpftrace tests/run.sh       check the expected outputs against bpftrace 0.17
#
# Needs root. Prints one line per test and ends with "runtime: N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
  echo "tests/run.sh: runtime tests need root" >&2
  echo "runtime: 0 passed, 1 failed"
  exit 1
fi

"$root/tests/build-progs.sh"

if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi

gotrace=${GOTRACE:-./gotrace}
first=${gotrace%% *}
if ! command -v "$first" >/dev/null 2>&1; then
  echo "tests/run.sh: tracer '$first' not found (build it with make, or set GOTRACE)" >&2
  echo "runtime: 0 passed, 1 failed"
  exit 1
fi
# bpftrace 0.17 tries to raise RLIMIT_MEMLOCK and complains when it cannot;
# a high enough limit up front keeps its stderr quiet (BPF itself does not
# need it on kernels with memcg accounting).
ulimit -l unlimited 2>/dev/null || true

export GOTRACE=$gotrace
exec python3 "$root/tests/runner.py" "$@"
