#!/usr/bin/env python3
"""Runtime-test runner for gotrace.

Reads declarative test files (tests/runtime/*.test, format in
tests/README.md), runs each test against the real kernel as root, and checks
stdout, stderr and the exit status. After every test it also checks that the
test left nothing behind: no process of ours still running and no BPF program
or link that was created during the test and is held by nobody else. A leak
fails the test, because a tracer that leaves probes attached hurts the traced
machine long after it exits.

The tracer is $GOTRACE (default ./gotrace). Setting GOTRACE=bpftrace runs the
same tests against bpftrace 0.17, whose output gotrace must match; tests marked
GOTRACE_ONLY are then skipped.

Usage: tests/runner.py [-v] [PATTERN...]
A test runs when any PATTERN is a substring of "file:name" (or of the name).
Ends with the line "runtime: N passed, N failed"; exits 1 on any failure.
"""

import ctypes
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_DIR = os.environ.get("GOTRACE_TEST_DIR", os.path.join(ROOT, "tests", "runtime"))
PROGS = os.path.join(ROOT, "build", "tests", "progs")

KEYS = {"NAME", "PROG", "RUN", "ARGS", "EXPECT", "EXPECT_REGEX", "EXPECT_NONE",
        "STDERR", "STDERR_NONE", "EXIT", "TIMEOUT", "BEFORE", "GOTRACE_ONLY", "EXACT",
        "REQUIRES", "ENV"}
ATTACH_RE = re.compile(r"^Attaching \d+ probes?\.\.\.$")
PR_SET_CHILD_SUBREAPER = 36


class Test:
    def __init__(self, path, line):
        self.file = os.path.basename(path)
        self.line = line
        self.name = None
        self.prog = None
        self.run = None
        self.args = ""
        self.expects = []        # ("lit"|"re", text) in order
        self.nones = []
        self.stderrs = []
        self.stderr_nones = []
        self.exit = 0
        self.timeout = 5.0
        self.befores = []
        self.requires = []
        self.env = {}
        self.gotrace_only = False
        self.exact = False

    def ident(self):
        return "%s:%s" % (self.file, self.name)


def parse_file(path):
    """Parses one .test file into Tests. A line starting with whitespace
    continues the previous directive's value on a new line (for long
    programs); a blank line ends a test; '#' at column 0 is a comment."""
    tests, cur, last = [], None, None
    with open(path) as fh:
        lines = fh.read().split("\n")
    for no, raw in enumerate(lines, 1):
        if raw.strip() == "":
            if cur:
                tests.append(cur)
            cur, last = None, None
            continue
        if raw.startswith("#"):
            continue
        if raw[0] in " \t":
            if last is None:
                raise SyntaxError("%s:%d: continuation line outside a directive" % (path, no))
            last(raw.strip())
            continue
        key, _, val = raw.partition(" ")
        if key not in KEYS:
            raise SyntaxError("%s:%d: unknown directive %r" % (path, no, key))
        if cur is None:
            cur = Test(path, no)
        last = apply(cur, key, val, path, no)
    if cur:
        tests.append(cur)
    for t in tests:
        if not t.name or (t.prog is None) == (t.run is None):
            raise SyntaxError("%s:%d: a test needs NAME and exactly one of PROG or RUN"
                              % (path, t.line))
    return tests


def apply(t, key, val, path, no):
    """Stores one directive; returns a function that appends a continuation
    line to it, or None if the directive cannot continue."""
    if key == "NAME":
        if t.name:
            raise SyntaxError("%s:%d: second NAME in one test (tests are "
                              "separated by a blank line)" % (path, no))
        t.name = val.strip()
    elif key == "PROG":
        t.prog = val
        return lambda s: setattr(t, "prog", t.prog + "\n" + s)
    elif key == "RUN":
        t.run = val
        return lambda s: setattr(t, "run", t.run + " " + s)
    elif key == "ARGS":
        t.args = (t.args + " " + val).strip()
    elif key == "EXPECT":
        t.expects.append(("lit", val))
    elif key == "EXPECT_REGEX":
        re.compile(val)
        t.expects.append(("re", val))
    elif key == "EXPECT_NONE":
        re.compile(val)
        t.nones.append(val)
    elif key == "STDERR":
        re.compile(val)
        t.stderrs.append(val)
    elif key == "STDERR_NONE":
        re.compile(val)
        t.stderr_nones.append(val)
    elif key == "EXIT":
        t.exit = int(val)
    elif key == "TIMEOUT":
        t.timeout = float(val)
    elif key == "BEFORE":
        t.befores.append(val)
    elif key == "REQUIRES":
        t.requires.append(val)
    elif key == "ENV":
        k, _, v = val.partition("=")
        t.env[k.strip()] = v
    elif key == "GOTRACE_ONLY":
        t.gotrace_only = True
    elif key == "EXACT":
        t.exact = True
    return None


