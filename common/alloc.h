/*
 * Allocation that cannot come back NULL.
 *
 * The compiler's tables (the plan's programs, maps, probe names, codegen's
 * slots) grow one element at a time. Running out of memory there is not a
 * mistake in the user's program that a diagnostic could explain, and
 * threading -ENOMEM through every grow would make each caller longer than
 * what it does, so these print one line and abort. Nothing is attached
 * while the compiler runs; once the runtime has attached probes, the
 * kernel releases our links and programs with our file descriptors, and
 * a -c child dies with us (PR_SET_PDEATHSIG).
 */
#ifndef GOTRACE_ALLOC_H
#define GOTRACE_ALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *alloc_check(void *p)
{
	if (!p) {
		fputs("gotrace: out of memory\n", stderr);
		abort();
	}
	return p;
}

static inline void *xrealloc(void *p, size_t n)
{
	return alloc_check(realloc(p, n ? n : 1));
}

/* Room for element n of an array of cap elements (of size bytes) that
 * grows by doubling: appending one at a time stays linear even for the
 * 100,000s of entries a hostile binary can claim. */
static inline void *xgrow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 64;
	return xrealloc(v, *cap * size);
}

static inline void *xcalloc(size_t n, size_t size)
{
	return alloc_check(calloc(n ? n : 1, size ? size : 1));
}

static inline char *xstrdup(const char *s)
{
	return alloc_check(strdup(s));
}

#endif
