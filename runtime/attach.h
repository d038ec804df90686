/*
 * Attaching loaded BPF programs to their events, and detaching them.
 *
 * The compiler produces one BPF program per probe (after wildcard
 * expansion a uprobe program may cover many functions). The runtime opens
 * and loads the object with libbpf, then calls attach_all() with one struct
 * attach_point per program. Every path out of gotrace calls detach_all(),
 * so nothing of ours stays attached.
 *
 * Program types (set by codegen through the ELF section name):
 *   BEGIN, END        "raw_tp"        run once with BPF_PROG_TEST_RUN
 *   uprobe/uretprobe  "uprobe.multi"  one uprobe_multi link per program
 *                     ("uretprobe.multi" for a kernel return probe, which
 *                     is only used on non-Go binaries)
 *   tracepoint        "tracepoint"    perf-event link
 *   interval          "perf_event"    cpu-clock timer on CPU 0
 *   profile           "perf_event"    cpu-clock timer on every CPU
 */
#ifndef GOTRACE_ATTACH_H
#define GOTRACE_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_object;
struct bpf_program;

enum attach_kind {
	AT_BEGIN,
	AT_END,
	AT_UPROBE,
	AT_URETPROBE,	/* kernel return probe: never on Go functions */
	AT_TRACEPOINT,
	AT_INTERVAL,
	AT_PROFILE,
};

struct uprobe_site {
	const char *func;	/* for messages */
	uint64_t offset;	/* file offset of the probed instruction */
	uint64_t cookie;	/* bpf_get_attach_cookie() in the program */
};

struct attach_point {
	enum attach_kind kind;
	const char *prog_name;	/* BPF program name in the object */
	const char *name;	/* as the user wrote it, for messages */
	/* AT_UPROBE, AT_URETPROBE */
	const char *path;
	struct uprobe_site *sites;
	int nsites;
	pid_t pid;		/* only this process; -1 (or 0) for every process */
	/* AT_TRACEPOINT */
	const char *tp_category, *tp_name;
	/* AT_INTERVAL, AT_PROFILE: a period (s, ms, us units) or a frequency
	 * (hz unit); period_ns wins if both are set */
	uint64_t period_ns;
	uint64_t freq_hz;
};

struct attach_state;

/*
 * Attach every point except BEGIN and END. On failure detaches what was
 * attached, fills err ("uprobe 'main.f': ..."), and returns a negative
 * errno. On success *out holds the state and the return value is the number
 * of attached probes (counting each uprobe site), for "Attaching N probes...".
 */
int attach_all(struct bpf_object *obj, const struct attach_point *pts, int n,
	       struct attach_state **out, char *err, size_t errlen);

/* Detach everything attach_all() attached. NULL is fine. Links are
 * destroyed from several threads at once, because each waits for kernel
 * RCU grace periods (uprobe_multi ~30 ms, tracepoint ~75 ms) and
 * concurrent waiters share them. */
void detach_all(struct attach_state *st);

/* Run a raw_tp program once (BEGIN, END) in the calling thread. */
int run_prog_once(struct bpf_program *prog, char *err, size_t errlen);

/* Mount tracefs at /sys/kernel/tracing if it is not mounted. */
int tracefs_ensure(char *err, size_t errlen);

/* Does the tracepoint exist (events/CAT/NAME/id under tracefs)? 0, or
 * -ENOENT; call tracefs_ensure() first. */
int tracepoint_exists(const char *category, const char *name);

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
