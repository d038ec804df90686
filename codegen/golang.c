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
 *
 * In a profile or tracepoint probe the thread that runs may be anyone's,
 * and is in the kernel (a tracepoint) or anywhere (a sample): goid and
 * go_ustack are those of a thread of the -p/-c target only (0 and an
 * empty stack for any other), g comes from TLS, and the user registers
 * are the task's saved ones (bpf_task_pt_regs: where the thread was in
 * user space when it entered the kernel or was interrupted).
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

/* Profile and tracepoint probes: no user registers in the context. */
static bool from_task(struct cg *c)
{
	return !(c->pp->type->caps & PC_UREGS);
}

/* 8 bytes of kernel memory at p + off, 0 if p is 0 or the read fails. */
static LLVMValueRef kread(struct cg *c, LLVMValueRef p, int off)
{
	LLVMValueRef buf = cg_tmp(c, 8), v;

	cg_helper(c, BPF_FUNC_probe_read_kernel, 3, buf, cg_const(c, 8),
		  LLVMBuildIntToPtr(c->b, add(c, p, off), c->i8p, ""));
	v = cg_load64(c, buf, 0);
	cg_tmp_done(c, buf);
	return v;
}

/* g from the TLS slot: task->thread.fsbase + go_tls_g (usually -8). */
static LLVMValueRef tls_g(struct cg *c)
{
	int off = arch_task_fsbase_offset();
	LLVMValueRef fsbase;

	if (off < 0) {
		snprintf(c->err, sizeof(c->err),
			 "goid: cannot find task_struct.thread.fsbase in the kernel's BTF");
		return cg_const(c, 0);
	}
	fsbase = kread(c, cg_helper(c, BPF_FUNC_get_current_task, 0), off);
	/* A sampled thread may have no TLS yet (the runtime sets it up
	 * first thing): no g, not a fault. */
	return read_user(c, add(c, fsbase, c->pp->go_tls_g), !from_task(c));
}

/* From a profile or tracepoint probe, go on to `go` only in a thread of
 * the target running its executable: the -c command's process runs
 * gotrace's own code until its exec, and its TLS then holds no g. The
 * executable is the inode of task->mm->exe_file. Other threads go to
 * `other`. */
static void only_target(struct cg *c, LLVMBasicBlockRef go, LLVMBasicBlockRef other)
{
	int mm = arch_kernel_offset("task_struct", "mm"),
	    exe = arch_kernel_offset("mm_struct", "exe_file"),
	    inode = arch_kernel_offset("file", "f_inode"), ino = arch_kernel_offset("inode", "i_ino");
	LLVMBasicBlockRef same = cg_block(c, "target_pid");
	LLVMValueRef v;

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, cg_pid(c),
					    cg_const(c, (uint64_t)c->pp->ap.pid), ""), same, other);
	LLVMPositionBuilderAtEnd(c->b, same);
	if (mm < 0 || exe < 0 || inode < 0 || ino < 0) {
		snprintf(c->err, sizeof(c->err), "goid, go_ustack: cannot find task_struct.mm, "
			 "mm_struct.exe_file, file.f_inode or inode.i_ino in the kernel's BTF");
		LLVMBuildBr(c->b, other);
		LLVMPositionBuilderAtEnd(c->b, go);
		return;
	}
	v = kread(c, cg_helper(c, BPF_FUNC_get_current_task, 0), mm);
	v = kread(c, kread(c, kread(c, v, exe), inode), ino);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, v,
					    cg_const(c, bin_inode(c->pp->ap.bin)), ""), go, other);
	LLVMPositionBuilderAtEnd(c->b, go);
}

/* The task's saved user registers (struct pt_regs), copied once. */
static LLVMValueRef task_uregs(struct cg *c)
{
	int size = arch_sp_offset() + 16;	/* sp and ss are pt_regs' last */
	LLVMValueRef regs = cg_tmp(c, (unsigned)size), task, p;

	task = cg_helper(c, BPF_FUNC_get_current_task_btf, 0);
	p = cg_helper(c, BPF_FUNC_task_pt_regs, 1, task);
	cg_helper(c, BPF_FUNC_probe_read_kernel, 3, regs, cg_const(c, (uint64_t)size),
		  LLVMBuildIntToPtr(c->b, p, c->i8p, ""));
	return regs;
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
	LLVMValueRef g, goid, slot = cg_tmp(c, 8), m, curg;
	LLVMBasicBlockRef g0 = cg_block(c, "on_g0"), have = cg_block(c, "curg"),
			  done = cg_block(c, "goid_done"), read = cg_block(c, "goid_read");

	if (from_task(c))
		only_target(c, cg_block(c, "goid_target"), done);
	g = current_g(c);
	/* no g: a thread Go did not start (cgo), or before the runtime's */
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, g, cg_const(c, 0), ""), read, done);
	LLVMPositionBuilderAtEnd(c->b, read);
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

/* Frames first..depth-1 by the frame records from the one BP points at:
 * [fp] is the caller's frame pointer, [fp+8] a return address. Each
 * found frame is stored and counted; the walk ends at `done`. */
