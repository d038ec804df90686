#!/usr/bin/env python3
"""Shrink a failing gotrace program while it keeps failing the same way.

    tests/fuzz/minimize.py [-b GOTRACE] [-p PARAM ...] FILE_OR_PROGRAM

Greedy delta debugging over the lexer's tokens (tests/fuzz/gen.py's
TOKEN_RE): remove chunks of tokens, halving the chunk size, as long as
fuzz.py's classifier gives the same signature; then try to simplify
single tokens (integers to 1, strings to "a"). Prints the result.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz  # noqa: E402
import gen  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-b", default="./gotrace")
    ap.add_argument("-p", action="append", default=[])
    ap.add_argument("prog")
    a = ap.parse_args()
    prog = open(a.prog).read() if os.path.exists(a.prog) else a.prog
    want = fuzz.run(a.b, prog, a.p)
    if not want:
        sys.exit("minimize: the program does not fail")
    sig = want[1]
    print("signature:", sig, file=sys.stderr)

    def fails(toks):
        r = fuzz.run(a.b, "".join(toks), a.p)
        return r is not None and r[1] == sig

    toks = gen.TOKEN_RE.findall(prog)
    n = len(toks) // 2
    while n >= 1:
        i, changed = 0, False
        while i < len(toks):
            cand = toks[:i] + toks[i + n:]
            if cand and fails(cand):
                toks, changed = cand, True
            else:
                i += n
        if not changed:
            n //= 2
    for i, t in enumerate(toks):
        for simpler in ("1", '"a"', " ", ""):
            if t != simpler and len(simpler) < len(t) or t.isspace() and t != " ":
                cand = toks[:i] + [simpler] + toks[i + 1:]
                if fails(cand):
                    toks = cand
                    break
    print("".join(toks))


if __name__ == "__main__":
    main()