# ---------------------------------------------------------------- processes

def set_subreaper():
    """Orphans of our tests (a daemonised child, a -c command the tracer
    forgot) get re-parented to us instead of init, so we can find them."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def children_of(pid):
    """All live descendants of pid, from /proc."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as fh:
                st = fh.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if fields[0] == "Z":
            continue
        parent[int(d)] = int(fields[1])
    out, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        for c, pp in parent.items():
            if pp == p:
                out.append(c)
                frontier.append(c)
    return out


def reap():
    """Collects exited orphans re-parented to us, so they do not linger as
    zombies."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def kill_group(proc, sig=signal.SIGKILL):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------- BPF objects

def bpf_ids(kind):
    """Ids of all loaded BPF programs or links, via bpftool."""
    try:
        out = subprocess.run(["bpftool", "-j", kind, "list"], capture_output=True,
                             text=True, timeout=10).stdout
        return {o["id"]: o for o in json.loads(out or "[]")}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


def fd_holders():
    """Maps ("prog"|"link", id) to the pids holding an fd on it, from
    /proc/*/fdinfo. bpftool here is built without pid support, and other
    engineers may be tracing at the same time: their objects are held by
    their live processes, ours must be gone."""
    held = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        fddir = "/proc/%s/fdinfo" % d
        try:
            fds = os.listdir(fddir)
        except OSError:
            continue
        for fd in fds:
            try:
                with open(os.path.join(fddir, fd)) as fh:
                    info = fh.read()
            except OSError:
                continue
            m = re.search(r"^link_id:\s*(\d+)", info, re.M)
            if m:
                held.setdefault(("link", int(m.group(1))), set()).add(int(d))
                continue
            m = re.search(r"^prog_id:\s*(\d+)", info, re.M)
            if m and "link_type" not in info:
                held.setdefault(("prog", int(m.group(1))), set()).add(int(d))
    return held


def bpf_snapshot():
    return {"prog": set(bpf_ids("prog")), "link": set(bpf_ids("link"))}


def bpf_leaks(before, ours):
    """BPF programs and links created since `before` that are still loaded
    after a grace period (the kernel frees uprobe links asynchronously, up to
    ~100 ms each) and are held by no process outside `ours`."""
    deadline = time.time() + 4.0
    while True:
        progs, links = bpf_ids("prog"), bpf_ids("link")
        new = [("prog", i) for i in progs if i not in before["prog"]] + \
              [("link", i) for i in links if i not in before["link"]]
        if new:
            new = unowned(new, links, ours)
        if not new or time.time() >= deadline:
            break
        time.sleep(0.2)
    leaks = []
    for kind, i, holders in new:
        obj = progs.get(i) if kind == "prog" else links.get(i)
        desc = (obj.get("name") or obj.get("type")) if obj else "?"
        leaks.append("%s %d (%s)%s" % (kind, i, desc,
                                       " held by pid %s" % sorted(holders) if holders else ""))
    return leaks


def unowned(new, links, ours):
    """Drops the objects some process outside `ours` holds (someone else
    tracing at the same time), including programs behind such a link."""
    held = fd_holders()
    foreign_links = [i for k, i in new if k == "link" and held.get(("link", i), set()) - ours]
    foreign_progs = {links[i].get("prog_id") for i in foreign_links if i in links}
    out = []
    for kind, i in new:
        holders = held.get((kind, i), set())
        if holders - ours or (kind == "prog" and i in foreign_progs):
            continue
        out.append((kind, i, holders))
    return out


# ---------------------------------------------------------------- running

def subst(s, vars):
    for k, v in vars.items():
        s = s.replace("{{%s}}" % k, v)
    return s


def start_befores(t, vars, env):
    procs = []
    for cmd in t.befores:
        cmd = subst(cmd, vars)
        # exec makes BEFORE_PID the command itself, not a wrapping shell.
        p = subprocess.Popen(["bash", "-c", "exec " + cmd], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, env=env)
        procs.append(p)
        vars.setdefault("BEFORE_PID", str(p.pid))
        vars["BEFORE_PID%d" % len(procs)] = str(p.pid)
    if procs:
        # Let each BEFORE command exec and reach its steady state (a Go
        # program needs its runtime up before uprobes are interesting).
        time.sleep(0.3)
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError("BEFORE command exited early with status %d" % p.returncode)
    return procs


def command(t, vars, gotrace):
    if t.run is not None:
        return ["bash", "-c", subst(t.run, vars)]
    return shlex.split(gotrace) + ["-e", subst(t.prog, vars)] + \
        shlex.split(subst(t.args, vars))


def run_one(t, gotrace, tmpdir):
    """Runs one test. Returns (ok, explanation lines)."""
    scratch = os.path.join(tmpdir, "tmp")   # the test's own {{TMP}}
    os.mkdir(scratch)
    vars = {"GOTRACE": gotrace, "PROGS": PROGS, "TMP": scratch, "ROOT": ROOT}
    env = dict(os.environ)
    env.update({k: subst(v, vars) for k, v in t.env.items()})
    problems = []
    before_bpf = bpf_snapshot()
    befores = []
    proc = None
    try:
        befores = start_befores(t, vars, env)
        argv = command(t, vars, gotrace)
        start = time.time()
        # Output goes to files, not pipes: a process the test leaves behind
        # may hold the pipe open forever, and that must show up as a leak,
        # not as a hang.
        out_path, err_path = os.path.join(tmpdir, "stdout"), os.path.join(tmpdir, "stderr")
        with open(out_path, "wb") as out_f, open(err_path, "wb") as err_f:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_f,
                                    stderr=err_f, start_new_session=True,
                                    env=env, cwd=ROOT)
        timed_out = False
        try:
            proc.wait(timeout=t.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc, signal.SIGINT)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                kill_group(proc, signal.SIGKILL)
                proc.wait()
        elapsed = time.time() - start
        with open(out_path, "rb") as fh:
            out = fh.read().decode(errors="replace")
        with open(err_path, "rb") as fh:
            err = fh.read().decode(errors="replace")
        if timed_out:
            problems.append("timed out after %gs (sent SIGINT)" % t.timeout)
        problems += check_output(t, vars, out, err, proc.returncode)
    except (RuntimeError, OSError) as e:
        problems.append("could not run: %s" % e)
        out, err, elapsed = "", "", 0.0
    finally:
        for p in befores:
            kill_group(p, signal.SIGTERM)
        for p in befores:
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                kill_group(p, signal.SIGKILL)
                p.wait()
    problems += check_leftovers(before_bpf)
    if problems:
        problems += show("stdout", out) + show("stderr", err)
    return not problems, problems, elapsed


def check_leftovers(before_bpf):
    """Fails on any process still running under us and on BPF objects we
    created and nobody holds; kills the processes so later tests start
    clean."""
    problems = []
    time.sleep(0.05)
    reap()
    me = os.getpid()
    left = children_of(me)
    if left:
        time.sleep(0.5)   # a tracer may still be reaping its -c child
        reap()
        left = children_of(me)
    for pid in left:
        problems.append("left running: pid %d: %s" % (pid, cmdline(pid)))
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.05 if left else 0)
    reap()
    ours = set(left) | {me}
    for leak in bpf_leaks(before_bpf, ours):
        problems.append("left loaded: bpf %s" % leak)
    return problems


def stdout_lines(out):
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def check_output(t, vars, out, err, status):
    problems = []
    lines = stdout_lines(out)
    if status != t.exit:
        problems.append("exit status %s, expected %d" % (status, t.exit))
    if t.exact:
        want = [(k, subst(v, vars)) for k, v in t.expects]
        got = [ln for ln in lines if not ATTACH_RE.match(ln)]
        if len(got) != len(want) or not all(line_matches(k, v, g)
                                            for (k, v), g in zip(want, got)):
            want = [v if k == "lit" else "/%s/" % v for k, v in want]
            problems.append("stdout differs (EXACT; the 'Attaching' line is ignored):")
            problems += diff(want, got)
    else:
        problems += match_in_order(t, vars, lines)
    for pat in t.nones:
        pat = subst(pat, vars)
        for ln in lines:
            if re.fullmatch(pat, ln):
                problems.append("stdout line matches EXPECT_NONE %r: %r" % (pat, ln))
    err_lines = stdout_lines(err)
    for pat in t.stderrs:
        pat = subst(pat, vars)
        if not any(re.search(pat, ln) for ln in err_lines):
            problems.append("no stderr line matches %r" % pat)
    for pat in t.stderr_nones:
        pat = subst(pat, vars)
        problems += ["stderr line matches STDERR_NONE %r: %r" % (pat, ln)
                     for ln in err_lines if re.search(pat, ln)]
    return problems


def line_matches(kind, val, line):
    return line == val if kind == "lit" else re.fullmatch(val, line) is not None


def match_in_order(t, vars, lines):
    """Every EXPECT / EXPECT_REGEX must match a stdout line, in order; other
    lines may come between them."""
    pos = 0
    for kind, val in t.expects:
        val = subst(val, vars)
        found = None
        for i in range(pos, len(lines)):
            if line_matches(kind, val, lines[i]):
                found = i
                break
        if found is None:
            where = "after line %d" % pos if pos else "anywhere"
            earlier = any(line_matches(kind, val, ln) for ln in lines[:pos])
            return ["expected %s %r %s in stdout%s" %
                    ("line" if kind == "lit" else "a line matching", val, where,
                     " (it appears earlier, out of order)" if earlier else "")]
        pos = found + 1
    return []


def diff(want, got):
    out = []
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w == g:
            out.append("    %r" % w)
        else:
            if w is not None:
                out.append("  - %r" % w)
            if g is not None:
                out.append("  + %r" % g)
    return out


def show(label, text, limit=40):
    lines = stdout_lines(text)
    if not lines:
        return ["  %s: (empty)" % label]
    out = ["  %s:" % label]
    for ln in lines[:limit]:
        out.append("    | " + ln)
    if len(lines) > limit:
        out.append("    | ... %d more lines" % (len(lines) - limit))
    return out


def requirements_met(t, vars):
    for cmd in t.requires:
        r = subprocess.run(["bash", "-c", subst(cmd, vars)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            return cmd
    return None


def main(argv):
    verbose = "-v" in argv
    patterns = [a for a in argv if a != "-v"]
    gotrace = os.environ.get("GOTRACE", "./gotrace")
    is_bpftrace = os.path.basename(shlex.split(gotrace)[0]) == "bpftrace"
    if os.geteuid() != 0:
        print("runtime: tests need root", file=sys.stderr)
        print("runtime: 0 passed, 1 failed")
        return 1
    set_subreaper()
    tests = []
    try:
        # .test files sit next to what they test: tests/runtime for the
        # run loop, tests/sema for diagnostics, and so on (not selftest,
        # whose tests are meant to fail).
        dirs = [TEST_DIR]
        if "GOTRACE_TEST_DIR" not in os.environ:
            root = os.path.join(ROOT, "tests")
            dirs = [os.path.join(root, d) for d in sorted(os.listdir(root))
                    if d != "selftest" and os.path.isdir(os.path.join(root, d))]
        for d in dirs:
            for f in sorted(os.listdir(d)):
                if f.endswith(".test"):
                    tests += parse_file(os.path.join(d, f))
    except (SyntaxError, ValueError, re.error) as e:
        print("runtime: bad test file: %s" % e)
        print("runtime: 0 passed, 1 failed")
        return 1
    if patterns:
        tests = [t for t in tests if any(p in t.ident() for p in patterns)]
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory(prefix="gotrace-test-") as tmp:
        for t in tests:
            tdir = os.path.join(tmp, "%d" % (passed + failed + skipped))
            os.mkdir(tdir)
            why = "GOTRACE_ONLY" if t.gotrace_only and is_bpftrace else \
                requirements_met(t, {"GOTRACE": gotrace, "PROGS": PROGS, "ROOT": ROOT})
            if why:
                skipped += 1
                if verbose:
                    print("skip %s (%s)" % (t.ident(), why), flush=True)
                continue
            ok, problems, elapsed = run_one(t, gotrace, tdir)
            if ok:
                passed += 1
                print("ok   %s (%.2fs)" % (t.ident(), elapsed), flush=True)
            else:
                failed += 1
                print("FAIL %s (%.2fs)" % (t.ident(), elapsed), flush=True)
                for p in problems:
                    print("  " + p, flush=True)
    if skipped:
        print("runtime: %d skipped" % skipped)
    print("runtime: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
