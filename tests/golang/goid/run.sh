#!/usr/bin/env bash
# Checks gotrace's goid against the Go runtime's own goroutine ids, call by
# call, on one Go toolchain and build variant:
#
#   tests/golang/goid/run.sh [-m entry|offset|ret] GOVERSION [VARIANT]
#
# GOVERSION is 1.NN: Debian's default go when it is that release, else a
# toolchain fetched (once, cached) by scripts/go-toolchain.sh. VARIANT is
# default, stripped (-s -w), pie (-buildmode=pie), cgo (external linking
# against glibc) or cgo-static (the same, -static: Go's TLS slot is then not
# at fsbase-8 but below glibc's own TLS variables).
# Modes:
#   entry   uprobe:BIN:main.traced          go_arg(0), goid   (g from R14)
#   offset  uprobe:BIN:main.traced+N        reg("ax"), goid   (g from TLS)
#           N is the first instruction after the prologue, found with
#           the toolchain's `go tool objdump`
#   ret     uretprobe:BIN:main.traced       retval, goid      (RET sites)
#   g0      uprobe:BIN:runtime.newstack     goid              (on g0: m.curg)
#           half the goroutines grow their stacks first (goidprog -grow);
#           newstack runs on the system stack, where R14 is g0 (goid 0),
#           and goid must be the goroutine whose stack grows
#
# goidprog.go records "seq goid" for every call, goid parsed from
# runtime.Stack; the traced function gets seq as its argument and returns
# it. The script prints one line, e.g.
#   goid 1.19 pie entry: 2560 calls, 0 mismatches
# where calls is the number of calls the program made and mismatches counts
# calls gotrace missed or reported with another goid, and reports gotrace
# printed for calls that never happened. A call reported twice with the same
# goid is not a mismatch (the kernel now and then runs a uprobe handler
# twice for one call; bpftrace sees it too); it is noted on stderr. The first few
# mismatches go to stderr. Binaries are cached in build/tests/goid/.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/tests/golang/goid
mode=entry
if [ "${1:-}" = -m ]; then mode=$2; shift 2; fi
ver=${1:?usage: run.sh [-m entry|offset|ret] 1.NN [default|stripped|pie|cgo|cgo-static]}
variant=${2:-default}
gotrace=${GOTRACE:-$root/gotrace}

case $mode in entry|offset|ret|g0) ;; *) echo "run.sh: bad mode '$mode'" >&2; exit 2;; esac

# The toolchain: the system's go if it is the wanted release.
gobin=$("$root/scripts/go-toolchain.sh" --go "$ver")
# Files named on the command line are not stamped with VCS data, so there is
# no need for -buildvcs=false, which go1.17 and older reject.
export GOCACHE=$root/build/gocache GOPATH=$root/build/gopath GOFLAGS= \
       GO111MODULE=off GOTOOLCHAIN=local CGO_ENABLED=0

out=$root/build/tests/goid
mkdir -p "$out"
src=$here/goidprog.go

# build VARIANT: prints the binary's path, rebuilding it when stale.
build() {
	local bin=$out/goidprog-go$ver-$1 flags=()
	case $1 in
	default) ;;
	stripped) flags=(-ldflags='-s -w') ;;
	pie) flags=(-buildmode=pie) ;;
	cgo) flags=(-ldflags=-linkmode=external) ;;
	cgo-static) flags=(-ldflags='-linkmode=external -extldflags=-static') ;;
	*) echo "run.sh: bad variant '$1'" >&2; return 2 ;;
	esac
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$0" -nt "$bin" ]; then
		if [ "${1#cgo}" != "$1" ]; then
			CGO_ENABLED=1 "$gobin" build "${flags[@]}" -o "$bin.tmp" "$src" >&2
		else
			"$gobin" build "${flags[@]}" -o "$bin.tmp" "$src" >&2
		fi
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# offset BIN: the byte offset of main.traced's first instruction past the
# prologue: the stack check (CMPQ against g.stackguard0 in R14, JBE) and
# the frame set-up (SUBQ/MOVQ BP/LEAQ up to go1.20, PUSHQ BP/MOVQ SP,
# BP/SUBQ later), from the toolchain's go tool objdump (which needs the
# symbol table, and gives PIE code no line numbers, so go by the code).
offset() {
	"$gobin" tool objdump -s '^main.traced$' "$1" | python3 -c '
import re, sys
prologue = re.compile(r"CMPQ .*R14|CMPQ SP, |JBE |SUBQ \$0x[0-9a-f]+, SP$|"
                      r"MOVQ BP, 0x[0-9a-f]+\(SP\)$|LEAQ 0x[0-9a-f]+\(SP\), BP$|"
                      r"PUSHQ BP$|MOVQ SP, BP$")
start = None
for line in sys.stdin:
    f = re.split(r"\t+", line.strip())
    if line.startswith("TEXT") or len(f) < 4:
        continue
    addr, insn = int(f[1], 16), f[3]
    start = addr if start is None else start
    if not prologue.match(insn):
        print(addr - start)
        break
'
}

