#!/usr/bin/env python3
"""Adapter that runs bpftrace v0.17.0's runtime test suite through a tracer.

The suite (tests/runtime/* in bpftrace's repository, unpacked by
tests/compat/run.sh into $COMPAT_SUITE) is run the way bpftrace's own engine
(tests/runtime/engine/{parser,runner}.py at v0.17.0) runs it, so that a pass
here means what a pass means there:

- a test is NAME/RUN or PROG/EXPECT/TIMEOUT plus optional BEFORE, AFTER,
  REQUIRES, REQUIRES_FEATURE, MIN_KERNEL, MAX_KERNEL, ENV, ARCH, WILL_FAIL;
  a directive's value is its words joined by single spaces, and when a
  directive repeats the last one counts (REQUIRES accumulates);
- {{BPFTRACE}} in RUN is the tracer; PROG runs `TRACER -e 'PROG'`;
- stdout and stderr are read together, and EXPECT is a Python regex that
  must match somewhere in them (re.search, multiline);
- the tracer has 5 s to attach; from then on it has TIMEOUT seconds, and
  AFTER is started once it has attached. On a timeout the tracer gets
  SIGTERM and the test still passes if EXPECT matches what it printed;
- otherwise a non-zero exit fails the test unless WILL_FAIL is given;
- BEFORE is started first and waited for with pidof on its last word;
  {{BEFORE_PID}} is that pid;
- REQUIRES_FEATURE is decided by the reference bpftrace's --info, ARCH by
  this machine; tests for another ARCH are not counted at all.

"Attached" is bpftrace's __BPFTRACE_NOTIFY_PROBES_ATTACHED line (the
adapter sets that variable as the engine does). A tracer that does not
print it (gotrace) is taken to have attached once it printed "Attaching N
probes..." and then went to sleep in poll/epoll, which it only does when
its probes are in and BEGIN has run.

Tests that bpftrace 0.17 itself cannot pass on this kernel are listed with
the reason in tests/compat/skip.txt and are not run (--all runs them).
tests/compat/expected-pass.txt lists the tests gotrace passes; --check
exits non-zero if any of them fails.

Usage: compat.py [--check] [--all] [-v] [--results FILE] [PATTERN...]
A test runs when a PATTERN is a substring of "file:name". It prints one
line per test (-v: with the command and output of failures, and the
skips), except with --check, which prints only the expected passes that
failed and the passes missing from expected-pass.txt. --results writes
every test's status, command and output as JSON. Environment:
GOTRACE (the tracer, default ./gotrace), COMPAT_SUITE (the unpacked
bpftrace tests/ folder; the test programs' paths are relative to it).
Ends with "compat: N of M passed (K skipped: ...)".
"""

import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIP_FILE = os.path.join(HERE, "skip.txt")
EXPECTED_FILE = os.path.join(HERE, "expected-pass.txt")

ATTACH_TIMEOUT = 5
NOTIFY = "__BPFTRACE_NOTIFY_PROBES_ATTACHED\n"
# The line, or its -f json record.
ATTACHING = re.compile(r'^(Attaching \d+ probes?\.\.\.|'
                       r'\{"type": "attached_probes", "data": \{"probes": \d+\}\})\n?$')

# bpftrace --info lines for each REQUIRES_FEATURE (runner.py's table).
FEATURES = {
    "loop": "Loop support: yes",
    "probe_read_kernel": "probe_read_kernel: yes",
    "btf": "btf: yes",
    "kfunc": "kfunc: yes",
    "dpath": "dpath: yes",
    "uprobe_refcount":
        "uprobe refcount (depends on Build:bcc bpf_attach_uprobe refcount): yes",
    "signal": "send_signal: yes",
    "iter:task": "iter:task: yes",
    "iter:task_file": "iter:task_file: yes",
    "libpath_resolv": "bcc library path resolution: yes",
    "dwarf": "libdw (DWARF support): yes",
    "kprobe_multi": "kprobe_multi: yes",
    "skboutput": "skboutput: yes",
    # Ahead-of-time compilation is a build option Debian's bpftrace lacks;
    # its tests are not part of what we run.
    "aot": None,
}


class Test:
    def __init__(self, suite):
        self.suite = suite
        self.name = ""
        self.run = ""
        self.prog = ""
        self.expect = ""
        self.timeout = None
        self.before = ""
        self.after = ""
        self.kernel_min = ""
        self.kernel_max = ""
        self.requires = []
        self.env = {}
        self.arch = []
        self.features = set()
        self.neg_features = set()
        self.will_fail = False

    def ident(self):
        return "%s:%s" % (self.suite, self.name)


