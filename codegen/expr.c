/*
 * Expressions: one flat switch over node kinds, one LLVM instruction or
 * small pattern per operator.
 *
 * BPF has no signed division before cpu v4, which LLVM 14 does not
 * target, so signed / and % are done on magnitudes with the sign fixed up.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "common/alloc.h"
#include "codegen/cg_int.h"

/* A variable's slot: a stack buffer zeroed in the entry block, so that a
 * path that reads it before any write still reads initialized memory (the
 * verifier insists). An integer's is an i64 that cg_var_load() and
 * cg_var_store() use directly, so that mem2reg can keep it in a register:
 * as a buffer every read and write of it was a memory access, and each
 * variable took 8 bytes of the 512-byte stack. A loop or a part of a long
 * probe reaches the variables through pointers in its frame: those stay
 * in memory. */
static struct var_slot *slot_of(struct cg *c, struct var_info *v)
{
	struct var_slot *s;

	for (int i = 0; i < c->nvars; i++)
		if (c->vars[i].var == v)
			return &c->vars[i];
	c->vars = xrealloc(c->vars, (c->nvars + 1) * sizeof(*c->vars));
	s = &c->vars[c->nvars++];
	s->var = v;
	s->word = NULL;
	if (v->type.kind == GT_INT && gt_align8(v->type.size) == 8)
		s->ptr = cg_alloca_word(c, v->name, &s->word);
	else
		s->ptr = cg_alloca(c, v->type.size, v->name, true);
	return s;
}

LLVMValueRef cg_var_slot(struct cg *c, struct var_info *v)
{
	return slot_of(c, v)->ptr;
}

LLVMValueRef cg_var_load(struct cg *c, struct var_info *v)
{
	struct var_slot *s = slot_of(c, v);

	return s->word ? LLVMBuildLoad2(c->b, c->i64, s->word, "") : cg_load64(c, s->ptr, 0);
}

void cg_var_store(struct cg *c, struct var_info *v, LLVMValueRef val)
{
	struct var_slot *s = slot_of(c, v);

	if (s->word)
		LLVMBuildStore(c->b, val, s->word);
	else
		cg_store64(c, s->ptr, 0, val);
}

/* Store value v of type t into dst, a buffer of dst_size bytes. A shorter
 * string leaves no tail of the previous one behind. */
void cg_store_value(struct cg *c, LLVMValueRef dst, unsigned dst_size,
		    const struct gt_type *t, LLVMValueRef v)
{
	unsigned size = gt_align8(t->size);

	if (t->kind == GT_INT) {
		cg_store64(c, dst, 0, v);
		return;
	}
	if (dst_size > size)
		cg_zero(c, cg_gep(c, dst, size), dst_size - size);
	cg_copy(c, dst, v, size < dst_size ? size : dst_size);
}

/* A pointer to the value's bytes: integers get spilled to a slot. */
LLVMValueRef cg_value_ptr(struct cg *c, const struct gt_type *t, LLVMValueRef v)
{
	LLVMValueRef p;

	if (t->kind != GT_INT)
		return v;
	p = cg_tmp_raw(c, 8);
	cg_store64(c, p, 0, v);
	return p;
}

static LLVMValueRef bool64(struct cg *c, LLVMValueRef cond)
{
	return LLVMBuildZExt(c->b, cond, c->i64, "");
}

static LLVMValueRef is_true(struct cg *c, LLVMValueRef v)
{
	return LLVMBuildICmp(c->b, LLVMIntNE, v, cg_const(c, 0), "");
}

static LLVMValueRef str_literal(struct cg *c, struct node *n)
{
	LLVMValueRef p = cg_tmp(c, n->type.size);
	const unsigned char *s = (const unsigned char *)n->str;
	size_t len = strlen(n->str);

	for (unsigned off = 0; off < len; off += 8) {
		uint64_t w = 0;
		for (unsigned i = 0; i < 8 && off + i < len; i++)
			w |= (uint64_t)s[off + i] << (8 * i);
		cg_store64(c, p, off, cg_const(c, w));
	}
	return p;
}

/* String equality: buffers are zero-padded after the NUL, so comparing
 * whole words (a missing word of the shorter one counting as zero) is
 * exactly comparing the strings. */
static LLVMValueRef str_eq(struct cg *c, struct node *l, struct node *r)
{
	LLVMValueRef a = cg_expr(c, l), b = cg_expr(c, r);
	unsigned sa = l->type.size, sb = r->type.size, n = sa > sb ? sa : sb;
	LLVMValueRef diff = cg_const(c, 0);

	for (unsigned off = 0; off + 8 <= n; off += 8) {
		LLVMValueRef wa = off < sa ? cg_load64(c, a, off) : cg_const(c, 0);
		LLVMValueRef wb = off < sb ? cg_load64(c, b, off) : cg_const(c, 0);
		diff = LLVMBuildOr(c->b, diff, LLVMBuildXor(c->b, wa, wb, ""), "");
	}
	return LLVMBuildICmp(c->b, LLVMIntEQ, diff, cg_const(c, 0), "");
}

