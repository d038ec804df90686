#!/usr/bin/env python3
"""Runs one tracer command and checks that it leaves nothing behind.

Usage: teardown.py [--signal SIG] [--head N] [--wait-links N] [--grace S] -- CMD...

CMD runs with build/tests/progs/libbpfids.so preloaded, which records the
id of every BPF program, map and link it creates. Other engineers' gotraces
run on the same machine with the same program and map names (p0, m0, ...),
so ids are how we know ours. The script:

- with --signal or --wait-links: waits until CMD has created N links
  (--wait-links, default 1) and checks that what it created is loaded (so
  the final check can fail); then, with --signal, sends SIG to CMD;
- with --head N: reads N lines of CMD's stdout through a pipe and closes
  it, as `CMD | head -N` does;
- waits for CMD to exit, then for every recorded id to be unloaded (the
  kernel frees uprobe links asynchronously, so it gets --grace seconds,
  default 8);
- checks that /sys/kernel/tracing/uprobe_events and dynamic_events hold no
  new line naming CMD's pid or a target program of ours.

It prints, for the test's EXPECT lines:
    progs: p0 p1        the named programs CMD loaded (libbpf's feature
                        probes are left out)
    links: N            how many links it created
    loaded while running: yes       (with --signal or --wait-links)
    status: exit N | signal NAME
    left loaded: nothing | KIND ID NAME ...
    tracefs: clean | LINE ...
"""

import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGS = os.path.join(ROOT, "build", "tests", "progs")
TRACEFS = [
    "/sys/kernel/tracing/uprobe_events",
    "/sys/kernel/tracing/dynamic_events",
]


def feature_probe(row):
    """libbpf's feature probes: loaded and closed at once, not gotrace's."""
    kind, _, name = row
    return (kind != "link" and name == "-") or name.startswith("libbpf_") or \
        name == "det_arg_ctx"


def tracefs_lines():
    lines = set()
    for path in TRACEFS:
        try:
            with open(path) as fh:
                lines |= {(path, l.strip()) for l in fh if l.strip()}
        except OSError:
            pass
    return lines


def recorded(log):
    try:
        with open(log) as fh:
            rows = [l.split() for l in fh if l.strip()]
    except OSError:
        return []
    return [(kind, int(i), name) for kind, i, name in rows]


def exists(kind, i):
    r = subprocess.run(["bpftool", kind, "show", "id", str(i)],
                       capture_output=True, text=True)
    return r.returncode == 0


def main(argv):
    sig, head, want_links, wait, grace = None, None, 1, False, 8.0
    while argv and argv[0] != "--":
        opt = argv.pop(0)
        if opt == "--signal":
            sig = getattr(signal, argv.pop(0))
        elif opt == "--grace":
            grace = float(argv.pop(0))
        elif opt == "--head":
            head = int(argv.pop(0))
        elif opt == "--wait-links":
            want_links = int(argv.pop(0))
            wait = True
        else:
            sys.exit("teardown.py: unknown option " + opt)
    cmd = argv[1:]
    log = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bpfids.%d" % os.getpid())
    if os.path.exists(log):
        os.unlink(log)
    env = dict(os.environ, GT_BPFIDS=log,
               LD_PRELOAD=os.path.join(PROGS, "libbpfids.so"))
    tracefs_before = tracefs_lines()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE if head else None)
    if sig is not None or wait:
        deadline = time.time() + 20
        while time.time() < deadline and p.poll() is None:
            if sum(1 for r in recorded(log) if r[0] == "link") >= want_links:
                break
            time.sleep(0.05)
        time.sleep(0.3)   # let it reach its event loop
        ours = [r for r in recorded(log) if not feature_probe(r)]
        gone = [r for r in ours if not exists(r[0], r[1])]
        if p.poll() is not None:
            print("loaded while running: no, it exited", flush=True)
        elif not ours or gone:
            print("loaded while running: no: %s" % (" ".join("%s %d %s" % r for r in gone)
                                                   or "nothing recorded"), flush=True)
        else:
            print("loaded while running: yes", flush=True)
        if sig is not None:
            p.send_signal(sig)
    if head:
        for _ in range(head):
            line = p.stdout.readline()
            if not line:
                break
            sys.stdout.write(line.decode(errors="replace"))
        sys.stdout.flush()
        p.stdout.close()
    try:
        status = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
        print("timed out: killed")
    rows = recorded(log)
    print("progs: %s" % " ".join(r[2] for r in rows if r[0] == "prog" and not feature_probe(r)))
    print("links: %d" % sum(1 for r in rows if r[0] == "link"))
    if status < 0:
        print("status: signal %s" % signal.Signals(-status).name)
    else:
        print("status: exit %d" % status)
    left = rows
    deadline = time.time() + grace
    while left and time.time() < deadline:
        left = [r for r in left if exists(r[0], r[1])]
        if left:
            time.sleep(0.2)
    print("left loaded: %s" % (" ".join("%s %d %s" % r for r in left) or "nothing"))
    new = [l for l in tracefs_lines() - tracefs_before
           if str(p.pid) in l[1] or PROGS in l[1]]
    print("tracefs: %s" % (" ".join("%s: %s" % l for l in new) or "clean"))
    try:
        os.unlink(log)
    except OSError:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
