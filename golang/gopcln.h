/*
 * Internal interface of the Go pclntab reader (the files in golang/), used by
 * binary/ to fill the function table and to symbolize Go PCs.
 *
 * The pclntab is read in place from the mapped file. Every table is kept
 * as a (pointer, length) slice of that mapping so each access can be
 * bounds-checked: the reader must survive corrupt or truncated input.
 */
#ifndef GOTRACE_GOPCLN_H
#define GOTRACE_GOPCLN_H

#include "binary/bin_impl.h"

enum go_pcln_ver { GO_PCLN_12 = 12, GO_PCLN_116 = 116, GO_PCLN_118 = 118, GO_PCLN_120 = 120 };

struct go_slice {
	const uint8_t *p;
	uint64_t len;
};

struct go_pcln {
	enum go_pcln_ver ver;
	uint32_t magic;
	struct go_slice tab;	/* the whole pclntab */
	uint64_t vaddr;		/* its virtual address, 0 if not loaded */
	int quantum, ptrsize;
	uint64_t nfunc, nfiles;
	uint64_t text_start;	/* 1.18+: base of entry offsets */
	struct go_slice funcnametab, cutab, filetab, pctab, functab, funcdata;
	bool names_safe;	/* funcnametab ends in NUL: no per-name check */
	bool files_safe;	/* filetab ends in NUL */

	bool gofunc_done;	/* 1.18+: base of funcdata offsets (lazy) */
	uint64_t gofunc;
	bool md_done;		/* runtime.firstmoduledata (lazy) */
	uint64_t md_vaddr;
	struct go_fcache **fcache;	/* per function, decoded tables (lazy) */
	struct go_inl_index *inlindex;	/* callee -> functions inlining it (lazy) */
	struct rt_module *types;	/* runtime type descriptors (gotypes.c) */
	struct dw_cache *dwtypes;	/* types built from DWARF (dwtypes.c) */
	struct dw_params *params;	/* DWARF subprograms (params.c) */
	uint32_t *buckets;	/* per 4 KiB of text: the function at its start */
	uint64_t nbuckets;
};

/* A _func record, located and bounds-checked. */
struct go_func {
	const uint8_t *p;	/* start of the _func */
	uint64_t avail;		/* bytes from p to the end of its table */
	uint64_t vaddr;		/* address of the _func, for alignment */
	uint64_t entry, end;
};

/* Finds and validates the pclntab. Returns 0 with b->go set, 0 with
 * b->go NULL when the file has none, or -EINVAL when it is corrupt. */
int go_pcln_open(struct bin *b, char *err, size_t errlen);
/* Function i (0 <= i < nfunc): entry, end and name (NULL if bad). */
int go_pcln_func(const struct go_pcln *g, uint64_t i, struct go_func *f, const char **name);
/* Index of the function containing pc, or -1. */
int64_t go_pcln_find(const struct go_pcln *g, uint64_t pc);
/* _func field n (n >= 1) as a uint32: nameoff=1, pcfile=5, pcln=6, ... */
bool go_func_field(const struct go_pcln *g, const struct go_func *f, int n, uint32_t *v);
/* Bytes of _func before its pcdata array (the last one is nfuncdata). */
uint64_t go_func_fixed(const struct go_pcln *g);
/* Whether f is an assembly function (1.18+ FuncFlag_ASM). */
bool go_func_is_asm(const struct go_pcln *g, const struct go_func *f);
/* Name at a funcnametab offset, or NULL. */
const char *go_pcln_name(const struct go_pcln *g, uint32_t off);

/* Value of pc-value table `off` at pc, or false (golang/lines.c). */
bool go_pcvalue(const struct go_pcln *g, const struct go_func *f, uint32_t off,
		uint64_t pc, int32_t *val);
/* Walking a pc-value table: go_pcstep() gives each value in turn, with
 * the pc up to which it holds, and false at the end (`done` set) or on a
 * corrupt table. */
struct go_pciter {
	const uint8_t *p;
	uint64_t pc;
	int32_t v;
	bool first, done;
};
bool go_pciter_init(const struct go_pcln *g, const struct go_func *f, uint32_t off,
		    struct go_pciter *it);
bool go_pcstep(const struct go_pcln *g, struct go_pciter *it);
bool go_func_pcdata(const struct go_pcln *g, const struct go_func *f, int idx, uint32_t *off);
/* File and line of pc in f. */
void go_func_line(const struct go_pcln *g, const struct go_func *f, uint64_t pc,
		  const char **file, int *line);
int go_symbolize(struct bin *b, uint64_t pc, struct bin_frame *frames, int max);

