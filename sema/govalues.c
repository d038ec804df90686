/*
 * Go values in expressions: fields, pointers, elements, lengths, casts to
 * Go types, and type names, typed from the binary's DWARF or its runtime
 * type descriptors (binary.h's struct go_type).
 *
 * A Go value that is not an integer (a string, slice, array, struct or
 * interface) is a GT_GO "place": where it is (an address in the traced
 * process, or argument registers) and its Go type, not its bytes. An
 * access chain is rewritten into nodes that each do one thing, so codegen
 * only emits them:
 *
 *   go_arg("r").URL.Path   ->  GOSTR(FIELD 56 (GOREAD(FIELD 16 (go_arg r))))
 *
 * FIELD, SUBSCRIPT and DEREF compute the address of what they name;
 * GOREAD reads a Go integer, bool or pointer from an address, with its
 * width and sign; GOSTR reads a Go string's bytes, up to the string
 * bound. A place used as a value becomes its bytes if it is a string, and
 * is an error otherwise (read a field of it, index it, take its len()).
 * The rewritten nodes are checked again in sema's second pass, so each
 * case accepts its own output.
 *
 * C types (is_c: the program's definitions, the kernel's BTF) take the
 * same path, with C's rules where they differ: `->` follows one pointer
 * and `.` none, [] also indexes a pointer, a char array reads as a
 * string, and a place carries where its memory is (gt_type's aspace).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

/* Bytes a Go string is read up to: BPFTRACE_STRLEN, or 64. */
static unsigned strbound(const struct sema *s)
{
	return s->opts->strlen ? s->opts->strlen : GT_STR_DEFAULT;
}

bool sema_go_is_int(const struct go_type *t)
{
	return t && ((t->kind >= GO_BOOL && t->kind <= GO_UINTPTR) || t->kind == GO_POINTER ||
		     t->kind == GO_UNSAFEPOINTER || t->kind == GO_MAP || t->kind == GO_CHAN ||
		     t->kind == GO_FUNC);
}

static bool is_signed(const struct go_type *t)
{
	return t->kind >= GO_INT && t->kind <= GO_INT64;
}

/* The GT_INT a Go integer, bool or pointer reads as. */
struct gt_type sema_go_int_type(const struct go_type *t)
{
	struct gt_type r = gt_int(is_signed(t));

	r.gotype = t;
	if (t->size == 1 || t->size == 2 || t->size == 4)
		r.size = (unsigned)t->size;	/* its width, as bpftrace keeps it */
	/* a C pointer compares unsigned, prints as a signed integer in a
	 * map value and in hex in a map key, as in bpftrace (sema_c_map_type) */
	r.hex = !t->is_c && (t->kind == GO_POINTER || t->kind == GO_UNSAFEPOINTER || t->kind == GO_MAP ||
		t->kind == GO_CHAN || t->kind == GO_FUNC);
	return r;
}

/* A Go value at an address (or in registers) not read yet. */
struct gt_type sema_go_place_type(const struct go_type *t, int regs)
{
	return (struct gt_type){ .kind = GT_GO, .size = 8, .gotype = t, .go_regs = regs };
}

/* A C struct or array read whole (GT_RECORD). */
static struct gt_type record_type(const struct go_type *t, enum gt_aspace as)
{
	return (struct gt_type){ .kind = GT_RECORD, .size = gt_align8((unsigned)t->size),
				 .gotype = t, .aspace = as };
}

/* Turn n into `kind` with the old n as its only child. */
static void wrap(struct node *n, enum node_kind kind)
{
	struct node *c = node_new(n->kind, &n->loc);
	struct node *next = n->next;

	*c = *n;
	c->next = NULL;
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->loc = c->loc;
	n->lhs = c;
	n->next = next;
	n->async_id = -1;
}

/* n names a Go value at an address, or (regs > 0) in the registers from
 * word regs-1 on: read it if it is an integer (unless n is already the
 * child of its GOREAD, from the first pass). */
