/*
 * Probe kinds: everything gotrace knows about one kind of probe, in one
 * table row.
 *
 * A row (struct probe_type) names the kind and its alias, the ELF section
 * that gives its BPF program type, what its context offers to builtins
 * (caps), and four hooks:
 *
 *   resolve   "uprobe:/bin/x:main.*" -> attach points (sema calls it)
 *   attach    an attach point + a loaded program -> bpf_links (runtime)
 *   list      -l PATTERN (driver)
 *   describe  the line -v prints for an attach point (runtime)
 *
 * A NULL hook means there is nothing to do: BEGIN and END attach to
 * nothing, because the runtime runs them itself. Each kind lives in its
 * own file (special.c, uprobe.c, tracepoint.c, timer.c, software.c;
 * refused.c has the kinds gotrace refuses); probes.c holds
 * the table. This folder sits below sema, codegen and runtime: it knows
 * binaries (binary/), tracefs and libbpf, and nothing of the compiler.
 */
#ifndef GOTRACE_PROBES_H
#define GOTRACE_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "binary/binary.h"
#include "common/diag.h"

struct bpf_link;
struct bpf_program;

/* ORDER PROBE_KIND: probes.c's table is indexed by these. */
enum probe_kind {
	PK_BEGIN,
	PK_END,
	PK_UPROBE,
	PK_URETPROBE,
	PK_TRACEPOINT,
	PK_INTERVAL,
	PK_PROFILE,
	PK_SOFTWARE,
	PK_USDT,
	/* kinds gotrace does not trace (refused.c), named so that a program
	 * using one gets a clear error instead of a syntax error */
	PK_KPROBE,
	PK_KRETPROBE,
	PK_KFUNC,
	PK_KRETFUNC,
	PK_HARDWARE,
	PK_WATCHPOINT,
	PK_ASYNCWATCHPOINT,
	PK_ITER,
	PK__COUNT,
};

/* What a probe's context offers. A builtin lists the caps it needs
 * (sema/builtins.c) and is valid in the kinds that have them all. */
enum probe_caps {
	PC_ARGS = 1 << 0,	/* a function's arguments in registers: arg0, go_arg */
	PC_RETVAL = 1 << 1,	/* a function's result: retval, go_ret */
	PC_FUNC = 1 << 2,	/* the probed function: func */
	PC_UREGS = 1 << 3,	/* the probed thread's user registers: reg,
				   goid, go_ustack */
	PC_FIELDS = 1 << 4,	/* a record with named fields: args.NAME */
	PC_COOKIE = 1 << 5,	/* each site has its own BPF cookie (its
				   probe name, for `probe`), so one program
				   can serve many attach points
				   (codegen/share.c) */
	PC_GOSTATE = 1 << 6,	/* the probed thread's goroutine and Go stack
				   (goid, go_ustack): from the uprobe's
				   registers, or, in a profile or tracepoint
				   probe, from the task's saved user registers
				   and TLS, when it is a thread of the -p/-c
				   target */
	PC_TASK = 1 << 7,	/* a task's own event, in its context:
				   signal() can send it a signal */
};

/* Where in its function a uprobe site is. */
enum site_kind {
	SITE_ENTRY,		/* the entry (for Go, after the stack check) */
	SITE_OFFSET,		/* FUNC+OFF as written */
	SITE_RET,		/* a RET, for a Go return probe */
	SITE_INLINE,		/* the first instruction of an inlined copy */
};

/* One instruction a uprobe sits on. */
struct uprobe_site {
	char *func;		/* the probed function, as `func` prints it */
	char *probe;		/* its probe name, "uprobe:/bin/x:main.f" */
	uint64_t addr;		/* virtual address of the probed instruction */
	uint64_t offset;	/* its file offset, which the kernel takes */
	enum site_kind kind;
	int sp_delta;		/* Go, at an offset or inlined copy: the return
				   address is at SP + sp_delta; -1 unknown */
	uint64_t cookie;	/* bpf_get_attach_cookie(): filled in by sema */
};

/* A tracepoint's field, from its tracefs format file. */
struct tp_field {
	char *name;
	char *decl;		/* as tracefs shows it, e.g. "char comm[16]" */
	unsigned offset, size;
	bool is_signed;
	bool is_string;		/* char[N] */
	bool data_loc;		/* __data_loc T[]: a u32, the data's offset in the
				   record (low half) and length (high half) */
};

/* Where one BPF program attaches, and what sema and codegen need to know
 * of the place. */
struct attach_point {
	enum probe_kind kind;
	const char *prog_name;	/* BPF program name in the object (sema; codegen
				   may point it at an identical program) */
	uint64_t cookie;	/* PC_COOKIE kinds without sites: the BPF
				   cookie to attach with (its probe name's
				   index, sema) */
	const char *name;	/* as the user wrote it, for messages */
	/* PK_UPROBE, PK_URETPROBE */
	const char *path;
	struct bin *bin;	/* the opened binary */
	struct uprobe_site *sites;
	int nsites;
	int nfuncs;		/* functions the sites belong to */
	pid_t pid;		/* only this process; -1 (or 0) for every process */
	bool go;		/* the binary is a Go binary */
	bool go_regabi;		/* Go 1.17+ on amd64: arguments in registers */
	bool go_entry;		/* at function entries: Go's register ABI and
				   R14 = g hold */
	bool go_ret_sites;	/* a Go return probe: uprobes on the RETs,
				   never a kernel uretprobe (which crashes Go) */
	bool go_inline;		/* the inlined copies of Go functions: their
				   arguments are not in registers */
	/* PK_USDT: one site (sites[0]); its arguments as <sys/sdt.h> wrote
	 * them (argN reads them, codegen/usdt.c), the first one gotrace
	 * cannot read (1-based, 0 none) and the file offset of its
	 * semaphore, which the kernel counts up while attached (0: none) */
	struct usdt_arg *usdt_args;
	int usdt_nargs, usdt_bad_arg;
	uint64_t usdt_semaphore;
	/* PK_TRACEPOINT */
	const char *tp_category, *tp_name;
	struct tp_field *fields;
	int nfields;
	/* PK_INTERVAL, PK_PROFILE: a period (s, ms, us units) or a frequency
	 * (hz unit); period_ns wins if both are set */
	uint64_t period_ns;
	uint64_t freq_hz;
	/* PK_SOFTWARE: the perf event (PERF_COUNT_SW_*) and its sample period,
	 * in events */
	unsigned perf_config;
	uint64_t perf_count;
};

