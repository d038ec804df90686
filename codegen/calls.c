/*
 * Builtins and function calls: two tables indexed by the ids of
 * sema/builtins.h, one codegen hook per entry. Ids without a hook are
 * folded into constants by sema (cpid, sizeof) or handled as map
 * assignments (the aggregations: maps.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/bpf.h>

#include "arch/arch.h"
#include "codegen/cg_int.h"

LLVMValueRef cg_reg(struct cg *c, int off)
{
	return cg_load64(c, c->ctx_arg, (unsigned)off);
}

#define reg cg_reg

/* pid and tid cannot change while a program runs, so in a callback (a
 * part of a long probe, codegen/mapiter.c, or a for loop's body) the
 * helper is called once, in its entry block, however many times the
 * callback uses them: bench/compile's 1,000 statements made 1,200 calls,
 * each a call in LLVM's back end. Elsewhere each use calls it: a value kept for a whole function takes
 * one of BPF's four callee-saved registers, and a probe keeping some 50
 * variables live then ran out of its 512 bytes of stack sooner. */
static LLVMValueRef pid_tgid(struct cg *c)
{
	LLVMBasicBlockRef here;

	if (c->fn == c->prog_fn)
		return cg_helper(c, BPF_FUNC_get_current_pid_tgid, 0);
	if (c->pid_tgid_fn != c->fn) {
		here = LLVMGetInsertBlock(c->b);
		LLVMPositionBuilderAtEnd(c->b, c->entry);
		c->pid_tgid = cg_helper(c, BPF_FUNC_get_current_pid_tgid, 0);
		c->pid_tgid_fn = c->fn;
		LLVMPositionBuilderAtEnd(c->b, here);
	}
	return c->pid_tgid;
}

LLVMValueRef cg_pid(struct cg *c)
{
	return LLVMBuildLShr(c->b, pid_tgid(c), cg_const(c, 32), "");
}

static LLVMValueRef bi_pid(struct cg *c, struct node *n)
{
	return cg_pid(c);
}

static LLVMValueRef bi_tid(struct cg *c, struct node *n)
{
	return LLVMBuildAnd(c->b, pid_tgid(c), cg_const(c, 0xffffffff), "");
}

static LLVMValueRef bi_uid(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_helper(c, BPF_FUNC_get_current_uid_gid, 0);
	return LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), "");
}

static LLVMValueRef bi_gid(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_helper(c, BPF_FUNC_get_current_uid_gid, 0);
	return LLVMBuildLShr(c->b, v, cg_const(c, 32), "");
}

static LLVMValueRef bi_comm(struct cg *c, struct node *n)
{
	LLVMValueRef buf = cg_tmp(c, 16);

	cg_helper(c, BPF_FUNC_get_current_comm, 2, buf, cg_const(c, 16));
	return buf;
}

static LLVMValueRef bi_nsecs(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_ktime_get_ns, 0);
}

/* nsecs minus the start time the runtime put in cfg[0]. */
static LLVMValueRef bi_elapsed(struct cg *c, struct node *n)
{
	LLVMValueRef key = cg_tmp(c, 8), p, start = cg_tmp(c, 8);
	LLVMBasicBlockRef done = cg_block(c, "cfg_done");

	cg_store64(c, key, 0, cg_const(c, PLAN_CFG_START_NS));
	p = cg_lookup(c, c->cfg, key, done);
	cg_store64(c, start, 0, cg_load64(c, p, 0));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return LLVMBuildSub(c->b, bi_nsecs(c, n), cg_load64(c, start, 0), "");
}

static LLVMValueRef bi_cpu(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_get_smp_processor_id, 0);
}

/* An index in the plan's probe-name table; the runtime prints the name.
 * A uprobe program may cover many functions: each site's BPF cookie
 * holds its own probe name's index, and its function's (plan_cookie()). */
static LLVMValueRef bi_probe(struct cg *c, struct node *n)
{
	LLVMValueRef buf = cg_tmp(c, 8), v;

	if (c->pp->type->caps & PC_COOKIE)
		v = LLVMBuildAnd(c->b, cg_helper(c, BPF_FUNC_get_attach_cookie, 1, c->ctx_arg),
				 cg_const(c, PLAN_COOKIE_NAME), "");
	else
		v = cg_const(c, c->pp->probe_id);
	cg_store64(c, buf, 0, v);
	return buf;
}

/* The probed function's name, from the cookie: at every RET of a Go
 * function, and at every inlined copy, the same key. */
