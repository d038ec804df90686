/*
 * The builtin and function tables, with each function's argument check.
 *
 * A row's `needs` names what the probe's context must offer (enum
 * probe_caps): arg0 needs a function's arguments, so it is valid in the
 * probe kinds whose row has PC_ARGS. Codegen's hooks for the same ids are
 * in codegen/calls.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

#define INT_U { .kind = GT_INT, .size = 8 }
#define INT_S { .kind = GT_INT, .size = 8, .is_signed = true }

static const struct builtin builtins[] = {
	{ "pid", BI_PID, INT_U, 0 },
	{ "tid", BI_TID, INT_U, 0 },
	{ "uid", BI_UID, INT_U, 0 },
	{ "gid", BI_GID, INT_U, 0 },
	{ "comm", BI_COMM, { .kind = GT_STR, .size = 16 }, 0 },
	{ "nsecs", BI_NSECS, INT_U, 0 },
	{ "elapsed", BI_ELAPSED, INT_U, 0 },
	{ "cpu", BI_CPU, INT_U, 0 },
	{ "probe", BI_PROBE, { .kind = GT_PROBE, .size = 8 }, 0 },
	{ "func", BI_FUNC, { .kind = GT_FUNC, .size = 8 }, PC_FUNC },
	{ "arg0", BI_ARG0, INT_U, PC_ARGS },
	{ "arg1", BI_ARG1, INT_U, PC_ARGS },
	{ "arg2", BI_ARG2, INT_U, PC_ARGS },
	{ "arg3", BI_ARG3, INT_U, PC_ARGS },
	{ "arg4", BI_ARG4, INT_U, PC_ARGS },
	{ "arg5", BI_ARG5, INT_U, PC_ARGS },
	{ "retval", BI_RETVAL, INT_U, PC_RETVAL },
	{ "ustack", BI_USTACK, { .kind = GT_USTACK, .size = 16, .depth = 127, .by_id = true }, 0 },
	{ "cpid", BI_CPID, { .kind = GT_INT, .size = 4 }, 0 },	/* uint32, as in bpftrace */
	{ "goid", BI_GOID, INT_U, PC_GOSTATE, true },
	{ "curtask", BI_CURTASK, INT_U, 0 },	/* typed by sema_c_curtask() */
	{ "ctx", BI_CTX, INT_U, 0 },		/* typed by sema_c_ctx() */
	{ "kstack", BI_KSTACK, { .kind = GT_KSTACK, .size = 16, .depth = 127, .by_id = true }, 0 },
	{ "rand", BI_RAND, INT_U, 0 },
	{ "numaid", BI_NUMAID, INT_U, 0 },
	{ "cgroup", BI_CGROUP, INT_U, 0 },
	{ "username", BI_USERNAME, { .kind = GT_USERNAME, .size = 8 }, 0 },
	/* sargN: the N-th argument on the stack; builtin_find() maps every
	 * sarg<digits> here, and codegen reads N from the name. */
	{ "sargN", BI_SARG, INT_U, PC_ARGS },
};

