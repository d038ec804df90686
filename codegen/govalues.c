/*
 * Go values: the nodes sema/govalues.c rewrites access chains into.
 *
 * A Go place (GT_GO) is an i64 address in the traced process, or, when
 * go_regs is set, words of the argument (or result) registers, which have
 * no address. FIELD, DEREF and SUBSCRIPT compute addresses; GOREAD reads
 * an integer at one; GOSTR reads a string's bytes. A nil pointer
 * followed, or an index out of range, is counted as one faulting read
 * where it happens and gives address 0, from which the rest of the chain
 * reads nothing; every other read that faults gives 0 and is counted. So
 * a chain with a nil pointer anywhere reads as 0 or "", counts once for
 * each pointer it finds nil, and shows up in the report at exit, never as
 * garbage.
 */
#include <linux/bpf.h>

#include "codegen/cg_int.h"

/* Addresses below this are never mapped (vm.mmap_min_addr is larger): a
 * nil pointer or an index out of range, already counted where it was
 * found, plus a field offset. */
#define NIL_PAGE 4096

/* The helper that reads memory where a place's type says it is. */
static int read_helper(const struct gt_type *t)
{
	static const int helpers[] = {
		[GT_AS_USER] = BPF_FUNC_probe_read_user,
		[GT_AS_KERNEL] = BPF_FUNC_probe_read_kernel,
		[GT_AS_ANY] = BPF_FUNC_probe_read,
	};
	return helpers[t->aspace];
}

/* len bytes at addr into buf (zeroed by cg_tmp), with t's read helper:
 * nothing read in the nil page, and a failed read counted as a fault. */
static void read_into(struct cg *c, LLVMValueRef buf, unsigned len, LLVMValueRef addr,
		      const struct gt_type *t)
{
	LLVMBasicBlockRef doit = cg_block(c, "read"), done = cg_block(c, "read_done");
	LLVMValueRef rc;

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntUGE, addr, cg_const(c, NIL_PAGE), ""),
			doit, done);
	LLVMPositionBuilderAtEnd(c->b, doit);
	rc = cg_helper(c, read_helper(t), 3, buf, cg_const(c, len),
		       LLVMBuildIntToPtr(c->b, addr, c->i8p, ""));
	cg_count_fault(c, rc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* len bytes at addr (a C char array, struct or array) into a buffer of
 * t's size: zeros where they cannot be read. */
static LLVMValueRef read_bytes(struct cg *c, LLVMValueRef addr, const struct gt_type *t,
			       unsigned len)
{
	LLVMValueRef buf = cg_tmp(c, t->size);

	read_into(c, buf, len, addr, t);
	return buf;
}

/* size (1, 2, 4 or 8) bytes of user memory at addr, at the type's width
 * and sign; 0 if addr is in the nil page (not read), or 0 and a counted
 * fault if the read fails. */
static LLVMValueRef read_int(struct cg *c, LLVMValueRef addr, const struct gt_type *t)
{
	unsigned size = t->gotype ? (unsigned)t->gotype->size : 8;
	LLVMValueRef buf = cg_tmp(c, 8), v;

	if (size == 0 || size > 8)
		size = 8;
	read_into(c, buf, size, addr, t);
	v = cg_load64(c, buf, 0);
	cg_tmp_done(c, buf);
	return cg_go_extend(c, t, v);
}

/* Word k of a Go string, slice or interface header: from registers, or
 * from memory at the place's address. */
static LLVMValueRef header_word(struct cg *c, struct node *n, LLVMValueRef addr, int k)
{
	struct gt_type w = gt_int_type();

	if (n->type.go_regs)
		return cg_go_word(c, n->type.go_regs - 1 + k);
	return read_int(c, LLVMBuildAdd(c->b, addr, cg_const(c, 8 * k), ""), &w);
}

/* A field of a struct in registers has no address: its words are read
 * where it is used. */
/* Words 0 and 1 of a Go string or slice header (data and length): from
 * registers, or in one 16-byte read from memory; 0 and 0 in the nil page,
 * 0 and 0 and a counted fault if the read fails. */
static void header_pair(struct cg *c, struct node *n, LLVMValueRef addr, LLVMValueRef *w0,
			LLVMValueRef *w1)
{
	LLVMValueRef buf, rc;
	LLVMBasicBlockRef doit, done;

	if (n->type.go_regs) {
		*w0 = cg_go_word(c, n->type.go_regs - 1);
		*w1 = cg_go_word(c, n->type.go_regs);
		return;
	}
	buf = cg_tmp(c, 16);
	doit = cg_block(c, "gohdr");
	done = cg_block(c, "gohdr_done");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntUGE, addr, cg_const(c, NIL_PAGE), ""),
			doit, done);
	LLVMPositionBuilderAtEnd(c->b, doit);
	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, buf, cg_const(c, 16),
		       LLVMBuildIntToPtr(c->b, addr, c->i8p, ""));
	cg_count_fault(c, rc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	*w0 = cg_load64(c, buf, 0);
	*w1 = cg_load64(c, buf, 8);
	cg_tmp_done(c, buf);
}

