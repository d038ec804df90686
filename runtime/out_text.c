/*
 * The text format: bpftrace 0.17's, byte for byte, as measured with the
 * real tool.
 *
 * Values: integers in decimal, strings raw (no quotes, no escapes), tuples
 * as "(1, a, (2, 3))", stacks multi-line (out_sym.c).
 *
 * Maps of single values, one line per entry:
 *
 *   @x: 5                          no key
 *   @x[1, abc]: 5                  keys joined by ", ", strings unquoted
 *   @s[k]: count 2, average 9, total 18
 *
 * after the last line avg and stats maps add an empty line. An empty map
 * prints "\n" ("\n\n" for avg and stats).
 *
 * hist and lhist maps, one block per key:
 *
 *   @h[k]:                                          <- "@h: " with no key
 *   (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   [0]                    0 |                                                    |
 *   [1]                    3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 *   [2, 4)                 1 |@@@@@@@@@@@@@@@@@                                   |
 *   [4K, 8K)               ...
 *                                                   <- empty line after each
 *
 * Rows run from the first to the last non-zero bucket; the label is padded
 * to 16 columns, the count right-aligned in 8, and the bar is
 * count / max * 52 '@'s computed in float and truncated. hist labels use
 * K, M, G, T for powers of 1024; lhist labels use K or M only when the
 * number is an exact multiple. div divides the printed hist counts (not
 * the bars). An all-zero group prints only its header line; an empty map
 * prints "\n".
 */
#include <stdlib.h>

#include "runtime/out_int.h"

