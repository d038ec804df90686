/*
 * Which functions inline which callees: one index of all the inline trees
 * of a binary, made when a probe first asks (golang/inlsites.c).
 *
 * Where a Go function was inlined is written only in its callers' inline
 * trees, so finding its copies means reading every function's tree. In
 * hugo (47k functions, 19k trees, 70k records) that took 33M instructions,
 * two thirds of them decoding each tree's index table to learn how many
 * records it has; and a program with probes on 20 functions read them all
 * 20 times. The index reads them once: for each record, the callee's name
 * and the function whose tree holds it, grouped by the name's address.
 *
 * Go's linker writes each name once in funcnametab, so one address is one
 * name. A binary that writes a name twice gets two groups with equal
 * strings; lookups compare the strings, so they find both.
 *
 * Each function's own tree is read, as a scan would. Trees lie in the
 * file, 16 or more bytes a record, so more records than the file has room
 * for means trees shared or overlapping on a scale no linker writes: the
 * index refuses such a binary rather than grow with it (a million
 * functions pointing at one tree of 32,767 records). Making it costs
 * about what one scan did (5% more in hugo): no sort, a hash of the
 * names' addresses, then a counting sort by group, which keeps each
 * group's functions in pclntab order.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "golang/gopcln.h"

/* Records in f's inline tree: one more than the largest index that its
 * index table holds (a pc-value table: zigzag value deltas from -1). */
static int32_t tree_len(const struct go_pcln *g, const struct go_func *f, uint32_t tab)
{
	const uint8_t *p, *end = g->pctab.p + g->pctab.len;
	uint64_t uv, pcd, cur = 0, size = f->end - f->entry;
	int32_t v = -1, max = -1;

	if (!tab || tab >= g->pctab.len)
		return 0;
	for (p = g->pctab.p + tab; cur < size; ) {
		if (!go_uvarint(&p, end, &uv) || (uv == 0 && cur) || !go_uvarint(&p, end, &pcd))
			break;
		v = go_pcdelta(v, uv);
		if (v > max && v < 32768)
			max = v;
		cur += pcd * g->quantum;
	}
	return max + 1;
}

/* Callee names to group numbers: open addressing on the name's address.
 * A slot holds its group + 1 (0: empty); name[] is each group's name, in
 * the order the groups were made. */
struct names {
	uint32_t *slot;
	const char **name;
	size_t mask, n, cap;
};

static uint32_t *slot_of(const struct names *h, const char *name)
{
	size_t i = ((uintptr_t)name >> 3) & h->mask;

	while (h->slot[i] && h->name[h->slot[i] - 1] != name)
		i = (i + 1) & h->mask;
	return &h->slot[i];
}

static uint32_t group_of(struct names *h, const char *name)
{
	uint32_t *s;

	if (2 * (h->n + 1) > h->mask + 1) {	/* grow: at most half full */
		free(h->slot);
		h->mask = h->mask ? 2 * h->mask + 1 : 1023;
		h->slot = xcalloc(h->mask + 1, sizeof(*h->slot));
		for (size_t k = 0; k < h->n; k++)
			*slot_of(h, h->name[k]) = (uint32_t)k + 1;
	}
	if (!*(s = slot_of(h, name))) {
		h->name = xgrow(h->name, h->n, &h->cap, sizeof(*h->name));
		h->name[h->n++] = name;
		*s = (uint32_t)h->n;
	}
	return *s - 1;
}

struct entry {
	uint32_t group, fn;
};

static struct go_inl_index *build(struct bin *b, char *err, size_t errlen)
{
	struct go_pcln *g = b->go;
	struct names h = { 0 };
	struct entry *v = NULL;
	size_t n = 0, cap = 0, records = 0;
	struct go_inl_index *ix;

	/* every record of every function's tree, in function order */
	for (uint64_t i = 0; i < g->nfunc; i++) {
		struct go_func f;
		const char *fname, *callee;
		const uint8_t *recs;
		uint64_t tree;
		uint32_t tab;
		int32_t len, parent;
		size_t size;

		if (go_pcln_func(g, i, &f, &fname) || !go_inline_tree(b, &f, &tree, &tab) ||
		    (len = tree_len(g, &f, tab)) <= 0)
			continue;
		records += (size_t)len;
		if (records > b->size / 16 || records > UINT32_MAX) {
			bin_seterr(err, errlen, "%s: the Go inline trees overlap (%zu records "
				   "in a file of %zu bytes): not a binary Go's linker wrote",
				   b->path, records, b->size);
			free(h.slot);
			free(h.name);
			free(v);
			return NULL;
		}
		recs = go_inline_records(b, tree, len, &size);
		for (int32_t k = 0; k < len; k++) {
			if (!(recs ? go_inline_rec(g, recs + (size_t)k * size, &callee, &parent)
				   : go_inline_record(b, tree, k, &callee, &parent)))
				continue;
			v = xgrow(v, n, &cap, sizeof(*v));
			v[n++] = (struct entry){ group_of(&h, callee), (uint32_t)i };
		}
	}

	/* a counting sort by group keeps each group's functions in order:
	 * count, place each group's run, then fill it (n counts again) */
	ix = xcalloc(1, sizeof(*ix));
	ix->ngroups = h.n;
	ix->groups = xcalloc(h.n + 1, sizeof(*ix->groups));
	ix->fn = xcalloc(n + 1, sizeof(*ix->fn));
	ix->nfn = n;
	for (size_t j = 0; j < n; j++)
		ix->groups[v[j].group].n++;
	for (size_t k = 0, first = 0; k < h.n; k++) {
		uint32_t count = ix->groups[k].n;

		ix->groups[k] = (struct go_inl_group){ h.name[k], (uint32_t)first, 0 };
		first += count;
	}
	for (size_t j = 0; j < n; j++) {
		struct go_inl_group *gr = &ix->groups[v[j].group];

		ix->fn[gr->first + gr->n++] = v[j].fn;
	}
	free(h.slot);
	free(h.name);
	free(v);
	return ix;
}

const struct go_inl_index *go_inl_index(struct bin *b, char *err, size_t errlen)
{
	struct go_pcln *g = b->go;
	struct go_inl_index *ix = __atomic_load_n(&g->inlindex, __ATOMIC_ACQUIRE), *expected = NULL;

	if (ix || !(ix = build(b, err, errlen)))
		return ix;
	if (!__atomic_compare_exchange_n(&g->inlindex, &expected, ix, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		go_inl_index_free(ix);	/* another thread won */
		ix = expected;
	}
	return ix;
}

void go_inl_index_free(struct go_inl_index *ix)
{
	if (!ix)
		return;
	free(ix->groups);
	free(ix->fn);
	free(ix);
}
