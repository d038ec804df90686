/*
 * Lookups by name: exact function names, globs, and raw ELF symbols.
 *
 * The name index is built on the first lookup, not at open: symbolizing
 * never needs it, and gotrace start-up only pays for it when a probe names
 * a function. It holds each distinct name once (the lowest address wins),
 * in strcmp order, so a glob's literal prefix narrows the scan to one
 * range found by binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"

static int cmp_name(const void *a, const void *b, void *funcs)
{
	const struct bin_func *x = (const struct bin_func *)funcs + *(const uint32_t *)a;
	const struct bin_func *y = (const struct bin_func *)funcs + *(const uint32_t *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int build(struct bin *b)
{
	size_t n = 0;

	b->by_name = malloc((b->nfuncs + 1) * sizeof(*b->by_name));
	if (!b->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < b->nfuncs; i++)
		b->by_name[i] = (uint32_t)i;
	if (b->nfuncs)
		qsort_r(b->by_name, b->nfuncs, sizeof(*b->by_name), cmp_name, b->funcs);
	for (size_t i = 0; i < b->nfuncs; i++)
		if (!n || strcmp(b->funcs[b->by_name[n - 1]].name, b->funcs[b->by_name[i]].name))
			b->by_name[n++] = b->by_name[i];
	b->nnames = n;
	return 0;
}

static int ensure(struct bin *b)
{
	int ret = 0;

	pthread_mutex_lock(&b->lock);
	if (!b->by_name)
		ret = build(b);
	pthread_mutex_unlock(&b->lock);
	return ret;
}

/* First index whose name is >= key over its first len bytes. */
static size_t lower_bound(const struct bin *b, const char *key, size_t len)
{
	size_t lo = 0, hi = b->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(b->funcs[b->by_name[mid]].name, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int find(struct bin *b, const char *name, size_t len, struct bin_func *out)
{
	size_t i = lower_bound(b, name, len);

	if (i == b->nnames || strncmp(b->funcs[b->by_name[i]].name, name, len) ||
	    b->funcs[b->by_name[i]].name[len])
		return -ENOENT;
	if (out)
		*out = b->funcs[b->by_name[i]];
	return 0;
}

/* In a stripped Go binary an assembly function keeps its plain pclntab
 * name unless its ABIInternal wrapper was linked in too (golang/abi0.c),
 * while the symbol table would have called it "<name>.abi0": so a
 * "<name>.abi0" lookup falls back to "<name>" there. */
int bin_func_find(struct bin *b, const char *name, struct bin_func *out)
{
	size_t len = strlen(name);
	int ret = ensure(b);

	if (ret)
		return ret;
	ret = find(b, name, len, out);
	if (ret && b->go && !b->has_symtab && len > 5 && !strcmp(name + len - 5, ".abi0"))
		ret = find(b, name, len - 5, out);
	return ret;
}

int bin_func_match(struct bin *b, const char *glob,
		   int (*cb)(const struct bin_func *f, void *arg), void *arg)
{
	size_t plen = glob_prefix_len(glob);
	int n = 0, ret = ensure(b);

	if (ret)
		return ret;
	for (size_t i = lower_bound(b, glob, plen); i < b->nnames; i++) {
		const struct bin_func *f = &b->funcs[b->by_name[i]];

		if (strncmp(f->name, glob, plen))
			break;
		if (f->alias || !bin_glob_match(glob, f->name))
			continue;
		n++;
		if (cb && (ret = cb(f, arg)))
			return ret;
	}
	return n;
}

/* Any symbol (functions, data, TLS) by exact name, .symtab first. */
bool bin_symbol(const struct bin *b, const char *name, uint64_t *val)
{
	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;

		while (b->has_shdrs && (scn = elf_nextscn(b->elf, scn))) {
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
			    sh.sh_type != (pass ? SHT_DYNSYM : SHT_SYMTAB) ||
			    !(d = elf_getdata(scn, NULL)))
				continue;
			for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym s;
				const char *n;

				if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF)
					continue;
				n = elf_strptr(b->elf, sh.sh_link, s.st_name);
				if (n && !strcmp(n, name)) {
					*val = s.st_value;
					return true;
				}
			}
		}
	}
	return false;
}
