/*
 * C types named in a program: the struct, union, enum and typedef
 * definitions at its top, and the types of casts and sizeof.
 *
 *   struct foo { int a; char b[8]; struct bar *p; };
 *   union u { int i; unsigned char b[4]; };
 *   enum e { A, B = 4 };
 *   typedef struct foo foo_t;
 *
 * Each definition is one CDEF token (the lexer reads it whole); this file
 * parses it into binary.h's struct go_type (is_c), laid out as a C
 * compiler for x86-64 lays it out: each member at its alignment, unions
 * at 0, the size rounded to the largest alignment. A type not defined in
 * the program is looked up in the kernel's BTF, which also gives the
 * types inside a definition (`struct list_head l;`).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

struct ctype_entry {
	const char *name;		/* "struct foo", "foo_t", or an enum's
					   constant "FOO" */
	const struct go_type *type;	/* NULL for an enum constant */
	int64_t value;			/* an enum constant's */
	struct ctype_entry *next;
};

/* bpftrace's integer names and C's fixed-width ones. */
static const struct { const char *name; unsigned size; bool is_signed; } fixed[] = {
	{ "int8", 1, true }, { "int16", 2, true }, { "int32", 4, true }, { "int64", 8, true },
	{ "uint8", 1, false }, { "uint16", 2, false }, { "uint32", 4, false },
	{ "uint64", 8, false }, { "int8_t", 1, true }, { "int16_t", 2, true },
	{ "int32_t", 4, true }, { "int64_t", 8, true }, { "uint8_t", 1, false },
	{ "uint16_t", 2, false }, { "uint32_t", 4, false }, { "uint64_t", 8, false },
	{ "size_t", 8, false }, { "ssize_t", 8, true }, { "uintptr_t", 8, false },
};

/* The definition being parsed: a cursor over its text. */
struct cparse {
	struct sema *s;
	const struct loc *loc;
	const char *p;
	char tok[128];
	int err;
};

static void next(struct cparse *c)
{
	size_t n = 0;

	while (isspace((unsigned char)*c->p))
		c->p++;
	if (isalnum((unsigned char)*c->p) || *c->p == '_') {
		while ((isalnum((unsigned char)*c->p) || *c->p == '_') && n + 1 < sizeof(c->tok))
			c->tok[n++] = *c->p++;
	} else if (*c->p) {
		c->tok[n++] = *c->p++;
	}
	c->tok[n] = 0;
}

static bool is(struct cparse *c, const char *t)
{
	return !strcmp(c->tok, t);
}

static int fail(struct cparse *c, const char *fmt, const char *arg)
{
	char msg[300];

	if (!c->err) {
		snprintf(msg, sizeof(msg), fmt, arg);
		diag_error(c->loc, "in this C definition: %s", msg);
	}
	c->err = -EINVAL;
	return -EINVAL;
}

static int expect(struct cparse *c, const char *t)
{
	if (!is(c, t))
		return fail(c, "expected '%s'", t);
	next(c);
	return 0;
}

static const struct go_type *find(struct sema *s, const char *name)
{
	for (struct ctype_entry *e = s->ctypes; e; e = e->next)
		if (e->type && !strcmp(e->name, name))
			return e->type;
	return NULL;
}

static void add(struct sema *s, const char *name, const struct go_type *t)
{
	struct ctype_entry *e = xcalloc(1, sizeof(*e));

	e->name = xstrdup(name);
	e->type = t;
	e->next = s->ctypes;
	s->ctypes = e;
}

/* A type named `name`: the program's, a fixed-width integer, in a uprobe
 * on a C binary with DWARF that binary's, or the kernel's; NULL (and err)
 * if none. */
static const struct go_type *lookup(struct sema *s, const char *name, char *err, size_t len)
{
	const struct go_type *t = find(s, name);
	struct bin *b = s->pp && s->pp->type->user_mem ? s->pp->ap.bin : NULL;

	if (t)
		return t;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		if (!strcmp(fixed[i].name, name))
			return bin_c_int(name, fixed[i].size, fixed[i].is_signed);
	if (b && !bin_is_go(b) && bin_has_dwarf(b) && (t = bin_c_dwarf_type(b, name)))
		return t;
	return bin_kernel_type(name, err, len);
}

