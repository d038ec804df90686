/*
 * Shared by the output tests (test_out_*.c): expect() compares what an
 * out_* function printed with what bpftrace printed, mem_open()/mem_close()
 * give a struct out that writes into memory so the text can be compared,
 * and report() turns the failure count into the exit status.
 *
 * Header-only (static functions) because every tests/<dir>/test_*.c is
 * linked as its own program; static inline so a test that does not use a
 * helper gets no warning.
 */
#ifndef OUT_TEST_H
#define OUT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/output.h"

static int failures;

/* Compare and free got (malloc'd by the code under test, or NULL). */
static inline void expect(const char *what, char *got, const char *want)
{
	if (!got || strcmp(got, want)) {
		fprintf(stderr, "FAIL %s\n--- want\n%s--- got\n%s---\n", what,
			want, got ? got : "(null)");
		failures++;
	}
	free(got);
}

/* An out whose output lands in buf; it must stay put while open, since the
 * memstream writes through &buf and &len. */
struct mem_out {
	struct out o;
	char *buf;
	size_t len;
};

static inline struct out *mem_open(struct mem_out *m, enum out_format fmt)
{
	m->buf = NULL;
	m->len = 0;
	m->o = (struct out){ .f = open_memstream(&m->buf, &m->len),
			     .format = fmt };
	return &m->o;
}

/* Everything printed since mem_open(), for expect() to free. */
static inline char *mem_close(struct mem_out *m)
{
	fclose(m->o.f);
	return m->buf;
}

/* main()'s exit status: 0 when every expectation held. */
static inline int report(void)
{
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

#endif
