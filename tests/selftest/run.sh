#!/usr/bin/env bash
# Checks the runtime-test runner itself: runs tests/selftest/*.test (with
# bpftrace, or $GOTRACE) and verifies every ok_* test passed and every fail_*
# test failed, so a check that can never fail is caught.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(GOTRACE=${GOTRACE:-bpftrace} GOTRACE_TEST_DIR=$root/tests/selftest "$root/tests/run.sh" 2>&1)
echo "$out"
bad=0
while read -r status name; do
  case "$name" in
    *:ok_*)   [ "$status" = ok ]   || { echo "selftest: $name should pass"; bad=1; } ;;
    *:fail_*) [ "$status" = FAIL ] || { echo "selftest: $name should fail"; bad=1; } ;;
  esac
done < <(echo "$out" | awk '/^(ok|FAIL) /{print $1, $2}')
[ $bad -eq 0 ] && echo "selftest: runner checks behave" || exit 1
