/*
 * Process address spaces and kernel symbols.
 *
 * Our own process: proc_exe_path against realpath(/proc/self/exe); a
 * function of this (PIE) test and one of libc symbolized from their
 * run-time addresses, with dladdr() as the oracle for libc. A Go program
 * started in a private mount namespace, from a tmpfs we cannot see: its
 * executable must be reached through /proc/PID/root, and its stack still
 * symbolized after it exits. Kernel: an address inside a kallsyms symbol.
 * Bounds: the snapshot cache holds at most 1024 processes however many
 * are looked up, and a file reached through /proc/PID/root paths shares
 * one loaded binary, so neither grows with the processes traced. The
 * binaries of processes that left the cache are freed, every part of
 * them: once the 16 let go of last fill the cache's idle list, 20 more Go
 * programs, each a new file, symbolized and with their types and
 * parameters read, leave the cache and the heap where they were.
 * Reuse: a Go program's pid given to `sleep` (through ns_last_pid) is
 * not symbolized with the Go program's functions, and is counted. Seen:
 * a program read while it ran, its binary deleted after, keeps its
 * symbols through the lookups of thousands of processes never read.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>

#include "binary/binary.h"
#include "tests/golang/gotest.h"

__attribute__((noinline)) int proc_test_function(int x)
{
	__asm__ volatile("");
	return x + 1;
}

static void check_self(void)
{
	char exe[PATH_MAX], real[PATH_MAX], err[256];
	struct bin_frame fr[4];
	uint64_t fn = (uint64_t)(uintptr_t)proc_test_function;
	uint64_t libc = (uint64_t)(uintptr_t)getpid;
	Dl_info info;
	int k;

	CHECK(!proc_exe_path(getpid(), exe, sizeof(exe), err, sizeof(err)) &&
	      realpath("/proc/self/exe", real) && !strcmp(exe, real), "proc_exe_path: '%s' %s", exe, err);
	CHECK(proc_exe_path(0x7ffffff0, exe, sizeof(exe), err, sizeof(err)) == -ESRCH && strstr(err, "pid"),
	      "proc_exe_path of no process: '%s'", err);
	CHECK(proc_snapshot(0x7ffffff0) == -ESRCH, "proc_snapshot of no process");
	CHECK(proc_symbolize(0x7ffffff0, fn, fr, 4) == 0, "proc_symbolize of no process");

	k = proc_symbolize(getpid(), fn + 3, fr, 4);
	CHECK(k == 1 && fr[0].func && !strcmp(fr[0].func, "proc_test_function") && fr[0].offset == 3,
	      "own function: %d frames, %s+%" PRIu64, k, k > 0 && fr[0].func ? fr[0].func : "?", fr[0].offset);
	CHECK(dladdr((void *)(uintptr_t)libc, &info) && info.dli_sname, "dladdr(getpid)");
	k = proc_symbolize(getpid(), libc + 1, fr, 4);
	CHECK(k == 1 && fr[0].func && fr[0].offset == 1 &&
	      (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, fr[0].func) == libc,
	      "libc getpid: %s+%" PRIu64 ", dladdr says %s", k > 0 && fr[0].func ? fr[0].func : "?",
	      fr[0].offset, info.dli_sname);
	CHECK(proc_symbolize(getpid(), 16, fr, 4) == 0, "address 16 is in no mapping");
}

/* proc_maps_file: our executable and libc are mapped, a file we made is
 * not, a file named as a mapped one counts (the overlayfs rule), and a
 * missing file or process is an error. */
static void check_maps_file(void)
{
	char real[PATH_MAX], dir[] = "/tmp/gotrace-maps-XXXXXX", other[PATH_MAX + 32],
	     same[PATH_MAX + 32], cmd[3 * PATH_MAX];
	const char *base;
	Dl_info info;
	int fd;

	CHECK(realpath("/proc/self/exe", real) && proc_maps_file(getpid(), real) == 1,
	      "our executable %s is mapped", real);
	CHECK(dladdr((void *)(uintptr_t)getpid, &info) && proc_maps_file(getpid(), info.dli_fname) == 1,
	      "libc %s is mapped", info.dli_fname);
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(other, sizeof(other), "%s/not-mapped", dir);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0 && proc_maps_file(getpid(), other) == 0, "a file of ours is not mapped");
	if (fd >= 0)
		close(fd);
	base = strrchr(real, '/') + 1;
	snprintf(same, sizeof(same), "%s/%s", dir, base);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", real, same);
	CHECK(system(cmd) == 0 && proc_maps_file(getpid(), same) == 1,
	      "a copy named %s counts as mapped", base);
	CHECK(proc_maps_file(getpid(), "/nonexistent/file") == -ENOENT, "a missing file");
	CHECK(proc_maps_file(0x7ffffff0, real) == -ENOENT, "no such process");
	unlink(same);
	unlink(other);
	rmdir(dir);
}