LLVMValueRef cg_go_field(struct cg *c, struct node *n)
{
	if (n->type.go_regs)
		return cg_const(c, 0);
	return LLVMBuildAdd(c->b, cg_expr(c, n->lhs), cg_const(c, (uint64_t)n->ival), "");
}

/* *p: p itself, the address; a nil p is counted here, once, and what
 * follows in the chain reads nothing (read_int skips the nil page). */
LLVMValueRef cg_go_deref(struct cg *c, struct node *n)
{
	LLVMValueRef p = cg_expr(c, n->lhs), nil;
	const struct loc *at = c->loc;

	nil = LLVMBuildICmp(c->b, LLVMIntEQ, p, cg_const(c, 0), "");
	cg_count_if(c, nil, c->faults, 0);
	/* -kk: the read bpftrace would try fails with EFAULT */
	c->loc = &n->loc;
	cg_check_helper(c, LLVMBuildSelect(c->b, nil, cg_const(c, (uint64_t)-14), cg_const(c, 0), ""),
			"probe_read", true, false);
	c->loc = at;
	return p;
}

LLVMValueRef cg_go_read(struct cg *c, struct node *n)
{
	if (n->type.kind == GT_RECORD)
		return read_bytes(c, cg_expr(c, n->lhs), &n->type, (unsigned)n->type.gotype->size);
	if (n->lhs->type.go_regs)
		return cg_go_extend(c, &n->type, cg_go_word(c, n->lhs->type.go_regs - 1));
	return read_int(c, cg_expr(c, n->lhs), &n->type);
}

/* x[i]: the element's address if i < len, else 0 and a counted fault. */
/* a[i] of an array held whole in BPF memory (sema_record_subscript): the
 * element's bytes there, an integer loaded at its width. */
static LLVMValueRef record_subscript(struct cg *c, struct node *n)
{
	LLVMValueRef p = cg_gep(c, cg_expr(c, n->lhs), (unsigned)(n->rhs->ival * n->ival));
	LLVMTypeRef it;

	if (n->type.kind != GT_INT)
		return p;
	it = LLVMIntTypeInContext(c->ctx, 8 * (unsigned)n->ival);
	p = LLVMBuildLoad2(c->b, it, LLVMBuildBitCast(c->b, p, LLVMPointerType(it, 0), ""), "");
	return n->type.is_signed ? LLVMBuildSExt(c->b, p, c->i64, "") : LLVMBuildZExt(c->b, p, c->i64, "");
}

LLVMValueRef cg_go_subscript(struct cg *c, struct node *n)
{
	const struct go_type *t = n->lhs->type.gotype;
	LLVMValueRef base, i, data, len, in, addr;

	if (n->lhs->type.kind == GT_RECORD)
		return record_subscript(c, n);
	base = cg_expr(c, n->lhs);
	i = cg_expr(c, n->rhs);

	if (t->is_c && t->kind == GO_POINTER) {
		/* p[i]: unchecked, as C; a nil p reads nothing (nil page) */
		cg_count_if(c, LLVMBuildICmp(c->b, LLVMIntEQ, base, cg_const(c, 0), ""),
			    c->faults, 0);
		return LLVMBuildAdd(c->b, base, LLVMBuildMul(c->b, i, cg_const(c, (uint64_t)n->ival),
							     ""), "");
	}
	if (t->kind == GO_ARRAY) {
		data = base;
		len = cg_const(c, t->len);
	} else {
		header_pair(c, n->lhs, base, &data, &len);
	}
	in = LLVMBuildICmp(c->b, LLVMIntULT, i, len, "");
	cg_count_if(c, LLVMBuildNot(c->b, in, ""), c->faults, 0);
	addr = LLVMBuildAdd(c->b, data, LLVMBuildMul(c->b, i, cg_const(c, (uint64_t)n->ival), ""), "");
	return LLVMBuildSelect(c->b, in, addr, cg_const(c, 0), "");
}