/* Inline tree (golang/inline.c): where f's tree is and its PCDATA index
 * table; false if f has no inlined calls (or the layout is unknown). */
bool go_inline_tree(struct bin *b, const struct go_func *f, uint64_t *tree, uint32_t *idxtab);
/* Record ix of the tree: callee name and parentPc (offset from entry). */
bool go_inline_record(struct bin *b, uint64_t tree, int32_t ix, const char **name, int32_t *parent_pc);
/* A tree's n records in one piece, *size bytes each, for a scan of many
 * (finding each record's bytes was half a record's cost); NULL if they
 * are not all in the file. go_inline_rec() reads the one at r. */
const uint8_t *go_inline_records(struct bin *b, uint64_t tree, int32_t n, size_t *size);
bool go_inline_rec(const struct go_pcln *g, const uint8_t *r, const char **name,
		   int32_t *parent_pc);

/* Per-function decoded line tables (golang/pccache.c): one sorted array
 * of runs, plus the function's inline records resolved. */
struct go_run {			/* 8 bytes: runs are read on every lookup */
	int32_t line;		/* 0: unknown */
	int16_t inl;		/* inline tree index, -1 for the function itself */
	uint16_t file;		/* index into files[]; files[0] is NULL (unknown) */
};
struct go_inl {
	const char *name;	/* NULL: a bad record */
	uint32_t parent;	/* parentPc: offset of an instruction at the call site */
};
struct go_fcache {
	const char *name;	/* the real function, as the function table spells it */
	uint64_t entry;
	uint32_t nruns, ninl, nfiles;
	struct go_inl *inl;	/* [ninl] */
	const char **files;	/* [nfiles] */
	struct go_run *runs;	/* [nruns], in the order of ends */
	uint32_t ends[];	/* [nruns]: run i ends at this offset from entry;
				 * apart from runs so a search touches few lines */
};
/* Function i's cache, built on first use; NULL when out of memory.
 * `name` is the pclntab's name, which the function table's overrides. */
const struct go_fcache *go_fcache_get(struct bin *b, uint64_t i, const struct go_func *f,
				      const char *name);
const struct go_run *go_fcache_run(const struct go_fcache *c, uint64_t off);
void go_fcache_free(struct go_pcln *g);
/* The type and parameter caches, for bin_free(): gotypes.c, dwtypes.c,
 * params.c. */
void go_types_free(struct go_pcln *g);
void go_dwtypes_free(struct go_pcln *g);
void go_params_free(struct go_pcln *g);
/* Which functions' inline trees name each callee (golang/inlindex.c). */
struct go_inl_group {
	const char *name;	/* in funcnametab: one group per address */
	uint32_t first, n;	/* fn[first .. first + n) */
};
struct go_inl_index {
	struct go_inl_group *groups;
	size_t ngroups;
	uint32_t *fn;		/* function indexes in pclntab order within a
				 * group, once per record naming the callee */
	size_t nfn;
};
/* Made on the first call; NULL with err set for a binary whose trees
 * overlap. */
const struct go_inl_index *go_inl_index(struct bin *b, char *err, size_t errlen);
void go_inl_index_free(struct go_inl_index *ix);
/* A varint of the pc-value tables. Inline: a scan of a binary's inline
 * trees decodes tens of millions. */
static inline bool go_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t c = *(*p)++;

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* A pc-value table's next value: v plus the zig-zag delta uv. Go adds in
 * int32 and wraps, so a hostile table may overflow: the sum is taken in
 * uint32, where wrapping is defined. */
static inline int32_t go_pcdelta(int32_t v, uint64_t uv)
{
	uint32_t d = (uint32_t)((uv & 1) ? ~(uv >> 1) : (uv >> 1));

	return (int32_t)((uint32_t)v + d);
}
const char *go_file_name(const struct go_pcln *g, const struct go_func *f, int32_t fileno);

/* Renames the ABI0 one of two functions sharing a name to "<name>.abi0",
 * as the symbol table does; gi[k] is the pclntab index of v[k]
 * (golang/abi0.c). */
int go_abi0_names(struct bin *b, struct bin_func *v, const uint64_t *gi, size_t n);

/* Writes "·" as "." in names, as the symbol table does. */
int go_middot_names(struct bin *b, struct bin_func *v, size_t n);

/* Go types (golang/gotypes.c): moduledata.types, the base of DWARF's
 * runtime-type offsets (0 if unknown). */
uint64_t go_types_base(struct bin *b);

/* runtime.firstmoduledata fields (golang/moduledata.c). */
bool go_moduledata_word(struct bin *b, int word, uint64_t *val);
uint64_t go_gofunc(struct bin *b);

#endif
