/*
 * Go PC-value tables: PC -> file, line and PCDATA values, and the
 * symbolizer that combines them with the inline tree.
 *
 * Nothing here runs at open time: a table is decoded only for the
 * function that holds the PC being symbolized.
 *
 * A pc-value table is a sequence of (value delta, pc delta) pairs:
 *
 *   uvarint zigzag(value delta)   -- a 0 here after the first pair ends it
 *   uvarint pc delta / quantum
 *
 * starting from value -1 at the function entry. The value for a PC is the
 * one of the first pair whose accumulated pc is beyond it.
 *
 * Files: 1.16+ pcfile values index the CU's slice of cutab, whose uint32
 * is an offset into filetab (~0 = none); 1.2 values index filetab, whose
 * uint32 entries are offsets from the start of the pclntab.
 */
#include <string.h>

#include "golang/gopcln.h"

bool go_pciter_init(const struct go_pcln *g, const struct go_func *f, uint32_t off,
		    struct go_pciter *it)
{
	*it = (struct go_pciter){ .p = g->pctab.p + off, .pc = f->entry, .v = -1, .first = true };
	return off && off < g->pctab.len;
}

bool go_pcstep(const struct go_pcln *g, struct go_pciter *it)
{
	const uint8_t *end = g->pctab.p + g->pctab.len;
	uint64_t uv, pcd;

	if (!go_uvarint(&it->p, end, &uv))
		return false;
	if (uv == 0 && !it->first) {
		it->done = true;
		return false;
	}
	it->first = false;
	it->v = go_pcdelta(it->v, uv);
	if (!go_uvarint(&it->p, end, &pcd))
		return false;
	it->pc += pcd * g->quantum;
	return true;
}

bool go_pcvalue(const struct go_pcln *g, const struct go_func *f, uint32_t off,
		uint64_t pc, int32_t *val)
{
	struct go_pciter it;

	if (pc < f->entry || !go_pciter_init(g, f, off, &it))
		return false;
	while (go_pcstep(g, &it)) {
		if (pc < it.pc) {
			*val = it.v;
			return true;
		}
	}
	return false;
}

bool go_func_pcdata(const struct go_pcln *g, const struct go_func *f, int idx, uint32_t *off)
{
	uint64_t fixed = go_func_fixed(g);
	uint32_t npcdata;

	if (!go_func_field(g, f, 7, &npcdata) || idx >= (int64_t)npcdata ||
	    fixed + 4 * (uint64_t)(idx + 1) > f->avail)
		return false;
	memcpy(off, f->p + fixed + 4 * idx, 4);
	return *off != 0;
}

static const char *cstr(const struct go_slice *s, uint64_t off, bool safe)
{
	if (off >= s->len || (!safe && !memchr(s->p + off, 0, s->len - off)))
		return NULL;
	return (const char *)s->p + off;
}

const char *go_file_name(const struct go_pcln *g, const struct go_func *f, int32_t fileno)
{
	uint32_t cu, off;
	uint64_t i;

	if (fileno < 0)
		return NULL;
	if (g->ver == GO_PCLN_12) {
		i = 4 * (uint64_t)fileno;
		if (!fileno || (uint64_t)fileno >= g->nfiles || i + 4 > g->filetab.len)
			return NULL;
		memcpy(&off, g->filetab.p + i, 4);
		return cstr(&g->tab, off, false);
	}
	if (!go_func_field(g, f, 8, &cu))
		return NULL;
	i = 4 * ((uint64_t)cu + (uint64_t)fileno);
	if (i + 4 > g->cutab.len)
		return NULL;
	memcpy(&off, g->cutab.p + i, 4);
	return off == ~0U ? NULL : cstr(&g->filetab, off, g->files_safe);
}

void go_func_line(const struct go_pcln *g, const struct go_func *f, uint64_t pc,
		  const char **file, int *line)
{
	uint32_t tf, tl;
	int32_t v;

	*file = NULL;
	*line = 0;
	if (go_func_field(g, f, 5, &tf) && go_pcvalue(g, f, tf, pc, &v))
		*file = go_file_name(g, f, v);
	if (go_func_field(g, f, 6, &tl) && go_pcvalue(g, f, tl, pc, &v) && v > 0)
		*line = v;
}

#define MAX_INLINE_DEPTH 64	/* guards against cycles in corrupt input */

/* Inlined callees first, then the real function; every frame's offset is
 * from the entry of the real function. Walking out of inlined calls: the
 * record at the PC's inline index names the callee, and its parentPc is
 * an instruction at the call site, whose run gives the next frame's
 * position and index (as runtime.inlineUnwinder does). Everything comes
 * from the function's cache, so a warm lookup touches little memory. */
int go_symbolize(struct bin *b, uint64_t pc, struct bin_frame *frames, int max)
{
	const struct go_pcln *g = b->go;
	const struct go_fcache *c = NULL;
	const struct go_run *r;
	struct go_func f;
	const char *name;
	int64_t i;
	int n = 0;

	if (!g || max < 1 || (i = go_pcln_find(g, pc)) < 0)
		return 0;
	if (g->fcache)
		c = __atomic_load_n(&g->fcache[i], __ATOMIC_ACQUIRE);
	if (!c) {
		if (go_pcln_func(g, (uint64_t)i, &f, &name) || !name)
			return 0;
		if (!(c = go_fcache_get(b, (uint64_t)i, &f, name))) {
			frames[0] = (struct bin_frame){ .func = name, .offset = pc - f.entry };
			return 1;	/* out of memory: no lines */
		}
	}
	r = go_fcache_run(c, pc - c->entry);
	for (int depth = 0; r && r->inl >= 0 && (uint32_t)r->inl < c->ninl &&
			    c->inl[r->inl].name && depth < MAX_INLINE_DEPTH; depth++) {
		const struct go_inl *e = &c->inl[r->inl];

		if (n < max - 1)
			frames[n++] = (struct bin_frame){ .func = e->name, .offset = pc - c->entry,
							  .file = c->files[r->file], .line = r->line,
							  .inlined = true };
		r = go_fcache_run(c, e->parent);
	}
	frames[n] = (struct bin_frame){ .func = c->name, .offset = pc - c->entry,
					.file = r ? c->files[r->file] : NULL, .line = r ? r->line : 0 };
	return n + 1;
}
