#!/usr/bin/env bash
# `make demo`: find a Go program's hidden allocations with gotrace.
#
# Builds the bundled workload (examples/workload/: a JSON service's hot
# path), starts it in baseline mode, and traces it with
#   ./gotrace -p PID examples/mallocgc_stack.gt
# for DEMO_SECONDS (default 12) seconds: every 5 s the script prints the 5
# Go call stacks that allocated most. Then it stops gotrace with SIGINT and
# the workload with SIGTERM (its last line, on stderr, is its ops/sec and
# its own allocation count). DEMO_ARGS adds workload flags, for example
# DEMO_ARGS='-mode struct'. Whatever happens, nothing is left running: the
# EXIT trap kills both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${DEMO_SECONDS:-12}
gotrace=${GOTRACE:-./gotrace}
script=examples/mallocgc_stack.gt
bin=$root/build/workload

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (BPF)" >&2; exit 1; }
[ -x "${gotrace%% *}" ] || command -v "${gotrace%% *}" >/dev/null ||
  { echo "demo: $gotrace not built (run make)" >&2; exit 1; }

workload_pid=""
tracer_pid=""
cleanup() {
  for p in $tracer_pid $workload_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $tracer_pid $workload_pid; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

examples/workload/build.sh "$bin"
if [ -n "${DEMO_ARGS:-}" ]; then read -ra args <<<"$DEMO_ARGS"; else args=(); fi
"$bin" -report 0 "${args[@]}" &
workload_pid=$!
sleep 0.5
kill -0 "$workload_pid" 2>/dev/null || { echo "demo: the workload exited early" >&2; exit 1; }

echo "demo: workload is pid $workload_pid; tracing it for ${seconds}s:" >&2
echo "demo: $gotrace -p $workload_pid $script" >&2
$gotrace -p "$workload_pid" "$script" &
tracer_pid=$!
sleep "$seconds"
if ! kill -0 "$tracer_pid" 2>/dev/null; then
  status=0; wait "$tracer_pid" || status=$?
  tracer_pid=""
  echo "demo: gotrace exited early (status $status)" >&2
  exit 1
fi
kill -INT "$tracer_pid"
# gotrace runs END and prints its maps on SIGINT; give it a bounded time.
for _ in $(seq 100); do kill -0 "$tracer_pid" 2>/dev/null || break; sleep 0.1; done
status=0; wait "$tracer_pid" || status=$?
tracer_pid=""
kill -TERM "$workload_pid"
wait "$workload_pid" || true
workload_pid=""
echo "demo: gotrace exited with status $status" >&2
exit "$status"
