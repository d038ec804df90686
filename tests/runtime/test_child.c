/*
 * -c CMD children and pidfds: a spawned child waits until child_start(),
 * words and quotes reach argv intact, PATH is searched, exit status and
 * signals come back through proc_exit_status() once the pidfd fires,
 * errors leave no process behind, and a child never outlives gotrace.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tests/runtime/test_attach_lib.h"

static char tmp[64] = "/tmp/gotrace-child-XXXXXX";

static pid_t spawn(const char *cmd, char *exe)
{
	char err[512] = "", buf[PATH_MAX];
	pid_t pid = -1;
	int r = child_spawn(cmd, &pid, exe ? exe : buf, PATH_MAX, err, sizeof(err));

	CHECK(r == 0 && pid > 0, "spawn '%s': %d %s", cmd, r, err);
	return r == 0 ? pid : -1;
}

/* Wait for the pidfd, then take the status. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	int fd = proc_watch(pid);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	CHECK(fd >= 0, "pidfd for %d: %d", (int)pid, fd);
	if (fd < 0)
		return fd;
	int r = poll(&p, 1, timeout_ms);
	close(fd);
	CHECK(r == 1, "pidfd fired for %d", (int)pid);
	return proc_exit_status(pid);
}

static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Before child_start() the child has not exec'd: it is still us. */
static void test_held_then_started(void)
{
	char exe[PATH_MAX], self[PATH_MAX] = "", cexe[PATH_MAX] = "", p[64];
	pid_t pid = spawn("sh -c 'exit 3'", exe);

	if (pid < 0)
		return;
	usleep(20000);
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1) > 0 &&
	      readlink(p, cexe, sizeof(cexe) - 1) > 0 && !strcmp(self, cexe),
	      "held child has not exec'd: %s", cexe);
	CHECK(proc_exit_status(pid) == -EAGAIN, "still running");
	CHECK(strcmp(exe + strlen(exe) - 3, "/sh") == 0, "resolved via PATH: %s", exe);
	CHECK(child_start(pid) == 0, "started");
	CHECK(wait_exit(pid, 2000) == 3, "exit status 3");
	CHECK(no_children(), "reaped");
}

/* Quotes and backslashes: the shell sees exactly these words. */
static void test_words(void)
{
	static const struct { const char *cmd; int status; } cases[] = {
		{ "sh -c 'exit 5'", 5 },
		{ "  sh   -c   \"exit 6\"  ", 6 },
		{ "sh -c exit\\ 7", 7 },
		{ "sh -c '[ \"$0\" = \"a  b\" ] && exit 8' 'a  b'", 8 },
		{ "sh -c '[ -z \"$0\" ] && exit 9' ''", 9 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		pid_t pid = spawn(cases[i].cmd, NULL);

		if (pid < 0)
			continue;
		CHECK(child_start(pid) == 0, "start");
		int st = wait_exit(pid, 2000);
		CHECK(st == cases[i].status, "'%s' exited %d", cases[i].cmd, st);
	}
}

static void test_errors(void)
{
	char exe[PATH_MAX], err[512] = "", script[128];
	pid_t pid = 0;
	int r = child_spawn("no-such-command-xyz --flag", &pid, exe, sizeof(exe),
			    err, sizeof(err));

	CHECK(r == -ENOENT && strstr(err, "no-such-command-xyz"), "%d %s", r, err);
	CHECK(no_children(), "no process for a missing command");
	r = child_spawn("sh -c 'oops", &pid, exe, sizeof(exe), err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, "quote"), "%d %s", r, err);
	r = child_spawn("   ", &pid, exe, sizeof(exe), err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, "empty"), "%d %s", r, err);
	r = child_spawn("/etc/passwd", &pid, exe, sizeof(exe), err, sizeof(err));
	CHECK(r == -ENOENT, "not executable: %d %s", r, err);

	/* Executable but exec fails (missing interpreter): child_start says so. */
	snprintf(script, sizeof(script), "%s/bad", tmp);
	FILE *f = fopen(script, "w");
	fputs("#!/nonexistent/interpreter\n", f);
	fclose(f);
	chmod(script, 0755);
	pid = spawn(script, NULL);
	if (pid > 0) {
		CHECK(child_start(pid) == -ENOENT, "exec error reported");
		CHECK(no_children(), "failed child reaped");
	}
	CHECK(child_start(pid) == -ESRCH, "start twice");
	CHECK(proc_exit_status(getpid()) == -ECHILD, "not our child");
}

