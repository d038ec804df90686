/*
 * The order in which bpftrace 0.17 leaves equal values.
 *
 * bpftrace sorts hist, lhist, avg and stats maps by value with C++'s
 * std::sort, starting from the entries in the order of their key bytes
 * (it gathers them in a std::map keyed by the bytes). std::sort is not
 * stable, but it is deterministic: the same input gives the same order.
 * So that ties print as bpftrace prints them, this is the algorithm of
 * the libstdc++ that bpftrace is built with (GCC's introsort): median of
 * three quicksort down to runs of 16, a heapsort past a depth of
 * 2 log2(n), then one insertion sort over the whole array.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/out_int.h"

struct sorter {
	char *base;
	size_t size;
	out_less_fn less;
	void *arg;
	char *tmp;	/* one element, for moves */
};

#define AT(s, i) ((s)->base + (size_t)(i) * (s)->size)

static bool lt(const struct sorter *s, const void *a, const void *b)
{
	return s->less(a, b, s->arg);
}

static void swap(struct sorter *s, size_t i, size_t j)
{
	memcpy(s->tmp, AT(s, i), s->size);
	memcpy(AT(s, i), AT(s, j), s->size);
	memcpy(AT(s, j), s->tmp, s->size);
}

static void put(struct sorter *s, size_t to, const void *from)
{
	memcpy(AT(s, to), from, s->size);
}

/* Move element i down while the one before it is greater; nothing stops
 * it at 0, so the caller knows a smaller element is before it. */
static void linear_insert(struct sorter *s, size_t i, char *val)
{
	memcpy(val, AT(s, i), s->size);
	while (lt(s, val, AT(s, i - 1))) {
		put(s, i, AT(s, i - 1));
		i--;
	}
	put(s, i, val);
}

static void insertion_sort(struct sorter *s, size_t first, size_t last, char *val)
{
	for (size_t i = first + 1; i < last; i++) {
		if (lt(s, AT(s, i), AT(s, first))) {
			memcpy(val, AT(s, i), s->size);
			memmove(AT(s, first + 1), AT(s, first), (i - first) * s->size);
			put(s, first, val);
		} else {
			linear_insert(s, i, val);
		}
	}
}

/* Sift the hole at `hole` down to a leaf, then the value up again. */
static void adjust_heap(struct sorter *s, size_t first, size_t hole, size_t len,
			const char *val)
{
	size_t top = hole, child = hole, parent;

	while (len > 1 && child < (len - 1) / 2) {
		child = 2 * (child + 1);
		if (lt(s, AT(s, first + child), AT(s, first + child - 1)))
			child--;
		put(s, first + hole, AT(s, first + child));
		hole = child;
	}
	if ((len & 1) == 0 && child == (len - 2) / 2) {
		child = 2 * (child + 1);
		put(s, first + hole, AT(s, first + child - 1));
		hole = child - 1;
	}
	parent = hole ? (hole - 1) / 2 : 0;
	while (hole > top && lt(s, AT(s, first + parent), val)) {
		put(s, first + hole, AT(s, first + parent));
		hole = parent;
		parent = hole ? (hole - 1) / 2 : 0;
	}
	put(s, first + hole, val);
}

static void heap_sort(struct sorter *s, size_t first, size_t last, char *val)
{
	size_t len = last - first;

	if (len < 2)
		return;
	for (size_t parent = (len - 2) / 2;; parent--) {
		memcpy(val, AT(s, first + parent), s->size);
		adjust_heap(s, first, parent, len, val);
		if (parent == 0)
			break;
	}
	while (last - first > 1) {
		last--;
		memcpy(val, AT(s, last), s->size);
		put(s, last, AT(s, first));
		adjust_heap(s, first, 0, last - first, val);
	}
}

static void median_to_first(struct sorter *s, size_t r, size_t a, size_t b, size_t c)
{
	if (lt(s, AT(s, a), AT(s, b))) {
		if (lt(s, AT(s, b), AT(s, c)))
			swap(s, r, b);
		else if (lt(s, AT(s, a), AT(s, c)))
			swap(s, r, c);
		else
			swap(s, r, a);
	} else if (lt(s, AT(s, a), AT(s, c))) {
		swap(s, r, a);
	} else if (lt(s, AT(s, b), AT(s, c))) {
		swap(s, r, c);
	} else {
		swap(s, r, b);
	}
}

/* Partition [first + 1, last) around the pivot at first. */
static size_t partition(struct sorter *s, size_t first, size_t last)
{
	size_t pivot = first++;

	for (;;) {
		while (lt(s, AT(s, first), AT(s, pivot)))
			first++;
		last--;
		while (lt(s, AT(s, pivot), AT(s, last)))
			last--;
		if (first >= last)
			return first;
		swap(s, first, last);
		first++;
	}
}

static void introsort(struct sorter *s, size_t first, size_t last, int depth, char *val)
{
	while (last - first > 16) {
		size_t cut;

		if (depth == 0) {
			heap_sort(s, first, last, val);
			return;
		}
		depth--;
		median_to_first(s, first, first + 1, first + (last - first) / 2, last - 1);
		cut = partition(s, first, last);
		introsort(s, cut, last, depth, val);
		last = cut;
	}
}

void out_cxx_sort(void *base, size_t n, size_t size, out_less_fn less, void *arg)
{
	struct sorter s = { .base = base, .size = size, .less = less, .arg = arg };
	char *val;
	int lg = 0;

	if (n < 2)
		return;
	s.tmp = malloc(2 * size);
	if (!s.tmp)
		return;
	val = s.tmp + size;
	while ((n >> (lg + 1)) != 0)
		lg++;
	introsort(&s, 0, n, 2 * lg, val);
	if (n > 16) {
		insertion_sort(&s, 0, 16, val);
		for (size_t i = 16; i < n; i++)
			linear_insert(&s, i, val);
	} else {
		insertion_sort(&s, 0, n, val);
	}
	free(s.tmp);
}
