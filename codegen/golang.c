/*
 * Go-aware builtins: goid, go_arg, go_str, go_ret and go_ustack.
 *
 * The current goroutine is the runtime's g. In ABIInternal Go code on
 * amd64 (Go 1.17+), R14 holds g at a function's entry and at its RET
 * instructions, which are exactly where gotrace's uprobes and Go return
 * probes sit; anywhere else (an offset into a function, or Go before
 * 1.17) g is read from the thread's TLS slot at fsbase-8. On the system
 * stack g is the M's g0, whose goid is 0: there we report m.curg's goid,
 * as the runtime itself attributes the work.
 *
 * Every user-memory read goes through read_user(), which yields 0 when
 * the read faults and counts the fault, so that the runtime can warn.
 */
#include <stdio.h>

#include <linux/bpf.h>

#include "arch/arch.h"
#include "codegen/cg_int.h"

/* 8 bytes of user memory at addr, or 0 (and a counted fault). */
static LLVMValueRef read_user(struct cg *c, LLVMValueRef addr, bool count_fault)
{
	LLVMValueRef buf = cg_tmp(c, 8), rc;

	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, buf, cg_const(c, 8),
		       LLVMBuildIntToPtr(c->b, addr, c->i8p, ""));
	if (count_fault)
		cg_count_fault(c, rc);
	return cg_load64(c, buf, 0);
}

static LLVMValueRef add(struct cg *c, LLVMValueRef v, int64_t off)
{
	return LLVMBuildAdd(c->b, v, cg_const(c, (uint64_t)off), "");
}

/* g from the TLS slot: task->thread.fsbase + go_tls_g (usually -8). */
static LLVMValueRef tls_g(struct cg *c)
{
	int off = arch_task_fsbase_offset();
	LLVMValueRef task, buf = cg_tmp(c, 8);

	if (off < 0) {
		snprintf(c->err, sizeof(c->err),
			 "goid: cannot find task_struct.thread.fsbase in the kernel's BTF");
		return cg_const(c, 0);
	}
	task = cg_helper(c, BPF_FUNC_get_current_task, 0);
	cg_helper(c, BPF_FUNC_probe_read_kernel, 3, buf, cg_const(c, 8),
		  LLVMBuildIntToPtr(c->b, add(c, task, off), c->i8p, ""));
	return read_user(c, add(c, cg_load64(c, buf, 0), c->pp->go_tls_g), true);
}

static LLVMValueRef current_g(struct cg *c)
{
	struct plan_prog *pp = c->pp;

	if (pp->ap.go_regabi && (pp->ap.go_entry || pp->ap.go_ret_sites))
		return cg_reg(c, arch_go_g_offset());
	return tls_g(c);
}

LLVMValueRef cg_go_goid(struct cg *c, struct node *n)
{
	const struct go_offsets *o = &c->pp->goff;
	LLVMValueRef g = current_g(c), goid, slot = cg_tmp(c, 8), m, curg;
	LLVMBasicBlockRef g0 = cg_block(c, "on_g0"), have = cg_block(c, "curg"),
			  done = cg_block(c, "goid_done");

	goid = read_user(c, add(c, g, o->g_goid), true);
	cg_store64(c, slot, 0, goid);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, goid, cg_const(c, 0), ""),
			g0, done);
	/* g0 (goid 0): the user goroutine this M runs is m.curg. */
	LLVMPositionBuilderAtEnd(c->b, g0);
	m = read_user(c, add(c, g, o->g_m), true);
	curg = read_user(c, add(c, m, o->m_curg), true);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, curg, cg_const(c, 0), ""),
			have, done);
	LLVMPositionBuilderAtEnd(c->b, have);
	cg_store64(c, slot, 0, read_user(c, add(c, curg, o->g_goid), true));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return cg_load64(c, slot, 0);
}

/* Word n of Go's argument (or, at a RET, result) registers; with the
 * stack ABI, the n-th word above the return address. */
LLVMValueRef cg_go_word(struct cg *c, int n)
{
	if (c->pp->ap.go_regabi)
		return cg_reg(c, arch_go_arg_offset(n));
	return read_user(c, add(c, cg_reg(c, arch_sp_offset()), 8 + 8 * n), true);
}

#define word cg_go_word

/* A Go value's bits at its width and sign: a register holds an int32 in
 * its low half and whatever was there above, a bool in its low byte. */
LLVMValueRef cg_go_extend(struct cg *c, const struct gt_type *t, LLVMValueRef v)
{
	unsigned size = t->gotype ? (unsigned)t->gotype->size : 8;
	LLVMTypeRef narrow;

	if (size == 0 || size >= 8)
		return v;
	narrow = LLVMIntTypeInContext(c->ctx, size * 8);
	v = LLVMBuildTrunc(c->b, v, narrow, "");
	return t->is_signed ? LLVMBuildSExt(c->b, v, c->i64, "") : LLVMBuildZExt(c->b, v, c->i64, "");
}

