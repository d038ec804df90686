#!/usr/bin/env bash
# examples/alloc_graph.sh [OUT.svg|OUT.png] [SECONDS]
#
# A picture of where the bundled workload allocates: gotrace counts
# runtime.mallocgc calls by Go stack (16 frames, inlined calls included)
# for SECONDS (default 3) with --pprof, and `go tool pprof` draws the
# profile's call graph with graphviz (Debian's graphviz package), the 30
# busiest nodes, boxes sized by allocations. OUT defaults to alloc.svg; a
# .png name gives a PNG. docs/alloc-profile.svg was made by this script.
#
#   examples/alloc_graph.sh                       # alloc.svg, baseline mode
#   MODE=struct examples/alloc_graph.sh struct.svg
#
# The same profile opens interactively with `go tool pprof -http=:8080
# FILE`, which also draws a flame graph; -f folded output feeds
# FlameGraph's flamegraph.pl or inferno.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-alloc.svg}
secs=${2:-3}
gotrace=${GOTRACE:-$root/gotrace}
case $out in
*.png) fmt=-png ;;
*.svg) fmt=-svg ;;
*) echo "alloc_graph.sh: OUT must end in .svg or .png" >&2; exit 2 ;;
esac
command -v dot >/dev/null || { echo "alloc_graph.sh: needs graphviz (apt-get install graphviz)" >&2; exit 1; }
"$root/examples/workload/build.sh" "$root/build/workload"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gotrace" --pprof "$tmp/alloc.pb.gz" -c "$root/build/workload -report 0 -mode ${MODE:-baseline} -duration ${secs}s" \
	-e 'uprobe:runtime.mallocgc { @allocs[go_ustack(16)] = count(); }' >/dev/null
go tool pprof "$fmt" -nodecount=30 -output "$out" "$tmp/alloc.pb.gz" 2>/dev/null
echo "alloc_graph.sh: wrote $out"
