#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing of the front end and the binary
# reader with libFuzzer (tests/fuzz/README.md).
#
#   scripts/fuzz.sh [HARNESS...]     default: compile reader
#
# Builds the harnesses with clang-14, AddressSanitizer and UBSan in
# build/fuzz (scripts/santree.sh), makes the seed corpora
# (tests/fuzz/seeds.py), and runs each harness for FUZZ_SECONDS (default
# 1800) under nice -n 19, all at once. The corpus grows in
# build/fuzz/corpus/NAME across runs; crashes, hangs and OOMs go to
# build/fuzz/out/NAME/, the log to build/fuzz/out/NAME.log. Fails if any
# harness found anything.
#
# Both harnesses run in libFuzzer's fork mode: the compiler keeps its AST
# until exit, so one long process would grow; fork mode restarts the
# worker every few minutes and still stops at the first crash. The reader
# frees all it made (bin_free()), so LeakSanitizer watches it: a leak
# there is a struct bin that a long trace would keep.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${FUZZ_SECONDS:-1800}
dir=build/fuzz
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(compile reader)

command -v clang-14 >/dev/null || { echo "fuzz: clang-14 not installed (apt-get install clang-14 libfuzzer-14-dev)" >&2; exit 1; }
san='-fsanitize=address,undefined -fno-sanitize-recover=all'
CC=clang-14 CFLAGS="-O1 -g -fno-omit-frame-pointer $san -fsanitize=fuzzer-no-link" \
  LDFLAGS="$san -fsanitize=fuzzer" \
  scripts/santree.sh "$dir" $(printf 'build/tests/fuzz/fuzz_%s ' "${harnesses[@]}")

# Per harness: the largest input, and how long one may run. Reader inputs
# are whole Go binaries (seeds up to 2 MB); a program is at most 4 KB.
# The limits are wall time under nice -n 19 on a shared machine: a seed
# that compiles in 1.2 s of CPU once took 30 s there.
declare -A maxlen=([compile]=4096 [reader]=2097152)
declare -A tmo=([compile]=120 [reader]=120)
declare -A leaks=([compile]=0 [reader]=1)

pids=()
for h in "${harnesses[@]}"; do
  corpus=$dir/corpus/$h out=$dir/out/$h
  mkdir -p "$corpus" "$out" "$dir/seeds/$h" "tests/fuzz/crashes/$h"
  python3 tests/fuzz/seeds.py "$h" "$dir/seeds/$h"
  # Stdout and stderr of the compiler (its diagnostics) are closed: the
  # fuzzer's own output stays.
  ( cd "$out" && ASAN_OPTIONS=detect_leaks=${leaks[$h]} UBSAN_OPTIONS=print_stacktrace=1 \
      nice -n 19 "$root/$dir/build/tests/fuzz/fuzz_$h" -fork=1 -detect_leaks=${leaks[$h]} \
      -close_fd_mask=3 -max_total_time="$secs" -max_len="${maxlen[$h]}" \
      -timeout="${tmo[$h]}" -rss_limit_mb=3072 -print_final_stats=1 \
      -dict="$root/tests/fuzz/$h.dict" \
      "$root/$corpus" "$root/tests/fuzz/crashes/$h" "$root/$dir/seeds/$h" \
      > "$root/$dir/out/$h.log" 2>&1 ) &
  pids+=($!)
done
rc=0
for i in "${!pids[@]}"; do
  h=${harnesses[$i]}
  wait "${pids[$i]}" || true
  log=$dir/out/$h.log
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  found=$(ls "$dir/out/$h" | grep -E '^(crash|timeout|oom|leak)-' || true)
  echo "fuzz $h: ${last:-no stats (see $log)}"
  if [ -n "$found" ] || grep -qE 'ERROR: libFuzzer|SUMMARY: (Address|Undefined)' "$log"; then
    echo "fuzz $h: FOUND: $(echo $found) (see $log)"
    rc=1
  fi
done
exit $rc
