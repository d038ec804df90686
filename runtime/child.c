/*
 * -c CMD: the traced command, and watching processes exit.
 *
 * The child is forked early but held on a pipe read until the probes are
 * attached, so that not even its first instruction is missed; then
 * child_start() releases it to execve(). A second, close-on-exec pipe
 * carries execve's errno back, so child_start() knows whether the exec
 * worked (EOF) or failed (4 bytes), with no race and no zombie.
 *
 * The command is split into words without a shell: blanks separate words,
 * '...' and "..." quote, and a backslash escapes the next character (bpftrace
 * 0.17 splits on every single space and ignores quotes; this is a superset
 * for the commands people actually type). The program is looked up in PATH
 * in the parent, before fork, so "not found" never leaves a process behind.
 *
 * The child also asks to be traced (PTRACE_TRACEME), so the kernel stops
 * it right after execve, with its executable mapped and before its first
 * instruction; child_start() runs a dynamically linked one on to its entry
 * point (the loader has mapped its libraries by then), snapshots
 * /proc/PID/maps there and lets it go. Without that snapshot a
 * short-lived PIE command exits before its load bias can be read, and its
 * stacks (library frames too) could not be symbolized at exit.
 * If gotrace is itself being traced (strace -f), TRACEME fails and the
 * child runs without the stop.
 *
 * The child gets PR_SET_PDEATHSIG(SIGKILL): if gotrace dies, even by
 * SIGKILL, the child is not left running. Note PDEATHSIG fires when the
 * forking *thread* exits, so spawn from the main thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <elf.h>

#include "binary/binary.h"
#include "runtime/child.h"

extern char **environ;

/* gotrace has one child; a few slots keep tests and retries simple. */
static struct child {
	pid_t pid;		/* 0: free slot */
	int go_fd;		/* write end of the start pipe, -1 once started */
	int err_fd;		/* read end of the exec-error pipe */
	int status;		/* wait status, valid once reaped */
	int reaped;
} kids[8];

static struct child *find(pid_t pid)
{
	for (size_t i = 0; i < sizeof(kids) / sizeof(*kids); i++)
		if (pid > 0 && kids[i].pid == pid)
			return &kids[i];
	return NULL;
}

/* Split cmd into words; returns a NULL-terminated argv whose strings share
 * one allocation (free(argv[0]), free(argv)), or NULL with *n = -1 for an
 * unterminated quote and 0 for an empty command. */
static char **split(const char *cmd, int *n)
{
	size_t len = strlen(cmd);
	char **argv = calloc(len / 2 + 2, sizeof(*argv));
	char *buf = malloc(len + 1), *out = buf, *w = NULL;
	char quote = 0;

	*n = 0;
	if (!argv || !buf)
		goto fail;
	for (const char *p = cmd; *p; p++) {
		if (!quote && (*p == ' ' || *p == '\t' || *p == '\n')) {
			if (w)
				*out++ = '\0', w = NULL;
			continue;
		}
		if (!w)
			w = argv[(*n)++] = out;
		if (quote ? *p == quote : (*p == '\'' || *p == '"'))
			quote = quote ? 0 : *p;
		else if (*p == '\\' && quote != '\'' && p[1])
			*out++ = *++p;
		else
			*out++ = *p;
	}
	*out = '\0';
	if (!quote && *n > 0)
		return argv;
	*n = quote ? -1 : 0;
fail:
	free(buf);
	free(argv);
	return NULL;
}

static int executable(const char *path)
{
	struct stat s;

	return stat(path, &s) == 0 && S_ISREG(s.st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as execvp would find it; 0 or -ENOENT. */
static int resolve(const char *name, char *exe, size_t exelen)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(exe, exelen, "%s", name);
		return executable(exe) ? 0 : -ENOENT;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int dirlen = end - p;

		snprintf(exe, exelen, "%.*s%s%s", dirlen, p, dirlen ? "/" : "", name);
		if (executable(exe))
			return 0;
		if (!*end)
			return -ENOENT;
		p = end;
	}
}

