/*
 * Maps whose values are single values: count, sum, min, max, avg, stats,
 * and plain assigned values (int, str, stack, tuple, ...). Hist and lhist
 * maps are in out_hist.c.
 *
 * Steps, as bpftrace 0.17 does them: combine each entry's per-CPU slots,
 * sort (see output.h for the orders), drop all but the last `top` entries;
 * the format then prints the rows, dividing values by `div`.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/out_int.h"

static bool is_signed_value(const struct gt_type *t)
{
	return out_is_avg(t->kind) || (t->kind != GT_COUNT && t->is_signed);
}

/* min and max skip CPUs that never saw a value; none seen reads as 0. */
static int64_t combine_minmax(const struct map_desc *m, const uint8_t *p,
			      int ncpu)
{
	bool any = false, sgn = m->value.is_signed;
	int64_t best = 0;

	for (int c = 0; c < ncpu; c++, p += out_cpu_stride(m)) {
		struct gt_minmax mm;
		bool better;

		memcpy(&mm, p, sizeof(mm));
		if (!mm.seen)
			continue;
		if (sgn)
			better = m->value.kind == GT_MIN ? mm.value < best
							 : mm.value > best;
		else
			better = m->value.kind == GT_MIN
				 ? (uint64_t)mm.value < (uint64_t)best
				 : (uint64_t)mm.value > (uint64_t)best;
		if (!any || better)
			best = mm.value;
		any = true;
	}
	return best;
}

static void combine(const struct map_desc *m, struct out_row *r, int ncpu)
{
	const uint8_t *p = r->value;
	unsigned stride = out_cpu_stride(m);

	r->v = r->count = r->total = 0;
	switch (m->value.kind) {
	case GT_MIN:
	case GT_MAX:
		r->v = combine_minmax(m, p, ncpu);
		return;
	case GT_AVG:
	case GT_STATS:
		for (int c = 0; c < ncpu; c++, p += stride) {
			struct gt_avg a;

			memcpy(&a, p, sizeof(a));
			r->count += a.count;
			r->total += a.total;
		}
		r->v = r->count ? r->total / r->count : 0;
		return;
	case GT_INT:
	case GT_COUNT:
	case GT_SUM:
		for (int c = 0; c < ncpu; c++, p += stride)
			r->v += out_int_read(&m->value, p);
		return;
	default:
		return;
	}
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct map_desc *m = arg;
	const struct out_row *a = pa, *b = pb;

	if (out_is_number(m->value.kind) && a->v != b->v) {
		if (is_signed_value(&m->value))
			return a->v < b->v ? -1 : 1;
		return (uint64_t)a->v < (uint64_t)b->v ? -1 : 1;
	}
	return out_key_cmp(&m->key, a->key, b->key);
}

/* avg and stats: bpftrace 0.17 gathers them in the order of their key
 * bytes, then std::sorts them by average (out_sort.c), so ties print in
 * that order. */
static int key_bytes_cmp(const void *pa, const void *pb, void *arg)
{
	const struct map_desc *m = arg;
	const struct out_row *a = pa, *b = pb;

	return memcmp(a->key, b->key, m->key_size);
}

static bool avg_less(const void *pa, const void *pb, void *arg)
{
	const struct out_row *a = pa, *b = pb;

	(void)arg;
	return a->v < b->v;
}

void out_number_write(FILE *f, const struct map_desc *m, int64_t v, int div)
{
	if (is_signed_value(&m->value))
		fprintf(f, "%lld", (long long)(v / (int64_t)div));
	else
		fprintf(f, "%llu", (unsigned long long)((uint64_t)v / div));
}

void out_map(struct out *o, const struct map_desc *m,
	     const struct map_entry *ents, size_t n, int ncpu, int top, int div)
{
	struct out_row *rows;
	size_t skip = 0;

	if (m->value.kind == GT_HIST || m->value.kind == GT_LHIST) {
		out_hist_map(o, m, ents, n, ncpu, top, div);
		return;
	}
	if (!m->percpu || ncpu < 1)
		ncpu = 1;
	if (div < 1 || m->value.kind == GT_STATS)
		div = 1;
	if (top < 0 || m->value.kind == GT_STATS)
		top = 0;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return;
	for (size_t i = 0; i < n; i++) {
		rows[i].key = ents[i].key;
		rows[i].value = ents[i].value;
		combine(m, &rows[i], ncpu);
	}
	if (out_is_avg(m->value.kind)) {
		qsort_r(rows, n, sizeof(*rows), key_bytes_cmp, (void *)m);
		out_cxx_sort(rows, n, sizeof(*rows), avg_less, NULL);
	} else {
		qsort_r(rows, n, sizeof(*rows), row_cmp, (void *)m);
	}
	if (top > 0 && n > (size_t)top)
		skip = n - top;
	out_ops_of(o)->map(o, m, rows + skip, n - skip, div);
	free(rows);
}