bin=$(build "$variant")
case $mode in
entry)	prog="uprobe:$bin:main.traced { printf(\"%d %d\\n\", go_arg(0), goid); }" ;;
offset)
	# a stripped binary has the same code as the default build
	sym=$bin
	[ "$variant" = stripped ] && sym=$(build default)
	n=$(offset "$sym")
	[ -n "$n" ] && [ "$n" -gt 0 ] || { echo "run.sh: no prologue found in main.traced of $sym" >&2; exit 1; }
	echo "run.sh: probing main.traced+$n" >&2
	prog="uprobe:$bin:main.traced+$n { printf(\"%d %d\\n\", reg(\"ax\"), goid); }" ;;
ret)	prog="uretprobe:$bin:main.traced { printf(\"%d %d\\n\", retval, goid); }" ;;
g0)	prog="uprobe:$bin:runtime.newstack { printf(\"g0 %d\\n\", goid); }"; flags=-grow ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOMAXPROCS=2 "$gotrace" -e "$prog" -c "$bin -o $tmp/oracle -g 64 -n 40 ${flags:-}" >"$tmp/traced" 2>"$tmp/err" || {
	echo "run.sh: gotrace failed:" >&2; cat "$tmp/err" >&2; exit 1; }

python3 - "$tmp/oracle" "$tmp/traced" "goid $ver $variant $mode" <<'PY'
import re, sys
oracle, traced, label = sys.argv[1:]
want, grew, calls = {}, set(), None
for line in open(oracle):
    f = line.split()
    if f[0] == "calls":
        calls = int(f[1])
    elif f[0] == "grew":
        grew.add(int(f[1]))
    else:
        want[int(f[0])] = int(f[1])
if calls != len(want):
    sys.exit("%s: oracle incomplete (%s records, trailer %s)" % (label, len(want), calls))
if grew:
    # g0 mode: every goroutine that grew its stack must show up at
    # runtime.newstack under its own id, and no event may say goid 0.
    seen = [int(l.split()[1]) for l in open(traced) if re.fullmatch(r"g0 -?\d+\n", l)]
    bad = ["goroutine %d grew its stack, but no newstack event has its goid" % g
           for g in sorted(grew - set(seen))]
    bad += ["%d newstack events with goid 0" % seen.count(0)] if 0 in seen else []
    other = set(seen) - grew
    if other:
        print("%s: newstack also ran for goroutines %s" % (label, sorted(other)), file=sys.stderr)
    for b in bad[:10]:
        print(b, file=sys.stderr)
    print("%s: %d goroutines grew, %d mismatches" % (label, len(grew), len(bad)))
    sys.exit(0)
got = {}
bad = []
dups = 0
for line in open(traced):
    m = re.fullmatch(r"(-?\d+) (-?\d+)\n", line)
    if not m:
        continue
    seq, goid = int(m[1]), int(m[2])
    if seq in got:
        # Now and then the kernel runs a uprobe's handler twice for one
        # call (bpftrace 0.17 shows it too on this program, about one
        # run in eight): a repeat with the same goid is not a goid error.
        dups += 1
        if got[seq] != goid:
            bad.append("seq %d reported again with goid %d, first %d" % (seq, goid, got[seq]))
        continue
    if seq not in want:
        bad.append("seq %d (goid %d) was never called" % (seq, goid))
    elif want[seq] != goid:
        bad.append("seq %d: runtime says goroutine %d, gotrace %d" % (seq, want[seq], goid))
    got[seq] = goid
bad += ["seq %d (goroutine %d) not reported" % (s, g) for s, g in sorted(want.items()) if s not in got]
if dups:
    print("%s: %d calls reported twice (same goid)" % (label, dups), file=sys.stderr)
for b in bad[:10]:
    print(b, file=sys.stderr)
print("%s: %d calls, %d mismatches" % (label, calls, len(bad)))
PY
