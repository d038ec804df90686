/*
 * C types as struct go_type, and the kernel's from BTF.
 *
 * The Go-value machinery (sema/govalues.c, codegen/govalues.c) reads
 * memory through struct go_type: kinds, sizes, element types, fields at
 * offsets. A C type fits the same shape: an integer is GO_INT8..GO_UINT64
 * by size and sign, a pointer GO_POINTER (void * and function pointers
 * GO_UNSAFEPOINTER), an array GO_ARRAY, a struct or union GO_STRUCT (a
 * union's fields all at offset 0, an anonymous member embedded, so that
 * its fields are found through it), an enum an integer. is_c asks for C's
 * rules where they differ from Go's (no implicit dereference; char arrays
 * are strings).
 *
 * The kernel's types come from /sys/kernel/btf/vmlinux through libbpf,
 * loaded on the first lookup (a program that names no kernel type never
 * pays for it), and converted by BTF id once each: a struct that points
 * at itself gets its own go_type back from the cache.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "binary/binary.h"
#include "common/alloc.h"

static const enum go_kind int_kinds[2][4] = {
	{ GO_UINT8, GO_UINT16, GO_UINT32, GO_UINT64 },
	{ GO_INT8, GO_INT16, GO_INT32, GO_INT64 },
};

static struct go_type *new_type(enum go_kind kind, const char *name, uint64_t size)
{
	struct go_type *t = xcalloc(1, sizeof(*t));

	t->kind = kind;
	t->name = xstrdup(name);
	t->size = size;
	t->is_c = true;
	return t;
}

const struct go_type *bin_c_int(const char *name, unsigned size, bool is_signed)
{
	int i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;

	if (!strcmp(name, "_Bool") || !strcmp(name, "bool"))
		return new_type(GO_BOOL, name, 1);
	return new_type(int_kinds[is_signed][i], name, size);
}

const struct go_type *bin_c_pointer(const struct go_type *elem)
{
	char name[256];
	struct go_type *p;

	snprintf(name, sizeof(name), "%s%s*", elem ? elem->name : "void",
		 elem && strchr(elem->name, '*') ? "" : " ");
	if (!elem || elem->kind == GO_FUNC || elem->kind == GO_INVALID)
		return new_type(GO_UNSAFEPOINTER, name, 8);
	p = new_type(GO_POINTER, name, 8);
	p->elem = elem;
	return p;
}

const struct go_type *bin_c_array(const struct go_type *elem, uint64_t len)
{
	char name[256];
	struct go_type *a;

	snprintf(name, sizeof(name), "%s[%llu]", elem->name, (unsigned long long)len);
	a = new_type(GO_ARRAY, name, elem->size * len);
	a->elem = elem;
	a->len = len;
	return a;
}

bool bin_c_is_chars(const struct go_type *t)
{
	const char *n;

	if (!t || !t->is_c || t->kind != GO_ARRAY || !t->elem || t->elem->size != 1)
		return false;
	n = t->elem->name;
	if (!strncmp(n, "const ", 6))
		n += 6;
	return !strcmp(n, "char");
}

/* The kernel's BTF and the types converted from it, by id. */
static struct btf *vmlinux;
static const struct go_type **by_id;
static int load_err;

static int load(char *err, size_t errlen)
{
	if (vmlinux)
		return 0;
	if (!load_err) {
		vmlinux = btf__load_vmlinux_btf();
		load_err = vmlinux ? 0 : -errno ? -errno : -ENOENT;
		if (vmlinux)
			by_id = xcalloc(btf__type_cnt(vmlinux), sizeof(*by_id));
	}
	if (load_err && err)
		snprintf(err, errlen, "cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
			 strerror(-load_err));
	return load_err;
}

static const struct go_type *convert(__u32 id);

static const char *btf_name(const struct btf_type *t)
{
	return btf__name_by_offset(vmlinux, t->name_off);
}

