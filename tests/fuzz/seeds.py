#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses (tests/fuzz/fuzz_*.c).

    seeds.py compile DIR   every program of the tests and the docs, one file each
    seeds.py reader DIR    ELF files: the test programs, Go binaries of each
                           pclntab version, and their stripped variants

Compile seeds: the PROG lines (with continuations) of tests/runtime/*.test
and tests/sema/*.test, examples/*.gt, and the ```gotrace blocks of
docs/language.md, with {{PROGS}} made absolute so that uprobes resolve.

Reader seeds are whole files, since the reader takes a whole image. The
small C programs (about 20 KB) cover ELF, DWARF, USDT and C types fast;
the Go programs (1 to 2.6 MB) carry the pclntab, inline tree, build info,
moduledata, type descriptors and DWARF, which only a real Go linker
writes. A 1.2-format (go1.15) seed is built when that toolchain is there.
The 1.16 format has no toolchain on this machine: the dictionary
(reader.dict) holds every pclntab magic, so the fuzzer reaches its
header parsing from the others.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGS = os.path.join(ROOT, "build", "tests", "progs")


def put(out, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def test_programs(path):
    progs, cur = [], None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("PROG "):
            cur = [line[5:]]
            progs.append(cur)
        elif cur is not None and line[:1] in (" ", "\t") and line.strip():
            cur.append(line[1:])
        else:
            cur = None
    return ["\n".join(p) for p in progs]


def compile_seeds(out):
    texts = []
    for t in sorted(glob.glob(os.path.join(ROOT, "tests", "*", "*.test"))):
        texts += test_programs(t)
    for g in sorted(glob.glob(os.path.join(ROOT, "examples", "*.gt"))):
        texts.append(open(g).read())
    doc = open(os.path.join(ROOT, "docs", "language.md")).read()
    texts += re.findall(r"```gotrace\n(.*?)```", doc, re.S)
    n = 0
    for t in texts:
        t = t.replace("{{PROGS}}", PROGS).replace("{{ROOT}}", ROOT)
        if "{{" in t or len(t) > 4096:
            continue
        put(out, t)
        n += 1
    return n


def go_build(ver, outpath, flags):
    goroot = os.path.join(ROOT, "build", "go-toolchains", ver, "usr", "lib", "go-" + ver)
    gobin = os.path.join(goroot, "bin", "go")
    if not os.path.exists(gobin):
        return False
    src = os.path.join(ROOT, "tests", "progs", "gohello.go")
    if not os.path.exists(src):
        src = sorted(glob.glob(os.path.join(ROOT, "tests", "progs", "go*.go")))[0]
    env = dict(os.environ, GOROOT=goroot, GO111MODULE="off", CGO_ENABLED="0",
               GOCACHE=os.path.join(ROOT, "build", "gocache-" + ver))
    r = subprocess.run([gobin, "build", "-o", outpath] + flags + [src], env=env,
                       capture_output=True)
    return r.returncode == 0


def reader_seeds(out):
    n = 0
    for p in sorted(glob.glob(os.path.join(PROGS, "*"))):
        if os.path.isfile(p) and os.path.getsize(p) <= 2 << 20:
            put(out, open(p, "rb").read())
            n += 1
    tmp = os.path.join(out, ".build")
    os.makedirs(tmp, exist_ok=True)
    # go1.15: pclntab 1.2; Debian's go1.19: 1.18; the others 1.20.
    for ver in ("1.15", "1.21", "1.26"):
        for tag, flags in (("", []), ("-s", ["-ldflags=-s -w"])):
            b = os.path.join(tmp, "hello-%s%s" % (ver, tag))
            if go_build(ver, b, flags):
                put(out, open(b, "rb").read())
                n += 1
    shutil.rmtree(tmp, ignore_errors=True)
    return n


def main():
    what, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = compile_seeds(out) if what == "compile" else reader_seeds(out)
    print("seeds.py: %d %s seeds in %s" % (n, what, out))


if __name__ == "__main__":
    main()
