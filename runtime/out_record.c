/*
 * C records (GT_RECORD): structs, unions and arrays read whole, printed
 * from their go_type (binary.h, is_c) as bpftrace 0.17 prints them:
 *
 *   value   { .id = 1, .name = first, .pos = { .x = 10, .y = 20 }, .vals = [1,2,3,4] }
 *   map key {.x=3,.y=-4}
 *   JSON    { "id": 1, "name": "first", "pos": { "x": 10, "y": 20 }, "vals": [1,2,3,4] }
 *
 * Integers at their width and sign (a pointer as a signed 64-bit number),
 * char arrays as strings up to their NUL; a bit-field, which gotrace does
 * not read, as 0.
 */
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "runtime/out_int.h"

static int64_t c_int(const struct go_type *t, const uint8_t *p)
{
	int64_t v = 0;
	bool sign = (t->kind >= GO_INT && t->kind <= GO_INT64) || t->size == 8;

	switch (t->size) {
	case 1: v = sign ? (int64_t)(int8_t)p[0] : (int64_t)p[0]; break;
	case 2: { uint16_t x; memcpy(&x, p, 2); v = sign ? (int64_t)(int16_t)x : (int64_t)x; break; }
	case 4: { uint32_t x; memcpy(&x, p, 4); v = sign ? (int64_t)(int32_t)x : (int64_t)x; break; }
	case 8: memcpy(&v, p, 8); break;
	default: break;
	}
	return v;
}

static void write_c(FILE *f, const struct go_type *t, const uint8_t *p, enum out_record_style st);

static void write_struct(FILE *f, const struct go_type *t, const uint8_t *p,
			 enum out_record_style st)
{
	fputs(st == OUT_RECORD_KEY ? "{" : "{ ", f);
	for (int i = 0; i < t->nfields; i++) {
		const struct go_field *fl = &t->fields[i];

		if (i)
			fputs(st == OUT_RECORD_KEY ? "," : ", ", f);
		if (st == OUT_RECORD_JSON)
			fprintf(f, "\"%s\": ", fl->name);
		else
			fprintf(f, st == OUT_RECORD_KEY ? ".%s=" : ".%s = ", fl->name);
		if (fl->type && fl->offset + fl->type->size <= t->size)
			write_c(f, fl->type, p + fl->offset, st);
		else
			fputc('0', f);
	}
	fputs(st == OUT_RECORD_KEY ? "}" : " }", f);
}

static void write_c(FILE *f, const struct go_type *t, const uint8_t *p, enum out_record_style st)
{
	size_t n;

	if (bin_c_is_chars(t)) {
		n = strnlen((const char *)p, t->len);
		if (st == OUT_RECORD_JSON)
			out_json_quote(f, (const char *)p, n);
		else
			fwrite(p, 1, n, f);
		return;
	}
	switch (t->kind) {
	case GO_STRUCT:
		write_struct(f, t, p, st);
		return;
	case GO_ARRAY:
		fputc('[', f);
		for (uint64_t i = 0; t->elem && i < t->len; i++) {
			if (i)
				fputc(',', f);
			write_c(f, t->elem, p + i * t->elem->size, st);
		}
		fputc(']', f);
		return;
	case GO_INVALID:	/* a bit-field */
		fputc('0', f);
		return;
	default:
		fprintf(f, "%lld", (long long)c_int(t, p));
	}
}

void out_record_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		      enum out_record_style st)
{
	if (t->gotype)
		write_c(f, t->gotype, p, st);
}
