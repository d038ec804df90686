/*
 * Go pclntab: locating it, checking its header, and the function table.
 *
 * The pclntab survives `-ldflags=-s -w` and strip(1), so for stripped Go
 * binaries it is the only list of functions. It lives in .gopclntab
 * (.data.rel.ro.gopclntab in PIE builds); when section headers are gone we
 * scan the file for its magic and accept the first candidate whose header
 * and function table check out.
 *
 * Header layouts (all little-endian words; "ptr" = ptrsize bytes):
 *
 *   go1.2-1.15  (0xfffffffb): magic u32, 0, 0, quantum u8, ptrsize u8,
 *       nfunc ptr, then functab = nfunc x {entry ptr, funcoff ptr},
 *       end-pc ptr, filetaboff u32. Every other offset is from the start.
 *   go1.16-1.17 (0xfffffffa): magic .. ptrsize, then ptr words nfunc,
 *       nfiles, funcnameOffset, cuOffset, filetabOffset, pctabOffset,
 *       pclnOffset. functab at pclnOffset = {entry ptr, funcoff ptr}.
 *   go1.18-1.19 (0xfffffff0), go1.20+ (0xfffffff1): as 1.16 with textStart
 *       after nfiles, and functab = {entryoff u32, funcoff u32} where entry
 *       = textStart + entryoff. Since go1.26 textStart is written as 0.
 *
 * funcoff is relative to the functab start (1.16+) or the pclntab (1.2).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "golang/gopcln.h"

/* Little-endian read (the only byte order we accept, on LE hosts). */
static uint64_t rd(const uint8_t *p, int size)
{
	uint32_t v32;
	uint64_t v = 0;

	if (size == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v, p, size < 8 ? size : 8);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd(p, 4);
}

/* Header word i after the 8-byte prefix, or ~0 if it runs past the end. */
static uint64_t hword(const struct go_pcln *g, int i)
{
	uint64_t off = 8 + (uint64_t)i * g->ptrsize;

	if (off + g->ptrsize > g->tab.len)
		return ~0ULL;
	return rd(g->tab.p + off, g->ptrsize);
}

/* A table from offset `start` to the next table (or the end). */
static bool region(struct go_pcln *g, uint64_t start, const uint64_t *offs, int n,
		   struct go_slice *s)
{
	uint64_t end = g->tab.len;

	if (start > g->tab.len)
		return false;
	for (int i = 0; i < n; i++)
		if (offs[i] > start && offs[i] < end)
			end = offs[i];
	s->p = g->tab.p + start;
	s->len = end - start;
	return true;
}

static int functab_field(const struct go_pcln *g)
{
	return g->ver >= GO_PCLN_118 ? 4 : g->ptrsize;
}

/* Entry of functab slot i (0..nfunc, slot nfunc being the end). */
static uint64_t ftab_entry(const struct go_pcln *g, uint64_t i)
{
	int fs = functab_field(g);
	uint64_t v = rd(g->functab.p + i * 2 * fs, fs);

	return g->ver >= GO_PCLN_118 ? g->text_start + v : v;
}

static int parse_116(struct go_pcln *g)
{
	bool v118 = g->ver >= GO_PCLN_118;
	int k = v118 ? 1 : 0;	/* 1.18 inserted textStart at word 2 */
	uint64_t offs[5];

	g->nfunc = hword(g, 0);
	g->nfiles = hword(g, 1);
	g->text_start = v118 ? hword(g, 2) : 0;
	for (int i = 0; i < 5; i++)
		offs[i] = hword(g, 2 + k + i);
	if (!region(g, offs[0], offs, 5, &g->funcnametab) ||
	    !region(g, offs[1], offs, 5, &g->cutab) ||
	    !region(g, offs[2], offs, 5, &g->filetab) ||
	    !region(g, offs[3], offs, 5, &g->pctab) ||
	    !region(g, offs[4], offs, 5, &g->functab))
		return -EINVAL;
	g->funcdata = g->functab;
	g->names_safe = g->funcnametab.len && !g->funcnametab.p[g->funcnametab.len - 1];
	g->files_safe = g->filetab.len && !g->filetab.p[g->filetab.len - 1];
	return 0;
}