struct walk {
	LLVMValueRef buf, cnt, bp, sp, chunk, chunk_ok;
	int depth;
	LLVMBasicBlockRef done;
};

static void walk_frames(struct cg *c, const struct walk *w, int first)
{
	for (int i = first; i < w->depth; i++) {
		LLVMBasicBlockRef step = cg_block(c, "walk_step"), fast = cg_block(c, "walk_fast"),
				  slow = cg_block(c, "walk_slow"), next = cg_block(c, "walk_next");
		LLVMValueRef fp = cg_load64(c, w->bp, 0), rc, ret, off, in, rec;
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, fp, cg_const(c, 0), ""),
				step, w->done);
		LLVMPositionBuilderAtEnd(c->b, step);
		off = LLVMBuildSub(c->b, fp, w->sp, "");
		in = LLVMBuildAnd(c->b, w->chunk_ok,
			LLVMBuildICmp(c->b, LLVMIntULE, off, cg_const(c, GO_STACK_CHUNK - 16), ""), "");
		in = LLVMBuildAnd(c->b, in, LLVMBuildICmp(c->b, LLVMIntEQ,
			LLVMBuildAnd(c->b, off, cg_const(c, 7), ""), cg_const(c, 0), ""), "");
		LLVMBuildCondBr(c->b, in, fast, slow);
		LLVMPositionBuilderAtEnd(c->b, fast);
		/* the mask restates the bound for the verifier */
		off = LLVMBuildAnd(c->b, off, cg_const(c, GO_STACK_CHUNK - 8), "");
		rec = LLVMBuildGEP2(c->b, c->i8, w->chunk, &off, 1, "");
		cg_store64(c, w->bp, 0, cg_load64(c, rec, 0));
		cg_store64(c, w->bp, 8, cg_load64(c, rec, 8));
		LLVMBuildBr(c->b, next);
		LLVMPositionBuilderAtEnd(c->b, slow);
		rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, w->bp, cg_const(c, 16),
			       LLVMBuildIntToPtr(c->b, fp, c->i8p, ""));
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), ""),
				next, w->done);
		LLVMPositionBuilderAtEnd(c->b, next);
		ret = cg_load64(c, w->bp, 8);
		step = cg_block(c, "walk_store");
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, ret, cg_const(c, 0), ""),
				step, w->done);
		LLVMPositionBuilderAtEnd(c->b, step);
		cg_store64(c, w->buf, 8 + 8 * i, ret);
		cg_store64(c, w->cnt, 0, cg_const(c, i + 1));
	}
	LLVMBuildBr(c->b, w->done);
}

/* [SP], from the chunk copied from SP when it could be read. */
static LLVMValueRef word_at_sp(struct cg *c, const struct walk *w)
{
	LLVMBasicBlockRef slow = cg_block(c, "sp_slow"), have = cg_block(c, "sp_have");
	LLVMValueRef slot = cg_tmp(c, 8);

	cg_store64(c, slot, 0, cg_load64(c, w->chunk, 0));
	LLVMBuildCondBr(c->b, w->chunk_ok, have, slow);
	LLVMPositionBuilderAtEnd(c->b, slow);
	cg_store64(c, slot, 0, read_user(c, w->sp, false));
	LLVMBuildBr(c->b, have);
	LLVMPositionBuilderAtEnd(c->b, have);
	return cg_load64(c, slot, 0);
}

/* Is file address a inside one of the target's frameless functions? A
 * binary search of the frameless map, unrolled: lo, hi and the answer
 * live in `state`. */
static LLVMValueRef in_frameless(struct cg *c, LLVMValueRef a)
{
	LLVMValueRef state = cg_tmp(c, 24), key = cg_tmp(c, 8), map = c->frameless;
	LLVMBasicBlockRef done = cg_block(c, "frameless_done");
	size_t n = c->plan->nframeless;
	int steps = 1;

	while (((size_t)1 << steps) <= n)
		steps++;
	cg_store64(c, state, 8, cg_const(c, n));
	for (int i = 0; i < steps; i++) {
		LLVMBasicBlockRef look = cg_block(c, "frameless_look");
		LLVMValueRef lo = cg_load64(c, state, 0), hi = cg_load64(c, state, 8), mid, v, start, end;

		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, lo, hi, ""), look, done);
		LLVMPositionBuilderAtEnd(c->b, look);
		mid = LLVMBuildLShr(c->b, LLVMBuildAdd(c->b, lo, hi, ""), cg_const(c, 1), "");
		cg_store64(c, key, 0, mid);
		v = cg_lookup(c, map, key, done);
		start = cg_load64(c, v, 0);
		end = cg_load64(c, v, 8);
		cg_store64(c, state, 0, LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntUGE, a, end, ""),
			   LLVMBuildAdd(c->b, mid, cg_const(c, 1), ""), lo, ""));
		cg_store64(c, state, 8, LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntULT, a, start, ""),
			   mid, hi, ""));
		cg_store64(c, state, 16, LLVMBuildOr(c->b, cg_load64(c, state, 16), LLVMBuildZExt(c->b,
			   LLVMBuildAnd(c->b, LLVMBuildICmp(c->b, LLVMIntUGE, a, start, ""),
					LLVMBuildICmp(c->b, LLVMIntULT, a, end, ""), ""), c->i64, ""), ""));
	}
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return LLVMBuildICmp(c->b, LLVMIntNE, cg_load64(c, state, 16), cg_const(c, 0), "");
}