const struct builtin *builtin_find(const char *name)
{
	if (!strncmp(name, "sarg", 4) && name[4] && strspn(name + 4, "0123456789") ==
	    strlen(name + 4))
		name = "sargN";
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* Two actions that print alike. */
static bool async_same(const struct async_action *a, const struct async_action *b)
{
	if (a->kind != b->kind || a->map_id != b->map_id || a->nargs != b->nargs ||
	    a->size != b->size || !a->fmt != !b->fmt || (a->fmt && strcmp(a->fmt, b->fmt)))
		return false;
	for (int i = 0; i < a->nargs; i++)
		if (!gt_identical(&a->args[i], &b->args[i]))
			return false;
	return true;
}

int sema_add_async(struct sema *s, enum async_kind kind, const char *fmt,
		   struct node *args, int map_id)
{
	struct plan *p = s->plan;
	struct async_action *a;
	int i = 0;

	if (!s->final)
		return 0;
	p->async = xrealloc(p->async, (p->nasync + 1) * sizeof(*p->async));
	a = &p->async[p->nasync];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->fmt = fmt ? xstrdup(fmt) : NULL;
	a->map_id = map_id;
	a->nargs = node_count(args);
	a->args = xcalloc(a->nargs, sizeof(*a->args));
	for (struct node *n = args; n; n = n->next) {
		a->args[i++] = n->type;
		a->size += gt_align8(n->type.size);
	}
	/* Each attach point has its own copy of the block: the same printf
	 * in each copy gets the same id, so that their programs can be one
	 * (codegen/share.c). */
	for (int j = 0; j < p->nasync; j++)
		if (async_same(&p->async[j], a)) {
			free(a->fmt);
			free(a->args);
			return j;
		}
	return p->nasync++;
}

/* Count printf conversions and check each argument's type against it. */
int sema_check_format(struct sema *s, struct node *call, const char *fmt,
		      struct node *args)
{
	struct node *a = args;

	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		p += strspn(p, "-+ #0123456789.");
		p += strspn(p, "hlzjt");
		if (!*p || !strchr("diuxXcspor", *p))
			return sema_error(s, &call->loc, "printf: invalid conversion '%%%c'",
					  *p ? *p : ' ');
		if (!a)
			return sema_error(s, &call->loc,
					  "printf: the format has more conversions than arguments");
		bool want_str = *p == 's' || *p == 'r';
		bool is_int = a->type.kind == GT_INT;
		if (*p == 'r' && a->type.kind != GT_BUF)
			return sema_error(s, &a->loc, "printf: %%r needs a buffer, not a %s",
					  gt_name(&a->type));
		if (*p == 's' && a->type.kind == GT_BUF)
			return sema_error(s, &a->loc, "printf: %%s needs a string, not a buffer "
					  "(print buffers with %%r)");
		if (!want_str && !is_int)
			return sema_error(s, &a->loc, "printf: %%%c needs an integer, not a %s",
					  *p, gt_name(&a->type));
		if (gt_is_aggregation(a->type.kind) || a->type.kind == GT_NONE)
			return sema_error(s, &a->loc, "printf: cannot print a %s",
					  gt_name(&a->type));
		a = a->next;
	}
	if (a)
		return sema_error(s, &a->loc,
				  "printf: more arguments than the format has conversions");
	return 0;
}

static int check_printf(struct sema *s, struct node *n)
{
	struct node *fmt = n->args;

	if (fmt->kind != N_STR)
		return sema_error(s, &fmt->loc, "printf: the format must be a string literal");
	if (sema_check_format(s, n, fmt->str, fmt->next))
		return -EINVAL;
	n->async_id = sema_add_async(s, AS_PRINTF, fmt->str, fmt->next, -1);
	return 0;
}

/* print(@m), print(@m, top), print(@m, top, div), or print(value). */
static int check_print(struct sema *s, struct node *n)
{
	struct node *m = n->args;

	if (m->kind != N_MAP || m->args) {
		if (m->next)
			return sema_error(s, &n->loc, "print(value) takes one argument");
		if (sema_expr(s, m))
			return -EINVAL;
		n->async_id = sema_add_async(s, AS_PRINT_VALUE, NULL, m, -1);
		return 0;
	}
	if (sema_map_arg(s, m, false))
		return -EINVAL;
	for (struct node *a = m->next; a; a = a->next)
		if (sema_expr(s, a) || sema_int_arg(s, a, "print()'s top and div"))
			return -EINVAL;
	n->async_id = sema_add_async(s, AS_PRINT_MAP, NULL, NULL, m->map->id);
	if (s->final)
		s->plan->async[n->async_id].size = 16; /* u64 top, u64 div */
	return 0;
}

static int check_clear_zero(struct sema *s, struct node *n)
{
	if (sema_map_arg(s, n->args, false))
		return -EINVAL;
	n->async_id = sema_add_async(s, n->func->id == FN_CLEAR ? AS_CLEAR : AS_ZERO,
				     NULL, NULL, n->args->map->id);
	return 0;
}

