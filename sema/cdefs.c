/*
 * C types named in a program: the struct, union, enum and typedef
 * definitions at its top (and their enum constants), and the types that
 * casts, sizeof and offsetof name. sema/cvalues.c uses them.
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
	/* C's own, and the kernel's short names that tracefs formats use:
	 * known without loading the kernel's BTF */
	{ "char", 1, true }, { "signed char", 1, true }, { "unsigned char", 1, false },
	{ "short", 2, true }, { "unsigned short", 2, false }, { "int", 4, true },
	{ "unsigned int", 4, false }, { "long", 8, true }, { "unsigned long", 8, false },
	{ "long long", 8, true }, { "unsigned long long", 8, false },
	{ "u8", 1, false }, { "u16", 2, false }, { "u32", 4, false }, { "u64", 8, false },
	{ "s8", 1, true }, { "s16", 2, true }, { "s32", 4, true }, { "s64", 8, true },
	{ "__u8", 1, false }, { "__u16", 2, false }, { "__u32", 4, false },
	{ "__u64", 8, false }, { "__s8", 1, true }, { "__s16", 2, true },
	{ "__s32", 4, true }, { "__s64", 8, true },
};

/* The structs whose members are being read, innermost first. */
struct defining {
	const struct go_type *t;
	const struct defining *up;
};

/* The definition being parsed: a cursor over its text. */
struct cparse {
	struct sema *s;
	const struct loc *loc;
	const char *p;
	char tok[128];
	int err;
	const struct defining *defining;
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

/* Structs measured in one align_of() call, with their alignment (1 while
 * their fields are measured). Each is measured once, not once per path to
 * it: a struct of 10 structs of 10 structs... would be exponential in its
 * depth. A struct that holds itself, which only a hostile binary's DWARF
 * can give (members() refuses one here), is then measured once too. The
 * depth stays bounded, as before the memo: types from DWARF can nest, or
 * loop through arrays, as deep as the binary says, and the C stack
 * cannot. */
struct measured {
	struct { const struct go_type *t; uint64_t a; } *v;
	size_t n, cap;
};

static uint64_t align_rec(const struct go_type *t, struct measured *m, int depth)
{
	uint64_t a = 1;
	size_t at;

	for (; t && t->kind == GO_ARRAY && depth <= 32; depth++)
		t = t->elem;
	if (!t || depth > 32)
		return 1;
	if (t->kind != GO_STRUCT)
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].t == t)
			return m->v[i].a;
	m->v = xgrow(m->v, m->n, &m->cap, sizeof(*m->v));
	at = m->n++;
	m->v[at].t = t;
	m->v[at].a = 1;
	for (int i = 0; i < t->nfields && a < 8; i++) {	/* 8 is the most */
		uint64_t f = align_rec(t->fields[i].type, m, depth + 1);
		a = f > a ? f : a;
	}
	return m->v[at].a = a;
}

static uint64_t align_of(const struct go_type *t)
{
	struct measured m = { 0 };
	uint64_t a = align_rec(t, &m, 0);

	free(m.v);
	return a;
}

/* A C type's alignment on x86-64, for tuples holding one (types.c). */
unsigned sema_c_align(const struct go_type *t)
{
	return (unsigned)align_of(t);
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
		char *end;

		next(c);
		dims[ndims++] = strtoull(c->tok, &end, 0);
		if (*end || !isdigit((unsigned char)c->tok[0]))
			return fail(c, "array size '%s' is not an integer", c->tok), NULL;
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
	uint64_t a = align_of(ft), size = ft ? ft->size : 0;

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

/* A member of type t (or an array of t) would not fit: t is a struct only
 * declared, or one whose members are being read, which would then hold
 * itself. (Pointers to either are fine.) */
static bool incomplete(const struct cparse *c, const struct go_type *t)
{
	while (t && t->kind == GO_ARRAY)
		t = t->elem;
	if (!t || t->kind != GO_STRUCT)
		return false;
	for (const struct defining *d = c->defining; d; d = d->up)
		if (d->t == t)
			return true;
	return !t->size && !t->nfields;
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
			if (incomplete(c, ft)) {
				fail(c, "member '%s' has an incomplete type (a struct only "
				     "declared, or the one being defined)", name);
				return;
			}
			add_field(st, name, ft, bits, &off, &bitpos, is_union);
			if (!is(c, ","))
				break;
			next(c);
		}
		/* the last member's ';' is optional, as clang lets bpftrace
		 * have it (with a warning) */
		if (!is(c, "}"))
			expect(c, ";");
	}
	expect(c, "}");
	a = align_of(st);
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
			errno = 0;
			v = strtoll(c->tok, NULL, 0);
			if (errno == ERANGE)
				fail(c, "enum value '%s' is out of range", c->tok);
			v = neg ? -v : v;
			next(c);
		} else if (v == INT64_MIN) {	/* after INT64_MAX: no next value */
			fail(c, "enum value of '%s' is out of range", e->name);
		}
		e->value = v;
		v = v == INT64_MAX ? INT64_MIN : v + 1;
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
	{
		struct defining d = { st, c->defining };

		c->defining = &d;
		members(c, st, is_union);
		c->defining = d.up;
	}
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

static const struct go_type *resolve(struct sema *s, const char *text, char *name,
				     size_t namelen, char *err, size_t errlen)
{
	int stars = split_stars(text, name, namelen);
	const struct go_type *t = lookup(s, name, err, errlen);

	while (t && stars--)
		t = bin_c_pointer(t);
	return t;
}

const struct go_type *sema_ctype_find(struct sema *s, const char *text)
{
	char name[200], err[300];

	return resolve(s, text, name, sizeof(name), err, sizeof(err));
}

const struct go_type *sema_ctype(struct sema *s, const char *text, const struct loc *l)
{
	char name[200], err[300];
	const struct go_type *t = resolve(s, text, name, sizeof(name), err, sizeof(err));

	if (!t) {
		if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6))
			sema_error(s, l, "unknown %s: define it before the probes, or %s", name,
				   err);
		else
			sema_error(s, l, "unknown type '%s': %s", name, err);
		return NULL;
	}
	return t;
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