static LLVMValueRef bi_func(struct cg *c, struct node *n)
{
	LLVMValueRef buf = cg_tmp(c, 8);
	LLVMValueRef cookie = cg_helper(c, BPF_FUNC_get_attach_cookie, 1, c->ctx_arg);

	cg_store64(c, buf, 0, LLVMBuildAnd(c->b, LLVMBuildLShr(c->b, cookie, cg_const(c, 24), ""),
					   cg_const(c, PLAN_COOKIE_NAME), ""));
	return buf;
}

static LLVMValueRef bi_arg(struct cg *c, struct node *n)
{
	/* a USDT site says where each of its arguments is */
	if (c->pp->ap.usdt_args)
		return cg_usdt_arg(c, n, n->builtin->id - BI_ARG0);
	return reg(c, arch_c_arg_offset(n->builtin->id - BI_ARG0));
}

/* sargN: 8 bytes of the user stack, or 0 (a counted fault). */
static LLVMValueRef bi_sarg(struct cg *c, struct node *n)
{
	int i = atoi(n->str + 4);
	LLVMValueRef buf = cg_tmp(c, 8), addr, rc;

	addr = LLVMBuildAdd(c->b, reg(c, arch_sp_offset()),
			    cg_const(c, (uint64_t)arch_c_stack_arg_offset(i)), "");
	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, buf, cg_const(c, 8),
		       LLVMBuildIntToPtr(c->b, addr, c->i8p, ""));
	cg_count_fault(c, rc);
	return cg_load64(c, buf, 0);
}

static LLVMValueRef bi_retval(struct cg *c, struct node *n)
{
	return reg(c, arch_ret_offset());
}

/* reg("ip"): sema checked the name. */
static LLVMValueRef fn_reg(struct cg *c, struct node *n)
{
	return reg(c, arch_reg_offset(n->args->str));
}

/* The 64-bit hash that keys a deep stack in its store: each of the nr
 * (>= 1) frames is mixed in with a multiply and a shift, so frames in
 * another order give another hash. It is a loop, bounded by depth for
 * the verifier, not unrolled: unrolled, LLVM loads all the frames first
 * and spills them past the 512-byte stack, and a Go stack has tens of
 * frames, not 127. */
static LLVMValueRef stack_hash(struct cg *c, LLVMValueRef frames, int depth, LLVMValueRef nr)
{
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b), loop = cg_block(c, "hash_loop"),
			  done = cg_block(c, "hash_done");
	LLVMValueRef i, h, off, w, next_i, next_h;

	LLVMBuildBr(c->b, loop);
	LLVMPositionBuilderAtEnd(c->b, loop);
	i = LLVMBuildPhi(c->b, c->i64, "i");
	h = LLVMBuildPhi(c->b, c->i64, "h");
	off = LLVMBuildShl(c->b, i, cg_const(c, 3), "");
	w = LLVMBuildLoad2(c->b, c->i64, LLVMBuildBitCast(c->b,
		LLVMBuildGEP2(c->b, c->i8, frames, &off, 1, ""),
		LLVMPointerType(c->i64, 0), ""), "");
	next_h = LLVMBuildMul(c->b, LLVMBuildXor(c->b, h, w, ""),
			      cg_const(c, 0x9e3779b97f4a7c15ull), "");
	next_h = LLVMBuildXor(c->b, next_h, LLVMBuildLShr(c->b, next_h, cg_const(c, 29), ""), "");
	next_i = LLVMBuildAdd(c->b, i, cg_const(c, 1), "");
	LLVMAddIncoming(i, (LLVMValueRef[]){ cg_const(c, 0), next_i },
			(LLVMBasicBlockRef[]){ pre, loop }, 2);
	LLVMAddIncoming(h, (LLVMValueRef[]){ cg_const(c, 0xcbf29ce484222325ull), next_h },
			(LLVMBasicBlockRef[]){ pre, loop }, 2);
	LLVMBuildCondBr(c->b, LLVMBuildAnd(c->b,
		LLVMBuildICmp(c->b, LLVMIntULT, next_i, cg_const(c, (uint64_t)depth), ""),
		LLVMBuildICmp(c->b, LLVMIntULT, next_i, nr, ""), ""), loop, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return next_h;
}

