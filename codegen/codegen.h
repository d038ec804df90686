/*
 * Codegen: from a checked plan to a BPF ELF object, through LLVM.
 *
 * The object holds one program per plan program, in the section its
 * probe kind names, and the maps the plan describes, under the names
 * sema/plan.h gives them; the runtime finds both by those names.
 */
#ifndef GOTRACE_CODEGEN_H
#define GOTRACE_CODEGEN_H

#include <stddef.h>
#include <stdio.h>

#include "sema/plan.h"

struct cg_opts {
	FILE *ir;		/* write the IR here if not NULL */
	unsigned events_size;	/* ring buffer bytes (power of 2, >= 4096);
				   0 for PLAN_EVENTS_SIZE */
	int helper_checks;	/* -k: 1, -kk: 2 */
};

/* Returns 0 and a malloc'd ELF object, or -EINVAL after a message. */
int codegen_run(struct plan *plan, const struct cg_opts *opts, void **elf,
		size_t *len);

/* The version of the LLVM linked in ("14.0.6"). */
const char *codegen_llvm_version(void);

#endif
