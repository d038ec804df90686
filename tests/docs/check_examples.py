#!/usr/bin/env python3
"""Compile every example program of docs/language.md with gotrace --dry-run.

A fenced code block whose info string is `gotrace` is a program that must
compile; the words after `gotrace` on the fence line are its positional
parameters (```gotrace encoding/json.Unmarshal). A block whose info string
is `gotrace-error` must fail to compile, and its first line is a comment
`// error: TEXT` naming a piece of the message. Each program is compiled
with the bundled workload as the -c command, so that `uprobe:FUNC` with no
binary resolves; the workload is started stopped and killed by gotrace
(--dry-run attaches nothing). Run from anywhere; paths in the examples are
relative to the repository root, which is the working directory here.

    tests/docs/check_examples.py [DOC]     # GOTRACE=./gotrace by default

Prints one line per failing block and a summary line
"docs: N examples compile, M errors as documented, K failed"; exits 1 if
any failed. Needs the test programs (tests/build-progs.sh) for the
examples that name them, and root
for the tracepoint examples. build/workload is built here if needed.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FENCE = re.compile(r"^```(gotrace(?:-error)?)\b(.*)$")


def blocks(text):
    """(line number, kind, params, body) for each gotrace block."""
    out, cur = [], None
    for i, line in enumerate(text.split("\n"), 1):
        if cur is None:
            m = FENCE.match(line)
            if m:
                cur = (i, m.group(1), shlex.split(m.group(2)), [])
        elif line.startswith("```"):
            out.append((cur[0], cur[1], cur[2], "\n".join(cur[3]) + "\n"))
            cur = None
        else:
            cur[3].append(line)
    if cur is not None:
        out.append((cur[0], "unclosed", [], ""))
    return out


def compile_one(gotrace, workload, body, params):
    with tempfile.NamedTemporaryFile("w", suffix=".gt", delete=False) as f:
        f.write(body)
        path = f.name
    try:
        cmd = shlex.split(gotrace) + ["--dry-run", "-c", workload + " -duration 1ms",
                                      path] + params
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stderr.replace(path, "PROGRAM")
    finally:
        os.unlink(path)


def check(lineno, kind, params, body, gotrace, workload):
    """None if the block is as documented, else why not."""
    if kind == "unclosed":
        return "code block never closed"
    rc, err = compile_one(gotrace, workload, body, params)
    if kind == "gotrace":
        return None if rc == 0 else "does not compile:\n" + err
    m = re.match(r"\s*//\s*error:\s*(.+)", body)
    if not m:
        return "gotrace-error block without a first line '// error: TEXT'"
    if rc == 0:
        return "compiles, but is documented to fail with: " + m.group(1)
    if m.group(1).strip() not in err:
        return "fails, but without '%s':\n%s" % (m.group(1).strip(), err)
    return None


def main():
    doc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "language.md")
    gotrace = os.environ.get("GOTRACE", os.path.join(ROOT, "gotrace"))
    workload = os.path.join(ROOT, "build", "workload")
    # The examples name build/workload: build it if it is missing or stale.
    subprocess.run([os.path.join(ROOT, "examples", "workload", "build.sh"), workload],
                   check=True)
    with open(doc) as f:
        found = blocks(f.read())
    ok = errs = failed = 0
    for lineno, kind, params, body in found:
        why = check(lineno, kind, params, body, gotrace, workload)
        if why:
            failed += 1
            print("FAIL %s:%d: %s" % (os.path.relpath(doc, ROOT), lineno, why.rstrip()))
        elif kind == "gotrace":
            ok += 1
        else:
            errs += 1
    print("docs: %d examples compile, %d errors as documented, %d failed" % (ok, errs, failed))
    return 1 if failed or not found else 0


if __name__ == "__main__":
    sys.exit(main())
