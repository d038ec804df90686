/*
 * pc-value tables from a hostile binary: Go adds each zig-zag delta in
 * int32 and wraps, and so must we, without C's signed overflow (which
 * UBSan reports in `make check-asan`; libFuzzer found it in the reader).
 */
#include <stdbool.h>
#include <stdint.h>

#include "golang/gopcln.h"
#include "tests/golang/gotest.h"

/* Appends v as a uvarint. */
static unsigned put_uvarint(uint8_t *p, uint64_t v)
{
	unsigned n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (uint8_t)(v | 0x80);
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t zigzag(int64_t d)
{
	return d < 0 ? ((uint64_t)~d << 1) | 1 : (uint64_t)d << 1;
}

int main(void)
{
	/* offset 0 means "no table": the table starts at 1 */
	uint8_t tab[64] = { 0 };
	unsigned n = 1;
	struct go_pcln g = { .quantum = 1 };
	struct go_func f = { .entry = 0x1000, .end = 0x1010 };
	int32_t v = 0;

	/* -1 + (INT32_MAX) for 1 byte, then +2 (past INT32_MAX: wraps),
	 * then -3 (back past INT32_MIN: wraps again) */
	n += put_uvarint(tab + n, zigzag(INT32_MAX));
	n += put_uvarint(tab + n, 1);
	n += put_uvarint(tab + n, zigzag(2));
	n += put_uvarint(tab + n, 1);
	n += put_uvarint(tab + n, zigzag(-3));
	n += put_uvarint(tab + n, 14);
	tab[n++] = 0;
	g.pctab = (struct go_slice){ tab, n };

	CHECK(go_pcvalue(&g, &f, 1, 0x1000, &v) && v == INT32_MAX - 1,
	      "first run: %d", v);
	CHECK(go_pcvalue(&g, &f, 1, 0x1001, &v) && v == INT32_MIN,
	      "INT32_MAX + 1 wraps to INT32_MIN, as Go's int32 does: %d", v);
	CHECK(go_pcvalue(&g, &f, 1, 0x1005, &v) && v == INT32_MAX - 2,
	      "INT32_MIN - 3 wraps back: %d", v);
	CHECK(!go_pcvalue(&g, &f, 1, 0x1010, &v), "past the table");
	printf("%s: %d failure(s)\n", __FILE__, gt_failures);
	return gt_failures != 0;
}
