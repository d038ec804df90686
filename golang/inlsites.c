/*
 * Where a Go function was inlined: the places a probe on it must also sit,
 * since the compiler copied its body into its callers and the function's
 * own code never runs for those calls.
 *
 * Each function's inline tree (golang/inline.c) has a record per inlined
 * call: the callee's name and parentPc. We scan every function's tree for
 * records naming the function (or matching the glob), reading only the
 * records, not the line tables, so a whole binary is cheap to scan.
 *
 * For each such record we want an instruction that runs exactly once per
 * inlined call. parentPc will not do: Go uses for it any instruction of
 * the caller at the call's line, which may sit in a loop around the call.
 * The copy itself is the code whose inline chain (innermost index, then
 * its parents') contains the record. Its entry is the one instruction
 * of the copy that control reaches from outside the copy, by a jump or
 * by falling through; an inlined function is entered once per call, so
 * if the copy has exactly one such instruction, and no jump inside the
 * copy leads back to it, a probe there counts calls exactly. Otherwise
 * the copy is skipped, and said to be: code a jump table might reach,
 * more than one way in, or a loop through the first instruction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/alloc.h"
#include "golang/gopcln.h"

#define PCDATA_INLTREEINDEX 2

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

/* Is record k on the inline chain of the instruction at offset off? */
static bool in_copy(const struct go_fcache *c, uint64_t off, int32_t k)
{
	const struct go_run *r = go_fcache_run(c, off);
	int32_t j = r ? r->inl : -1;

	for (int guard = 0; j >= 0 && (uint32_t)j < c->ninl && guard < 64; guard++) {
		if (j == k)
			return true;
		r = go_fcache_run(c, c->inl[j].parent);
		j = r ? r->inl : -1;
	}
	return false;
}

static ssize_t insn_at(const struct bin_insn *in, size_t n, uint64_t pc)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (in[mid].pc < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && in[lo].pc == pc ? (ssize_t)lo : -1;
}

/* The entry of copy k of a function whose code is in[0..n), or NULL with
 * *why saying why it has no single one. */
static const struct bin_insn *copy_entry(const struct go_fcache *c, const struct bin_insn *in,
					 size_t n, int32_t k, bool *mine, int *preds,
					 const char **why)
{
	const struct bin_insn *entry = NULL;
	bool jump_table = false;
	int entries = 0;

	memset(preds, 0, n * sizeof(*preds));
	for (size_t i = 0; i < n; i++) {
		mine[i] = in_copy(c, in[i].pc - c->entry, k);
		jump_table |= in[i].kind == BIN_INSN_IJMP;
	}
	/* preds[i]: 1 if reached from outside the copy, 2 from inside, 3 both */
	preds[0] |= 1;
	for (size_t i = 0; i < n; i++) {
		int from = mine[i] ? 2 : 1;
		ssize_t t;

		if (i + 1 < n && in[i].kind != BIN_INSN_JMP && in[i].kind != BIN_INSN_RET &&
		    in[i].kind != BIN_INSN_IJMP)
			preds[i + 1] |= from;
		if ((in[i].kind == BIN_INSN_JMP || in[i].kind == BIN_INSN_JCC) && in[i].has_target &&
		    (t = insn_at(in, n, in[i].target)) >= 0)
			preds[t] |= from;
	}
	for (size_t i = 0; i < n; i++) {
		if (!mine[i])
			continue;
		if (!preds[i]) {
			/* no way in that we see: a jump table's, or dead code */
			if (jump_table) {
				*why = "a jump table may enter it";
				return NULL;
			}
			continue;
		}
		if (preds[i] & 1) {
			entries++;
			entry = &in[i];
			if (preds[i] & 2) {
				*why = "a loop runs through its first instruction";
				return NULL;
			}
		}
	}
	if (!entry)
		*why = "no code of its own";
	else if (entries > 1)
		*why = "entered at more than one place";
	return entries == 1 ? entry : NULL;
}

struct found {
	struct bin_inline_site *v;
	size_t n, cap;
};

static void add(struct found *fd, const char *func, const char *caller, uint64_t addr,
		const char *why)
{
	fd->v = xgrow(fd->v, fd->n, &fd->cap, sizeof(*fd->v));
	fd->v[fd->n++] = (struct bin_inline_site){
		.func = func, .caller = caller, .addr = addr, .skipped = why,
	};
}