static int place_at(struct sema *s, struct node *n, const struct go_type *t, int regs)
{
	int ints = 0, floats = 0;
	enum gt_aspace as = n->lhs ? n->lhs->type.aspace : GT_AS_USER;

	if (!t)
		return sema_error(s, &n->loc, "the Go type of this value is unknown");
	if (t->bitfield)
		return sema_error(s, &n->loc, "a bit-field (%s : %d) cannot be read",
				  t->name, t->bitfield);
	if (t->is_c && (t->kind == GO_FLOAT32 || t->kind == GO_FLOAT64))
		return sema_error(s, &n->loc, "a %s cannot be read: floating point is not "
				  "supported", t->name);
	if (regs && bin_go_regs(t, &ints, &floats) && floats && !ints)
		return sema_error(s, &n->loc, "a %s is passed in an X register, which a uprobe "
				  "cannot read", t->name);
	n->type = sema_go_place_type(t, regs);
	n->type.aspace = as;
	if (!sema_go_is_int(t) || s->read_child == n)
		return 0;
	wrap(n, N_GOREAD);
	n->type = sema_go_int_type(t);
	n->type.aspace = as;
	return 0;
}

int sema_go_read(struct sema *s, struct node *n)
{
	struct node *saved = s->read_child;
	int rc;

	s->read_child = n->lhs;
	rc = sema_place(s, n->lhs);
	s->read_child = saved;
	if (rc)
		return -EINVAL;
	if (n->type.kind == GT_RECORD) {
		n->type = record_type(n->lhs->type.gotype, n->lhs->type.aspace);
		return 0;
	}
	n->type = sema_go_int_type(n->lhs->type.gotype);
	n->type.aspace = n->lhs->type.aspace;
	return 0;
}

/* What a Go pointer value points at, as a place: DEREF(p). */
static struct node *deref(struct node *p, const struct go_type *elem)
{
	struct node *d = node_new(N_DEREF, &p->loc);

	d->lhs = p;
	d->type = sema_go_place_type(elem, 0);
	return d;
}

/* Follow pointers from n (any number, as Go's selectors do) to the value
 * they point at; n itself if it is no pointer. */
static struct node *through_pointers(struct node *n)
{
	for (int i = 0; i < 16; i++) {
		const struct go_type *t = n->type.gotype;
		struct node *r;

		if (n->type.kind != GT_INT || !t || t->kind != GO_POINTER || !t->elem || t->is_c)
			return n;
		n = deref(n, t->elem);
		if (!sema_go_is_int(t->elem))
			return n;
		r = node_new(N_GOREAD, &n->loc);
		r->lhs = n;
		r->type = sema_go_int_type(t->elem);
		n = r;
	}
	return n;
}

/* "Method, URL, Proto, ...", and the nearest field, if near enough, for
 * an unknown field. */
static void list_fields(const struct go_type *t, const char *want, char *out, size_t len,
			const char **near)
{
	int best = (int)strlen(want) / 3 + 1;
	size_t o = 0;

	*near = NULL;
	for (int i = 0; i < t->nfields && o + 8 < len; i++) {
		const char *f = t->fields[i].name;
		int d = strcasecmp(f, want) ? diag_distance(f, want) : 0;

		o += snprintf(out + o, len - o, "%s%s", i ? ", " : "", f);
		if (d <= best) {
			best = d - 1;
			*near = f;
		}
	}
}

/* Field `name` of struct t, also through embedded structs (value ones:
 * their offset adds up), with its offset and, for a struct passed in
 * registers, the integer registers the fields before it take. */
static const struct go_field *find_field(const struct go_type *t, const char *name,
					 uint64_t *off, int *regs, int depth)
{
	int ints = 0, floats = 0;

	for (int i = 0; i < t->nfields; i++) {
		if (!strcmp(t->fields[i].name, name)) {
			*off = t->fields[i].offset;
			*regs = ints;
			return &t->fields[i];
		}
		bin_go_regs(t->fields[i].type, &ints, &floats);
	}
	ints = floats = 0;
	for (int i = 0; i < t->nfields && depth < 8; i++) {
		const struct go_field *f;
		const struct go_type *ft = t->fields[i].type;
		uint64_t sub;
		int subregs;

		if (t->fields[i].embedded && ft && ft->kind == GO_STRUCT &&
		    (f = find_field(ft, name, &sub, &subregs, depth + 1))) {
			*off = t->fields[i].offset + sub;
			*regs = ints + subregs;
			return f;
		}
		bin_go_regs(ft, &ints, &floats);
	}
	return NULL;
}

/* C's x->name is (*x).name: n->lhs becomes the DEREF; x.name needs a
 * struct. As bpftrace 0.17 says it. */
