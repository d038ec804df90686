/*
 * -f folded: maps keyed by a stack as folded stacks, the format
 * FlameGraph's flamegraph.pl, inferno and speedscope read:
 *
 *     main.main;main.handle;encoding/json.Unmarshal;runtime.mallocgc 31801
 *
 * one line per map entry, frames root first joined by ';', inlined
 * functions as frames of their own, then the value. A map's other keys
 * come first, as frames of their own ("18;main.main;..." for
 * @[goid, go_ustack]), so a flame graph splits by them. ';' inside a
 * frame is replaced by ':' (it would split the frame). Everything else
 * (maps without a stack, histograms, printf, ...) is printed as text.
 */
#include <stdlib.h>

#include "common/alloc.h"
#include "runtime/out_int.h"

struct names {
	char **v;
	int n, cap;
};

static void add_name(const char *name, void *arg)
{
	struct names *ns = arg;

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 32;
		ns->v = xrealloc(ns->v, ns->cap * sizeof(*ns->v));
	}
	ns->v[ns->n++] = xstrdup(name);
}

static void frame(FILE *f, const char *s, bool *first)
{
	if (!*first)
		fputc(';', f);
	*first = false;
	for (; *s; s++)
		fputc(*s == ';' ? ':' : *s == '\n' ? ' ' : *s, f);
}

static bool is_stack(enum gt_kind k)
{
	return k == GT_USTACK || k == GT_KSTACK;
}

static int stack_elem(const struct gt_type *key)
{
	for (int i = 0; key->kind == GT_TUPLE && i < key->nelems; i++)
		if (is_stack(key->elems[i].kind))
			return i;
	return -1;
}

static void folded_row(FILE *f, const struct map_desc *m, const struct out_row *r, int div)
{
	int si = stack_elem(&m->key);
	struct names ns = { 0 };
	bool first = true;

	for (int i = 0; i < m->key.nelems; i++) {
		const uint8_t *p = r->key + out_tuple_offset(&m->key, i);
		char *buf = NULL;
		size_t len = 0;
		FILE *mf;

		if (i == si || is_stack(m->key.elems[i].kind))
			continue;
		if (!(mf = open_memstream(&buf, &len)))
			continue;
		out_text_write(mf, &m->key.elems[i], p, 0);
		fclose(mf);
		frame(f, buf, &first);
		free(buf);
	}
	out_stack_names(&m->key.elems[si], r->key + out_tuple_offset(&m->key, si), add_name, &ns);
	for (int i = ns.n - 1; i >= 0; i--) {
		frame(f, ns.v[i], &first);
		free(ns.v[i]);
	}
	free(ns.v);
	if (first)
		fputs("[no stack]", f);
	fputc(' ', f);
	out_number_write(f, m, r->v, div);
	fputc('\n', f);
}

static void folded_map(struct out *o, const struct map_desc *m, const struct out_row *rows,
		       size_t n, int div)
{
	if (stack_elem(&m->key) < 0 || !out_is_number(m->value.kind)) {
		out_text_ops.map(o, m, rows, n, div);
		return;
	}
	for (size_t i = 0; i < n; i++)
		folded_row(o->f, m, &rows[i], div);
}

/* The rest is text. */
static void folded_hist(struct out *o, const struct out_hist *h, const struct out_group *g,
			size_t n, int div)
{
	out_text_ops.hist(o, h, g, n, div);
}

static void folded_printf(struct out *o, const char *fmt, const struct gt_type *args,
			  int nargs, const uint8_t *data)
{
	out_text_ops.printf(o, fmt, args, nargs, data);
}

static void folded_value(struct out *o, const struct gt_type *t, const uint8_t *p)
{
	out_text_ops.value(o, t, p);
}

static void folded_time(struct out *o, const char *s, size_t len)
{
	out_text_ops.time(o, s, len);
}

static void folded_message(struct out *o, const char *type, const char *s, size_t len,
			   bool nl)
{
	out_text_ops.message(o, type, s, len, nl);
}

static void folded_attached(struct out *o, int nprobes)
{
	out_text_ops.attached(o, nprobes);
}

static void folded_notice(struct out *o, const struct out_notice *n)
{
	out_text_ops.notice(o, n);
}

static void folded_helper_error(struct out *o, const char *helper, int retcode,
				const struct loc *loc)
{
	out_text_ops.helper_error(o, helper, retcode, loc);
}

static void folded_exit_header(struct out *o)
{
	out_text_ops.exit_header(o);
}

const struct out_ops out_folded_ops = {
	.map = folded_map, .hist = folded_hist, .printf = folded_printf,
	.value = folded_value, .time = folded_time, .message = folded_message,
	.attached = folded_attached,
	.notice = folded_notice, .exit_header = folded_exit_header,
	.helper_error = folded_helper_error,
};
