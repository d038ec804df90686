/*
 * Codegen: from a checked plan to a BPF ELF object, through LLVM.
 */
#ifndef GOTRACE_CODEGEN_H
#define GOTRACE_CODEGEN_H

#include <stddef.h>
#include <stdio.h>

#include "sema/sema.h"

/* Names of the maps every object has, for the runtime. */
#define CG_EVENTS_MAP "events"	/* ring buffer of async actions */
#define CG_LOST_MAP "lost"	/* per-CPU u64: records the ring buffer refused */
#define CG_FAULTS_MAP "faults"	/* per-CPU u64: user-memory reads that faulted */
#define CG_CFG_MAP "cfg"	/* array of u64 set by the runtime before BEGIN */
#define CG_CFG_START_NS 0	/* cfg[0]: ktime at start, for `elapsed` */
#define CG_CFG_EXIT 1		/* cfg[1]: exit code + 1 once exit() ran, so that
				   exit() works even if its record was lost */
#define CG_EVENTS_SIZE (1u << 20)
#define CG_MAX_ENTRIES 4096	/* bpftrace's default map size */

/* Stack-trace map for by-id stacks of a given depth: "s<depth>" with the
 * user/kernel flag folded in as "su<depth>"/"sk<depth>". */
void cg_stack_map_name(char *buf, size_t len, int user, int depth);

struct cg_opts {
	FILE *ir;		/* write the IR here if not NULL */
	unsigned events_size;	/* ring buffer bytes (power of 2, >= 4096);
				   0 for CG_EVENTS_SIZE */
};

/* Returns 0 and a malloc'd ELF object, or -EINVAL after a message. */
int codegen_run(struct plan *plan, const struct cg_opts *opts, void **elf,
		size_t *len);

#endif
