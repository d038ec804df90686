/*
 * Types: names, sizes, comparison and widening of struct gt_type, for
 * sema's checks and messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

struct gt_type gt_stack(enum gt_kind kind, int depth)
{
	struct gt_type t = { .kind = kind, .depth = depth };

	/* A hash key may not exceed 512 bytes; deep stacks go to a stack
	 * store and the value holds their hash. */
	t.by_id = depth > 31;
	t.size = t.by_id ? (unsigned)sizeof(struct gt_stack_ref) : 8 + 8 * (unsigned)depth;
	return t;
}

/* "Go struct http.Request": a Go value's kind and type, for messages. The
 * buffers rotate, so that one message can name two types. */
static const char *go_name(const struct go_type *t)
{
	static const char *const kinds[] = {
		[GO_ARRAY] = "array", [GO_CHAN] = "chan", [GO_FUNC] = "func",
		[GO_INTERFACE] = "interface", [GO_MAP] = "map", [GO_POINTER] = "pointer",
		[GO_SLICE] = "slice", [GO_STRING] = "string", [GO_STRUCT] = "struct",
		[GO_FLOAT32] = "float", [GO_FLOAT64] = "float", [GO_COMPLEX64] = "complex",
		[GO_COMPLEX128] = "complex", [GO_UNSAFEPOINTER] = "pointer",
	};
	static char bufs[4][160];
	static int next;
	char *b = bufs[next++ % 4];
	const char *k = (unsigned)t->kind < sizeof(kinds) / sizeof(*kinds) && kinds[t->kind] ?
			kinds[t->kind] : "integer";

	snprintf(b, sizeof(bufs[0]), "Go %s %s", k, t->name);
	return b;
}

const char *gt_name(const struct gt_type *t)
{
	static const char *const names[] = {
		[GT_NONE] = "none", [GT_INT] = "integer", [GT_STR] = "string",
		[GT_USTACK] = "ustack", [GT_KSTACK] = "kstack",
		[GT_USYM] = "symbol", [GT_PROBE] = "probe", [GT_FUNC] = "symbol",
		[GT_GOTYPE] = "Go type name", [GT_GO] = "Go value",
		[GT_TUPLE] = "tuple", [GT_RECORD] = "record", [GT_TIMESTAMP] = "timestamp", [GT_INET] = "inet",
		[GT_KSYM] = "ksym", [GT_MACADDR] = "mac_address", [GT_ERRNO] = "strerror",
		[GT_USERNAME] = "username", [GT_BUF] = "buffer",
		[GT_CGROUP_PATH] = "cgroup_path_t",
		[GT_COUNT] = "count()", [GT_SUM] = "sum()", [GT_MIN] = "min()",
		[GT_MAX] = "max()", [GT_AVG] = "avg()", [GT_STATS] = "stats()",
		[GT_HIST] = "hist()", [GT_LHIST] = "lhist()",
	};
	static char ts[4][96];
	static int next_ts;

	if (t->gotype && t->gotype->is_c &&
	    (t->kind == GT_GO || t->kind == GT_RECORD || t->gotype->kind == GO_POINTER))
		return t->gotype->name;
	if (t->gotype && t->kind == GT_GO)
		return go_name(t->gotype);
	if (t->kind == GT_TIMESTAMP && t->fmt) {	/* formats differ: say which */
		char *b = ts[next_ts++ % 4];
		snprintf(b, sizeof(ts[0]), "strftime(\"%s\") timestamp", t->fmt);
		return b;
	}
	return names[t->kind];
}

/* Same kind (and for tuples, same element kinds). String sizes may differ;
 * callers widen to the larger. */
