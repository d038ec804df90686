/*
 * The JSON format: one object per line, with bpftrace 0.17's shapes, as
 * measured with the real tool.
 *
 * Values: integers bare, tuples as [1,"a"] (no spaces), everything else a
 * quoted string of its text form. Map keys are the key fields joined by
 * "," as one quoted object key ({"1,x": 5}).
 *
 *   {"type": "map", "data": {"@x": {"1,abc": 5}}}      "map" or, for avg
 *   {"type": "stats", "data": {"@s": {"k": {"count": 2, "average": 9,
 *                                           "total": 18}}}}    and stats
 *   {"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}]}}
 *   {"type": "printf", "data": "..."}
 *   {"type": "value", "data": ...}                     print(value)
 *   {"type": "time", "data": "..."}
 *   {"type": "attached_probes", "data": {"probes": N}}
 *
 * A map without keys has its value straight under its name. hist buckets
 * carry {"max": -1, ...} for (..., 0) and {"min": 100, ...} for an lhist's
 * [100, ...); keyed hist maps nest {"k": [...]} objects. An empty map
 * prints nothing.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

/* bpftrace escapes ", \, \n, \r, \t by name and other bytes below 0x20 as
 * \u00XX. It tests the byte as a signed char, so bytes >= 0x80 come out as
 * "\uffffffc3"; we reproduce that byte for byte. 0x7f passes raw.
 * Runs of characters that need no escape go out in one fwrite(): a
 * printf record is mostly one run, and a stdio call per character (each
 * takes the stream's lock) was most of its cost. */
void out_json_quote(FILE *f, const char *s, size_t n)
{
	size_t run = 0;

	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		signed char c = (signed char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fwrite(s + run, 1, i - run, f);
		run = i + 1;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default: fprintf(f, "\\u%04x", (unsigned)(int)c);
		}
	}
	fwrite(s + run, 1, n - run, f);
	fputc('"', f);
}

static void write_json(FILE *f, const struct gt_type *t, const uint8_t *p)
{
	char *buf = NULL;
	size_t len = 0;

	if (t->kind == GT_RECORD) {
		out_record_write(f, t, p, OUT_RECORD_JSON);
		return;
	}
	if (t->kind == GT_TUPLE) {
		fputc('[', f);
		for (int i = 0; i < t->nelems; i++) {
			if (i)
				fputc(',', f);
			write_json(f, &t->elems[i], p + out_tuple_offset(t, i));
		}
		fputc(']', f);
		return;
	}
	/* integers are numbers; everything else is its text, quoted */
	if (t->kind == GT_INT || t->kind == GT_NONE || gt_is_aggregation(t->kind)) {
		if (t->hex)	/* a Go pointer: JSON has no hex numbers */
			fprintf(f, "%llu", (unsigned long long)out_int_read(t, p));
		else
			out_int_write(f, t, p);
		return;
	}
	MEMSTREAM(buf, len, mf, out_text_write(mf, t, p, OUT_INDENT_VALUE));
	/* bpftrace 0.17 writes strftime() and strerror() values unquoted
	 * (keys are quoted): the same bytes, even where that is not JSON. */
	if (t->kind == GT_TIMESTAMP || t->kind == GT_ERRNO)
		fwrite(buf ? buf : "", 1, buf ? len : 0, f);
	else
		out_json_quote(f, buf ? buf : "", len);
	free(buf);
}

static void write_key(FILE *f, const struct map_desc *m, const uint8_t *key)
{
	char *buf = NULL;
	size_t len = 0;

	MEMSTREAM(buf, len, mf, out_key_write(mf, &m->key, key, ","));
	out_json_quote(f, buf ? buf : "", len);
	free(buf);
}

/* {"type": TYPE, "data": {"@m": and, for a keyed map, {: what every map
 * object opens with. close_map() ends it. */
static void open_map(FILE *f, const char *type, const struct map_desc *m)
{
	fprintf(f, "{\"type\": \"%s\", \"data\": {\"%s\": %s", type, m->name,
		m->key.kind != GT_NONE ? "{" : "");
}

static void close_map(FILE *f, const struct map_desc *m)
{
	fputs(m->key.kind != GT_NONE ? "}}}\n" : "}}\n", f);
}

