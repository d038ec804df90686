/*
 * The plan: what sema hands to codegen and the runtime.
 *
 * A checked program becomes a list of BPF programs (one per attach point,
 * each with its own copy of the probe's typed body), the maps with their
 * key and value types and BPF layout, and the asynchronous actions
 * (printf, print, exit, ...) that travel through the ring buffer as
 * records the runtime decodes. Codegen turns the plan into a BPF object;
 * the runtime loads that object and reads its maps and records by the
 * names and layouts set here. Both include this header and nothing of
 * each other: this is the contract between them.
 *
 * Value layouts are in common/types.h; probe kinds and attach points in
 * probes/probes.h.
 */
#ifndef GOTRACE_PLAN_H
#define GOTRACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "binary/binary.h"
#include "common/types.h"
#include "parser/ast.h"
#include "probes/probes.h"

/* Maps every object has, by name. */
#define PLAN_EVENTS_MAP "events"	/* ring buffer of async records */
#define PLAN_LOST_MAP "lost"		/* per-CPU u64: records the ring buffer refused */
#define PLAN_FAULTS_MAP "faults"	/* per-CPU u64: user-memory reads that faulted */
#define PLAN_CFG_MAP "cfg"		/* array of u64 set by the runtime before BEGIN */
#define PLAN_CFG_START_NS 0		/* cfg[0]: ktime at start, for `elapsed` */
#define PLAN_CFG_EXIT 1			/* cfg[1]: exit code + 1 once exit() ran, so
					   that exit() works even if its record was lost */
#define PLAN_CFG_WAKE_NS 2		/* cfg[2]: ktime of the last record that woke
					   the consumer (codegen/emit.c) */
#define PLAN_WAKE_NS 1000000		/* at most one wakeup per ms; the consumer
					   polls again within PLAN_LINGER_MS after
					   a batch, for the records in between */
#define PLAN_LINGER_MS 4
#define PLAN_DROPS_MAP "drops"		/* per-CPU u64 array: updates each map refused
					   (slot = map id), then the other losses
					   (plan_loss_slot()) */
#define PLAN_FRAMELESS_MAP "frameless"	/* array of [entry, end) of the target's Go
					   functions without a frame, sorted, set
					   by the runtime before BEGIN (go_ustack
					   in profile and tracepoint probes) */
#define PLAN_EVENTS_SIZE (1u << 20)	/* ring buffer bytes by default */
#define PLAN_EVENTS_SIZE_STREAM (16u << 20) /* ... when probes print
					   (plan_events_size()) */
#define PLAN_MAX_KEYS 65536		/* keys a map holds by default; maps
					   allocate as they fill (no-prealloc) */

/* The BPF name of the program's map `id`: "m<id>". */
void plan_map_name(char *buf, size_t len, int id);

/* The stack store that keeps deep stacks of this depth, for by-id stack
 * values (common/types.h): a hash map from the stack's 64-bit hash to
 * its frames, "su<depth>" (user) or "sk<depth>" (kernel). */
void plan_stack_map_name(char *buf, size_t len, bool user, int depth);

/* What else the BPF side counts as lost, in the drops map after the maps'
 * slots. */
enum plan_loss {
	PLAN_LOSS_USTACKS,	/* user stacks the full stack store refused */
	PLAN_LOSS_KSTACKS,	/* kernel stacks, likewise */
	PLAN_LOSS_GO_STRINGS,	/* Go strings longer than go_str's bound */
	PLAN_LOSS__COUNT,
};

static inline int plan_loss_slot(int nmaps, enum plan_loss l)
{
	return nmaps + (int)l;
}

struct map_info {
	char *name;		/* "@x" */
	int id;			/* index in plan.maps; see plan_map_name() */
	int nkeys;		/* -1 until known */
	struct gt_type key;	/* GT_TUPLE of key types, or GT_NONE */
	struct gt_type value;	/* GT_NONE until assigned */
	struct loc loc;		/* first use */
	/* BPF layout, set when sema ends */
	int bpf_type;		/* BPF_MAP_TYPE_HASH, _PERCPU_HASH or _PERCPU_ARRAY */
	unsigned key_size, value_size;
	unsigned max_entries;
	unsigned map_flags;	/* BPF_F_NO_PREALLOC for hashes */
	/* For --pprof: what each key was written as ("goid", "comm", "$x",
	 * "Path"), nkeys of them; and, for a map a profile probe fills, the
	 * sampling period in ns (0 otherwise) */
	char **key_names;
	uint64_t sample_period_ns;
};