bool gt_same(const struct gt_type *a, const struct gt_type *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == GT_USTACK || a->kind == GT_KSTACK)
		return a->depth == b->depth && a->go == b->go && a->lines == b->lines &&
		       a->perf == b->perf;
	if (a->kind == GT_RECORD)
		return a->size == b->size && a->gotype && b->gotype &&
		       !strcmp(a->gotype->name, b->gotype->name);
	/* the format is in the type: one map cannot hold two */
	if (a->kind == GT_TIMESTAMP)
		return a->fmt && b->fmt && strcmp(a->fmt, b->fmt) == 0;
	if (a->kind != GT_TUPLE)
		return true;
	if (a->nelems != b->nelems)
		return false;
	for (int i = 0; i < a->nelems; i++)
		if (!gt_same(&a->elems[i], &b->elems[i]))
			return false;
	return true;
}

/* Every field the same: values of the two types are laid out and
 * printed alike. */
bool gt_identical(const struct gt_type *a, const struct gt_type *b)
{
	if (a->kind != b->kind || a->size != b->size || a->is_signed != b->is_signed ||
	    a->depth != b->depth || a->by_id != b->by_id || a->go != b->go ||
	    a->lines != b->lines || a->perf != b->perf || a->lit_size != b->lit_size ||
	    a->nelems != b->nelems || a->lhist_min != b->lhist_min ||
	    a->lhist_max != b->lhist_max || a->lhist_step != b->lhist_step ||
	    a->gotype != b->gotype || a->hex != b->hex || a->go_regs != b->go_regs ||
	    a->aspace != b->aspace || !a->fmt != !b->fmt || (a->fmt && strcmp(a->fmt, b->fmt)))
		return false;
	for (int i = 0; i < a->nelems; i++)
		if (!gt_identical(&a->elems[i], &b->elems[i]))
			return false;
	return true;
}

/* Widen string sizes in `to` so that `from` fits. */
void gt_widen(struct gt_type *to, const struct gt_type *from)
{
	if ((to->kind == GT_STR || to->kind == GT_BUF) && from->size > to->size)
		to->size = from->size;
	if (to->kind == GT_STR)	/* a literal's size is only the largest one's */
		to->lit_size = to->lit_size && from->lit_size && from->lit_size > to->lit_size ?
			       from->lit_size : to->lit_size && from->lit_size ? to->lit_size : 0;
	if (to->kind == GT_TUPLE) {
		unsigned size = 0;
		for (int i = 0; i < to->nelems; i++) {
			gt_widen(&to->elems[i], &from->elems[i]);
			size += gt_align8(to->elems[i].size);
		}
		to->size = size;
	}
}

struct gt_type gt_tuple_of(struct node *list)
{
	struct gt_type t = { .kind = GT_TUPLE };
	int i = 0;

	t.nelems = node_count(list);
	t.elems = xcalloc(t.nelems, sizeof(*t.elems));
	for (struct node *a = list; a; a = a->next) {
		t.elems[i++] = a->type;
		t.size += gt_align8(a->type.size);
	}
	return t;
}

/* sizeof(x) as bpftrace 0.17 reports it, and x's alignment: an integer
 * is its width, a C struct or array its C size, and a tuple is laid out
 * as a C struct of its elements (bpftrace's Struct::CreateTuple: a string
 * aligned to 1, an integer to its width up to 2 bytes, then 4, then 8).
 * gotrace keeps tuple elements 8-aligned in BPF memory, which no
 * program can see but through sizeof. */
unsigned gt_sizeof(const struct gt_type *t, unsigned *align)
{
	unsigned size = t->size, a, off = 0, max = 1;

	if (t->gotype && t->gotype->is_c && t->kind == GT_RECORD) {
		*align = sema_c_align(t->gotype);
		return (unsigned)t->gotype->size;
	}
	if (t->kind == GT_STR) {
		*align = 1;
		return t->lit_size ? t->lit_size : size;
	}
	if (t->kind != GT_TUPLE) {
		*align = size <= 2 ? (size ? size : 1) : size <= 4 ? 4 : 8;
		return size;
	}
	for (int i = 0; i < t->nelems; i++) {
		unsigned es = gt_sizeof(&t->elems[i], &a);

		off = (off + a - 1) / a * a + es;
		max = a > max ? a : max;
	}
	*align = max;
	return (off + max - 1) / max * max;
}
