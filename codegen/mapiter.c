/*
 * has_key(), len(@m) and for loops (sema/mapiter.c).
 *
 * A for loop's body runs in a callback: bpf_for_each_map_elem() calls it
 * once per entry of a map, bpf_loop() once per integer of a range. The
 * kernel proves either ends, whatever the count, which it cannot do for a
 * loop it must walk. The callback is a function of its own, with its own
 * stack, so the loop's caller hands it one frame of pointers:
 *
 *   u64 flags       the body ran `return` or exit(): the probe stops
 *   u64 probe ctx   for builtins that read the probe's context
 *   u64 start       a range's first integer
 *   u64 vars[]      a pointer to each scratch variable slot of the caller
 *
 * Every variable the body names gets its slot in the caller first, so that
 * what the body assigns is there after the loop. The verifier follows the
 * pointers back into the caller's stack. The caller's and the callback's
 * stacks together must fit the kernel's 512 bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "common/alloc.h"
#include "codegen/cg_int.h"

enum { F_FLAGS = 0, F_CTX = 8, F_START = 16, F_VARS = 24 };

/* len()'s callback, one per object: ++*ctx, go on. */
static LLVMValueRef counter(struct cg *c)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);
	LLVMValueRef fn = LLVMGetNamedFunction(c->mod, "gotrace_count_cb"), ctx;

	if (fn)
		return fn;
	fn = cgm_callback(c->m, "gotrace_count_cb");
	ctx = LLVMGetParam(fn, 3);
	cg_store64(c, ctx, 0, LLVMBuildAdd(c->b, cg_load64(c, ctx, 0), cg_const(c, 1), ""));
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, here);
	return fn;
}

static LLVMValueRef map_len(struct cg *c, struct node *n)
{
	LLVMValueRef cnt = cg_tmp(c, 8), fn = counter(c);

	cg_helper(c, BPF_FUNC_for_each_map_elem, 4,
		  cg_map_ptr(c, c->maps[n->args->map->id]), fn, cnt, cg_const(c, 0));
	return cg_load64(c, cnt, 0);
}

/* len(@m) counts the map's entries; len() of a Go value is golang's. */
LLVMValueRef cg_len(struct cg *c, struct node *n)
{
	if (n->args->kind == N_MAP)
		return map_len(c, n);
	return cg_go_len(c, n);
}

LLVMValueRef cg_has_key(struct cg *c, struct node *n)
{
	struct node *m = n->args;
	LLVMValueRef p = cg_helper(c, BPF_FUNC_map_lookup_elem, 2,
				   cg_map_ptr(c, c->maps[m->map->id]), cg_map_key(c, m));

	return LLVMBuildZExt(c->b, LLVMBuildICmp(c->b, LLVMIntNE, p, cg_const(c, 0), ""),
			     c->i64, "");
}

/* Give every variable the subtree names a slot in the current function. */
static void var_slots(struct cg *c, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == N_VAR && n->var && n->var->type.kind != GT_NONE)
			cg_var_slot(c, n->var);
		if (n->lhs)
			var_slots(c, n->lhs);
		if (n->rhs)
			var_slots(c, n->rhs);
		if (n->cond)
			var_slots(c, n->cond);
		var_slots(c, n->args);
		var_slots(c, n->body);
		var_slots(c, n->els);
	}
}

/* The caller's state, put aside while the callback is generated. */
struct saved {
	LLVMValueRef fn, ctx_arg, scratch;
	LLVMBasicBlockRef entry, body, ret_bb, here;
	unsigned scratch_used;
	struct tmp_slot *tmps;
	int ntmps;
	struct var_slot *vars;
	int nvars, nloops;
};

static void save(struct cg *c, struct saved *sv)
{
	*sv = (struct saved){
		.fn = c->fn, .ctx_arg = c->ctx_arg, .scratch = c->scratch,
		.entry = c->entry, .body = c->body, .ret_bb = c->ret_bb,
		.here = LLVMGetInsertBlock(c->b), .scratch_used = c->scratch_used,
		.tmps = c->tmps, .ntmps = c->ntmps, .vars = c->vars,
		.nvars = c->nvars, .nloops = c->nloops,
	};
}

static void restore(struct cg *c, const struct saved *sv)
{
	free(c->tmps);
	free(c->vars);
	c->fn = sv->fn;
	c->ctx_arg = sv->ctx_arg;
	c->scratch = sv->scratch;
	c->entry = sv->entry;
	c->body = sv->body;
	c->ret_bb = sv->ret_bb;
	c->scratch_used = sv->scratch_used;
	c->tmps = sv->tmps;
	c->ntmps = sv->ntmps;
	c->vars = sv->vars;
	c->nvars = sv->nvars;
	c->nloops = sv->nloops;
	LLVMPositionBuilderAtEnd(c->b, sv->here);
}

