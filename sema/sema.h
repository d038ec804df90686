/*
 * Semantic analysis: from a parsed program to a checked plan.
 *
 * Sema resolves every attach point through its probe kind's row
 * (probes/probes.h), expanding wildcards against binaries and tracefs;
 * gives every expression and map a type; checks that each builtin and
 * function is used where it is valid; and assigns ring-buffer ids to
 * asynchronous actions (printf, exit, print, ...). Each mistake is
 * reported with its source location before anything touches the kernel.
 *
 * The result, struct plan (sema/plan.h), is all that codegen and the
 * runtime need.
 */
#ifndef GOTRACE_SEMA_H
#define GOTRACE_SEMA_H

#include <stdbool.h>
#include <sys/types.h>

#include "parser/ast.h"
#include "sema/plan.h"

struct sema_opts {
	pid_t pid;		/* -p or -c target, 0 if none */
	const char *target;	/* path of the -p/-c executable, NULL if none */
	char **params;		/* positional parameters $1.. */
	int nparams;
	bool verbose;
	pid_t child;		/* -c child, for cpid; 0 if none */
	unsigned max_keys;	/* keys a map holds; 0 for PLAN_MAX_KEYS */
	bool unsafe;		/* --unsafe: system() and signal() allowed */
	unsigned strlen;	/* bytes a Go string is read up to (BPFTRACE_STRLEN) */
};

/* Returns 0 with *out filled, or -EINVAL after diagnostics. */
int sema_run(const struct sema_opts *opts, struct program *prog, struct plan *out);

#endif
