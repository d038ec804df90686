/*
 * Codegen's top: the maps of the plan, one BPF function per plan program,
 * and the statement walker. Expressions are in expr.c, maps in maps.c,
 * builtins and calls in calls.c and golang.c; all of them build code
 * through the emit layer (emit.c).
 *
 * Each program has the blocks
 *   entry:  allocas, the scratch lookup if any, then "br body"
 *   body:   predicate and statements
 *   ret:    return 0
 * The entry block is finished last, once we know what it must hold.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "common/alloc.h"
#include "codegen/cg_int.h"

/* while (cond) { body }: the verifier proves the loop ends by walking it,
 * so only loops with small bounds load. */
static int loop(struct cg *c, struct node *n)
{
	LLVMBasicBlockRef cond = cg_block(c, "while_cond"), body = cg_block(c, "while_body"),
			  end = cg_block(c, "while_end");

	if (c->nloops == 16) {
		snprintf(c->err, sizeof(c->err), "while loops nest too deep");
		return -EINVAL;
	}
	LLVMBuildBr(c->b, cond);
	LLVMPositionBuilderAtEnd(c->b, cond);
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, cg_expr(c, n->cond),
					    cg_const(c, 0), ""), body, end);
	LLVMPositionBuilderAtEnd(c->b, body);
	c->loop_next[c->nloops] = cond;
	c->loop_end[c->nloops++] = end;
	cg_stmts(c, n->body);
	c->nloops--;
	LLVMBuildBr(c->b, cond);
	LLVMPositionBuilderAtEnd(c->b, end);
	return 0;
}

static int stmt(struct cg *c, struct node *n)
{
	LLVMBasicBlockRef then, els, join;
	LLVMValueRef v;

	c->loc = &n->loc;	/* where -k's warnings point */
	switch (n->kind) {
	case N_ASSIGN:
		if (n->lhs->kind == N_MAP)
			return cg_map_assign(c, n->lhs, n->rhs);
		v = cg_int_fit(c, &n->lhs->type, cg_expr(c, n->rhs));
		if (n->lhs->type.kind == GT_INT && n->rhs->type.kind == GT_INT)
			cg_var_store(c, n->lhs->var, v);
		else
			cg_store_value(c, cg_var_slot(c, n->lhs->var), n->lhs->type.size,
				       &n->rhs->type, v);
		return 0;
	case N_EXPR_STMT:
		cg_expr(c, n->lhs);
		return 0;
	case N_IF:
		then = cg_block(c, "then");
		els = cg_block(c, "else");
		join = cg_block(c, "endif");
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, cg_expr(c, n->cond),
						    cg_const(c, 0), ""), then, els);
		LLVMPositionBuilderAtEnd(c->b, then);
		cg_stmts(c, n->body);
		LLVMBuildBr(c->b, join);
		LLVMPositionBuilderAtEnd(c->b, els);
		cg_stmts(c, n->els);
		LLVMBuildBr(c->b, join);
		LLVMPositionBuilderAtEnd(c->b, join);
		return 0;
	case N_UNROLL:
		for (int i = 0; i < n->ival; i++)
			cg_stmts(c, n->body);
		return 0;
	case N_WHILE:
		return loop(c, n);
	case N_FOR:
		return cg_for(c, n);
	case N_LET:
		return cg_let(c, n);
	case N_BREAK:
	case N_CONTINUE:
		LLVMBuildBr(c->b, n->kind == N_BREAK ? c->loop_end[c->nloops - 1]
						    : c->loop_next[c->nloops - 1]);
		LLVMPositionBuilderAtEnd(c->b, cg_block(c, "dead"));
		return 0;
	case N_RETURN:
		cg_return(c);
		return 0;
	default:
		return -EINVAL;
	}
}

int cg_stmts(struct cg *c, struct node *list)
{
	for (struct node *n = list; n; n = n->next) {
		if (stmt(c, n))
			return -EINVAL;
		cg_release_tmps(c);
	}
	return 0;
}