/* Equality of two C values read whole (arrays, structs): their bytes,
 * the last word masked to the type's size (a temporary's tail is not
 * cleared). */
static LLVMValueRef record_eq(struct cg *c, struct node *l, struct node *r)
{
	LLVMValueRef a = cg_expr(c, l), b = cg_expr(c, r), diff = cg_const(c, 0), x;
	unsigned size = (unsigned)l->type.gotype->size;

	for (unsigned off = 0; off < size; off += 8) {
		x = LLVMBuildXor(c->b, cg_load64(c, a, off), cg_load64(c, b, off), "");
		if (size - off < 8)
			x = LLVMBuildAnd(c->b, x, cg_const(c, (1ull << (8 * (size - off))) - 1), "");
		diff = LLVMBuildOr(c->b, diff, x, "");
	}
	return LLVMBuildICmp(c->b, LLVMIntEQ, diff, cg_const(c, 0), "");
}

/* Equality of two buf() values: the same length and the same bytes up to
 * it (bytes past the length are not cleared). bpftrace 0.17 strncmp()s
 * its buffers, which stops at a NUL; this does not. */
static LLVMValueRef buf_eq(struct cg *c, struct node *l, struct node *r)
{
	LLVMValueRef a = cg_expr(c, l), b = cg_expr(c, r), len = cg_load64(c, a, 0);
	LLVMValueRef diff = LLVMBuildXor(c->b, len, cg_load64(c, b, 0), ""), rem, mask, part;
	unsigned cap = (l->type.size < r->type.size ? l->type.size : r->type.size) - 8;

	for (unsigned off = 0; off < cap; off += 8) {
		rem = LLVMBuildSub(c->b, len, cg_const(c, off), "");
		part = LLVMBuildSub(c->b, LLVMBuildShl(c->b, cg_const(c, 1), LLVMBuildMul(c->b,
				    LLVMBuildAnd(c->b, rem, cg_const(c, 7), ""), cg_const(c, 8), ""), ""),
				    cg_const(c, 1), "");
		mask = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntSGE, rem, cg_const(c, 8), ""),
				       cg_const(c, ~0ull), LLVMBuildSelect(c->b,
				       LLVMBuildICmp(c->b, LLVMIntSLE, rem, cg_const(c, 0), ""),
				       cg_const(c, 0), part, ""), "");
		diff = LLVMBuildOr(c->b, diff, LLVMBuildAnd(c->b, mask, LLVMBuildXor(c->b,
				   cg_load64(c, a, 8 + off), cg_load64(c, b, 8 + off), ""), ""), "");
	}
	return LLVMBuildICmp(c->b, LLVMIntEQ, diff, cg_const(c, 0), "");
}

static LLVMValueRef compare(struct cg *c, struct node *n, LLVMValueRef l, LLVMValueRef r)
{
	bool s = n->lhs->type.is_signed && n->rhs->type.is_signed;
	LLVMIntPredicate p;

	switch (n->kind) {
	case N_EQ: p = LLVMIntEQ; break;
	case N_NE: p = LLVMIntNE; break;
	case N_LT: p = s ? LLVMIntSLT : LLVMIntULT; break;
	case N_LE: p = s ? LLVMIntSLE : LLVMIntULE; break;
	case N_GT: p = s ? LLVMIntSGT : LLVMIntUGT; break;
	default: p = s ? LLVMIntSGE : LLVMIntUGE; break;
	}
	return bool64(c, LLVMBuildICmp(c->b, p, l, r, ""));
}

/* && and ||: the right side runs only when it decides. */
static LLVMValueRef logical(struct cg *c, struct node *n)
{
	LLVMBasicBlockRef rhs_bb = cg_block(c, "logic_rhs"), join = cg_block(c, "logic_end");
	LLVMValueRef l = is_true(c, cg_expr(c, n->lhs)), r, phi, vals[2];
	LLVMBasicBlockRef from[2];

	from[0] = LLVMGetInsertBlock(c->b);
	if (n->kind == N_LAND)
		LLVMBuildCondBr(c->b, l, rhs_bb, join);
	else
		LLVMBuildCondBr(c->b, l, join, rhs_bb);
	LLVMPositionBuilderAtEnd(c->b, rhs_bb);
	r = bool64(c, is_true(c, cg_expr(c, n->rhs)));
	from[1] = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, join);
	LLVMPositionBuilderAtEnd(c->b, join);
	phi = LLVMBuildPhi(c->b, c->i64, "");
	vals[0] = cg_const(c, n->kind == N_LOR);
	vals[1] = r;
	LLVMAddIncoming(phi, vals, from, 2);
	return phi;
}

