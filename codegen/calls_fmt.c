/*
 * Codegen hooks of the builtins added for bpftrace's scripts: the values
 * user space formats (strftime, ntop, ksym, macaddr, strerror, username,
 * buf), integers from helpers (rand, numaid, cgroup), bswap, strcontains,
 * join and signal. The layouts are common/types.h's; the rows are
 * sema/builtins.c's, and calls.c's tables point here.
 */
#include <stddef.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <linux/bpf.h>

#include "codegen/cg_int.h"

LLVMValueRef cg_bi_rand(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_get_prandom_u32, 0);
}

LLVMValueRef cg_bi_numaid(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_get_numa_node_id, 0);
}

LLVMValueRef cg_bi_cgroup(struct cg *c, struct node *n)
{
	return cg_helper(c, BPF_FUNC_get_current_cgroup_id, 0);
}

/* kaddr(), cgroupid(): the constant sema found. */
LLVMValueRef cg_fn_const(struct cg *c, struct node *n)
{
	return cg_const(c, (uint64_t)n->ival);
}

/* An 8-byte value user space formats, held in a buffer like any value
 * that is not an integer. */
static LLVMValueRef boxed(struct cg *c, LLVMValueRef v)
{
	LLVMValueRef buf = cg_tmp(c, 8);

	cg_store64(c, buf, 0, v);
	return buf;
}

LLVMValueRef cg_bi_username(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_helper(c, BPF_FUNC_get_current_uid_gid, 0);

	return boxed(c, LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), ""));
}

/* strftime, ksym, strerror: the (last) integer argument, formatted
 * later; strftime's format is in its type. */
LLVMValueRef cg_fn_boxed(struct cg *c, struct node *n)
{
	struct node *a = n->args;

	while (a->next)
		a = a->next;
	return boxed(c, cg_expr(c, a));
}

/* cgroup_path(id[, filter]): the id; the filter is in the type. */
LLVMValueRef cg_fn_cgroup_path(struct cg *c, struct node *n)
{
	return boxed(c, cg_expr(c, n->args));
}

/* macaddr(x): the first 6 bytes of an array, or of an integer as it
 * sits in memory. */
LLVMValueRef cg_fn_macaddr(struct cg *c, struct node *n)
{
	struct node *a = n->args;
	LLVMValueRef v = cg_expr(c, a);

	if (a->type.kind == GT_STR)
		v = cg_load64(c, v, 0);
	return boxed(c, LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffffffffull), ""));
}

/* ntop([af, ] addr): struct { u64 af; u8 addr[16]; }. */
LLVMValueRef cg_fn_ntop(struct cg *c, struct node *n)
{
	struct node *addr = n->args->next ? n->args->next : n->args;
	bool bytes = addr->type.kind == GT_STR || addr->type.kind == GT_RECORD;
	bool v6 = bytes && addr->type.size == 16;
	LLVMValueRef buf = cg_tmp(c, 24), af, v;

	if (n->ival) {	/* a tracepoint's byte array, read from the record */
		const struct tp_field *f = &c->pp->ap.fields[addr->ival];

		af = n->args->next ? cg_expr(c, n->args) :
		     cg_const(c, n->ival == 16 ? AF_INET6 : AF_INET);
		cg_store64(c, buf, 0, af);
		cg_helper(c, BPF_FUNC_probe_read_kernel, 3, cg_gep(c, buf, 8),
			  cg_const(c, (uint64_t)n->ival), cg_gep(c, c->ctx_arg, f->offset));
		return buf;
	}
	af = n->args->next ? cg_expr(c, n->args) : cg_const(c, v6 ? AF_INET6 : AF_INET);
	cg_store64(c, buf, 0, af);
	v = cg_expr(c, addr);
	if (addr->type.kind == GT_INT)
		cg_store64(c, buf, 8, LLVMBuildAnd(c->b, v, cg_const(c, 0xffffffff), ""));
	else
		cg_copy(c, cg_gep(c, buf, 8), v, v6 ? 16 : 8);
	if (bytes && !v6)	/* char[4]: its 4 bytes only */
		cg_store64(c, buf, 8, LLVMBuildAnd(c->b, cg_load64(c, buf, 8),
						   cg_const(c, 0xffffffff), ""));
	return buf;
}