/* Between entries; a keyed map's entries are "key": value. */
static void entry(FILE *f, const struct map_desc *m, size_t i, const uint8_t *key)
{
	if (i)
		fputs(", ", f);
	if (m->key.kind != GT_NONE) {
		write_key(f, m, key);
		fputs(": ", f);
	}
}

static void write_value(FILE *f, const struct map_desc *m,
			const struct out_row *r, int div)
{
	if (m->value.kind == GT_STATS)
		fprintf(f, "{\"count\": %lld, \"average\": %lld, \"total\": %lld}",
			(long long)r->count, (long long)r->v, (long long)r->total);
	else if (out_is_number(m->value.kind))
		out_number_write(f, m, r->v, div);
	else
		write_json(f, &m->value, r->value);
}

static void json_map(struct out *o, const struct map_desc *m,
		     const struct out_row *rows, size_t n, int div)
{
	if (n == 0)
		return;
	open_map(o->f, out_is_avg(m->value.kind) ? "stats" : "map", m);
	for (size_t i = 0; i < n; i++) {
		entry(o->f, m, i, rows[i].key);
		write_value(o->f, m, &rows[i], div);
	}
	close_map(o->f, m);
}

/* Bucket i as {"min": lo, "max": hi, "count": n}, without the bound an
 * open-ended bucket lacks. */
static void write_bucket(FILE *f, const struct gt_type *t, int i, int nb,
			 uint64_t count)
{
	int64_t lo = 0, hi = 0;
	bool has_lo = true, has_hi = true;

	if (t->kind == GT_HIST) {
		lo = i == 0 ? 0 : i == 1 ? 0 : (int64_t)(1ULL << (i - 2));
		hi = i == 0 ? -1 : i == 1 ? 0 : (int64_t)((1ULL << (i - 1)) - 1);
		has_lo = i != 0;
	} else {
		lo = t->lhist_min + (int64_t)(i - 1) * t->lhist_step;
		hi = lo + t->lhist_step - 1;
		if (i == 0)
			hi = t->lhist_min - 1, has_lo = false;
		if (i == nb - 1)
			lo = t->lhist_max, has_hi = false;
	}
	fputc('{', f);
	if (has_lo)
		fprintf(f, "\"min\": %lld, ", (long long)lo);
	if (has_hi)
		fprintf(f, "\"max\": %lld, ", (long long)hi);
	fprintf(f, "\"count\": %llu}", (unsigned long long)count);
}

static void write_group(FILE *f, const struct out_hist *h,
			const struct out_group *g, int div)
{
	int first, last;
	uint64_t max;

	out_hist_bounds(g->counts, h->nb, &first, &last, &max);
	fputc('[', f);
	for (int i = first; first >= 0 && i <= last; i++) {
		if (i > first)
			fputs(", ", f);
		write_bucket(f, &h->m->value, i, h->nb, g->counts[i] / div);
	}
	fputc(']', f);
}

static void json_hist(struct out *o, const struct out_hist *h,
		      const struct out_group *g, size_t n, int div)
{
	if (n == 0)
		return;
	open_map(o->f, "hist", h->m);
	for (size_t i = 0; i < n; i++) {
		entry(o->f, h->m, i, g[i].key);
		write_group(o->f, h, &g[i], div);
	}
	close_map(o->f, h->m);
}

/* One memory stream formats every printf record, rewound each time:
 * open_memstream() callocs 8 KiB per stream, and that zeroing and
 * freeing were a third of a record's cost in a stream of millions. POSIX
 * has fflush() report the length up to the current position, so a short
 * record after a long one reads its own length. Without a stream (out of
 * memory) the record still goes out, empty, as it did before. */
static FILE *scratch;
static char *scratch_buf;
static size_t scratch_len;

static void json_printf(struct out *o, const char *fmt, const struct gt_type *args,
			int nargs, const uint8_t *data)
{
	if (!scratch)
		scratch = open_memstream(&scratch_buf, &scratch_len);
	if (scratch) {
		rewind(scratch);
		out_printf_format(scratch, fmt, args, nargs, data);
		fflush(scratch);
	}
	fputs("{\"type\": \"printf\", \"data\": ", o->f);
	out_json_quote(o->f, scratch ? scratch_buf : "", scratch ? scratch_len : 0);
	fputs("}\n", o->f);
}

