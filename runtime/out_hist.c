/*
 * Printing hist() and lhist() maps.
 *
 * The BPF side stores @h[k] = hist(x) as key (k, bucket) -> count per CPU
 * (see common/types.h), so we first group the entries by k, summing CPUs,
 * into one bucket array per k. Groups are sorted by their total count
 * (ties by key), `top` keeps the last ones. Measured on bpftrace 0.17:
 *
 *   @h[k]:                                          <- "@h: " with no key
 *   (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   [0]                    0 |                                                    |
 *   [1]                    3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   [2, 4)                 1 |@@@@@@@@@@@@@@@@@                                   |
 *   [4K, 8K)               ...
 *                                                   <- empty line after each
 *
 * Rows run from the first to the last non-zero bucket; the label is padded
 * to 16 columns, the count right-aligned in 8, and the bar is
 * count / max * 52 '@'s computed in float and truncated. hist labels use
 * K, M, G, T for powers of 1024; lhist labels use K or M only when the
 * number is an exact multiple. div divides the printed hist counts (not
 * the bars) and is ignored by lhist. An all-zero group prints only its
 * header line; an empty map prints "\n".
 *
 * JSON: {"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1},
 * ...]}} with {"max": -1, ...} for (..., 0) and {"min": 100, ...} for an
 * lhist's [100, ...); keyed maps nest {"k": [...]} objects.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

struct group {
	const uint8_t *key;
	uint64_t *counts;
	uint64_t total;
};

struct hist_ctx {
	const struct map_desc *m;
	unsigned ukey;		/* bytes of the key without the bucket index */
	int nb;			/* number of buckets */
};

static int entry_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hist_ctx *h = arg;
	const struct map_entry *a = pa, *b = pb;

	return memcmp(a->key, b->key, h->ukey);
}

static int group_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hist_ctx *h = arg;
	const struct group *a = pa, *b = pb;

	if (a->total != b->total)
		return a->total < b->total ? -1 : 1;
	return out_key_cmp(&h->m->key, a->key, b->key);
}

/* Sort a copy of the entries by key and fold each run into a group. */
static size_t make_groups(const struct hist_ctx *h, const struct map_entry *ents,
			  size_t n, int ncpu, struct group *g)
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

static int hist_power_label(char *buf, size_t len, int power)
{
	static const char suffix[] = " KMGT";
	int s = power >= 40 ? 4 : power / 10;

	if (s == 0)
		return snprintf(buf, len, "%d", 1 << power);
	return snprintf(buf, len, "%d%c", 1 << (power - 10 * s), suffix[s]);
}

static int lhist_label(char *buf, size_t len, int64_t v)
{
	if (v != 0 && v % 1048576 == 0)
		return snprintf(buf, len, "%lldM", (long long)(v / 1048576));
	if (v != 0 && v % 1024 == 0)
		return snprintf(buf, len, "%lldK", (long long)(v / 1024));
	return snprintf(buf, len, "%lld", (long long)v);
}

/* The "[lo, hi)" label of bucket i. */
static void bucket_label(const struct gt_type *t, int i, int nb, char *buf,
			 size_t len)
{
	char lo[32], hi[32];

	if (t->kind == GT_HIST) {
		if (i <= 2) {
			snprintf(buf, len, "%s",
				 i == 0 ? "(..., 0)" : i == 1 ? "[0]" : "[1]");
			return;
		}
		hist_power_label(lo, sizeof(lo), i - 2);
		hist_power_label(hi, sizeof(hi), i - 1);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	} else if (i == 0) {
		lhist_label(lo, sizeof(lo), t->lhist_min);
		snprintf(buf, len, "(..., %s)", lo);
	} else if (i == nb - 1) {
		lhist_label(lo, sizeof(lo), t->lhist_max);
		snprintf(buf, len, "[%s, ...)", lo);
	} else {
		lhist_label(lo, sizeof(lo), t->lhist_min + (i - 1) * t->lhist_step);
		lhist_label(hi, sizeof(hi), t->lhist_min + i * t->lhist_step);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	}
}

