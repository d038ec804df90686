/*
 * The plan's names: of maps in the BPF object, and of probes, which
 * GT_PROBE values and uprobe cookies index.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "sema/plan.h"

void plan_map_name(char *buf, size_t len, int id)
{
	snprintf(buf, len, "m%d", id);
}

void plan_stack_map_name(char *buf, size_t len, bool user, int depth)
{
	snprintf(buf, len, "s%c%d", user ? 'u' : 'k', depth);
}

int plan_add_probe_name(struct plan *p, const char *name)
{
	for (int i = 0; i < p->nprobe_names; i++)
		if (strcmp(p->probe_names[i], name) == 0)
			return i;
	p->probe_names = xrealloc(p->probe_names, (p->nprobe_names + 1) * sizeof(char *));
	p->probe_names[p->nprobe_names] = xstrdup(name);
	return p->nprobe_names++;
}

/* Programs that print per event (printf, print(value), join, cat,
 * system, time) get a ring buffer for a stream: at a million 40-byte
 * records a second, 16 MiB is 400 ms of slack for a consumer that a busy
 * machine keeps off the CPU. The others send only exit() and map
 * commands, for which 1 MiB is plenty: the pages are kernel memory,
 * allocated up front. */
unsigned plan_events_size(const struct plan *p)
{
	for (int i = 0; i < p->nasync; i++)
		if (p->async[i].kind == AS_PRINTF || p->async[i].kind == AS_PRINT_VALUE ||
		    p->async[i].kind == AS_JOIN || p->async[i].kind == AS_CAT ||
		    p->async[i].kind == AS_SYSTEM || p->async[i].kind == AS_TIME)
			return PLAN_EVENTS_SIZE_STREAM;
	return PLAN_EVENTS_SIZE;
}

int plan_probe_count(const struct plan *p)
{
	int n = 0;

	for (int i = 0; i < p->nprogs; i++)
		n += p->progs[i].ap.nfuncs ? p->progs[i].ap.nfuncs : 1;
	return n;
}

/* A new action of codegen's own, with one u64 of payload and no map;
 * its id is p->nasync - 1. */
static struct async_action *add_word_action(struct plan *p, enum async_kind kind)
{
	struct async_action *a;

	p->async = xrealloc(p->async, (p->nasync + 1) * sizeof(*p->async));
	a = &p->async[p->nasync++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->size = 8;
	a->map_id = -1;
	return a;
}

int plan_pid_seen(struct plan *p)
{
	for (int i = 0; i < p->nasync; i++)
		if (p->async[i].kind == AS_PID_SEEN)
			return i;
	add_word_action(p, AS_PID_SEEN);
	return p->nasync - 1;
}

int plan_add_helper_error(struct plan *p, const char *helper, const struct loc *loc)
{
	struct async_action *a = add_word_action(p, AS_HELPER_ERROR);

	a->fmt = xstrdup(helper);
	if (loc)
		a->loc = *loc;
	return p->nasync - 1;
}