static void json_value(struct out *o, const struct gt_type *t, const uint8_t *p)
{
	fputs("{\"type\": \"value\", \"data\": ", o->f);
	write_json(o->f, t, p);
	fputs("}\n", o->f);
}

static void json_time(struct out *o, const char *s, size_t len)
{
	fputs("{\"type\": \"time\", \"data\": ", o->f);
	out_json_quote(o->f, s, len);
	fputs("}\n", o->f);
}

static void json_message(struct out *o, const char *type, const char *s, size_t len,
			 bool nl)
{
	fprintf(o->f, "{\"type\": \"%s\", \"data\": ", type);
	out_json_quote(o->f, s, len);
	fputs("}\n", o->f);
}

static void json_attached(struct out *o, int nprobes)
{
	fprintf(o->f, "{\"type\": \"attached_probes\", \"data\": "
		"{\"probes\": %d}}\n", nprobes);
}

/* Lost events as bpftrace prints them; the others as
 * {"type": "warning", "data": {"kind": "map_full", "map": "@m",
 * "dropped": 12034, "max_keys": 65536, "total": false, "message": "..."}}. */
/* {"type": "helper_error", "helper": "probe_read", "retcode": -14,
 * "line": 1, "col": 37}, as bpftrace 0.17 writes it. */
static void json_helper_error(struct out *o, const char *helper, int retcode,
			      const struct loc *loc)
{
	fprintf(o->f, "{\"type\": \"helper_error\", \"helper\": \"%s\", \"retcode\": %d, "
		"\"line\": %d, \"col\": %d}\n", helper, retcode, loc->first_line,
		loc->first_column);
}

static void json_notice(struct out *o, const struct out_notice *n)
{
	static const char *const kinds[] = {
		[NOTICE_FAULTS] = "faulted_reads", [NOTICE_MAP_FULL] = "map_full",
		[NOTICE_STACKS_LOST] = "stacks_lost", [NOTICE_STRINGS_CUT] = "strings_cut",
		[NOTICE_PIDS_REUSED] = "pids_reused", [NOTICE_PIDS_GONE] = "pids_gone",
	};
	char msg[512];

	if (n->kind == NOTICE_LOST_EVENTS) {
		fprintf(o->f, "{\"type\": \"lost_events\", \"data\": {\"events\": %llu}}\n",
			(unsigned long long)n->count);
		return;
	}
	out_notice_text(n, msg, sizeof(msg));
	fprintf(o->f, "{\"type\": \"warning\", \"data\": {\"kind\": \"%s\"", kinds[n->kind]);
	if (n->kind == NOTICE_MAP_FULL) {
		fputs(", \"map\": ", o->f);
		out_json_quote(o->f, n->what, strlen(n->what));
		fprintf(o->f, ", \"dropped\": %llu, \"max_keys\": %llu, \"total\": %s",
			(unsigned long long)n->count, (unsigned long long)n->limit,
			n->total ? "true" : "false");
	} else if (n->kind == NOTICE_STACKS_LOST) {
		fprintf(o->f, ", \"stack\": \"%s\", \"dropped\": %llu, \"max_stacks\": %llu",
			n->what, (unsigned long long)n->count, (unsigned long long)n->limit);
	} else {
		fprintf(o->f, ", \"count\": %llu", (unsigned long long)n->count);
	}
	fputs(", \"message\": ", o->f);
	out_json_quote(o->f, msg, strlen(msg));
	fputs("}}\n", o->f);
}

/* bpftrace 0.17 prints its two newlines before the exit maps in JSON
 * mode too. */
static void json_exit_header(struct out *o)
{
	out_text_ops.exit_header(o);
}

const struct out_ops out_json_ops = {
	.map = json_map,
	.hist = json_hist,
	.printf = json_printf,
	.value = json_value,
	.time = json_time,
	.message = json_message,
	.attached = json_attached,
	.notice = json_notice,
	.helper_error = json_helper_error,
	.exit_header = json_exit_header,
};
