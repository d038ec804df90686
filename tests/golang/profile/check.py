#!/usr/bin/env python3
"""Checks a goroutine-aware CPU profile of tests/progs/gospin against the
program's own account of its goroutines.

    check.py OUT

OUT is what gotrace printed for

    profile:hz:N { @[goid, go_ustack(5)] = count(); }

with gospin as the -c command: gospin's lines "goid N main.spinX" (from
runtime.Stack: goroutine N runs main.spinX) and the map. Every sample
whose stack holds main.spinX must carry goroutine N; every goroutine must
have samples; and in every sample of main.work (a leaf without a frame:
BP still belongs to its caller) the next frame must be main.spin, found
at [SP]. Prints one line:

    gospin profile: 3 goroutines, S samples in spin functions, 0 mismatches
"""
import re
import sys

text = open(sys.argv[1]).read()
owner = {m[2]: int(m[1]) for m in re.finditer(r"^goid (\d+) (main\.spin[ABC])$", text, re.M)}
samples = {f: 0 for f in owner}
bad = []
for m in re.finditer(r"^@\[(-?\d+), \n((?:    .*\n)*)\]: (\d+)$", text, re.M):
    goid, count = int(m[1]), int(m[3])
    frames = [re.sub(r"\+\d+$", "", l.strip()) for l in m[2].splitlines()]
    for f in frames:
        if f in owner:
            samples[f] += count
            if owner[f] != goid:
                bad.append("%d samples of %s under goroutine %d, not %d" % (count, f, goid, owner[f]))
    if frames and frames[0] == "main.work" and (len(frames) < 2 or frames[1] != "main.spin"):
        bad.append("main.work's caller is %s, not main.spin" % (frames[1] if len(frames) > 1 else "missing"))
if len(owner) != 3:
    bad.append("gospin printed %d goroutines, not 3" % len(owner))
for f, n in samples.items():
    if n < 10:
        bad.append("only %d samples of %s" % (n, f))
for b in bad[:10]:
    print(b, file=sys.stderr)
print("gospin profile: %d goroutines, %d samples in spin functions, %d mismatches"
      % (len(owner), sum(samples.values()), len(bad)))
