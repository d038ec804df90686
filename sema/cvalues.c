/*
 * C values in expressions, typed by sema/cdefs.c's C types: casts to
 * pointers, sizeof and offsetof of a type, curtask, tracepoint pointer
 * fields, uprobe args from DWARF, pointer arithmetic, and how a C
 * pointer prints in a map. Reading through them is sema/govalues.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

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
	/* the program's own struct task_struct, if it defines one (as
	 * bpftrace lets it override BTF's), else the kernel's */
	const struct go_type *t = sema_ctype_find(s, "struct task_struct");

	if (!t)
		t = bin_kernel_type("struct task_struct", err, sizeof(err));
	if (!t)
		return sema_error(s, &n->loc, "curtask: %s", err);
	n->type = sema_go_int_type(bin_c_pointer(t));
	n->type.aspace = GT_AS_KERNEL;
	return 0;
}

/* ctx: the address of the BPF program's context (the registers, the
 * tracepoint's record, the perf event's data), in kernel memory, for
 * casts as bpftrace's scripts do ((struct x *)ctx)->x. A byte pointer:
 * its layout is the probe kind's. */
int sema_c_ctx(struct sema *s, struct node *n)
{
	if (s->pp->type->caps & PC_FIELDS)	/* bpftrace 0.17 has none there */
		return sema_error(s, &n->loc, "ctx is not valid in %s probes: read the "
				  "record's fields with args->NAME", s->pp->type->name);
	n->type = sema_go_int_type(bin_c_pointer(bin_c_int("uint8", 1, false)));
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
	const struct go_type *t;
	char text[200];

	if (!star)
		return 0;
	snprintf(text, sizeof(text), "%.*s", (int)(star - decl) + 1, decl);
	if (!(t = sema_ctype_find(s, text)))
		return 0;
	n->type = sema_go_int_type(t);
	n->type.aspace = !strcmp(s->pp->ap.tp_category, "syscalls") ? GT_AS_USER : GT_AS_KERNEL;
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
	/* bpftrace stores every integer key and value in 64 bits (so that
	 * any integer fits a value later) */
	if (t->kind == GT_INT)
		t->size = 8;
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

/* a[i] of a C array already read whole (a record: pton()'s bytes, an
 * array in a variable or a map): element i of the bytes in BPF memory.
 * The index is a constant, checked here, as bpftrace checks it. */
int sema_record_subscript(struct sema *s, struct node *n)
{
	const struct go_type *t = n->lhs->type.gotype, *elem = t->elem;

	if (n->rhs->kind != N_INT)
		return sema_error(s, &n->rhs->loc, "an array held in a variable or a map is "
				  "indexed by a constant");
	if (n->rhs->ival < 0 || (uint64_t)n->rhs->ival >= t->len)
		return sema_error(s, &n->loc, "the index %lld is out of bounds for array of "
				  "size %llu", (long long)n->rhs->ival, (unsigned long long)t->len);
	n->ival = (int64_t)elem->size;
	if (sema_go_is_int(elem)) {
		n->type = sema_go_int_type(elem);
		return 0;
	}
	if (elem->kind != GO_ARRAY && elem->kind != GO_STRUCT)
		return sema_error(s, &n->loc, "elements of %s cannot be read from an array "
				  "held whole", t->name);
	n->type = (struct gt_type){ .kind = GT_RECORD, .size = gt_align8((unsigned)elem->size),
				    .gotype = elem, .aspace = n->lhs->type.aspace };
	return 0;
}