/* buf(p[, len]): u64 length, then the bytes: read from memory, or copied
 * from an array. The length is capped at sema's bound (n->ival), which
 * the verifier sees in the compare before the read. */
LLVMValueRef cg_fn_buf(struct cg *c, struct node *n)
{
	struct node *p = n->args, *lenarg = p->next;
	LLVMValueRef buf = cg_tmp(c, n->type.size), src = cg_expr(c, p), len, big;
	uint64_t max = (uint64_t)n->ival;

	if (p->type.kind == GT_STR || p->type.kind == GT_RECORD) {	/* bytes at hand */
		cg_copy(c, cg_gep(c, buf, 8), src, gt_align8((unsigned)max) <= p->type.size ?
			gt_align8((unsigned)max) : p->type.size);
		len = cg_const(c, max);
		if (lenarg) {
			len = cg_expr(c, lenarg);
			big = LLVMBuildICmp(c->b, LLVMIntUGT, len, cg_const(c, max), "");
			len = LLVMBuildSelect(c->b, big, cg_const(c, max), len, "");
		}
		cg_store64(c, buf, 0, len);
		return buf;
	}
	len = lenarg ? cg_expr(c, lenarg) : cg_const(c, max);
	big = LLVMBuildICmp(c->b, LLVMIntUGT, len, cg_const(c, max), "");
	len = LLVMBuildSelect(c->b, big, cg_const(c, max), len, "");
	cg_store64(c, buf, 0, len);
	/* reloaded from memory, so the verifier sees the bound on this copy */
	cg_helper(c, BPF_FUNC_probe_read, 3, cg_gep(c, buf, 8),
		  LLVMBuildAnd(c->b, cg_load64(c, buf, 0), cg_const(c, 0xffff), ""),
		  LLVMBuildIntToPtr(c->b, src, c->i8p, ""));
	return buf;
}

/* bswap(x): llvm.bswap at the width sema found; 8 bits stay as they are. */
LLVMValueRef cg_fn_bswap(struct cg *c, struct node *n)
{
	LLVMValueRef v = cg_expr(c, n->args), fn;
	unsigned bits = (unsigned)n->ival;
	LLVMTypeRef t = LLVMIntTypeInContext(c->ctx, bits);
	unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);

	if (bits == 8)
		return LLVMBuildAnd(c->b, v, cg_const(c, 0xff), "");
	fn = LLVMGetIntrinsicDeclaration(c->mod, id, &t, 1);
	v = LLVMBuildTrunc(c->b, v, t, "");
	v = LLVMBuildCall2(c->b, LLVMIntrinsicGetType(c->ctx, id, &t, 1), fn, &v, 1, "");
	return LLVMBuildZExt(c->b, v, c->i64, "");
}

/* pton("addr"): its 4 or 16 bytes (sema checked them), a record. */
LLVMValueRef cg_fn_pton(struct cg *c, struct node *n)
{
	unsigned char b[16] = { 0 };
	LLVMValueRef p = cg_tmp(c, n->type.size);

	inet_pton(n->ival == 4 ? AF_INET : AF_INET6, n->args->str, b);
	for (unsigned off = 0; off < n->type.size; off += 8) {
		uint64_t w = 0;

		for (unsigned i = 0; i < 8 && off + i < (unsigned)n->ival; i++)
			w |= (uint64_t)b[off + i] << (8 * i);
		cg_store64(c, p, off, cg_const(c, w));
	}
	return p;
}