static int parse_12(struct go_pcln *g)
{
	uint64_t fsize, fileoff;

	g->nfunc = hword(g, 0);
	if (g->nfunc > g->tab.len)
		return -EINVAL;
	g->functab.p = g->tab.p + 8 + g->ptrsize;
	g->functab.len = g->tab.len - 8 - g->ptrsize;
	fsize = (g->nfunc * 2 + 1) * g->ptrsize;
	if (fsize + 4 > g->functab.len)
		return -EINVAL;
	fileoff = rd32(g->functab.p + fsize);
	if (fileoff + 4 > g->tab.len)
		return -EINVAL;
	g->filetab.p = g->tab.p + fileoff;
	g->filetab.len = g->tab.len - fileoff;
	g->nfiles = rd32(g->filetab.p);
	g->funcnametab = g->pctab = g->funcdata = g->tab;
	return 0;
}

/* Checks the header of a candidate at p (len bytes available). */
static int parse(struct go_pcln *g, const uint8_t *p, uint64_t len)
{
	static const struct { uint32_t magic; enum go_pcln_ver ver; } magics[] = {
		{ 0xfffffffb, GO_PCLN_12 }, { 0xfffffffa, GO_PCLN_116 },
		{ 0xfffffff0, GO_PCLN_118 }, { 0xfffffff1, GO_PCLN_120 },
	};
	int err;

	if (len < 16 || p[4] || p[5] || (p[6] != 1 && p[6] != 2 && p[6] != 4) ||
	    (p[7] != 4 && p[7] != 8))
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->magic = rd32(p);
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (magics[i].magic == g->magic)
			g->ver = magics[i].ver;
	if (!g->ver)
		return -EINVAL;
	g->tab.p = p;
	g->tab.len = len;
	g->quantum = p[6];
	g->ptrsize = p[7];
	err = g->ver == GO_PCLN_12 ? parse_12(g) : parse_116(g);
	if (err)
		return err;
	if (!g->nfunc || g->nfunc > g->functab.len ||
	    (g->nfunc * 2 + 1) * functab_field(g) > g->functab.len)
		return -EINVAL;
	return 0;
}

/* A bucket per 4 KiB of text holding the index of the function at its
 * start, so a lookup binary-searches a handful of functions instead of
 * the whole table (the runtime's findfunctab idea, built here because
 * stripped binaries give no easy way to find the runtime's). */
#define BUCKET_SHIFT 12

static void build_buckets(struct go_pcln *g)
{
	uint64_t base = ftab_entry(g, 0), end = ftab_entry(g, g->nfunc), i = 0;

	if (end <= base || ((end - base) >> BUCKET_SHIFT) > g->nfunc * 64)
		return;		/* corrupt: keep the plain search */
	g->nbuckets = ((end - base) >> BUCKET_SHIFT) + 1;
	if (!(g->buckets = malloc(g->nbuckets * sizeof(*g->buckets)))) {
		g->nbuckets = 0;
		return;
	}
	for (uint64_t k = 0; k < g->nbuckets; k++) {
		uint64_t start = base + (k << BUCKET_SHIFT);

		while (i + 1 < g->nfunc && ftab_entry(g, i + 1) <= start)
			i++;
		g->buckets[k] = (uint32_t)i;
	}
}

/* The text base of 1.18+ entry offsets: the header's textStart unless it
 * is 0 (go1.26+, or an unrelocated PIE word), then runtime.text, then
 * moduledata.text, then .text. */
static void find_text_start(struct bin *b, struct go_pcln *g)
{
	uint64_t v = 0;
	GElf_Shdr sh;

	if (g->ver < GO_PCLN_118 || g->text_start)
		return;
	if (g->vaddr && bin_read_ptr(b, g->vaddr + 8 + 2 * g->ptrsize, g->ptrsize, &v) == 0 && v)
		g->text_start = v;
	else if (bin_symbol(b, "runtime.text", &v) && v)
		g->text_start = v;
	else if (go_moduledata_word(b, 22, &v) && v)
		g->text_start = v;
	else if (bin_section(b, ".text", &sh))
		g->text_start = sh.sh_addr;
}

