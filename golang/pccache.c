/*
 * Decoded pc-value tables, one set per function, made on first use.
 *
 * Decoding a pc-value table is a linear walk from the function entry, and
 * a PC needs three of them (file, line, inline index) plus two more per
 * inlined level: profiles of symbolizing showed ~60% of the time there,
 * and most of the rest in cache misses on scattered pclntab records.
 * Stacks hit the same functions again and again, so the first lookup in a
 * function decodes its three tables and merges them into one sorted array
 * of runs {end offset, line, inline index, file}, and resolves the
 * function's name and its inline records, all in one allocation; later
 * lookups read only that. Only functions actually symbolized are decoded
 * (all 10.8k functions of the go command take ~6 MB); each entry is
 * published with a compare-and-swap, so readers take no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "golang/gopcln.h"

#define PCDATA_INLTREEINDEX 2
#define NO_VALUE INT32_MIN	/* a table that does not cover the offset */
#define MAX_INL 32768		/* go_run.inl is 16 bits */
#define MAX_FILES 65535

struct files {			/* distinct file numbers of one function */
	int32_t *no;
	uint32_t n;
};

/* Slot of file number v (slot 0 = none), added if new. */
static uint16_t file_slot(struct files *fs, int32_t v)
{
	if (v == NO_VALUE || v < 0)
		return 0;
	for (uint32_t i = 1; i < fs->n; i++)
		if (fs->no[i] == v)
			return (uint16_t)i;
	if (fs->n >= MAX_FILES)
		return 0;
	fs->no[fs->n] = v;
	return (uint16_t)fs->n++;
}

/* One table's runs, decoded into end[]/val[] (when end != NULL). */
static uint32_t decode(const struct go_pcln *g, const struct go_func *f, uint32_t off,
		       uint32_t *endv, int32_t *val)
{
	const uint8_t *p, *end = g->pctab.p + g->pctab.len;
	uint64_t cur = 0, size = f->end - f->entry, uv, pcd;
	int32_t v = -1;
	uint32_t n = 0;

	if (!off || off >= g->pctab.len)
		return 0;
	for (p = g->pctab.p + off; cur < size; n++) {
		if (!go_uvarint(&p, end, &uv) || (uv == 0 && n) || !go_uvarint(&p, end, &pcd))
			break;
		v = go_pcdelta(v, uv);
		cur += pcd * g->quantum;
		if (endv) {
			endv[n] = cur > UINT32_MAX ? UINT32_MAX : (uint32_t)cur;
			val[n] = v;
		}
	}
	return n;
}

struct table {
	uint32_t n, i, *end;
	int32_t *val;
};

/* Merges the three tables: a run ends wherever any of them changes. */
static uint32_t merge(struct table *t, struct files *fs, uint32_t *ends, struct go_run *out)
{
	uint32_t n = 0;

	for (;;) {
		uint32_t next = UINT32_MAX;
		bool any = false;
		int32_t v[3];

		for (int k = 0; k < 3; k++)
			if (t[k].i < t[k].n && t[k].end[t[k].i] < next) {
				next = t[k].end[t[k].i];
				any = true;
			}
		if (!any)
			return n;
		for (int k = 0; k < 3; k++)
			v[k] = t[k].i < t[k].n ? t[k].val[t[k].i] : NO_VALUE;
		ends[n] = next;
		out[n] = (struct go_run){ .line = v[1] > 0 ? v[1] : 0,
					  .inl = v[2] < 0 || v[2] >= MAX_INL ? -1 : (int16_t)v[2],
					  .file = file_slot(fs, v[0]) };
		n++;
		for (int k = 0; k < 3; k++)
			while (t[k].i < t[k].n && t[k].end[t[k].i] <= next)
				t[k].i++;
	}
}

/* The inline records the runs refer to; 0 if none or no usable tree. */
static uint32_t count_inl(const struct go_run *runs, uint32_t n)
{
	int32_t max = -1;

	for (uint32_t i = 0; i < n; i++)
		max = runs[i].inl > max ? runs[i].inl : max;
	return max + 1 > MAX_INL ? MAX_INL : (uint32_t)(max + 1);
}

