/*
 * Newer bpftrace's questions about a whole map: has_key(@m, k), len(@m),
 * and `for ($kv : @m) { ... }`, which walks a map's entries in BPF
 * (codegen/mapiter.c, with bpf_for_each_map_elem).
 */
#include <errno.h>

#include "common/alloc.h"
#include "sema/sema_int.h"

/* A whole map, assigned somewhere, with keys: what len() counts and a
 * for loop walks. */
static int walkable(struct sema *s, struct node *mapn, const char *what)
{
	struct map_info *m;

	if (mapn->kind != N_MAP || mapn->args)
		return sema_error(s, &mapn->loc, "%s needs a whole map, as in @name", what);
	m = sema_map_of(s, mapn);
	mapn->map = m;
	if (m->value.kind == GT_NONE)
		return sema_error(s, &mapn->loc, "%s is used but never assigned", m->name);
	if (m->nkeys == 0)
		return sema_error(s, &mapn->loc, "%s needs a map with keys; %s has none",
				  what, m->name);
	return 0;
}

/* fn(@m, k), or fn(@m, (k1, k2)) for a map with two keys: the key goes
 * into the map node, as in @m[k], so that it is checked and built as any
 * map key is; sema runs twice, so the rewrite accepts its own output. */
int sema_key_arg(struct sema *s, struct node *n, const char *fn)
{
	struct node *mapn = n->args, *key = mapn->next;

	if (mapn->kind != N_MAP || (mapn->args && mapn->args != key &&
				    !(key->kind == N_TUPLE && mapn->args == key->args)))
		return sema_error(s, &mapn->loc, "%s() needs a map, as in %s(@name, key)",
				  fn, fn);
	if (!mapn->args)
		mapn->args = key->kind == N_TUPLE ? key->args : key;
	return 0;
}

/* has_key(@m, k): 1 if the entry exists. */
int sema_has_key(struct sema *s, struct node *n)
{
	struct node *mapn = n->args;

	if (sema_key_arg(s, n, "has_key") || sema_map_keys(s, mapn))
		return -EINVAL;
	if (mapn->map->nkeys == 0)
		return sema_error(s, &mapn->loc, "has_key() needs a map with keys; %s has none",
				  mapn->map->name);
	if (mapn->map->value.kind == GT_HIST || mapn->map->value.kind == GT_LHIST)
		return sema_error(s, &mapn->loc, "has_key() cannot look into %s, a %s map",
				  mapn->map->name, gt_name(&mapn->map->value));
	n->type = gt_int(false);
	return 0;
}

/* len(@m): the number of entries, counted by walking the map. */
int sema_map_len(struct sema *s, struct node *n)
{
	if (walkable(s, n->args, "len()"))
		return -EINVAL;
	n->type = gt_int(true);
	return 0;
}

/* The type of $kv in `for ($kv : @m)`: (key, value), the key a tuple of
 * its own when the map has several. As the bytes lie in the map: the
 * key, then the value. */
static struct gt_type entry_type(const struct map_info *m)
{
	struct gt_type t = { .kind = GT_TUPLE, .nelems = 2 };

	t.elems = xcalloc(2, sizeof(*t.elems));
	t.elems[0] = m->nkeys == 1 ? m->key.elems[0] : m->key;
	t.elems[1] = m->value;
	if (m->value.kind == GT_COUNT || m->value.kind == GT_SUM)	/* summed */
		t.elems[1] = gt_int(m->value.kind == GT_SUM && m->value.is_signed);
	t.size = gt_align8(t.elems[0].size) + gt_align8(t.elems[1].size);
	return t;
}

/* The loop's variable lives in the loop only, as in bpftrace: a $kv of
 * its own, in front of any $kv outside while the body is checked. */
static int loop_body(struct sema *s, struct node *n, const struct gt_type *t,
		     int (*body)(struct sema *, struct node *))
{
	struct var_info *v = xcalloc(1, sizeof(*v)), **pp;
	int rc;

	v->name = n->lhs->str;
	v->type = *t;
	v->next = s->vars;
	s->vars = v;
	n->lhs->var = v;
	n->lhs->type = v->type;
	s->loops++;
	rc = body(s, n->body);
	s->loops--;
	for (pp = &s->vars; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	return rc;
}

/* for ($kv : @m) { body }: n->lhs the variable, n->rhs the map. */
int sema_for_map(struct sema *s, struct node *n, int (*body)(struct sema *, struct node *))
{
	struct map_info *m;
	struct gt_type t;

	if (walkable(s, n->rhs, "for"))
		return -EINVAL;
	m = n->rhs->map;
	if (gt_is_aggregation(m->value.kind) && m->value.kind != GT_COUNT &&
	    m->value.kind != GT_SUM)
		return sema_error(s, &n->rhs->loc, "for can walk maps of count() and sum(), "
				  "not of %s: print(%s) instead", gt_name(&m->value), m->name);
	t = entry_type(m);
	return loop_body(s, n, &t, body);
}

/* for ($i : a..b) { body }: $i from a up to b, b excluded; a and b are
 * read once, before the first round. */
int sema_for_range(struct sema *s, struct node *n, int (*body)(struct sema *, struct node *))
{
	struct node *a = n->args, *b = a->next;
	struct gt_type t = gt_int(true);

	if (sema_expr(s, a) || sema_int_arg(s, a, "a range's start") ||
	    sema_expr(s, b) || sema_int_arg(s, b, "a range's end"))
		return -EINVAL;
	return loop_body(s, n, &t, body);
}

/* let $x; or let $x: T; ($x = 0 until assigned). With a value, the
 * parser made it an assignment (through a cast for a type). */
int sema_let(struct sema *s, struct node *n)
{
	struct gt_type t = { .kind = GT_NONE };

	if (n->str)
		t = gt_intw(atoi(n->str + strcspn(n->str, "0123456789")) / 8, n->str[0] != 'u');
	return sema_declare(s, n->lhs, &t);
}
