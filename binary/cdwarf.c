/*
 * A C function's parameters from DWARF (libdw), with their types as
 * struct go_type (is_c, binary/ctypes.c), for `args->name` in uprobes and
 * for `-lv`.
 *
 * The System V x86-64 ABI passes the first six integer or pointer
 * arguments in RDI, RSI, RDX, RCX, R8, R9: arg0..arg5. A parameter's word
 * is its position among them; a float, or a struct passed by value,
 * takes other registers or the stack, so it and the parameters after it
 * have word -1 (unknown). The type names are written as bpftrace 0.17
 * writes them in -lv: "const char*", "struct gnode*", "long int".
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"
#include "binary/binary.h"
#include "common/alloc.h"

#define C_INT_REGS 6

/* The DWARF of one binary, and what has been read from it. */
struct c_dwarf {
	Dwarf *dw;
	struct { Dwarf_Off off; const struct go_type *t; } *types;
	size_t ntypes;
	struct { char *func; struct bin_param *p; int n; } *done;
	size_t ndone;
};

static bool type_of(Dwarf_Die *d, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(d, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

static uint64_t udata(Dwarf_Die *d, unsigned at)
{
	Dwarf_Attribute a;
	Dwarf_Word w = 0;

	if (dwarf_attr(d, at, &a))
		dwarf_formudata(&a, &w);
	return w;
}

/* A type's name as bpftrace prints it: "const char*", "struct gnode*". */
static void type_name(Dwarf_Die *d, char *out, size_t len, int depth)
{
	Dwarf_Die t;
	const char *name = dwarf_diename(d);
	char inner[256] = "void";

	if (depth > 16) {
		snprintf(out, len, "?");
		return;
	}
	switch (dwarf_tag(d)) {
	case DW_TAG_pointer_type:
		if (type_of(d, &t))
			type_name(&t, inner, sizeof(inner), depth + 1);
		snprintf(out, len, "%s*", inner);
		return;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		if (type_of(d, &t))
			type_name(&t, inner, sizeof(inner), depth + 1);
		snprintf(out, len, "%s %s", dwarf_tag(d) == DW_TAG_const_type ? "const" :
			 "volatile", inner);
		return;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		snprintf(out, len, "%s %s", dwarf_tag(d) == DW_TAG_structure_type ? "struct" :
			 dwarf_tag(d) == DW_TAG_union_type ? "union" : "enum",
			 name ? name : "(anonymous)");
		return;
	case DW_TAG_array_type:
		if (type_of(d, &t))
			type_name(&t, inner, sizeof(inner), depth + 1);
		snprintf(out, len, "%s[]", inner);
		return;
	default:
		snprintf(out, len, "%s", name ? name : "?");
	}
}

static const struct go_type *convert(struct c_dwarf *cd, Dwarf_Die *d, int depth);

static const struct go_type *cached(struct c_dwarf *cd, Dwarf_Off off)
{
	for (size_t i = 0; i < cd->ntypes; i++)
		if (cd->types[i].off == off)
			return cd->types[i].t;
	return NULL;
}

static void remember(struct c_dwarf *cd, Dwarf_Off off, const struct go_type *t)
{
	cd->types = xrealloc(cd->types, (cd->ntypes + 1) * sizeof(*cd->types));
	cd->types[cd->ntypes].off = off;
	cd->types[cd->ntypes++].t = t;
}

static const struct go_type *composite(struct c_dwarf *cd, Dwarf_Die *d, int depth)
{
	struct go_type *t = xcalloc(1, sizeof(*t));
	char name[256];
	Dwarf_Die m;

	type_name(d, name, sizeof(name), 0);
	t->kind = GO_STRUCT;
	t->name = xstrdup(name);
	t->size = udata(d, DW_AT_byte_size);
	t->is_c = true;
	remember(cd, dwarf_dieoffset(d), t);	/* before members that point back */
	if (dwarf_child(d, &m) != 0)
		return t;
	do {
		struct go_field *f;
		Dwarf_Die ft;
		const char *fname = dwarf_diename(&m);

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		t->fields = xrealloc(t->fields, (t->nfields + 1) * sizeof(*t->fields));
		f = &t->fields[t->nfields++];
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(fname ? fname : "");
		f->embedded = !fname;
		f->offset = udata(&m, DW_AT_data_member_location);
		f->type = type_of(&m, &ft) ? convert(cd, &ft, depth + 1) : NULL;
		if (udata(&m, DW_AT_bit_size)) {
			struct go_type *bf = xcalloc(1, sizeof(*bf));

			bf->kind = GO_INVALID;
			bf->name = xstrdup(f->type ? f->type->name : "int");
			bf->is_c = true;
			bf->bitfield = (int)udata(&m, DW_AT_bit_size);
			f->type = bf;
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return t;
}

static const struct go_type *convert_new(struct c_dwarf *cd, Dwarf_Die *d, int depth)
{
	Dwarf_Die t, sub;
	const struct go_type *e;
	uint64_t enc;
	char name[256];

	switch (dwarf_tag(d)) {
	case DW_TAG_base_type:
		enc = udata(d, DW_AT_encoding);
		type_name(d, name, sizeof(name), 0);
		if (enc == DW_ATE_float)
			return NULL;
		return bin_c_int(enc == DW_ATE_boolean ? "_Bool" : name,
				 (unsigned)udata(d, DW_AT_byte_size),
				 enc == DW_ATE_signed || enc == DW_ATE_signed_char);
	case DW_TAG_enumeration_type:
		type_name(d, name, sizeof(name), 0);
		return bin_c_int(name, (unsigned)udata(d, DW_AT_byte_size), false);
	case DW_TAG_pointer_type:
		return bin_c_pointer(type_of(d, &t) ? convert(cd, &t, depth + 1) : NULL);
	case DW_TAG_array_type:
		if (!type_of(d, &t) || !(e = convert(cd, &t, depth + 1)))
			return NULL;
		if (dwarf_child(d, &sub) == 0 && dwarf_tag(&sub) == DW_TAG_subrange_type) {
			uint64_t n = udata(&sub, DW_AT_count);

			if (!n && dwarf_hasattr(&sub, DW_AT_upper_bound))
				n = udata(&sub, DW_AT_upper_bound) + 1;
			return bin_c_array(e, n);
		}
		return bin_c_array(e, 0);
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		return composite(cd, d, depth);
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		return type_of(d, &t) ? convert(cd, &t, depth + 1) : NULL;
	case DW_TAG_subroutine_type:
		return NULL;	/* a function: a pointer to it is a void * */
	default:
		return NULL;
	}
}

static const struct go_type *convert(struct c_dwarf *cd, Dwarf_Die *d, int depth)
{
	const struct go_type *t = cached(cd, dwarf_dieoffset(d));

	if (t || depth > 64)
		return t;
	/* A pointer whose struct points back to it is converted twice, the
	 * inner copy remembered first: the outer is remembered too, after
	 * it, so that cd owns it (bin_cdwarf_free()). */
	t = convert_new(cd, d, depth);
	remember(cd, dwarf_dieoffset(d), t);
	return t;
}

/* The first definition (not a declaration) at the top level of a CU for
 * which match() says yes: the one walk over the CUs that finding a
 * function and finding a type share. */
static bool find_top_die(Dwarf *dw, bool (*match)(Dwarf_Die *d, const char *want),
			 const char *want, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				if (!dwarf_hasattr(&d, DW_AT_declaration) && match(&d, want)) {
					*out = d;
					return true;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return false;
}

/* The subprogram named want. */
static bool is_func(Dwarf_Die *d, const char *want)
{
	const char *name = dwarf_diename(d);

	return dwarf_tag(d) == DW_TAG_subprogram && name && !strcmp(name, want);
}

static int read_params(struct c_dwarf *cd, Dwarf_Die *fn, struct bin_param **out)
{
	struct bin_param *p = NULL;
	Dwarf_Die c, t;
	int n = 0, word = 0;

	if (dwarf_child(fn, &c) != 0)
		return 0;
	do {
		struct bin_param *bp;
		char tname[256] = "?";
		const char *name = dwarf_diename(&c);

		if (dwarf_tag(&c) != DW_TAG_formal_parameter)
			continue;
		p = xrealloc(p, (n + 1) * sizeof(*p));
		bp = &p[n++];
		memset(bp, 0, sizeof(*bp));
		bp->name = xstrdup(name ? name : "");
		bp->word = bp->words = -1;
		if (!type_of(&c, &t)) {
			bp->type = xstrdup(tname);
			word = -1;
			continue;
		}
		type_name(&t, tname, sizeof(tname), 0);
		bp->type = xstrdup(tname);
		bp->gotype = convert(cd, &t, 0);
		bp->size = bp->gotype ? bp->gotype->size : 0;
		/* an integer or pointer class value takes the next register */
		if (word >= 0 && word < C_INT_REGS && bp->gotype &&
		    bp->gotype->kind != GO_STRUCT && bp->gotype->kind != GO_ARRAY &&
		    bp->gotype->size <= 8) {
			bp->word = word++;
			bp->words = 1;
		} else {
			bp->on_stack = true;
			word = -1;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	*out = p;
	return n;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const struct go_type *const *)a;
	uintptr_t y = (uintptr_t)*(const struct go_type *const *)b;

	return x < y ? -1 : x > y;
}

/* Every type converted is in cd->types, a typedef's under its own offset
 * and its target's too: each is freed once. A bit-field's type belongs to
 * its member alone (composite()): those go first, while every member's
 * type can still be looked at. */
void bin_cdwarf_free(struct bin *b)
{
	struct c_dwarf *cd = b->cdw;
	struct go_type **v;
	size_t n = 0;

	if (!cd)
		return;
	v = xcalloc(cd->ntypes ? cd->ntypes : 1, sizeof(*v));
	for (size_t i = 0; i < cd->ntypes; i++)
		if (cd->types[i].t)
			v[n++] = (struct go_type *)cd->types[i].t;
	qsort(v, n, sizeof(*v), by_address);
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; (!i || v[i] != v[i - 1]) && k < v[i]->nfields; k++) {
			struct go_field *f = &v[i]->fields[k];

			if (f->type && f->type->bitfield) {
				bin_type_free((struct go_type *)f->type);
				f->type = NULL;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			bin_type_free(v[i]);
	free(v);
	free(cd->types);
	for (size_t i = 0; i < cd->ndone; i++) {
		free(cd->done[i].func);
		bin_params_free(cd->done[i].p, cd->done[i].n);
	}
	free(cd->done);
	if (cd->dw)
		dwarf_end(cd->dw);
	free(cd);
	b->cdw = NULL;
}

/* The binary's DWARF, opened on first use; NULL if none. With b->lock. */
static struct c_dwarf *open_dwarf(struct bin *b)
{
	if (!b->has_dwarf)
		return NULL;
	if (!b->cdw) {
		b->cdw = xcalloc(1, sizeof(*b->cdw));
		b->cdw->dw = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	}
	return b->cdw->dw ? b->cdw : NULL;
}

/* A type by the name type_name() gives it: "struct gnode", "myint_t". */
static bool is_type(Dwarf_Die *d, const char *want)
{
	int tag = dwarf_tag(d);
	char name[256];

	if ((tag != DW_TAG_structure_type && tag != DW_TAG_union_type &&
	     tag != DW_TAG_enumeration_type && tag != DW_TAG_typedef &&
	     tag != DW_TAG_base_type) || !dwarf_diename(d))
		return false;
	type_name(d, name, sizeof(name), 0);
	return !strcmp(name, want);
}

const struct go_type *bin_c_dwarf_type(struct bin *b, const char *name)
{
	const struct go_type *t = NULL;
	struct c_dwarf *cd;
	Dwarf_Die d;

	pthread_mutex_lock(&b->lock);
	if ((cd = open_dwarf(b)) && find_top_die(cd->dw, is_type, name, &d))
		t = convert(cd, &d, 0);
	pthread_mutex_unlock(&b->lock);
	return t;
}

int bin_c_params(struct bin *b, const char *func, const struct bin_param **out,
		 char *err, size_t errlen)
{
	struct c_dwarf *cd;
	Dwarf_Die fn;
	struct bin_param *p = NULL;
	int n = -ENOENT;

	*out = NULL;
	if (!b->has_dwarf) {
		snprintf(err, errlen, "%s has no DWARF: its functions' arguments have no "
			 "names (use arg0, arg1, ...)", bin_path(b));
		return -ENOENT;
	}
	pthread_mutex_lock(&b->lock);	/* libdw may decompress sections of b->elf */
	if (!(cd = open_dwarf(b))) {
		pthread_mutex_unlock(&b->lock);
		snprintf(err, errlen, "%s: its DWARF cannot be read", bin_path(b));
		return -ENOENT;
	}
	for (size_t i = 0; i < cd->ndone; i++)
		if (!strcmp(cd->done[i].func, func)) {
			*out = cd->done[i].p;
			pthread_mutex_unlock(&b->lock);
			return cd->done[i].n;
		}
	if (find_top_die(cd->dw, is_func, func, &fn)) {
		n = read_params(cd, &fn, &p);
		cd->done = xrealloc(cd->done, (cd->ndone + 1) * sizeof(*cd->done));
		cd->done[cd->ndone].func = xstrdup(func);
		cd->done[cd->ndone].p = p;
		cd->done[cd->ndone++].n = n;
		*out = p;
	}
	pthread_mutex_unlock(&b->lock);
	if (n < 0)
		snprintf(err, errlen, "%s: no DWARF for function %s", bin_path(b), func);
	return n;
}