/* go_arg(n), go_ret(n): a register word, at its Go type's width; a Go
 * value in registers has no value of its own (codegen/govalues.c reads
 * its words). */
LLVMValueRef cg_go_arg(struct cg *c, struct node *n)
{
	if (n->type.kind == GT_GO)
		return cg_const(c, 0);
	return cg_go_extend(c, &n->type, word(c, (int)n->ival));
}

/* The bytes of the Go string (ptr, len), up to `max` (at most 1024,
 * BPFTRACE_STRLEN's limit) into a zeroed buffer of `size`: Go strings have
 * no NUL. A string cut at the bound is counted, for the warning at exit. */
LLVMValueRef cg_go_string_bytes(struct cg *c, LLVMValueRef ptr, LLVMValueRef len,
				unsigned max, unsigned size)
{
	LLVMValueRef lim = cg_const(c, max), buf = cg_tmp(c, size), rc;
	LLVMBasicBlockRef doit = cg_block(c, "go_str_read"), done = cg_block(c, "go_str_done");

	cg_count_if(c, LLVMBuildICmp(c->b, LLVMIntUGT, len, lim, ""), c->drops,
		    plan_loss_slot(c->plan->nmaps, PLAN_LOSS_GO_STRINGS));
	len = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntUGT, len, lim, ""), lim, len, "");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, len, cg_const(c, 0), ""),
			doit, done);
	LLVMPositionBuilderAtEnd(c->b, doit);
	/* The verifier wants the size provably within the buffer. */
	len = LLVMBuildAnd(c->b, len, cg_const(c, 0x7ff), "");
	len = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntUGT, len, lim, ""), lim, len, "");
	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, buf, len,
		       LLVMBuildIntToPtr(c->b, ptr, c->i8p, ""));
	cg_count_fault(c, rc);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return buf;
}

/* go_str(n, max): the string in argument (or result) words n and n+1. */
LLVMValueRef cg_go_str(struct cg *c, struct node *n)
{
	return cg_go_string_bytes(c, word(c, (int)n->ival), word(c, (int)n->ival + 1),
				  (unsigned)n->type.depth, n->type.size);
}

/*
 * go_ustack(n): walk Go's frame pointers by hand. The kernel's walker
 * starts from BP, which at a function's entry (and at a RET, after the
 * epilogue popped the frame) is still the caller's frame, so it would
 * skip the caller; here the caller's return address is taken from [SP].
 *
 * One bpf_probe_read_user costs far more than the bytes it copies, and Go
 * frames sit next to each other on the goroutine stack, so the walk reads
 * GO_STACK_CHUNK bytes from SP once and takes each frame record (saved
 * BP, return address) from that copy while it lies inside; past it (a
 * big frame), or if the chunk could not be read, one read per frame.
 */
#define GO_STACK_CHUNK 512

/* Inside a function (an offset, an inlined copy) the caller's return
 * address is at SP + the SP delta the pclntab gives for the site, which
 * the cookie carries (plan_cookie()). A function that has moved SP has a
 * frame, whose saved BP is the caller's frame pointer; one that has not
 * (a leaf without locals) left BP to its caller. Walking from BP alone
 * would skip the caller of a frameless function. If the delta is
 * unknown, the caller is taken from BP's frame record, as the rest of
 * the walk does. */
static void caller_by_sp_delta(struct cg *c, LLVMValueRef buf, LLVMValueRef cnt,
			       LLVMValueRef bp, LLVMValueRef sp)
{
	LLVMBasicBlockRef known = cg_block(c, "sp_delta_known"), unknown = cg_block(c, "sp_delta_unknown"),
			  done = cg_block(c, "sp_delta_done");
	LLVMValueRef delta = LLVMBuildLShr(c->b, cg_helper(c, BPF_FUNC_get_attach_cookie, 1,
							   c->ctx_arg), cg_const(c, 48), "");
	LLVMValueRef framed, fp;

	LLVMValueRef rc;

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, delta,
					    cg_const(c, PLAN_COOKIE_NO_SP), ""), known, unknown);
	LLVMPositionBuilderAtEnd(c->b, unknown);
	/* [BP] is the caller's frame pointer, [BP+8] the return address */
	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, bp, cg_const(c, 16),
		       LLVMBuildIntToPtr(c->b, cg_load64(c, bp, 0), c->i8p, ""));
	fp = LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), "");
	cg_store64(c, buf, 16, LLVMBuildSelect(c->b, fp, cg_load64(c, bp, 8), cg_const(c, 0), ""));
	cg_store64(c, cnt, 0, LLVMBuildSelect(c->b, fp, cg_const(c, 2), cg_const(c, 1), ""));
	cg_store64(c, bp, 0, LLVMBuildSelect(c->b, fp, cg_load64(c, bp, 0), cg_const(c, 0), ""));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, known);
	cg_store64(c, buf, 16, read_user(c, LLVMBuildAdd(c->b, sp, delta, ""), false));
	cg_store64(c, cnt, 0, cg_const(c, 2));
	framed = LLVMBuildICmp(c->b, LLVMIntNE, delta, cg_const(c, 0), "");
	fp = cg_load64(c, bp, 0);
	cg_store64(c, bp, 0, LLVMBuildSelect(c->b, framed, read_user(c, fp, false), fp, ""));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

