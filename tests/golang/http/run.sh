#!/usr/bin/env bash
# Reads net/http requests out of a real server with Go expressions, and
# checks gotrace's per-request counts against the server's own log:
#
#   tests/golang/http/run.sh [-m dwarf|cast|example] GOVERSION [VARIANT]
#
# GOVERSION is 1.NN: Debian's go when it is that release, else a toolchain
# fetched (once, cached) by scripts/go-toolchain.sh. VARIANT is default,
# stripped (-s -w) or pie (-buildmode=pie -s -w). The probe is on
# net/http.serverHandler.ServeHTTP(sh, rw, req), which every net/http
# server calls once per request. Modes:
#   dwarf    go_arg("req").Method, .URL.Path, len(.Header): names and
#            types from DWARF (default builds only)
#   cast     go_cast(go_arg(3), "*net/http.Request"): types from the
#            runtime's type descriptors, which stripped binaries keep
#   example  examples/http_requests.gt: method, path and latency per
#            goroutine; its histogram counts are checked
#
# httpprog.go sends a fixed mix of requests and logs "METHOD PATH
# NHEADERS" for each from its handler. The script prints one line, e.g.
#   http 1.26 stripped cast: 32 requests, 8 keys, 0 mismatches
# where a mismatch is a key whose count differs from the log's, or a key
# the log does not have. Paths are read up to the string bound (64
# bytes), so the oracle cuts them there too, and the number of strings
# gotrace says it cut must be the number of reads of longer paths.
# Binaries are cached in build/tests/http/.
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/tests/golang/http
mode=cast
if [ "${1:-}" = -m ]; then mode=$2; shift 2; fi
ver=${1:?usage: run.sh [-m dwarf|cast|example] 1.NN [default|stripped|pie]}
variant=${2:-default}
gotrace=${GOTRACE:-$root/gotrace}

case $mode in dwarf|cast|example) ;; *) echo "run.sh: bad mode '$mode'" >&2; exit 2;; esac

gobin=$("$root/scripts/go-toolchain.sh" --go "$ver")
export GOCACHE=$root/build/gocache GOPATH=$root/build/gopath GOFLAGS= \
       GO111MODULE=off GOTOOLCHAIN=local CGO_ENABLED=0

out=$root/build/tests/http
mkdir -p "$out"
src=$here/httpprog.go
bin=$out/httpprog-go$ver-$variant
case $variant in
default) flags=() ;;
stripped) flags=(-ldflags='-s -w') ;;
pie) flags=(-buildmode=pie -ldflags='-s -w') ;;
*) echo "run.sh: bad variant '$variant'" >&2; exit 2 ;;
esac
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$0" -nt "$bin" ]; then
	"$gobin" build "${flags[@]}" -o "$bin.tmp" "$src" >&2
	mv "$bin.tmp" "$bin"
fi

fn=net/http.serverHandler.ServeHTTP
case $mode in
dwarf)	prog="uprobe:$bin:$fn { @[go_arg(\"req\").Method, go_arg(\"req\").URL.Path,
		len(go_arg(\"req\").Header)] = count(); }" ;;
cast)	prog="uprobe:$bin:$fn { \$r = go_cast(go_arg(3), \"*net/http.Request\");
		@[\$r.Method, \$r.URL.Path, len(\$r.Header)] = count(); }" ;;
example) prog= ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Go preempts goroutines with SIGURG; one that lands while the kernel
# single-steps the probed instruction makes it run the probe again for
# the same call (bpftrace sees it too). Counting requests exactly is what
# is tested here, so the target runs without asynchronous preemption.
export GODEBUG=asyncpreemptoff=1
if [ "$mode" = example ]; then
	"$gotrace" -c "$bin $tmp/oracle" "$root/examples/http_requests.gt" >"$tmp/traced" 2>"$tmp/err"
else
	"$gotrace" -e "$prog" -c "$bin $tmp/oracle" >"$tmp/traced" 2>"$tmp/err"
fi || { echo "run.sh: gotrace failed:" >&2; cat "$tmp/err" >&2; exit 1; }
cat "$tmp/err" >&2

python3 - "$tmp/oracle" "$tmp/traced" "$tmp/err" "$mode" "http $ver $variant $mode" <<'PY'
import collections, re, sys
oracle, traced, err, mode, label = sys.argv[1:]
BOUND = 64
want, cut = collections.Counter(), 0
for line in open(oracle):
    method, path, nhdr = line.split()
    cut += len(path) > BOUND
    key = (method, path[:BOUND]) if mode == "example" else (method, path[:BOUND], nhdr)
    want[key] += 1
got = collections.Counter()
text = open(traced).read()
if mode == "example":
    # @usecs[GET, /api/users]:  followed by a histogram: add up its rows
    for m in re.finditer(r"^@usecs\[(\S+), (.*)\]: ?\n((?:\[.*\n)+)", text, re.M):
        got[(m[1], m[2])] += sum(int(r.split("|")[0].split()[-1])
                                 for r in m[3].splitlines())
else:
    for m in re.finditer(r"^@\[(\S+), (.*), (\d+)\]: (\d+)$", text, re.M):
        got[(m[1], m[2], m[3])] += int(m[4])
bad = ["%s: log %d, gotrace %d" % (" ".join(k), want[k], got[k])
       for k in sorted(set(want) | set(got)) if want[k] != got[k]]
m = re.search(r"warning: (\d+) Go strings? longer", open(err).read())
said = int(m[1]) if m else 0
if said != cut:
    bad.append("gotrace says %d strings were cut, the log has %d paths longer than %d"
               % (said, cut, BOUND))
for b in bad[:10]:
    print(b, file=sys.stderr)
print("%s: %d requests, %d keys, %d mismatches" % (label, sum(want.values()), len(want), len(bad)))
PY