/* PATH is searched in order, like execvp. */
static void test_path(void)
{
	char exe[PATH_MAX], dir[128], prog[160], *old = strdup(getenv("PATH"));

	snprintf(dir, sizeof(dir), "%s/bin", tmp);
	snprintf(prog, sizeof(prog), "%s/mytool", dir);
	mkdir(dir, 0755);
	FILE *f = fopen(prog, "w");
	fputs("#!/bin/sh\nexit 42\n", f);
	fclose(f);
	chmod(prog, 0755);
	char path[512];
	snprintf(path, sizeof(path), "/nonexistent:%s:%s", dir, old);
	setenv("PATH", path, 1);
	pid_t pid = spawn("mytool arg", exe);
	setenv("PATH", old, 1);
	free(old);
	if (pid < 0)
		return;
	CHECK(strcmp(exe, prog) == 0, "found %s", exe);
	child_start(pid);
	CHECK(wait_exit(pid, 2000) == 42, "ran it");
}

static void test_kill(void)
{
	pid_t held = spawn("sleep 10", NULL), run = spawn("sleep 10", NULL);

	if (held < 0 || run < 0)
		return;
	child_kill(held);
	CHECK(proc_exit_status(held) == 127, "held child gone: %d",
	      proc_exit_status(held));
	child_start(run);
	double t = now_ms();
	child_kill(run);
	CHECK(now_ms() - t < 150, "SIGTERM was enough: %.0f ms", now_ms() - t);
	CHECK(proc_exit_status(run) == 128 + SIGTERM, "killed by SIGTERM: %d",
	      proc_exit_status(run));
	CHECK(no_children(), "no zombie");

	/* A child that ignores SIGTERM gets SIGKILL. */
	run = spawn("sh -c 'trap \"\" TERM; sleep 10'", NULL);
	child_start(run);
	usleep(50000);
	child_kill(run);
	CHECK(proc_exit_status(run) == 128 + SIGKILL, "escalated: %d",
	      proc_exit_status(run));
	CHECK(no_children(), "no zombie");

	/* The error-path sweep: one held, one running. */
	held = spawn("sleep 10", NULL);
	run = spawn("sleep 10", NULL);
	child_start(run);
	child_kill_all();
	CHECK(no_children(), "child_kill_all left none");
}

/* If gotrace dies without cleaning up, its child dies too (PDEATHSIG). */
static void test_parent_death(void)
{
	int fds[2];
	pid_t grandchild = -1;

	if (pipe(fds) < 0)
		return;
	pid_t mid = fork();
	if (mid == 0) {
		char exe[PATH_MAX], err[256];
		pid_t p = -1;

		if (child_spawn("sleep 10", &p, exe, sizeof(exe), err, sizeof(err)) == 0)
			child_start(p);
		if (write(fds[1], &p, sizeof(p)) < 0)
			_exit(1);
		_exit(0);	/* no child_kill: simulate a crash */
	}
	close(fds[1]);
	CHECK(read(fds[0], &grandchild, sizeof(grandchild)) == sizeof(grandchild),
	      "got the grandchild");
	close(fds[0]);
	waitpid(mid, NULL, 0);
	int fd = proc_watch(grandchild);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK(fd < 0 || poll(&p, 1, 1000) == 1, "grandchild %d died with its parent",
	      (int)grandchild);
	if (fd >= 0)
		close(fd);
}

/* proc_watch on a process that is not ours (-p PID): it still fires. */
static void test_watch_other(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(50000);
		_exit(0);
	}
	int fd = proc_watch(pid);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	CHECK(fd >= 0 && poll(&p, 1, 2000) == 1, "pidfd fired");
	CHECK(proc_exit_status(pid) == -ECHILD, "not from child_spawn");
	waitpid(pid, NULL, 0);
	close(fd);
	CHECK(proc_watch(999999999) < 0, "no such pid");
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	test_held_then_started();
	test_words();
	test_errors();
	test_path();
	test_kill();
	test_parent_death();
	test_watch_other();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		failures++;
	if (failures)
		fprintf(stderr, "test_child: %d failures\n", failures);
	return failures != 0;
}