/* A deep stack (by_id): its frames go to the stack store under their
 * hash, once; the value is struct gt_stack_ref. A stack the full store
 * refuses is counted here, and its reference becomes the empty stack's,
 * which it prints as: a hash left in it would miss in the store when
 * printed and be counted a second time (mapread_refs_missing()). */
static LLVMValueRef stack_ref(struct cg *c, const struct gt_type *t, LLVMValueRef pid)
{
	int user = t->kind == GT_USTACK;
	unsigned bytes = 8 * t->depth;
	LLVMValueRef frames = cg_tmp(c, bytes), ref = cg_tmp(c, sizeof(struct gt_stack_ref));
	LLVMValueRef rc, empty, store, kept;
	LLVMBasicBlockRef keep = cg_block(c, "stack_keep"), insert = cg_block(c, "stack_insert"),
			  done = cg_block(c, "stack_kept");

	/* an empty stack keeps the zeroed reference: hash 0, pid 0 */
	rc = cg_helper(c, BPF_FUNC_get_stack, 4, c->ctx_arg, frames, cg_const(c, bytes),
		       cg_const(c, user ? BPF_F_USER_STACK : 0));
	empty = LLVMBuildICmp(c->b, LLVMIntSLE, rc, cg_const(c, 0), "");
	LLVMBuildCondBr(c->b, empty, done, keep);
	LLVMPositionBuilderAtEnd(c->b, keep);
	cg_store64(c, ref, 0, stack_hash(c, frames, t->depth,
					 LLVMBuildLShr(c->b, rc, cg_const(c, 3), "")));
	if (user)
		cg_store64(c, ref, 8, pid);
	store = cg_stack_map(c, user, t->depth);
	cg_lookup(c, store, ref, insert);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, insert);
	rc = cg_helper(c, BPF_FUNC_map_update_elem, 4, cg_map_ptr(c, store), ref, frames,
		       cg_const(c, BPF_NOEXIST));
	/* -EEXIST: another CPU stored the same stack meanwhile. */
	rc = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, rc,
						 cg_const(c, (uint64_t)-EEXIST), ""),
			     cg_const(c, 0), rc, "");
	cg_count_drop(c, rc, plan_loss_slot(c->plan->nmaps, user ? PLAN_LOSS_USTACKS
								  : PLAN_LOSS_KSTACKS));
	kept = LLVMBuildICmp(c->b, LLVMIntSGE, rc, cg_const(c, 0), "");
	for (unsigned off = 0; off < (user ? 16u : 8u); off += 8)
		cg_store64(c, ref, off, LLVMBuildSelect(c->b, kept, cg_load64(c, ref, off),
							cg_const(c, 0), ""));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return ref;
}

/* A stack, as common/types.h lays it out: frames inline, or a reference
 * into the stack store for deep stacks. Kernel stacks and empty stacks
 * carry pid 0, so that they are the same key wherever they were taken. */
LLVMValueRef cg_stack(struct cg *c, const struct gt_type *t)
{
	int user = t->kind == GT_USTACK;
	LLVMValueRef buf, rc, nr, pid;

	pid = user ? bi_pid(c, NULL) : cg_const(c, 0);
	if (t->by_id)
		return stack_ref(c, t, pid);
	buf = cg_tmp(c, t->size);
	rc = cg_helper(c, BPF_FUNC_get_stack, 4, c->ctx_arg, cg_gep(c, buf, 8),
		       cg_const(c, 8 * t->depth), cg_const(c, user ? BPF_F_USER_STACK : 0));
	nr = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntSGT, rc, cg_const(c, 0), ""),
			     LLVMBuildLShr(c->b, rc, cg_const(c, 3), ""), cg_const(c, 0), "");
	pid = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, nr, cg_const(c, 0), ""),
			      cg_const(c, 0), pid, "");
	cg_store64(c, buf, 0, LLVMBuildOr(c->b, pid, LLVMBuildShl(c->b, nr, cg_const(c, 32), ""), ""));
	return buf;
}

static LLVMValueRef bi_stack(struct cg *c, struct node *n)
{
	return cg_stack(c, &n->type);
}