/* A sample can land anywhere: in a frameless function (a leaf without
 * locals, memmove, ...) BP is still the caller's, so its caller is at
 * [SP] and the walk goes on from BP; anywhere else the walk starts at BP.
 * The sampled IP is a runtime address: mm->start_code less the lowest
 * executable address of the file gives the load bias. */
static void walk_from_task(struct cg *c, const struct walk *w)
{
	int mm = arch_kernel_offset("task_struct", "mm"),
	    code = arch_kernel_offset("mm_struct", "start_code");
	LLVMBasicBlockRef leaf = cg_block(c, "in_frameless"), framed = cg_block(c, "framed");
	LLVMValueRef ip = cg_load64(c, w->buf, 8), start, a;

	if (!c->plan->nframeless || w->depth < 2 || mm < 0 || code < 0) {
		walk_frames(c, w, 1);
		return;
	}
	start = kread(c, kread(c, cg_helper(c, BPF_FUNC_get_current_task, 0), mm), code);
	a = LLVMBuildAdd(c->b, LLVMBuildSub(c->b, ip, start, ""),
			 cg_const(c, c->plan->exec_vaddr), "");
	LLVMBuildCondBr(c->b, in_frameless(c, a), leaf, framed);
	LLVMPositionBuilderAtEnd(c->b, leaf);
	cg_store64(c, w->buf, 16, word_at_sp(c, w));
	cg_store64(c, w->cnt, 0, cg_const(c, 2));
	walk_frames(c, w, 2);
	LLVMPositionBuilderAtEnd(c->b, framed);
	walk_frames(c, w, 1);
}

LLVMValueRef cg_go_ustack(struct cg *c, struct node *n)
{
	struct walk w = { .depth = n->type.depth, .done = cg_block(c, "walk_done") };
	LLVMValueRef regs, n_frames;

	w.buf = cg_tmp(c, n->type.size);
	w.cnt = cg_tmp(c, 8);
	w.bp = cg_tmp(c, 16);
	if (from_task(c)) {
		only_target(c, cg_block(c, "walk_target"), w.done);
		regs = task_uregs(c);
		w.sp = cg_load64(c, regs, (unsigned)arch_sp_offset());
		cg_store64(c, w.buf, 8, cg_load64(c, regs, (unsigned)arch_ip_offset()));
		cg_store64(c, w.bp, 0, cg_load64(c, regs, (unsigned)arch_reg_offset("bp")));
	} else {
		w.sp = cg_reg(c, arch_sp_offset());
		cg_store64(c, w.buf, 8, cg_helper(c, BPF_FUNC_get_func_ip, 1, c->ctx_arg));
		cg_store64(c, w.bp, 0, cg_reg(c, arch_reg_offset("bp")));
	}
	cg_store64(c, w.cnt, 0, cg_const(c, 1));
	if (w.depth > 1) {
		LLVMValueRef rc;
		/* 8 spare bytes: the verifier sees both words of a record in bounds */
		w.chunk = cg_tmp(c, GO_STACK_CHUNK + 8);
		rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, w.chunk, cg_const(c, GO_STACK_CHUNK),
			       LLVMBuildIntToPtr(c->b, w.sp, c->i8p, ""));
		w.chunk_ok = LLVMBuildICmp(c->b, LLVMIntEQ, rc, cg_const(c, 0), "");
	}
	if (from_task(c)) {
		walk_from_task(c, &w);
	} else if (!c->pp->ap.go_entry && !c->pp->ap.go_ret_sites && w.depth > 1) {
		caller_by_sp_delta(c, w.buf, w.cnt, w.bp, w.sp);
		walk_frames(c, &w, 2);
	} else if (w.depth > 1) {
		/* at the entry or a RET the return address is at [SP] */
		cg_store64(c, w.buf, 16, word_at_sp(c, &w));
		cg_store64(c, w.cnt, 0, cg_const(c, 2));
		walk_frames(c, &w, 2);
	} else {
		LLVMBuildBr(c->b, w.done);
	}
	LLVMPositionBuilderAtEnd(c->b, w.done);
	/* an empty stack (another process's thread) is one key, pid 0 */
	n_frames = cg_load64(c, w.cnt, 0);
	cg_store64(c, w.buf, 0, LLVMBuildSelect(c->b,
		   LLVMBuildICmp(c->b, LLVMIntEQ, n_frames, cg_const(c, 0), ""), cg_const(c, 0),
		   LLVMBuildOr(c->b, cg_pid(c), LLVMBuildShl(c->b, n_frames, cg_const(c, 32), ""), ""),
		   ""));
	return w.buf;
}
