/*
 * hist() and lhist() maps.
 *
 * The BPF side stores @h[k] = hist(x) as key (k, bucket) -> count per CPU
 * (see common/types.h), so we first group the entries by k, summing CPUs,
 * into one bucket array per k. Groups are sorted by their total count
 * (ties by key), and `top` keeps the last ones, as bpftrace 0.17 does;
 * the format then prints each group's buckets from the first non-zero
 * one to the last.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

static int entry_cmp(const void *pa, const void *pb, void *arg)
{
	const struct out_hist *h = arg;
	const struct map_entry *a = pa, *b = pb;

	return memcmp(a->key, b->key, h->ukey);
}

/* By the sum of the counts, from groups in the order of their key
 * bytes, with std::sort, as bpftrace 0.17 (see out_sort.c). */
static bool group_less(const void *pa, const void *pb, void *arg)
{
	const struct out_group *a = pa, *b = pb;

	(void)arg;
	return (int64_t)a->total < (int64_t)b->total;
}

/* Sort a copy of the entries by key and fold each run into a group. */
static size_t make_groups(const struct out_hist *h, const struct map_entry *ents,
			  size_t n, int ncpu, struct out_group *g)
{
	struct map_entry *e = malloc((n ? n : 1) * sizeof(*e));
	unsigned stride = out_cpu_stride(h->m);
	size_t ng = 0;

	if (!e)
		return 0;
	memcpy(e, ents, n * sizeof(*e));
	qsort_r(e, n, sizeof(*e), entry_cmp, (void *)h);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = out_u64(e[i].key + h->ukey);

		if (ng == 0 || memcmp(g[ng - 1].key, e[i].key, h->ukey))
			g[ng++].key = e[i].key;
		if (b >= (uint64_t)h->nb)
			continue;
		for (int c = 0; c < ncpu; c++) {
			uint64_t v = out_u64(e[i].value + c * stride);

			g[ng - 1].counts[b] += v;
			g[ng - 1].total += v;
		}
	}
	free(e);
	return ng;
}

void out_hist_bounds(const uint64_t *c, int nb, int *first, int *last,
		     uint64_t *max)
{
	*first = *last = -1;
	*max = 0;
	for (int i = 0; i < nb; i++) {
		if (!c[i])
			continue;
		if (*first < 0)
			*first = i;
		*last = i;
		if (c[i] > *max)
			*max = c[i];
	}
}

void out_hist_map(struct out *o, const struct map_desc *m,
		  const struct map_entry *ents, size_t n, int ncpu, int top,
		  int div)
{
	struct out_hist h = { .m = m, .ukey = m->key_size - 8 };
	struct out_group *g;
	uint64_t *counts;
	size_t ng, skip = 0;

	if (m->key_size < 8)
		return;
	h.nb = m->value.kind == GT_HIST ? GT_HIST_BUCKETS
					: (int)gt_lhist_nbuckets(&m->value) + 2;
	if (h.nb < 2 || h.nb > 100000)
		return;
	if (!m->percpu || ncpu < 1)
		ncpu = 1;
	if (div < 1 || m->value.kind == GT_LHIST)
		div = 1;
	g = calloc(n ? n : 1, sizeof(*g));
	counts = calloc((n ? n : 1) * h.nb, sizeof(*counts));
	if (g && counts) {
		for (size_t i = 0; i < n; i++)
			g[i].counts = counts + i * h.nb;
		ng = make_groups(&h, ents, n, ncpu, g);
		out_cxx_sort(g, ng, sizeof(*g), group_less, &h);
		if (top > 0 && ng > (size_t)top)
			skip = ng - top;
		out_ops_of(o)->hist(o, &h, g + skip, ng - skip, div);
	}
	free(g);
	free(counts);
}