static LLVMBasicBlockRef ret_block(struct cg *c, const char *name, uint64_t v)
{
	LLVMBasicBlockRef bb = cg_block(c, name), here = LLVMGetInsertBlock(c->b);

	LLVMPositionBuilderAtEnd(c->b, bb);
	LLVMBuildRet(c->b, cg_const(c, v));
	LLVMPositionBuilderAtEnd(c->b, here);
	return bb;
}

/* The value of a count() or sum() entry: its per-CPU slots summed, as
 * newer bpftrace gives it to a for loop. */
static LLVMValueRef percpu_sum(struct cg *c, LLVMValueRef map, LLVMValueRef key)
{
	LLVMValueRef sum = cg_alloca(c, 8, "sum", true), cpu = cg_alloca(c, 8, "cpu", true), p;
	LLVMBasicBlockRef cond = cg_block(c, "cpu_cond"), body = cg_block(c, "cpu_body"),
			  add = cg_block(c, "cpu_add"), next = cg_block(c, "cpu_next"),
			  done = cg_block(c, "cpu_done");
	int ncpu = libbpf_num_possible_cpus();

	cg_store64(c, sum, 0, cg_const(c, 0));
	cg_store64(c, cpu, 0, cg_const(c, 0));
	LLVMBuildBr(c->b, cond);
	LLVMPositionBuilderAtEnd(c->b, cond);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, cg_load64(c, cpu, 0),
					    cg_const(c, ncpu > 0 ? (uint64_t)ncpu : 1), ""),
			body, done);
	LLVMPositionBuilderAtEnd(c->b, body);
	p = cg_helper(c, BPF_FUNC_map_lookup_percpu_elem, 3, cg_map_ptr(c, map), key,
		      cg_load64(c, cpu, 0));
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, p, cg_const(c, 0), ""), add, next);
	LLVMPositionBuilderAtEnd(c->b, add);
	cg_store64(c, sum, 0, LLVMBuildAdd(c->b, cg_load64(c, sum, 0),
					  cg_load64(c, LLVMBuildIntToPtr(c->b, p, c->i8p, ""), 0), ""));
	LLVMBuildBr(c->b, next);
	LLVMPositionBuilderAtEnd(c->b, next);
	cg_store64(c, cpu, 0, LLVMBuildAdd(c->b, cg_load64(c, cpu, 0), cg_const(c, 1), ""));
	LLVMBuildBr(c->b, cond);
	LLVMPositionBuilderAtEnd(c->b, done);
	return cg_load64(c, sum, 0);
}

/* The callback of loop n: frame is its ctx parameter; the caller's
 * variables (sv) are reached through the frame. */
static LLVMValueRef callback(struct cg *c, struct node *n, const struct saved *sv)
{
	static int seq;
	char name[32];
	LLVMValueRef fn, frame;
	LLVMBasicBlockRef cont, brk, stop;
	bool map = n->rhs != NULL;

	snprintf(name, sizeof(name), "gotrace_for%d", seq++);
	fn = cgm_callback(c->m, name);
	if (!fn) {
		snprintf(c->err, sizeof(c->err), "cannot make the function of a for loop");
		return NULL;
	}
	c->fn = fn;
	c->entry = LLVMGetInsertBlock(c->b);
	c->scratch = NULL;
	c->scratch_used = 0;
	c->tmps = NULL;
	c->ntmps = 0;
	/* bpf_for_each_map_elem: (map, key, value, ctx); bpf_loop: (index, ctx) */
	frame = LLVMGetParam(fn, map ? 3 : 1);
	c->ctx_arg = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, F_CTX), c->i8p, "probe_ctx");
	c->vars = xcalloc(sv->nvars + 1, sizeof(*c->vars));
	for (int i = 0; i < sv->nvars; i++) {
		c->vars[i].var = sv->vars[i].var;
		c->vars[i].ptr = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, F_VARS + 8 * i),
						   c->i8p, "");
	}
	c->nvars = sv->nvars;
	c->body = cg_block(c, "for_body");
	cont = ret_block(c, "for_next", 0);
	brk = ret_block(c, "for_break", 1);
	/* return or exit() in the body: tell the caller, stop walking */
	stop = cg_block(c, "for_return");
	c->ret_bb = stop;
	LLVMPositionBuilderAtEnd(c->b, stop);
	cg_store64(c, frame, F_FLAGS, cg_const(c, 1));
	LLVMBuildRet(c->b, cg_const(c, 1));

	LLVMPositionBuilderAtEnd(c->b, c->body);
	{
		LLVMValueRef slot = cg_var_slot(c, n->lhs->var);

		if (map) {
			const struct gt_type *t = &n->lhs->var->type;
			unsigned ksize = gt_align8(t->elems[0].size);
			struct map_info *m = n->rhs->map;

			cg_copy(c, slot, LLVMGetParam(fn, 1), ksize);
			if (gt_is_aggregation(m->value.kind))
				cg_store64(c, slot, ksize, percpu_sum(c, c->maps[m->id],
								      LLVMGetParam(fn, 1)));
			else
				cg_copy(c, cg_gep(c, slot, ksize), LLVMGetParam(fn, 2),
					gt_align8(t->elems[1].size));
		} else {
			LLVMValueRef i = LLVMBuildPtrToInt(c->b, LLVMGetParam(fn, 0), c->i64, "");

			cg_store64(c, slot, 0, LLVMBuildAdd(c->b, cg_load64(c, frame, F_START),
							   i, ""));
		}
	}
	c->nloops = 1;
	c->loop_next[0] = cont;
	c->loop_end[0] = brk;
	cg_stmts(c, n->body);
	LLVMBuildBr(c->b, cont);

	cg_finish_entry(c, brk);
	return fn;
}

