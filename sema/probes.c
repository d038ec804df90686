/*
 * Attach points to programs.
 *
 * Each attach point a probe names ("uprobe:/bin/x:main.*") is handed to
 * its kind's resolve hook (probes/probes.h), which finds what it matches.
 * Every attach point found becomes one BPF program of the plan, with its
 * own copy of the probe's body, since the same block is typed differently
 * at different points (tracepoint args differ from one tracepoint to the
 * next). Here the program also gets its name and its probe names: one for
 * the program, or one per uprobe site, which its cookie carries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "sema/sema_int.h"

#define MAX_PARTS 4

struct resolving {
	struct plan *plan;
	struct node *probe;
};

/* "$1" in an attach point is the positional parameter, as in bpftrace:
 * interval:ms:$1. Returns a malloc'd copy. */
static char *substitute(const struct sema_opts *opts, const char *text)
{
	size_t cap = strlen(text) + 1;
	char *out = xcalloc(1, cap), *o = out;

	for (const char *p = text; *p;) {
		if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long n = strtol(p + 1, &end, 10);
			const char *v = n >= 1 && n <= opts->nparams ? opts->params[n - 1] : "";
			size_t used = o - out;
			cap += strlen(v);
			out = xrealloc(out, cap);
			o = stpcpy(out + used, v);
			p = end;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return out;
}

/* rq->add: one more program, for attach point ap. */
static void add_prog(struct probe_request *rq, struct attach_point *ap)
{
	struct resolving *r = rq->ctx;
	struct plan *p = r->plan;
	struct plan_prog *pp;

	p->progs = xrealloc(p->progs, (p->nprogs + 1) * sizeof(*p->progs));
	pp = &p->progs[p->nprogs];
	memset(pp, 0, sizeof(*pp));
	pp->type = rq->type;
	snprintf(pp->name, sizeof(pp->name), "p%d", p->nprogs);
	pp->ap = *ap;
	pp->ap.prog_name = xstrdup(pp->name); /* progs moves as it grows */
	pp->probe = node_copy(r->probe);
	for (int i = 0; i < ap->nsites; i++) {
		struct uprobe_site *s = &pp->ap.sites[i];

		s->cookie = plan_cookie(plan_add_probe_name(p, s->probe),
					plan_add_probe_name(p, s->func), s->sp_delta);
	}
	pp->probe_id = ap->nsites ? (int)(pp->ap.sites[0].cookie & PLAN_COOKIE_NAME)
				  : plan_add_probe_name(p, ap->name);
	pp->ap.cookie = (uint64_t)pp->probe_id;
	p->nprogs++;
}

static int resolve(const struct sema_opts *opts, struct node *probe,
		   struct probe_spec *s, struct plan *plan)
{
	struct resolving r = { plan, probe };
	struct probe_request rq = {
		.loc = &s->loc, .target = opts->target, .pid = opts->pid,
		.child = opts->child > 0,
		.verbose = opts->verbose, .add = add_prog, .ctx = &r,
	};
	char *text = substitute(opts, s->text), *parts[MAX_PARTS];
	int rc;

	rq.parts = parts;
	rq.nparts = probe_split(text, parts, MAX_PARTS, false);
	if (rq.nparts < 0) {
		diag_error(&s->loc, "too many ':' in '%s'", s->text);
		rc = -EINVAL;
	} else if (!(rq.type = probe_type_find(parts[0]))) {
		diag_error(&s->loc, "unknown probe type '%s'", parts[0]);
		rc = -EINVAL;
	} else {
		rc = rq.type->resolve(&rq);
	}
	free(text);
	return rc;
}

int probes_resolve(const struct sema_opts *opts, struct node *probe, struct plan *plan)
{
	int rc = 0;

	for (struct probe_spec *s = probe->specs; s; s = s->next)
		rc |= resolve(opts, probe, s, plan);
	return rc ? -EINVAL : 0;
}
