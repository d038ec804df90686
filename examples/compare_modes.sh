#!/usr/bin/env bash
# compare_modes.sh: the allocation fixes, before and after, in one command.
#
# For each workload mode (baseline, prealloc, unsafe, struct: each adds one
# optimization to the previous) it counts runtime.mallocgc calls with
# examples/mallocgc_rate.gt while the workload handles exactly OPS requests
# (gotrace -c 'workload -mode M -ops OPS'), and again for a run that only
# sets up and exits (-workers 0). The difference divided by OPS is the
# allocations per request, as gotrace sees them. Beside it: the Go runtime's
# own count (runtime.MemStats.Mallocs, printed by the workload) as a
# cross-check, and the untraced ops/sec (uprobes slow the traced runs, so
# their rate means nothing). Ops/sec is noisy on a busy machine; the
# allocation counts are not. gotrace counts one more per request than the
# runtime in the map modes: encoding/json's make([]interface{}, 0) for the
# document's one array calls mallocgc(0, ...), which returns the shared
# zero-size block without allocating and is not in MemStats.Mallocs (find
# it with: uprobe:runtime.mallocgc /go_arg(0) == 0/ { @[go_ustack(6)] = count(); }).
#
#   examples/compare_modes.sh            # OPS=2000 per mode; needs root
#   OPS=500 MODES='baseline struct' examples/compare_modes.sh
#   RATE_SECONDS=0 examples/compare_modes.sh   # skip the untraced runs ("-")
#
# Sample output (Debian 12, Go 1.19.8, 2 CPUs):
#
#   mode         ops  mallocgc/op runtime-mallocs/op untraced-ops/sec
#   baseline    2000        176.2              175.2            69094
#   prealloc    2000        150.2              149.2            81959
#   unsafe      2000        135.2              134.2            83469
#   struct      2000         91.2               91.2           111670
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
gotrace=${GOTRACE:-$root/gotrace}
bin=${WORKLOAD:-$root/build/workload}
ops=${OPS:-2000}
rate_seconds=${RATE_SECONDS:-2}
modes=${MODES:-baseline prealloc unsafe struct}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "compare_modes: needs root (BPF)" >&2; exit 1; }
"$here/workload/build.sh" "$bin"

# traced ARGS...: mallocgc calls counted by gotrace over one workload run.
traced() {
  "$gotrace" -c "$bin -report 0 $*" "$here/mallocgc_rate.gt" >"$tmp/out" 2>"$tmp/err" ||
    { echo "compare_modes: gotrace failed:" >&2; cat "$tmp/err" >&2; exit 1; }
  sed -n 's/^@total: //p' "$tmp/out"
}

# field NAME: NAME=value from the workload's final line in $tmp/err.
field() { sed -n "s|^workload: mode=.* $1=\([^ ]*\).*|\1|p" "$tmp/err" | tail -1; }

printf '%-9s %6s %12s %18s %16s\n' mode ops mallocgc/op runtime-mallocs/op untraced-ops/sec
for m in $modes; do
  setup=$(traced -mode "$m" -workers 0)
  total=$(traced -mode "$m" -ops "$ops")
  done_ops=$(field ops)
  runtime_per_op=$(field mallocs/op)
  rate=-
  if [ "$rate_seconds" != 0 ]; then
    "$bin" -mode "$m" -duration "${rate_seconds}s" -report 0 2>"$tmp/err"
    rate=$(field ops/sec)
  fi
  per_op=$(awk -v t="$total" -v s="$setup" -v n="$done_ops" 'BEGIN { printf "%.1f", (t - s) / n }')
  printf '%-9s %6s %12s %18s %16s\n' "$m" "$done_ops" "$per_op" "$runtime_per_op" "$rate"
done
