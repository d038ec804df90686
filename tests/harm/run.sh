#!/usr/bin/env bash
# The traced program is never harmed: runs Go's own package tests, and
# tests/progs/goharm.go (panics and recovers, stack growth, goroutine
# exits, checking its own results), while gotrace holds a uprobe and a
# uretprobe on every function of the package under test (Go uretprobes
# are uprobes on the RET instructions: binary/retsites.c). A wrong RET
# site, a clobbered register or a corrupted stack shows up as a failed
# test, a crash or a hang.
#
# Usage: tests/harm/run.sh [--quick] [--go "1.19 1.23 1.26"] [PKG...]
#   default: packages strconv strings encoding/json and goharm, on go1.19,
#   go1.23 and go1.26 (toolchains from scripts/go-toolchain.sh), the
#   packages' full tests (-test.short). Long: `make harm` runs it.
#   --quick: go1.19, a few strconv tests and 2 rounds of goharm, a few
#   seconds (tests/runtime/harm.test, in make test).
#
# Each package test is first run without gotrace: a test that fails on its
# own (a network test, a flaky one) is reported as such, not as harm.
# Every run must print PASS (goharm: "goharm: ok"), end in exit_group(0)
# (seen by a tracepoint in the same gotrace, so a crash by signal is
# caught too), and both probes must have fired. Logs: build/harm/GOVER/.
# Ends with "harm: N passed, N failed"; exits 1 on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
gotrace=${GOTRACE:-$root/gotrace}
# absolute: each run starts in its package's source folder
[[ $gotrace == /* ]] || gotrace=$(realpath "$gotrace")
quick=0 versions="1.19 1.23 1.26" pkgs=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 versions=1.19;;
	--go) versions=$2; shift;;
	*) pkgs+=("$1");;
	esac
	shift
done
if [ ${#pkgs[@]} -eq 0 ]; then
	pkgs=(strconv strings encoding/json)
	[ $quick = 1 ] && pkgs=(strconv)
fi
# --quick: the strconv tests that finish in well under a second natively
quick_run='^Test(Atoi|Itoa|Quote|Unquote|ParseInt|ParseUint|Ftoa|FormatComplex|ParseComplex)$'
pass=0 fail=0
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# check LOG WANT: the run in LOG printed WANT, exited 0 and hit both probes.
check() {
	local log=$1 want=$2 e r
	grep -qx "$want" "$log" || { echo "no '$want' line"; return 1; }
	grep -qx 'exit_group(0)' "$log" || { echo "did not exit 0: $(grep exit_group "$log" || echo killed by a signal)"; return 1; }
	e=$(sed -n 's/^@e: //p' "$log") r=$(sed -n 's/^@r: //p' "$log")
	[ "${e:-0}" -gt 0 ] && [ "${r:-0}" -gt 0 ] || { echo "probes did not fire (@e ${e:-0}, @r ${r:-0})"; return 1; }
	echo "$e entries, $r returns"
}

# traced NAME BIN SYMS DIR ARGS...: runs BIN ARGS in DIR under gotrace with
# probes on SYMS.*; prints the result line.
traced() {
	local name=$1 bin=$2 syms=$3 dir=$4 want=$5 log=$out/${1//\//_}.log t0 res st
	shift 5
	t0=$(date +%s.%N)
	(cd "$dir" && "$gotrace" -e "uprobe:$bin:$syms.* { @e = count(); }
		uretprobe:$bin:$syms.* { @r = count(); }
		tracepoint:syscalls:sys_enter_exit_group /pid == cpid/ { printf(\"exit_group(%d)\\n\", args.error_code); }" \
		-c "$bin $*") >"$log" 2>&1
	st=$?
	if res=$(check "$log" "$want") && [ $st = 0 ]; then
		printf 'ok   go%s %s: %s in %.1f s\n' "$v" "$name" "$res" "$(echo "$(date +%s.%N) - $t0" | bc)"
		pass=$((pass + 1))
	else
		[ $st = 0 ] || res="gotrace exited $st; $res"
		echo "FAIL go$v $name: $res (log: $log)"
		tail -20 "$log" | sed 's/^/    | /'
		fail=$((fail + 1))
	fi
}

for v in $versions; do
	go=$("$root/scripts/go-toolchain.sh" --go "$v") || { echo "FAIL go$v: no toolchain"; fail=$((fail + 1)); continue; }
	goroot=$("$go" env GOROOT)
	out=$root/build/harm/$v
	mkdir -p "$out"
	# the cache is keyed by the compiler too, so one serves every release
	export GOCACHE=$root/build/gocache
	for pkg in "${pkgs[@]}"; do
		name=${pkg//\//_}
		bin=$out/$name.test
		if [ ! -x "$bin" ] && ! "$go" test -c -o "$bin" "$pkg" >"$out/$name.build.log" 2>&1; then
			echo "FAIL go$v $pkg: go test -c failed (log: $out/$name.build.log)"
			fail=$((fail + 1))
			continue
		fi
		args=(-test.short)
		[ $quick = 1 ] && args+=(-test.run "$quick_run")
		if ! (cd "$goroot/src/$pkg" && "$bin" "${args[@]}") >"$out/$name.native.log" 2>&1; then
			echo "skip go$v $pkg: fails without gotrace too (log: $out/$name.native.log)"
			continue
		fi
		traced "$pkg" "$bin" "$pkg" "$goroot/src/$pkg" PASS "${args[@]}"
	done
	if [ ! -x "$out/goharm" ] || [ "$root/tests/progs/goharm.go" -nt "$out/goharm" ]; then
		(cd "$root/tests/progs" && GO111MODULE=off "$go" build -o "$out/goharm" goharm.go) ||
			{ echo "FAIL go$v goharm: build failed"; fail=$((fail + 1)); continue; }
	fi
	traced goharm "$out/goharm" main "$out" "goharm: ok" $([ $quick = 1 ] && echo 2 || echo 20)
done
echo "harm: $pass passed, $fail failed"
[ $fail = 0 ]