/* Starts argv, a Go test program run as `prog frames wait` (or a command
 * that execs one): its pid, the pc it prints and the pipe whose closing
 * ends it, and its output in out; false if it did not say "ready", with
 * the program killed. */
static bool start_waiting(char *const argv[], pid_t *pid, uint64_t *pc, int *stop, char *out,
			  size_t outlen)
{
	unsigned long long v = 0;
	int pin[2], pout[2];
	size_t got = 0;
	ssize_t n;

	out[0] = 0;
	if (pipe(pin) || pipe(pout))
		return false;
	*pid = fork();
	if (*pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[1]);
		close(pout[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	while (got < outlen - 1 && (n = read(pout[0], out + got, outlen - 1 - got)) > 0) {
		out[got += n] = 0;
		if (strstr(out, "ready\n"))
			break;
	}
	close(pout[0]);
	*stop = pin[1];
	if (!strstr(out, "ready\n") || sscanf(out, "pc %llx", &v) != 1) {
		close(pin[1]);
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		return false;
	}
	*pc = v;
	return true;
}

/* A Go program run from a tmpfs mounted in its own mount namespace. */
static void check_namespace(void)
{
	const char *prog = gt_build("1.19", "pie-stripped", "-buildmode=pie -ldflags='-s -w'");
	const char *dir = "/tmp/gotrace-ns-test";
	char cmd[4 * PATH_MAX], buf[8192], exe[PATH_MAX], err[256], want[64];
	char *argv[] = { "unshare", "--mount", "--propagation", "private", "sh", "-c", cmd, NULL };
	struct bin_frame fr[8];
	uint64_t pc;
	int stop, k;
	pid_t pid;

	if (!prog || !gt_run("command -v unshare"))
		return;
	mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd),
		 "mount -t tmpfs none %s && cp %s %s/prog && exec %s/prog frames wait", dir, prog, dir, dir);
	if (!start_waiting(argv, &pid, &pc, &stop, buf, sizeof(buf))) {
		printf("SKIP: could not run a program in a private mount namespace\n");
		return;
	}
	/* the runtime's name for the real frame */
	CHECK(strstr(buf, "frame main.outer"), "namespace: no main.outer frame from the program");
	snprintf(want, sizeof(want), "/proc/%d/root%s/prog", (int)pid, dir);
	CHECK(!proc_exe_path(pid, exe, sizeof(exe), err, sizeof(err)) && !strcmp(exe, want),
	      "namespace: exe path '%s', want '%s' (%s)", exe, want, err);
	snprintf(cmd, sizeof(cmd), "%s/prog", dir);
	CHECK(access(cmd, F_OK) != 0, "test setup: %s is visible outside its namespace", cmd);
	k = proc_symbolize(pid, pc - 1, fr, 8);
	CHECK(k == 3 && fr[2].func && !strcmp(fr[2].func, "main.outer"), "namespace: %d frames, last %s", k,
	      k > 0 && fr[k - 1].func ? fr[k - 1].func : "?");
	close(stop);
	waitpid(pid, NULL, 0);
	k = proc_symbolize(pid, pc - 1, fr, 8);
	CHECK(k == 3 && fr[2].func && !strcmp(fr[2].func, "main.outer"),
	      "namespace: after exit, %d frames", k);
	rmdir(dir);
}

static void check_bounds(void)
{
	char real[PATH_MAX], alias[PATH_MAX + 64];
	uint64_t fn = (uint64_t)(uintptr_t)proc_test_function;
	struct bin_frame fr[4];
	struct bin *b, *a;
	int k;

	/* No such processes: each still costs an entry until evicted. */
	for (int i = 0; i < 3000; i++)
		proc_snapshot(0x70000000 + i);
	CHECK(proc_cached() <= 1024, "process cache holds %zu snapshots, bound 1024", proc_cached());
	k = proc_symbolize(getpid(), fn + 3, fr, 4);
	CHECK(k == 1 && fr[0].func && !strcmp(fr[0].func, "proc_test_function"),
	      "own function after eviction: %d frames", k);
	CHECK(proc_cached() <= 1024, "process cache after a re-read: %zu", proc_cached());

	if (!realpath("/proc/self/exe", real))
		return;
	b = bin_open(real, NULL, 0);
	snprintf(alias, sizeof(alias), "/proc/%d/root%s", (int)getpid(), real);
	a = bin_open(alias, NULL, 0);
	CHECK(b && a == b, "%s loaded again for %s", real, alias);
	snprintf(alias, sizeof(alias), "/proc/self/root%s", real);
	CHECK(b && bin_open(alias, NULL, 0) == b, "%s loaded again for %s", real, alias);
}