/* File offset -> vaddr through the PT_LOADs, 0 if not loaded. */
static uint64_t off_to_vaddr(const struct bin *b, uint64_t off)
{
	for (int i = 0; i < b->nsegs; i++)
		if (off >= b->segs[i].off && off < b->segs[i].off + b->segs[i].filesz)
			return off - b->segs[i].off + b->segs[i].vaddr;
	return 0;
}

/* Looks for the magic in [from, to) of the file; first candidate that
 * parses. */
static bool scan_range(struct bin *b, struct go_pcln *g, uint64_t from, uint64_t to,
		       uint64_t *foff)
{
	static const uint8_t pat[] = { 0xff, 0xff, 0xff, 0x00, 0x00 };
	const uint8_t *p = b->map + from, *end = b->map + b->size;
	const uint8_t *stop = b->map + (to < b->size ? to : b->size);

	while (p + 8 <= stop && (p = memmem(p, stop - p, pat, sizeof(pat)))) {
		const uint8_t *c = p - 1;

		p++;
		if (c < b->map || ((c - b->map) & 3))
			continue;
		if (*c != 0xfb && *c != 0xfa && *c != 0xf0 && *c != 0xf1)
			continue;
		if (parse(g, c, end - c) == 0) {
			*foff = c - b->map;
			return true;
		}
	}
	return false;
}

/* Without a .gopclntab section (external linking puts the table in
 * .data.rel.ro, and stripping tools may drop section names), look where
 * linkers put it first, then in the whole file: scanning dockerd's 75 MB
 * from the start touched every page before the table. */
static bool scan(struct bin *b, struct go_pcln *g, uint64_t *foff)
{
	GElf_Shdr sh;

	if (b->has_shdrs && bin_section(b, ".data.rel.ro", &sh) && sh.sh_type != SHT_NOBITS &&
	    sh.sh_offset < b->size &&
	    scan_range(b, g, sh.sh_offset, sh.sh_offset + sh.sh_size, foff))
		return true;
	return scan_range(b, g, 0, b->size, foff);
}

static bool has_go_hint(const struct bin *b)
{
	GElf_Shdr sh;

	return !b->has_shdrs || bin_section(b, ".go.buildinfo", &sh) ||
	       bin_section(b, ".note.go.buildid", &sh);
}

static int locate(struct bin *b, struct go_pcln *g, uint64_t *foff, char *err, size_t errlen)
{
	static const char *const names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	const uint8_t *p;
	GElf_Shdr sh;

	for (int i = 0; i < 2; i++) {
		if (!bin_section(b, names[i], &sh) || sh.sh_type == SHT_NOBITS || !sh.sh_size)
			continue;
		p = bin_at_off(b, sh.sh_offset, sh.sh_size);
		if (!p) {
			bin_seterr(err, errlen, "%s: %s runs past the end of the file (truncated?)",
				   b->path, names[i]);
			return -EINVAL;
		}
		*foff = sh.sh_offset;
		if (parse(g, p, sh.sh_size)) {
			bin_seterr(err, errlen, "%s: corrupt Go pclntab in %s (bad header or function table)",
				   b->path, names[i]);
			return -EINVAL;
		}
		return 1;
	}
	return has_go_hint(b) && scan(b, g, foff) ? 1 : 0;
}

int go_pcln_open(struct bin *b, char *err, size_t errlen)
{
	struct go_pcln g;
	uint64_t foff = 0;
	int ret = locate(b, &g, &foff, err, errlen);

	if (ret <= 0)
		return ret;
	g.vaddr = off_to_vaddr(b, foff);
	b->go = malloc(sizeof(g));
	if (!b->go) {
		bin_seterr(err, errlen, "%s: out of memory", b->path);
		return -ENOMEM;
	}
	*b->go = g;
	find_text_start(b, b->go);
	if (ftab_entry(b->go, 0) > ftab_entry(b->go, b->go->nfunc)) {
		bin_seterr(err, errlen, "%s: corrupt Go pclntab (function table out of order)", b->path);
		free(b->go);
		b->go = NULL;
		return -EINVAL;
	}
	build_buckets(b->go);
	return 0;
}