/* for ($kv : @m) { ... } and for ($i : a..b) { ... } */
int cg_for(struct cg *c, struct node *n)
{
	LLVMValueRef frame, fn, count = NULL, start = NULL;
	LLVMBasicBlockRef go_on;
	struct saved sv;
	unsigned size;

	if (!n->rhs) {
		/* the range, read once: a..b is max(b - a, 0) rounds */
		LLVMValueRef a = cg_expr(c, n->args), b = cg_expr(c, n->args->next);
		LLVMValueRef d = LLVMBuildSub(c->b, b, a, "");

		start = a;
		count = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntSGT, b, a, ""),
					d, cg_const(c, 0), "");
	}
	cg_var_slot(c, n->lhs->var);
	var_slots(c, n->body);
	size = F_VARS + 8 * (unsigned)c->nvars;
	frame = cg_alloca(c, size, "for_frame", false);
	cg_store64(c, frame, F_FLAGS, cg_const(c, 0));
	cg_store64(c, frame, F_CTX, LLVMBuildPtrToInt(c->b, c->ctx_arg, c->i64, ""));
	cg_store64(c, frame, F_START, start ? start : cg_const(c, 0));
	for (int i = 0; i < c->nvars; i++)
		cg_store64(c, frame, F_VARS + 8 * i,
			   LLVMBuildPtrToInt(c->b, c->vars[i].ptr, c->i64, ""));

	save(c, &sv);
	c->vars = NULL;
	fn = callback(c, n, &sv);
	restore(c, &sv);
	if (!fn)
		return -1;
	if (n->rhs)
		cg_helper(c, BPF_FUNC_for_each_map_elem, 4,
			  cg_map_ptr(c, c->maps[n->rhs->map->id]), fn, frame, cg_const(c, 0));
	else {
		/* bpf_loop(0, ...) of a constant range loaded next to another
		 * loop trips the verifier ("No program to jit"): no call then */
		LLVMBasicBlockRef run = cg_block(c, "for_run"), skip = cg_block(c, "for_skip");

		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, count, cg_const(c, 0), ""),
				run, skip);
		LLVMPositionBuilderAtEnd(c->b, run);
		cg_helper(c, BPF_FUNC_loop, 4, count, fn, frame, cg_const(c, 0));
		LLVMBuildBr(c->b, skip);
		LLVMPositionBuilderAtEnd(c->b, skip);
	}
	go_on = cg_block(c, "for_done");
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, cg_load64(c, frame, F_FLAGS),
					    cg_const(c, 0), ""), c->ret_bb, go_on);
	LLVMPositionBuilderAtEnd(c->b, go_on);
	return 0;
}

/* let $x; (again, in a loop): $x is 0 until assigned. */
int cg_let(struct cg *c, struct node *n)
{
	struct var_info *v = n->lhs->var;

	if (v && v->type.kind == GT_INT)
		cg_var_store(c, v, cg_const(c, 0));
	else if (v && v->type.kind != GT_NONE)
		cg_zero(c, cg_var_slot(c, v), gt_align8(v->type.size));
	return 0;
}

/*
 * A probe body of many statements is cut into parts of PART_STMTS
 * statements, each a function of its own called from the program, with
 * the same frame as a for loop's callback (the variables stay in the
 * program's stack, so they carry from part to part). LLVM's passes and
 * its BPF back end grow faster than linearly with the size of a
 * function: one function of 2,000 statements took 2.5 times as long as
 * one of 1,000; parts keep the work per function bounded. A part costs
 * one BPF-to-BPF call at run time; bodies below SPLIT_STMTS are not cut,
 * so the programs people usually write are unchanged.
 */