def parse_file(path):
    """engine/parser.py's reading: '#' lines are dropped, a line that is
    exactly '\\n' (or the end of the file) ends a test."""
    suite = os.path.basename(path)
    tests, block = [], []
    with open(path) as fh:
        lines = fh.readlines()
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if line != "\n":
            block.append(line)
        if (line == "\n" or no == len(lines)) and block:
            t = parse_test(block, suite)
            if not t.arch or platform.machine().lower() in t.arch:
                tests.append(t)
            block = []
    return tests


def parse_test(block, suite):
    t = Test(suite)
    for item in block:
        words = item.split()
        key, line = words[0], " ".join(words[1:])
        if key == "NAME":
            t.name = line
        elif key == "RUN":
            t.run = line
        elif key == "PROG":
            t.prog = line
        elif key == "EXPECT":
            t.expect = line
        elif key == "TIMEOUT":
            t.timeout = int(line.strip(" "))
        elif key == "BEFORE":
            t.before = line
        elif key == "AFTER":
            t.after = line
        elif key == "MIN_KERNEL":
            t.kernel_min = line
        elif key == "MAX_KERNEL":
            t.kernel_max = line
        elif key == "REQUIRES":
            t.requires.append(line)
        elif key == "ENV":
            for e in line.split():
                k, v = e.split("=")
                t.env[k] = v
        elif key == "ARCH":
            t.arch = [x.strip() for x in line.split("|")]
        elif key == "REQUIRES_FEATURE":
            for f in line.split(" "):
                f = f.strip()
                if f.startswith("!"):
                    t.neg_features.add(f[1:])
                else:
                    t.features.add(f)
            unknown = (t.features | t.neg_features) - set(FEATURES)
            if unknown:
                raise ValueError("%s: unknown REQUIRES_FEATURE %s" % (suite, unknown))
        elif key == "WILL_FAIL":
            t.will_fail = True
        else:
            raise ValueError("%s: unknown field %s" % (suite, key))
    if not t.name or not (t.run or t.prog) or (t.run and t.prog) \
            or not t.expect or t.timeout is None:
        raise ValueError("%s: malformed test %r" % (suite, t.name))
    return t


def read_suite(suite_dir):
    rt = os.path.join(suite_dir, "runtime")
    tests = []
    for fname in sorted(os.listdir(rt)):
        path = os.path.join(rt, fname)
        if fname.startswith(".") or not os.path.isfile(path):
            continue
        tests.extend(sorted(parse_file(path), key=lambda t: t.name))
    return tests


def read_skips():
    """skip.txt: '[tag] why' starts a group, the following lines are the
    file:name of the tests in it; '#' lines are comments."""
    skips, tag = {}, None
    with open(SKIP_FILE) as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^\[([^\]]+)\]", line)
            if m:
                tag = m.group(1)
            elif tag:
                skips[line.strip()] = tag
    return skips


def read_expected():
    if not os.path.exists(EXPECTED_FILE):
        return []
    with open(EXPECTED_FILE) as fh:
        return [l.rstrip("\n") for l in fh if l.strip() and not l.startswith("#")]


def version_key(v):
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|[a-z]+", v.lower())]


def kernel_older(a, b):
    """a < b, like LooseVersion, on numbers first."""
    ka, kb = version_key(a), version_key(b)
    try:
        return ka < kb
    except TypeError:
        return str(ka) < str(kb)


_features = None