static LLVMValueRef byte_at(struct cg *c, LLVMValueRef s, LLVMValueRef i)
{
	return LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, s, &i, 1, ""), "");
}

/* strcontains's frame, which the callback reads through its ctx. */
enum { SC_HAY = 0, SC_NEEDLE = 8, SC_FOUND = 16, SC_SIZE = 24 };

/* The callback for one start i in the haystack: compares the needle
 * there, byte by byte; 1 (stop) once found or past the haystack's end,
 * 0 (next i) at the first difference. The verifier checks it once for
 * every i, where a loop over i in the program was walked for each i, and
 * with the needle's loop inside it came near the 1M-instruction limit. */
static LLVMValueRef sc_callback(struct cg *c, unsigned hs, unsigned ns)
{
	static int seq;
	char name[32];
	LLVMBasicBlockRef at = LLVMGetInsertBlock(c->b), loop, cmp, step, in, found, stop, next;
	LLVMValueRef fn, frame, i, j, jv, k, h, nd, nb, hb;

	snprintf(name, sizeof(name), "gotrace_sc%d", seq++);
	if (!(fn = cgm_callback(c->m, name)))
		return NULL;
	i = LLVMBuildPtrToInt(c->b, LLVMGetParam(fn, 0), c->i64, "i");
	frame = LLVMGetParam(fn, 1);
	j = LLVMBuildAlloca(c->b, c->i64, "j");
	h = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, SC_HAY), c->i8p, "");
	nd = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, SC_NEEDLE), c->i8p, "");
	LLVMBuildStore(c->b, cg_const(c, 0), j);
	loop = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_loop");
	cmp = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_cmp");
	step = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_step");
	in = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_in");
	found = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_found");
	stop = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_stop");
	next = LLVMAppendBasicBlockInContext(c->ctx, fn, "sc_next");
	LLVMBuildBr(c->b, loop);

	/* the needle's end (its NUL, or its size) means a match at i */
	LLVMPositionBuilderAtEnd(c->b, loop);
	jv = LLVMBuildLoad2(c->b, c->i64, j, "");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, jv, cg_const(c, ns), ""), cmp,
			found);
	LLVMPositionBuilderAtEnd(c->b, cmp);
	nb = byte_at(c, nd, LLVMBuildAnd(c->b, jv, cg_const(c, 1023), ""));
	k = LLVMBuildAdd(c->b, i, jv, "");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, nb, LLVMConstInt(c->i8, 0, 0), ""),
			found, step);
	/* past the haystack: no match here nor at any later i */
	LLVMPositionBuilderAtEnd(c->b, step);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntUGE, k, cg_const(c, hs), ""), stop, in);
	LLVMPositionBuilderAtEnd(c->b, in);
	hb = byte_at(c, h, LLVMBuildAnd(c->b, k, cg_const(c, 1023), ""));
	LLVMBuildStore(c->b, LLVMBuildAdd(c->b, jv, cg_const(c, 1), ""), j);
	LLVMBuildCondBr(c->b, LLVMBuildAnd(c->b,
		LLVMBuildICmp(c->b, LLVMIntEQ, hb, nb, ""),
		LLVMBuildICmp(c->b, LLVMIntNE, hb, LLVMConstInt(c->i8, 0, 0), ""), ""),
		loop, next);

	LLVMPositionBuilderAtEnd(c->b, found);
	cg_store64(c, frame, SC_FOUND, cg_const(c, 1));
	LLVMBuildBr(c->b, stop);
	LLVMPositionBuilderAtEnd(c->b, stop);
	LLVMBuildRet(c->b, cg_const(c, 1));
	LLVMPositionBuilderAtEnd(c->b, next);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, at);
	return fn;
}

/* strcontains(h, n): 1 if n (up to its NUL) occurs in h (up to its NUL):
 * bpf_loop() over the starts in h, the needle compared in a callback. */
