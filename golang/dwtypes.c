/*
 * Go types from DWARF, for parameters (golang/params.c) and for binaries
 * whose DWARF knows a type that has no runtime descriptor.
 *
 * Go's DWARF names types with full import paths ("net/http.Request",
 * "*net/http.Request", "map[string]*net/http.Request") and adds its own
 * attributes: DW_AT_go_kind (0x2900, the reflect.Kind), DW_AT_go_key and
 * DW_AT_go_elem (0x2901, 0x2902) for maps, chans and slices,
 * DW_AT_go_embedded_field (0x2903), and DW_AT_go_runtime_type (0x2904):
 * the type's runtime descriptor as an offset from moduledata.types, 0 if
 * it has none. With a descriptor, the type is read from it
 * (golang/gotypes.c), so that DWARF and stripped binaries give one model;
 * without one it is built from the DIEs.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "golang/godwarf.h"
#include "golang/gopcln.h"

#define DW_AT_go_kind 0x2900
#define DW_AT_go_key 0x2901
#define DW_AT_go_elem 0x2902
#define DW_AT_go_embedded_field 0x2903
#define DW_AT_go_runtime_type 0x2904

static uint64_t udata(Dwarf_Die *d, unsigned at)
{
	Dwarf_Attribute a;
	Dwarf_Word v = 0;

	if (dwarf_attr(d, at, &a))
		dwarf_formudata(&a, &v);
	return v;
}

static bool flag(Dwarf_Die *d, unsigned at)
{
	Dwarf_Attribute a;
	bool v = false;

	return dwarf_attr(d, at, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

static bool ref(Dwarf_Die *d, unsigned at, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(d, at, &a) && dwarf_formref_die(&a, out);
}

/* "map[string]*net/http.Request" -> "map[string]*http.Request": reflect
 * names a package by its last path element. */
char *bin_go_reflect_name(const char *full)
{
	char *out = xcalloc(1, strlen(full) + 1), *o = out;
	const char *word = full;

	for (const char *p = full;; p++) {
		if (*p == '/') {
			word = p + 1;
			continue;
		}
		if (*p && !strchr("[]*(){}, ", *p))
			continue;
		memcpy(o, word, p - word);
		o += p - word;
		if (!*p)
			break;
		*o++ = *p;
		word = p + 1;
	}
	*o = 0;
	return out;
}

static enum go_kind base_kind(Dwarf_Die *d, uint64_t size)
{
	switch (udata(d, DW_AT_encoding)) {
	case DW_ATE_boolean:
		return GO_BOOL;
	case DW_ATE_signed:
		return size == 1 ? GO_INT8 : size == 2 ? GO_INT16 : size == 4 ? GO_INT32 : GO_INT64;
	case DW_ATE_unsigned:
	case DW_ATE_unsigned_char:
		return size == 1 ? GO_UINT8 : size == 2 ? GO_UINT16 : size == 4 ? GO_UINT32 : GO_UINT64;
	case DW_ATE_float:
		return size == 4 ? GO_FLOAT32 : GO_FLOAT64;
	case DW_ATE_complex_float:
		return size == 8 ? GO_COMPLEX64 : GO_COMPLEX128;
	default:
		return GO_INVALID;
	}
}

/* Types built from DIEs, by DIE offset, so that a type reached twice is
 * built once and a recursive one ends. */
struct dw_cache {
	Dwarf_Off *off;
	struct go_type **type;
	size_t n;
};

void go_dwtypes_free(struct go_pcln *g)
{
	struct dw_cache *c = g->dwtypes;

	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		bin_type_free(c->type[i]);
	free(c->off);
	free(c->type);
	free(c);
	g->dwtypes = NULL;
}

static struct go_type *dw_cached(struct bin *b, Dwarf_Off off)
{
	struct dw_cache *c = b->go->dwtypes;

	for (size_t i = 0; c && i < c->n; i++)
		if (c->off[i] == off)
			return c->type[i];
	return NULL;
}

static void dw_remember(struct bin *b, Dwarf_Off off, struct go_type *t)
{
	struct dw_cache *c = b->go->dwtypes;

	if (!c)
		c = b->go->dwtypes = xcalloc(1, sizeof(*c));
	c->off = xrealloc(c->off, (c->n + 1) * sizeof(*c->off));
	c->type = xrealloc(c->type, (c->n + 1) * sizeof(*c->type));
	c->off[c->n] = off;
	c->type[c->n++] = t;
}

static const struct go_type *from_die(struct bin *b, Dwarf_Die *d, int depth);