/* In the child: wait for the go byte, then exec; never returns. */
static void run_child(pid_t parent, int go_fd, int err_fd, const char *exe,
		      char **argv)
{
	sigset_t none;
	char c;

	/* Our copies of the parent's pipe ends would keep them open. */
	for (size_t i = 0; i < sizeof(kids) / sizeof(*kids); i++)
		if (kids[i].pid && kids[i].go_fd >= 0)
			close(kids[i].go_fd), close(kids[i].err_fd);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);	/* the parent died before prctl */
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);	/* don't inherit gotrace's SIG_IGNs */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (read(go_fd, &c, 1) != 1)
		_exit(127);	/* gotrace went away before starting us */
	int traced = ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 1 : 0;
	if (write(err_fd, &traced, sizeof(traced)) != sizeof(traced))
		_exit(127);
	execve(exe, argv, environ);
	int e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Fork the waiting child of argv into a free slot. */
static int fork_held(char **argv, const char *exe, pid_t *pid, char *err,
		     size_t errlen)
{
	int go[2] = { -1, -1 }, ex[2] = { -1, -1 };
	struct child *k = NULL;
	pid_t parent = getpid();

	for (size_t i = 0; !k && i < sizeof(kids) / sizeof(*kids); i++)
		if (!kids[i].pid || (kids[i].reaped && kids[i].go_fd < 0))
			k = &kids[i];
	errno = EAGAIN;
	if (!k || pipe2(go, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0 ||
	    (*pid = fork()) < 0) {
		int e = errno;

		close(go[0]), close(go[1]), close(ex[0]), close(ex[1]);
		snprintf(err, errlen, "Failed to fork child: %s", strerror(e));
		return -e;
	}
	if (*pid == 0) {
		close(go[1]), close(ex[0]);
		run_child(parent, go[0], ex[1], exe, argv);
	}
	close(go[0]), close(ex[1]);
	*k = (struct child){ .pid = *pid, .go_fd = go[1], .err_fd = ex[0] };
	return 0;
}

int child_spawn(const char *cmd, pid_t *pid, char *exe, size_t exelen,
		char *err, size_t errlen)
{
	int n, ret;
	char **argv = split(cmd ? cmd : "", &n);

	if (!argv) {
		if (n < 0)
			snprintf(err, errlen, "Failed to fork child: unterminated quote in '%s'", cmd);
		else
			snprintf(err, errlen, "Failed to fork child: empty command");
		return -EINVAL;
	}
	ret = resolve(argv[0], exe, exelen);
	if (ret < 0)
		snprintf(err, errlen, "Failed to fork child: path '%s' does not exist or is not executable",
			 argv[0]);
	else
		ret = fork_held(argv, exe, pid, err, errlen);
	free(argv[0]);
	free(argv);
	return ret;
}

/* Someone else may have reaped it (SIGCHLD set to SIG_IGN): status -1. */
static void reap(struct child *k, int flags)
{
	int st, r;

	if (k->reaped)
		return;
	while ((r = waitpid(k->pid, &st, flags)) < 0 && errno == EINTR)
		;
	if (r == k->pid)
		k->status = st, k->reaped = 1;
	else if (r < 0)
		k->status = -1, k->reaped = 1;
}

static int read_int(int fd, int *v)
{
	int r;

	while ((r = read(fd, v, sizeof(*v))) < 0 && errno == EINTR)
		;
	return r == sizeof(*v) ? 0 : -1;
}

static int wait_stop(struct child *k, int *st)
{
	int r;

	while ((r = waitpid(k->pid, st, __WALL)) < 0 && errno == EINTR)
		;
	if (r != k->pid)
		return -1;
	if (!WIFSTOPPED(*st)) {
		k->status = *st;
		k->reaped = 1;
		return -1;
	}
	return 0;
}

/* AT_ENTRY and AT_BASE (the dynamic loader's base; 0 for a static
 * program) from /proc/PID/auxv. */
static int auxv(pid_t pid, uint64_t *entry, uint64_t *base)
{
	char path[64];
	uint64_t av[2];
	FILE *f;

	*entry = *base = 0;
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fread(av, sizeof(av), 1, f) == 1 && av[0] != AT_NULL) {
		if (av[0] == AT_ENTRY)
			*entry = av[1];
		else if (av[0] == AT_BASE)
			*base = av[1];
	}
	fclose(f);
	return *entry ? 0 : -1;
}