static int gen_prog(struct cg *c, int index)
{
	struct plan_prog *pp = &c->plan->progs[index];
	struct node *probe = pp->probe;

	c->pp = pp;
	c->prog_index = index;
	c->scratch = NULL;
	c->wake = NULL;
	c->pid_tgid_fn = NULL;
	c->nfns_used = 0;
	c->fn_budget = CG_MAX_FUNCS - 1 - CG_FUNCS_RESERVED;
	c->scratch_used = 0;
	c->nvars = 0;
	c->ntmps = 0;
	c->fn = cgm_prog(c->m, pp->name, pp->type->section);
	c->prog_fn = c->fn;
	c->ctx_arg = LLVMGetParam(c->fn, 0);
	c->entry = LLVMGetInsertBlock(c->b);
	c->body = cg_block(c, "body");
	c->ret_bb = cg_block(c, "ret");
	LLVMPositionBuilderAtEnd(c->b, c->ret_bb);
	LLVMBuildRet(c->b, cg_const(c, 0));

	LLVMPositionBuilderAtEnd(c->b, c->body);
	c->loc = probe->cond ? &probe->cond->loc : &probe->loc;
	if (probe->cond) {
		LLVMBasicBlockRef go = cg_block(c, "pred_true");
		LLVMValueRef v = cg_expr(c, probe->cond);
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, v, cg_const(c, 0), ""),
				go, c->ret_bb);
		LLVMPositionBuilderAtEnd(c->b, go);
		cg_release_tmps(c);
	}
	if (cg_body(c, probe->body))
		return -EINVAL;
	LLVMBuildBr(c->b, c->ret_bb);

	cg_finish_entry(c, c->ret_bb);
	if (c->err[0]) {
		diag_error(NULL, "%s", c->err);
		return -EINVAL;
	}
	return 0;
}

LLVMValueRef cg_stack_map(struct cg *c, int user, int depth)
{
	char name[16];

	if (!c->stack_maps[user][depth]) {
		plan_stack_map_name(name, sizeof(name), user, depth);
		c->stack_maps[user][depth] = cgm_map(c->m, name, BPF_MAP_TYPE_HASH, 8,
						     8 * depth, c->plan->max_keys,
						     BPF_F_NO_PREALLOC);
	}
	return c->stack_maps[user][depth];
}

static void define_maps(struct cg *c, unsigned events_size)
{
	char name[16];

	c->maps = xcalloc(c->plan->nmaps, sizeof(*c->maps));
	for (int i = 0; i < c->plan->nmaps; i++) {
		struct map_info *m = c->plan->maps[i];
		plan_map_name(name, sizeof(name), m->id);
		c->maps[i] = cgm_map(c->m, name, m->bpf_type, m->key_size, m->value_size,
				     m->max_entries, m->map_flags);
	}
	c->events = cgm_map(c->m, PLAN_EVENTS_MAP, BPF_MAP_TYPE_RINGBUF, 0, 0,
			    events_size ? events_size : plan_events_size(c->plan), 0);
	c->lost = cgm_map(c->m, PLAN_LOST_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	c->faults = cgm_map(c->m, PLAN_FAULTS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	c->drops = cgm_map(c->m, PLAN_DROPS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8,
			   plan_loss_slot(c->plan->nmaps, PLAN_LOSS__COUNT), 0);
	c->cfg = cgm_map(c->m, PLAN_CFG_MAP, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	c->scratch_map = cgm_map(c->m, "scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				 CG_SCRATCH_SIZE, 1, 0);
	c->frameless = c->plan->nframeless ?
		cgm_map(c->m, PLAN_FRAMELESS_MAP, BPF_MAP_TYPE_ARRAY, 4, 16,
			(int)c->plan->nframeless, 0) : NULL;
}

int codegen_run(struct plan *plan, const struct cg_opts *opts, void **elf, size_t *len)
{
	struct cg c = { .plan = plan };
	char err[256];
	int rc = 0;

	c.m = cgm_new("gotrace", err, sizeof(err));
	if (!c.m) {
		diag_error(NULL, "%s", err);
		return -EINVAL;
	}
	c.ctx = cgm_ctx(c.m);
	c.b = cgm_builder(c.m);
	c.mod = cgm_mod(c.m);
	c.i8 = LLVMInt8TypeInContext(c.ctx);
	c.i32 = LLVMInt32TypeInContext(c.ctx);
	c.i64 = LLVMInt64TypeInContext(c.ctx);
	c.i8p = LLVMPointerType(c.i8, 0);
	define_maps(&c, opts ? opts->events_size : 0);
	c.helper_checks = opts ? opts->helper_checks : 0;
	for (int i = 0; i < plan->nprogs && rc == 0; i++)
		rc = gen_prog(&c, i);
	if (rc == 0)
		cg_share_progs(&c);
	if (rc == 0 && opts && opts->ir)
		cgm_print_ir(c.m, opts->ir);
	if (rc == 0 && elf) {
		rc = cgm_emit(c.m, elf, len, err, sizeof(err));
		if (rc)
			diag_error(NULL, "%s", err);
	}
	cgm_free(c.m);
	free(c.maps);
	free(c.fns_used);
	return rc;
}