/* A C char array's bytes, whole, into a zeroed buffer: "" (and a
 * counted fault) if they cannot be read, nothing read in the nil page. */
static LLVMValueRef c_chars(struct cg *c, LLVMValueRef addr, const struct gt_type *t)
{
	return read_bytes(c, addr, t, (unsigned)t->depth);
}

/* A Go string's bytes, up to the bound (type.depth); a longer string is
 * cut, and counted. */
LLVMValueRef cg_go_string(struct cg *c, struct node *n)
{
	LLVMValueRef ptr, len;

	if (bin_c_is_chars(n->lhs->type.gotype))
		return c_chars(c, cg_expr(c, n->lhs), &n->type);
	header_pair(c, n->lhs, cg_expr(c, n->lhs), &ptr, &len);
	return cg_go_string_bytes(c, ptr, len, (unsigned)n->type.depth, n->type.size);
}

/* len(x): a string's or slice's length word, an array's length, or the
 * count a map or chan keeps in its first word (0 when nil). */
LLVMValueRef cg_go_len(struct cg *c, struct node *n)
{
	struct node *a = n->args;
	const struct go_type *t = a->type.gotype;
	struct gt_type w = gt_int_type();
	LLVMValueRef v, slot;
	LLVMBasicBlockRef doit, done;

	if (t->kind == GO_ARRAY)
		return cg_const(c, t->len);
	v = cg_expr(c, a);
	if (t->kind == GO_STRING || t->kind == GO_SLICE)
		return header_word(c, a, v, 1);
	/* map, chan: count at offset 0 of what the pointer points at */
	slot = cg_tmp(c, 8);
	doit = cg_block(c, "len_read");
	done = cg_block(c, "len_done");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, v, cg_const(c, 0), ""), doit, done);
	LLVMPositionBuilderAtEnd(c->b, doit);
	cg_store64(c, slot, 0, read_int(c, v, &w));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return cg_load64(c, slot, 0);
}

/* go_cast(x, "T"): x itself; an integer T at its width and sign. */
LLVMValueRef cg_go_cast(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_expr(c, n->args);

	return n->type.kind == GT_INT ? cg_go_extend(c, &n->type, v) : v;
}

/* go_typename(x) at run time: the address of a runtime type descriptor
 * (an interface's dynamic type, or x itself), and the pid, for the
 * runtime to name from the binary. A non-empty interface's first word is
 * an itab, whose _type is its second word. */
LLVMValueRef cg_go_typename(struct cg *c, struct node *n)
{
	struct node *a = n->args;
	const struct go_type *t = a->type.gotype;
	struct gt_type w = gt_int_type();
	LLVMValueRef v = cg_expr(c, a), buf = cg_tmp(c, 16), typ, slot, nonnil;
	LLVMBasicBlockRef doit, done;

	if (a->type.kind != GT_GO || !t || t->kind != GO_INTERFACE) {
		typ = v;
	} else if (t->empty_iface) {
		typ = header_word(c, a, v, 0);
	} else {
		slot = cg_tmp(c, 8);
		typ = header_word(c, a, v, 0);
		nonnil = LLVMBuildICmp(c->b, LLVMIntNE, typ, cg_const(c, 0), "");
		doit = cg_block(c, "itab_read");
		done = cg_block(c, "itab_done");
		LLVMBuildCondBr(c->b, nonnil, doit, done);
		LLVMPositionBuilderAtEnd(c->b, doit);
		cg_store64(c, slot, 0, read_int(c, LLVMBuildAdd(c->b, typ, cg_const(c, 8), ""), &w));
		LLVMBuildBr(c->b, done);
		LLVMPositionBuilderAtEnd(c->b, done);
		typ = cg_load64(c, slot, 0);
	}
	cg_store64(c, buf, 0, typ);
	cg_store64(c, buf, 8, cg_pid(c));
	return buf;
}

/* r.name on a record in BPF memory: the field's bytes copied out (at any
 * alignment: a byte-wise memcpy), an integer at its width and sign. */
LLVMValueRef cg_record_field(struct cg *c, struct node *n)
{
	unsigned len = (unsigned)n->type.gotype->size;
	LLVMValueRef src = cg_gep(c, cg_expr(c, n->lhs), (unsigned)n->ival), buf;

	buf = cg_tmp(c, n->type.kind == GT_INT ? 8 : n->type.size);
	LLVMBuildMemCpy(c->b, buf, 1, src, 1, cg_const(c, len));
	if (n->type.kind != GT_INT)
		return buf;
	return cg_go_extend(c, &n->type, cg_load64(c, buf, 0));
}