struct var_info {
	char *name;
	struct gt_type type;
	bool failed;		/* its first assignment had an error, already reported */
	struct var_info *next;
};

enum async_kind {
	AS_PRINTF,	/* fmt, args */
	AS_EXIT,	/* one u64: the exit code */
	AS_PRINT_MAP,	/* map_id; u64 top, u64 div */
	AS_CLEAR,	/* map_id */
	AS_ZERO,	/* map_id */
	AS_TIME,	/* fmt */
	AS_PRINT_VALUE,	/* args[0] */
	AS_JOIN,	/* fmt: the delimiter; PLAN_JOIN_ARGS strings */
	AS_CAT,		/* fmt, args: the file's name */
	AS_SYSTEM,	/* fmt, args: the command */
	AS_HELPER_ERROR, /* fmt: the helper's name, loc; one i64: its result */
	AS_PID_SEEN,	/* one u64: a process whose user stack a new key of
			   an aggregation holds; read its maps now */
};

/* join() reads this many strings of the array, each up to this many
 * bytes with its NUL, as bpftrace 0.17 does. */
#define PLAN_JOIN_ARGS 16
#define PLAN_JOIN_ARGSIZE 1024

/* One ring-buffer record kind. A record is u64 id (the action's index in
 * plan.async) followed by the arguments, each aligned to 8 bytes. */
struct async_action {
	enum async_kind kind;
	char *fmt;
	struct gt_type *args;
	int nargs;
	unsigned size;		/* bytes after the id */
	int map_id;
	struct loc loc;		/* AS_HELPER_ERROR: the call's place */
};

/* One BPF program: a probe's block for one attach point (a wildcard
 * uprobe is one attach point with many sites). */
struct plan_prog {
	const struct probe_type *type;	/* its kind's row: section, caps */
	char name[32];		/* BPF program name: "p<index>" */
	struct attach_point ap;
	struct node *probe;	/* N_PROBE, with this program's copy of the body */
	int probe_id;		/* index in plan.probe_names (uprobes: of the
				   first site; each site's cookie is its own) */
	int go_tls_g;		/* g's offset from fsbase, for the TLS path */
	struct go_offsets goff;	/* where goid lives, once has_goff */
	bool has_goff;		/* read only when goid is used: DWARF costs */
};

struct plan {
	struct program prog;
	struct plan_prog *progs;
	int nprogs;
	struct map_info **maps;
	int nmaps;
	struct async_action *async;
	int nasync;
	char **probe_names;	/* GT_PROBE values index this */
	int nprobe_names;
	unsigned max_keys;	/* keys per map, and stacks per stack store */
	/* go_ustack sampled anywhere in the target's code (profile,
	 * tracepoint): its frameless functions, PLAN_FRAMELESS_MAP's content,
	 * as [entry, end) pairs of file addresses; and the address the
	 * kernel's mm->start_code stands for, to undo the load bias */
	uint64_t *frameless;
	size_t nframeless;
	uint64_t exec_vaddr;
	bool want_frameless;
};

/* The index of a probe name in plan.probe_names, adding it if new. */
int plan_add_probe_name(struct plan *p, const char *name);

/* Probes as "Attaching N probes..." counts them: one per function a
 * program attaches to (a wildcard's matches count one each). */
int plan_probe_count(const struct plan *p);
/* The ring buffer's default size for this program, in bytes. */
unsigned plan_events_size(const struct plan *p);

/* -k: a record id for a failed call of `helper` at loc (codegen adds
 * one per place it checks). */
int plan_add_helper_error(struct plan *p, const char *helper, const struct loc *loc);
/* The id of the one AS_PID_SEEN action, added on first use. */
int plan_pid_seen(struct plan *p);

/*
 * A uprobe site's BPF cookie: bits 0-23 its probe name's index (`probe`),
 * 24-47 its function's name's index (`func`: one key per function, at
 * every RET and inlined copy), 48-63 where the return address is, as an
 * offset from SP (Go sites inside a function, for go_ustack), or
 * PLAN_COOKIE_NO_SP when unknown.
 */
#define PLAN_COOKIE_NAME 0xffffffull
#define PLAN_COOKIE_NO_SP 0xffffull

static inline uint64_t plan_cookie(int probe, int func, int sp_delta)
{
	uint64_t sp = sp_delta < 0 || (uint64_t)sp_delta >= PLAN_COOKIE_NO_SP ?
		      PLAN_COOKIE_NO_SP : (uint64_t)sp_delta;

	return ((uint64_t)probe & PLAN_COOKIE_NAME) |
	       ((uint64_t)func & PLAN_COOKIE_NAME) << 24 | sp << 48;
}

#endif