static uint64_t align_of(const struct go_type *t, int depth)
{
	uint64_t a = 1;

	if (!t || depth > 32)
		return 1;
	if (t->kind == GO_ARRAY)
		return align_of(t->elem, depth + 1);
	if (t->kind != GO_STRUCT)
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	for (int i = 0; i < t->nfields; i++) {
		uint64_t f = align_of(t->fields[i].type, depth + 1);
		a = f > a ? f : a;
	}
	return a;
}

static const struct go_type *type_spec(struct cparse *c);

/* "unsigned long", "char", "short int"... : C's base types, by words. */
static const struct go_type *base(struct cparse *c)
{
	int longs = 0, sign = 0, chars = 0, shorts = 0, ints = 0, other = 0;
	char name[64] = "";

	for (;;) {
		if (is(c, "long")) longs++;
		else if (is(c, "unsigned")) sign = -1;
		else if (is(c, "signed")) sign = 1;
		else if (is(c, "char")) chars++;
		else if (is(c, "short")) shorts++;
		else if (is(c, "int")) ints++;
		else if (is(c, "_Bool") || is(c, "bool") || is(c, "void") || is(c, "float") ||
			 is(c, "double")) other = c->tok[0];
		else break;
		if (strlen(name) + strlen(c->tok) + 2 < sizeof(name))
			strcat(strcat(name, *name ? " " : ""), c->tok);
		next(c);
	}
	if (other == 'v')
		return NULL;
	if (other == 'f' || other == 'd')
		return bin_c_int(name, other == 'f' ? 4 : 8, true), /* never read */
		       fail(c, "'%s': floating point members are not supported", name), NULL;
	if (other)
		return bin_c_int("_Bool", 1, false);
	return bin_c_int(name, chars ? 1 : shorts ? 2 : longs ? 8 : 4,
			 sign >= 0 && !(chars && sign == 0 && 0));
}

/* "*"* name ("[" N "]")* (":" bits)?, or "(" "*" name ")" "(" ... ")" for
 * a function pointer: the member's type and name. */
static const struct go_type *declarator(struct cparse *c, const struct go_type *t,
					char *name, size_t len, int *bits)
{
	uint64_t dims[8];
	int ndims = 0;

	*bits = 0;
	while (is(c, "*")) {
		t = bin_c_pointer(t);
		next(c);
	}
	if (is(c, "(")) {
		int depth = 0;

		next(c);
		expect(c, "*");
		snprintf(name, len, "%s", c->tok);
		next(c);
		expect(c, ")");
		/* skip the parameter list */
		if (is(c, "(")) {
			do {
				depth += is(c, "(") - is(c, ")");
				next(c);
			} while (!c->err && c->tok[0] && depth > 0);
		}
		return bin_c_pointer(NULL);
	}
	if (!isalpha((unsigned char)c->tok[0]) && c->tok[0] != '_')
		return fail(c, "expected a member name, not '%s'", c->tok), NULL;
	snprintf(name, len, "%s", c->tok);
	next(c);
	while (is(c, "[") && ndims < 8) {
		next(c);
		dims[ndims++] = strtoull(c->tok, NULL, 0);
		next(c);
		expect(c, "]");
	}
	while (ndims > 0)
		t = bin_c_array(t ? t : bin_c_int("char", 1, true), dims[--ndims]);
	if (is(c, ":")) {
		next(c);
		*bits = atoi(c->tok);
		next(c);
	}
	return t;
}