/* args.NAME of a tracepoint: a load from the record (ctx). */
static LLVMValueRef field(struct cg *c, struct node *n)
{
	struct tp_field *f;
	LLVMValueRef p, v, buf;
	LLVMTypeRef t;

	if (!(c->pp->type->caps & PC_FIELDS))	/* a C parameter, from DWARF */
		return cg_go_extend(c, &n->type, reg(c, arch_c_arg_offset((int)n->ival)));
	f = &c->pp->ap.fields[n->ival];
	p = cg_gep(c, c->ctx_arg, f->offset);

	if (f->is_string) {
		buf = cg_tmp(c, n->type.size);
		cg_helper(c, BPF_FUNC_probe_read_kernel, 3, buf,
			  cg_const(c, f->size < n->type.size ? f->size : n->type.size), p);
		return buf;
	}
	if (f->data_loc) {
		/* A u32 with the data's offset in the record in its low half. */
		t = c->i32;
		v = LLVMBuildLoad2(c->b, t, LLVMBuildBitCast(c->b, p, LLVMPointerType(t, 0), ""), "");
		v = LLVMBuildAnd(c->b, LLVMBuildZExt(c->b, v, c->i64, ""), cg_const(c, 0xffff), "");
		p = LLVMBuildGEP2(c->b, c->i8, c->ctx_arg, &v, 1, "");
		/* The verifier forbids arithmetic on a pointer into ctx, so
		 * the address leaves as a plain number: copied by a helper,
		 * which the verifier does not see through. */
		buf = cg_tmp(c, 16);
		cg_store64(c, buf, 0, LLVMBuildPtrToInt(c->b, p, c->i64, ""));
		cg_helper(c, BPF_FUNC_probe_read_kernel, 3, cg_gep(c, buf, 8), cg_const(c, 8), buf);
		v = cg_load64(c, buf, 8);
		cg_tmp_done(c, buf);
		return v;
	}
	t = LLVMIntTypeInContext(c->ctx, f->size * 8);
	v = LLVMBuildLoad2(c->b, t, LLVMBuildBitCast(c->b, p, LLVMPointerType(t, 0), ""), "");
	if (f->size == 8)
		return v;
	return f->is_signed ? LLVMBuildSExt(c->b, v, c->i64, "")
			    : LLVMBuildZExt(c->b, v, c->i64, "");
}

/* curtask: the current task_struct's address (a kernel pointer). */
static LLVMValueRef bi_ctx(struct cg *c, struct node *n)
{
	return LLVMBuildPtrToInt(c->b, c->ctx_arg, c->i64, "");
}

static LLVMValueRef bi_curtask(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_get_current_task, 0);
}

/* uptr(p), kptr(p): p itself; sema changed where it points. */
static LLVMValueRef fn_same(struct cg *c, struct node *n)
{
	return cg_expr(c, n->args);
}

typedef LLVMValueRef (*cg_hook)(struct cg *c, struct node *n);

static const cg_hook builtin_hooks[BI__COUNT] = {
	[BI_PID] = bi_pid, [BI_TID] = bi_tid, [BI_UID] = bi_uid, [BI_GID] = bi_gid,
	[BI_COMM] = bi_comm, [BI_NSECS] = bi_nsecs, [BI_ELAPSED] = bi_elapsed,
	[BI_CPU] = bi_cpu, [BI_PROBE] = bi_probe, [BI_FUNC] = bi_func,
	[BI_ARG0] = bi_arg, [BI_ARG1] = bi_arg, [BI_ARG2] = bi_arg,
	[BI_ARG3] = bi_arg, [BI_ARG4] = bi_arg, [BI_ARG5] = bi_arg,
	[BI_RETVAL] = bi_retval, [BI_USTACK] = bi_stack, [BI_KSTACK] = bi_stack,
	[BI_GOID] = cg_go_goid, [BI_CURTASK] = bi_curtask,
	[BI_RAND] = cg_bi_rand, [BI_NUMAID] = cg_bi_numaid,
	[BI_CGROUP] = cg_bi_cgroup, [BI_USERNAME] = cg_bi_username,
	[BI_SARG] = bi_sarg, [BI_CTX] = bi_ctx,
};

LLVMValueRef cg_builtin(struct cg *c, struct node *n)
{
	if (n->kind == N_FIELD && n->lhs->type.kind == GT_RECORD)
		return cg_record_field(c, n);
	if (n->kind == N_FIELD && n->type.kind == GT_GO)
		return cg_go_field(c, n);
	if (n->kind == N_FIELD)
		return field(c, n);
	return builtin_hooks[n->builtin->id](c, n);
}

/* Arguments one after another at buf, each 8-byte aligned, as the
 * runtime reads them back with the async action's types. */
