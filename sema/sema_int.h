/* Sema's internal state, shared by the files of sema/ only. */
#ifndef GOTRACE_SEMA_INT_H
#define GOTRACE_SEMA_INT_H

#include "sema/builtins.h"
#include "sema/sema.h"

struct sema {
	const struct sema_opts *opts;
	struct plan *plan;
	struct plan_prog *pp;	/* program being checked */
	struct var_info *vars;	/* scratch variables of this program */
	int loops;		/* depth of while loops, for break/continue */
	int64_t unrolled;	/* copies of the current block that nested
				   unroll()s make: 0 outside any */
	bool final;		/* last pass: report errors (earlier passes
				   only learn map types) */
	int errors;
	bool place;		/* the expression being checked may stay a Go
				   place (sema_place()) */
	struct node *read_child; /* the child of the GOREAD being checked */
	struct ctype_entry *ctypes; /* C types the program defines (cdefs.c) */
};

static inline struct gt_type gt_int(bool is_signed)
{
	return (struct gt_type){ .kind = GT_INT, .size = 8, .is_signed = is_signed };
}

/* An integer of `size` bytes (1, 2, 4 or 8), as bpftrace keeps the width
 * of a cast, a typed field or a variable assigned from one. */
static inline struct gt_type gt_intw(unsigned size, bool is_signed)
{
	return (struct gt_type){ .kind = GT_INT, .size = size, .is_signed = is_signed };
}

static inline struct gt_type gt_str(unsigned size)
{
	return (struct gt_type){ .kind = GT_STR, .size = size };
}

/* builtins_fmt.c, builtins_async.c: check hooks of sema/builtins.c's rows */
int sema_check_strftime(struct sema *s, struct node *n);
int sema_check_ntop(struct sema *s, struct node *n);
int sema_check_formatted(struct sema *s, struct node *n);
int sema_check_buf(struct sema *s, struct node *n);
int sema_check_kaddr(struct sema *s, struct node *n);
int sema_check_cgroupid(struct sema *s, struct node *n);
int sema_check_cgroup_path(struct sema *s, struct node *n);
int sema_check_uaddr(struct sema *s, struct node *n);
const struct tp_field *sema_tp_array(struct sema *s, const struct node *a);
int sema_check_bswap(struct sema *s, struct node *n);
int sema_check_pton(struct sema *s, struct node *n);
int sema_check_strcontains(struct sema *s, struct node *n);
int sema_check_join(struct sema *s, struct node *n);
int sema_check_cat(struct sema *s, struct node *n);
int sema_check_signal(struct sema *s, struct node *n);
int sema_check_debugf(struct sema *s, struct node *n);	/* debugf.c */
int sema_check_format(struct sema *s, struct node *call, const char *fmt,
		      struct node *args);

/* sema.c */

/* Report an error only in the final pass; always returns -EINVAL. */
int sema_error(struct sema *s, const struct loc *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sema_expr(struct sema *s, struct node *n);
int sema_int_arg(struct sema *s, struct node *n, const char *what);
int sema_const_int(struct sema *s, struct node *n, int64_t *out);
int sema_declare(struct sema *s, struct node *lv, const struct gt_type *t);

/* builtins.c */
int sema_add_async(struct sema *s, enum async_kind kind, const char *fmt,
		   struct node *args, int map_id);

/* maps.c */
struct map_info *sema_map_of(struct sema *s, struct node *n);
int sema_map_arg(struct sema *s, struct node *n, bool keys);
int sema_map_keys(struct sema *s, struct node *n);
int sema_map_read(struct sema *s, struct node *n);
int sema_map_value(struct sema *s, struct node *at, struct map_info *m,
		   const struct gt_type *t);
int sema_layout_maps(struct sema *s);

/* mapiter.c: has_key(), len(@m), for loops, let */
int sema_key_arg(struct sema *s, struct node *n, const char *fn);
int sema_has_key(struct sema *s, struct node *n);
int sema_map_len(struct sema *s, struct node *n);
int sema_for_map(struct sema *s, struct node *n, int (*body)(struct sema *, struct node *));
int sema_for_range(struct sema *s, struct node *n, int (*body)(struct sema *, struct node *));
int sema_let(struct sema *s, struct node *n);

/* probes.c: the programs of a probe's attach points. */
int probes_resolve(const struct sema_opts *opts, struct node *probe,
		   struct plan *plan);

/* govalues.c: Go values (see there) */
int sema_place(struct sema *s, struct node *n);	/* sema_expr, keeping Go places */
bool sema_go_is_int(const struct go_type *t);
struct gt_type sema_go_int_type(const struct go_type *t);
struct gt_type sema_go_place_type(const struct go_type *t, int regs);
int sema_go_field(struct sema *s, struct node *n);
int sema_go_deref(struct sema *s, struct node *n);
int sema_go_subscript(struct sema *s, struct node *n);
int sema_go_read(struct sema *s, struct node *n);
int sema_go_string(struct sema *s, struct node *n);
int sema_go_value(struct sema *s, struct node *n);
int sema_go_len(struct sema *s, struct node *n);
int sema_go_typename(struct sema *s, struct node *n);
int sema_go_cast(struct sema *s, struct node *n, struct node *x, const char *text);

/* cdefs.c: C types of the program's definitions, casts and sizeof */
int sema_cdefs(struct sema *s, const struct cdef *defs);
/* "struct foo *", "uint32": NULL after an error at l; _find: quietly */
const struct go_type *sema_ctype(struct sema *s, const char *text, const struct loc *l);
const struct go_type *sema_ctype_find(struct sema *s, const char *text);
int sema_c_enum_const(struct sema *s, struct node *n);

/* cvalues.c: C values in expressions */
int sema_c_cast(struct sema *s, struct node *n);
int sema_c_sizeof(struct sema *s, struct node *n);
int sema_c_offsetof(struct sema *s, struct node *n);
int sema_c_curtask(struct sema *s, struct node *n);
int sema_c_ctx(struct sema *s, struct node *n);
int sema_c_arg_field(struct sema *s, struct node *n);
int sema_c_pointer_arith(struct sema *s, struct node *n);
int sema_record_subscript(struct sema *s, struct node *n);
void sema_c_map_type(struct gt_type *t, bool key);
unsigned sema_c_align(const struct go_type *t);
unsigned gt_sizeof(const struct gt_type *t, unsigned *align);
int sema_c_tp_field(struct sema *s, struct node *n, const char *decl);

/* types.c */
struct gt_type gt_stack(enum gt_kind kind, int depth);
void gt_widen(struct gt_type *to, const struct gt_type *from);
struct gt_type gt_tuple_of(struct node *list);
const char *gt_name(const struct gt_type *t);
bool gt_same(const struct gt_type *a, const struct gt_type *b);
bool gt_identical(const struct gt_type *a, const struct gt_type *b);

#endif
