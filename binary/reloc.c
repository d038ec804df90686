/*
 * RELATIVE relocations, read lazily, and pointer reads that honour them.
 *
 * A PIE file stores many of its data pointers (Go's moduledata, funcdata
 * pointers before go1.18, the build info of go1.13-1.17) as relocations
 * "*(offset) = load bias + addend", and the word in the file may be 0.
 * Reading a pointer therefore means: the file word if non-zero, else the
 * addend of a RELATIVE relocation at that address. Relocations come from
 * SHT_RELA sections, or from PT_DYNAMIC's DT_RELA when section headers
 * are gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"

static bool is_relative(const struct bin *b, uint64_t info)
{
	uint32_t type = b->ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? GELF_R_TYPE(info) : ELF32_R_TYPE(info);

	switch (b->ehdr.e_machine) {
	case EM_X86_64:  return type == R_X86_64_RELATIVE;
	case EM_AARCH64: return type == R_AARCH64_RELATIVE;
	case EM_386:     return type == R_386_RELATIVE;
	case EM_ARM:     return type == R_ARM_RELATIVE;
	default:         return false;
	}
}

static int add(struct bin *b, size_t *cap, uint64_t off, uint64_t addend)
{
	if (b->nrels == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct bin_rel *r = realloc(b->rels, ncap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		b->rels = r;
		*cap = ncap;
	}
	b->rels[b->nrels++] = (struct bin_rel){ off, addend };
	return 0;
}

/* Raw Elf64_Rela records at [p, p+size). */
static void add_raw(struct bin *b, size_t *cap, const uint8_t *p, uint64_t size)
{
	Elf64_Rela r;

	if (b->ehdr.e_ident[EI_CLASS] != ELFCLASS64)
		return;
	for (uint64_t o = 0; o + sizeof(r) <= size; o += sizeof(r)) {
		memcpy(&r, p + o, sizeof(r));
		if (is_relative(b, r.r_info) && add(b, cap, r.r_offset, r.r_addend))
			return;
	}
}

static void from_dynamic(struct bin *b, size_t *cap)
{
	uint64_t rela = 0, relasz = 0;

	for (size_t i = 0, n = 0; !elf_getphdrnum(b->elf, &n) && i < n; i++) {
		GElf_Phdr ph;
		const uint8_t *d;
		Elf64_Dyn dyn;

		if (!gelf_getphdr(b->elf, i, &ph) || ph.p_type != PT_DYNAMIC ||
		    !(d = bin_at_off(b, ph.p_offset, ph.p_filesz)))
			continue;
		for (uint64_t o = 0; o + sizeof(dyn) <= ph.p_filesz; o += sizeof(dyn)) {
			memcpy(&dyn, d + o, sizeof(dyn));
			if (dyn.d_tag == DT_RELA)
				rela = dyn.d_un.d_ptr;
			else if (dyn.d_tag == DT_RELASZ)
				relasz = dyn.d_un.d_val;
		}
	}
	if (rela && relasz && bin_at_vaddr(b, rela, relasz))
		add_raw(b, cap, bin_at_vaddr(b, rela, relasz), relasz);
}

static int cmp_rel(const void *a, const void *b)
{
	const struct bin_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void load(struct bin *b)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0;
	GElf_Shdr sh;

	while (b->has_shdrs && (scn = elf_nextscn(b->elf, scn))) {
		const uint8_t *p;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA &&
		    (p = bin_at_off(b, sh.sh_offset, sh.sh_size)))
			add_raw(b, &cap, p, sh.sh_size);
	}
	if (!b->nrels)
		from_dynamic(b, &cap);
	if (b->nrels)
		qsort(b->rels, b->nrels, sizeof(*b->rels), cmp_rel);
}

static void ensure(struct bin *b)
{
	pthread_mutex_lock(&b->lock);
	if (!b->rels_done) {
		load(b);
		b->rels_done = true;
	}
	pthread_mutex_unlock(&b->lock);
}

int bin_read_ptr(struct bin *b, uint64_t vaddr, int ptrsize, uint64_t *val)
{
	const uint8_t *p = bin_at_vaddr(b, vaddr, ptrsize);
	size_t lo = 0, hi;
	uint64_t v = 0;

	if (!p)
		return -ERANGE;
	memcpy(&v, p, ptrsize);	/* little-endian hosts and targets only */
	if (v || b->ehdr.e_type != ET_DYN) {
		*val = v;
		return 0;
	}
	ensure(b);
	for (hi = b->nrels; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->rels[mid].offset < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	*val = lo < b->nrels && b->rels[lo].offset == vaddr ? b->rels[lo].addend : 0;
	return 0;
}

uint64_t bin_rel_find_addend(struct bin *b, uint64_t addend, uint64_t after)
{
	ensure(b);
	for (size_t i = 0; i < b->nrels; i++)
		if (b->rels[i].offset > after && b->rels[i].addend == addend)
			return b->rels[i].offset;
	return 0;
}