static int check_delete(struct sema *s, struct node *n)
{
	/* delete(@m, key), newer bpftrace's spelling of delete(@m[key]) */
	if (n->args->next && sema_key_arg(s, n, "delete"))
		return -EINVAL;
	if (sema_map_arg(s, n->args, true))
		return -EINVAL;
	if (n->args->map->nkeys > 0 && !n->args->args)
		return sema_error(s, &n->args->loc,
				  "delete() needs a key: %s has keys", n->args->map->name);
	/* @x = count() without keys is a per-CPU array (sema/maps.c), whose
	 * slot BPF cannot delete, nor zero on other CPUs: user space zeroes
	 * it, and it prints "@x: 0", as bpftrace's deleted one does. */
	if (n->args->map->nkeys == 0 && n->args->map->value.kind == GT_COUNT)
		n->async_id = sema_add_async(s, AS_ZERO, NULL, NULL, n->args->map->id);
	return 0;
}

static int check_exit(struct sema *s, struct node *n)
{
	if (n->args && sema_int_arg(s, n->args, "exit()'s code"))
		return -EINVAL;
	n->async_id = sema_add_async(s, AS_EXIT, NULL, NULL, -1);
	if (s->final)
		s->plan->async[n->async_id].size = 8; /* u64 code */
	return 0;
}

static int check_time(struct sema *s, struct node *n)
{
	if (n->args && n->args->kind != N_STR)
		return sema_error(s, &n->args->loc, "time(): the format must be a string literal");
	n->async_id = sema_add_async(s, AS_TIME, n->args ? n->args->str : "%H:%M:%S\n",
				     NULL, -1);
	return 0;
}

/* A literal negative length, which bpftrace refuses; other lengths are
 * only known at run time. */
static bool negative_literal(const struct node *n)
{
	return (n->kind == N_INT && n->ival < 0) ||
	       (n->kind == N_NEG && n->lhs->kind == N_INT && n->lhs->ival > 0);
}

/* str(p[, n]), as in bpftrace: a buffer of BPFTRACE_STRLEN bytes (64:
 * 63 characters and the NUL), of which min(n + 1, BPFTRACE_STRLEN) are
 * read, n being any integer expression. A string (str($1), str() of a
 * string) is cut the same way. */
static int check_str(struct sema *s, struct node *n)
{
	struct node *p = n->args, *len = p->next;
	unsigned max = s->opts->strlen ? s->opts->strlen : GT_STR_DEFAULT;

	if (p->type.kind != GT_INT && p->type.kind != GT_STR)
		return sema_error(s, &p->loc, "str() needs a pointer, not a %s",
				  gt_name(&p->type));
	if (len && len->type.kind != GT_INT)
		return sema_error(s, &len->loc, "str(): the length must be an integer, not a %s",
				  gt_name(&len->type));
	if (len && negative_literal(len))
		return sema_error(s, &len->loc, "str(): the length cannot be negative");
	/* str() of a literal (str($1)) is a literal, as in bpftrace, so it
	 * can name a symbol (kaddr(str($1))): cut here as at run time. */
	if (p->kind == N_STR && (!len || len->kind == N_INT)) {
		size_t cut = max - 1;

		if (len && (uint64_t)len->ival < cut)
			cut = (size_t)len->ival;
		n->kind = N_STR;
		n->str = xstrdup(p->str);
		if (strlen(n->str) > cut)
			n->str[cut] = 0;
		n->args = NULL;
		n->type = gt_str(gt_align8(strlen(n->str) + 1));
		return 0;
	}
	/* A string that already fits needs no copy. */
	if (p->type.kind == GT_STR && !len && p->type.size <= max)
		n->type = p->type;
	else
		n->type = gt_str(gt_align8(max));
	n->ival = max;
	return 0;
}

/* ustack([mode, ][depth]): mode is bpftrace (the default) or perf, a
 * word, not an expression; depth a constant. */
