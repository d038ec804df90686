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

int plan_probe_count(const struct plan *p)
{
	int n = 0;

	for (int i = 0; i < p->nprogs; i++)
		n += p->progs[i].ap.nfuncs ? p->progs[i].ap.nfuncs : 1;
	return n;
}

int plan_add_helper_error(struct plan *p, const char *helper, const struct loc *loc)
{
	struct async_action *a;

	p->async = xrealloc(p->async, (p->nasync + 1) * sizeof(*p->async));
	a = &p->async[p->nasync];
	memset(a, 0, sizeof(*a));
	a->kind = AS_HELPER_ERROR;
	a->fmt = xstrdup(helper);
	a->size = 8;
	a->map_id = -1;
	if (loc)
		a->loc = *loc;
	return p->nasync++;
}
