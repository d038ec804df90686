#!/usr/bin/env bash
# burstsum.sh OUT ERR: for overload.test. Counts the "e ..." lines in a
# tracer's stdout, the lines that are neither that nor blank (a torn or
# garbled record), and adds the events the tracer said it lost on stderr:
#   malformed: N
#   total: N      (delivered + lost)
set -euo pipefail
delivered=$(grep -c '^e [0-9]' "$1" || true)
malformed=$(grep -Evc '^(e [0-9]+( a longer line, so that fewer fit| medium sized| a good deal longer than that burst)?)?$' "$1" || true)
lost=$(sed -n 's/^gotrace: \([0-9]*\) events lost: the ring buffer was full$/\1/p' "$2")
echo "delivered: $delivered"
echo "malformed: $malformed"
echo "total: $((delivered + ${lost:-0}))"