/* `/`, `%` and `>>` are unsigned, whatever the operands' types, as
 * bpftrace 0.17 computes them (BPF had no signed division). At run time
 * bpftrace's x / 0 is 0, x % 0 is x and a shift counts modulo 64, which
 * is what the BPF instructions do; here LLVM would make them poison
 * (the BPF backend then reads whatever a register held, once a kernel
 * address), so they are spelled out. */
static LLVMValueRef div_guarded(struct cg *c, struct node *n, LLVMValueRef l, LLVMValueRef r)
{
	LLVMValueRef zero = LLVMBuildICmp(c->b, LLVMIntEQ, r, cg_const(c, 0), ""), q;
	bool rem = n->kind == N_MOD;

	r = LLVMBuildSelect(c->b, zero, cg_const(c, 1), r, "");
	q = rem ? LLVMBuildURem(c->b, l, r, "") : LLVMBuildUDiv(c->b, l, r, "");
	return LLVMBuildSelect(c->b, zero, rem ? l : cg_const(c, 0), q, "");
}

static LLVMValueRef shift_masked(struct cg *c, struct node *n, LLVMValueRef l, LLVMValueRef r)
{
	r = LLVMBuildAnd(c->b, r, cg_const(c, 63), "");
	if (n->kind == N_SHL)
		return LLVMBuildShl(c->b, l, r, "");
	return LLVMBuildLShr(c->b, l, r, "");
}

static LLVMValueRef binop(struct cg *c, struct node *n)
{
	LLVMValueRef l, r;

	if (n->kind == N_LAND || n->kind == N_LOR)
		return logical(c, n);
	if ((n->kind == N_EQ || n->kind == N_NE) &&
	    (n->lhs->type.kind == GT_STR || n->lhs->type.kind == GT_RECORD ||
	     n->lhs->type.kind == GT_BUF)) {
		LLVMValueRef eq = n->lhs->type.kind == GT_STR ? str_eq(c, n->lhs, n->rhs) :
				  n->lhs->type.kind == GT_BUF ? buf_eq(c, n->lhs, n->rhs) :
				  record_eq(c, n->lhs, n->rhs);
		return bool64(c, n->kind == N_EQ ? eq : LLVMBuildNot(c->b, eq, ""));
	}
	l = cg_expr(c, n->lhs);
	r = cg_expr(c, n->rhs);
	switch (n->kind) {
	case N_ADD: return LLVMBuildAdd(c->b, l, r, "");
	case N_SUB: return LLVMBuildSub(c->b, l, r, "");
	case N_MUL: return LLVMBuildMul(c->b, l, r, "");
	case N_DIV: case N_MOD: return div_guarded(c, n, l, r);
	case N_BAND: return LLVMBuildAnd(c->b, l, r, "");
	case N_BOR: return LLVMBuildOr(c->b, l, r, "");
	case N_BXOR: return LLVMBuildXor(c->b, l, r, "");
	case N_SHL: case N_SHR: return shift_masked(c, n, l, r);
	default: return compare(c, n, l, r);
	}
}

/* v, an integer in 64 bits, at t's width and sign: cut and extended
 * again, so that a narrow variable wraps as C's would. Other values are
 * left alone. */
LLVMValueRef cg_int_fit(struct cg *c, const struct gt_type *t, LLVMValueRef v)
{
	if (t->kind != GT_INT || t->size >= 8 || t->size == 0)
		return v;
	v = LLVMBuildTrunc(c->b, v, LLVMIntTypeInContext(c->ctx, 8 * t->size), "");
	return t->is_signed ? LLVMBuildSExt(c->b, v, c->i64, "") : LLVMBuildZExt(c->b, v, c->i64, "");
}

static LLVMValueRef cast(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_expr(c, n->lhs);
	int bits = atoi(n->str + (n->str[0] == 'u' ? 4 : 3));
	LLVMTypeRef t = LLVMIntTypeInContext(c->ctx, bits);

	if (n->type.gotype)	/* to a C pointer: the same 64 bits */
		return v;
	if (bits == 64)
		return v;
	v = LLVMBuildTrunc(c->b, v, t, "");
	return n->type.is_signed ? LLVMBuildSExt(c->b, v, c->i64, "")
				 : LLVMBuildZExt(c->b, v, c->i64, "");
}

