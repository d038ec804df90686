/*
 * runtime.firstmoduledata: where stripped binaries keep the addresses the
 * pclntab does not (moduledata.text, moduledata.gofunc).
 *
 * moduledata starts with a pointer to the pclntab (pcHeader in 1.16+, the
 * pclntable slice in 1.2), so without a symbol table we look for a
 * pointer-sized word holding the pclntab's address in the file-backed
 * part of the writable segments, or, in PIE files where such words are
 * only filled by the loader, for a RELATIVE relocation with that addend.
 * A candidate is accepted when its second word also points where the
 * pclntab header says (funcnametab for 1.16+, the pclntable length for
 * 1.2), which rules out stray copies of the address.
 *
 * Word indexes used (64-bit words from the start of moduledata):
 *   1.18+: text = 22, gofunc = 38 (1.18-1.19) or 40 (1.20+, covctrs added).
 */
#include <string.h>

#include "golang/gopcln.h"

/* The second word of a moduledata candidate at md must match. */
static bool plausible(struct bin *b, uint64_t md)
{
	const struct go_pcln *g = b->go;
	uint64_t w1;

	if (bin_read_ptr(b, md + g->ptrsize, g->ptrsize, &w1))
		return false;
	if (g->ver == GO_PCLN_12)
		return w1 == g->tab.len || (w1 && w1 <= g->tab.len);
	return w1 == g->vaddr + (uint64_t)(g->funcnametab.p - g->tab.p);
}

static uint64_t scan_segments(struct bin *b)
{
	const struct go_pcln *g = b->go;
	int ps = g->ptrsize;

	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *s = &b->segs[i];
		const uint8_t *p = bin_at_off(b, s->off, s->filesz);

		if (!(s->flags & PF_W) || !p)
			continue;
		for (uint64_t o = (-s->vaddr) & (ps - 1); o + 2 * ps <= s->filesz; o += ps) {
			uint64_t v = 0;

			memcpy(&v, p + o, ps);
			if (v == g->vaddr && plausible(b, s->vaddr + o))
				return s->vaddr + o;
		}
	}
	return 0;
}

static uint64_t find(struct bin *b)
{
	uint64_t md = 0;

	if (bin_symbol(b, "runtime.firstmoduledata", &md) && md)
		return md;
	if (!b->go->vaddr)
		return 0;
	if ((md = scan_segments(b)))
		return md;
	for (uint64_t r = 0; (r = bin_rel_find_addend(b, b->go->vaddr, r));)
		if (plausible(b, r))
			return r;
	return 0;
}

bool go_moduledata_word(struct bin *b, int word, uint64_t *val)
{
	struct go_pcln *g = b->go;
	bool ok;

	if (!g)
		return false;
	pthread_mutex_lock(&b->lock);
	if (!g->md_done) {
		g->md_vaddr = find(b);
		g->md_done = true;
	}
	ok = g->md_vaddr &&
	     !bin_read_ptr(b, g->md_vaddr + (uint64_t)word * g->ptrsize, g->ptrsize, val);
	pthread_mutex_unlock(&b->lock);
	return ok;
}
