#!/usr/bin/env python3
"""Checks gotrace -f json output: every line is one JSON object (NDJSON),
and the records of tests/runtime/cli.test's json_every_kind program carry
the values it printed. Reads stdout on stdin; prints "json: N records,
K kinds, 0 mismatches"."""
import json
import sys

recs, bad = [], []
for i, line in enumerate(sys.stdin.read().split("\n"), 1):
    if not line.strip():
        continue            # bpftrace's blank lines before the exit maps
    try:
        recs.append(json.loads(line))
    except ValueError as e:
        bad.append("line %d is not JSON (%s): %r" % (i, e, line[:80]))


def find(kind, pred=lambda d: True):
    return [r["data"] for r in recs if r.get("type") == kind and pred(r["data"])]


def expect(what, ok):
    if not ok:
        bad.append(what)


expect("attached_probes 2", find("attached_probes") == [{"probes": 2}])
expect("printf", "alpha -300000\n" in find("printf"))
expect("value of a stack", any(isinstance(v, str) and "main.visit+" in v for v in find("value")))
expect("value 42", 42 in find("value"))
expect("time", any(isinstance(v, str) and v.endswith("\n") for v in find("time")))
maps = {k: v for d in find("map") for k, v in d.items()}
expect("count map", maps.get("@n") == 3)
expect("string keys", maps.get("@names") == {"alpha": 1, "beta": 1, "gamma": 1})
expect("tuple keys", maps.get("@t", {}).get("alpha,-300000") == 1)
expect("Go type names", maps.get("@types") == {"*main.Point": 1, "int": 1, "string": 1})
expect("stack keys", any("main.visit+" in k for k in maps.get("@stacks", {})))
expect("tuple value", maps.get("@tv") == [1, "x"])
stats = {k: v for d in find("stats") for k, v in d.items()}
expect("stats", stats.get("@st") == {"count": 3, "average": -99999, "total": -299997})
hists = {k: v for d in find("hist") for k, v in d.items()}
expect("hist", sum(b["count"] for b in hists.get("@h", [])) == 3)
warns = find("warning")
expect("faulted reads warning", any(w.get("kind") == "faulted_reads" and w.get("count") == 3
                                    for w in warns))
for b in bad[:10]:
    print(b, file=sys.stderr)
print("json: %d records, %d kinds, %d mismatches"
      % (len(recs), len({r.get("type") for r in recs}), len(bad)))
