/*
 * Reading values, whatever the format: integers of any width and sign,
 * tuple layout, and the order of map keys. How each format writes a
 * value is in out_text.c and out_json.c.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

int64_t out_int_read(const struct gt_type *t, const uint8_t *p)
{
	uint64_t v = out_u64(p);
	unsigned bits = t->size * 8;

	if (t->size == 0 || t->size >= 8)
		return (int64_t)v;
	v &= (1ULL << bits) - 1;
	if (t->is_signed && (v >> (bits - 1)))
		v |= ~0ULL << bits;
	return (int64_t)v;
}

void out_int_write(FILE *f, const struct gt_type *t, const uint8_t *p)
{
	int64_t v = out_int_read(t, p);

	if (t->hex)
		fprintf(f, "0x%llx", (unsigned long long)v);
	else if (t->is_signed)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%llu", (unsigned long long)v);
}

unsigned out_tuple_offset(const struct gt_type *t, int i)
{
	unsigned off = 0;

	for (int j = 0; j < i; j++)
		off = gt_align8(off + t->elems[j].size);
	return off;
}

static int field_cmp(const struct gt_type *t, const uint8_t *a,
		     const uint8_t *b)
{
	uint64_t x, y;

	switch (t->kind) {
	case GT_STR:
		return strncmp((const char *)a, (const char *)b, t->size);
	case GT_INT:
	case GT_PROBE:
	case GT_FUNC:
		x = out_u64(a);
		y = out_u64(b);
		return x < y ? -1 : x > y;
	case GT_TUPLE:
		return out_key_cmp(t, a, b);
	default:
		return memcmp(a, b, t->size);
	}
}

int out_key_cmp(const struct gt_type *key, const uint8_t *a, const uint8_t *b)
{
	if (key->kind != GT_TUPLE)
		return key->kind == GT_NONE ? 0 : field_cmp(key, a, b);
	for (int i = 0; i < key->nelems; i++) {
		unsigned off = out_tuple_offset(key, i);
		int c = field_cmp(&key->elems[i], a + off, b + off);

		if (c)
			return c;
	}
	return 0;
}

char *out_value_str(const struct gt_type *t, const uint8_t *data)
{
	char *buf = NULL;
	size_t len = 0;

	MEMSTREAM(buf, len, f, out_text_write(f, t, data, OUT_INDENT_VALUE));
	return buf;
}
