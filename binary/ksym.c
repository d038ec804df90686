/*
 * Kernel symbols from /proc/kallsyms, read once on first use and kept
 * sorted by address. When kptr_restrict hides addresses (all zero) every
 * lookup fails, so stacks print raw addresses rather than wrong names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"

struct ksym {
	uint64_t addr;
	char *name;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct ksym *syms;
static size_t nsyms;

static int cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Line: "ffffffff81000000 T _text" or "... t name\t[module]". */
static void load(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	size_t cap = 0;
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];
		struct ksym *v;

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (nsyms == cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(v = realloc(syms, cap * sizeof(*v))))
				break;
			syms = v;
		}
		if (!(syms[nsyms].name = strdup(name)))
			break;
		syms[nsyms++].addr = addr;
	}
	fclose(f);
	if (nsyms)
		qsort(syms, nsyms, sizeof(*syms), cmp);
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi;

	pthread_once(&once, load);
	for (hi = nsyms; lo < hi;) {	/* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	if (offset)
		*offset = addr - syms[lo - 1].addr;
	return syms[lo - 1].name;
}

/* The first symbol of that name in /proc/kallsyms, as bpftrace's kaddr()
 * takes it; read afresh, since the compiler asks once per name. */
int ksym_addr(const char *name, uint64_t *addr)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256];
	unsigned long long a;
	char type;
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 && !strcmp(sym, name)) {
			*addr = a;
			rc = 0;
		}
	fclose(f);
	return rc;
}