static int c_member(struct sema *s, struct node *n)
{
	const struct go_type *t = n->lhs->type.gotype;
	bool ptr = n->lhs->type.kind == GT_INT && t->kind == GO_POINTER;
	struct node *d;

	if (n->arrow && !ptr)
		return sema_error(s, &n->loc, "Can not dereference struct/union of type '%s'. "
				  "It is not a pointer.", t->name);
	if (!n->arrow && ptr)
		return sema_error(s, &n->loc, "Can not access field '%s' on type '%s'. Try "
				  "dereferencing it first, or using '->'", n->str, t->name);
	if (!n->arrow)
		return 0;
	if (!t->elem || t->elem->kind != GO_STRUCT)
		return sema_error(s, &n->loc, "'%s' does not point to a struct or union", t->name);
	d = deref(n->lhs, t->elem);
	d->type.aspace = n->lhs->type.aspace;
	n->lhs = d;
	n->arrow = false;	/* the second pass sees the DEREF */
	return 0;
}

/* r.name on a record already read (a variable, a map value): the field's
 * bytes at offset ival in r's buffer, an integer, a string or a record. */
static int record_field(struct sema *s, struct node *n)
{
	const struct go_type *t = n->lhs->type.gotype, *ft;
	const struct go_field *f;
	uint64_t off;
	int regs;

	if (n->arrow)
		return sema_error(s, &n->loc, "Can not dereference struct/union of type '%s'. "
				  "It is not a pointer.", t->name);
	if (t->kind != GO_STRUCT)
		return sema_error(s, &n->loc, "a %s has no field '%s'", t->name, n->str);
	if (!(f = find_field(t, n->str, &off, &regs, 0)))
		return sema_error(s, &n->loc, "Struct/union of type '%s' does not contain a "
				  "field named '%s'", t->name, n->str);
	ft = f->type;
	n->ival = (int64_t)off;
	if (!ft || ft->bitfield || ft->kind == GO_FLOAT32 || ft->kind == GO_FLOAT64 ||
	    off + ft->size > t->size)
		return sema_error(s, &n->loc, "field '%s' (%s) cannot be read", n->str,
				  ft ? ft->name : "unknown type");
	if (bin_c_is_chars(ft)) {
		n->type = gt_str(gt_align8((unsigned)ft->len));
		n->type.gotype = ft;
	} else if (ft->kind == GO_STRUCT || ft->kind == GO_ARRAY) {
		n->type = record_type(ft, n->lhs->type.aspace);
	} else {
		n->type = sema_go_int_type(ft);
		n->type.aspace = n->lhs->type.aspace;
	}
	return 0;
}

/* x.name, x->name: n->lhs is checked as a place. A field of a struct in
 * registers is in registers too, past those of the fields before it. */
int sema_go_field(struct sema *s, struct node *n)
{
	const struct go_field *f;
	const struct go_type *t;
	struct node *base;
	uint64_t off;
	int regs;

	if (sema_place(s, n->lhs))
		return -EINVAL;
	if (n->lhs->type.kind == GT_RECORD)
		return record_field(s, n);
	if (n->lhs->type.gotype && n->lhs->type.gotype->is_c && c_member(s, n))
		return -EINVAL;
	base = n->lhs = through_pointers(n->lhs);
	t = base->type.gotype;
	if (!t || (base->type.kind != GT_GO && base->type.kind != GT_INT) || t->kind != GO_STRUCT)
		return sema_error(s, &n->loc, "%s has no field '%s': it is a %s",
				  t ? t->name : "this value", n->str, gt_name(&base->type));
	if (!(f = find_field(t, n->str, &off, &regs, 0))) {
		char list[512];
		const char *near;

		if (t->is_c)
			return sema_error(s, &n->loc, "Struct/union of type '%s' does not "
					  "contain a field named '%s'", t->name, n->str);
		list_fields(t, n->str, list, sizeof(list), &near);
		return sema_error(s, &n->loc, "%s has no field '%s'%s%s%s; its fields are: %s",
				  t->name, n->str, near ? " (did you mean '" : "",
				  near ? near : "", near ? "'?)" : "", list);
	}
	n->ival = (int64_t)off;
	if (!base->type.go_regs)
		return place_at(s, n, f->type, 0);
	return place_at(s, n, f->type, base->type.go_regs + regs);
}

