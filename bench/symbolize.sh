#!/usr/bin/env bash
# Symbolization speed: gotrace's binary reader against `go tool addr2line`.
#
# Opens the Go toolchain binary (stripped: the pclntab is all there is),
# symbolizes every function entry plus 100k random PCs, and reports the
# median over several runs of: bin_open time (fresh process each run),
# addresses per second, and the time `go tool addr2line` needs for the
# same list (process start-up included: that is its cost to a user).
# Goals: open < 20 ms, > 20x faster than addr2line.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-/usr/lib/go-1.19/bin/go}
runs=${RUNS:-5}
out=build/bench
mkdir -p "$out"
# Linked with the project's library (and the LLVM disassembler that the
# binary reader uses for RET sites), like the tests.
make --no-print-directory all build/bench/symbolize >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

opens=() rates=() colds=()
for i in $(seq "$runs"); do
	line=$("$out/symbolize" "$bin" "$out/addrs.txt" 5)
	opens+=("$(awk '{print $2}' <<<"$line")")
	rates+=("$(awk '{print $14}' <<<"$line")")
	colds+=("$(awk '{print $16}' <<<"$line")")
done
echo "$line"
n=$(wc -l < "$out/addrs.txt")
open_ms=$(printf '%s\n' "${opens[@]}" | median)
rate=$(printf '%s\n' "${rates[@]}" | median)
cold=$(printf '%s\n' "${colds[@]}" | median)

times=()
for i in $(seq 3); do
	s=$(date +%s.%N)
	GOCACHE=/tmp/gotrace-gocache HOME=/tmp go tool addr2line "$bin" < "$out/addrs.txt" > "$out/addr2line.txt"
	e=$(date +%s.%N)
	times+=("$(echo "$e - $s" | bc -l)")
done
a2l=$(printf '%s\n' "${times[@]}" | median)
a2l_rate=$(echo "$n / $a2l" | bc -l)
printf 'binary            %s\n' "$bin"
printf 'addresses         %d (every function entry + 100000 random PCs)\n' "$n"
printf 'bin_open          %.2f ms (median of %d fresh processes; goal < 20 ms)\n' "$open_ms" "$runs"
printf 'gotrace           %.0f addresses/s warm; first pass %.1f ms (%.0f/s, decodes every function)\n' \
	"$rate" "$cold" "$(echo "$n / $cold * 1000" | bc -l)"
printf 'go tool addr2line %.0f addresses/s (%.2f s, median of 3)\n' "$a2l_rate" "$a2l"
printf 'ratio             %.1fx (goal > 20x)\n' "$(echo "$rate / $a2l_rate" | bc -l)"
