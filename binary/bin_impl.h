/*
 * Internals of struct bin shared by binary/ (ELF, function table, processes)
 * and golang/ (pclntab, inline tree, build info, runtime offsets).
 *
 * A struct bin owns one private read-only view of the file (mmap) and a
 * libelf handle over that same memory, so every string (symbol names, Go
 * function and file names) points into the mapping and nothing is copied.
 * Everything that is not needed to answer "which function is this address"
 * is computed lazily under b->lock: the name index, the relocation table,
 * the Go build info and the inline-tree base address.
 */
#ifndef GOTRACE_BIN_IMPL_H
#define GOTRACE_BIN_IMPL_H

#include <gelf.h>
#include <pthread.h>
#include <sys/stat.h>

#include "binary/binary.h"

struct bin_seg {		/* one PT_LOAD */
	uint64_t vaddr, memsz, off, filesz;
	uint32_t flags;
};

struct bin_rel {		/* one RELATIVE relocation: *(offset) = bias + addend */
	uint64_t offset, addend;
};

/* An array of functions indexed by name (names.c): a hash table whose
 * slots hold indexes into the array, or BIN_NAME_FREE. */
struct bin_names {
	uint32_t *slot;
	uint32_t mask;
};
#define BIN_NAME_FREE UINT32_MAX

struct go_pcln;			/* golang/pclntab.c */
struct c_dwarf;			/* binary/cdwarf.c */

struct bin {
	char *path;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;

	uint8_t *map;		/* whole file, MAP_PRIVATE */
	size_t size;
	Elf *elf;
	GElf_Ehdr ehdr;
	struct bin_seg *segs;
	int nsegs;
	bool has_shdrs, has_symtab, has_dwarf;

	/* Function table, sorted by address then name, deduplicated. */
	struct bin_func *funcs;
	size_t nfuncs;
	char *abi0_names;	/* "<name>.abi0" strings made for stripped Go */
	char *middot_names;	/* names with "·" written as "." */

	pthread_mutex_t lock;	/* guards the lazy parts below */
	pthread_mutex_t types_lock; /* guards Go types (golang/gotypes.c) */
	struct bin_names names;	/* funcs by name (names.c); lazy */
	uint8_t *name_first;	/* 1 for the first (lowest) of each name */
	bool rels_done;
	struct bin_rel *rels;	/* sorted by offset; lazy */
	size_t nrels;

	struct bin_demangled *dm;	/* C++ names demangled (demangle.c) */
	size_t ndm, ndm_cap;

	struct bin *debug;	/* the separate debug file whose .symtab the
				   function table took (debugfile.c), owned */

	struct go_pcln *go;	/* NULL if no pclntab */
	struct c_dwarf *cdw;	/* C functions' parameters (cdwarf.c); lazy */
	bool gover_done;
	char gover[32];		/* "go1.19.8", "" if unknown */

	/* The cache (elf.c): a binary bin_open() gave out is pinned for
	 * the run; one that proc.c's snapshots hold has refs; one with
	 * neither is idle, and may be freed at the next bin_cache_trim(). */
	struct bin *next;
	bool pinned;
	unsigned refs;
	uint64_t released;	/* when it became idle, in bin_put()s */
	/* Pages (elf.c): the sweep period a lookup last used the binary in,
	 * and the one whose end let go of its pages. */
	uint64_t used, dropped;
};

/* File bytes [off, off+len), or NULL when out of the file. */
const uint8_t *bin_at_off(const struct bin *b, uint64_t off, uint64_t len);
/* Bytes at a virtual address (only file-backed parts of PT_LOADs). */
const uint8_t *bin_at_vaddr(const struct bin *b, uint64_t vaddr, uint64_t len);
/* A pointer-sized little-endian word at vaddr, taking the addend of a
 * RELATIVE relocation when the file holds no value (PIE). */
int bin_read_ptr(struct bin *b, uint64_t vaddr, int ptrsize, uint64_t *val);
/* Finds the first RELATIVE relocation whose addend is `addend`; returns its
 * target address or 0. */
