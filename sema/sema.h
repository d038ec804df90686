/*
 * Semantic analysis: from a parsed program to a checked plan.
 *
 * Sema resolves every attach point (expanding wildcards against binaries
 * and tracefs), gives every expression and map a type, checks that each
 * builtin and function is used where it is valid, and assigns ring-buffer
 * ids to asynchronous actions (printf, exit, print, ...). Each mistake is
 * reported with its source location before anything touches the kernel.
 *
 * The result, struct plan, is all that codegen and the runtime need.
 */
#ifndef GOTRACE_SEMA_H
#define GOTRACE_SEMA_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/types.h"
#include "parser/ast.h"
#include "binary/binary.h"
#include "runtime/attach.h"

/* Probe types, each with a bit for where builtins are valid. */
enum probe_kind {
	PK_BEGIN,
	PK_END,
	PK_UPROBE,
	PK_URETPROBE,
	PK_TRACEPOINT,
	PK_INTERVAL,
	PK_PROFILE,
	PK__COUNT,
};
#define PM(k) (1u << (k))
#define PM_ALL ((1u << PK__COUNT) - 1)
#define PM_UPROBES (PM(PK_UPROBE) | PM(PK_URETPROBE))

struct map_info {
	char *name;		/* "@x" */
	int id;			/* index in plan.maps; BPF map is "m<id>" */
	int nkeys;		/* -1 until known */
	struct gt_type key;	/* GT_TUPLE of key types, or GT_NONE */
	struct gt_type value;	/* GT_NONE until assigned */
	struct loc loc;		/* first use */
	/* BPF layout, set when sema ends */
	int bpf_type;		/* BPF_MAP_TYPE_HASH or _PERCPU_HASH */
	unsigned key_size, value_size;
};

struct var_info {
	char *name;
	struct gt_type type;
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
};

/* One ring-buffer record kind. A record is u64 id followed by the
 * arguments, each aligned to 8 bytes. */
struct async_action {
	enum async_kind kind;
	char *fmt;
	struct gt_type *args;
	int nargs;
	unsigned size;		/* bytes after the id */
	int map_id;
};

/* One BPF program: a probe's block for one attach point (a wildcard
 * uprobe is one attach point with many sites). */
struct plan_prog {
	enum probe_kind kind;
	char name[32];		/* BPF program name: "p<probe>_<n>" */
	struct attach_point ap;
	struct node *probe;	/* N_PROBE, with this program's copy of the body */
	int probe_id;		/* index in plan.probe_names (uprobes: of the
				   first site; each site's cookie is its own) */
	bool go;		/* the probed binary is a Go binary */
	struct bin *bin;	/* the probed binary (uprobes) */
	bool go_entry;		/* probe at function entries: Go's register ABI
				   and R14 = g hold */
	bool go_ret_sites;	/* uretprobe on Go: uprobes on the RET sites */
	bool go_regabi;		/* Go 1.17+ on amd64: arguments in registers */
	int go_tls_g;		/* g's offset from fsbase, for the TLS path */
	struct go_offsets goff;	/* where goid lives, once has_goff */
	bool has_goff;		/* read only when goid is used: DWARF costs */
	/* tracepoint fields, for args.NAME */
	struct tp_field *fields;
	int nfields;
};

struct tp_field {
	char *name;
	char *decl;		/* as tracefs shows it, e.g. "char comm[16]" */
	unsigned offset, size;
	bool is_signed;
	bool is_string;		/* char[N] or __data_loc char[] */
	bool data_loc;
};

struct sema_opts {
	pid_t pid;		/* -p or -c target, 0 if none */
	const char *target;	/* path of the -p/-c executable, NULL if none */
	char **params;		/* positional parameters $1.. */
	int nparams;
	bool verbose;
	pid_t child;		/* -c child, for cpid; 0 if none */
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
	unsigned scratch_size;	/* per-CPU scratch buffer codegen needs */
};

int sema_run(const struct sema_opts *opts, struct program *prog, struct plan *out);
int plan_add_probe_name(struct plan *p, const char *name);

/* probes.c: attach point parsing and resolution */
int probes_resolve(const struct sema_opts *opts, struct node *probe,
		   struct plan *plan);
/* tracepoint.c */
int tracepoint_fields(const char *cat, const char *name, struct tp_field **out,
		      int *n);
int tracepoint_expand(const char *cat_glob, const char *name_glob,
		      int (*cb)(const char *cat, const char *name, void *arg),
		      void *arg);

#endif
