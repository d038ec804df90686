/*
 * Type checking of expressions and statements.
 *
 * Map types are learnt from assignments, wherever they are in the
 * program, so a probe may read a map that a later probe writes. Sema
 * therefore walks everything twice: the first pass only learns map types
 * (errors are not reported, since a map may still be unknown), the second
 * checks and reports. Each program has its own copy of its probe's body,
 * so a block shared by several attach points is typed for each of them
 * (tracepoint args differ from one tracepoint to the next).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "common/alloc.h"
#include "sema/sema_int.h"

int sema_error(struct sema *s, const struct loc *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->final)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(l, "%s", msg);
	s->errors++;
	return -EINVAL;
}

int sema_int_arg(struct sema *s, struct node *n, const char *what)
{
	if (n->type.kind != GT_INT)
		return sema_error(s, &n->loc, "%s must be an integer, not a %s",
				  what, gt_name(&n->type));
	return 0;
}

/* Fold an integer constant expression (literals, $N, unary minus and
 * arithmetic), for lhist() bounds, unroll counts and the like. The
 * arithmetic wraps, as the BPF code's would: done in uint64_t, since
 * signed overflow (9223372036854775807 + 1) is undefined in C. */
int sema_const_int(struct sema *s, struct node *n, int64_t *out)
{
	int64_t a, b;

	switch (n->kind) {
	case N_INT:
		*out = n->ival;
		return 0;
	case N_NEG:
		if (sema_const_int(s, n->lhs, &a))
			return -EINVAL;
		*out = (int64_t)-(uint64_t)a;
		return 0;
	case N_ADD: case N_SUB: case N_MUL:
		if (sema_const_int(s, n->lhs, &a) || sema_const_int(s, n->rhs, &b))
			return -EINVAL;
		*out = (int64_t)(n->kind == N_ADD ? (uint64_t)a + (uint64_t)b :
				 n->kind == N_SUB ? (uint64_t)a - (uint64_t)b :
				 (uint64_t)a * (uint64_t)b);
		return 0;
	default:
		return sema_error(s, &n->loc, "expected an integer constant");
	}
}

