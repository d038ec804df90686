#!/usr/bin/env bash
# Line coverage of what a fuzzing corpus reaches (after `make fuzz`):
#
#   scripts/fuzz-cov.sh [HARNESS [DIR...]]   default: reader, on its corpus and seeds
#
# Builds the harness with clang-14's source-based coverage in build/cov
# (scripts/santree.sh), runs every input once, and prints llvm-cov-14's
# report for the folders the harness is about (binary/ golang/ for the
# reader; lexer/ parser/ sema/ codegen/ for compile).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
h=${1:-reader}; shift || true
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(build/fuzz/corpus/$h build/fuzz/seeds/$h)
cov='-fprofile-instr-generate -fcoverage-mapping'
CC=clang-14 CFLAGS="-O1 -g $cov -fsanitize=fuzzer-no-link" \
  LDFLAGS="-fprofile-instr-generate -fsanitize=fuzzer" \
  scripts/santree.sh build/cov "build/tests/fuzz/fuzz_$h" >/dev/null
bin=$root/build/cov/build/tests/fuzz/fuzz_$h
rm -rf build/cov/prof && mkdir -p build/cov/prof
# One process per input: a crash-free corpus, but a struct bin per input
# is still more memory than one process should hold for all of them.
find "${dirs[@]}" -type f -print0 | xargs -0 -n 20 sh -c \
  'LLVM_PROFILE_FILE='"$root"'/build/cov/prof/%p.profraw "$0" -close_fd_mask=3 -runs=0 "$@" >/dev/null 2>&1 || true' "$bin"
llvm-profdata-14 merge -sparse -o build/cov/$h.profdata build/cov/prof/*.profraw
case $h in
  reader) src='(binary|golang)/' ;;
  *) src='(lexer|parser|sema|codegen|probes)/' ;;
esac
llvm-cov-14 report "$bin" -instr-profile=build/cov/$h.profdata \
  $(cd build/cov && ls -d */*.c | grep -E "^$src" | sed 's|^|build/cov/|')