static int check_stack(struct sema *s, struct node *n)
{
	int64_t depth = GT_STACK_DEFAULT;
	struct node *a = n->args;
	bool perf = false;

	if (a && a->kind == N_IDENT && (!strcmp(a->str, "perf") || !strcmp(a->str, "bpftrace"))) {
		perf = a->str[0] == 'p';
		a = a->next;
	} else if (a && a->next) {
		return sema_error(s, &a->loc, "%s(): the stack mode must be bpftrace or perf",
				  n->func->name);
	}
	if (a) {
		if (sema_expr(s, a) || sema_const_int(s, a, &depth))
			return -EINVAL;
		if (depth < 1 || depth > 127)
			return sema_error(s, &a->loc,
					  "the stack depth must be 1 to 127, not %lld",
					  (long long)depth);
	}
	n->type = gt_stack(n->func->id == FN_KSTACK ? GT_KSTACK : GT_USTACK, (int)depth);
	n->type.perf = perf;
	return 0;
}

/* count(), sum(x), avg(x) ...: the call's type is the map value kind. */
static int check_agg(struct sema *s, struct node *n)
{
	for (struct node *a = n->args; a; a = a->next)
		if (sema_int_arg(s, a, "an aggregation's argument"))
			return -EINVAL;
	n->type = (struct gt_type){ .kind = n->func->aggregation, .size = 8 };
	if (n->args)
		n->type.is_signed = n->args->type.is_signed;
	return 0;
}

static int check_lhist(struct sema *s, struct node *n)
{
	struct node *v = n->args, *min = v->next, *max = min->next, *step = max->next;
	int64_t lo, hi, st;

	if (check_agg(s, n))
		return -EINVAL;
	if (sema_const_int(s, min, &lo) || sema_const_int(s, max, &hi) ||
	    sema_const_int(s, step, &st))
		return -EINVAL;
	if (st <= 0)
		return sema_error(s, &step->loc, "lhist(): step must be positive");
	if (hi <= lo)
		return sema_error(s, &max->loc, "lhist(): max must be greater than min");
	/* hi > lo, so the difference is right in uint64_t; the runtime
	 * computes it in int64_t (gt_lhist_nbuckets), where it must fit. */
	if ((uint64_t)hi - (uint64_t)lo > INT64_MAX)
		return sema_error(s, &max->loc, "lhist(): max - min is too large");
	if ((hi - lo) / st > 1000)
		return sema_error(s, &step->loc, "lhist(): more than 1000 buckets");
	n->type.lhist_min = lo;
	n->type.lhist_max = hi;
	n->type.lhist_step = st;
	return 0;
}

static int check_usym(struct sema *s, struct node *n)
{
	if (sema_int_arg(s, n->args, "usym()'s address"))
		return -EINVAL;
	n->type = (struct gt_type){ .kind = GT_USYM, .size = 16 };
	return 0;
}

/* strncmp(a, b, n): 0 when the first n bytes match, as in bpftrace. */
static int check_strncmp(struct sema *s, struct node *n)
{
	struct node *a = n->args, *b = a->next;
	int64_t len;

	if (a->type.kind != GT_STR || b->type.kind != GT_STR)
		return sema_error(s, &n->loc, "strncmp() compares two strings");
	if (sema_const_int(s, b->next, &len))
		return -EINVAL;
	if (len < 0 || len > 1024)
		return sema_error(s, &b->next->loc, "strncmp(): bad length %lld",
				  (long long)len);
	n->ival = len;
	n->type = gt_int(false);
	return 0;
}

/* sizeof(expr): the size of its type, a constant. */
/* sizeof(x): a C or Go value's size as its type gives it (x is not
 * read), else the bytes it takes in BPF memory. */
static int check_sizeof(struct sema *s, struct node *n)
{
	unsigned align;
	uint64_t size;

	if (sema_place(s, n->args))
		return -EINVAL;
	size = gt_sizeof(&n->args->type, &align);
	if (n->args->type.gotype)	/* whole: a C struct may pass 4 GiB */
		size = n->args->type.gotype->size;

	n->kind = N_INT;
	n->ival = size;
	n->args = NULL;
	n->type = gt_int(false);
	return 0;
}

static int check_reg(struct sema *s, struct node *n)
{
	if (n->args->kind != N_STR || arch_reg_offset(n->args->str) < 0)
		return sema_error(s, &n->args->loc,
				  "reg() takes a register name such as \"ip\" or \"sp\"");
	n->type = gt_int(false);
	return 0;
}

