#!/usr/bin/env bash
# `make check-asan`: gotrace and the unit tests built with AddressSanitizer
# and UBSan (clang-14: with gcc 12, UBSan ignores log_path next to ASan) in build/asan (scripts/santree.sh), then
#   1. the unit tests,
#   2. the runtime tests (tests/run.sh with GOTRACE=build/asan/gotrace),
#   3. LeakSanitizer on a full traced run of the workload (scripts/demo.sh),
# each with 0 sanitizer reports. Reports go to files (log_path) and any
# file written fails the run: a test that expects gotrace to exit 1 would
# not notice a report by the exit status alone (ASan's is 1 too).
#
#   CHECK_ASAN_TESTS="PATTERN..."   only the runtime tests matching a pattern
#
# Leaks are not checked in steps 1 and 2: the compiler keeps its AST and
# plan until exit on purpose. Step 3 checks them with
# tests/fuzz/lsan.supp, which names those allocations (and nothing made
# while tracing), so a leak per event or per interval fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=build/asan
logs=$root/$dir/logs
start=$(date +%s)

san='-fsanitize=address,undefined -fno-sanitize-recover=all'
units=$(ls tests/*/test_*.c | sed 's|^\(.*\)\.c$|build/\1|')
CC=clang-14 CFLAGS="-O1 -g -fno-omit-frame-pointer $san" LDFLAGS="$san" \
  scripts/santree.sh "$dir" gotrace $units

rm -rf "$logs"; mkdir -p "$logs"
common="halt_on_error=1:abort_on_error=0:exitcode=86"
export ASAN_OPTIONS="$common:detect_leaks=0:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$logs/ubsan"

reports() {	# fails, printing them, if any sanitizer wrote a report
  local rc=0
  if compgen -G "$logs/*.*" >/dev/null; then
    echo "check-asan: $1: sanitizer reports:" >&2
    for f in "$logs"/*.*; do echo "== $f" >&2; head -60 "$f" >&2; done
    rc=1
  else
    echo "check-asan: $1: 0 reports"
  fi
  # each step's reports apart from the next's
  mkdir -p "$logs/$1" && find "$logs" -maxdepth 1 -type f -exec mv {} "$logs/$1/" \;
  return $rc
}

rc=0
echo "check-asan: unit tests"
scripts/run-unit.sh $(printf "$dir/%s " $units) || rc=1
reports unit || rc=1

echo "check-asan: runtime tests"
# shellcheck disable=SC2086
GOTRACE=$root/$dir/gotrace tests/run.sh ${CHECK_ASAN_TESTS:-} || rc=1
reports runtime || rc=1

echo "check-asan: LeakSanitizer on the demo"
ASAN_OPTIONS="$common:detect_leaks=1:log_path=$logs/asan" \
LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0" \
  GOTRACE=$root/$dir/gotrace DEMO_SECONDS=${DEMO_SECONDS:-12} scripts/demo.sh >"$logs/../demo.out" 2>&1 ||
  { echo "check-asan: the demo failed (see $dir/demo.out)" >&2; rc=1; }
grep -q 'allocated most\|samples\|@' "$dir/demo.out" ||
  { echo "check-asan: the demo printed no stacks (see $dir/demo.out)" >&2; rc=1; }
reports demo || rc=1

echo "check-asan: $([ $rc -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $rc
