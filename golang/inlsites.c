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

/* Does the group's name match? */
static bool group_matches(const struct go_inl_group *gr, const char *name, bool glob)
{
	return glob ? bin_glob_match(name, gr->name) : !strcmp(name, gr->name);
}

static int by_index(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int bin_go_inlined_names(struct bin *b, const char *glob, char ***out, char *err,
			 size_t errlen)
{
	const struct go_inl_index *ix;
	size_t n = 0, cap = 0;
	char **v = NULL;

	*out = NULL;
	if (!b->go)
		return 0;
	if (!(ix = go_inl_index(b, err, errlen)))
		return -EINVAL;
	for (size_t k = 0; k < ix->ngroups; k++) {
		if (!group_matches(&ix->groups[k], glob, true))
			continue;
		v = xgrow(v, n, &cap, sizeof(*v));
		v[n++] = (char *)ix->groups[k].name;
	}
	*out = v;
	return (int)n;
}

int bin_go_inline_sites(struct bin *b, const char *name, bool glob,
			struct bin_inline_site **out, char *err, size_t errlen)
{
	struct go_pcln *g = b->go;
	const struct go_inl_index *ix;
	struct found fd = { 0 };
	uint32_t *fns = NULL;
	size_t nfns = 0, cap = 0;
	int ret = 0;

	*out = NULL;
	if (!g)
		return 0;
	if (!(ix = go_inl_index(b, err, errlen)))
		return -EINVAL;
	/* the functions whose trees name a match, each once, in pclntab
	 * order as a scan of all of them would find them */
	for (size_t k = 0; k < ix->ngroups; k++) {
		const struct go_inl_group *gr = &ix->groups[k];

		if (!group_matches(gr, name, glob))
			continue;
		for (uint32_t j = 0; j < gr->n; j++) {
			fns = xgrow(fns, nfns, &cap, sizeof(*fns));
			fns[nfns++] = ix->fn[gr->first + j];
		}
	}
	if (nfns)	/* qsort's pointer must not be NULL, even for 0 */
		qsort(fns, nfns, sizeof(*fns), by_index);
	for (size_t j = 0; j < nfns && !ret; j++) {
		struct go_func f;
		const char *fname;

		if ((j > 0 && fns[j] == fns[j - 1]) || go_pcln_func(g, fns[j], &f, &fname) || !fname)
			continue;
		ret = scan_func(b, fns[j], &f, fname, name, glob, &fd, err, errlen);
	}
	free(fns);
	if (ret) {
		free(fd.v);
		return ret;
	}
	*out = fd.v;
	return (int)fd.n;
}
