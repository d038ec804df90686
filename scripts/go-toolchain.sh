#!/usr/bin/env bash
# Fetch a Debian-packaged Go toolchain into a private cache and print its
# GOROOT, e.g. `scripts/go-toolchain.sh 1.23`.
#
# The binary reader's tests need Go binaries of several pclntab and inline
# tree layouts (1.15 uses magic 0xfffffffb, 1.19 0xfffffff0, 1.20+
# 0xfffffff1 with the new inlinedCall). Debian ships those toolchains in
# other suites, so this writes a private apt configuration (same archive
# URI as the system's, suites bullseye/bookworm-backports/trixie/sid),
# downloads golang-1.NN-go and golang-1.NN-src with `apt-get download` and
# unpacks them with `dpkg -x`. Nothing is installed system-wide. Results are
# cached: a second call prints the GOROOT without touching the network.
#
# The cache is $GOTRACE_GO_CACHE, or else ${XDG_CACHE_HOME:-$HOME/.cache}/
# gotrace/go-toolchains: outside the checkout, so that a removed build/ or
# a second clone does not fetch the same toolchains again.
# Without a writable home it falls back to build/go-toolchains. A lock
# keeps two checkouts that run their tests at once from unpacking the same
# version over each other.
#
# With --go, it prints the go command to use instead: the system's go when
# it is that release, else the fetched toolchain's bin/go.
set -euo pipefail
if [ "${1:-}" = --go ]; then
	ver=${2:?usage: go-toolchain.sh [--go] 1.NN}
	if command -v go >/dev/null &&
	   [ "$(go env GOVERSION 2>/dev/null | sed -E 's/^go(1\.[0-9]+).*/\1/')" = "$ver" ]; then
		command -v go
	else
		echo "$("$0" "$ver")/bin/go"
	fi
	exit 0
fi
ver=${1:?usage: go-toolchain.sh [--go] 1.NN}
[[ $ver =~ ^1\.[0-9]+$ ]] || { echo "go-toolchain: bad version '$ver'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
home_cache() {
	local base=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
	[ -n "$base" ] && mkdir -p "$base/gotrace/go-toolchains" 2>/dev/null &&
		[ -w "$base/gotrace/go-toolchains" ] && echo "$base/gotrace/go-toolchains"
}
cache=${GOTRACE_GO_CACHE:-$(home_cache || echo "$root/build/go-toolchains")}
goroot=$cache/$ver/usr/lib/go-$ver
if [ -x "$goroot/bin/go" ]; then echo "$goroot"; exit 0; fi

mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/debs"
exec 9>"$cache/lock"
flock 9
# Another checkout may have unpacked it while this one waited.
if [ -x "$goroot/bin/go" ]; then echo "$goroot"; exit 0; fi
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
cat > "$cache/apt/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bullseye main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main
SRC
# apt downloads as user _apt, who cannot write into root's home: download
# as ourselves instead (apt only warns, but on every first fetch).
apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o "Dir::Etc::SourceParts=-"
	  -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt"
	  -o "Dir::State::status=/var/lib/dpkg/status" -o "APT::Get::List-Cleanup=0"
	  -o "APT::Sandbox::User=$(id -un)")
# Lists are refreshed at most once a day.
stamp=$cache/apt/updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
	apt-get "${apt_opts[@]}" -qq update >&2
	touch "$stamp"
fi
( cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "golang-$ver-go" "golang-$ver-src" >&2 )
rm -rf "$cache/$ver.tmp"
for deb in "$cache"/debs/golang-"$ver"-go_*.deb "$cache"/debs/golang-"$ver"-src_*.deb; do
	dpkg -x "$deb" "$cache/$ver.tmp"
done
rm -rf "$cache/$ver"
mv "$cache/$ver.tmp" "$cache/$ver"
[ -x "$goroot/bin/go" ] || { echo "go-toolchain: no $goroot/bin/go after unpacking" >&2; exit 1; }
echo "$goroot"