/* *p */
int sema_go_deref(struct sema *s, struct node *n)
{
	const struct go_type *t;

	if (sema_place(s, n->lhs))
		return -EINVAL;
	t = n->lhs->type.gotype;
	if (n->lhs->type.kind == GT_INT && t && t->is_c && t->kind == GO_UNSAFEPOINTER)
		return sema_error(s, &n->loc, "Can not dereference a %s: cast it to a pointer "
				  "to a type first", t->name);
	if (n->lhs->type.kind != GT_INT || !t || t->kind != GO_POINTER)
		return sema_error(s, &n->loc, "* reads what a %s pointer points at, and this "
				  "is a %s", t && t->is_c ? "C" : "Go", gt_name(&n->lhs->type));
	return place_at(s, n, t->elem, 0);
}

static const struct go_type go_byte = { .kind = GO_UINT8, .name = "uint8", .size = 1 };

/* x[i] on a Go string, slice or array (or a pointer to an array). */
int sema_go_subscript(struct sema *s, struct node *n)
{
	const struct go_type *t, *elem;

	if (sema_place(s, n->lhs) || sema_expr(s, n->rhs) || sema_int_arg(s, n->rhs, "an index"))
		return -EINVAL;
	if (n->lhs->type.kind == GT_INT && n->lhs->type.gotype &&
	    n->lhs->type.gotype->kind == GO_POINTER && n->lhs->type.gotype->elem &&
	    n->lhs->type.gotype->elem->kind == GO_ARRAY)
		n->lhs = through_pointers(n->lhs);
	t = n->lhs->type.gotype;
	if (t && t->is_c && n->lhs->type.kind == GT_INT && t->kind == GO_POINTER && t->elem) {
		/* p[i]: the element i along, unchecked, as in C */
		n->ival = (int64_t)t->elem->size;
		return place_at(s, n, t->elem, 0);
	}
	if (n->lhs->type.kind == GT_RECORD && t && t->is_c && t->kind == GO_ARRAY)
		return sema_record_subscript(s, n);
	if (t && t->is_c && t->kind == GO_ARRAY && t->len && n->rhs->kind == N_INT &&
	    (uint64_t)n->rhs->ival >= t->len)	/* bpftrace's message */
		return sema_error(s, &n->loc, "the index %lld is out of bounds for array of "
				  "size %llu", (long long)n->rhs->ival, (unsigned long long)t->len);
	if (bin_c_is_chars(t))
		return sema_error(s, &n->loc, "The array index operator [] can only be used on "
				  "arrays and pointers, found string.");
	if (n->lhs->type.kind != GT_GO || !t ||
	    (t->kind != GO_STRING && t->kind != GO_SLICE && t->kind != GO_ARRAY))
		return sema_error(s, &n->loc, "[] indexes a Go string, slice or array, not a %s",
				  gt_name(&n->lhs->type));
	if (t->kind == GO_ARRAY && n->lhs->type.go_regs)
		return sema_error(s, &n->loc, "an array in registers cannot be indexed");
	elem = t->kind == GO_STRING ? &go_byte : t->elem;
	if (!elem || (!elem->size && elem->kind != GO_STRUCT))
		return sema_error(s, &n->loc, "the elements of %s have no known size", t->name);
	n->ival = (int64_t)elem->size;
	return place_at(s, n, elem, 0);
}

/* A place used as a value: a Go string becomes its bytes (GOSTR, up to
 * the string bound); other places have no value to give. */
int sema_go_value(struct sema *s, struct node *n)
{
	const struct go_type *t = n->type.gotype;

	if (n->type.kind != GT_GO)
		return 0;
	if (bin_c_is_chars(t)) {
		/* a C char array: its bytes, read whole */
		enum gt_aspace as = n->type.aspace;

		wrap(n, N_GOSTR);
		n->type = gt_str(gt_align8((unsigned)t->len));
		n->type.depth = (int)t->len;
		n->type.aspace = as;
		return 0;
	}
	if (t && t->is_c && (t->kind == GO_STRUCT || t->kind == GO_ARRAY)) {
		/* a C struct or array used whole: its bytes, a record */
		enum gt_aspace as = n->type.aspace;

		if (!t->size)
			return sema_error(s, &n->loc, "a %s has no known size", t->name);
		wrap(n, N_GOREAD);
		n->type = record_type(t, as);
		return 0;
	}
	if (t && t->is_c)
		return sema_error(s, &n->loc, "a %s is not a value gotrace can use here: "
				  "read its fields or elements", t->name);
	if (t && t->kind == GO_STRING) {
		wrap(n, N_GOSTR);
		n->type = gt_str(gt_align8(strbound(s) + 1));
		n->type.depth = (int)strbound(s); /* the bound, for codegen */
		return 0;
	}
	return sema_error(s, &n->loc, "a %s is not a value to use here: read a field of it, "
			  "index it, take its len() or go_typename()", gt_name(&n->type));
}