/* The probed function's parameters and results from DWARF; -1 (quietly)
 * when the probe is on more than one function or there is no DWARF. */
static int params(struct sema *s, const struct bin_param **ps, char *err, size_t errlen)
{
	struct plan_prog *pp = s->pp;

	if (pp->ap.nfuncs != 1 || !pp->ap.go_regabi || !pp->ap.bin)
		return -1;
	return bin_func_params(pp->ap.bin, pp->ap.sites[0].func, ps, err, errlen);
}

/* go_arg("name"), go_ret("name"): the parameter (or result) of that
 * name, if it is in integer registers. */
static const struct bin_param *param_named(struct sema *s, struct node *call,
					   struct node *arg, bool result)
{
	const struct bin_param *ps, *found = NULL;
	const char *fn = call->func->name;
	int n;
	char err[512];

	if (s->pp->ap.nfuncs != 1)
		return sema_error(s, &arg->loc, "%s(\"%s\"): parameters are named only in "
				  "a probe on one function", fn, arg->str), NULL;
	if (!s->pp->ap.go_regabi)
		return sema_error(s, &arg->loc, "%s(\"%s\"): parameter names need Go's "
				  "register ABI (Go 1.17 and later)", fn, arg->str), NULL;
	if ((n = params(s, &ps, err, sizeof(err))) < 0)
		return sema_error(s, &arg->loc, "%s(\"%s\"): %s", fn, arg->str, err), NULL;
	for (int i = 0; i < n && !found; i++)
		if (ps[i].is_result == result && strcmp(ps[i].name, arg->str) == 0)
			found = &ps[i];
	if (!found)
		return sema_error(s, &arg->loc, "%s has no %s named '%s'", s->pp->ap.sites[0].func,
				  result ? "result" : "parameter", arg->str), NULL;
	if (found->is_float)
		return sema_error(s, &arg->loc, "%s(\"%s\"): a %s is passed in an X register, "
				  "which a uprobe cannot read", fn, arg->str, found->type), NULL;
	if (found->on_stack)
		return sema_error(s, &arg->loc, "%s(\"%s\"): a %s is passed on the stack (it does "
				  "not fit in the registers left), which gotrace does not read",
				  fn, arg->str, found->type), NULL;
	if (found->word < 0)
		return sema_error(s, &arg->loc, "%s(\"%s\"): the Go type of %s or of a %s "
				  "before it is unknown, so its registers are too; count words "
				  "and use %s(n)", fn, arg->str, arg->str,
				  result ? "result" : "parameter", fn), NULL;
	return found;
}

/* The name becomes the parameter's first word, once every check passed
 * (sema's first pass is silent, and its final pass must still see it). */
static void name_to_word(struct node *arg, const struct bin_param *p)
{
	arg->kind = N_INT;
	arg->ival = p->word;
	arg->type = gt_int(true);
}

/* The parameter (or result) that starts at register word `word`, if DWARF
 * says, for typing go_arg(n). */
static const struct bin_param *param_at(struct sema *s, bool result, int64_t word)
{
	const struct bin_param *ps;
	char err[256];
	int n = params(s, &ps, err, sizeof(err));

	for (int i = 0; i < n; i++)
		if (ps[i].is_result == result && ps[i].word == word && ps[i].words > 0)
			return &ps[i];
	return NULL;
}

/* go_arg / go_ret with the parameter's Go type: an integer, bool or
 * pointer with its width and sign; a string, slice or interface named by
 * its name as a Go value in registers. go_arg(n) on a word of a longer
 * value stays that word. */
static void type_from_param(struct node *n, const struct bin_param *p, bool named)
{
	const struct go_type *t = p ? p->gotype : NULL;

	if (!t)
		return;
	if (sema_go_is_int(t))
		n->type = sema_go_int_type(t);
	else if (named && (t->kind == GO_STRING || t->kind == GO_SLICE || t->kind == GO_INTERFACE ||
			   t->kind == GO_STRUCT || t->kind == GO_ARRAY))
		n->type = sema_go_place_type(t, (int)n->ival + 1);
}