LLVMValueRef cg_fn_strcontains(struct cg *c, struct node *n)
{
	struct node *hn = n->args, *nn = hn->next;
	LLVMValueRef h = cg_expr(c, hn), nd = cg_expr(c, nn);
	LLVMValueRef frame = cg_alloca(c, SC_SIZE, "sc_frame", false);
	LLVMValueRef fn = sc_callback(c, hn->type.size, nn->type.size);

	if (!fn) {
		snprintf(c->err, sizeof(c->err), "cannot make the function of strcontains()");
		return cg_const(c, 0);
	}
	cg_store64(c, frame, SC_HAY, LLVMBuildPtrToInt(c->b, h, c->i64, ""));
	cg_store64(c, frame, SC_NEEDLE, LLVMBuildPtrToInt(c->b, nd, c->i64, ""));
	cg_store64(c, frame, SC_FOUND, cg_const(c, 0));
	cg_helper(c, BPF_FUNC_loop, 4, cg_const(c, hn->type.size), fn, frame, cg_const(c, 0));
	return cg_load64(c, frame, SC_FOUND);
}

/* join(argv[, delim]): the record is reserved in the ring buffer and the
 * strings read straight into it (16 KB would not fit anywhere else): the
 * action's id, then PLAN_JOIN_ARGS slots of PLAN_JOIN_ARGSIZE bytes. A
 * NULL pointer leaves its slot empty, which ends the list. */
LLVMValueRef cg_fn_join(struct cg *c, struct node *n)
{
	unsigned size = 8 + PLAN_JOIN_ARGS * PLAN_JOIN_ARGSIZE;
	LLVMValueRef arr = cg_expr(c, n->args), rec, ptr = cg_tmp(c, 8), isnull;
	LLVMBasicBlockRef have = cg_block(c, "join_have"), lost = cg_block(c, "join_lost"),
			  done = cg_block(c, "join_done");

	rec = cg_helper(c, BPF_FUNC_ringbuf_reserve, 3, cg_map_ptr(c, c->events),
			cg_const(c, size), cg_const(c, 0));
	isnull = LLVMBuildICmp(c->b, LLVMIntEQ, rec, cg_const(c, 0), "");
	LLVMBuildCondBr(c->b, isnull, lost, have);
	LLVMPositionBuilderAtEnd(c->b, lost);
	cg_count(c, c->lost, 0);
	LLVMBuildBr(c->b, done);

	LLVMPositionBuilderAtEnd(c->b, have);
	rec = LLVMBuildIntToPtr(c->b, rec, c->i8p, "");
	cg_store64(c, rec, 0, cg_const(c, (uint64_t)n->async_id));
	for (unsigned i = 0; i < PLAN_JOIN_ARGS; i++) {
		LLVMValueRef slot = cg_gep(c, rec, 8 + i * PLAN_JOIN_ARGSIZE);
		LLVMValueRef at = LLVMBuildAdd(c->b, arr, cg_const(c, 8 * i), "");

		cg_store64(c, ptr, 0, cg_const(c, 0));
		cg_helper(c, BPF_FUNC_probe_read, 3, ptr, cg_const(c, 8),
			  LLVMBuildIntToPtr(c->b, at, c->i8p, ""));
		/* a failed read leaves the slot's NUL: the list ends there */
		LLVMBuildStore(c->b, LLVMConstInt(c->i8, 0, 0), slot);
		cg_helper(c, BPF_FUNC_probe_read_str, 3, slot, cg_const(c, PLAN_JOIN_ARGSIZE),
			  LLVMBuildIntToPtr(c->b, cg_load64(c, ptr, 0), c->i8p, ""));
	}
	cg_helper(c, BPF_FUNC_ringbuf_submit, 2, rec, cg_wake_flags(c));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	return NULL;
}

LLVMValueRef cg_fn_signal(struct cg *c, struct node *n)
{
	cg_helper(c, BPF_FUNC_send_signal, 1, cg_expr(c, n->args));
	return NULL;
}