static void pack_into(struct cg *c, LLVMValueRef buf, struct node *args)
{
	unsigned off = 0;

	for (struct node *a = args; a; a = a->next) {
		unsigned sz = gt_align8(a->type.size);
		cg_store_value(c, cg_gep(c, buf, off), sz, &a->type, cg_expr(c, a));
		off += sz;
	}
}

static LLVMValueRef pack(struct cg *c, struct node *args, unsigned size)
{
	LLVMValueRef buf = cg_tmp_raw(c, size);	/* pack_into() writes each slot whole */

	pack_into(c, buf, args);
	return buf;
}

/* The arguments are written straight into the record. The size is read
 * before they are emitted: with -kk, emitting them adds helper-error
 * actions, and plan->async moves. */
static LLVMValueRef fn_printf(struct cg *c, struct node *n)
{
	unsigned size = c->plan->async[n->async_id].size;
	LLVMValueRef rec = cg_async_rec(c, n->async_id, size);

	pack_into(c, cg_gep(c, rec, 8), n->args->next);
	cg_send_async(c, rec, size);
	return NULL;
}

static LLVMValueRef fn_print(struct cg *c, struct node *n)
{
	const struct async_action *a = &c->plan->async[n->async_id];
	unsigned size = a->size;	/* a moves once arguments are emitted */
	struct node *top, *div;
	LLVMValueRef buf;

	if (a->kind == AS_PRINT_VALUE) {
		cg_emit_async(c, n->async_id, pack(c, n->args, size), size);
		return NULL;
	}
	top = n->args->next;
	div = top ? top->next : NULL;
	buf = cg_tmp(c, 16);
	cg_store64(c, buf, 0, top ? cg_expr(c, top) : cg_const(c, 0));
	cg_store64(c, buf, 8, div ? cg_expr(c, div) : cg_const(c, 0));
	cg_emit_async(c, n->async_id, buf, 16);
	return NULL;
}

static LLVMValueRef fn_async(struct cg *c, struct node *n)
{
	cg_emit_async(c, n->async_id, NULL, 0);
	return NULL;
}

static LLVMValueRef fn_delete(struct cg *c, struct node *n)
{
	if (n->async_id >= 0)	/* a count() without keys: zeroed in user space */
		return fn_async(c, n);
	cg_map_delete(c, n->args);
	return NULL;
}

/* exit(): tell the runtime, and stop this program here. */
static LLVMValueRef fn_exit(struct cg *c, struct node *n)
{
	LLVMValueRef buf = cg_tmp(c, 8), key = cg_tmp(c, 8), p;
	LLVMBasicBlockRef done = cg_block(c, "exit_flagged");

	cg_store64(c, buf, 0, n->args ? cg_expr(c, n->args) : cg_const(c, 0));
	cg_emit_async(c, n->async_id, buf, 8);
	cg_store64(c, key, 0, cg_const(c, PLAN_CFG_EXIT));
	p = cg_lookup(c, c->cfg, key, done);
	cg_store64(c, p, 0, LLVMBuildAdd(c->b, cg_load64(c, buf, 0), cg_const(c, 1), ""));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	cg_return(c);
	return NULL;
}

/* str(): see check_str(). The buffer is zeroed first, since strings are
 * compared and hashed as whole zero-padded buffers and the helper only
 * writes up to the NUL. A string argument lives in BPF memory, which the
 * kernel variant of the helper reads; a pointer may be a user or (in a
 * tracepoint's record) a kernel address, which the old helper tells
 * apart. */
static LLVMValueRef fn_str(struct cg *c, struct node *n)
{
	struct node *p = n->args, *len = p->next;
	bool is_str = p->type.kind == GT_STR;
	LLVMValueRef buf, src, rc, size = cg_const(c, (uint64_t)n->ival);

	if (is_str && !len && p->type.size <= (unsigned)n->ival)
		return cg_expr(c, p);
	src = cg_expr(c, p);
	if (len) {
		LLVMValueRef want = LLVMBuildAdd(c->b, cg_expr(c, len), cg_const(c, 1), "");
		LLVMValueRef fits = LLVMBuildICmp(c->b, LLVMIntULE, want, size, "");
		size = LLVMBuildSelect(c->b, fits, want, size, "str.len");
	}
	buf = cg_tmp(c, n->type.size);
	cg_zero(c, buf, n->type.size);
	if (is_str)
		rc = cg_helper(c, BPF_FUNC_probe_read_kernel_str, 3, buf, size, src);
	else
		rc = cg_helper(c, BPF_FUNC_probe_read_str, 3, buf, size,
			       LLVMBuildIntToPtr(c->b, src, c->i8p, ""));
	cg_check_helper(c, rc, is_str ? "probe_read_kernel_str" : "probe_read_str", true, false);
	return buf;
}