/* ASan's allocator (make check-asan) answers this; glibc's does not. */
extern size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

/* malloc'd bytes, the large blocks glibc maps on their own included: it
 * raises that threshold as they are freed, moving them between the two.
 * Under ASan, mallinfo2() is all zeros: ask its allocator. */
static size_t heap_in_use(void)
{
	struct mallinfo2 m;

	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	m = mallinfo2();
	return m.uordblks + m.hblkhd;
}

static void check_release(void)
{
	const char *prog = gt_build("1.19", "default", "");
	char dir[] = "/tmp/gotrace-release-XXXXXX", copy[PATH_MAX + 32], err[256], out[4096];
	const struct bin_param *params;
	struct bin *pinned = NULL, *b;
	struct bin_frame fr[8], pf;
	size_t cached0 = bin_cached(), heap0 = 0;
	uint64_t pc, vaddr;
	int stop, k, count;
	pid_t pid;

	if (!prog || !mkdtemp(dir))
		return;
	for (int round = 0; round < 40; round++) {
		snprintf(copy, sizeof(copy), "%s/prog%d", dir, round);
		free(gt_run("cp %s %s && echo", prog, copy));	/* a new inode */
		char *argv[] = { copy, "frames", "wait", NULL };

		if (!start_waiting(argv, &pid, &pc, &stop, out, sizeof(out))) {
			CHECK(0, "release: %s did not start", copy);
			break;
		}
		k = proc_symbolize(pid, pc - 1, fr, 8);
		CHECK(k == 3 && fr[2].func && !strcmp(fr[2].func, "main.outer"),
		      "release round %d: %d frames", round, k);
		CHECK(!proc_locate(pid, pc - 1, &b, &vaddr), "release round %d: no binary", round);
		if (b) {	/* what bin_free() must free besides the tables */
			CHECK(bin_go_named_type(b, "main", "layout", &count) && count == 1,
			      "release round %d: no main.layout", round);
			CHECK(bin_go_dwarf_type(b, "main.layout"), "release round %d: no DWARF type", round);
			CHECK(bin_func_params(b, "main.outer", &params, err, sizeof(err)) >= 1,
			      "release round %d: %s", round, err);
		}
		if (round == 0)	/* also opened by the compiler: kept for the run */
			pinned = bin_open(copy, err, sizeof(err));
		close(stop);
		waitpid(pid, NULL, 0);
		unlink(copy);
		for (int i = 0; i < 1100; i++)	/* push it out of the process cache */
			proc_snapshot(0x71000000 + i);
		bin_cache_trim();
		if (round == 19)	/* 16 idle and the pinned one */
			heap0 = heap_in_use();
	}
	/* 16 let go of last are kept, the one pinned, nothing else */
	CHECK(bin_cached() <= cached0 + 17, "release: %zu binaries cached, %zu before 40 programs",
	      bin_cached(), cached0);
	CHECK(heap0 && heap_in_use() < heap0 + 256 * 1024,
	      "release: the heap grew from %zu to %zu bytes over 20 programs", heap0,
	      heap_in_use());
	CHECK(pinned && bin_func_containing(pinned, vaddr, &(struct bin_func){ 0 }) == 0 &&
	      bin_symbolize(pinned, vaddr, &pf, 1) == 1 && pf.func,
	      "release: the pinned binary is gone");
	rmdir(dir);
}

/* A Go program seen while it ran (proc_seen(), as the BPF side's notice
 * does), then gone with its binary: its stack is still symbolized after
 * the lookups of 3,000 processes that were never read (each missed, and
 * counted once however often looked up), which must not push its
 * snapshot out of the cache. */
