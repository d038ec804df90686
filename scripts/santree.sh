#!/usr/bin/env bash
# Builds gotrace with other flags (sanitizers, libFuzzer instrumentation)
# in its own tree, so the normal build/ is never touched:
#
#   scripts/santree.sh DIR TARGET...      e.g. build/asan gotrace
#
# DIR gets symlinks to the sources and the Makefile, and build/deps links
# to the normal build's libbpf; objects go to DIR/build. CC, CFLAGS and
# LDFLAGS come from the environment (on make's command line CFLAGS would
# replace the Makefile's include flags).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; shift
mkdir -p "$dir/build"
dir=$(cd "$dir" && pwd)
for f in Makefile common lexer parser probes sema codegen runtime golang binary driver arch tests scripts examples; do
  [ -e "$dir/$f" ] || ln -s "$root/$f" "$dir/$f"
done
[ -e "$dir/build/deps" ] || ln -s "$root/build/deps" "$dir/build/deps"
# The generated parser and lexer first: the rule that makes lexer.c and
# lexer.h together can run twice under -j.
make -s -C "$dir" build/gen/parser.c build/gen/lexer.c build/gen/profile.pb-c.c
make -s -C "$dir" -j2 STDCXX=-lstdc++ "$@"
