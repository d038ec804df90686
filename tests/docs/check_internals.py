#!/usr/bin/env python3
"""Check that docs/internals.md is true of the tree.

1. Its table "Who may include whom" is the law: every `#include "dir/..."`
   in a source folder must name the folder itself, a folder in its row,
   or a header its row names (`sema/plan.h`); "everything" allows all.
   Every source folder must have a row.
2. Every repository path it names in backquotes (`probes/probes.c`,
   `runtime/`) exists. Paths with placeholders (`<kind>`) or globs are
   skipped.

    tests/docs/check_internals.py [DOC]

Prints each violation and a summary line
"internals: N includes in M files follow the rules, K paths exist, V violations";
exits 1 if there is any violation.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE_EXT = (".c", ".h", ".l", ".y")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rules(text):
    """{folder: set of allowed 'dir/' or 'dir/file.h', or None for all}."""
    section = text.split("## Who may include whom", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        folder = cells[0].strip("`").rstrip("/")
        if cells[1] == "everything":
            out[folder] = None
        else:
            out[folder] = set(re.findall(r"`([^`]+)`", cells[1]))
    return out


def source_folders():
    skip = {"build", "tests", "bench", "examples", "docs", "scripts", ".git", ".ci"}
    for name in sorted(os.listdir(ROOT)):
        path = os.path.join(ROOT, name)
        if name in skip or not os.path.isdir(path):
            continue
        if any(f.endswith(SOURCE_EXT) for f in os.listdir(path)):
            yield name


def check_includes(law, problems):
    nfiles = nincl = 0
    for folder in source_folders():
        if folder not in law:
            problems.append(f"{folder}/ has sources but no row in the include table")
            continue
        allowed = law[folder]
        for f in sorted(os.listdir(os.path.join(ROOT, folder))):
            if not f.endswith(SOURCE_EXT):
                continue
            nfiles += 1
            text = open(os.path.join(ROOT, folder, f), encoding="utf-8").read()
            for inc in INCLUDE.findall(text):
                if "/" not in inc:
                    continue  # generated parser.h / lexer.h, or system-style
                nincl += 1
                target = inc.split("/", 1)[0]
                if allowed is None or target == folder:
                    continue
                if target + "/" in allowed or inc in allowed:
                    continue
                problems.append(f"{folder}/{f} includes \"{inc}\", which {folder}/ may not")
    return nfiles, nincl


def check_paths(text, problems):
    n = 0
    for p in sorted(set(re.findall(r"`([A-Za-z0-9_./*<>-]+)`", text))):
        if "/" not in p or "<" in p or "*" in p or p.startswith(("/", "llvm-c")):
            continue
        first = p.split("/", 1)[0]
        if not os.path.isdir(os.path.join(ROOT, first)):
            continue  # not a repository path (e.g. a probe like uprobe:/bin/x)
        n += 1
        if not os.path.exists(os.path.join(ROOT, p)):
            problems.append(f"docs names {p}, which does not exist")
    return n


def main():
    doc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "internals.md")
    text = open(doc, encoding="utf-8").read()
    problems = []
    nfiles, nincl = check_includes(rules(text), problems)
    npaths = check_paths(text, problems)
    for p in problems:
        print("FAIL", p)
    print(f"internals: {nincl} includes in {nfiles} files follow the rules, "
          f"{npaths} paths exist, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
