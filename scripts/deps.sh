#!/usr/bin/env bash
# Installs what gotrace needs to build and test, on a fresh Debian 12 machine.
#
# Debian packages come from bookworm. libbpf is the exception: bookworm has
# 1.1, which lacks uprobe_multi links (one link for many uprobes, which is what
# makes attach and detach fast here). bookworm-backports has 1.4.  We do not
# install it system-wide; we download libbpf-dev and the matching kernel UAPI
# headers from backports with a private apt config and unpack them under
# build/deps, then link libbpf statically.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
deps=$here/build/deps
stamp=$deps/.done-v1

pkgs=(make gcc g++ flex bison pkg-config llvm-14-dev libelf-dev libdw-dev zlib1g-dev
      libzstd-dev libtinfo-dev libxml2-dev libz3-dev golang-go bpftrace bpftool
      python3 procps protobuf-c-compiler libprotobuf-c-dev graphviz man-db
      curl libc6-dbg systemtap-sdt-dev)  # g++: libstdc++.a, linked into gotrace, and the C++ test program; curl: tests/compat fetches bpftrace's suite; libc6-dbg: stack tests name libc frames from its debug files; sdt: USDT test programs
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -f "$stamp" ] && exit 0
echo "deps: fetching libbpf 1.4 from bookworm-backports into build/deps" >&2
apt=$deps/apt
rm -rf "$deps"; mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$deps/debs"
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
cat > "$apt/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main
SRC
cat > "$apt/apt.conf" <<CONF
Dir::Etc::sourcelist "$apt/sources.list";
Dir::Etc::sourceparts "/nonexistent";
Dir::State::lists "$apt/lists";
Dir::Cache "$apt/cache";
CONF
export APT_CONFIG=$apt/apt.conf
apt-get update -qq
(cd "$deps/debs" && apt-get download -qq libbpf-dev/bookworm-backports \
    linux-libc-dev/bookworm-backports 2>&1 | grep -v unsandboxed || true)
for d in "$deps"/debs/*.deb; do dpkg -x "$d" "$deps/root"; done
test -f "$deps/root/usr/lib/x86_64-linux-gnu/libbpf.a"
touch "$stamp"