static void add_field(struct go_type *st, const char *name, const struct go_type *ft,
		      int bits, uint64_t *off, unsigned *bitpos, bool is_union)
{
	struct go_field *f;
	uint64_t a = align_of(ft, 0), size = ft ? ft->size : 0;

	st->fields = xrealloc(st->fields, (st->nfields + 1) * sizeof(*st->fields));
	f = &st->fields[st->nfields++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->embedded = !*name;
	if (is_union) {
		f->offset = 0;
		*off = size > *off ? size : *off;
	} else if (bits) {
		/* the bit-field's unit: a new one when it would straddle */
		uint64_t unit = size * 8, at = *off * 8 + *bitpos;

		if (unit && at / unit != (at + bits - 1) / unit)
			at = (at + unit - 1) / unit * unit;
		f->offset = at / 8;
		*off = (at + bits) / 8;
		*bitpos = (at + bits) % 8;
	} else {
		if (*bitpos) {
			(*off)++;
			*bitpos = 0;
		}
		*off = (*off + a - 1) / a * a;
		f->offset = *off;
		*off += size;
	}
	if (bits) {
		struct go_type *bf = xcalloc(1, sizeof(*bf));

		bf->kind = GO_INVALID;
		bf->name = xstrdup(ft ? ft->name : "int");
		bf->is_c = true;
		bf->bitfield = bits;
		ft = bf;
	}
	f->type = ft;
}

/* "{" members "}" of a struct or union, whose go_type st is filled. */
static void members(struct cparse *c, struct go_type *st, bool is_union)
{
	uint64_t off = 0, a;
	unsigned bitpos = 0;

	expect(c, "{");
	while (!c->err && !is(c, "}") && c->tok[0]) {
		const struct go_type *t = type_spec(c);

		if (is(c, ";")) {	/* an anonymous struct or union member */
			add_field(st, "", t, 0, &off, &bitpos, is_union);
			next(c);
			continue;
		}
		for (;;) {
			char name[128];
			int bits;
			const struct go_type *ft = declarator(c, t, name, sizeof(name), &bits);

			if (c->err)
				return;
			if (ft && ft->kind == GO_STRUCT && !ft->size && !ft->nfields) {
				fail(c, "member '%s' has an incomplete type (a struct only "
				     "declared, or the one being defined)", name);
				return;
			}
			add_field(st, name, ft, bits, &off, &bitpos, is_union);
			if (!is(c, ","))
				break;
			next(c);
		}
		expect(c, ";");
	}
	expect(c, "}");
	a = align_of(st, 0);
	st->size = (off + (bitpos ? 1 : 0) + a - 1) / a * a;
}

/* "{" NAME ("=" INT)? ("," ...)* "}": each constant, for the program. */
static void enumerators(struct cparse *c)
{
	int64_t v = 0;

	next(c);
	while (!c->err && c->tok[0] && !is(c, "}")) {
		struct ctype_entry *e = xcalloc(1, sizeof(*e));
		bool neg;

		e->name = xstrdup(c->tok);
		next(c);
		if (is(c, "=")) {
			next(c);
			if ((neg = is(c, "-")))
				next(c);
			if (!isdigit((unsigned char)c->tok[0]))
				fail(c, "enum value '%s': only integers are supported", c->tok);
			v = strtoll(c->tok, NULL, 0) * (neg ? -1 : 1);
			next(c);
		}
		e->value = v++;
		e->next = c->s->ctypes;
		c->s->ctypes = e;
		if (is(c, ","))
			next(c);
	}
	expect(c, "}");
}

/* struct/union NAME? ({ members })?, enum NAME? ({ ... })? */
static const struct go_type *tagged(struct cparse *c)
{
	bool is_union = is(c, "union"), is_enum = is(c, "enum");
	char name[200];
	const struct go_type *t;
	struct go_type *st;

	snprintf(name, sizeof(name), "%s", c->tok);
	next(c);
	if (isalpha((unsigned char)c->tok[0]) || c->tok[0] == '_') {
		snprintf(name + strlen(name), sizeof(name) - strlen(name), " %s", c->tok);
		next(c);
	} else {
		strcat(name, " (anonymous)");
	}
	if (is_enum) {
		if (is(c, "{"))
			enumerators(c);
		return bin_c_int(name, 4, false);
	}
	if (!is(c, "{")) {
		char err[300];

		if ((t = lookup(c->s, name, err, sizeof(err))))
			return t;
		/* a declaration only ("struct foo;", "struct foo *p;"):
		 * opaque, with no fields, until defined */
		st = xcalloc(1, sizeof(*st));
		st->kind = GO_STRUCT;
		st->name = xstrdup(name);
		st->is_c = true;
		add(c->s, name, st);
		return st;
	}
	st = xcalloc(1, sizeof(*st));
	st->kind = GO_STRUCT;
	st->name = xstrdup(name);
	st->is_c = true;
	if (!strstr(name, "(anonymous)"))
		add(c->s, name, st);	/* before its members, which may point at it */
	members(c, st, is_union);
	return st;
}

/* A type: qualifiers, then a tagged type, base words or a type name. */
static const struct go_type *type_spec(struct cparse *c)
{
	char err[300];
	const struct go_type *t;

	while (is(c, "const") || is(c, "volatile") || is(c, "static"))
		next(c);
	if (is(c, "struct") || is(c, "union") || is(c, "enum"))
		t = tagged(c);
	else if (is(c, "long") || is(c, "unsigned") || is(c, "signed") || is(c, "char") ||
		 is(c, "short") || is(c, "int") || is(c, "_Bool") || is(c, "bool") ||
		 is(c, "void") || is(c, "float") || is(c, "double"))
		return base(c);
	else if (!(t = lookup(c->s, c->tok, err, sizeof(err))))
		return fail(c, "unknown type '%s'", c->tok), NULL;
	else
		next(c);
	while (is(c, "const") || is(c, "volatile"))
		next(c);
	return t;
}

static int definition(struct sema *s, const struct cdef *d)
{
	struct cparse c = { .s = s, .loc = &d->loc, .p = d->text };
	const struct go_type *t;

	next(&c);
	if (is(&c, "typedef")) {
		char name[128];
		int bits;

		next(&c);
		t = type_spec(&c);
		t = declarator(&c, t, name, sizeof(name), &bits);
		if (!c.err)
			add(s, name, t ? t : bin_c_pointer(NULL)->elem);
	} else {
		type_spec(&c);
	}
	if (!c.err && !is(&c, ";"))
		fail(&c, "expected ';' after the definition, not '%s'", c.tok);
	return c.err;
}

int sema_cdefs(struct sema *s, const struct cdef *defs)
{
	int rc = 0;

	for (const struct cdef *d = defs; d; d = d->next)
		rc |= definition(s, d);
	return rc ? -EINVAL : 0;
}

/* The type of a cast or sizeof, as the parser wrote it ("struct foo *",
 * "uint32 *", "int8"): NULL after an error at l. */
/* "struct foo **", "const char *": the type before the stars (qualifiers
 * dropped) into name, and the number of stars. */
static int split_stars(const char *text, char *name, size_t len)
{
	const char *star = strchr(text, '*');
	size_t n = star ? (size_t)(star - text) : strlen(text);
	int stars = 0;

	while (!strncmp(text, "const ", 6) || !strncmp(text, "volatile ", 9)) {
		n -= (size_t)(strchr(text, ' ') + 1 - text);
		text = strchr(text, ' ') + 1;
	}
	while (n && text[n - 1] == ' ')
		n--;
	snprintf(name, len, "%.*s", (int)n, text);
	for (; star && *star; star++)
		stars += *star == '*';
	return stars;
}

const struct go_type *sema_ctype(struct sema *s, const char *text, const struct loc *l)
{
	char name[200], err[300];
	const struct go_type *t;
	int stars = split_stars(text, name, sizeof(name));

	if (!(t = lookup(s, name, err, sizeof(err)))) {
		if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6))
			sema_error(s, l, "unknown %s: define it before the probes, or %s", name,
				   err);
		else
			sema_error(s, l, "unknown type '%s': %s", name, err);
		return NULL;
	}
	while (stars--)
		t = bin_c_pointer(t);
	return t;
}