/* First and last non-zero buckets and the largest count; *first = -1 when
 * all are zero. */
static void bounds(const uint64_t *c, int nb, int *first, int *last,
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

static void text_group(FILE *f, const struct hist_ctx *h,
		       const struct group *g, int div)
{
	int first, last;
	uint64_t max;
	char label[96], bar[53];

	out_map_label(f, h->m, g->key);
	fputs(": \n", f);
	bounds(g->counts, h->nb, &first, &last, &max);
	for (int i = first; first >= 0 && i <= last; i++) {
		int w = (float)g->counts[i] / (float)max * 52;

		memset(bar, '@', w);
		bar[w] = 0;
		bucket_label(&h->m->value, i, h->nb, label, sizeof(label));
		fprintf(f, "%-16s%8llu |%-52s|\n", label,
			(unsigned long long)(g->counts[i] / div), bar);
	}
	fputc('\n', f);
}

/* JSON bounds of bucket i: has_min/has_max say which ends exist. */
static void json_bucket(FILE *f, const struct gt_type *t, int i, int nb,
			uint64_t count)
{
	int64_t lo = 0, hi = 0;
	bool has_lo = true, has_hi = true;

	if (t->kind == GT_HIST) {
		lo = i == 0 ? 0 : i == 1 ? 0 : (int64_t)(1ULL << (i - 2));
		hi = i == 0 ? -1 : i == 1 ? 0 : (int64_t)((1ULL << (i - 1)) - 1);
		has_lo = i != 0;
	} else {
		lo = t->lhist_min + (int64_t)(i - 1) * t->lhist_step;
		hi = lo + t->lhist_step - 1;
		if (i == 0)
			hi = t->lhist_min - 1, has_lo = false;
		if (i == nb - 1)
			lo = t->lhist_max, has_hi = false;
	}
	fputc('{', f);
	if (has_lo)
		fprintf(f, "\"min\": %lld, ", (long long)lo);
	if (has_hi)
		fprintf(f, "\"max\": %lld, ", (long long)hi);
	fprintf(f, "\"count\": %llu}", (unsigned long long)count);
}

static void json_group(FILE *f, const struct hist_ctx *h,
		       const struct group *g, int div)
{
	int first, last;
	uint64_t max;

	bounds(g->counts, h->nb, &first, &last, &max);
	fputc('[', f);
	for (int i = first; first >= 0 && i <= last; i++) {
		if (i > first)
			fputs(", ", f);
		json_bucket(f, &h->m->value, i, h->nb, g->counts[i] / div);
	}
	fputc(']', f);
}

static void print_groups(struct out *o, const struct hist_ctx *h,
			 const struct group *g, size_t n, int div)
{
	bool keyed = h->m->key.kind != GT_NONE;

	if (o->format != OUT_JSON) {
		for (size_t i = 0; i < n; i++)
			text_group(o->f, h, &g[i], div);
		if (n == 0)
			fputc('\n', o->f);
		return;
	}
	if (n == 0)
		return;
	fprintf(o->f, "{\"type\": \"hist\", \"data\": {\"%s\": %s", h->m->name,
		keyed ? "{" : "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", o->f);
		if (keyed) {
			out_json_key(o->f, h->m, g[i].key);
			fputs(": ", o->f);
		}
		json_group(o->f, h, &g[i], div);
	}
	fputs(keyed ? "}}}\n" : "}}\n", o->f);
}

void out_hist_map(struct out *o, const struct map_desc *m,
		  const struct map_entry *ents, size_t n, int ncpu, int top,
		  int div)
{
	struct hist_ctx h = { .m = m, .ukey = m->key_size - 8 };
	struct group *g;
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
		qsort_r(g, ng, sizeof(*g), group_cmp, &h);
		if (top > 0 && ng > (size_t)top)
			skip = ng - top;
		print_groups(o, &h, g + skip, ng - skip, div);
	}
	free(g);
	free(counts);
}
