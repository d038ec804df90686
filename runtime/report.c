/*
 * Losses the BPF side counted, turned into notices; and -v's account of
 * the maps' kernel memory. See runtime/report.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "runtime/report.h"
#include "runtime/run.h"

void report_init(struct report *rp, struct bpf_object *obj, const struct plan *plan,
		 struct out *out, int ncpu)
{
	*rp = (struct report){ .obj = obj, .plan = plan, .out = out, .ncpu = ncpu };
	rp->shown = xcalloc(plan->nmaps, sizeof(*rp->shown));
}

void report_free(struct report *rp)
{
	free(rp->shown);
	rp->shown = NULL;
}

uint64_t report_counter(struct report *rp, const char *name, uint32_t slot)
{
	struct bpf_map *m = bpf_object__find_map_by_name(rp->obj, name);
	uint64_t *vals = xcalloc(rp->ncpu, 8), total = 0;

	if (m && bpf_map_lookup_elem(bpf_map__fd(m), &slot, vals) == 0)
		for (int i = 0; i < rp->ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

static uint64_t drops(struct report *rp, int slot)
{
	return report_counter(rp, PLAN_DROPS_MAP, (uint32_t)slot);
}

void report_map(struct report *rp, const struct map_info *m)
{
	uint64_t n = drops(rp, m->id);
	struct out_notice no = { NOTICE_MAP_FULL, m->name, n - rp->shown[m->id],
				 m->max_entries, false };

	if (n > rp->shown[m->id])
		out_notice(rp->out, &no);
	rp->shown[m->id] = n;
}

/* Kernel memory of a map, as the kernel accounts it (fdinfo's memlock). */
static uint64_t kernel_bytes(int fd)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static uint64_t count_keys(int fd, unsigned key_size)
{
	uint8_t *key = xcalloc(2, key_size ? key_size : 1), *next = key + key_size;
	uint64_t n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	free(key);
	return n;
}

/* -v: each of our maps' kernel memory and keys, and the total. */
static void report_memory(struct report *rp)
{
	struct bpf_map *m;
	uint64_t total = 0;

	bpf_object__for_each_map(m, rp->obj) {
		int fd = bpf_map__fd(m);
		uint64_t bytes = kernel_bytes(fd);
		const char *name = bpf_map__name(m);
		char label[128];

		total += bytes;
		snprintf(label, sizeof(label), "%s", name);
		for (int i = 0; i < rp->plan->nmaps; i++) {
			char bpf_name[16];

			plan_map_name(bpf_name, sizeof(bpf_name), rp->plan->maps[i]->id);
			if (strcmp(bpf_name, name) == 0)
				snprintf(label, sizeof(label), "%s (%s)",
					 rp->plan->maps[i]->name, name);
		}
		if (bpf_map__type(m) == BPF_MAP_TYPE_HASH ||
		    bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_HASH)
			fprintf(stderr, "gotrace: map %s: %llu bytes of kernel memory, "
				"%llu of %u keys\n", label, (unsigned long long)bytes,
				(unsigned long long)count_keys(fd, bpf_map__key_size(m)),
				bpf_map__max_entries(m));
		else
			fprintf(stderr, "gotrace: map %s: %llu bytes of kernel memory\n",
				label, (unsigned long long)bytes);
	}
	fprintf(stderr, "gotrace: maps: %llu bytes of kernel memory in all\n",
		(unsigned long long)total);
}

void report_exit(struct report *rp, bool verbose)
{
	const struct plan *p = rp->plan;
	struct out_notice n = { NOTICE_LOST_EVENTS };

	if ((n.count = report_counter(rp, PLAN_LOST_MAP, 0)))
		out_notice(rp->out, &n);
	n = (struct out_notice){ NOTICE_FAULTS };
	if ((n.count = report_counter(rp, PLAN_FAULTS_MAP, 0)))
		out_notice(rp->out, &n);
	for (int i = 0; i < p->nmaps; i++) {
		n = (struct out_notice){ NOTICE_MAP_FULL, p->maps[i]->name,
					 drops(rp, p->maps[i]->id), p->maps[i]->max_entries,
					 true };
		if (n.count)
			out_notice(rp->out, &n);
	}
	for (int user = 1; user >= 0; user--) {
		n = (struct out_notice){ NOTICE_STACKS_LOST, user ? "user" : "kernel",
					 drops(rp, plan_loss_slot(p->nmaps, user ? PLAN_LOSS_USTACKS
										 : PLAN_LOSS_KSTACKS)) +
					 mapread_refs_missing(user),
					 p->max_keys };
		if (n.count)
			out_notice(rp->out, &n);
	}
	n = (struct out_notice){ NOTICE_STRINGS_CUT, "go_str",
				 drops(rp, plan_loss_slot(p->nmaps, PLAN_LOSS_GO_STRINGS)) };
	if (n.count)
		out_notice(rp->out, &n);
	n = (struct out_notice){ NOTICE_PIDS_REUSED, .count = proc_reused() };
	if (n.count)
		out_notice(rp->out, &n);
	n = (struct out_notice){ NOTICE_PIDS_GONE, .count = proc_missed() };
	if (n.count)
		out_notice(rp->out, &n);
	if (verbose)
		report_memory(rp);
}