/* Member name of struct t, also inside anonymous members, with its
 * offset from the start of t. */
static const struct go_field *c_find_field(const struct go_type *t, const char *name,
					   uint64_t *off, int depth)
{
	for (int i = 0; i < t->nfields && depth < 8; i++) {
		const struct go_field *f = &t->fields[i], *in;
		uint64_t sub;

		if (!strcmp(f->name, name)) {
			*off = f->offset;
			return f;
		}
		if (f->embedded && f->type && f->type->kind == GO_STRUCT &&
		    (in = c_find_field(f->type, name, &sub, depth + 1))) {
			*off = f->offset + sub;
			return in;
		}
	}
	return NULL;
}

/* Where a raw address in this probe's arguments points (probes.h). */
static enum gt_aspace probe_aspace(const struct sema *s)
{
	const struct probe_type *pt = s->pp->type;

	return pt->user_mem ? GT_AS_USER : pt->kernel_mem ? GT_AS_KERNEL : GT_AS_ANY;
}

/* (struct foo *)x, (uint32 *)x: x, an integer, as a C pointer, which
 * points where x did if x was a pointer already, else where the probe's
 * addresses point. A C integer type is a plain cast. */
int sema_c_cast(struct sema *s, struct node *n)
{
	const struct go_type *t;

	if (sema_expr(s, n->lhs) || sema_int_arg(s, n->lhs, "a cast's operand"))
		return -EINVAL;
	if (!(t = sema_ctype(s, n->str, &n->loc)))
		return -EINVAL;
	if (t->kind == GO_STRUCT || t->kind == GO_ARRAY)
		return sema_error(s, &n->loc, "Cannot cast to \"%s\"", n->str);
	n->type = sema_go_int_type(t);
	n->type.aspace = n->lhs->type.gotype && n->lhs->type.gotype->kind == GO_POINTER ?
			 n->lhs->type.aspace : probe_aspace(s);
	return 0;
}