static LLVMValueRef fn_stack(struct cg *c, struct node *n)
{
	return cg_stack(c, &n->type);
}

static LLVMValueRef fn_usym(struct cg *c, struct node *n)
{
	LLVMValueRef buf = cg_tmp(c, 16);

	cg_store64(c, buf, 0, cg_expr(c, n->args));
	cg_store64(c, buf, 8, bi_pid(c, n));
	return buf;
}

/* Strings are zero-padded, so comparing the first n bytes (a byte past a
 * buffer's end counting as zero) is strncmp() == 0. */
static LLVMValueRef fn_strncmp(struct cg *c, struct node *n)
{
	struct node *l = n->args, *r = l->next;
	LLVMValueRef a = cg_expr(c, l), b = cg_expr(c, r), diff = cg_const(c, 0);
	unsigned len = (unsigned)n->ival;

	for (unsigned off = 0; off < len; off += 8) {
		LLVMValueRef wa = off < l->type.size ? cg_load64(c, a, off) : cg_const(c, 0);
		LLVMValueRef wb = off < r->type.size ? cg_load64(c, b, off) : cg_const(c, 0);
		LLVMValueRef x = LLVMBuildXor(c->b, wa, wb, "");
		if (len - off < 8)
			x = LLVMBuildAnd(c->b, x, cg_const(c, (1ull << (8 * (len - off))) - 1), "");
		diff = LLVMBuildOr(c->b, diff, x, "");
	}
	return LLVMBuildZExt(c->b, LLVMBuildICmp(c->b, LLVMIntNE, diff, cg_const(c, 0), ""),
			     c->i64, "");
}

static const cg_hook func_hooks[FN__COUNT] = {
	[FN_PRINTF] = fn_printf, [FN_PRINT] = fn_print, [FN_CLEAR] = fn_async,
	[FN_ZERO] = fn_async, [FN_DELETE] = fn_delete, [FN_EXIT] = fn_exit,
	[FN_TIME] = fn_async, [FN_STR] = fn_str, [FN_USTACK] = fn_stack,
	[FN_KSTACK] = fn_stack, [FN_USYM] = fn_usym, [FN_STRNCMP] = fn_strncmp,
	[FN_REG] = fn_reg, [FN_GO_ARG] = cg_go_arg, [FN_GO_RET] = cg_go_arg,
	[FN_GO_STR] = cg_go_str, [FN_GO_USTACK] = cg_go_ustack,
	[FN_GO_USTACK_LINES] = cg_go_ustack, [FN_LEN] = cg_len,
	[FN_GO_CAST] = cg_go_cast, [FN_GO_TYPENAME] = cg_go_typename,
	[FN_UPTR] = fn_same, [FN_KPTR] = fn_same,
	[FN_STRFTIME] = cg_fn_boxed, [FN_KSYM] = cg_fn_boxed, [FN_STRERROR] = cg_fn_boxed,
	[FN_MACADDR] = cg_fn_macaddr, [FN_NTOP] = cg_fn_ntop, [FN_BUF] = cg_fn_buf,
	[FN_BSWAP] = cg_fn_bswap, [FN_STRCONTAINS] = cg_fn_strcontains,
	[FN_JOIN] = cg_fn_join, [FN_CAT] = fn_printf, [FN_SYSTEM] = fn_printf,
	[FN_SIGNAL] = cg_fn_signal, [FN_KADDR] = cg_fn_const, [FN_CGROUPID] = cg_fn_const,
	[FN_UADDR] = cg_fn_const, [FN_DEBUGF] = cg_fn_debugf,
	[FN_CGROUP_PATH] = cg_fn_cgroup_path,
	[FN_HAS_KEY] = cg_has_key, [FN_PTON] = cg_fn_pton,
};

LLVMValueRef cg_call(struct cg *c, struct node *n)
{
	cg_hook h = func_hooks[n->func->id];
	const struct loc *outer = c->loc;
	LLVMValueRef v;

	if (!h) {
		snprintf(c->err, sizeof(c->err), "%s() cannot be used here", n->func->name);
		return cg_const(c, 0);
	}
	c->loc = &n->loc;	/* -k's warnings point at the call */
	v = h(c, n);
	c->loc = outer;
	return v;
}
