/*
 * Maps in sema: every @name gets one struct map_info, whose key and
 * value types are learnt from the first use and checked at every other
 * one; at the end each map gets its BPF layout (common/types.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "common/alloc.h"
#include "sema/sema_int.h"

struct map_info *sema_map_of(struct sema *s, struct node *n)
{
	struct plan *p = s->plan;

	for (int i = 0; i < p->nmaps; i++)
		if (strcmp(p->maps[i]->name, n->str) == 0)
			return p->maps[i];
	struct map_info *m = xcalloc(1, sizeof(*m));
	m->name = xstrdup(n->str);
	m->id = p->nmaps;
	m->nkeys = -1;
	m->loc = n->loc;
	p->maps = xrealloc(p->maps, (p->nmaps + 1) * sizeof(*p->maps));
	p->maps[p->nmaps++] = m;
	return m;
}

/* "(integer, string)" for a key tuple, "no key" for none. */
static const char *describe(const struct gt_type *t, char *buf, size_t len)
{
	size_t o = 0;

	if (t->kind != GT_TUPLE)
		return t->kind == GT_NONE ? "no key" : gt_name(t);
	o += snprintf(buf + o, len - o, "(");
	for (int i = 0; i < t->nelems && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			      gt_name(&t->elems[i]));
	if (o < len)
		snprintf(buf + o, len - o, ")");
	return buf;
}

/* Check a map reference's keys against what the map was used with. */
/* What a key was written as, for labels in --pprof: the builtin,
 * function, variable or Go field it reads; "key1", "key2", ... else. */
static char *key_name(const struct node *k, int i)
{
	char buf[64];

	while (k && (k->kind == N_GOREAD || k->kind == N_GOSTR || k->kind == N_DEREF) && k->lhs)
		k = k->lhs;
	switch (k ? k->kind : N_INT) {
	case N_IDENT:
	case N_FIELD:
	case N_VAR:
		if (k->str)
			return xstrdup(k->str);
		break;
	case N_CALL:
		if (k->func)
			return xstrdup(k->func->name);
		if (k->str)
			return xstrdup(k->str);
		break;
	case N_MAP:
		return xstrdup(k->str ? k->str : "@");
	default:
		break;
	}
	snprintf(buf, sizeof(buf), "key%d", i + 1);
	return xstrdup(buf);
}

int sema_map_keys(struct sema *s, struct node *n)
{
	struct map_info *m = sema_map_of(s, n);
	int nkeys = node_count(n->args);
	struct gt_type kt = { .kind = GT_NONE };
	char b1[128], b2[128];

	n->map = m;
	for (struct node *k = n->args; k; k = k->next) {
		if (sema_expr(s, k))
			return -EINVAL;
		/* @m[$kv.0] in `for ($kv : @m)` over a map of several keys:
		 * one tuple holding them all, laid out as the key is */
		if (nkeys == 1 && k->type.kind == GT_TUPLE &&
		    (m->nkeys < 0 || (m->nkeys > 1 && m->nkeys == k->type.nelems))) {
			nkeys = k->type.nelems;
			kt = k->type;
			break;
		}
		if (k->type.kind == GT_NONE || gt_is_aggregation(k->type.kind) ||
		    k->type.kind == GT_TUPLE)
			return sema_error(s, &k->loc, "a %s cannot be a map key",
					  gt_name(&k->type));
	}
	if (nkeys && kt.kind == GT_NONE)
		kt = gt_tuple_of(n->args);
	for (int i = 0; i < kt.nelems; i++)
		sema_c_map_type(&kt.elems[i], true);
	if (m->nkeys < 0) {
		int i = 0;

		m->nkeys = nkeys;
		m->key = kt;
		m->key_names = xcalloc(nkeys + 1, sizeof(*m->key_names));
		for (struct node *k = n->args; k && i < nkeys; k = k->next, i++)
			m->key_names[i] = key_name(k, i);
		for (; i < nkeys; i++)	/* the fields of a tuple key */
			m->key_names[i] = key_name(NULL, i);
		return 0;
	}
	if (m->nkeys != nkeys || (nkeys && !gt_same(&m->key, &kt)))
		return sema_error(s, &n->loc,
				  "%s used with different key types: %s here, %s before",
				  m->name, describe(&kt, b1, sizeof(b1)),
				  describe(&m->key, b2, sizeof(b2)));
	if (nkeys)
		gt_widen(&m->key, &kt);
	return 0;
}