/* sizeof(TYPE) */
int sema_c_sizeof(struct sema *s, struct node *n)
{
	const struct go_type *t = sema_ctype(s, n->str, &n->loc);

	if (!t)
		return -EINVAL;
	n->kind = N_INT;
	n->ival = (int64_t)t->size;
	n->type = gt_int(false);
	return 0;
}

/* curtask: a struct task_struct * in kernel memory, from BTF. */
int sema_c_curtask(struct sema *s, struct node *n)
{
	char err[300];
	const struct go_type *t = bin_kernel_type("struct task_struct", err, sizeof(err));

	if (!t)
		return sema_error(s, &n->loc, "curtask: %s", err);
	n->type = sema_go_int_type(bin_c_pointer(t));
	n->type.aspace = GT_AS_KERNEL;
	return 0;
}

/* A tracepoint field that is a pointer ("const struct timespec * rqtp"),
 * typed from BTF so that args->rqtp->tv_sec reads through it: it points
 * to user memory in the syscalls tracepoints (their arguments), kernel
 * memory elsewhere. A type BTF does not know leaves the field a plain
 * integer. */
int sema_c_tp_field(struct sema *s, struct node *n, const char *decl)
{
	const char *star = strrchr(decl, '*');
	char text[200], name[200], err[300];
	const struct go_type *t;
	int stars;

	if (!star)
		return 0;
	snprintf(text, sizeof(text), "%.*s", (int)(star - decl) + 1, decl);
	stars = split_stars(text, name, sizeof(name));
	if (!(t = lookup(s, name, err, sizeof(err))))
		return 0;
	while (stars--)
		t = bin_c_pointer(t);
	n->type = sema_go_int_type(t);
	n->type.aspace = !strcmp(s->pp->ap.tp_category, "syscalls") ? GT_AS_USER : GT_AS_KERNEL;
	return 0;
}

/* An identifier that is no builtin: an enum constant of the program's
 * enums or the kernel's (as bpftrace 0.17 finds them in BTF), which n
 * becomes. -ENOENT (nothing reported) if there is none. */
int sema_c_enum_const(struct sema *s, struct node *n)
{
	int64_t v;
	struct ctype_entry *e;

	for (e = s->ctypes; e && (e->type || strcmp(e->name, n->str)); e = e->next)
		;
	if (e)
		v = e->value;
	else if (bin_kernel_enum_value(n->str, &v))
		return -ENOENT;
	n->kind = N_INT;
	n->ival = v;
	n->type = gt_int(true);
	return 0;
}

/* args->name in a uprobe on a C function: the parameter, from DWARF, in
 * its argument register (n->ival), at its type's width; a pointer keeps
 * its C type, so args->p->field reads on. */
