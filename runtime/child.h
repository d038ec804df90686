/*
 * The -c command, and watching the traced process exit.
 */
#ifndef GOTRACE_CHILD_H
#define GOTRACE_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * -c CMD: fork a child that waits before exec, so that probes are attached
 * before its first instruction. child_spawn() splits cmd into words as
 * bpftrace does (no shell), resolves argv[0] through PATH and returns the
 * pid of the waiting child and the path of its executable.
 * Words are separated by blanks; '...' and "..." quote and backslash
 * escapes (bpftrace 0.17 splits on single spaces only). Errors are
 * bpftrace's "Failed to fork child: ..." and leave no process.
 * child_start() lets it exec and returns 0 once execve succeeded, or the
 * negative errno of execve (the child is then reaped).
 * child_kill() ends it if we stop first: a held child exits at once, a
 * running one gets SIGTERM, then SIGKILL after 100 ms; it is reaped.
 * child_kill_all() does that for every child (error paths). The child
 * also has PR_SET_PDEATHSIG(SIGKILL), so it dies if gotrace crashes;
 * spawn from the main thread, since that fires when the forking thread
 * exits.
 */
int child_spawn(const char *cmd, pid_t *pid, char *exe, size_t exelen,
		char *err, size_t errlen);
int child_start(pid_t pid);
void child_kill(pid_t pid);
void child_kill_all(void);

/* A file descriptor (a pidfd, close-on-exec) that becomes readable when
 * process pid exits; the caller closes it. Negative errno on failure. */
int proc_watch(pid_t pid);

/* For a child of ours: reaps it if it has exited (call it when the pidfd
 * fires) and returns its exit code, or 128+signal if a signal killed it;
 * -EAGAIN while it runs; -ECHILD for a process that is not our child. */
int proc_exit_status(pid_t pid);

#endif
