/*
 * Disassembly of an emitted BPF object, for `-d bpf`.
 *
 * The output follows llvm-objdump -dr: a header per program section, a
 * label per function symbol, one line per instruction with its offset and
 * raw bytes, and the relocation (map references, calls) under the
 * instruction it patches, because a bare `r1 = 0 ll` says nothing about
 * which map is loaded. Sections are read with libelf; instructions are
 * decoded by LLVM's BPF disassembler (the bpfdisassembler component).
 * Objects are small (a few KB), so symbols and relocations are simply
 * rescanned for every instruction.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "codegen/module.h"

struct dump {
	Elf *elf;
	size_t shstrndx;
	Elf_Data *syms;    /* .symtab contents */
	size_t symstr;     /* its string table section */
	size_t nsyms;
	LLVMDisasmContextRef dc;
	FILE *f;
};

static const char *reloc_type(unsigned t)
{
	switch (t) {
	case 1: return "R_BPF_64_64";
	case 2: return "R_BPF_64_ABS64";
	case 3: return "R_BPF_64_ABS32";
	case 4: return "R_BPF_64_NODYLD32";
	case 10: return "R_BPF_64_32";
	default: return "R_BPF_?";
	}
}

/* A symbol's name; section symbols are named after their section. */
static const char *sym_name(struct dump *d, size_t idx)
{
	GElf_Sym s;
	GElf_Shdr sh;
	Elf_Scn *scn;
	const char *n = NULL;

	if (!d->syms || idx >= d->nsyms || !gelf_getsym(d->syms, idx, &s))
		return "?";
	if (GELF_ST_TYPE(s.st_info) == STT_SECTION) {
		scn = elf_getscn(d->elf, s.st_shndx);
		if (scn && gelf_getshdr(scn, &sh))
			n = elf_strptr(d->elf, d->shstrndx, sh.sh_name);
	} else {
		n = elf_strptr(d->elf, d->symstr, s.st_name);
	}
	return n ? n : "?";
}

static void find_symtab(struct dump *d)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(d->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d->syms = elf_getdata(scn, NULL);
		d->symstr = sh.sh_link;
		d->nsyms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		return;
	}
}

/* Function labels of section `shndx` at offset `off`. */
static void print_labels(struct dump *d, size_t shndx, uint64_t off)
{
	GElf_Sym s;

	for (size_t i = 0; d->syms && i < d->nsyms; i++) {
		if (!gelf_getsym(d->syms, i, &s) || s.st_shndx != shndx ||
		    s.st_value != off || GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		fprintf(d->f, "\n%016llx <%s>:\n", (unsigned long long)off,
			sym_name(d, i));
	}
}

/* Relocations in `rel` that patch bytes [off, off + n). */
static void print_relocs(struct dump *d, Elf_Data *rel, size_t nrel,
			 uint64_t off, size_t n)
{
	GElf_Rel r;

	for (size_t i = 0; rel && i < nrel; i++) {
		if (!gelf_getrel(rel, i, &r) || r.r_offset < off ||
		    r.r_offset >= off + n)
			continue;
		fprintf(d->f, "\t\t%016llx:  %s\t%s\n",
			(unsigned long long)r.r_offset,
			reloc_type(GELF_R_TYPE(r.r_info)),
			sym_name(d, GELF_R_SYM(r.r_info)));
	}
}

static Elf_Data *find_rel(struct dump *d, size_t shndx, size_t *nrel)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(d->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL ||
		    sh.sh_info != shndx || !sh.sh_entsize)
			continue;
		*nrel = sh.sh_size / sh.sh_entsize;
		return elf_getdata(scn, NULL);
	}
	*nrel = 0;
	return NULL;
}

static void dump_section(struct dump *d, Elf_Scn *scn, const char *name)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t shndx = elf_ndxscn(scn), nrel, n;
	Elf_Data *rel = find_rel(d, shndx, &nrel);
	char text[128];

	if (!data || !data->d_buf)
		return;
	fprintf(d->f, "\nDisassembly of section %s:\n", name);
	for (uint64_t off = 0; off + 8 <= data->d_size; off += n) {
		uint8_t *p = (uint8_t *)data->d_buf + off;

		print_labels(d, shndx, off);
		n = LLVMDisasmInstruction(d->dc, p, data->d_size - off, off,
					  text, sizeof(text));
		if (!n) {
			n = 8;
			snprintf(text, sizeof(text), "\t<unknown>");
		}
		/* instruction index in decimal, as the verifier log counts */
		fprintf(d->f, "%8llu:\t", (unsigned long long)(off / 8));
		for (size_t i = 0; i < n; i++)
			fprintf(d->f, "%02x ", p[i]);
		fprintf(d->f, "%s\n", text);
		print_relocs(d, rel, nrel, off, n);
	}
}

int cgm_dump_bpf(const void *elf, size_t len, FILE *f)
{
	static int inited;
	struct dump d = { .f = f };
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	char *copy;

	if (!inited) {
		LLVMInitializeBPFTargetInfo();
		LLVMInitializeBPFTargetMC();
		LLVMInitializeBPFDisassembler();
		elf_version(EV_CURRENT);
		inited = 1;
	}
	/* elf_memory() takes a writable buffer; never hand it the caller's */
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, elf, len);
	d.elf = elf_memory(copy, len);
	d.dc = LLVMCreateDisasm("bpfel", NULL, 0, NULL, NULL);
	if (!d.elf || !d.dc || elf_getshdrstrndx(d.elf, &d.shstrndx)) {
		if (d.dc)
			LLVMDisasmDispose(d.dc);
		if (d.elf)
			elf_end(d.elf);
		free(copy);
		return -EINVAL;
	}
	find_symtab(&d);
	while ((scn = elf_nextscn(d.elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		dump_section(&d, scn, elf_strptr(d.elf, d.shstrndx, sh.sh_name));
	}
	LLVMDisasmDispose(d.dc);
	elf_end(d.elf);
	free(copy);
	return 0;
}