#define SPLIT_STMTS 128
#define PART_STMTS 64
#define MAX_PARTS 192	/* the kernel takes 256 functions per program */

/* Every variable the list names, N_VAR or not, gets its slot here: a slot
 * made inside a part would be that part's alone. */
static void all_var_slots(struct cg *c, const struct node *n)
{
	for (; n; n = n->next) {
		if (n->var && n->var->type.kind != GT_NONE)
			cg_var_slot(c, n->var);
		all_var_slots(c, n->lhs);
		all_var_slots(c, n->rhs);
		all_var_slots(c, n->cond);
		all_var_slots(c, n->args);
		all_var_slots(c, n->body);
		all_var_slots(c, n->els);
	}
}

/* The function of one part: callback()'s without a loop variable. */
static LLVMValueRef part(struct cg *c, struct node *list, const struct saved *sv)
{
	static int seq;
	char name[32];
	LLVMValueRef fn, frame;
	LLVMBasicBlockRef done, stop;

	snprintf(name, sizeof(name), "gotrace_part%d", seq++);
	fn = cgm_callback(c->m, name);
	if (!fn) {
		snprintf(c->err, sizeof(c->err), "cannot make the function of a probe's part");
		return NULL;
	}
	c->fn = fn;
	c->entry = LLVMGetInsertBlock(c->b);
	c->scratch = NULL;
	c->scratch_used = 0;
	c->tmps = NULL;
	c->ntmps = 0;
	frame = LLVMGetParam(fn, 3);
	c->ctx_arg = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, F_CTX), c->i8p, "probe_ctx");
	c->vars = xcalloc(sv->nvars + 1, sizeof(*c->vars));
	for (int i = 0; i < sv->nvars; i++) {
		c->vars[i].var = sv->vars[i].var;
		c->vars[i].ptr = LLVMBuildIntToPtr(c->b, cg_load64(c, frame, F_VARS + 8 * i),
						   c->i8p, "");
	}
	c->nvars = sv->nvars;
	c->nloops = 0;
	c->body = cg_block(c, "part_body");
	done = ret_block(c, "part_done", 0);
	stop = cg_block(c, "part_return");
	c->ret_bb = stop;
	LLVMPositionBuilderAtEnd(c->b, stop);
	cg_store64(c, frame, F_FLAGS, cg_const(c, 1));
	LLVMBuildRet(c->b, cg_const(c, 1));

	LLVMPositionBuilderAtEnd(c->b, c->body);
	cg_stmts(c, list);
	LLVMBuildBr(c->b, done);

	cg_finish_entry(c, done);
	return fn;
}

int cg_body(struct cg *c, struct node *list)
{
	LLVMValueRef frame, fn, args[4];
	struct saved sv;
	int n = node_count(list), per_part = PART_STMTS, rc = 0;

	if (n < SPLIT_STMTS || c->nloops)
		return cg_stmts(c, list);
	if (n > PART_STMTS * MAX_PARTS)
		per_part = (n + MAX_PARTS - 1) / MAX_PARTS;
	c->fn_budget -= (n + per_part - 1) / per_part;
	all_var_slots(c, list);
	frame = cg_alloca(c, F_VARS + 8 * (unsigned)c->nvars, "part_frame", false);
	cg_store64(c, frame, F_FLAGS, cg_const(c, 0));
	cg_store64(c, frame, F_CTX, LLVMBuildPtrToInt(c->b, c->ctx_arg, c->i64, ""));
	cg_store64(c, frame, F_START, cg_const(c, 0));
	for (int i = 0; i < c->nvars; i++)
		cg_store64(c, frame, F_VARS + 8 * i,
			   LLVMBuildPtrToInt(c->b, c->vars[i].ptr, c->i64, ""));
	while (list && rc == 0) {
		struct node *last = list, *rest;
		LLVMBasicBlockRef go_on;

		for (int i = 1; i < per_part && last->next; i++)
			last = last->next;
		rest = last->next;
		last->next = NULL;	/* the part's list, for a moment */
		save(c, &sv);
		c->vars = NULL;
		fn = part(c, list, &sv);
		restore(c, &sv);
		last->next = rest;
		list = rest;
		if (!fn)
			return -1;
		args[0] = args[1] = args[2] = LLVMConstNull(c->i8p);
		args[3] = frame;
		cgm_call(c->m, fn, args, 4);
		go_on = cg_block(c, "part_next");
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, cg_load64(c, frame, F_FLAGS),
						    cg_const(c, 0), ""), c->ret_bb, go_on);
		LLVMPositionBuilderAtEnd(c->b, go_on);
		rc = c->err[0] ? -1 : 0;
	}
	return rc;
}
