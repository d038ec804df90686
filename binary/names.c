/*
 * Lookups by name: exact function names, globs, and raw ELF symbols.
 *
 * The name index is built on the first lookup, not at open: symbolizing
 * never needs it. It is a hash table, built in one pass: sorting the
 * names cost 46M instructions on hugo's 47,000 functions, whose names
 * share long prefixes, for a start-up that looks up one name. It holds
 * each distinct name once, at its lowest address. A glob is matched
 * against every name, and its matches alone are sorted, so that probes
 * come in name order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"
#include "common/alloc.h"
#include "common/hash.h"

int bin_names_init(struct bin_names *x, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)	/* at most half full: probes stay short */
		cap *= 2;
	x->mask = (uint32_t)(cap - 1);
	x->slot = malloc(cap * sizeof(*x->slot));
	if (!x->slot)
		return -ENOMEM;
	memset(x->slot, 0xff, cap * sizeof(*x->slot));	/* BIN_NAME_FREE */
	return 0;
}

void bin_names_free(struct bin_names *x)
{
	free(x->slot);
	x->slot = NULL;
}

uint32_t *bin_names_slot(const struct bin_names *x, const struct bin_func *v,
			 const char *name, size_t len)
{
	for (uint32_t h = (uint32_t)hash_bytes(name, len) & x->mask;; h = (h + 1) & x->mask) {
		uint32_t i = x->slot[h];

		if (i == BIN_NAME_FREE || (!strncmp(v[i].name, name, len) && !v[i].name[len]))
			return &x->slot[h];
	}
}

static int build(struct bin *b)
{
	int ret = bin_names_init(&b->names, b->nfuncs);

	if (!ret && !(b->name_first = calloc(b->nfuncs + 1, 1)))
		ret = -ENOMEM;
	/* funcs is in address order: the first of a name is the lowest */
	for (size_t i = 0; !ret && i < b->nfuncs; i++) {
		const char *name = b->funcs[i].name;
		uint32_t *s = bin_names_slot(&b->names, b->funcs, name, strlen(name));

		if (*s == BIN_NAME_FREE) {
			*s = (uint32_t)i;
			b->name_first[i] = 1;
		}
	}
	if (ret) {	/* built again at the next lookup */
		bin_names_free(&b->names);
		free(b->name_first);
		b->name_first = NULL;
	}
	return ret;
}

static int ensure(struct bin *b)
{
	int ret = 0;

	pthread_mutex_lock(&b->lock);
	if (!b->names.slot)
		ret = build(b);
	pthread_mutex_unlock(&b->lock);
	return ret;
}

static int find(struct bin *b, const char *name, size_t len, struct bin_func *out)
{
	uint32_t i = *bin_names_slot(&b->names, b->funcs, name, len);

	if (i == BIN_NAME_FREE)
		return -ENOENT;
	if (out)
		*out = b->funcs[i];
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

static int cmp_name(const void *a, const void *b, void *funcs)
{
	const struct bin_func *v = funcs;

	return strcmp(v[*(const uint32_t *)a].name, v[*(const uint32_t *)b].name);
}

int bin_func_match(struct bin *b, const char *glob,
		   int (*cb)(const struct bin_func *f, void *arg), void *arg)
{
	size_t plen = glob_prefix_len(glob), n = 0, cap = 0;
	uint32_t *hits = NULL;
	int ret = ensure(b);

	for (size_t i = 0; !ret && i < b->nfuncs; i++) {
		const struct bin_func *f = &b->funcs[i];

		if (!b->name_first[i] || f->alias || strncmp(f->name, glob, plen) ||
		    !bin_glob_match(glob, f->name))
			continue;
		hits = xgrow(hits, n, &cap, sizeof(*hits));
		hits[n++] = (uint32_t)i;
	}
	if (n)
		qsort_r(hits, n, sizeof(*hits), cmp_name, b->funcs);
	for (size_t k = 0; !ret && cb && k < n; k++)
		ret = cb(&b->funcs[hits[k]], arg);
	free(hits);
	return ret ?: (int)n;
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