/* The copies in function i (f) of the callees that name matches. */
static int scan_func(struct bin *b, uint64_t i, const struct go_func *f, const char *fname,
		     const char *name, bool glob, struct found *fd, char *err, size_t errlen)
{
	const struct go_fcache *c = go_fcache_get(b, i, f, fname);
	struct bin_insn *in = NULL;
	size_t n = 0;
	bool *mine = NULL;
	int *preds = NULL, ret = 0;

	if (!c)
		return -ENOMEM;
	for (uint32_t k = 0; k < c->ninl && !ret; k++) {
		const char *callee = c->inl[k].name, *why = NULL;
		const struct bin_insn *e;

		if (!callee || (glob ? !bin_glob_match(name, callee) : strcmp(name, callee)))
			continue;
		if (!in) {
			if (bin_decode(b, f->entry, f->end - f->entry, &in, &n, err, errlen) < 0) {
				add(fd, callee, c->name, f->entry + c->inl[k].parent, "not code");
				continue;
			}
			mine = xcalloc(n, sizeof(*mine));
			preds = xcalloc(n, sizeof(*preds));
		}
		e = copy_entry(c, in, n, (int32_t)k, mine, preds, &why);
		add(fd, callee, c->name, e ? e->pc : f->entry + c->inl[k].parent, why);
	}
	free(in);
	free(mine);
	free(preds);
	return ret;
}

/* Does function f's inline tree name a callee that name matches? Reads
 * the records only. */
static bool inlines(struct bin *b, const struct go_func *f, const char *name, bool glob)
{
	const uint8_t *recs;
	uint64_t tree;
	uint32_t tab;
	int32_t len;
	size_t size;

	if (!go_inline_tree(b, f, &tree, &tab))
		return false;
	len = tree_len(b->go, f, tab);
	recs = go_inline_records(b, tree, len, &size);
	for (int32_t k = 0; k < len; k++) {
		const char *callee;
		int32_t parent;

		if ((recs ? go_inline_rec(b->go, recs + (size_t)k * size, &callee, &parent)
			  : go_inline_record(b, tree, k, &callee, &parent)) &&
		    (glob ? bin_glob_match(name, callee) : !strcmp(name, callee)))
			return true;
	}
	return false;
}

struct tree {
	uint64_t addr;
	int32_t len;
};

static int by_addr(const void *a, const void *b)
{
	const struct tree *x = a, *y = b;

	return x->addr != y->addr ? (x->addr < y->addr ? -1 : 1) : (x->len > y->len) - (x->len < y->len);
}

int bin_go_inlined_names(struct bin *b, const char *glob, char ***out)
{
	struct go_pcln *g = b->go;
	struct tree *trees = g ? xcalloc(g->nfunc + 1, sizeof(*trees)) : NULL;
	size_t n = 0, cap = 0, ntrees = 0;
	char **v = NULL;

	*out = NULL;
	for (uint64_t i = 0; g && i < g->nfunc; i++) {
		struct go_func f;
		const char *fname;
		uint64_t tree;
		uint32_t tab;
		int32_t len;

		if (!go_pcln_func(g, i, &f, &fname) && go_inline_tree(b, &f, &tree, &tab) &&
		    (len = tree_len(g, &f, tab)) > 0)
			trees[ntrees++] = (struct tree){ tree, len };
	}
	/* Each inline tree once, at its longest: the functions of a hostile
	 * binary may all point at the same one. */
	qsort(trees, ntrees, sizeof(*trees), by_addr);
	for (size_t t = 0; t < ntrees; t++) {
		if (t + 1 < ntrees && trees[t + 1].addr == trees[t].addr)
			continue;
		for (int32_t k = 0; k < trees[t].len; k++) {
			const char *callee;
			int32_t parent;

			if (!go_inline_record(b, trees[t].addr, k, &callee, &parent) ||
			    !bin_glob_match(glob, callee))
				continue;
			v = xgrow(v, n, &cap, sizeof(*v));
			v[n++] = (char *)callee;
		}
	}
	free(trees);
	*out = v;
	return (int)n;
}

int bin_go_inline_sites(struct bin *b, const char *name, bool glob,
			struct bin_inline_site **out, char *err, size_t errlen)
{
	struct go_pcln *g = b->go;
	struct found fd = { 0 };
	int ret = 0;

	*out = NULL;
	if (!g)
		return 0;
	for (uint64_t i = 0; i < g->nfunc && !ret; i++) {
		struct go_func f;
		const char *fname;

		if (go_pcln_func(g, i, &f, &fname) || !fname || !inlines(b, &f, name, glob))
			continue;
		ret = scan_func(b, i, &f, fname, name, glob, &fd, err, errlen);
	}
	if (ret) {
		free(fd.v);
		return ret;
	}
	*out = fd.v;
	return (int)fd.n;
}