static void members(struct bin *b, Dwarf_Die *d, struct go_type *t, int depth)
{
	Dwarf_Die c, ft;
	int n = 0;

	if (dwarf_child(d, &c) != 0)
		return;
	do {
		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		t->fields = xrealloc(t->fields, (n + 1) * sizeof(*t->fields));
		t->fields[n] = (struct go_field){
			.name = xstrdup(dwarf_diename(&c) ? dwarf_diename(&c) : "?"),
			.offset = udata(&c, DW_AT_data_member_location),
			.type = ref(&c, DW_AT_type, &ft) ? from_die(b, &ft, depth + 1) : NULL,
			.embedded = flag(&c, DW_AT_go_embedded_field),
		};
		t->nfields = ++n;
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* A named type's import path from its DWARF name: "net/http.Request" ->
 * "net/http", "main.List[int]" -> "main"; NULL for unnamed types. */
static char *pkg_of(const char *name)
{
	size_t end = strcspn(name, "[");
	const char *dot = NULL;

	if (!name[0] || strchr("*[", name[0]) || !strncmp(name, "map[", 4) ||
	    !strncmp(name, "chan ", 5) || !strncmp(name, "func(", 5) || strchr(name, ' '))
		return NULL;
	for (size_t i = 0; i < end; i++)
		if (name[i] == '.')
			dot = name + i;
	return dot ? strndup(name, dot - name) : NULL;
}

static const struct go_type *from_die(struct bin *b, Dwarf_Die *d, int depth)
{
	uint64_t rt = udata(d, DW_AT_go_runtime_type), base = go_types_base(b);
	Dwarf_Die e;
	struct go_type *t;
	const char *name = dwarf_diename(d);
	int tag = dwarf_tag(d);

	if (rt && base) {
		const struct go_type *r = bin_go_type_at(b, base + rt);

		if (r)
			return r;
	}
	if (depth > 32)
		return NULL;
	/* an unnamed typedef or qualifier adds nothing */
	if ((tag == DW_TAG_typedef && !udata(d, DW_AT_go_kind)) || tag == DW_TAG_const_type)
		return ref(d, DW_AT_type, &e) ? from_die(b, &e, depth + 1) : NULL;
	if ((t = dw_cached(b, dwarf_dieoffset(d))))
		return t;
	t = xcalloc(1, sizeof(*t));
	dw_remember(b, dwarf_dieoffset(d), t);
	t->name = bin_go_reflect_name(name ? name : "?");
	t->pkgpath = name ? pkg_of(name) : NULL;
	t->size = udata(d, DW_AT_byte_size);
	t->kind = (enum go_kind)udata(d, DW_AT_go_kind);
	if (tag == DW_TAG_base_type && (!t->kind || t->kind > GO_COMPLEX128))
		t->kind = base_kind(d, t->size);
	else if (tag == DW_TAG_pointer_type)
		t->kind = GO_POINTER;
	if (t->kind == GO_POINTER || t->kind == GO_MAP || t->kind == GO_CHAN ||
	    t->kind == GO_UNSAFEPOINTER || t->kind == GO_FUNC)
		t->size = 8;
	if (ref(d, DW_AT_go_elem, &e) || (t->kind != GO_STRUCT && ref(d, DW_AT_type, &e)))
		t->elem = from_die(b, &e, depth + 1);
	if (ref(d, DW_AT_go_key, &e))
		t->key = from_die(b, &e, depth + 1);
	if (t->kind == GO_STRUCT)
		members(b, d, t, depth);
	if (t->kind == GO_INTERFACE)
		t->empty_iface = name && !strcmp(name, "interface {}");
	if (tag == DW_TAG_array_type && dwarf_child(d, &e) == 0) {
		t->kind = GO_ARRAY;
		t->len = udata(&e, DW_AT_count);
		if (t->elem)
			t->size = t->len * t->elem->size;
	}
	return t;
}

const struct go_type *go_dwarf_type(struct bin *b, Dwarf_Die *die)
{
	return from_die(b, die, 0);
}

/* A named type by its full Go name ("main.Pair"), through the index of
 * top-level DIEs (golang/params.c): for types that have no runtime
 * descriptor. */
const struct go_type *bin_go_dwarf_type(struct bin *b, const char *name)
{
	const struct go_type *t = NULL;
	Dwarf_Die die;

	pthread_mutex_lock(&b->lock);
	if (go_dwarf_type_die(b, name, &die))
		t = from_die(b, &die, 0);
	pthread_mutex_unlock(&b->lock);
	return t;
}
