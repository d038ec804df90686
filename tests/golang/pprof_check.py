#!/usr/bin/env python3
"""Checks a --pprof profile against the map gotrace printed for it.

    pprof_check.py TEXT PROFILE

TEXT is gotrace's text output for a program with one map keyed by a Go
stack, and maybe goid before it: @[go_ustack(N)] or @[goid, go_ustack(N)],
with count() values, printed at exit. PROFILE is what --pprof wrote. The
oracle is Debian's `go tool pprof`: its -traces must list the same stacks
(function names, root last, inlined functions as their own frames,
addresses without a symbol as <unknown>, or [BINARY] for one inside a
binary's mapping; pprof marks inlined frames
"(inline)" as gotrace does) with the same goid labels and
counts, its -top the same flat count per function and the same total, and
its -tags the same total per goroutine. Prints one line:

    pprof: T samples, S stacks, F functions, 0 mismatches
"""
import collections
import re
import subprocess
import sys

text, prof = sys.argv[1:3]


def pprof(*args):
    return subprocess.run(["go", "tool", "pprof", "-sample_index=0"] + list(args) + [prof],
                          capture_output=True, text=True, check=True).stdout


def frame_name(line):
    line = line.strip()
    # gotrace prints an address it cannot name in hex; pprof shows such a
    # location as <unknown>, or as [BINARY] when the address is inside a
    # mapping (a return address into no function, as under runtime.clone)
    if re.fullmatch(r"0x[0-9a-f]+|\[[^\]\s]+\]", line):
        return "<unknown>"
    return re.sub(r"(\+\d+| \(inline\))$", "", line)


# gotrace's map: (goid or None, frames leaf first) -> count
want = collections.Counter()
for m in re.finditer(r"^@\[(?:(-?\d+), )?\n((?:    .*\n)*)\]: (\d+)$", open(text).read(), re.M):
    frames = tuple(frame_name(l) for l in m[2].splitlines())
    want[(m[1], frames)] += int(m[3])
for m in re.finditer(r"^@\[(-?\d+), \]: (\d+)$", open(text).read(), re.M):
    want[(m[1], ("[no user stack]",))] += int(m[2])

got = collections.Counter()
for block in pprof("-traces").split("-----------+")[1:]:
    goid, frames, count = None, [], None
    for line in block.splitlines()[1:]:
        m = re.match(r"\s+goid:\s+(\d+)$", line)
        if m:
            goid = m[1]
            continue
        m = re.match(r"\s+(\d+)\s+(.*)$", line)
        if m and count is None:
            count = int(m[1])
            frames.append(frame_name(m[2]))
        elif line.strip():
            frames.append(frame_name(line))
    if count is not None:
        got[(goid, tuple(frames))] += count
# gotrace prints goid 0; pprof shows no label for a numeric label of 0
got = collections.Counter({((k[0] or ("0" if any(w[0] == "0" for w in want) else None)), k[1]): v
                           for k, v in got.items()})
bad = ["stack %s %s: gotrace %d, pprof -traces %d" % (k[0], " <- ".join(k[1]), want[k], got[k])
       for k in set(want) | set(got) if want[k] != got[k]]

flat_want = collections.Counter()
for (goid, frames), n in want.items():
    flat_want[frames[0]] += n
flat_got = collections.Counter()
# pprof drops nodes under 0.5% of the total unless told not to
top = pprof("-top", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0")
for line in top.splitlines():
    m = re.match(r"\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.*)$", line)
    if m:
        flat_got[frame_name(m[2])] += int(m[1])
total = re.search(r"of (\d+) total", top) or re.search(r"Total samples = (\d+)", top)
if not total or int(total[1]) != sum(want.values()):
    bad.append("pprof -top total %s, gotrace %d" % (total[1] if total else "?", sum(want.values())))
for f, n in flat_want.items():
    if flat_got.get(f, 0) != n:
        bad.append("flat %s: gotrace %d, pprof -top %d" % (f, n, flat_got.get(f, 0)))

goids = collections.Counter()
for (goid, _), n in want.items():
    if goid not in (None, "0"):
        goids[goid] += n
if goids:
    tags = pprof("-tags")
    for g, n in goids.items():
        # pprof pads percentages to 5 characters: "( 0.25%)" under 10%
        m = re.search(r"^\s+([\d.]+) \(\s*[\d.e+-]+%\): " + g + "$", tags, re.M)
        if not m or float(m[1]) != n:
            bad.append("goid %s: gotrace %d, pprof -tags %s" % (g, n, m[1] if m else "none"))

for b in bad[:10]:
    print(b, file=sys.stderr)
print("pprof: %d samples, %d stacks, %d functions, %d mismatches"
      % (sum(want.values()), len(want), len(flat_want), len(bad)))
