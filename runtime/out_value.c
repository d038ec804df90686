/*
 * Single values as text and JSON, map keys, and the small messages
 * (print(value), time(), "Attaching N probes...").
 *
 * Formats follow bpftrace 0.17, measured with the real tool:
 *   text   integers in decimal, strings raw (no quotes, no escapes), tuples
 *          as "(1, a, (2, 3))", stacks multi-line (see out_sym.c);
 *   JSON   integers bare, tuples as [1,"a"] (no spaces), everything else a
 *          quoted string of its text form;
 *   keys   fields joined by ", " inside "@m[...]", by "," as a JSON object
 *          key ({"1,x": 5}); stacks inside keys are indented by 4.
 */
#include <stdlib.h>
#include <time.h>

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

static void write_int(FILE *f, const struct gt_type *t, const uint8_t *p)
{
	int64_t v = out_int_read(t, p);

	if (t->is_signed)
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

static void write_tuple(FILE *f, const struct gt_type *t, const uint8_t *p,
			int indent)
{
	fputc('(', f);
	for (int i = 0; i < t->nelems; i++) {
		if (i)
			fputs(", ", f);
		out_text_write(f, &t->elems[i], p + out_tuple_offset(t, i),
			       indent);
	}
	fputc(')', f);
}

void out_text_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		    int indent)
{
	char *s;

	if (!p)
		return;
	switch (t->kind) {
	case GT_STR:
		fwrite(p, 1, strnlen((const char *)p, t->size), f);
		break;
	case GT_USTACK:
	case GT_KSTACK:
		out_stack_write(f, t, p, indent);
		break;
	case GT_USYM:
		s = out_usym_str(out_u64(p), (uint32_t)out_u64(p + 8));
		fputs(s ? s : "", f);
		free(s);
		break;
	case GT_PROBE:
		out_probe_write(f, out_u64(p));
		break;
	case GT_TUPLE:
		write_tuple(f, t, p, indent);
		break;
	default:
		write_int(f, t, p);
		break;
	}
}

/* bpftrace escapes ", \, \n, \r, \t by name and other bytes below 0x20 as
 * \u00XX. It tests the byte as a signed char, so bytes >= 0x80 come out as
 * "\uffffffc3"; we reproduce that byte for byte. 0x7f passes raw. */
void out_json_quote(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		signed char c = (signed char)s[i];

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", (unsigned)(int)c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* Formats into a memory stream and hands the buffer over. */
#define MEMSTREAM(buf, len, f, body)                                         \
	do {                                                                 \
		FILE *f = open_memstream(&(buf), &(len));                    \
		if (!f)                                                      \
			break;                                               \
		body;                                                        \
		fclose(f);                                                   \
	} while (0)

void out_json_write(FILE *f, const struct gt_type *t, const uint8_t *p)
{
	char *buf = NULL;
	size_t len = 0;

	if (t->kind == GT_TUPLE) {
		fputc('[', f);
		for (int i = 0; i < t->nelems; i++) {
			if (i)
				fputc(',', f);
			out_json_write(f, &t->elems[i],
				       p + out_tuple_offset(t, i));
		}
		fputc(']', f);
		return;
	}
	if (t->kind != GT_STR && t->kind != GT_USTACK &&
	    t->kind != GT_KSTACK && t->kind != GT_USYM && t->kind != GT_PROBE) {
		write_int(f, t, p);
		return;
	}
	MEMSTREAM(buf, len, mf, out_text_write(mf, t, p, OUT_INDENT_VALUE));
	out_json_quote(f, buf ? buf : "", len);
	free(buf);
}

void out_key_write(FILE *f, const struct gt_type *key, const uint8_t *p,
		   const char *sep)
{
	if (key->kind != GT_TUPLE) {
		out_text_write(f, key, p, OUT_INDENT_KEY);
		return;
	}
	for (int i = 0; i < key->nelems; i++) {
		if (i)
			fputs(sep, f);
		out_text_write(f, &key->elems[i], p + out_tuple_offset(key, i),
			       OUT_INDENT_KEY);
	}
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

void out_map_label(FILE *f, const struct map_desc *m, const uint8_t *key)
{
	fputs(m->name, f);
	if (m->key.kind == GT_NONE)
		return;
	fputc('[', f);
	out_key_write(f, &m->key, key, ", ");
	fputc(']', f);
}

void out_json_key(FILE *f, const struct map_desc *m, const uint8_t *key)
{
	char *buf = NULL;
	size_t len = 0;

	MEMSTREAM(buf, len, mf, out_key_write(mf, &m->key, key, ","));
	out_json_quote(f, buf ? buf : "", len);
	free(buf);
}

char *out_value_str(const struct gt_type *t, const uint8_t *data)
{
	char *buf = NULL;
	size_t len = 0;

	MEMSTREAM(buf, len, f, out_text_write(f, t, data, OUT_INDENT_VALUE));
	return buf;
}

/* print(value): text adds a newline; JSON is {"type": "value", ...}. */
void out_value(struct out *o, const struct gt_type *t, const uint8_t *data)
{
	if (o->format == OUT_JSON) {
		fputs("{\"type\": \"value\", \"data\": ", o->f);
		out_json_write(o->f, t, data);
		fputs("}\n", o->f);
		return;
	}
	out_text_write(o->f, t, data, OUT_INDENT_VALUE);
	fputc('\n', o->f);
}

/* time(): no newline is added beyond what the format holds. */
void out_time(struct out *o, const char *fmt)
{
	char buf[1024];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	localtime_r(&now, &tm);
	n = strftime(buf, sizeof(buf), fmt ? fmt : "%H:%M:%S\n", &tm);
	if (o->format == OUT_JSON) {
		fputs("{\"type\": \"time\", \"data\": ", o->f);
		out_json_quote(o->f, buf, n);
		fputs("}\n", o->f);
		return;
	}
	fwrite(buf, 1, n, o->f);
}

void out_attached(struct out *o, int nprobes)
{
	if (o->format == OUT_JSON)
		fprintf(o->f,
			"{\"type\": \"attached_probes\", \"data\": "
			"{\"probes\": %d}}\n", nprobes);
	else	/* a diagnostic, not program output: stderr, unlike bpftrace */
		fprintf(o->diag ? o->diag : stderr, "Attaching %d probe%s...\n", nprobes,
			nprobes == 1 ? "" : "s");
}

void out_exit_header(struct out *o)
{
	fputs("\n\n", o->f);
}