/* What resolve() is asked, and where it puts what it finds. */
struct probe_request {
	const struct probe_type *type;	/* the row being asked */
	const struct loc *loc;	/* of the attach point, for diag_error() */
	char **parts;		/* split at ':', parts[0] the kind as written */
	int nparts;
	const char *target;	/* executable of -p / -c, or NULL */
	pid_t pid;		/* -p / -c process, 0 if none */
	bool child;		/* pid is -c's, not started: its maps are still
				   gotrace's, so no library is looked up there */
	bool verbose;
	/* Takes over one attach point (its allocations too). */
	void (*add)(struct probe_request *rq, struct attach_point *ap);
	void *ctx;		/* the caller's, for add() */
};

/* The links one attach() made, for the runtime to destroy. */
struct probe_links {
	struct bpf_link **links;
	int n, cap;
};

/* Which kinds `-l PATTERN` lists when the pattern's kind is a wildcard
 * (or missing), as bpftrace's kernel and user-space probe lists: user
 * kinds when there is a -p PID or the pattern names a path. */
enum probe_group {
	PG_NONE,
	PG_KERNEL,
	PG_USER,
};

struct probe_type {
	const char *name, *alias;
	enum probe_kind kind;
	enum probe_group group;
	const char *section;	/* ELF section: the program type for libbpf */
	unsigned caps;		/* enum probe_caps */
	/* The kernel runs this kind's programs on one site newest first
	 * (uprobe consumers), so the runtime attaches them last to first
	 * for them to run in program order, as bpftrace does. */
	bool attach_reverse;
	/* What a raw address in its arguments points at, for a cast such as
	 * (struct foo *)arg0: user memory (uprobes), kernel memory
	 * (tracepoints), or, with neither (BEGIN, interval, profile...),
	 * either, as bpftrace 0.17 reads it. */
	bool user_mem, kernel_mem;
	/* Add the attach points of rq->parts through rq->add(). Returns 0, or
	 * -EINVAL after diag_error(). */
	int (*resolve)(struct probe_request *rq);
	/* Attach prog at ap, keeping every link in l. Returns the number of
	 * probes it counts for, or a negative errno with err filled
	 * ("uprobe 'main.f': ..."); on failure nothing of it stays attached. */
	int (*attach)(struct bpf_program *prog, const struct attach_point *ap,
		      struct probe_links *l, char *err, size_t errlen);
	/* -l: print the probes that parts[1..] match, one per line, sorted.
	 * Returns 0 or a negative errno after a message on stderr. */
	int (*list)(char **parts, int nparts, pid_t pid, bool verbose);
	/* -v: one line on how ap is attached. */
	void (*describe)(const struct attach_point *ap, FILE *f);
};

/* The row of a kind, or of a name or alias as written ("u", "uprobe");
 * NULL if there is none. */
const struct probe_type *probe_type_of(enum probe_kind k);
const struct probe_type *probe_type_find(const char *name);

/* Split "a:b:c" at ':' outside double quotes, dropping the quotes, into
 * at most max parts (the last keeps any further ':' when `rest` is set,
 * otherwise more parts are an error). Returns the count, or -1 for too
 * many parts. The parts point into s, which is modified. */
int probe_split(char *s, char **parts, int max, bool rest);

/* Keep link for the runtime; on failure destroys it. 0 or -ENOMEM. */
int probe_links_add(struct probe_links *l, struct bpf_link *link);

/* The kernel's ENOTSUPP, which attach calls return but libc has no name
 * for. */
#define ENOTSUPP_KERNEL 524

/* "uprobe 'main.f': <what>: <reason>" in buf; returns -err. */
int probe_fail(const struct attach_point *ap, int err, char *buf, size_t len,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A binary as a probe names it, as bpftrace finds it: a library's short
 * name ("libc": among pid's libraries, then in /etc/ld.so.cache; the
 * path as found), else a path or a name looked up in $PATH (the real
 * path). With a pid, an absolute path is first looked up in the
 * process's mount namespace (/proc/PID/root/PATH) when that is another
 * file than ours. malloc'd, or NULL. */
char *probe_find_binary(const char *name, pid_t pid);

/* Free what an attach point owns (sites, fields, names). */
void probe_point_free(struct attach_point *ap);

/* tracefs.c: the tracefs mount, mounting it at /sys/kernel/tracing if
 * none is mounted. Returns its path ("/sys/kernel/tracing") or NULL with
 * err filled. */
const char *tracefs_dir(char *err, size_t errlen);

#endif