int sema_go_string(struct sema *s, struct node *n)
{
	const struct go_type *t;

	if (sema_place(s, n->lhs))
		return -EINVAL;
	t = n->lhs->type.gotype;
	if (bin_c_is_chars(t)) {
		n->type = gt_str(gt_align8((unsigned)t->len));
		n->type.depth = (int)t->len;
		n->type.aspace = n->lhs->type.aspace;
		return 0;
	}
	n->type = gt_str(gt_align8(strbound(s) + 1));
	n->type.depth = (int)strbound(s);
	return 0;
}

/* len(x): a Go string, slice, array, map or chan. */
int sema_go_len(struct sema *s, struct node *n)
{
	struct node *a = n->args;
	const struct go_type *t;

	if (sema_place(s, a))
		return -EINVAL;
	t = a->type.gotype;
	if (!t || !(t->kind == GO_STRING || t->kind == GO_SLICE || t->kind == GO_ARRAY ||
		    t->kind == GO_MAP || t->kind == GO_CHAN))
		return sema_error(s, &a->loc, "len() takes a Go string, slice, array, map or "
				  "chan, not a %s", gt_name(&a->type));
	n->type = gt_int(true);
	return 0;
}

/* The runtime's type descriptor (runtime._type, internal/abi.Type), or a
 * kind's descriptor that starts with one (runtime.maptype, abi.MapType). */
static bool is_descriptor(const struct go_type *t)
{
	for (int i = 0; t && i < 2; i++) {
		if (!strcmp(t->name, "runtime._type") || !strcmp(t->name, "abi.Type"))
			return true;
		if (t->kind != GO_STRUCT || t->nfields < 1 || t->fields[0].offset != 0)
			return false;
		t = t->fields[0].type;
	}
	return false;
}

/* go_typename(x): an interface's dynamic type, or the type a runtime
 * type descriptor at an address describes, named at run time (GT_GOTYPE);
 * any other Go value's static type, a constant. */
int sema_go_typename(struct sema *s, struct node *n)
{
	struct node *a = n->args;
	const struct go_type *t;

	if (sema_place(s, a))
		return -EINVAL;
	t = a->type.gotype;
	if ((a->type.kind == GT_GO && t && t->kind == GO_INTERFACE) ||
	    (a->type.kind == GT_INT && (!t || (t->kind == GO_POINTER && is_descriptor(t->elem))))) {
		n->type = (struct gt_type){ .kind = GT_GOTYPE, .size = 16 };
		return 0;
	}
	if (!t)
		return sema_error(s, &a->loc, "go_typename() takes a Go value or the address "
				  "of a runtime type descriptor, not a %s", gt_name(&a->type));
	/* a static type: its name, known now */
	n->kind = N_STR;
	n->str = xstrdup(t->name);
	n->args = NULL;
	n->type = gt_str(gt_align8(strlen(n->str) + 1));
	return 0;
}

/* Go's predeclared types, which need no descriptor from the binary. */
static const struct go_type predeclared[] = {
	{ .kind = GO_BOOL, .name = "bool", .size = 1 },
	{ .kind = GO_INT, .name = "int", .size = 8 },
	{ .kind = GO_INT8, .name = "int8", .size = 1 },
	{ .kind = GO_INT16, .name = "int16", .size = 2 },
	{ .kind = GO_INT32, .name = "int32", .size = 4 },
	{ .kind = GO_INT32, .name = "rune", .size = 4 },
	{ .kind = GO_INT64, .name = "int64", .size = 8 },
	{ .kind = GO_UINT, .name = "uint", .size = 8 },
	{ .kind = GO_UINT8, .name = "uint8", .size = 1 },
	{ .kind = GO_UINT8, .name = "byte", .size = 1 },
	{ .kind = GO_UINT16, .name = "uint16", .size = 2 },
	{ .kind = GO_UINT32, .name = "uint32", .size = 4 },
	{ .kind = GO_UINT64, .name = "uint64", .size = 8 },
	{ .kind = GO_UINTPTR, .name = "uintptr", .size = 8 },
	{ .kind = GO_STRING, .name = "string", .size = 16 },
	{ .kind = GO_UNSAFEPOINTER, .name = "unsafe.Pointer", .size = 8 },
	{ .kind = GO_INTERFACE, .name = "interface {}", .size = 16, .empty_iface = true },
	{ .kind = GO_INTERFACE, .name = "error", .size = 16 },
};