const char *go_pcln_name(const struct go_pcln *g, uint32_t off)
{
	const struct go_slice *s = &g->funcnametab;

	if (off >= s->len)
		return NULL;
	if (!g->names_safe && !memchr(s->p + off, 0, s->len - off))
		return NULL;
	return (const char *)s->p + off;
}

/* Size of the fixed part of _func up to and including nfuncdata. */
uint64_t go_func_fixed(const struct go_pcln *g)
{
	switch (g->ver) {
	case GO_PCLN_12:  return g->ptrsize + 8 * 4;
	case GO_PCLN_116: return g->ptrsize + 9 * 4;
	case GO_PCLN_118: return 4 + 9 * 4;
	default:	  return 4 + 10 * 4;
	}
}

int go_pcln_func(const struct go_pcln *g, uint64_t i, struct go_func *f, const char **name)
{
	int fs = functab_field(g);
	uint64_t funcoff;
	uint32_t nameoff;

	if (i >= g->nfunc)
		return -ERANGE;
	funcoff = rd(g->functab.p + (i * 2 + 1) * fs, fs);
	if (funcoff >= g->funcdata.len || g->funcdata.len - funcoff < go_func_fixed(g))
		return -EINVAL;
	f->p = g->funcdata.p + funcoff;
	f->avail = g->funcdata.len - funcoff;
	f->vaddr = g->vaddr ? g->vaddr + (f->p - g->tab.p) : 0;
	f->entry = ftab_entry(g, i);
	f->end = ftab_entry(g, i + 1);
	if (name)
		*name = go_func_field(g, f, 1, &nameoff) ? go_pcln_name(g, nameoff) : NULL;
	return 0;
}

/* 1.18+ _func.flag & FuncFlag_ASM: the function is written in assembly. */
bool go_func_is_asm(const struct go_pcln *g, const struct go_func *f)
{
	return g->ver >= GO_PCLN_118 && (f->p[go_func_fixed(g) - 3] & 4);
}

bool go_func_field(const struct go_pcln *g, const struct go_func *f, int n, uint32_t *v)
{
	uint64_t sz0 = g->ver >= GO_PCLN_118 ? 4 : g->ptrsize;
	uint64_t off = sz0 + (uint64_t)(n - 1) * 4;

	if (n < 1 || off + 4 > f->avail)
		return false;
	*v = rd32(f->p + off);
	return true;
}

int64_t go_pcln_find(const struct go_pcln *g, uint64_t pc)
{
	uint64_t lo = 0, hi = g->nfunc, base = ftab_entry(g, 0), k;

	if (pc < base || pc >= ftab_entry(g, g->nfunc))
		return -1;
	if ((k = (pc - base) >> BUCKET_SHIFT) < g->nbuckets) {
		lo = g->buckets[k];
		hi = k + 1 < g->nbuckets ? (uint64_t)g->buckets[k + 1] + 1 : g->nfunc;
	}
	while (hi - lo > 1) {	/* invariant: entry(lo) <= pc < entry(hi) */
		uint64_t mid = lo + (hi - lo) / 2;

		if (ftab_entry(g, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return (int64_t)lo;
}

/* --- accessors for `--info` ------------------------------------------ */

const char *bin_go_pclntab_format(const struct bin *b)
{
	if (!b->go)
		return NULL;
	switch (b->go->ver) {
	case GO_PCLN_12:  return "go1.2 (0xfffffffb)";
	case GO_PCLN_116: return "go1.16 (0xfffffffa)";
	case GO_PCLN_118: return "go1.18 (0xfffffff0)";
	default:	  return "go1.20 (0xfffffff1)";
	}
}

size_t bin_go_nfuncs(const struct bin *b)
{
	return b->go ? b->go->nfunc : 0;
}

uint64_t bin_go_text_start(const struct bin *b)
{
	return b->go ? b->go->text_start : 0;
}