/* go_arg(n): the n-th word of Go's register ABI, only where those
 * registers still hold the arguments: at a function's entry. */
/* A probe on a Go function also runs where the compiler inlined it, and
 * there its arguments are in no particular register. */
static int not_inlined(struct sema *s, struct node *n)
{
	const struct attach_point *ap = &s->pp->ap;

	if (!ap->go_inline)
		return 0;
	return sema_error(s, &n->loc, "%s() cannot be used where %s was inlined (%d "
			  "place%s), since its arguments are not in registers there; "
			  "probe %s+0 to see only its calls that were not inlined",
			  n->func->name, ap->sites[0].func, ap->nsites,
			  ap->nsites == 1 ? "" : "s", ap->sites[0].func);
}

static int check_go_arg(struct sema *s, struct node *n)
{
	/* a name, or (in the second pass) the word that replaced it */
	bool result = n->func->id == FN_GO_RET, named = n->args->str != NULL;
	const struct bin_param *p = NULL;
	int64_t i;
	int max = s->pp->ap.go_regabi ? arch_go_nargs() : 16;

	if (not_inlined(s, n))
		return -EINVAL;
	if (n->args->kind == N_STR && !(p = param_named(s, n, n->args, result)))
		return -EINVAL;
	if (p)
		name_to_word(n->args, p);
	if (result && !s->pp->ap.go_regabi)
		return sema_error(s, &n->loc, "go_ret() needs Go's register ABI (Go 1.17 "
				  "and later); with the stack ABI results sit above the "
				  "arguments, whose size gotrace does not know");
	if (sema_const_int(s, n->args, &i))
		return -EINVAL;
	if (i < 0 || i >= max)
		return sema_error(s, &n->args->loc,
				  "%s(%lld): Go passes %d argument words in registers (0 to %d)",
				  n->func->name, (long long)i, max, max - 1);
	if (!s->pp->ap.go_entry && !result)
		return sema_error(s, &n->loc, "%s() is only valid at a function's entry, "
				  "not at an offset into it", n->func->name);
	n->ival = i;
	n->type = gt_int(false);
	type_from_param(n, p ? p : param_at(s, result, i), named);
	return 0;
}

/* go_str(n[, max]): the Go string whose pointer and length are words n
 * and n+1: arguments at a function's entry, results at its RETs. */
static int check_go_str(struct sema *s, struct node *n)
{
	bool result = s->pp->ap.go_ret_sites;
	struct node *a = n->args;
	const struct bin_param *p = NULL;
	int64_t i, max = GT_STR_DEFAULT;

	if (not_inlined(s, n))
		return -EINVAL;
	if (a->kind == N_STR && !(p = param_named(s, n, a, result)))
		return -EINVAL;
	if (p && p->gotype && p->gotype->kind != GO_STRING)
		return sema_error(s, &a->loc, "go_str(\"%s\"): %s has type %s, not string",
				  p->name, p->name, p->type);
	if (p)
		name_to_word(a, p);
	if (sema_const_int(s, a, &i))
		return -EINVAL;
	if (a->next && sema_const_int(s, a->next, &max))
		return -EINVAL;
	if (max < 1 || max > 255)
		return sema_error(s, &a->next->loc, "go_str(): the bound must be 1 to 255");
	if (i < 0 || i >= (s->pp->ap.go_regabi ? arch_go_nargs() : 16) - 1)
		return sema_error(s, &a->loc, "go_str(%lld): words %lld and %lld are not both "
				  "argument registers", (long long)i, (long long)i,
				  (long long)((uint64_t)i + 1));
	if (!s->pp->ap.go_entry && !result)
		return sema_error(s, &n->loc, "go_str() is only valid at a function's entry "
				  "or, on results, at its return");
	if (result && !s->pp->ap.go_regabi)
		return sema_error(s, &n->loc, "go_str() of results needs Go's register ABI");
	n->ival = i;
	n->type = gt_str((unsigned)((max + 1 + 7) & ~7));
	n->type.depth = (int)max; /* the bound, for codegen */
	return 0;
}

