/*
 * A Go function's parameters from DWARF (libdw): names, types, sizes, and
 * which are results. Go describes each function as a DW_TAG_subprogram
 * whose DW_AT_name is the full Go name ("main.add",
 * "encoding/json.(*decodeState).object"), with one DW_TAG_formal_parameter
 * child per parameter and result (DW_AT_variable_parameter set on
 * results), in declaration order.
 *
 * With it, go_arg("name") finds the register words of a parameter: Go's
 * register ABI hands integer registers out in order (a string takes 2, a
 * slice 3, an interface 2, a struct what its fields take), so a
 * parameter's first word is the count of the words before it. Floats go
 * to the X registers and take no integer word (a uprobe cannot read
 * them); a value too big for the registers left goes on the stack.
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
#include "golang/godwarf.h"
#include "golang/gopcln.h"

/* Go's register ABI (the Go source's abi-internal.md): integers,
 * pointers, maps, chans and funcs take one integer register, a string 2,
 * a slice 3, an interface 2; floats take an X register, complex numbers
 * two; a struct takes what its fields take, in order; an array of one
 * element what that element takes, of none nothing. */
bool bin_go_regs(const struct go_type *t, int *ints, int *floats)
{
	if (!t)
		return false;
	switch (t->kind) {
	case GO_FLOAT32:
	case GO_FLOAT64:
		*floats += 1;
		return true;
	case GO_COMPLEX64:
	case GO_COMPLEX128:
		*floats += 2;
		return true;
	case GO_STRING:
	case GO_INTERFACE:
		*ints += 2;
		return true;
	case GO_SLICE:
		*ints += 3;
		return true;
	case GO_ARRAY:
		if (t->len == 0)
			return true;
		return t->len == 1 && bin_go_regs(t->elem, ints, floats);
	case GO_STRUCT:
		for (int i = 0; i < t->nfields; i++)
			if (!bin_go_regs(t->fields[i].type, ints, floats))
				return false;
		return true;
	case GO_INVALID:
		return false;
	default:
		*ints += 1;
		return true;
	}
}

static void add_param(struct bin *b, Dwarf_Die *p, struct bin_param **out, int *n)
{
	Dwarf_Attribute a;
	Dwarf_Die type;
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
	bp->word = bp->words = -1;
	if (!dwarf_attr(p, DW_AT_type, &a) || !dwarf_formref_die(&a, &type))
		return;
	tname = dwarf_diename(&type);
	bp->type = strdup(tname ? tname : "?");
	bp->gotype = go_dwarf_type(b, &type);
	if (bp->gotype)
		bp->size = bp->gotype->size;
}

/* amd64: RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11 */
#define GO_INT_REGS 9

/* Registers for the arguments, then again from 0 for the results. A
 * value that does not fit in the registers left goes on the stack, and
 * the registers it would have taken stay free for the next one. A type
 * that is unknown leaves the rest unknown too. */
static void assign_registers(struct bin_param *p, int n, bool results, int max_ints)
{
	int ints = 0, floats = 0;

	for (int i = 0; i < n; i++) {
		int ni = ints, nf = floats;

		if (p[i].is_result != results)
			continue;
		if (!p[i].gotype)
			return;
		if (!bin_go_regs(p[i].gotype, &ni, &nf) || ni > max_ints || nf > 15) {
			p[i].on_stack = true;
			continue;
		}
		p[i].is_float = ni == ints && nf > floats;
		p[i].word = ints;
		p[i].words = ni - ints;
		ints = ni;
		floats = nf;
	}
}

/* Subprograms and named types by name, found in one walk over the top
 * level of every CU, and each function's parameters once read: a program
 * names a few functions and types, a binary holds thousands. */
struct dw_index {
	char **names;		/* sorted, with offs[] */
	Dwarf_Off *offs;
	size_t n;
};

struct dw_params {
	Dwarf *dw;
	struct dw_index funcs, types;
	struct { char *func; struct bin_param *p; int n; } *done;
	size_t ndone;
};

struct sub {
	char *name;
	Dwarf_Off off;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sub *)a)->name, ((const struct sub *)b)->name);
}

static void add_sub(struct sub **v, size_t *n, size_t *cap, const char *name, Dwarf_Off off)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].name = xstrdup(name);
	(*v)[(*n)++].off = off;
}

static void sort_into(struct dw_index *x, struct sub *v, size_t n)
{
	if (n)	/* v is NULL when there are none: qsort() must not see it */
		qsort(v, n, sizeof(*v), by_name);
	x->names = xcalloc(n ? n : 1, sizeof(*x->names));
	x->offs = xcalloc(n ? n : 1, sizeof(*x->offs));
	for (size_t i = 0; i < n; i++) {
		x->names[i] = v[i].name;
		x->offs[i] = v[i].off;
	}
	x->n = n;
	free(v);
}

