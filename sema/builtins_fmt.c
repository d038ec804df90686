/*
 * Checks of the functions whose value the runtime formats (strftime,
 * ntop, ksym, macaddr, strerror, buf), of those sema folds into constants
 * from the system (kaddr, cgroupid), and of the integer and string
 * helpers bswap, pton and strcontains. Their rows are in sema/builtins.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

/* strftime(fmt, nsecs): the format rides in the type, the time in the
 * value (nsecs since boot); user space formats it, as bpftrace does. */
int sema_check_strftime(struct sema *s, struct node *n)
{
	struct node *fmt = n->args, *ns = fmt->next;

	if (fmt->kind != N_STR)
		return sema_error(s, &fmt->loc, "strftime: the format must be a string literal");
	if (sema_int_arg(s, ns, "strftime()'s nsecs"))
		return -EINVAL;
	n->type = (struct gt_type){ .kind = GT_TIMESTAMP, .size = 8, .fmt = fmt->str };
	return 0;
}

/* ntop([af, ] addr): an integer or a 4-byte array is IPv4, a 16-byte
 * array IPv6, unless af says. */
int sema_check_ntop(struct sema *s, struct node *n)
{
	struct node *addr = n->args->next ? n->args->next : n->args;
	const struct tp_field *f = sema_tp_array(s, addr);

	if (n->args->next && sema_int_arg(s, n->args, "ntop()'s address family"))
		return -EINVAL;
	/* a tracepoint's __u8 saddr[4] or saddr_v6[16]: its bytes, in place */
	n->ival = f && (f->size == 4 || f->size == 16) ? f->size : 0;
	if (n->ival) {
		n->type = (struct gt_type){ .kind = GT_INET, .size = 24 };
		return 0;
	}
	/* a C byte array read whole (skc_v6_daddr.in6_u.u6_addr8): as a string */
	if (addr->type.kind == GT_RECORD && addr->type.gotype->kind == GO_ARRAY &&
	    addr->type.gotype->elem && addr->type.gotype->elem->size == 1 &&
	    (addr->type.gotype->len == 4 || addr->type.gotype->len == 16)) {
		n->type = (struct gt_type){ .kind = GT_INET, .size = 24 };
		return 0;
	}
	if (addr->type.kind == GT_STR && addr->type.size != 8 && addr->type.size != 16)
		return sema_error(s, &addr->loc, "ntop() takes an integer or a char[4] or "
				  "char[16] array, not a %u-byte array", addr->type.size);
	if (addr->type.kind != GT_INT && addr->type.kind != GT_STR)
		return sema_error(s, &addr->loc, "ntop() takes an integer or a char[4] or "
				  "char[16] array, not a %s", gt_name(&addr->type));
	n->type = (struct gt_type){ .kind = GT_INET, .size = 24 };
	return 0;
}

/* One integer argument, a value user space formats: ksym, strerror,
 * macaddr (its 6 bytes, from an integer or an array). */
int sema_check_formatted(struct sema *s, struct node *n)
{
	static const struct { enum func_id id; enum gt_kind kind; } kinds[] = {
		{ FN_KSYM, GT_KSYM }, { FN_STRERROR, GT_ERRNO }, { FN_MACADDR, GT_MACADDR },
	};
	struct node *a = n->args;

	if (n->func->id == FN_MACADDR && a->type.kind == GT_STR) {
		if (a->type.size < 6)
			return sema_error(s, &a->loc, "macaddr() argument must be 6 bytes in size");
	} else if (sema_int_arg(s, a, n->func->name)) {
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].id == n->func->id)
			n->type = (struct gt_type){ .kind = kinds[i].kind, .size = 8 };
	return 0;
}

/* cgroup_path(id[, "filter"]): the id, formatted in user space; the
 * filter (a wildcard on the hierarchies' names) goes in the type. */
int sema_check_cgroup_path(struct sema *s, struct node *n)
{
	struct node *id = n->args, *filter = id->next;

	if (sema_int_arg(s, id, "cgroup_path()"))
		return -EINVAL;
	if (filter && filter->kind != N_STR)
		return sema_error(s, &filter->loc, "cgroup_path(): the filter must be a "
				  "string literal");
	n->type = (struct gt_type){ .kind = GT_CGROUP_PATH, .size = 8,
				    .fmt = filter ? xstrdup(filter->str) : NULL };
	return 0;
}

/* buf(p[, len]): up to len bytes (default and most: BPFTRACE_STRLEN). */
int sema_check_buf(struct sema *s, struct node *n)
{
	struct node *p = n->args;
	int64_t max = s->opts->strlen ? s->opts->strlen : GT_STR_DEFAULT;
	bool array = p->type.kind == GT_RECORD && p->type.gotype->kind == GO_ARRAY;
	/* an array read whole (uint8_t c[4], int d[4]): all its bytes */
	int64_t len = p->type.kind == GT_STR ? p->type.size :
		      array ? (int64_t)p->type.gotype->size : max;

	if (p->type.kind != GT_INT && p->type.kind != GT_STR && !array)
		return sema_error(s, &p->loc, "buf() needs a pointer or an array, not a %s",
				  gt_name(&p->type));
	if (p->next && sema_int_arg(s, p->next, "buf()'s length"))
		return -EINVAL;
	if (p->next && p->next->kind == N_INT) {
		len = p->next->ival;
		if (len < 1)
			return sema_error(s, &p->next->loc, "buf(): the length must be "
					  "positive, not %lld", (long long)len);
	}
	if (len > max)
		len = max;
	n->type = (struct gt_type){ .kind = GT_BUF, .size = 8 + gt_align8((unsigned)len) };
	n->ival = len;
	return 0;
}