/* go_cast(x, "TYPE"): x viewed as a Go type of the probed binary. */
static int check_go_cast(struct sema *s, struct node *n)
{
	struct node *a = n->args, *tn = a->next;

	if (tn->kind != N_STR)
		return sema_error(s, &tn->loc, "go_cast(): the type must be a string literal, "
				  "as in \"*net/http.Request\"");
	return sema_go_cast(s, n, a, tn->str);
}

static int check_len(struct sema *s, struct node *n)
{
	if (n->args->kind == N_MAP)
		return sema_map_len(s, n);
	return sema_go_len(s, n);
}

/* uptr(p), kptr(p): p, read from user or kernel memory from now on. */
static int check_aspace(struct sema *s, struct node *n)
{
	if (sema_int_arg(s, n->args, "a pointer"))
		return -EINVAL;
	n->type = n->args->type;
	n->type.aspace = n->func->id == FN_UPTR ? GT_AS_USER : GT_AS_KERNEL;
	return 0;
}

static int check_go_typename(struct sema *s, struct node *n)
{
	return sema_go_typename(s, n);
}

static int check_go_stack(struct sema *s, struct node *n)
{
	int64_t depth = 32;

	if (n->args) {
		if (sema_const_int(s, n->args, &depth))
			return -EINVAL;
		if (depth < 1 || depth > 60)
			return sema_error(s, &n->args->loc,
					  "go_ustack depth must be 1 to 60, not %lld",
					  (long long)depth);
	}
	n->type = (struct gt_type){ .kind = GT_USTACK, .depth = (int)depth,
				    .size = 8 + 8 * (unsigned)depth, .go = true,
				    .lines = n->func->id == FN_GO_USTACK_LINES };
	/* Sampled anywhere: a frameless function's caller is found at [SP],
	 * which codegen needs to know the frameless functions for. */
	if (!(s->pp->type->caps & PC_UREGS) && !s->plan->want_frameless && s->pp->ap.bin) {
		s->plan->want_frameless = true;
		s->plan->nframeless = bin_go_frameless(s->pp->ap.bin, &s->plan->frameless);
		s->plan->exec_vaddr = bin_exec_vaddr(s->pp->ap.bin);
	}
	return 0;
}