static LLVMValueRef ternary(struct cg *c, struct node *n)
{
	LLVMBasicBlockRef a = cg_block(c, "tern_a"), b = cg_block(c, "tern_b"),
			  join = cg_block(c, "tern_end"), from[2];
	LLVMValueRef va, vb, phi, vals[2], out = NULL;

	if (n->type.kind != GT_INT)
		out = cg_tmp(c, n->type.size);
	LLVMBuildCondBr(c->b, is_true(c, cg_expr(c, n->cond)), a, b);
	LLVMPositionBuilderAtEnd(c->b, a);
	va = cg_expr(c, n->lhs);
	if (out)
		cg_store_value(c, out, n->type.size, &n->lhs->type, va);
	from[0] = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, join);
	LLVMPositionBuilderAtEnd(c->b, b);
	vb = cg_expr(c, n->rhs);
	if (out)
		cg_store_value(c, out, n->type.size, &n->rhs->type, vb);
	from[1] = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, join);
	LLVMPositionBuilderAtEnd(c->b, join);
	if (out)
		return out;
	phi = LLVMBuildPhi(c->b, c->i64, "");
	vals[0] = va;
	vals[1] = vb;
	LLVMAddIncoming(phi, vals, from, 2);
	return phi;
}

/* ++x, x++, --x, x--, on a variable or a map element. */
static LLVMValueRef incdec(struct cg *c, struct node *n)
{
	bool inc = n->kind == N_PREINC || n->kind == N_POSTINC;
	bool post = n->kind == N_POSTINC || n->kind == N_POSTDEC;
	struct node *lv = n->lhs;
	LLVMValueRef old = cg_expr(c, lv), nv;

	/* a C pointer steps by its element's size (sema's ival) */
	LLVMValueRef step = cg_const(c, n->ival > 1 ? (uint64_t)n->ival : 1);

	nv = inc ? LLVMBuildAdd(c->b, old, step, "") : LLVMBuildSub(c->b, old, step, "");
	if (lv->kind == N_VAR)
		cg_var_store(c, lv->var, nv = cg_int_fit(c, &lv->type, nv));
	else
		cg_map_store(c, lv, &n->type, nv);
	return post ? old : nv;
}

static LLVMValueRef tuple(struct cg *c, struct node *n)
{
	LLVMValueRef p = cg_tmp(c, n->type.size);
	unsigned off = 0;

	for (struct node *a = n->args; a; a = a->next) {
		cg_store_value(c, cg_gep(c, p, off), gt_align8(a->type.size), &a->type,
			       cg_expr(c, a));
		off += gt_align8(a->type.size);
	}
	return p;
}

/* $t.i: the element's bytes inside the tuple's buffer. */
static LLVMValueRef tuple_index(struct cg *c, struct node *n)
{
	LLVMValueRef p = cg_expr(c, n->lhs);
	const struct gt_type *t = &n->lhs->type;
	unsigned off = 0;

	for (int i = 0; i < n->ival; i++)
		off += gt_align8(t->elems[i].size);
	if (n->type.kind == GT_INT)
		return cg_load64(c, p, off);
	return cg_gep(c, p, off);
}

LLVMValueRef cg_expr(struct cg *c, struct node *n)
{
	switch (n->kind) {
	case N_INT:
		return cg_const(c, (uint64_t)n->ival);
	case N_STR:
		return str_literal(c, n);
	case N_IDENT:
	case N_FIELD:
		return cg_builtin(c, n);
	case N_CALL:
		return cg_call(c, n);
	case N_MAP:
		return cg_map_read(c, n);
	case N_VAR:
		if (n->type.kind == GT_INT)
			return cg_var_load(c, n->var);
		return cg_var_slot(c, n->var);
	case N_TUPLE:
		return tuple(c, n);
	case N_CAST:
		return cast(c, n);
	case N_TERNARY:
		return ternary(c, n);
	case N_NEG:
		return cg_int_fit(c, &n->lhs->type, LLVMBuildNeg(c->b, cg_expr(c, n->lhs), ""));
	case N_NOT:
		return bool64(c, LLVMBuildICmp(c->b, LLVMIntEQ, cg_expr(c, n->lhs),
					       cg_const(c, 0), ""));
	case N_BITNOT:
		return cg_int_fit(c, &n->lhs->type, LLVMBuildNot(c->b, cg_expr(c, n->lhs), ""));
	case N_PREINC: case N_PREDEC: case N_POSTINC: case N_POSTDEC:
		return incdec(c, n);
	case N_INDEX:
		return tuple_index(c, n);
	case N_SUBSCRIPT:
		return cg_go_subscript(c, n);
	case N_DEREF:
		return cg_go_deref(c, n);
	case N_GOREAD:
		return cg_go_read(c, n);
	case N_GOSTR:
		return cg_go_string(c, n);
	default:
		return binop(c, n);
	}
}
