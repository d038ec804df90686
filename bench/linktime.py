"""Splits one tracer run's wall time with the LD_PRELOAD shim linktime.c:
the kernel's link creation, its link release and program loads, timed
inside the process (strace, used before, slowed every other system call
too and tripled "the rest"). Used by bench/startup and bench/compile.
"""
import os
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIM = os.path.join(ROOT, "build", "bench", "linktime.so")
# bench/startup's program, with the Go binary's path for %s: bench/compile
# splits it too, and bench/instructions counts it.
STARTUP_PROGRAM = "uprobe:%s:runtime.mallocgc { @ = count(); } BEGIN { exit(); }"


def build():
    """Builds the shim if it is missing or older than its source."""
    src = os.path.join(ROOT, "bench", "linktime.c")
    if os.path.exists(SHIM) and os.path.getmtime(SHIM) >= os.path.getmtime(src):
        return
    os.makedirs(os.path.dirname(SHIM), exist_ok=True)
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-o", SHIM, src,
                    "-ldl", "-lpthread"], check=True)


def split(argv):
    """One run: (wall, link create, link release, prog load), in seconds,
    or None if the tool failed or the shim wrote nothing."""
    build()
    with tempfile.NamedTemporaryFile(prefix="linktime.") as out:
        env = dict(os.environ, LD_PRELOAD=SHIM, GT_LINKTIME=out.name)
        start = time.perf_counter()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
        wall = time.perf_counter() - start
        fields = open(out.name).read().split()
    if proc.returncode != 0 or len(fields) < 6:
        return None
    create, release, load = (float(fields[i]) / 1e3 for i in (1, 3, 5))
    return wall, create, release, load
