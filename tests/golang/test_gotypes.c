/*
 * Go types from the runtime's type descriptors, and from DWARF.
 *
 * The oracle is reflect, in the program itself: `testprog types` prints
 * the size, name and fields (name, offset, type, embedded) of a few
 * struct types, one with a field of every kind. Every toolchain and
 * variant must give the same from its descriptors, stripped or not: the
 * descriptor format changed in go1.17 (name lengths as varints), go1.19
 * (field offsets no longer shifted; the embedded bit moved to the name)
 * and go1.21 (abi.Type), and moduledata moved in go1.16, 1.18, 1.20 and
 * 1.26. Full builds must give the same from DWARF, and names that do not
 * exist must give NULL and near matches.
 */
#include "binary/binary.h"
#include "tests/golang/gotest.h"

/* Compares the type the binary has for "type PKG NAME SIZE STRING" and
 * the "field ..." lines after it. */
static void check_type(const char *what, const struct go_type *t, char *desc, char **lines)
{
	char pkg[256], name[128], str[256];
	unsigned long long size;
	int i = 0;

	if (sscanf(desc, "type %255s %127s %llu %255s", pkg, name, &size, str) != 4) {
		CHECK(0, "%s: bad oracle line '%s'", what, desc);
		return;
	}
	CHECK(t, "%s: no type %s.%s", what, pkg, name);
	if (!t)
		return;
	CHECK(t->kind == GO_STRUCT && t->size == size && !strcmp(t->name, str) &&
	      t->pkgpath && !strcmp(t->pkgpath, pkg),
	      "%s: %s is kind %d size %llu name %s pkg %s; reflect: size %llu name %s pkg %s",
	      what, str, t->kind, (unsigned long long)t->size, t->name,
	      t->pkgpath ? t->pkgpath : "NULL", size, str, pkg);
	for (; lines[i] && !strncmp(lines[i], "field ", 6); i++) {
		char fname[128], ftype[256], emb[8];
		unsigned long long off;
		const struct go_field *f = i < t->nfields ? &t->fields[i] : NULL;

		/* "field NAME OFFSET TYPE EMBEDDED", where TYPE may have spaces
		 * ("interface {}", "func(int) string") */
		char *last = strrchr(lines[i], ' '), *type;

		if (!last || sscanf(lines[i], "field %127s %llu", fname, &off) != 2 ||
		    !(type = strchr(lines[i] + 6, ' ')) || !(type = strchr(type + 1, ' ')) ||
		    type >= last) {
			CHECK(0, "%s: bad oracle line '%s'", what, lines[i]);
			return;
		}
		snprintf(emb, sizeof(emb), "%s", last + 1);
		snprintf(ftype, sizeof(ftype), "%.*s", (int)(last - type - 1), type + 1);
		CHECK(f, "%s: %s has no field %d (%s)", what, str, i, fname);
		if (!f)
			continue;
		CHECK(!strcmp(f->name, fname) && f->offset == off &&
		      f->embedded == !strcmp(emb, "true") && f->type && !strcmp(f->type->name, ftype),
		      "%s: %s field %d is %s at %llu, %s, embedded %d; reflect: %s at %llu, %s, %s",
		      what, str, i, f->name, (unsigned long long)f->offset,
		      f->type ? f->type->name : "NULL", f->embedded, fname, off, ftype, emb);
	}
	CHECK(t->nfields == i, "%s: %s has %d fields, reflect %d", what, str, t->nfields, i);
}

static void check_variant(const char *ver, const char *tag, const char *flags, bool dwarf)
{
	const char *path = gt_build(ver, tag, flags);
	char err[256], what[128], *out, *lines[256];
	struct bin *b;
	int n = 0, types = 0;

	if (!path)
		return;
	snprintf(what, sizeof(what), "go %s %s", ver, tag);
	out = gt_run("%s types", path);
	CHECK(out, "%s: %s types failed", what, path);
	b = bin_open(path, err, sizeof(err));
	CHECK(b, "%s: %s", what, err);
	if (!out || !b)
		return;
	for (char *l = strtok(out, "\n"); l && n < 255; l = strtok(NULL, "\n"))
		lines[n++] = l;
	lines[n] = NULL;
	CHECK(bin_go_has_types(b), "%s: no type descriptors found", what);
	for (int i = 0; i < n; i++) {
		char pkg[256], name[128], full[400];
		const struct go_type *t;
		int count = 0;

		if (strncmp(lines[i], "type ", 5))
			continue;
		types++;
		sscanf(lines[i], "type %255s %127s", pkg, name);
		t = bin_go_named_type(b, pkg, name, &count);
		CHECK(count == 1, "%s: %d types named %s.%s", what, count, pkg, name);
		check_type(what, t, lines[i], lines + i + 1);
		if (dwarf) {
			char w[160];

			snprintf(full, sizeof(full), "%s.%s", pkg, name);
			snprintf(w, sizeof(w), "%s (DWARF)", what);
			check_type(w, bin_go_dwarf_type(b, full), lines[i], lines + i + 1);
		}
	}
	CHECK(types == 4, "%s: the oracle printed %d types", what, types);

	/* reflect's short form, and names that do not exist */
	{
		int count = 0;
		char near[256];

		CHECK(bin_go_named_type(b, NULL, "main.layout", &count) && count == 1,
		      "%s: main.layout by its reflect name: %d", what, count);
		CHECK(!bin_go_named_type(b, "main", "layuot", &count) && count == 0,
		      "%s: main.layuot found", what);
		CHECK(bin_go_type_suggest(b, "main.layuot", near, sizeof(near)) > 0 &&
		      !strncmp(near, "main.layout", 11), "%s: suggestions for main.layuot: %s",
		      what, near);
	}
	free(out);
}

int main(void)
{
	static const char *const vers[] = { "1.19", "1.15", "1.21", "1.23", "1.25", "1.26" };

	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		if (!gt_goroot(vers[i]))
			continue;
		check_variant(vers[i], "default", "", true);
		check_variant(vers[i], "stripped", "-ldflags='-s -w'", false);
		check_variant(vers[i], "pie-stripped", "-buildmode=pie -ldflags='-s -w'", false);
	}
	return gt_done("test_gotypes");
}