#define ANY 0
static const struct func funcs[] = {
	{ "printf", FN_PRINTF, 1, 64, ANY, true, false, GT_NONE, check_printf },
	{ "print", FN_PRINT, 1, 3, ANY, true, false, GT_NONE, check_print },
	{ "clear", FN_CLEAR, 1, 1, ANY, true, false, GT_NONE, check_clear_zero },
	{ "zero", FN_ZERO, 1, 1, ANY, true, false, GT_NONE, check_clear_zero },
	{ "delete", FN_DELETE, 1, 2, ANY, true, false, GT_NONE, check_delete },
	{ "exit", FN_EXIT, 0, 1, ANY, true, false, GT_NONE, check_exit },
	{ "time", FN_TIME, 0, 1, ANY, true, false, GT_NONE, check_time },
	{ "str", FN_STR, 1, 2, ANY, false, false, GT_NONE, check_str },
	{ "ustack", FN_USTACK, 0, 2, ANY, false, false, GT_NONE, check_stack },
	{ "kstack", FN_KSTACK, 0, 2, ANY, false, false, GT_NONE, check_stack },
	{ "usym", FN_USYM, 1, 1, ANY, false, false, GT_NONE, check_usym },
	{ "strncmp", FN_STRNCMP, 3, 3, ANY, false, false, GT_NONE, check_strncmp },
	{ "reg", FN_REG, 1, 1, PC_UREGS, false, false, GT_NONE, check_reg },
	{ "sizeof", FN_SIZEOF, 1, 1, ANY, false, false, GT_NONE, check_sizeof },
	{ "go_arg", FN_GO_ARG, 1, 1, PC_ARGS, false, true, GT_NONE, check_go_arg },
	{ "go_str", FN_GO_STR, 1, 2, PC_UREGS, false, true, GT_NONE, check_go_str },
	{ "go_ret", FN_GO_RET, 1, 1, PC_RETVAL, false, true, GT_NONE, check_go_arg },
	{ "go_ustack", FN_GO_USTACK, 0, 1, PC_GOSTATE, false, true, GT_NONE, check_go_stack },
	{ "go_ustack_lines", FN_GO_USTACK_LINES, 0, 1, PC_GOSTATE, false, true, GT_NONE,
	  check_go_stack },
	{ "len", FN_LEN, 1, 1, ANY, false, false, GT_NONE, check_len },
	{ "has_key", FN_HAS_KEY, 2, 2, ANY, false, false, GT_NONE, sema_has_key },
	{ "go_cast", FN_GO_CAST, 2, 2, PC_FUNC, false, true, GT_NONE, check_go_cast },
	{ "go_typename", FN_GO_TYPENAME, 1, 1, ANY, false, false, GT_NONE, check_go_typename },
	{ "uptr", FN_UPTR, 1, 1, ANY, false, false, GT_NONE, check_aspace },
	{ "kptr", FN_KPTR, 1, 1, ANY, false, false, GT_NONE, check_aspace },
	{ "count", FN_COUNT, 0, 0, ANY, false, false, GT_COUNT, check_agg },
	{ "sum", FN_SUM, 1, 1, ANY, false, false, GT_SUM, check_agg },
	{ "avg", FN_AVG, 1, 1, ANY, false, false, GT_AVG, check_agg },
	{ "min", FN_MIN, 1, 1, ANY, false, false, GT_MIN, check_agg },
	{ "max", FN_MAX, 1, 1, ANY, false, false, GT_MAX, check_agg },
	{ "stats", FN_STATS, 1, 1, ANY, false, false, GT_STATS, check_agg },
	{ "hist", FN_HIST, 1, 1, ANY, false, false, GT_HIST, check_agg },
	{ "lhist", FN_LHIST, 4, 4, ANY, false, false, GT_LHIST, check_lhist },
	{ "strftime", FN_STRFTIME, 2, 2, ANY, false, false, GT_NONE, sema_check_strftime },
	{ "ntop", FN_NTOP, 1, 2, ANY, false, false, GT_NONE, sema_check_ntop },
	{ "ksym", FN_KSYM, 1, 1, ANY, false, false, GT_NONE, sema_check_formatted },
	{ "macaddr", FN_MACADDR, 1, 1, ANY, false, false, GT_NONE, sema_check_formatted },
	{ "strerror", FN_STRERROR, 1, 1, ANY, false, false, GT_NONE, sema_check_formatted },
	{ "kaddr", FN_KADDR, 1, 1, ANY, false, false, GT_NONE, sema_check_kaddr },
	{ "cgroupid", FN_CGROUPID, 1, 1, ANY, false, false, GT_NONE, sema_check_cgroupid },
	{ "buf", FN_BUF, 1, 2, ANY, false, false, GT_NONE, sema_check_buf },
	{ "bswap", FN_BSWAP, 1, 1, ANY, false, false, GT_NONE, sema_check_bswap },
	{ "pton", FN_PTON, 1, 1, ANY, false, false, GT_NONE, sema_check_pton },
	{ "strcontains", FN_STRCONTAINS, 2, 2, ANY, false, false, GT_NONE,
	  sema_check_strcontains },
	{ "join", FN_JOIN, 1, 2, ANY, true, false, GT_NONE, sema_check_join },
	{ "cat", FN_CAT, 1, 64, ANY, true, false, GT_NONE, sema_check_cat },
	{ "system", FN_SYSTEM, 1, 64, ANY, true, false, GT_NONE, sema_check_cat },
	{ "uaddr", FN_UADDR, 1, 1, PC_FUNC, false, false, GT_NONE, sema_check_uaddr },
	{ "signal", FN_SIGNAL, 1, 1, PC_TASK, true, false, GT_NONE, sema_check_signal },
	{ "cgroup_path", FN_CGROUP_PATH, 1, 2, ANY, false, false, GT_NONE,
	  sema_check_cgroup_path },
	{ "debugf", FN_DEBUGF, 1, 64, ANY, true, false, GT_NONE, sema_check_debugf },
};

const struct func *func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return &funcs[i];
	return NULL;
}