/* kaddr("name"): the address /proc/kallsyms gives, a constant. */
int sema_check_kaddr(struct sema *s, struct node *n)
{
	uint64_t addr;

	if (n->args->kind != N_STR)
		return sema_error(s, &n->args->loc, "kaddr() takes a symbol name as a "
				  "string literal");
	if (ksym_addr(n->args->str, &addr) < 0)
		return sema_error(s, &n->loc, "Failed to resolve kernel symbol: %s",
				  n->args->str);
	n->ival = (int64_t)addr;	/* codegen's constant; the call stays
					   a call, which keeps it unsigned */
	n->type = gt_int(false);
	return 0;
}

/* cgroupid("path"): the cgroup's id is its file handle on cgroup2, as
 * bpf_get_current_cgroup_id() returns it. A constant. */
int sema_check_cgroupid(struct sema *s, struct node *n)
{
	struct { struct file_handle fh; uint64_t id; } h = { .fh.handle_bytes = 8 };
	int mount_id;

	if (n->args->kind != N_STR)
		return sema_error(s, &n->args->loc, "cgroupid() takes a path as a "
				  "string literal");
	if (name_to_handle_at(AT_FDCWD, n->args->str, &h.fh, &mount_id, 0) < 0)
		return sema_error(s, &n->loc, "cgroupid(\"%s\"): %s", n->args->str,
				  strerror(errno));
	memcpy(&n->ival, h.fh.f_handle, 8);
	n->type = gt_int(false);
	return 0;
}

/* uaddr("name"): the address of a global variable of the probed binary,
 * a constant. A PIE binary is refused: bpftrace 0.17 gives the file's
 * address there, which is not where the variable is. */
int sema_check_uaddr(struct sema *s, struct node *n)
{
	struct bin *b = s->pp->ap.bin;
	uint64_t addr, size;
	char err[512];

	if (n->args->kind != N_STR)
		return sema_error(s, &n->args->loc, "uaddr() takes a symbol name as a "
				  "string literal");
	if (!b)
		return sema_error(s, &n->loc, "uaddr() needs a probe on a binary (a uprobe)");
	if (bin_data_symbol(b, n->args->str, &addr, &size, err, sizeof(err)) < 0)
		return sema_error(s, &n->loc, "uaddr(\"%s\"): %s", n->args->str, err);
	n->ival = (int64_t)addr;
	/* as bpftrace: a pointer to a signed integer of the symbol's size
	 * (1, 2 or 4 bytes, else 8), so that *uaddr("x") reads the global */
	if (size != 1 && size != 2 && size != 4)
		size = 8;
	n->type = sema_go_int_type(bin_c_pointer(bin_c_int(size == 1 ? "int8" : size == 2 ?
					"int16" : size == 4 ? "int32" : "int64", (unsigned)size, true)));
	n->type.aspace = GT_AS_USER;
	return 0;
}

/* The tracepoint field a node reads, if it is an array (`__u8 a[16]`). */
const struct tp_field *sema_tp_array(struct sema *s, const struct node *a)
{
	const struct tp_field *f;

	if (a->kind != N_FIELD || a->type.gotype || !a->lhs || a->lhs->kind != N_IDENT ||
	    a->ival < 0 || a->ival >= s->pp->ap.nfields)
		return NULL;
	f = &s->pp->ap.fields[a->ival];
	return f->decl && strchr(f->decl, '[') && !f->data_loc ? f : NULL;
}


/* bswap(n): n's bytes reversed, at n's width. */
int sema_check_bswap(struct sema *s, struct node *n)
{
	int bits;

	if (sema_int_arg(s, n->args, "bswap()'s argument"))
		return -EINVAL;
	bits = 8 * (int)n->args->type.size;	/* its width: cast, field, variable */
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		bits = 64;
	n->ival = bits;
	n->type = gt_intw((unsigned)bits / 8, false);	/* unsigned, at its width */
	return 0;
}

/* pton("addr"): the address's bytes, a uint8[4] or uint8[16] (IPv4
 * first), a constant known here, as bpftrace 0.17 has it. */
int sema_check_pton(struct sema *s, struct node *n)
{
	unsigned char buf[16];
	const struct go_type *t;
	int len;

	if (n->args->kind != N_STR)
		return sema_error(s, &n->args->loc, "pton() takes a string literal");
	len = inet_pton(AF_INET, n->args->str, buf) == 1 ? 4 :
	      inet_pton(AF_INET6, n->args->str, buf) == 1 ? 16 : 0;
	if (!len)
		return sema_error(s, &n->args->loc, "pton() expects a valid IPv4/IPv6 "
				  "address, got %s", n->args->str);
	t = bin_c_array(bin_c_int("uint8", 1, false), (uint64_t)len);
	n->ival = len;
	n->type = (struct gt_type){ .kind = GT_RECORD, .size = gt_align8((unsigned)len),
				    .gotype = t, .aspace = GT_AS_KERNEL };
	return 0;
}

int sema_check_strcontains(struct sema *s, struct node *n)
{
	struct node *h = n->args, *nd = h->next;

	if (h->type.kind != GT_STR || nd->type.kind != GT_STR)
		return sema_error(s, &n->loc, "strcontains() takes two strings");
	n->type = gt_int(false);
	return 0;
}
