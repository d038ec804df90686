/*
 * Symbolization benchmark (run through bench/symbolize.sh).
 *
 *   symbolize BINARY ADDRFILE RUNS
 *
 * Times bin_open() of BINARY (a fresh process, so nothing is cached),
 * then writes to ADDRFILE every function entry plus 100,000 random PCs
 * inside the functions (fixed seed), one hex address per line, and times
 * bin_symbolize() over the whole list RUNS times. Prints one line of
 * "key value" pairs for the script.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "binary/binary.h"

struct list {
	uint64_t *v;
	size_t n, cap;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add(struct list *l, uint64_t a)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 65536;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			exit(1);
	}
	l->v[l->n++] = a;
}

static int entry(const struct bin_func *f, void *arg)
{
	add(arg, f->addr);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct list l = { 0 };
	struct bin_frame fr[16];
	char err[256];
	double t0, open_ms, index_ms, best[64], first_ms;
	uint64_t lo = UINT64_MAX, hi = 0, seed = 88172645463325252ULL, frames = 0;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	struct bin *b;
	FILE *f;

	if (argc < 3 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: symbolize BINARY ADDRFILE [RUNS]\n");
		return 2;
	}
	t0 = now_ms();
	b = bin_open(argv[1], err, sizeof(err));
	open_ms = now_ms() - t0;
	if (!b) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = now_ms();
	bin_func_match(b, "*", entry, &l);	/* builds the name index */
	index_ms = now_ms() - t0;
	for (size_t i = 0; i < l.n; i++) {
		lo = l.v[i] < lo ? l.v[i] : lo;
		hi = l.v[i] > hi ? l.v[i] : hi;
	}
	for (int i = 0; i < 100000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		add(&l, lo + seed % (hi - lo));
	}
	if (!(f = fopen(argv[2], "w")))
		return 1;
	for (size_t i = 0; i < l.n; i++)
		fprintf(f, "%" PRIx64 "\n", l.v[i]);
	fclose(f);
	for (int r = 0; r < runs; r++) {
		t0 = now_ms();
		frames = 0;
		for (size_t i = 0; i < l.n; i++)
			frames += bin_symbolize(b, l.v[i], fr, 16);
		best[r] = now_ms() - t0;
	}
	first_ms = best[0];	/* cold: decodes each function's tables once */
	qsort(best, runs, sizeof(best[0]), cmp);
	printf("open_ms %.3f index_ms %.3f funcs %zu addrs %zu frames %" PRIu64
	       " symbolize_ms %.3f addrs_per_sec %.0f cold_ms %.3f\n",
	       open_ms, index_ms, bin_nfuncs(b), l.n, frames, best[runs / 2],
	       l.n / (best[runs / 2] / 1e3), first_ms);
	return 0;
}
