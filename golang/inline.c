/*
 * Go inline tree: finding a function's tree and reading its records
 * (golang/pccache.c resolves them once per function, golang/lines.c walks
 * them when symbolizing).
 *
 * A function with inlined calls has FUNCDATA_InlTree (3), an array of
 * inlinedCall records, and PCDATA_InlTreeIndex (2), a pc-value table
 * giving for each PC the index of the innermost inlined call it belongs to
 * (-1 for code of the function itself). Walking out: the record names the
 * callee; parentPc is the offset from the entry of an instruction whose
 * position is the call site, so its index and its file:line give the
 * next frame out, as runtime.inlineUnwinder does.
 *
 *   go1.12-1.19: { parent i16, funcID u8, _ u8, file i32, line i32,
 *                  func_ i32 (funcnametab offset), parentPc i32 }   20 bytes
 *   go1.20+:     { funcID u8, _ [3]u8, nameOff i32, parentPc i32,
 *                  startLine i32 }                                    16 bytes
 *
 * Where the tree is: 1.18+ funcdata entries are uint32 offsets from
 * moduledata.gofunc (the go:func.* symbol), ~0 meaning none; before that
 * they are pointers, 8-aligned on 64-bit targets, which PIE files leave to
 * relocations. The layout follows the pclntab magic: 0xfffffff1 is 1.20+.
 *
 * Table indexes: PCDATA_InlTreeIndex = 2 and FUNCDATA_InlTree = 3 from
 * go1.16 on; go1.14-1.15 had FUNCDATA_RegPointerMaps before the tree, so
 * 4; go1.12 and older used 1 and 2. In the shared 1.2 format we trust only
 * what we tested (go1.14/1.15, told apart by the build info).
 */
#include <string.h>

#include "golang/gopcln.h"


uint64_t go_gofunc(struct bin *b)
{
	struct go_pcln *g = b->go;
	uint64_t v = 0;

	/* a scan of inline trees asks once per function: the lock only
	 * the first time */
	if (__atomic_load_n(&g->gofunc_done, __ATOMIC_ACQUIRE))
		return g->gofunc;
	pthread_mutex_lock(&b->lock);
	if (!g->gofunc_done) {
		if (bin_symbol(b, "go:func.*", &v) || bin_symbol(b, "go.func.*", &v))
			g->gofunc = v;
		else if (go_moduledata_word(b, g->ver >= GO_PCLN_120 ? 40 : 38, &v))
			g->gofunc = v;
		__atomic_store_n(&g->gofunc_done, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&b->lock);
	return g->gofunc;
}

/* The PCDATA and FUNCDATA indexes of the inline tree for this binary. */
static bool indexes(struct bin *b, int *pcdata, int *funcdata)
{
	int minor;

	*pcdata = 2;
	*funcdata = 3;
	if (b->go->ver >= GO_PCLN_116)
		return true;
	minor = bin_go_minor(b);
	*funcdata = 4;
	return minor == 14 || minor == 15;
}

/* Address of the function's inline tree, or 0. */
static uint64_t inltree(struct bin *b, const struct go_func *f, int fd_index)
{
	const struct go_pcln *g = b->go;
	uint64_t fixed = go_func_fixed(g), p, v = 0;
	uint32_t npcdata, off;
	uint8_t nfuncdata;

	if (!go_func_field(g, f, 7, &npcdata) || npcdata > f->avail)
		return 0;
	nfuncdata = f->p[fixed - 1];
	if (nfuncdata <= fd_index)
		return 0;
	p = fixed + 4ULL * npcdata;
	if (g->ver >= GO_PCLN_118) {
		p += 4 * fd_index;
		if (p + 4 > f->avail)
			return 0;
		memcpy(&off, f->p + p, 4);
		return off == ~0U || !go_gofunc(b) ? 0 : go_gofunc(b) + off;
	}
	if (!f->vaddr)
		return 0;
	if (g->ptrsize == 8 && ((f->vaddr + p) & 4))
		p += 4;
	p += (uint64_t)g->ptrsize * fd_index;
	if (p + g->ptrsize > f->avail || bin_read_ptr(b, f->vaddr + p, g->ptrsize, &v))
		return 0;
	return v;
}

static size_t record_size(const struct go_pcln *g)
{
	return g->ver >= GO_PCLN_120 ? 16 : 20;
}

bool go_inline_rec(const struct go_pcln *g, const uint8_t *r, const char **name,
		   int32_t *parent_pc)
{
	bool v120 = g->ver >= GO_PCLN_120;
	uint32_t nameoff;

	memcpy(&nameoff, r + (v120 ? 4 : 12), 4);
	memcpy(parent_pc, r + (v120 ? 8 : 16), 4);
	*name = go_pcln_name(g, nameoff);
	return *name != NULL && *parent_pc >= 0;
}

bool go_inline_record(struct bin *b, uint64_t tree, int32_t ix, const char **name, int32_t *parent_pc)
{
	uint64_t size = record_size(b->go);
	const uint8_t *r = ix < 0 ? NULL : bin_at_vaddr(b, tree + (uint64_t)ix * size, size);

	return r && go_inline_rec(b->go, r, name, parent_pc);
}

const uint8_t *go_inline_records(struct bin *b, uint64_t tree, int32_t n, size_t *size)
{
	*size = record_size(b->go);
	return n > 0 ? bin_at_vaddr(b, tree, (uint64_t)n * *size) : NULL;
}

bool go_inline_tree(struct bin *b, const struct go_func *f, uint64_t *tree, uint32_t *idxtab)
{
	int pd_index, fd_index;

	return indexes(b, &pd_index, &fd_index) && go_func_pcdata(b->go, f, pd_index, idxtab) &&
	       (*tree = inltree(b, f, fd_index)) != 0;
}