static void fill_inl(struct bin *b, const struct go_func *f, struct go_fcache *c)
{
	uint64_t tree;
	uint32_t idxtab;

	if (!c->ninl || !go_inline_tree(b, f, &tree, &idxtab)) {
		c->ninl = 0;
		return;
	}
	for (uint32_t ix = 0; ix < c->ninl; ix++) {
		int32_t parent;

		if (!go_inline_record(b, tree, (int32_t)ix, &c->inl[ix].name, &parent))
			c->inl[ix].name = NULL;
		c->inl[ix].parent = (uint32_t)parent;
	}
}

static struct go_fcache *build(struct bin *b, const struct go_func *f, const char *name)
{
	const struct go_pcln *g = b->go;
	uint32_t offs[3] = { 0, 0, 0 }, total = 0, nruns;
	struct table t[3] = { { 0 } };
	const struct bin_func *bf;
	struct go_fcache *c = NULL;
	struct go_run *runs;
	uint32_t *mem, *ends;
	struct files fs = { NULL, 1 };

	go_func_field(g, f, 5, &offs[0]);
	go_func_field(g, f, 6, &offs[1]);
	go_func_pcdata(g, f, PCDATA_INLTREEINDEX, &offs[2]);
	for (int k = 0; k < 3; k++)
		total += t[k].n = decode(g, f, offs[k], NULL, NULL);
	mem = malloc((size_t)total * 8 + 8);
	runs = malloc(((size_t)total + 1) * sizeof(*runs));
	ends = malloc(((size_t)total + 1) * sizeof(*ends));
	fs.no = malloc(((size_t)total + 2) * sizeof(*fs.no));
	if (!mem || !runs || !ends || !fs.no)
		goto out;
	for (int k = 0, used = 0; k < 3; used += 2 * t[k].n, k++) {
		t[k].end = mem + used;
		t[k].val = (int32_t *)(mem + used + t[k].n);
		decode(g, f, offs[k], t[k].end, t[k].val);
	}
	nruns = merge(t, &fs, ends, runs);
	/* ends[] (padded to 8 bytes), runs[], inl[], files[] */
	c = malloc(sizeof(*c) + (nruns + 1) * sizeof(*ends) + nruns * sizeof(*runs) +
		   count_inl(runs, nruns) * sizeof(struct go_inl) + fs.n * sizeof(char *));
	if (!c)
		goto out;
	bf = bin_func_at(b, f->entry);
	c->name = bf && bf->addr == f->entry ? bf->name : name;
	c->entry = f->entry;
	c->nruns = nruns;
	memcpy(c->ends, ends, nruns * sizeof(*ends));
	c->runs = (struct go_run *)(c->ends + nruns + (nruns & 1));
	memcpy(c->runs, runs, nruns * sizeof(*runs));
	c->ninl = count_inl(runs, nruns);
	c->inl = (struct go_inl *)(c->runs + nruns);
	c->files = (const char **)(c->inl + c->ninl);
	c->nfiles = fs.n;
	c->files[0] = NULL;
	for (uint32_t i = 1; i < fs.n; i++)
		c->files[i] = go_file_name(g, f, fs.no[i]);
	fill_inl(b, f, c);
out:
	free(mem);
	free(runs);
	free(ends);
	free(fs.no);
	return c;
}

const struct go_fcache *go_fcache_get(struct bin *b, uint64_t i, const struct go_func *f,
				      const char *name)
{
	struct go_pcln *g = b->go;
	struct go_fcache *c, *expected = NULL;

	if (!g->fcache) {
		pthread_mutex_lock(&b->lock);
		if (!g->fcache)
			g->fcache = calloc(g->nfunc, sizeof(*g->fcache));
		pthread_mutex_unlock(&b->lock);
		if (!g->fcache)
			return NULL;
	}
	c = __atomic_load_n(&g->fcache[i], __ATOMIC_ACQUIRE);
	if (c || !(c = build(b, f, name)))
		return c;
	if (!__atomic_compare_exchange_n(&g->fcache[i], &expected, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(c);	/* another thread won */
		c = expected;
	}
	return c;
}

const struct go_run *go_fcache_run(const struct go_fcache *c, uint64_t off)
{
	uint32_t lo = 0, hi = c->nruns;

	while (lo < hi) {	/* first run ending above off */
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->ends[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nruns ? &c->runs[lo] : NULL;
}

void go_fcache_free(struct go_pcln *g)
{
	for (uint64_t i = 0; g->fcache && i < g->nfunc; i++)
		free(g->fcache[i]);
	free(g->fcache);
}