static const struct go_type *pointer_to(const struct go_type *elem)
{
	struct go_type *p = xcalloc(1, sizeof(*p));

	p->kind = GO_POINTER;
	p->size = 8;
	p->elem = elem;
	if (asprintf(&p->name, "*%s", elem->name) < 0)
		p->name = xstrdup("*?");
	return p;
}

/* A named or composite type of binary b, written as Go writes it, with
 * full import paths ("net/http.Request", "map[string]net/http.Header") or
 * reflect's short form where unambiguous ("http.Request"). */
static const struct go_type *named(struct sema *s, const struct loc *l, struct bin *b,
				   const char *text)
{
	const char *dot = strrchr(text, '.'), *slash = strrchr(text, '/');
	const struct go_type *t = NULL;
	char *rname = bin_go_reflect_name(text), near[400];
	int count = 0;

	if (!strchr("[m(cfis", text[0]) || !strchr(text, '[')) {
		if (dot && (!slash || dot > slash)) {
			char *pkg = strndup(text, dot - text);

			t = bin_go_named_type(b, pkg, dot + 1, &count);
			free(pkg);
		}
	}
	if (!t)
		t = bin_go_named_type(b, NULL, rname, &count);
	free(rname);
	if (t && count > 1)
		return sema_error(s, l, "Go type '%s' is ambiguous in %s (%d types print so): "
				  "write it with its import path, as in \"net/http.Request\"",
				  text, bin_path(b), count), NULL;
	if (t)
		return t;
	/* no descriptor: DWARF may still know it, by its full name */
	if (bin_has_dwarf(b) && (t = bin_go_dwarf_type(b, text)))
		return t;
	if (!bin_go_has_types(b))
		return sema_error(s, l, "%s: no runtime type descriptors found, so no Go type "
				  "'%s'", bin_path(b), text), NULL;
	bin_go_type_suggest(b, text, near, sizeof(near));
	return sema_error(s, l, "unknown Go type '%s' in %s%s%s%s%s", text, bin_path(b),
			  near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "",
			  bin_has_dwarf(b) ? "" : "; a binary without DWARF keeps runtime type "
			  "descriptors only for the types it converts to interfaces or reflects "
			  "on, and the types inside those: build it without -ldflags='-s -w' to "
			  "read any type from DWARF"), NULL;
}

static const struct go_type *resolve_type(struct sema *s, const struct loc *l, struct bin *b,
					  const char *text)
{
	const struct go_type *t = NULL;
	int stars = 0;

	while (text[stars] == '*')
		stars++;
	text += stars;
	for (size_t i = 0; i < sizeof(predeclared) / sizeof(*predeclared) && !t; i++)
		if (!strcmp(predeclared[i].name, text))
			t = &predeclared[i];
	if (!t && !(t = named(s, l, b, text)))
		return NULL;
	while (stars--)
		t = pointer_to(t);
	return t;
}

/* go_cast(x, "T"): x (an integer: an address, or a value) viewed as T.
 * A pointer or integer T is x itself, with T's width and sign; any other
 * T is a T at address x. */
int sema_go_cast(struct sema *s, struct node *n, struct node *x, const char *text)
{
	struct bin *b = s->pp->ap.bin;
	const struct go_type *t;

	if (sema_expr(s, x) || sema_int_arg(s, x, "go_cast()'s value"))
		return -EINVAL;
	if (!b || !(t = resolve_type(s, &n->args->next->loc, b, text)))
		return -EINVAL;
	if (sema_go_is_int(t))
		n->type = sema_go_int_type(t);
	else if (t->kind == GO_FLOAT32 || t->kind == GO_FLOAT64 || t->kind == GO_COMPLEX64 ||
		 t->kind == GO_COMPLEX128)
		return sema_error(s, &n->loc, "go_cast(): a %s cannot be read", t->name);
	else
		n->type = sema_go_place_type(t, 0);
	return 0;
}