LLVMValueRef cg_go_ustack(struct cg *c, struct node *n)
{
	int depth = n->type.depth, first = 1;
	LLVMValueRef buf = cg_tmp(c, n->type.size), cnt = cg_tmp(c, 8), bp = cg_tmp(c, 16);
	LLVMValueRef chunk = NULL, sp = cg_reg(c, arch_sp_offset()), chunk_ok = NULL;
	LLVMBasicBlockRef done = cg_block(c, "walk_done");

	cg_store64(c, buf, 8, cg_helper(c, BPF_FUNC_get_func_ip, 1, c->ctx_arg));
	cg_store64(c, cnt, 0, cg_const(c, 1));
	cg_store64(c, bp, 0, cg_reg(c, arch_reg_offset("bp")));
	if (depth > 1) {
		LLVMValueRef rc;
		/* 8 spare bytes: the verifier sees both words of a record in bounds */
		chunk = cg_tmp(c, GO_STACK_CHUNK + 8);
		rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, chunk, cg_const(c, GO_STACK_CHUNK),
			       LLVMBuildIntToPtr(c->b, sp, c->i8p, ""));
		chunk_ok = LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), "");
	}
	if (!c->pp->ap.go_entry && !c->pp->ap.go_ret_sites && depth > 1) {
		caller_by_sp_delta(c, buf, cnt, bp, sp);
		first = 2;
	} else if (depth > 1) {
		LLVMBasicBlockRef slow = cg_block(c, "sp_slow"), have = cg_block(c, "sp_have");
		LLVMValueRef slot = cg_tmp(c, 8);
		cg_store64(c, slot, 0, cg_load64(c, chunk, 0));
		LLVMBuildCondBr(c->b, chunk_ok, have, slow);
		LLVMPositionBuilderAtEnd(c->b, slow);
		cg_store64(c, slot, 0, read_user(c, sp, false));
		LLVMBuildBr(c->b, have);
		LLVMPositionBuilderAtEnd(c->b, have);
		cg_store64(c, buf, 16, cg_load64(c, slot, 0));
		cg_store64(c, cnt, 0, cg_const(c, 2));
		first = 2;
	}
	for (int i = first; i < depth; i++) {
		LLVMBasicBlockRef step = cg_block(c, "walk_step"), fast = cg_block(c, "walk_fast"),
				  slow = cg_block(c, "walk_slow"), next = cg_block(c, "walk_next");
		LLVMValueRef fp = cg_load64(c, bp, 0), rc, ret, off, in, rec;
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, fp, cg_const(c, 0), ""),
				step, done);
		LLVMPositionBuilderAtEnd(c->b, step);
		/* [fp] is the caller's frame pointer, [fp+8] our return address */
		off = LLVMBuildSub(c->b, fp, sp, "");
		in = LLVMBuildAnd(c->b, chunk_ok,
			LLVMBuildICmp(c->b, LLVMIntULE, off, cg_const(c, GO_STACK_CHUNK - 16), ""), "");
		in = LLVMBuildAnd(c->b, in, LLVMBuildICmp(c->b, LLVMIntEQ,
			LLVMBuildAnd(c->b, off, cg_const(c, 7), ""), cg_const(c, 0), ""), "");
		LLVMBuildCondBr(c->b, in, fast, slow);
		LLVMPositionBuilderAtEnd(c->b, fast);
		/* the mask restates the bound for the verifier */
		off = LLVMBuildAnd(c->b, off, cg_const(c, GO_STACK_CHUNK - 8), "");
		rec = LLVMBuildGEP2(c->b, c->i8, chunk, &off, 1, "");
		cg_store64(c, bp, 0, cg_load64(c, rec, 0));
		cg_store64(c, bp, 8, cg_load64(c, rec, 8));
		LLVMBuildBr(c->b, next);
		LLVMPositionBuilderAtEnd(c->b, slow);
		rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, bp, cg_const(c, 16),
			       LLVMBuildIntToPtr(c->b, fp, c->i8p, ""));
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), ""),
				next, done);
		LLVMPositionBuilderAtEnd(c->b, next);
		ret = cg_load64(c, bp, 8);
		step = cg_block(c, "walk_store");
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, ret, cg_const(c, 0), ""),
				step, done);
		LLVMPositionBuilderAtEnd(c->b, step);
		cg_store64(c, buf, 8 + 8 * i, ret);
		cg_store64(c, cnt, 0, cg_const(c, i + 1));
	}
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	cg_store64(c, buf, 0, LLVMBuildOr(c->b, cg_pid(c),
		   LLVMBuildShl(c->b, cg_load64(c, cnt, 0), cg_const(c, 32), ""), ""));
	return buf;
}