static void check_seen(void)
{
	const char *prog = gt_build("1.19", "default", "");
	char copy[] = "/tmp/gotrace-seen-XXXXXX", out[4096];
	struct bin_frame fr[8];
	size_t missed0 = proc_missed();
	uint64_t pc;
	int stop, k, fd;
	pid_t pid;

	if (!prog || (fd = mkstemp(copy)) < 0)
		return;
	close(fd);
	free(gt_run("cp %s %s && chmod +x %s && echo", prog, copy, copy));
	char *argv[] = { copy, "frames", "wait", NULL };
	if (!start_waiting(argv, &pid, &pc, &stop, out, sizeof(out))) {
		CHECK(0, "seen: %s did not start", copy);
		unlink(copy);
		return;
	}
	CHECK(proc_seen(pid) == 0, "seen: cannot read the maps of %d", (int)pid);
	close(stop);
	waitpid(pid, NULL, 0);
	unlink(copy);
	for (int round = 0; round < 2; round++)	/* pids no process has: above
							   pid_max, 32768 by default */
		for (int i = 0; i < 3000; i++)
			CHECK(proc_symbolize(4180000 + i, 0x401000, fr, 1) == 0,
			      "seen: pid %d has no process but gave a frame", 4180000 + i);
	CHECK(proc_missed() == missed0 + 3000, "seen: %zu processes missed, not 3000",
	      proc_missed() - missed0);
	k = proc_symbolize(pid, pc - 1, fr, 8);
	CHECK(k == 3 && fr[2].func && !strcmp(fr[2].func, "main.outer"),
	      "seen: %d frames of the exited program, the last %s", k,
	      k > 0 && fr[k - 1].func ? fr[k - 1].func : "unnamed");
}

/* Runs argv under pid `want`: ns_last_pid names the pid before it, and
 * a fork that raced another process's is undone and tried again. */
static pid_t spawn_as(pid_t want, char *const argv[])
{
	for (int tries = 0; tries < 100; tries++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		pid_t pid;

		if (!f)
			return -1;
		fprintf(f, "%d", (int)want - 1);
		if (fclose(f))
			return -1;
		pid = fork();
		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		if (pid == want)
			return pid;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void check_reuse(void)
{
	const char *prog = gt_build("1.19", "default", "");
	char *const sleeper[] = { "/bin/sleep", "5", NULL };
	char *argv[] = { (char *)prog, "frames", "wait", NULL }, out[4096];
	struct bin_frame fr[8];
	size_t reused0 = proc_reused();
	pid_t pid, again;
	uint64_t pc;
	int stop, k;

	if (!prog || !start_waiting(argv, &pid, &pc, &stop, out, sizeof(out))) {
		CHECK(0, "reuse: the Go program did not start");
		return;
	}
	k = proc_symbolize(pid, pc - 1, fr, 8);
	CHECK(k == 3 && fr[2].func && !strcmp(fr[2].func, "main.outer"), "reuse: %d frames", k);
	close(stop);
	waitpid(pid, NULL, 0);
	again = spawn_as(pid, sleeper);
	CHECK(again == pid, "reuse: could not start sleep as pid %d", (int)pid);
	if (again != pid)
		return;
	usleep(1100 * 1000);	/* past the second a snapshot is trusted */
	k = proc_symbolize(pid, pc - 1, fr, 8);
	CHECK(k == 0 || !fr[k - 1].func || strcmp(fr[k - 1].func, "main.outer"),
	      "reuse: pid %d runs sleep now, but %#llx still symbolizes as main.outer", (int)pid,
	      (unsigned long long)pc - 1);
	CHECK(proc_reused() == reused0 + 1, "reuse: %zu reuses counted, want %zu", proc_reused(),
	      reused0 + 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void check_kernel(void)
{
	char *out = gt_run("grep -m1 ' [Tt] schedule$' /proc/kallsyms");
	unsigned long long addr = 0;
	uint64_t off = 0;
	const char *name;

	if (!out || sscanf(out, "%llx", &addr) != 1 || !addr) {
		printf("SKIP: kallsyms addresses hidden\n");
		free(out);
		return;
	}
	name = ksym_lookup(addr + 5, &off);
	CHECK(name && !strcmp(name, "schedule") && off == 5, "ksym_lookup: %s+%" PRIu64, name ? name : "NULL", off);
	CHECK(!ksym_lookup(1, &off), "ksym_lookup(1) found a symbol");
	free(out);
}

int main(void)
{
	check_self();
	check_maps_file();
	check_namespace();
	check_bounds();
	check_seen();
	check_release();
	check_reuse();
	check_kernel();
	return gt_done("test_proc");
}