static void write_tuple(FILE *f, const struct gt_type *t, const uint8_t *p,
			int indent)
{
	fputc('(', f);
	for (int i = 0; i < t->nelems; i++) {
		if (i)
			fputs(", ", f);
		out_text_write(f, &t->elems[i], p + out_tuple_offset(t, i), indent);
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
	case GT_FUNC:
		out_probe_write(f, out_u64(p));
		break;
	case GT_TUPLE:
		write_tuple(f, t, p, indent);
		break;
	case GT_GOTYPE:
		out_gotype_write(f, out_u64(p), (uint32_t)out_u64(p + 8));
		break;
	case GT_RECORD:
		out_record_write(f, t, p, indent == OUT_INDENT_KEY ? OUT_RECORD_KEY :
				 OUT_RECORD_VALUE);
		break;
	default:
		if (!out_fmt_write(f, t, p))
			out_int_write(f, t, p);
		break;
	}
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

/* "@name[key]", or the bare name for a map without keys. */
static void map_label(FILE *f, const struct map_desc *m, const uint8_t *key)
{
	fputs(m->name, f);
	if (m->key.kind == GT_NONE)
		return;
	fputc('[', f);
	out_key_write(f, &m->key, key, ", ");
	fputc(']', f);
}

static void write_value(FILE *f, const struct map_desc *m,
			const struct out_row *r, int div)
{
	if (m->value.kind == GT_STATS)
		fprintf(f, "count %lld, average %lld, total %lld", (long long)r->count,
			(long long)r->v, (long long)r->total);
	else if (out_is_number(m->value.kind))
		out_number_write(f, m, r->v, div);
	else
		out_text_write(f, &m->value, r->value, OUT_INDENT_VALUE);
}

static void text_map(struct out *o, const struct map_desc *m,
		     const struct out_row *rows, size_t n, int div)
{
	for (size_t i = 0; i < n; i++) {
		map_label(o->f, m, rows[i].key);
		fputs(": ", o->f);
		write_value(o->f, m, &rows[i], div);
		fputc('\n', o->f);
	}
	if (n == 0)
		fputc('\n', o->f);
	if (out_is_avg(m->value.kind))
		fputc('\n', o->f);
}

/* bpftrace 0.17 stops at T (its log2 never goes past [2G, 4G)); our
 * buckets reach 2^63, labelled with P and E as newer bpftrace does, so
 * every label fits the 16-column field. */
static int hist_power_label(char *buf, size_t len, int power)
{
	static const char suffix[] = " KMGTPE";
	int s = power / 10;

	if (s == 0)
		return snprintf(buf, len, "%d", 1 << power);
	return snprintf(buf, len, "%d%c", 1 << (power - 10 * s), suffix[s]);
}

static int lhist_label(char *buf, size_t len, int64_t v)
{
	if (v != 0 && v % 1048576 == 0)
		return snprintf(buf, len, "%lldM", (long long)(v / 1048576));
	if (v != 0 && v % 1024 == 0)
		return snprintf(buf, len, "%lldK", (long long)(v / 1024));
	return snprintf(buf, len, "%lld", (long long)v);
}

/* The "[lo, hi)" label of bucket i. */
static void bucket_label(const struct gt_type *t, int i, int nb, char *buf,
			 size_t len)
{
	char lo[32], hi[32];

	if (t->kind == GT_HIST) {
		if (i <= 2) {
			snprintf(buf, len, "%s",
				 i == 0 ? "(..., 0)" : i == 1 ? "[0]" : "[1]");
			return;
		}
		hist_power_label(lo, sizeof(lo), i - 2);
		hist_power_label(hi, sizeof(hi), i - 1);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	} else if (i == 0) {
		lhist_label(lo, sizeof(lo), t->lhist_min);
		snprintf(buf, len, "(..., %s)", lo);
	} else if (i == nb - 1) {
		lhist_label(lo, sizeof(lo), t->lhist_max);
		snprintf(buf, len, "[%s, ...)", lo);
	} else {
		lhist_label(lo, sizeof(lo), t->lhist_min + (i - 1) * t->lhist_step);
		lhist_label(hi, sizeof(hi), t->lhist_min + i * t->lhist_step);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	}
}

static void text_group(FILE *f, const struct out_hist *h,
		       const struct out_group *g, int div)
{
	int first, last;
	uint64_t max;
	char label[96], bar[53];

	map_label(f, h->m, g->key);
	fputs(": \n", f);
	out_hist_bounds(g->counts, h->nb, &first, &last, &max);
	for (int i = first; first >= 0 && i <= last; i++) {
		int w = (float)g->counts[i] / (float)max * 52;

		memset(bar, '@', w);
		bar[w] = 0;
		bucket_label(&h->m->value, i, h->nb, label, sizeof(label));
		fprintf(f, "%-16s%8llu |%-52s|\n", label,
			(unsigned long long)(g->counts[i] / div), bar);
	}
	fputc('\n', f);
}

static void text_hist(struct out *o, const struct out_hist *h,
		      const struct out_group *g, size_t n, int div)
{
	for (size_t i = 0; i < n; i++)
		text_group(o->f, h, &g[i], div);
	if (n == 0)
		fputc('\n', o->f);
}

static void text_printf(struct out *o, const char *fmt, const struct gt_type *args,
			int nargs, const uint8_t *data)
{
	out_printf_format(o->f, fmt, args, nargs, data);
}

/* print(value) adds a newline. */
static void text_value(struct out *o, const struct gt_type *t, const uint8_t *p)
{
	out_text_write(o->f, t, p, OUT_INDENT_VALUE);
	fputc('\n', o->f);
}

static void text_time(struct out *o, const char *s, size_t len)
{
	fwrite(s, 1, len, o->f);
}

static void text_message(struct out *o, const char *type, const char *s, size_t len,
			 bool nl)
{
	fwrite(s, 1, len, o->f);
	if (nl)
		fputc('\n', o->f);
}

/* Diagnostics, not program output: on stderr, unlike bpftrace. */
static void text_attached(struct out *o, int nprobes)
{
	fprintf(o->diag ? o->diag : stderr, "Attaching %d probe%s...\n", nprobes,
		nprobes == 1 ? "" : "s");
}

static void text_notice(struct out *o, const struct out_notice *n)
{
	char msg[512];

	out_notice_text(n, msg, sizeof(msg));
	fflush(o->f);	/* after the map it is about, on a terminal too */
	fprintf(o->diag ? o->diag : stderr, "gotrace: %s\n", msg);
}

/* As bpftrace words it; the place is the statement's. */
static void text_helper_error(struct out *o, const char *helper, int retcode,
			      const struct loc *loc)
{
	fflush(o->f);
	if (retcode < 0)
		diag_warning(loc, "Failed to %s: %s (%d)", helper, strerror(-retcode), retcode);
	else
		diag_warning(loc, "Failed to %s: %d", helper, retcode);
}

/* bpftrace prints two newlines before the maps at exit, always on
 * stdout: with -o FILE they are not in the file. */
static void text_exit_header(struct out *o)
{
	FILE *con = o->console ? o->console : stdout;

	fflush(o->f);
	fputs("\n\n", con);
	fflush(con);
}

const struct out_ops out_text_ops = {
	.map = text_map,
	.hist = text_hist,
	.printf = text_printf,
	.value = text_value,
	.time = text_time,
	.message = text_message,
	.attached = text_attached,
	.notice = text_notice,
	.exit_header = text_exit_header,
	.helper_error = text_helper_error,
};