static const struct go_type *composite(__u32 id, const struct btf_type *bt)
{
	const struct btf_member *m = btf_members(bt);
	char name[256];
	struct go_type *t;
	int n = btf_vlen(bt);

	snprintf(name, sizeof(name), "%s %s", btf_is_union(bt) ? "union" : "struct",
		 *btf_name(bt) ? btf_name(bt) : "(anonymous)");
	t = new_type(GO_STRUCT, name, bt->size);
	by_id[id] = t;		/* before the fields: they may point back here */
	t->fields = xcalloc(n ? n : 1, sizeof(*t->fields));
	t->nfields = n;
	for (int i = 0; i < n; i++) {
		struct go_field *f = &t->fields[i];
		const struct go_type *ft = convert(m[i].type);
		__u32 bits = btf_member_bitfield_size(bt, i);

		f->name = xstrdup(btf__name_by_offset(vmlinux, m[i].name_off));
		f->offset = btf_member_bit_offset(bt, i) / 8;
		f->embedded = !*f->name;
		if (bits) {
			struct go_type *bf = new_type(GO_INVALID, ft ? ft->name : "int", 0);

			bf->bitfield = (int)bits;
			ft = bf;
		}
		f->type = ft;
	}
	return t;
}

static const struct go_type *convert_new(__u32 id, const struct btf_type *bt)
{
	const struct go_type *t;
	char name[256];

	switch (btf_kind(bt)) {
	case BTF_KIND_INT:
		return bin_c_int(btf_name(bt), bt->size, btf_int_encoding(bt) & BTF_INT_SIGNED);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(name, sizeof(name), "enum %s", btf_name(bt));
		return bin_c_int(name, bt->size, btf_kflag(bt));
	case BTF_KIND_PTR:
		return bin_c_pointer(convert(bt->type));
	case BTF_KIND_ARRAY:
		t = convert(btf_array(bt)->type);
		return t ? bin_c_array(t, btf_array(bt)->nelems) : NULL;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return composite(id, bt);
	case BTF_KIND_FWD:
		snprintf(name, sizeof(name), "%s %s", btf_kflag(bt) ? "union" : "struct",
			 btf_name(bt));
		return new_type(GO_STRUCT, name, 0);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return convert(bt->type);
	case BTF_KIND_FUNC_PROTO:
		return new_type(GO_FUNC, "function", 0);
	case BTF_KIND_FLOAT:
		return new_type(bt->size == 4 ? GO_FLOAT32 : GO_FLOAT64, btf_name(bt), bt->size);
	default:
		return NULL;	/* void, and kinds no value has */
	}
}

static const struct go_type *convert(__u32 id)
{
	const struct btf_type *bt;

	if (id == 0 || id >= btf__type_cnt(vmlinux))
		return NULL;
	if (by_id[id])
		return by_id[id];
	bt = btf__type_by_id(vmlinux, id);
	by_id[id] = convert_new(id, bt);
	return by_id[id];
}

const struct go_type *bin_kernel_type(const char *name, char *err, size_t errlen)
{
	static const struct { const char *prefix; int kind; } kinds[] = {
		{ "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION },
		{ "enum ", BTF_KIND_ENUM },
	};
	int kind = -1;
	__s32 id = -ENOENT;

	if (load(err, errlen))
		return NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (!strncmp(name, kinds[i].prefix, n)) {
			kind = kinds[i].kind;
			id = btf__find_by_name_kind(vmlinux, name + n, kind);
			if (id < 0 && kind == BTF_KIND_ENUM)
				id = btf__find_by_name_kind(vmlinux, name + n, BTF_KIND_ENUM64);
		}
	}
	if (kind < 0) {
		id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
		if (id < 0)
			id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_INT);
	}
	if (id < 0) {
		if (err)
			snprintf(err, errlen, "the kernel's BTF has no type '%s'", name);
		return NULL;
	}
	return convert((__u32)id);
}

int bin_kernel_enum_value(const char *name, int64_t *value)
{
	__u32 n;

	if (load(NULL, 0))
		return -ENOENT;
	n = btf__type_cnt(vmlinux);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(vmlinux, id);

		for (int i = 0; btf_is_enum(t) && i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(vmlinux, btf_enum(t)[i].name_off), name)) {
				*value = btf_kflag(t) ? (int64_t)btf_enum(t)[i].val
						 : (int64_t)(__u32)btf_enum(t)[i].val;
				return 0;
			}
		for (int i = 0; btf_is_enum64(t) && i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(vmlinux, btf_enum64(t)[i].name_off), name)) {
				*value = (int64_t)btf_enum64_value(&btf_enum64(t)[i]);
				return 0;
			}
	}
	return -ENOENT;
}