static struct var_info *var_find(struct sema *s, const char *name)
{
	for (struct var_info *v = s->vars; v; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* A variable keeps the integer width of its first assignment, as in
 * bpftrace. A later, wider value would be cut: bpftrace 0.17 stores it
 * into the narrower slot and reads garbage back, newer ones refuse it
 * unless it is a literal that fits; so does gotrace. */
static bool narrowing(const struct gt_type *var, const struct node *rhs)
{
	bool neg = rhs->kind == N_NEG;	/* -2 */
	int64_t lo, hi, v;

	if (var->kind != GT_INT || rhs->type.kind != GT_INT || rhs->type.size <= var->size)
		return false;
	if (neg)
		rhs = rhs->lhs;
	if (rhs->kind != N_INT)
		return true;
	v = neg ? -rhs->ival : rhs->ival;
	hi = var->is_signed ? (int64_t)((1ull << (8 * var->size - 1)) - 1) :
			      (int64_t)((1ull << (8 * var->size)) - 1);
	lo = var->is_signed ? -hi - 1 : 0;
	return v < lo || v > hi;
}

static int assign_var(struct sema *s, struct node *n)
{
	struct node *lv = n->lhs, *rhs = n->rhs;
	struct var_info *v = var_find(s, lv->str);

	if (gt_is_aggregation(rhs->type.kind))
		return sema_error(s, &rhs->loc, "%s can only be assigned to a map",
				  gt_name(&rhs->type));
	if (!v) {
		v = xcalloc(1, sizeof(*v));
		v->name = lv->str;
		v->type = rhs->type;
		v->next = s->vars;
		s->vars = v;
	} else if (v->type.kind == GT_NONE) {	/* let $x; */
		v->type = rhs->type;
	} else if (!gt_same(&v->type, &rhs->type)) {
		return sema_error(s, &n->loc, "%s holds values of type %s, not %s",
				  lv->str, gt_name(&v->type), gt_name(&rhs->type));
	} else if (!n->ival && narrowing(&v->type, rhs)) {	/* x += y wraps, as in C */
		return sema_error(s, &rhs->loc, "%s is a%s %d-bit integer (its first "
				  "assignment gave it that width), and this value is %d-bit: "
				  "cast it, as in (%sint%d)", lv->str, v->type.size == 1 ? "n" : "",
				  8 * v->type.size, 8 * rhs->type.size,
				  v->type.is_signed ? "" : "u", 8 * v->type.size);
	}
	gt_widen(&v->type, &rhs->type);
	lv->var = v;
	lv->type = v->type;
	return 0;
}

/* $x has type t, from a declaration (let $x: T, for ($x : ...)); a
 * NONE t declares $x without a type yet (let $x). */
int sema_declare(struct sema *s, struct node *lv, const struct gt_type *t)
{
	struct var_info *v = var_find(s, lv->str);

	if (!v) {
		v = xcalloc(1, sizeof(*v));
		v->name = lv->str;
		v->type = *t;
		v->next = s->vars;
		s->vars = v;
	} else if (v->type.kind == GT_NONE) {
		v->type = *t;
	} else if (t->kind != GT_NONE && !gt_same(&v->type, t)) {
		return sema_error(s, &lv->loc, "%s holds values of type %s, not %s",
				  lv->str, gt_name(&v->type), gt_name(t));
	}
	if (t->kind != GT_NONE)
		gt_widen(&v->type, t);
	lv->var = v;
	lv->type = v->type;
	return 0;
}

static int assign(struct sema *s, struct node *n)
{
	struct node *lv = n->lhs, *rhs = n->rhs;
	struct gt_type t = gt_int(true);

	/* @x += 1 reads @x before any assignment may have typed it. */
	if (n->ival && lv->kind == N_MAP && !sema_map_keys(s, lv) &&
	    lv->map->value.kind == GT_NONE)
		sema_map_value(s, lv, lv->map, &t);
	if (sema_expr(s, rhs)) {
		/* $x = <error>: later uses of $x are not errors of their own */
		if (lv->kind == N_VAR && !var_find(s, lv->str)) {
			struct var_info *v = xcalloc(1, sizeof(*v));

			v->name = lv->str;
			v->failed = true;
			v->next = s->vars;
			s->vars = v;
		}
		return -EINVAL;
	}
	if (rhs->type.kind == GT_NONE)
		return sema_error(s, &rhs->loc, "this expression has no value to assign");
	if (lv->kind == N_VAR)
		return assign_var(s, n);
	if (sema_map_keys(s, lv) || sema_map_value(s, lv, lv->map, &rhs->type))
		return -EINVAL;
	lv->type = lv->map->value;
	return 0;
}

/* A map that no assignment has typed yet, in any pass. */
static bool untyped_map(struct sema *s, struct node *x)
{
	return x->kind == N_MAP && sema_map_of(s, x)->value.kind == GT_NONE;
}

/* Check both operands of an arithmetic or comparison operator. In
 * `@n = @n + 1` the only assignment of @n reads @n, so no pass could
 * learn its type: as bpftrace does, a map still untyped is read as an
 * integer when the other operand is one (a missing key reads as 0);
 * like bpftrace's, that integer is unsigned. */
static int operands(struct sema *s, struct node *n)
{
	struct gt_type t = gt_int(false);
	struct node *a = n->lhs, *b = n->rhs;

	if (untyped_map(s, a)) {
		a = n->rhs;
		b = n->lhs;
	}
	if (sema_expr(s, a))
		return -EINVAL;
	if (untyped_map(s, b) && a->type.kind == GT_INT)
		sema_map_value(s, b, sema_map_of(s, b), &t);
	return sema_expr(s, b);
}

/* A signed operand that is not a literal >= 0: `/` and `%` compute it
 * as unsigned, as bpftrace 0.17 does (and warns about, as here). */
static bool maybe_negative(const struct node *x)
{
	return x->type.is_signed && !(x->kind == N_INT && x->ival >= 0);
}

static int binop(struct sema *s, struct node *n)
{
	struct gt_type *l = &n->lhs->type, *r = &n->rhs->type;
	struct node *bad;

	if (operands(s, n))
		return -EINVAL;
	if ((n->kind == N_EQ || n->kind == N_NE) &&
	    ((l->kind == GT_STR && r->kind == GT_STR) ||
	     (l->kind == GT_BUF && r->kind == GT_BUF) ||	/* buf(), as bpftrace */
	     (l->kind == GT_RECORD && gt_same(l, r)))) {	/* arrays, as bpftrace */
		n->type = gt_int(false);
		return 0;
	}
	if (l->kind == GT_INT && r->kind == GT_INT) {
		/* As in C and bpftrace: unsigned wins; a shift has the
		 * signedness of its left operand, as in bpftrace. */
		n->type = gt_int(l->is_signed && r->is_signed);
		if (n->kind == N_SHL || n->kind == N_SHR)
			n->type = gt_int(l->is_signed);
		if (n->kind >= N_LAND)
			n->type = gt_int(false);
		if ((n->kind == N_ADD || n->kind == N_SUB) && l->gotype && l->gotype->is_c &&
		    l->gotype->kind == GO_POINTER)
			return sema_c_pointer_arith(s, n);
		if (s->final && (n->kind == N_DIV || n->kind == N_MOD) &&
		    (maybe_negative(n->lhs) || maybe_negative(n->rhs)))
			diag_warning(&n->loc, "signed operands for '%s' can lead to undefined "
				     "behavior (cast to unsigned to silence warning)",
				     node_kind_name(n->kind));
		return 0;
	}
	if ((n->kind == N_EQ || n->kind == N_NE) &&
	    (l->kind == GT_STR || r->kind == GT_STR))
		return sema_error(s, &n->loc, "cannot compare a %s with a %s",
				  gt_name(l), gt_name(r));
	bad = l->kind != GT_INT ? n->lhs : n->rhs;
	return sema_error(s, &bad->loc,
			  "operator '%s' needs integers, but this is a %s",
			  node_kind_name(n->kind), gt_name(&bad->type));
}

/* $N becomes the literal it was given: an integer if it reads as one,
 * a string otherwise, as in bpftrace. */
static int posparam(struct sema *s, struct node *n)
{
	const char *v;
	char *end;
	long long x;

	/* A parameter that was not given reads as 0, as in bpftrace. */
	v = n->ival >= 1 && n->ival <= s->opts->nparams ? s->opts->params[n->ival - 1] : "0";
	x = strtoll(v, &end, 0);
	if (*v && !*end) {
		n->kind = N_INT;
		n->ival = x;
		n->type = gt_int(true);
	} else {
		n->kind = N_STR;
		n->str = xstrdup(v);
		n->type = gt_str(gt_align8(strlen(v) + 1));
	}
	return 0;
}

/* str($1 + N): inside str(), bpftrace 0.17 makes $1 a pointer to the
 * parameter's text, so this is its text from byte N on ("hello" + 1 is
 * "ello"). The text is known here: the result is a string constant, and N
 * must be a constant within the text (bpftrace would read past it). */
static int str_param_offset(struct sema *s, struct node *a)
{
	struct node *p, *off;
	const char *v;
	long i;

	if (a->kind != N_ADD || (a->lhs->kind != N_POSPARAM && a->rhs->kind != N_POSPARAM))
		return 0;
	p = a->lhs->kind == N_POSPARAM ? a->lhs : a->rhs;
	off = p == a->lhs ? a->rhs : a->lhs;
	if (off->kind == N_POSPARAM)
		return sema_error(s, &a->loc, "str($%d + $%d): only one of them can be "
				  "the string, the other must be an integer constant",
				  (int)p->ival, (int)off->ival);
	if (sema_expr(s, off))
		return -EINVAL;
	if (off->kind != N_INT)
		return sema_error(s, &off->loc, "str($%d + N): N must be an integer "
				  "constant", (int)p->ival);
	i = (long)p->ival;
	v = i >= 1 && i <= s->opts->nparams ? s->opts->params[i - 1] : "";
	if (off->ival < 0 || (unsigned long long)off->ival > strlen(v))
		return sema_error(s, &off->loc, "str($%ld + %lld): $%ld is %zu bytes "
				  "long (\"%s\")", i, (long long)off->ival, i,
				  strlen(v), v);
	a->kind = N_STR;
	a->str = xstrdup(v + off->ival);
	a->lhs = a->rhs = NULL;
	return 0;
}

static int field(struct sema *s, struct node *n)
{
	struct plan_prog *pp = s->pp;

	if (strcmp(n->lhs->str, "args") != 0)
		return sema_error(s, &n->lhs->loc,
				  "unknown '%s': only tracepoint args have fields",
				  n->lhs->str);
	/* a uprobe on a function (PC_FUNC): its parameters from DWARF */
	if (!(pp->type->caps & PC_FIELDS) && (pp->type->caps & PC_FUNC) && pp->type->user_mem)
		return sema_c_arg_field(s, n);
	if (!(pp->type->caps & PC_FIELDS))
		return sema_error(s, &n->loc, "args is only valid in tracepoint probes");
	for (int i = 0; i < pp->ap.nfields; i++) {
		struct tp_field *f = &pp->ap.fields[i];
		if (strcmp(f->name, n->str) != 0)
			continue;
		/* The kernel lets a tracepoint program read its context only
		 * past the first 8 bytes, the common_* fields. */
		if (f->offset < 8)
			return sema_error(s, &n->loc, "BPF does not support accessing "
					  "common tracepoint fields");
		n->ival = i;
		/* A __data_loc is, as in bpftrace, the address of its data
		 * (a signed 64-bit integer): str() reads the string there. */
		n->type = f->is_string ? gt_str(gt_align8(f->size)) :
			  gt_int(f->is_signed || f->data_loc);
		if (!f->is_string && !f->data_loc && (f->size == 1 || f->size == 2 ||
						      f->size == 4))
			n->type.size = f->size;	/* its width, as in bpftrace */
		if (!f->is_string && !f->data_loc && f->size == 8)
			return sema_c_tp_field(s, n, f->decl);
		return 0;
	}
	return sema_error(s, &n->loc, "tracepoint %s:%s has no field '%s'",
			  pp->ap.tp_category, pp->ap.tp_name, n->str);
}

/* The kind of the program being checked, for messages. */
static const char *where(struct sema *s)
{
	return s->pp->type->name;
}

/* A profile or tracepoint probe names no binary: its Go builtins read the
 * -p/-c target's threads, with the target's Go offsets. Opened on first
 * use (bin_open() keeps each file open once). 0, or -EINVAL after an
 * error at l. */
static int go_target(struct sema *s, const struct loc *l, const char *what)
{
	struct attach_point *ap = &s->pp->ap;
	char err[512];

	if (ap->bin || !(s->pp->type->caps & PC_GOSTATE))
		return 0;
	if (!s->opts->target || s->opts->pid <= 0)
		return sema_error(s, l, "%s in a %s probe reads the threads of the Go program "
				  "given with -p or -c, and there is none", what, where(s));
	if (!(ap->bin = bin_open(s->opts->target, err, sizeof(err))))
		return sema_error(s, l, "%s", err);
	ap->path = bin_path(ap->bin);
	ap->go = bin_is_go(ap->bin);
	ap->pid = s->opts->pid;
	return 0;
}

/* Does this program's probe kind offer everything a builtin needs? */
static bool offers(struct sema *s, unsigned needs)
{
	return (s->pp->type->caps & needs) == needs;
}

static int ident(struct sema *s, struct node *n)
{
	const struct builtin *b = builtin_find(n->str);

	if (!b) {
		if (!sema_c_enum_const(s, n))
			return 0;
		if (func_find(n->str))
			return sema_error(s, &n->loc, "%s is a function: call it as %s()",
					  n->str, n->str);
		if (strspn(n->str, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(n->str))
			return sema_error(s, &n->loc, "unknown builtin '%s': no builtin, #define "
					  "(of the program, or of a header it includes from "
					  "/usr/include) or kernel enum constant has this name",
					  n->str);
		return sema_error(s, &n->loc, "unknown builtin '%s'", n->str);
	}
	if (!offers(s, b->needs))
		return sema_error(s, &n->loc, "%s is not valid in %s probes%s", n->str,
				  where(s), b->go ? ": it reads the goroutine of a Go thread, "
				  "in a uprobe, uretprobe, profile or tracepoint probe" : "");
	if (b->go && go_target(s, &n->loc, n->str))
		return -EINVAL;
	if (b->go && !s->pp->ap.go)
		return sema_error(s, &n->loc, "%s needs a Go binary, and %s is not one",
				  n->str, s->pp->ap.path ? s->pp->ap.path : "this probe's target");
	n->builtin = b;
	n->type = b->type;
	if (b->id == BI_RETVAL && s->pp->ap.go && !s->pp->ap.go_regabi)
		return sema_error(s, &n->loc, "retval of a Go function needs Go's register "
				  "ABI (Go 1.17 and later); with the stack ABI the result "
				  "is not in a register");
	if (b->id == BI_GOID && !s->pp->has_goff) {
		/* Only programs that use goid pay for the offsets (DWARF, or
		 * the table) and the TLS slot. */
		char err[256];
		if (bin_go_offsets(s->pp->ap.bin, &s->pp->goff, err, sizeof(err)))
			return sema_error(s, &n->loc, "goid: %s", err);
		s->pp->go_tls_g = bin_go_tls_g_offset(s->pp->ap.bin);
		s->pp->has_goff = true;
	}
	if (b->id == BI_CURTASK)
		return sema_c_curtask(s, n);
	if (b->id == BI_CTX)
		return sema_c_ctx(s, n);
	if (b->id == BI_CPID) {
		/* Known now: the -c child was started (held) before sema. */
		if (!s->opts->child)
			return sema_error(s, &n->loc, "cpid is the pid of the -c command, "
					  "and there is none");
		n->kind = N_INT;
		n->ival = s->opts->child;
	}
	return 0;
}

/* Functions that check their own arguments: the ones that take a map,
 * and the ones that take a Go value as it is, not read (a place). */
static bool own_args(enum func_id id)
{
	return id == FN_PRINT || id == FN_CLEAR || id == FN_ZERO || id == FN_DELETE ||
	       id == FN_LEN || id == FN_GO_CAST || id == FN_GO_TYPENAME ||
	       id == FN_USTACK || id == FN_KSTACK || id == FN_HAS_KEY ||
	       id == FN_SIZEOF;
}

static int call(struct sema *s, struct node *n)
{
	const struct func *f = func_find(n->str);
	int nargs = node_count(n->args);

	if (!f) {
		if (builtin_find(n->str))
			return sema_error(s, &n->loc, "%s is not a function", n->str);
		return sema_error(s, &n->loc, "unknown function '%s'", n->str);
	}
	n->func = f;
	if (nargs < f->min_args || nargs > f->max_args) {
		if (f->min_args == f->max_args)
			return sema_error(s, &n->loc, "%s() takes %d argument%s, %d given",
					  f->name, f->min_args,
					  f->min_args == 1 ? "" : "s", nargs);
		return sema_error(s, &n->loc, "%s() takes %d to %d arguments, %d given",
				  f->name, f->min_args, f->max_args, nargs);
	}
	if (!offers(s, f->needs))
		return sema_error(s, &n->loc, "%s() is not valid in %s probes%s",
				  f->name, where(s), !f->go ? "" :
				  f->id == FN_GO_RET ? ": results exist at a return, use a uretprobe" :
				  f->id == FN_GO_ARG || f->id == FN_GO_STR ?
				  ": arguments are read at a Go function's entry, use a uprobe" :
				  ": it reads a probed Go function's state, use a uprobe");
	if (f->go && go_target(s, &n->loc, f->name))
		return -EINVAL;
	if (f->go && !s->pp->ap.go)
		return sema_error(s, &n->loc, "%s() needs a Go binary, and %s is not one",
				  f->name, s->pp->ap.path ? s->pp->ap.path : "this probe's target");
	/* str($1) is the parameter's text even when it reads as a number. */
	if (f->id == FN_STR && n->args->kind == N_POSPARAM) {
		struct node *a = n->args;
		long i = (long)a->ival;
		a->kind = N_STR;
		a->str = xstrdup(i >= 1 && i <= s->opts->nparams ? s->opts->params[i - 1] : "");
	}
	if (f->id == FN_STR && str_param_offset(s, n->args))
		return -EINVAL;
	if (!own_args(f->id))
		for (struct node *a = n->args; a; a = a->next)
			if (sema_expr(s, a))
				return -EINVAL;
	return f->check(s, n);
}

static int incdec(struct sema *s, struct node *n)
{
	struct node *lv = n->lhs;
	struct gt_type t = gt_int(true);

	if (lv->kind == N_MAP &&
	    (sema_map_keys(s, lv) || sema_map_value(s, lv, lv->map, &t)))
		return -EINVAL;
	if (sema_expr(s, lv))
		return -EINVAL;
	if (lv->type.kind != GT_INT)
		return sema_error(s, &n->loc, "++ and -- need an integer, not a %s",
				  gt_name(&lv->type));
	n->type = lv->type;
	/* p++ on a C pointer moves it by one element, as in C and bpftrace */
	if (lv->type.gotype && lv->type.gotype->is_c && lv->type.gotype->kind == GO_POINTER &&
	    lv->type.gotype->elem && lv->type.gotype->elem->size > 1)
		n->ival = (int64_t)lv->type.gotype->elem->size;
	return 0;
}

static int unary(struct sema *s, struct node *n)
{
	struct gt_type t = gt_int(false);

	if (untyped_map(s, n->lhs))	/* -@x, !@x: an integer, as above */
		sema_map_value(s, n->lhs, sema_map_of(s, n->lhs), &t);
	if (sema_expr(s, n->lhs) || sema_int_arg(s, n->lhs, "the operand"))
		return -EINVAL;
	/* As bpftrace 0.17: `!x` is unsigned at x's width; `-x` and `~x`
	 * are computed at x's width, and are 64-bit of x's sign (-pid is
	 * unsigned) */
	n->type = n->kind == N_NOT ? gt_intw(n->lhs->type.size, false) :
		  gt_int(n->lhs->type.is_signed);
	return 0;
}

static int tuple_index(struct sema *s, struct node *n)
{
	if (sema_expr(s, n->lhs))
		return -EINVAL;
	/* 1.5 parses as an integer's element .5 */
	if (n->lhs->kind == N_INT)
		return sema_error(s, &n->loc, "floating-point numbers are not supported: "
				  "numbers are 64-bit integers");
	if (n->lhs->type.kind != GT_TUPLE)
		return sema_error(s, &n->loc, ".%lld needs a tuple, not a %s",
				  (long long)n->ival, gt_name(&n->lhs->type));
	if (n->ival < 0 || n->ival >= n->lhs->type.nelems)
		return sema_error(s, &n->loc, "the tuple has %d elements, there is no .%lld",
				  n->lhs->type.nelems, (long long)n->ival);
	n->type = n->lhs->type.elems[n->ival];
	return 0;
}

static int ternary(struct sema *s, struct node *n)
{
	if (sema_expr(s, n->cond) || sema_int_arg(s, n->cond, "a condition") ||
	    sema_expr(s, n->lhs) || sema_expr(s, n->rhs))
		return -EINVAL;
	if (!gt_same(&n->lhs->type, &n->rhs->type))
		return sema_error(s, &n->loc, "?: branches differ: %s and %s",
				  gt_name(&n->lhs->type), gt_name(&n->rhs->type));
	n->type = n->lhs->type;
	gt_widen(&n->type, &n->rhs->type);
	if (n->type.kind == GT_INT && !n->type.gotype)	/* 64-bit, as bpftrace's */
		n->type.size = 8;
	return 0;
}

static int expr(struct sema *s, struct node *n)
{
	struct var_info *v;

	switch (n->kind) {
	case N_INT:
		n->type = gt_int(true);
		return 0;
	case N_STR:
		n->type = gt_str(gt_align8(strlen(n->str) + 1));
		n->type.lit_size = (unsigned)strlen(n->str) + 1;
		return 0;
	case N_IDENT:
		return ident(s, n);
	case N_CALL:
		return call(s, n);
	case N_MAP:
		return sema_map_read(s, n);
	case N_VAR:
		v = var_find(s, n->str);
		if (!v)
			return sema_error(s, &n->loc, "%s is used before it is assigned",
					  n->str);
		if (v->failed)
			return -EINVAL;
		if (v->type.kind == GT_NONE)	/* let $x; read before set: 0 */
			v->type = gt_int(true);
		n->var = v;
		n->type = v->type;
		return 0;
	case N_POSPARAM:
		return posparam(s, n);
	case N_POSCOUNT:
		n->kind = N_INT;
		n->ival = s->opts->nparams;
		n->type = gt_int(true);
		return 0;
	case N_FIELD:
		if (n->lhs->kind == N_IDENT && !strcmp(n->lhs->str, "args"))
			return field(s, n);
		return sema_go_field(s, n);
	case N_DEREF:
		return sema_go_deref(s, n);
	case N_SUBSCRIPT:
		return sema_go_subscript(s, n);
	case N_GOREAD:
		return sema_go_read(s, n);
	case N_GOSTR:
		return sema_go_string(s, n);
	case N_TUPLE:
		for (struct node *a = n->args; a; a = a->next)
			if (sema_expr(s, a))
				return -EINVAL;
		n->type = gt_tuple_of(n->args);
		return 0;
	case N_CAST:
		if (strchr(n->str, '*') || strchr(n->str, ' ') || n->type.gotype)
			return sema_c_cast(s, n);
		if (sema_expr(s, n->lhs) || sema_int_arg(s, n->lhs, "a cast's operand"))
			return -EINVAL;
		n->type = gt_intw(atoi(n->str + strcspn(n->str, "0123456789")) / 8,
				  n->str[0] != 'u');
		return 0;
	case N_TERNARY:
		return ternary(s, n);
	case N_NEG: case N_NOT: case N_BITNOT:
		return unary(s, n);
	case N_PREINC: case N_PREDEC: case N_POSTINC: case N_POSTDEC:
		return incdec(s, n);
	case N_INDEX:
		return tuple_index(s, n);
	case N_OFFSETOF:
		return sema_c_offsetof(s, n);
	case N_SIZEOF:
		if (strchr(n->str, '*') || strchr(n->str, ' '))
			return sema_c_sizeof(s, n);
		n->kind = N_INT;
		n->ival = strstr(n->str, "64") ? 8 : strstr(n->str, "32") ? 4 :
			  strstr(n->str, "16") ? 2 : 1;
		n->type = gt_int(false);
		return 0;
	default:
		if (n->kind >= N_ADD && n->kind <= N_GE)
			return binop(s, n);
		return sema_error(s, &n->loc, "unexpected %s", node_kind_name(n->kind));
	}
}

/* Check n. A Go place (a string, struct, ... not read) is turned into a
 * value, unless the caller asked for a place (sema_place()). */
int sema_expr(struct sema *s, struct node *n)
{
	bool place = s->place;

	s->place = false;
	if (expr(s, n))
		return -EINVAL;
	return place ? 0 : sema_go_value(s, n);
}

int sema_place(struct sema *s, struct node *n)
{
	s->place = true;
	return sema_expr(s, n);
}

static int stmts(struct sema *s, struct node *list);

/* Codegen keeps the break and continue targets of this many nested loops. */
#define MAX_LOOPS 16
/* Nested unrolls multiply: unroll(100) four deep would be 10^8 copies,
 * and LLVM's BPF back end slows down more than linearly long before the
 * verifier's million instructions. failures.test uses 60 x 2. */
#define MAX_UNROLLED 1000

static int unroll(struct sema *s, struct node *n)
{
	int64_t saved = s->unrolled, copies;
	int rc;

	/* unroll($1): the parameter is the count, known at compile time */
	if (n->cond && (sema_expr(s, n->cond) || n->cond->kind != N_INT))
		return n->cond->kind == N_STR ?
		       sema_error(s, &n->cond->loc, "unroll count must be an integer, "
				  "not \"%s\"", n->cond->str) : -EINVAL;
	if (n->cond)
		n->ival = n->cond->ival;
	/* bpftrace 0.17's words, which its scripts' wrappers may look for */
	if (n->ival < 1)
		return sema_error(s, &n->loc, "unroll minimum value is 1 (not %lld)",
				  (long long)n->ival);
	if (n->ival > 100)
		return sema_error(s, &n->loc, "unroll maximum value is 100 (not %lld)",
				  (long long)n->ival);
	copies = (saved ? saved : 1) * n->ival;
	if (copies > MAX_UNROLLED)
		return sema_error(s, &n->loc, "nested unrolls repeat this block %lld "
				  "times; at most %d", (long long)copies, MAX_UNROLLED);
	s->unrolled = copies;
	rc = stmts(s, n->body);
	s->unrolled = saved;
	return rc;
}

static int stmt(struct sema *s, struct node *n)
{
	const struct func *f;
	int rc;

	switch (n->kind) {
	case N_ASSIGN:
		return assign(s, n);
	case N_EXPR_STMT:
		f = n->lhs->kind == N_CALL ? func_find(n->lhs->str) : NULL;
		if (f && f->aggregation != GT_NONE)
			return sema_error(s, &n->lhs->loc,
					  "%s() must be assigned to a map, as in @x = %s()",
					  f->name, f->name);
		return sema_expr(s, n->lhs);
	case N_IF:
		if (sema_expr(s, n->cond) || sema_int_arg(s, n->cond, "an if condition"))
			return -EINVAL;
		return stmts(s, n->body) | stmts(s, n->els);
	case N_UNROLL:
		return unroll(s, n);
	case N_WHILE:
		if (s->loops == MAX_LOOPS)
			return sema_error(s, &n->loc, "while loops nest more than %d deep",
					  MAX_LOOPS);
		if (sema_expr(s, n->cond) || sema_int_arg(s, n->cond, "a while condition"))
			return -EINVAL;
		s->loops++;
		rc = stmts(s, n->body);
		s->loops--;
		return rc;
	case N_FOR:
		if (s->loops == MAX_LOOPS)
			return sema_error(s, &n->loc, "loops nest more than %d deep",
					  MAX_LOOPS);
		return n->rhs ? sema_for_map(s, n, stmts) : sema_for_range(s, n, stmts);
	case N_LET:
		return sema_let(s, n);
	case N_BREAK:
	case N_CONTINUE:
		if (!s->loops)
			return sema_error(s, &n->loc, "%s outside a while loop",
					  node_kind_name(n->kind));
		return 0;
	case N_RETURN:
		return 0;
	default:
		return sema_error(s, &n->loc, "unexpected %s", node_kind_name(n->kind));
	}
}

static int stmts(struct sema *s, struct node *list)
{
	int rc = 0;

	for (struct node *n = list; n; n = n->next)
		rc |= stmt(s, n);
	return rc ? -EINVAL : 0;
}

static int check_prog(struct sema *s, struct plan_prog *pp)
{
	struct node *probe = pp->probe;
	int rc = 0;

	s->pp = pp;
	s->vars = NULL;
	if (probe->cond) {
		rc = sema_expr(s, probe->cond);
		if (!rc)
			rc = sema_int_arg(s, probe->cond, "a predicate");
	}
	return stmts(s, probe->body) | rc;
}

int sema_run(const struct sema_opts *opts, struct program *prog, struct plan *out)
{
	struct sema s = { .opts = opts, .plan = out };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->prog = *prog;
	out->max_keys = opts->max_keys ? opts->max_keys : PLAN_MAX_KEYS;
	for (struct node *p = prog->probes; p; p = p->next)
		rc |= probes_resolve(opts, p, out);
	rc |= sema_cdefs(&s, prog->cdefs);
	if (rc)
		return -EINVAL;
	/* Pass 1 learns map types; pass 2 checks and reports. Async ids are
	 * handed out in pass 2 only, so each call gets exactly one. */
	for (int pass = 0; pass < 2; pass++) {
		s.final = pass == 1;
		for (int i = 0; i < out->nprogs; i++)
			check_prog(&s, &out->progs[i]);
	}
	if (s.errors)
		return -EINVAL;
	return sema_layout_maps(&s);
}