/* A map read in an expression: @x or @x[k]. */
int sema_map_read(struct sema *s, struct node *n)
{
	if (sema_map_keys(s, n))
		return -EINVAL;
	if (n->map->value.kind == GT_NONE)
		return sema_error(s, &n->loc, "%s is read but never assigned",
				  n->map->name);
	if (gt_is_aggregation(n->map->value.kind))
		return sema_error(s, &n->loc,
				  "%s holds %s, which can only be printed, not read",
				  n->map->name, gt_name(&n->map->value));
	n->type = n->map->value;
	return 0;
}

/* Give map m the value type t, or check t against the one it has. */
int sema_map_value(struct sema *s, struct node *at, struct map_info *m,
		     const struct gt_type *t)
{
	const struct attach_point *ap = &s->pp->ap;
	struct gt_type ct = *t;

	sema_c_map_type(&ct, false);
	t = &ct;
	/* samples of a profile probe: --pprof gives them a CPU time */
	if (ap->kind == PK_PROFILE && !m->sample_period_ns)
		m->sample_period_ns = ap->period_ns ? ap->period_ns :
				      ap->freq_hz ? 1000000000ull / ap->freq_hz : 0;
	if (m->value.kind == GT_NONE) {
		m->value = *t;
		return 0;
	}
	if (!gt_same(&m->value, t) ||
	    (t->kind == GT_LHIST && (m->value.lhist_min != t->lhist_min ||
				     m->value.lhist_max != t->lhist_max ||
				     m->value.lhist_step != t->lhist_step)))
		return sema_error(s, &at->loc,
				  "%s used with different value types: %s here, %s before",
				  m->name, gt_name(t), gt_name(&m->value));
	gt_widen(&m->value, t);
	return 0;
}

/* Maps passed to print/clear/zero/delete: the map itself, not its value. */
int sema_map_arg(struct sema *s, struct node *n, bool keys)
{
	if (n->kind != N_MAP)
		return sema_error(s, &n->loc, "expected a map, as in @name");
	if (!keys) {
		if (n->args)
			return sema_error(s, &n->loc, "expected a whole map, without keys");
		n->map = sema_map_of(s, n);
		return 0;
	}
	return sema_map_keys(s, n);
}

/* BPF layout of each map, from its key and value types. */
int sema_layout_maps(struct sema *s)
{
	for (int i = 0; i < s->plan->nmaps; i++) {
		struct map_info *m = s->plan->maps[i];
		enum gt_kind k = m->value.kind;

		if (k == GT_NONE) {
			sema_error(s, &m->loc, "%s is used but never assigned", m->name);
			continue;
		}
		m->key_size = m->nkeys > 0 ? m->key.size : 8;
		if (k == GT_HIST || k == GT_LHIST)
			m->key_size += 8;
		m->bpf_type = gt_is_aggregation(k) ? BPF_MAP_TYPE_PERCPU_HASH
						     : BPF_MAP_TYPE_HASH;
		/* @x = count() without keys: a one-slot per-CPU array, whose
		 * lookup the kernel inlines (no helper call), and which, like
		 * bpftrace's, prints "@x: 0" even when nothing counted. */
		/* Hashes allocate each element as it is added, so that a
		 * large max_keys costs kernel memory only as keys come. */
		m->max_entries = s->plan->max_keys;
		m->map_flags = BPF_F_NO_PREALLOC;
		if (k == GT_COUNT && m->nkeys == 0) {
			m->bpf_type = BPF_MAP_TYPE_PERCPU_ARRAY;
			m->key_size = 4;
			m->max_entries = 1;
			m->map_flags = 0;
		}
		switch (k) {
		case GT_MIN: case GT_MAX: case GT_AVG: case GT_STATS:
			m->value_size = 16;
			break;
		case GT_COUNT: case GT_SUM: case GT_HIST: case GT_LHIST:
			m->value_size = 8;
			break;
		default:
			m->value_size = gt_align8(m->value.size);
		}
		if (m->key_size > 512)
			sema_error(s, &m->loc, "%s's key is %u bytes; the kernel allows 512",
				   m->name, m->key_size);
	}
	return s->errors ? -EINVAL : 0;
}
