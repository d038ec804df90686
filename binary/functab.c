/*
 * The function table: ELF function symbols merged with the Go pclntab.
 *
 * At open time we only build the address-sorted table (what symbolizing
 * needs): .symtab and .dynsym STT_FUNC symbols (and, for a binary stripped
 * of .symtab, its separate debug file's: debugfile.c), sorted, merged with the
 * pclntab's functions (already in address order), dropping entries that
 * have the same address and name. The name index used by exact lookups
 * and globs is built on first use. Names point into the file mapping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"
#include "golang/gopcln.h"

struct vec {
	struct bin_func *v;
	size_t n, cap;
};

static int push(struct vec *v, const char *name, uint64_t addr, uint64_t size,
		uint8_t rank)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		struct bin_func *p = realloc(v->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = (struct bin_func){ name, addr, size, rank };
	return 0;
}

/* Where several names share an address (libc's getpid is also __getpid,
 * and in its debug file __GI_getpid and __GI___getpid), the first is the
 * one a frame prints: an exported one, and of those the one with the
 * fewest leading underscores (free, not __libc_free), as dladdr and
 * mostly bpftrace name them. */
static size_t underscores(const char *s)
{
	return strspn(s, "_");
}

static int cmp_addr(const void *a, const void *b)
{
	const struct bin_func *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->alias != y->alias)
		return x->alias ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (underscores(x->name) != underscores(y->name))
		return underscores(x->name) < underscores(y->name) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The end of the ascending run that starts at v[i]. */
static size_t run_end(const struct bin_func *v, size_t i, size_t n)
{
	while (i + 1 < n && cmp_addr(&v[i], &v[i + 1]) <= 0)
		i++;
	return i + 1;
}

/* Sorts v by cmp_addr. A Go binary's symbol table is two ascending runs
 * (its local symbols, then the global ones), which one merge puts in
 * order: sorting them cost 2% of a start-up. Anything else is sorted. */
static int sort_funcs(struct bin_func *v, size_t n)
{
	size_t mid = run_end(v, 0, n), i = 0, j = mid, k = 0;
	struct bin_func *left;

	if (mid >= n)
		return 0;
	if (run_end(v, mid, n) < n) {
		qsort(v, n, sizeof(*v), cmp_addr);
		return 0;
	}
	if (!(left = malloc(mid * sizeof(*left))))
		return -ENOMEM;
	memcpy(left, v, mid * sizeof(*left));
	while (i < mid)		/* k < j: nothing unread is overwritten */
		v[k++] = j == n || cmp_addr(&left[i], &v[j]) <= 0 ? left[i++] : v[j++];
	free(left);
	return 0;
}

static uint8_t sym_rank(const GElf_Sym *s, const char *name)
{
	int bind = GELF_ST_BIND(s->st_info);
	uint8_t r = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;

	return strchr(name, '@') ? r + 3 : r;
}

static int elf_funcs(struct bin *b, struct vec *v)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while (b->has_shdrs && (scn = elf_nextscn(b->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			name = elf_strptr(b->elf, sh.sh_link, s.st_name);
			if (name && *name && push(v, name, s.st_value, s.st_size,
						   sym_rank(&s, name)))
				return -ENOMEM;
		}
	}
	/* A distribution's library keeps its local functions in its debug
	 * file; a Go binary has the pclntab instead. */
	if (!b->has_symtab && !b->go && (b->debug = bin_debug_file(b)))
		for (size_t i = 0; i < b->debug->nfuncs; i++)
			if (push(v, b->debug->funcs[i].name, b->debug->funcs[i].addr,
				 b->debug->funcs[i].size, b->debug->funcs[i].rank))
				return -ENOMEM;
	return sort_funcs(v->v, v->n);
}

static int go_funcs(struct bin *b, struct vec *v)
{
	const struct go_pcln *g = b->go;
	uint64_t *gi;
	int ret = 0;

	if (!g)
		return 0;
	gi = calloc(g->nfunc + 1, sizeof(*gi));
	if (!gi)
		return -ENOMEM;
	for (uint64_t i = 0; !ret && i < g->nfunc; i++) {
		struct go_func f;
		const char *name;

		if (go_pcln_func(g, i, &f, &name) || !name || f.end < f.entry)
			continue;	/* a corrupt record: skip it, keep the rest */
		gi[v->n] = i;
		ret = push(v, name, f.entry, f.end - f.entry, 0);
	}
	if (!ret && !b->has_symtab)
		ret = go_abi0_names(b, v->v, gi, v->n) ?: go_middot_names(b, v->v, v->n);
	free(gi);
	return ret;
}

/* Merges the ELF (x) and Go (y) address-sorted tables. Where both have a
 * function at an address the ELF name wins: it is what nm and bpftrace
 * show (e.g. "runtime.asmcgocall.abi0" where the pclntab says
 * "runtime.asmcgocall"). */
static int merge(struct bin *b, struct vec *x, struct vec *y)
{
	size_t i = 0, j = 0;

	b->funcs = malloc((x->n + y->n + 1) * sizeof(*b->funcs));
	if (!b->funcs)
		return -ENOMEM;
	while (i < x->n || j < y->n) {
		struct bin_func f;

		if (j == y->n || (i < x->n && x->v[i].addr <= y->v[j].addr)) {
			f = x->v[i++];
			for (; j < y->n && y->v[j].addr == f.addr; j++)
				if (!f.size)
					f.size = y->v[j].size;
		} else {
			f = y->v[j++];
		}
		if (b->nfuncs && b->funcs[b->nfuncs - 1].addr == f.addr &&
		    !strcmp(b->funcs[b->nfuncs - 1].name, f.name))
			continue;
		b->funcs[b->nfuncs++] = f;
	}
	return 0;
}

