/*
 * What a run says about its own data: every place the BPF side counted a
 * loss (ring-buffer records refused, user reads that faulted, map updates
 * a full map refused, stacks a full stack store refused) becomes a notice
 * (runtime/output.h), once, with its count; and with -v, the kernel
 * memory the maps hold.
 */
#ifndef GOTRACE_REPORT_H
#define GOTRACE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/output.h"
#include "sema/plan.h"

struct bpf_object;

struct report {
	struct bpf_object *obj;
	const struct plan *plan;
	struct out *out;
	int ncpu;
	uint64_t *shown;	/* per map: dropped updates already reported */
};

void report_init(struct report *rp, struct bpf_object *obj, const struct plan *plan,
		 struct out *out, int ncpu);
void report_free(struct report *rp);

/* After print(@m): the updates @m dropped since it was last reported. */
void report_map(struct report *rp, const struct map_info *m);

/* At exit, after the maps: lost events, faulted reads, and each map's and
 * stack store's drops over the whole run; with verbose, the maps' kernel
 * memory on stderr. */
void report_exit(struct report *rp, bool verbose);

/* Sum over CPUs of slot `slot` of a per-CPU u64 array. */
uint64_t report_counter(struct report *rp, const char *map, uint32_t slot);

#endif