uint64_t bin_rel_find_addend(struct bin *b, uint64_t addend, uint64_t after);
/* Section by name: its header, or false. */
bool bin_section(const struct bin *b, const char *name, GElf_Shdr *sh);
/* Symbol value by exact name from .symtab/.dynsym (data symbols too). */
bool bin_symbol(const struct bin *b, const char *name, uint64_t *val);
/* Open an ELF file outside the cache (the caller owns it; bin_free() of
 * the binary that holds it in ->debug frees it). NULL if it cannot be
 * opened or is not ELF. (elf.c) */
struct bin *bin_open_uncached(const char *path);
/* A counted reference to the cached binary at path, for holders that let
 * go (process snapshots): NULL if it cannot be opened. bin_put() lets go;
 * the binary stays usable until the next bin_cache_trim(). */
struct bin *bin_get(const char *path);
void bin_put(struct bin *b);
void bin_free(struct bin *b);
/* A lookup used b: its pages are kept until a second without one. */
void bin_touch(struct bin *b);
/* Ends a period of bin_cache_trim()'s page sweep now: the pages of each
 * binary not used in it are let go of (tests call it directly). */
void bin_cache_sweep(void);

/* b's separate debug file, for a binary stripped of .symtab: by build id
 * in /usr/lib/debug/.build-id/, else by .gnu_debuglink next to b, in its
 * .debug/ or under /usr/lib/debug, as gdb looks; it must have b's build id
 * (or, without one, the debuglink's CRC). NULL if none. (debugfile.c) */
struct bin *bin_debug_file(struct bin *b);

/* The name a frame or `func` prints for a symbol name of b: C++ names
 * demangled (cached in b), others as they are. (demangle.c) */
const char *bin_display_name(struct bin *b, const char *name);
void bin_demangled_free(struct bin *b);

/* What bin_free() frees beyond the file: a type with its names and field
 * array, not the types it points to (golang/gotypes.c); an array of
 * parameters (golang/params.c); the C DWARF reader (cdwarf.c). */
void bin_type_free(struct go_type *t);
void bin_params_free(struct bin_param *p, int n);
void bin_cdwarf_free(struct bin *b);

/* Function table helpers (binary/functab.c). */
int bin_functab_build(struct bin *b, char *err, size_t errlen);
const struct bin_func *bin_func_at(const struct bin *b, uint64_t vaddr);

/* Glob matching on full names (binary/glob.c). */
bool bin_glob_match(const char *glob, const char *s);
size_t glob_prefix_len(const char *glob);

/* One decoded x86-64 instruction (binary/insns.c). */
enum bin_insn_kind {
	BIN_INSN_OTHER,
	BIN_INSN_RET,
	BIN_INSN_JMP,		/* direct unconditional jump */
	BIN_INSN_JCC,		/* direct conditional jump */
	BIN_INSN_IJMP,		/* jump through a register or memory */
	BIN_INSN_CALL,
};

struct bin_insn {
	uint64_t pc;
	unsigned len;
	enum bin_insn_kind kind;
	bool has_target;	/* a direct JMP, Jcc or CALL: its target */
	uint64_t target;
	char mnem[16];		/* AT&T mnemonic, prefixes dropped: "cmpq" */
	char ops[64];		/* operands, AT&T order: "0x10(%r14), %rsp" */
};

/* Decodes [addr, addr+size) into *out (malloc'd, *n instructions), in
 * address order. -EILSEQ if some bytes do not decode, -ENOTSUP off
 * x86-64, -ENODATA for size 0, -ERANGE outside executable code; err
 * says which. */
int bin_decode(struct bin *b, uint64_t addr, uint64_t size, struct bin_insn **out,
	       size_t *n, char *err, size_t errlen);
/* The same, stopping after max instructions: the rest is neither decoded
 * nor checked to be code. */
int bin_decode_max(struct bin *b, uint64_t addr, uint64_t size, size_t max,
		   struct bin_insn **out, size_t *n, char *err, size_t errlen);

/* A table for n names, all slots free; -ENOMEM. */
int bin_names_init(struct bin_names *x, size_t n);
/* The slot of name[0..len) among v[]: the one holding the index of a
 * function of that name, else the free one where it would go. */
uint32_t *bin_names_slot(const struct bin_names *x, const struct bin_func *v,
			 const char *name, size_t len);
void bin_names_free(struct bin_names *x);

void bin_seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