/* Puts funcs[n0..nfuncs), appended in address order, into the sorted
 * funcs[0..n0): one merge, where sorting the whole table again cost a
 * start-up as much as building it. */
static int merge_tail(struct bin *b, size_t n0)
{
	size_t i = 0, j = n0, k = 0, n = b->nfuncs;
	struct bin_func *v;

	if (n == n0)
		return 0;
	qsort(b->funcs + n0, n - n0, sizeof(*v), cmp_addr);	/* ties at an address */
	if (!(v = malloc((n + 1) * sizeof(*v))))
		return -ENOMEM;
	while (i < n0 || j < n)
		v[k++] = j == n || (i < n0 && cmp_addr(&b->funcs[i], &b->funcs[j]) <= 0)
			 ? b->funcs[i++] : b->funcs[j++];
	free(b->funcs);
	b->funcs = v;
	return 0;
}

/* The symbol table of a Go binary calls an assembly function
 * "name.abi0" whenever the link had an ABIInternal symbol of that name,
 * even one that did not survive into the binary: runtime.goexit is
 * runtime.goexit.abi0 there, but runtime.goexit in the pclntab, in Go's
 * tracebacks, in pprof and in a stripped build of the same program. Such
 * a function, with no other function of the plain name, also answers to
 * the plain name, which stacks print, as for a stripped binary. */
static int go_abi0_aliases(struct bin *b)
{
	size_t n = 0, bytes = 0, n0 = b->nfuncs;
	struct bin_names x;
	char *p = NULL;
	int ret = bin_names_init(&x, n0);

	for (size_t i = 0; !ret && i < n0; i++) {
		uint32_t *s = bin_names_slot(&x, b->funcs, b->funcs[i].name,
					     strlen(b->funcs[i].name));

		if (*s == BIN_NAME_FREE)
			*s = (uint32_t)i;
	}
	for (int pass = 0; !ret && pass < 2; pass++) {
		for (size_t i = 0; i < n0; i++) {
			const char *name = b->funcs[i].name;
			size_t len = strlen(name);

			if (b->funcs[i].alias || len <= 5 || strcmp(name + len - 5, ".abi0") ||
			    *bin_names_slot(&x, b->funcs, name, len - 5) != BIN_NAME_FREE)
				continue;
			if (!pass) {
				bytes += len - 4;
				n++;
				continue;
			}
			memcpy(p, name, len - 5);
			p[len - 5] = 0;
			b->funcs[b->nfuncs] = b->funcs[i];
			b->funcs[b->nfuncs].name = p;
			b->funcs[b->nfuncs++].alias = true;
			p += len - 4;
		}
		if (!pass && n) {
			struct bin_func *f = realloc(b->funcs, (n0 + n + 1) * sizeof(*f));

			if (f)
				b->funcs = f;
			if (!f || !(p = b->abi0_names = malloc(bytes)))
				ret = -ENOMEM;
		}
		if (!n)
			break;
	}
	bin_names_free(&x);
	return ret ?: merge_tail(b, n0);
}

int bin_functab_build(struct bin *b, char *err, size_t errlen)
{
	struct vec e = { 0 }, g = { 0 };
	int ret = elf_funcs(b, &e);

	ret = ret ?: go_funcs(b, &g);
	ret = ret ?: merge(b, &e, &g);
	/* abi0_names is the stripped binaries' (go_abi0_names) */
	if (!ret && b->go && b->has_symtab && !b->abi0_names)
		ret = go_abi0_aliases(b);
	free(e.v);
	free(g.v);
	if (ret)
		bin_seterr(err, errlen, "%s: out of memory", b->path);
	return ret;
}

/* The function containing vaddr: the last entry at or below it, unless it
 * has a size that ends before vaddr. */
const struct bin_func *bin_func_at(const struct bin *b, uint64_t vaddr)
{
	size_t lo = 0, hi = b->nfuncs;
	const struct bin_func *f;

	while (lo < hi) {	/* first entry above vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (b->funcs[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	f = &b->funcs[lo - 1];
	while (f > b->funcs && f[-1].addr == f->addr)
		f--;	/* the first name at that address */
	for (const struct bin_func *a = f; a < b->funcs + lo; a++)
		if (!a->size || vaddr - a->addr < a->size)
			return a;
	return NULL;
}

int bin_func_containing(struct bin *b, uint64_t vaddr, struct bin_func *out)
{
	const struct bin_func *f = bin_func_at(b, vaddr);

	if (!f)
		return -ENOENT;
	*out = *f;
	return 0;
}

int bin_symbolize(struct bin *b, uint64_t vaddr, struct bin_frame *frames, int max)
{
	const struct bin_func *f;
	int n;

	if (max < 1)
		return 0;
	bin_touch(b);
	if (b->go && (n = go_symbolize(b, vaddr, frames, max)) > 0)
		return n;
	f = bin_func_at(b, vaddr);
	frames[0] = (struct bin_frame){ .func = f ? bin_display_name(b, f->name) : NULL,
					.offset = f ? vaddr - f->addr : 0 };
	return 1;
}

size_t bin_nfuncs(const struct bin *b)
{
	return b->nfuncs;
}
