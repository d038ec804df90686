#!/usr/bin/env python3
"""Fuzz gotrace's front end: random programs through `gotrace --dry-run`.

    tests/fuzz/fuzz.py [-n CASES] [-s SEED] [-j JOBS] [-b GOTRACE] [-o DIR]

Best run against a build with -fsanitize=address,undefined (see
tests/fuzz/README.md). For every input the compiler must either succeed
(exit 0) or print `error:` diagnostics and exit 1. Anything else is
recorded in DIR (default /tmp/gotrace-fuzz) as one file per distinct
failure, named by its signature, holding the program, its positional
parameters and the tracer's stderr:

  crash     a signal, a sanitizer report, "LLVM ERROR", an abort
  hang      no exit within the timeout (5 s)
  exit      an exit status other than 0 or 1
  silent    exit 1 with no `error:` line on stderr
  memory    a peak RSS above 1 GB

The script prints a summary line: cases run, failures, distinct signatures.
"""
import argparse
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

# Sanitizers must not exit 1: that is the compiler's "error" status.
ENV = dict(os.environ,
           ASAN_OPTIONS="detect_leaks=0:exitcode=86:abort_on_error=0:"
                        "allocator_may_return_null=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87")
PARAMS = [[], [], ["5"], ["abc"], [""], ["99999999999999999999"], ["-1"],
          ["0x10", "x"], ["1", "2", "3"]]
TIMEOUT = 5
MEM_LIMIT_KB = 1 << 20
COMPILED = multiprocessing.Value("i", 0, lock=False)  # cases that compiled


def run(binary, prog, params):
    """Run one case; returns (kind, signature, stderr) or None if fine."""
    path = None
    if "\0" in prog or len(prog) > 100000:
        fd, path = tempfile.mkstemp(prefix="gtfuzz", suffix=".bt")
        with os.fdopen(fd, "wb") as f:
            f.write(prog.encode("utf-8", "surrogateescape"))
        argv = [binary, "--dry-run", path, "--"] + params
    else:
        argv = [binary, "--dry-run", "-e", prog, "--"] + params
    with tempfile.TemporaryFile() as errf:
        try:
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf,
                                 env=ENV, start_new_session=True)
            rc, rss = wait(p.pid)
        finally:
            if path:
                os.unlink(path)
        if rc is None:
            return ("hang", "hang", "")
        if rc == 0:
            COMPILED.value += 1
        errf.seek(0)
        err = errf.read()
    err = err.decode("utf-8", "replace")
    return classify(rc, err, rss)


def wait(pid):
    """Reap pid, killing its group after TIMEOUT: (status, peak RSS in KB),
    or (None, 0) on a timeout. os.wait4 gives this child's own rusage."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        got, status, ru = os.wait4(pid, os.WNOHANG)
        if got:
            return os.waitstatus_to_exitcode(status), ru.ru_maxrss
        if time.monotonic() > deadline:
            os.killpg(pid, 9)
            os.wait4(pid, 0)
            return None, 0
        time.sleep(0.005)


def classify(rc, err, rss):
    m = re.search(r"^\S+:\d+:\d+: runtime error: .*", err, re.M)
    if m:
        return ("crash", "ubsan " + re.sub(r":\d+: runtime", ": runtime", m.group(0)), err)
    if "AddressSanitizer" in err or "LeakSanitizer" in err:
        kind = re.search(r"AddressSanitizer: ([\w-]+)", err)
        frame = re.search(r"#\d+ 0x\w+ in (\w+) (?!.*sanitizer)(\S+?):\d+", err)
        sig = "asan %s %s" % (kind.group(1) if kind else "?",
                              "%s@%s" % frame.groups() if frame else "?")
        return ("crash", sig, err)
    if "LLVM ERROR" in err or "Assertion" in err:
        line = next(l for l in err.splitlines() if "LLVM ERROR" in l or "Assertion" in l)
        return ("crash", "llvm " + line[:120], err)
    if rss > MEM_LIMIT_KB:
        return ("memory", "memory", "peak RSS %d KB\n%s" % (rss, err))
    if rc < 0:
        return ("crash", "signal %d" % -rc, err)
    if rc not in (0, 1):
        return ("exit", "exit %d" % rc, err)
    if rc == 1 and not re.search(r"(^|: )error: ", err, re.M):
        first = err.strip().splitlines()[0] if err.strip() else "(no stderr)"
        return ("silent", "silent " + re.sub(r"\d+|'[^']*'|/\S+", "_", first)[:100], err)
    return None


def one_case(args):
    binary, seed = args
    rng = random.Random(seed)
    prog = gen.typed(rng) if rng.random() < 0.5 else gen.grammar(rng)
    if rng.random() < 0.5:
        prog = gen.mutate(rng, prog)
    params = rng.choice(PARAMS)
    res = run(binary, prog, params)
    return seed, prog, params, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("-s", type=int, default=1)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-b", default="./gotrace")
    ap.add_argument("-o", default="/tmp/gotrace-fuzz")
    a = ap.parse_args()
    os.makedirs(a.o, exist_ok=True)
    sigs = {}
    fails = 0
    jobs = [(a.b, a.s * 1000003 + i) for i in range(a.n)]
    with multiprocessing.Pool(a.j) as pool:
        for seed, prog, params, res in pool.imap_unordered(one_case, jobs, chunksize=4):
            if not res:
                continue
            fails += 1
            kind, sig, err = res
            if sig in sigs and len(sigs[sig][1]) <= len(prog):
                continue
            sigs[sig] = (seed, prog)
            name = re.sub(r"[^\w.@-]+", "_", sig)[:100]
            with open(os.path.join(a.o, name + ".txt"), "w") as f:
                f.write("SIG %s\nSEED %d\nPARAMS %r\nPROG %s\n--- stderr\n%s"
                        % (sig, seed, params, prog.encode("unicode_escape").decode(),
                           err[-6000:]))
    print("fuzz: %d cases (%d compiled), %d failures, %d distinct"
          % (a.n, COMPILED.value, fails, len(sigs)))
    for sig, (seed, prog) in sorted(sigs.items()):
        print("  %-70s seed %d len %d" % (sig[:70], seed, len(prog)))
    return 1 if sigs else 0


if __name__ == "__main__":
    sys.exit(main())