/* Stopped at its execve, a dynamically linked child has only its program
 * and the loader mapped. Run it to its entry point, where the loader has
 * mapped the libraries, with a one-shot int3 there: then the snapshot
 * has the libraries too, and their frames are named even if the child
 * exits before its stacks are printed. Signals that arrive meanwhile are
 * passed on. Returns -1 if the child is gone (its status kept). If a
 * uprobe sits on the entry, the kernel takes the int3 as the uprobe's,
 * the child runs on and we stop at its exit or next signal: harmless. */
static int run_to_entry(struct child *k, int *st)
{
#if defined(__x86_64__)
	uint64_t entry, base;
	long word, sig = 0;
	struct user_regs_struct regs;

	if (auxv(k->pid, &entry, &base) || !base)
		return 0;
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, k->pid, (void *)entry, NULL);
	if (errno || ptrace(PTRACE_POKETEXT, k->pid, (void *)entry,
			    (void *)((word & ~0xffL) | 0xcc)) < 0)
		return 0;
	for (;;) {
		if (ptrace(PTRACE_CONT, k->pid, NULL, (void *)sig) < 0 || wait_stop(k, st))
			return -1;
		if (ptrace(PTRACE_GETREGS, k->pid, NULL, &regs) == 0 &&
		    WSTOPSIG(*st) == SIGTRAP && regs.rip == entry + 1)
			break;
		sig = WSTOPSIG(*st) == SIGTRAP ? 0 : WSTOPSIG(*st);
	}
	regs.rip = entry;
	ptrace(PTRACE_POKETEXT, k->pid, (void *)entry, (void *)word);
	ptrace(PTRACE_SETREGS, k->pid, NULL, &regs);
#endif
	return 0;
}

/* The child stopped with SIGTRAP after execve: snapshot its mappings
 * (once its libraries are mapped) and let it run. If it died instead
 * (killed meanwhile), keep the status. */
static void release_traced(struct child *k)
{
	int st;

	if (wait_stop(k, &st) || run_to_entry(k, &st))
		return;
	proc_snapshot(k->pid);
	ptrace(PTRACE_DETACH, k->pid, NULL, NULL);
}

int child_start(pid_t pid)
{
	struct child *k = find(pid);
	int e = 0, traced = 0;
	char c = 1;

	if (!k || k->go_fd < 0)
		return -ESRCH;
	int w = write(k->go_fd, &c, 1);
	close(k->go_fd);
	k->go_fd = -1;
	if (w != 1)
		e = EPIPE;
	else if (read_int(k->err_fd, &traced) != 0)
		e = EPIPE;	/* died before exec */
	else if (read_int(k->err_fd, &e) != 0)
		e = 0;		/* EOF: the exec succeeded */
	close(k->err_fd);
	k->err_fd = -1;
	if (e) {
		reap(k, 0);
		return -e;
	}
	if (traced)
		release_traced(k);
	return 0;
}

/* SIGTERM, up to 100 ms for the child to exit, then SIGKILL. */
void child_kill(pid_t pid)
{
	struct child *k = find(pid);

	if (!k || k->reaped)
		return;
	if (k->go_fd >= 0) {
		/* Never started: closing the pipe makes it _exit(127). */
		close(k->go_fd), close(k->err_fd);
		k->go_fd = k->err_fd = -1;
		reap(k, 0);
		return;
	}
	int fd = proc_watch(pid);
	kill(pid, SIGTERM);
	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (poll(&p, 1, 100) < 0 && errno == EINTR)
			;
		close(fd);
	}
	reap(k, WNOHANG);
	if (!k->reaped) {
		kill(pid, SIGKILL);
		reap(k, 0);
	}
}

void child_kill_all(void)
{
	for (size_t i = 0; i < sizeof(kids) / sizeof(*kids); i++)
		if (kids[i].pid)
			child_kill(kids[i].pid);
}

int proc_watch(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

/* Reaps our child if it has exited. Returns its exit code, 128+signal if
 * a signal killed it, -EAGAIN while it runs, -ECHILD if it isn't ours. */
int proc_exit_status(pid_t pid)
{
	struct child *k = find(pid);

	if (!k)
		return -ECHILD;
	reap(k, WNOHANG);
	if (!k->reaped)
		return -EAGAIN;
	if (k->status == -1)
		return -ECHILD;
	if (WIFSIGNALED(k->status))
		return 128 + WTERMSIG(k->status);
	return WEXITSTATUS(k->status);
}
