/*
 * C++ names: symbol tables hold mangled names (_ZN2ns5twiceEi), which
 * bpftrace prints demangled (ns::twice(int)) in stacks, usym and func,
 * and matches demangled in wildcards; so do we. The demangler is the C++
 * runtime's (__cxa_demangle, libstdc++, which we link anyway for LLVM).
 * BPFTRACE_NO_CPP_DEMANGLE=1 keeps mangled names, as in bpftrace.
 *
 * Stacks print the same names again and again, so each binary keeps the
 * names it demangled, by the address of the mangled string (names point
 * into the binary's mapping, one string per symbol).
 */
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"

char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);

struct bin_demangled {
	const char *mangled;	/* NULL: free slot */
	char *name;		/* NULL: not demangled (kept as is) */
};

static bool enabled(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("BPFTRACE_NO_CPP_DEMANGLE");

		on = !(e && (!strcmp(e, "1") || !strcmp(e, "true")));
	}
	return on;
}

bool bin_is_mangled(const char *name)
{
	return !strncmp(name, "_Z", 2) || !strncmp(name, "____Z", 5);
}

char *bin_demangle(const char *name)
{
	int status = 0;
	char *d;

	if (!name || !bin_is_mangled(name))
		return NULL;
	d = __cxa_demangle(name, NULL, NULL, &status);
	if (status != 0) {
		free(d);
		return NULL;
	}
	return d;
}

static size_t slot(const void *p, size_t cap)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (cap - 1);
}

static int grow(struct bin *b)
{
	size_t cap = b->ndm_cap ? b->ndm_cap * 2 : 256;
	struct bin_demangled *t = calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < b->ndm_cap; i++) {
		size_t h;

		if (!b->dm[i].mangled)
			continue;
		for (h = slot(b->dm[i].mangled, cap); t[h].mangled; h = (h + 1) & (cap - 1))
			;
		t[h] = b->dm[i];
	}
	free(b->dm);
	b->dm = t;
	b->ndm_cap = cap;
	return 0;
}

const char *bin_display_name(struct bin *b, const char *name)
{
	const char *out = name;
	size_t h;

	if (!name || !enabled() || !bin_is_mangled(name))
		return name;
	pthread_mutex_lock(&b->lock);
	if (2 * (b->ndm + 1) > b->ndm_cap && grow(b) < 0)
		goto done;
	for (h = slot(name, b->ndm_cap); b->dm[h].mangled; h = (h + 1) & (b->ndm_cap - 1))
		if (b->dm[h].mangled == name)
			break;
	if (!b->dm[h].mangled) {
		b->dm[h].mangled = name;
		b->dm[h].name = bin_demangle(name);
		b->ndm++;
	}
	if (b->dm[h].name)
		out = b->dm[h].name;
done:
	pthread_mutex_unlock(&b->lock);
	return out;
}

void bin_demangled_free(struct bin *b)
{
	for (size_t i = 0; i < b->ndm_cap; i++)
		free(b->dm[i].name);
	free(b->dm);
}