def features():
    global _features
    if _features is None:
        ref = os.environ.get("COMPAT_REFERENCE", "bpftrace")
        try:
            out = subprocess.run([ref, "--info"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True).stdout
        except OSError:
            out = ""
        _features = {k: (v is not None and v in out) for k, v in FEATURES.items()}
    return _features


def suite_skip(t, env):
    """The engine's own skips: kernel version, REQUIRES, REQUIRES_FEATURE."""
    release = os.uname().release
    if t.kernel_min and kernel_older(release, t.kernel_min):
        return "MIN_KERNEL %s" % t.kernel_min
    if t.kernel_max and kernel_older(t.kernel_max, release):
        return "MAX_KERNEL %s" % t.kernel_max
    for req in t.requires:
        if subprocess.call(req, shell=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env) != 0:
            return "REQUIRES %s" % req
    feats = features()
    for f in sorted(t.features):
        if not feats[f]:
            return "REQUIRES_FEATURE %s" % f
    for f in sorted(t.neg_features):
        if feats[f]:
            return "REQUIRES_FEATURE !%s" % f
    return None


def session_pids(sid):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as fh:
                st = fh.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        comm = st[st.index("(") + 1:st.rindex(")")]
        if int(fields[3]) == sid:
            pids.append((int(d), comm))
    return pids


def tracer_idle(sid, comm):
    """True once a process named like the tracer in the test's session is
    asleep waiting for events (its ring-buffer loop)."""
    for pid, c in session_pids(sid):
        if c != comm[:15]:
            continue
        try:
            with open("/proc/%d/wchan" % pid) as fh:
                if "poll" in fh.read():
                    return True
        except OSError:
            pass
    return False


def killpg(proc, sig):
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


class Result:
    def __init__(self, status, why="", output="", code=None, cmd="", secs=0.0):
        self.status, self.why, self.output = status, why, output
        self.code, self.cmd, self.secs = code, cmd, secs


def run_test(t, tracer, env_base):
    start = time.time()
    before = after = p = None
    cmd = ""
    try:
        child = None
        if t.before:
            before = subprocess.Popen(t.before, shell=True, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env_base)
            child = os.path.basename(t.before.split()[-1])
            waited = 0.0
            while subprocess.call(["pidof", child], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) != 0:
                time.sleep(0.1)
                waited += 0.1
                if waited > t.timeout:
                    return Result("timeout", "BEFORE did not start: " + t.before)
        if t.run:
            cmd = t.run.replace("{{BPFTRACE}}", tracer)
        else:
            cmd = "%s -e '%s'" % (tracer, t.prog)
        if t.before and "{{BEFORE_PID}}" in cmd:
            pid = subprocess.run(["pidof", child], stdout=subprocess.PIPE,
                                 text=True).stdout.split()[0]
            cmd = cmd.replace("{{BEFORE_PID}}", pid)
        env = dict(env_base)
        env.update({"test": t.name, "__BPFTRACE_NOTIFY_PROBES_ATTACHED": "1",
                    "__BPFTRACE_NOTIFY_AOT_PORTABILITY_DISABLED": "1",
                    "BPFTRACE_VERIFY_LLVM_IR": "1"})
        env.update(t.env)
        p = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        chunks = []
        attached = threading.Event()
        saw_attaching = threading.Event()

        def reader():
            for raw in iter(p.stdout.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                chunks.append(line)
                if line == NOTIFY:
                    attached.set()
                elif ATTACHING.match(line):
                    saw_attaching.set()
        rd = threading.Thread(target=reader, daemon=True)
        rd.start()

        # bpftrace says when it has attached; watching it would only race
        # with that line.
        comm = os.path.basename(shlex.split(tracer)[0])
        watch = comm != "bpftrace"
        deadline = time.time() + ATTACH_TIMEOUT
        timed_out = False
        while p.poll() is None and not attached.is_set():
            if time.time() > deadline:
                timed_out = True
                break
            if watch and saw_attaching.is_set() and tracer_idle(p.pid, comm):
                attached.set()
                break
            time.sleep(0.02)
        if attached.is_set() and not timed_out:
            if t.after:
                # The suite finds the tracer with `pidof bpftrace`: here
                # it is the tracer in the test's session (pidof could
                # name other people's tracers).
                mine = [str(pid) for pid, c in session_pids(p.pid) if c == comm[:15]]
                after_cmd = t.after.replace("$(pidof bpftrace)",
                                            " ".join(mine) or str(p.pid))
                after = subprocess.Popen(after_cmd, shell=True, start_new_session=True,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         env=env_base)
            deadline = time.time() + t.timeout
            while p.poll() is None:
                if time.time() > deadline:
                    timed_out = True
                    break
                time.sleep(0.02)
        if timed_out:
            # The engine's "last chance": SIGTERM, then match what was printed.
            killpg(p, signal.SIGTERM)
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                killpg(p, signal.SIGKILL)
                p.wait()
        rd.join(3)
        output = "".join(chunks)
        secs = time.time() - start
        if timed_out:
            if re.search(t.expect, output):
                return Result("pass", "", output, p.returncode, cmd, secs)
            return Result("timeout", "timed out (TIMEOUT %d)" % t.timeout, output,
                          p.returncode, cmd, secs)
        if p.returncode != 0 and not t.will_fail:
            return Result("fail", "exit code %d" % p.returncode, output,
                          p.returncode, cmd, secs)
        if re.search(t.expect, output, re.M):
            return Result("pass", "", output, p.returncode, cmd, secs)
        return Result("fail", "no match for EXPECT %s" % t.expect, output,
                      p.returncode, cmd, secs)
    finally:
        for proc in (before, p, after):
            killpg(proc, signal.SIGKILL)
            if proc:
                try:
                    proc.wait(3)
                except subprocess.TimeoutExpired:
                    pass


def main(argv):
    check = "--check" in argv
    run_all = "--all" in argv
    verbose = "-v" in argv
    results_file = None
    pats = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--results":
            results_file = os.path.abspath(argv[i + 1])
            i += 1
        elif a not in ("--check", "--all", "-v"):
            pats.append(a)
        i += 1

    suite_dir = os.environ.get("COMPAT_SUITE")
    if not suite_dir or not os.path.isdir(os.path.join(suite_dir, "runtime")):
        print("compat.py: COMPAT_SUITE is not an unpacked bpftrace tests/ folder "
              "(run tests/compat/run.sh)", file=sys.stderr)
        return 2
    tracer_cmd = os.environ.get("GOTRACE", os.path.join(ROOT, "gotrace"))
    words = shlex.split(tracer_cmd)
    exe = shutil.which(words[0]) if "/" not in words[0] else os.path.abspath(
        os.path.join(ROOT, words[0]))
    if not exe or not os.access(exe, os.X_OK):
        print("compat.py: tracer '%s' not found" % words[0], file=sys.stderr)
        return 2
    tracer = " ".join([shlex.quote(exe)] + [shlex.quote(w) for w in words[1:]])

    os.chdir(suite_dir)
    env_base = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")}
    skips = read_skips()
    expected = set(read_expected())
    tests = [t for t in read_suite(suite_dir)
             if not pats or any(pat in t.ident() for pat in pats)]

    start = time.time()
    results = {}
    counts = {}
    for t in tests:
        ident = t.ident()
        if ident in skips and not run_all:
            counts[skips[ident]] = counts.get(skips[ident], 0) + 1
            results[ident] = Result("skip", skips[ident])
            if verbose:
                print("skip %s (%s)" % (ident, skips[ident]))
            continue
        why = suite_skip(t, env_base)
        if why:
            key = "suite " + why.split()[0]
            counts[key] = counts.get(key, 0) + 1
            results[ident] = Result("skip", why)
            if verbose:
                print("skip %s (%s)" % (ident, why))
            continue
        r = run_test(t, tracer, env_base)
        results[ident] = r
        if check and not verbose:
            pass            # --check reports only regressions, below
        elif r.status == "pass":
            print("ok   %s" % ident)
        else:
            print("FAIL %s: %s" % (ident, r.why))
            if verbose:
                print("     command: %s" % r.cmd)
                for line in r.output.splitlines()[:20]:
                    print("     | %s" % line)
        sys.stdout.flush()
    secs = time.time() - start

    if results_file:
        with open(results_file, "w") as fh:
            json.dump({k: vars(v) for k, v in results.items()}, fh, indent=1)

    ran = [k for k, r in results.items() if r.status != "skip"]
    passed = [k for k in ran if results[k].status == "pass"]
    nskip = len(results) - len(ran)
    # "kernel lacks kprobes 30, fentry 3; bpftrace fails racy 1; the
    # suite's own REQUIRES 13" (skip.txt's "[kind: tag]" and the engine's).
    kinds = {}
    for k, n in sorted(counts.items(), key=lambda kn: -kn[1]):
        kind, _, tag = k.partition(": ")
        if not tag:
            kind, tag = "the suite's own", k[len("suite "):]
        kinds.setdefault(kind, []).append("%s %d" % (tag, n))
    detail = "; ".join("%s %s" % (kind, ", ".join(tags)) for kind, tags in kinds.items())
    status = 0
    if check:
        regressed = sorted(k for k in expected
                           if k in results and results[k].status != "pass")
        new = sorted(k for k in passed if k not in expected)
        for k in regressed:
            print("compat: expected pass failed: %s" % k)
        for k in new:
            print("compat: passes but not in expected-pass.txt: %s" % k)
        if regressed:
            status = 1
    print("compat: %d of %d passed (%d skipped%s) in %.0f s" %
          (len(passed), len(ran), nskip, ": " + detail if detail else "", secs))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