int sema_c_arg_field(struct sema *s, struct node *n)
{
	struct plan_prog *pp = s->pp;
	const struct bin_param *ps;
	char err[512];
	int count;

	if (pp->ap.go)
		return sema_error(s, &n->loc, "args has no fields in a Go function: use "
				  "go_arg(\"%s\")", n->str);
	if (pp->ap.nfuncs != 1 || !pp->ap.bin)
		return sema_error(s, &n->loc, "args names the parameters of one function, and "
				  "this probe is on %d", pp->ap.nfuncs);
	if (pp->type->caps & PC_RETVAL)
		return sema_error(s, &n->loc, "args is not valid in uretprobes: the arguments "
				  "are gone at the return");
	count = bin_c_params(pp->ap.bin, pp->ap.sites[0].func, &ps, err, sizeof(err));
	if (count < 0)
		return sema_error(s, &n->loc, "%s", err);
	for (int i = 0; i < count; i++) {
		if (strcmp(ps[i].name, n->str))
			continue;
		if (ps[i].word < 0 || !ps[i].gotype || !sema_go_is_int(ps[i].gotype))
			return sema_error(s, &n->loc, "parameter '%s' (%s) is not in an integer "
					  "register: gotrace cannot read it", n->str, ps[i].type);
		n->ival = ps[i].word;
		n->type = sema_go_int_type(ps[i].gotype);
		n->type.aspace = GT_AS_USER;
		return 0;
	}
	return sema_error(s, &n->loc, "function %s has no parameter '%s'",
			  pp->ap.sites[0].func, n->str);
}

/* p + i, p - i on a C pointer move by i elements, as in C and bpftrace:
 * i becomes i * sizeof(*p) (once: ival marks it done, for sema's second
 * pass), and the result is a pointer of p's type. */
int sema_c_pointer_arith(struct sema *s, struct node *n)
{
	const struct go_type *elem = n->lhs->type.gotype->elem;
	struct node *scale;

	if (n->rhs->type.gotype && n->rhs->type.gotype->kind == GO_POINTER) {
		n->type = gt_int(true);	/* p - q: a plain difference */
		return 0;
	}
	if (!n->ival && elem && elem->size > 1) {
		scale = node_new(N_INT, &n->rhs->loc);
		scale->ival = (int64_t)elem->size;
		scale->type = gt_int(true);
		n->rhs = node_binop(N_MUL, n->rhs, scale, &n->rhs->loc);
		n->rhs->type = gt_int(true);
	}
	n->ival = 1;
	n->type = n->lhs->type;
	return 0;
}

/* A C pointer in a map prints as bpftrace 0.17 prints it: a signed
 * integer as a value, hex as a key. */
void sema_c_map_type(struct gt_type *t, bool key)
{
	if (t->kind != GT_INT || !t->gotype || !t->gotype->is_c ||
	    (t->gotype->kind != GO_POINTER && t->gotype->kind != GO_UNSAFEPOINTER))
		return;
	if (key)
		t->hex = true;
	else
		t->is_signed = true;
}

/* offsetof(struct s, a.b), as newer bpftrace has it (0.17 does not): the
 * bytes from the start of s to member a.b, through nested structs and
 * anonymous members, a constant. */
int sema_c_offsetof(struct sema *s, struct node *n)
{
	const struct go_type *t = sema_ctype(s, n->str, &n->loc);
	char *path, *save = NULL;
	uint64_t off = 0;

	if (!t)
		return -EINVAL;
	path = xstrdup(n->args->str);
	for (char *m = strtok_r(path, ".", &save); m; m = strtok_r(NULL, ".", &save)) {
		const struct go_field *f = NULL;
		uint64_t at = 0;

		if (t && t->kind == GO_STRUCT)
			f = c_find_field(t, m, &at, 0);
		if (!f) {
			sema_error(s, &n->args->loc, "%s has no member '%s'",
				   t ? t->name : "this type", m);
			free(path);
			return -EINVAL;
		}
		off += at;
		t = f->type;
	}
	free(path);
	n->kind = N_INT;
	n->ival = (int64_t)off;
	n->args = NULL;
	n->type = gt_int(false);
	return 0;
}
