/*
 * Builtin variables (pid, comm, arg0, ...) and functions (printf, count(),
 * hist(), ...), registered in tables (sema/builtins.c). Sema looks names
 * up there and checks arguments with each entry's hook, and leaves the
 * entry in the node (node->builtin, node->func). Codegen's hooks are a
 * parallel pair of tables indexed by the same ids (codegen/calls.c);
 * builtins that sema turns into constants (cpid, sizeof) or that are
 * aggregations (count(), hist() ...: codegen/maps.c) have no codegen hook.
 * Adding a builtin is one entry in each table: see docs/internals.md.
 */
#ifndef GOTRACE_BUILTINS_H
#define GOTRACE_BUILTINS_H

#include "common/types.h"
#include "parser/ast.h"

enum builtin_id {
	BI_PID, BI_TID, BI_UID, BI_GID, BI_COMM, BI_NSECS, BI_ELAPSED, BI_CPU,
	BI_PROBE, BI_FUNC,
	BI_ARG0, BI_ARG1, BI_ARG2, BI_ARG3, BI_ARG4, BI_ARG5,
	BI_RETVAL, BI_USTACK, BI_KSTACK,
	BI_CPID,
	BI_GOID,
	BI_CURTASK,
	BI_RAND, BI_NUMAID, BI_CGROUP, BI_USERNAME,
	BI_CTX,
	BI_SARG,	/* sarg0, sarg1, ...: one row for every N */
	BI__COUNT,
};

struct builtin {
	const char *name;
	enum builtin_id id;
	struct gt_type type;
	unsigned needs;		/* probe caps it needs (enum probe_caps) */
	bool go;		/* needs a Go binary */
};

enum func_id {
	FN_PRINTF, FN_PRINT, FN_CLEAR, FN_ZERO, FN_DELETE, FN_EXIT, FN_TIME,
	FN_STR, FN_USTACK, FN_KSTACK, FN_USYM, FN_STRNCMP, FN_SIZEOF, FN_REG,
	FN_COUNT, FN_SUM, FN_AVG, FN_MIN, FN_MAX, FN_STATS, FN_HIST, FN_LHIST,
	FN_GO_ARG, FN_GO_STR, FN_GO_RET, FN_GO_USTACK, FN_GO_USTACK_LINES,
	FN_LEN, FN_GO_CAST, FN_GO_TYPENAME, FN_UPTR, FN_KPTR,
	FN_STRFTIME, FN_NTOP, FN_KSYM, FN_KADDR, FN_CGROUPID, FN_MACADDR, FN_STRERROR,
	FN_BUF, FN_BSWAP, FN_STRCONTAINS, FN_JOIN, FN_CAT, FN_SYSTEM, FN_SIGNAL,
	FN_UADDR, FN_DEBUGF, FN_CGROUP_PATH, FN_HAS_KEY, FN_PTON,
	FN__COUNT,
};

struct sema;

struct func {
	const char *name;
	enum func_id id;
	int min_args, max_args;
	unsigned needs;		/* probe caps it needs (enum probe_caps) */
	bool statement;		/* returns nothing: only valid as a statement */
	bool go;		/* needs a Go binary */
	enum gt_kind aggregation; /* GT_NONE, or the map value kind it makes */
	/* Check arguments and set call->type. Arguments are already checked
	 * when it runs. Returns 0 or -EINVAL after diag_error(). */
	int (*check)(struct sema *s, struct node *call);
};

const struct builtin *builtin_find(const char *name);
const struct func *func_find(const char *name);

#endif
