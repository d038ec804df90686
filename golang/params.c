/*
 * A Go function's parameters from DWARF (libdw): names, types, sizes, and
 * which are results. Go describes each function as a DW_TAG_subprogram
 * whose DW_AT_name is the full Go name ("main.add",
 * "encoding/json.(*decodeState).object"), with one DW_TAG_formal_parameter
 * child per parameter and result (DW_AT_variable_parameter set on
 * results), in declaration order.
 *
 * With it, go_arg("name") finds the register words of a parameter: Go's
 * register ABI hands integer words out in order (a string takes 2, a
 * slice 3, an interface 2), so a parameter's first word is the sum of the
 * words of the parameters before it. Floats go to the X registers and
 * take no integer word (and a uprobe cannot read them); structs are split
 * field by field, which we do not follow: words is -1 for them.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"
#include "binary/binary.h"

/* Follow typedefs and qualifiers to the type that says what it is. */
static bool resolve(Dwarf_Die *type)
{
	Dwarf_Attribute a;

	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(type);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type)
			return true;
		if (!dwarf_attr(type, DW_AT_type, &a) || !dwarf_formref_die(&a, type))
			return false;
	}
	return false;
}

/* How many integer words a value of this type takes in Go's register
 * ABI (floats take none: they go to the X registers), or -1 when it is
 * not made of integer words alone. */
static int int_words(Dwarf_Die *type, Dwarf_Word size, const char *name,
		     bool *is_float)
{
	Dwarf_Attribute a;
	Dwarf_Word enc;

	switch (dwarf_tag(type)) {
	case DW_TAG_base_type:
		if (dwarf_attr(type, DW_AT_encoding, &a) && dwarf_formudata(&a, &enc) == 0 &&
		    (enc == DW_ATE_float || enc == DW_ATE_complex_float)) {
			*is_float = true;
			return 0;
		}
		return size <= 8 ? 1 : -1;
	case DW_TAG_pointer_type:
	case DW_TAG_subroutine_type:
		return 1;
	case DW_TAG_structure_type:
		/* Go's own two- and three-word headers. */
		if (name && (strcmp(name, "string") == 0 || strncmp(name, "[]", 2) == 0 ||
			     strncmp(name, "interface {", 11) == 0 ||
			     strcmp(name, "runtime.eface") == 0 ||
			     strcmp(name, "runtime.iface") == 0))
			return (int)(size / 8);
		return -1;
	default:
		return size == 8 ? 1 : -1;
	}
}

static void add_param(Dwarf_Die *p, struct bin_param **out, int *n)
{
	Dwarf_Attribute a;
	Dwarf_Die type;
	Dwarf_Word size = 0;
	bool result = false;
	const char *tname;
	struct bin_param *bp;

	*out = realloc(*out, (*n + 1) * sizeof(**out));
	bp = &(*out)[(*n)++];
	memset(bp, 0, sizeof(*bp));
	bp->name = strdup(dwarf_diename(p) ? dwarf_diename(p) : "");
	if (dwarf_attr(p, DW_AT_variable_parameter, &a))
		dwarf_formflag(&a, &result);
	bp->is_result = result;
	bp->words = -1;
	if (!dwarf_attr(p, DW_AT_type, &a) || !dwarf_formref_die(&a, &type))
		return;
	tname = dwarf_diename(&type);
	bp->type = strdup(tname ? tname : "?");
	if (!resolve(&type))
		return;
	if (dwarf_attr(&type, DW_AT_byte_size, &a))
		dwarf_formudata(&a, &size);
	bp->size = size;
	bp->words = int_words(&type, size, dwarf_diename(&type), &bp->is_float);
}

/* Walk the top level of every CU for the subprogram named func. */
static int find(Dwarf *dw, const char *func, struct bin_param **out, int *n)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (!dwarf_offdie(dw, off + hsize, &cu) || dwarf_child(&cu, &die) != 0) {
			off = next;
			continue;
		}
		do {
			Dwarf_Die child;
			const char *name;
			if (dwarf_tag(&die) != DW_TAG_subprogram)
				continue;
			name = dwarf_diename(&die);
			if (!name || strcmp(name, func) != 0)
				continue;
			if (dwarf_child(&die, &child) == 0) {
				do {
					if (dwarf_tag(&child) == DW_TAG_formal_parameter)
						add_param(&child, out, n);
				} while (dwarf_siblingof(&child, &child) == 0);
			}
			return 0;
		} while (dwarf_siblingof(&die, &die) == 0);
		off = next;
	}
	return -ENOENT;
}

int bin_func_params(struct bin *b, const char *func, struct bin_param **out,
		    char *err, size_t errlen)
{
	Dwarf *dw;
	int n = 0, rc = -ENOENT;

	*out = NULL;
	if (!b->has_dwarf) {
		snprintf(err, errlen, "%s has no DWARF (built with -ldflags=-w or "
			 "stripped): parameters have no names", bin_path(b));
		return -ENOENT;
	}
	pthread_mutex_lock(&b->lock);	/* libdw may decompress sections in b->elf */
	dw = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	if (dw) {
		rc = find(dw, func, out, &n);
		dwarf_end(dw);
	}
	pthread_mutex_unlock(&b->lock);
	if (rc < 0) {
		snprintf(err, errlen, "%s: no DWARF for function %s", bin_path(b), func);
		return rc;
	}
	return n;
}

void bin_params_free(struct bin_param *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].type);
	}
	free(p);
}