static void index_dies(struct dw_params *d)
{
	Dwarf_Off off = 0, next;
	struct sub *fv = NULL, *tv = NULL;
	size_t hsize, fn = 0, fcap = 0, tn = 0, tcap = 0;

	while (dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(d->dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name = dwarf_diename(&die);
				int tag = dwarf_tag(&die);

				if (!name)
					continue;
				if (tag == DW_TAG_subprogram)
					add_sub(&fv, &fn, &fcap, name, dwarf_dieoffset(&die));
				else if (tag == DW_TAG_structure_type || tag == DW_TAG_typedef ||
					 tag == DW_TAG_base_type)
					add_sub(&tv, &tn, &tcap, name, dwarf_dieoffset(&die));
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	sort_into(&d->funcs, fv, fn);
	sort_into(&d->types, tv, tn);
}

static bool lookup(Dwarf *dw, const struct dw_index *x, const char *name, Dwarf_Die *die)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->names[mid], name);

		if (c == 0)
			return dwarf_offdie(dw, x->offs[mid], die) != NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The parameters of func, read on first use. */
static int params_of(struct bin *b, struct dw_params *d, const char *func,
		     const struct bin_param **out)
{
	Dwarf_Die die, child;
	struct bin_param *p = NULL;
	int n = 0;

	for (size_t i = 0; i < d->ndone; i++) {
		if (!strcmp(d->done[i].func, func)) {
			*out = d->done[i].p;
			return d->done[i].n;
		}
	}
	if (!lookup(d->dw, &d->funcs, func, &die))
		return -ENOENT;
	if (dwarf_child(&die, &child) == 0) {
		do {
			if (dwarf_tag(&child) == DW_TAG_formal_parameter)
				add_param(b, &child, &p, &n);
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	assign_registers(p, n, false, GO_INT_REGS);
	assign_registers(p, n, true, GO_INT_REGS);
	d->done = realloc(d->done, (d->ndone + 1) * sizeof(*d->done));
	if (!d->done)
		return -ENOMEM;
	d->done[d->ndone].func = strdup(func);
	d->done[d->ndone].p = p;
	d->done[d->ndone++].n = n;
	*out = p;
	return n;
}

static void index_free(struct dw_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->names[i]);
	free(x->names);
	free(x->offs);
}

void bin_params_free(struct bin_param *p, int n)
{
	for (int i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].type);
	}
	free(p);
}

void go_params_free(struct go_pcln *g)
{
	struct dw_params *d = g->params;

	if (!d)
		return;
	for (size_t i = 0; i < d->ndone; i++) {
		free(d->done[i].func);
		bin_params_free(d->done[i].p, d->done[i].n);
	}
	free(d->done);
	index_free(&d->funcs);
	index_free(&d->types);
	if (d->dw)
		dwarf_end(d->dw);
	free(d);
	g->params = NULL;
}

/* The binary's DWARF, opened (and its subprograms and types indexed) on
 * first use; NULL if it has none. Called with b->lock held. */
Dwarf *go_dwarf(struct bin *b)
{
	struct go_pcln *g = b->go;

	if (!b->has_dwarf || !g)
		return NULL;
	if (!g->params) {
		g->params = calloc(1, sizeof(*g->params));
		if (g->params && (g->params->dw = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL)))
			index_dies(g->params);
	}
	return g->params ? g->params->dw : NULL;
}

bool go_dwarf_type_die(struct bin *b, const char *name, Dwarf_Die *die)
{
	Dwarf *dw = go_dwarf(b);

	return dw && lookup(dw, &b->go->params->types, name, die);
}

int bin_func_params(struct bin *b, const char *func, const struct bin_param **out,
		    char *err, size_t errlen)
{
	struct go_pcln *g = b->go;
	int rc = -ENOENT;

	*out = NULL;
	if (!b->has_dwarf || !g) {
		snprintf(err, errlen, "%s has no DWARF (built with -ldflags=-w or "
			 "stripped): parameters have no names", bin_path(b));
		return -ENOENT;
	}
	pthread_mutex_lock(&b->lock);	/* libdw may decompress sections in b->elf */
	if (go_dwarf(b))
		rc = params_of(b, g->params, func, out);
	pthread_mutex_unlock(&b->lock);
	if (rc < 0)
		snprintf(err, errlen, "%s: no DWARF for function %s", bin_path(b), func);
	return rc;
}
