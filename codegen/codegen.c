/*
 * Codegen driver: maps, one BPF function per plan program, and statements.
 *
 * Values: an integer expression is an i64; every other value (string,
 * stack, tuple, symbol) is an i8* to a zeroed buffer of type.size bytes.
 * Buffers come from cg_tmp(): small ones are stack slots in the entry
 * block, large ones slices of a per-CPU scratch map value, because the
 * BPF stack is only 512 bytes.
 *
 * Each program has the blocks
 *   entry:  allocas, the scratch lookup if any, then "br body"
 *   body:   predicate and statements
 *   ret:    return 0
 * The entry block is finished last, once we know what it must hold.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "common/alloc.h"
#include "codegen/cg_int.h"

LLVMValueRef cg_const(struct cg *c, uint64_t v)
{
	return LLVMConstInt(c->i64, v, 0);
}

LLVMBasicBlockRef cg_block(struct cg *c, const char *name)
{
	return LLVMAppendBasicBlockInContext(c->ctx, c->fn, name);
}

LLVMValueRef cg_gep(struct cg *c, LLVMValueRef ptr, unsigned off)
{
	LLVMValueRef idx = LLVMConstInt(c->i64, off, 0);

	if (off == 0)
		return ptr;
	return LLVMBuildGEP2(c->b, c->i8, ptr, &idx, 1, "");
}

static LLVMValueRef as_i64p(struct cg *c, LLVMValueRef p)
{
	return LLVMBuildBitCast(c->b, p, LLVMPointerType(c->i64, 0), "");
}

LLVMValueRef cg_load64(struct cg *c, LLVMValueRef ptr, unsigned off)
{
	return LLVMBuildLoad2(c->b, c->i64, as_i64p(c, cg_gep(c, ptr, off)), "");
}

void cg_store64(struct cg *c, LLVMValueRef ptr, unsigned off, LLVMValueRef v)
{
	LLVMBuildStore(c->b, v, as_i64p(c, cg_gep(c, ptr, off)));
}

/* Sizes are multiples of 8 (types are laid out so), so word stores keep
 * the generated code short and the verifier happy. */
void cg_zero(struct cg *c, LLVMValueRef ptr, unsigned size)
{
	for (unsigned off = 0; off + 8 <= size; off += 8)
		cg_store64(c, ptr, off, cg_const(c, 0));
}

void cg_copy(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size)
{
	for (unsigned off = 0; off + 8 <= size; off += 8)
		cg_store64(c, dst, off, cg_load64(c, src, off));
}

/* The per-CPU scratch value, looked up once in the entry block. */
static LLVMValueRef scratch(struct cg *c)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);
	LLVMValueRef key;

	if (c->scratch)
		return c->scratch;
	LLVMPositionBuilderAtEnd(c->b, c->entry);
	key = LLVMBuildAlloca(c->b, c->i32, "scratch_key");
	LLVMBuildStore(c->b, LLVMConstInt(c->i32, 0, 0), key);
	c->scratch = cg_helper(c, BPF_FUNC_map_lookup_elem, 2,
			       cg_map_ptr(c, c->scratch_map), key);
	c->scratch = LLVMBuildIntToPtr(c->b, c->scratch, c->i8p, "scratch");
	LLVMPositionBuilderAtEnd(c->b, here);
	return c->scratch;
}

/* A free stack slot of this size, or a new one in the entry block. */
static LLVMValueRef stack_tmp(struct cg *c, unsigned size)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);
	LLVMValueRef p;

	for (int i = 0; i < c->ntmps; i++) {
		if (!c->tmps[i].busy && c->tmps[i].size == size) {
			c->tmps[i].busy = true;
			return c->tmps[i].ptr;
		}
	}
	LLVMPositionBuilderAtEnd(c->b, c->entry);
	p = LLVMBuildAlloca(c->b, LLVMArrayType(c->i64, size / 8), "tmp");
	p = LLVMBuildBitCast(c->b, p, c->i8p, "");
	LLVMPositionBuilderAtEnd(c->b, here);
	c->tmps = xrealloc(c->tmps, (c->ntmps + 1) * sizeof(*c->tmps));
	c->tmps[c->ntmps++] = (struct tmp_slot){ p, size, true };
	return p;
}

/* The end of a statement: its temporaries are dead. */
static void release_tmps(struct cg *c)
{
	for (int i = 0; i < c->ntmps; i++)
		c->tmps[i].busy = false;
	c->scratch_used = 0;
}

LLVMValueRef cg_tmp(struct cg *c, unsigned size)
{
	LLVMValueRef p;

	size = gt_align8(size);
	if (size <= CG_STACK_TMP_MAX) {
		p = stack_tmp(c, size);
	} else {
		if (c->scratch_used + size > CG_SCRATCH_SIZE) {
			snprintf(c->err, sizeof(c->err),
				 "probe %s needs more than %u bytes of temporaries",
				 c->pp->ap.name, CG_SCRATCH_SIZE);
			c->scratch_used = 0; /* keep going; the error is reported */
		}
		p = cg_gep(c, scratch(c), c->scratch_used);
		c->scratch_used += size;
	}
	cg_zero(c, p, size);
	return p;
}

LLVMValueRef cg_map_ptr(struct cg *c, LLVMValueRef map)
{
	return LLVMBuildBitCast(c->b, map, c->i8p, "");
}

/* Call helper `id`; pointer arguments are passed as i8*, integers as i64. */
LLVMValueRef cg_helper(struct cg *c, int id, int nargs, ...)
{
	LLVMValueRef args[5];
	va_list ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++) {
		LLVMValueRef a = va_arg(ap, LLVMValueRef);
		LLVMTypeRef t = LLVMTypeOf(a);
		if (LLVMGetTypeKind(t) == LLVMPointerTypeKind)
			a = LLVMBuildBitCast(c->b, a, c->i8p, "");
		else if (t != c->i64)
			a = LLVMBuildZExt(c->b, a, c->i64, "");
		args[i] = a;
	}
	va_end(ap);
	return cgm_helper(c->m, id, args, nargs);
}

/* Look key up in map. The verifier wants every map value pointer checked:
 * this branches to `missing` when there is none, and otherwise leaves the
 * builder in a new block where the returned i8* points at the value. */
LLVMValueRef cg_lookup(struct cg *c, LLVMValueRef map, LLVMValueRef key,
		       LLVMBasicBlockRef missing)
{
	LLVMBasicBlockRef found = cg_block(c, "found");
	LLVMValueRef p = cg_helper(c, BPF_FUNC_map_lookup_elem, 2, cg_map_ptr(c, map), key);

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, p, cg_const(c, 0), ""),
			found, missing);
	LLVMPositionBuilderAtEnd(c->b, found);
	return LLVMBuildIntToPtr(c->b, p, c->i8p, "");
}

/* counter[0] += 1 in a per-CPU array. */
static void bump(struct cg *c, LLVMValueRef map)
{
	LLVMBasicBlockRef done = cg_block(c, "bumped");
	LLVMValueRef p = cg_lookup(c, map, cg_tmp(c, 8), done);

	cg_store64(c, p, 0, LLVMBuildAdd(c->b, cg_load64(c, p, 0), cg_const(c, 1), ""));
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* Count a failed probe_read (rc < 0), for the warning at exit. */
void cg_count_fault(struct cg *c, LLVMValueRef rc)
{
	LLVMBasicBlockRef bad = cg_block(c, "fault"), done = cg_block(c, "no_fault");

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntSLT, rc, cg_const(c, 0), ""),
			bad, done);
	LLVMPositionBuilderAtEnd(c->b, bad);
	bump(c, c->faults);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* Send an async record (id, then payload) through the ring buffer; count
 * it in `lost` if the buffer is full, so that the loss gets reported. */
void cg_emit_async(struct cg *c, int id, LLVMValueRef payload, unsigned size)
{
	LLVMValueRef rec = cg_tmp(c, 8 + size), rc, full;
	LLVMBasicBlockRef lost_bb = cg_block(c, "lost"), done = cg_block(c, "sent");

	cg_store64(c, rec, 0, cg_const(c, id));
	if (size)
		cg_copy(c, cg_gep(c, rec, 8), payload, size);
	rc = cg_helper(c, BPF_FUNC_ringbuf_output, 4, cg_map_ptr(c, c->events), rec,
		       cg_const(c, 8 + size), cg_const(c, 0));
	full = LLVMBuildICmp(c->b, LLVMIntSLT, rc, cg_const(c, 0), "");
	LLVMBuildCondBr(c->b, full, lost_bb, done);

	LLVMPositionBuilderAtEnd(c->b, lost_bb);
	bump(c, c->lost);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* Leave the program; code after this point goes to an unreachable block
 * that LLVM drops. */
void cg_return(struct cg *c)
{
	LLVMBuildBr(c->b, c->ret_bb);
	LLVMPositionBuilderAtEnd(c->b, cg_block(c, "dead"));
}

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

	switch (n->kind) {
	case N_ASSIGN:
		if (n->lhs->kind == N_MAP)
			return cg_map_assign(c, n->lhs, n->rhs);
		cg_store_value(c, cg_var_slot(c, n->lhs->var), n->lhs->type.size,
			       &n->rhs->type, cg_expr(c, n->rhs));
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
		release_tmps(c);
	}
	return 0;
}

static const char *section_of(enum probe_kind k)
{
	static const char *const sections[] = {
		[PK_BEGIN] = "raw_tp", [PK_END] = "raw_tp",
		[PK_UPROBE] = "uprobe.multi", [PK_URETPROBE] = "uretprobe.multi",
		[PK_TRACEPOINT] = "tracepoint", [PK_INTERVAL] = "perf_event",
		[PK_PROFILE] = "perf_event",
	};
	return sections[k];
}

static int gen_prog(struct cg *c, int index)
{
	struct plan_prog *pp = &c->plan->progs[index];
	struct node *probe = pp->probe;

	c->pp = pp;
	c->prog_index = index;
	c->scratch = NULL;
	c->scratch_used = 0;
	c->nvars = 0;
	c->ntmps = 0;
	c->fn = cgm_prog(c->m, pp->name, section_of(pp->kind));
	c->ctx_arg = LLVMGetParam(c->fn, 0);
	c->entry = LLVMGetInsertBlock(c->b);
	c->body = cg_block(c, "body");
	c->ret_bb = cg_block(c, "ret");
	LLVMPositionBuilderAtEnd(c->b, c->ret_bb);
	LLVMBuildRet(c->b, cg_const(c, 0));

	LLVMPositionBuilderAtEnd(c->b, c->body);
	if (probe->cond) {
		LLVMBasicBlockRef go = cg_block(c, "pred_true");
		LLVMValueRef v = cg_expr(c, probe->cond);
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, v, cg_const(c, 0), ""),
				go, c->ret_bb);
		LLVMPositionBuilderAtEnd(c->b, go);
		release_tmps(c);
	}
	if (cg_stmts(c, probe->body))
		return -EINVAL;
	LLVMBuildBr(c->b, c->ret_bb);

	/* Finish the entry block: check the scratch pointer, then run. */
	LLVMPositionBuilderAtEnd(c->b, c->entry);
	if (c->scratch) {
		LLVMValueRef null = LLVMConstNull(c->i8p);
		LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, c->scratch, null, ""),
				c->ret_bb, c->body);
	} else {
		LLVMBuildBr(c->b, c->body);
	}
	if (c->err[0]) {
		diag_error(NULL, "%s", c->err);
		return -EINVAL;
	}
	return 0;
}

void cg_stack_map_name(char *buf, size_t len, int user, int depth)
{
	snprintf(buf, len, "s%c%d", user ? 'u' : 'k', depth);
}

LLVMValueRef cg_stack_map(struct cg *c, int user, int depth)
{
	char name[16];

	if (!c->stack_maps[user][depth]) {
		cg_stack_map_name(name, sizeof(name), user, depth);
		c->stack_maps[user][depth] = cgm_map(c->m, name, BPF_MAP_TYPE_STACK_TRACE,
						     4, 8 * depth, CG_MAX_ENTRIES);
	}
	return c->stack_maps[user][depth];
}

static void define_maps(struct cg *c, unsigned events_size)
{
	char name[16];

	c->maps = calloc(c->plan->nmaps + 1, sizeof(*c->maps));
	for (int i = 0; i < c->plan->nmaps; i++) {
		struct map_info *m = c->plan->maps[i];
		snprintf(name, sizeof(name), "m%d", m->id);
		c->maps[i] = cgm_map(c->m, name, m->bpf_type, m->key_size, m->value_size,
				     m->bpf_type == BPF_MAP_TYPE_PERCPU_ARRAY ? 1 :
				     CG_MAX_ENTRIES);
	}
	c->events = cgm_map(c->m, CG_EVENTS_MAP, BPF_MAP_TYPE_RINGBUF, 0, 0,
			    events_size ? events_size : CG_EVENTS_SIZE);
	c->lost = cgm_map(c->m, CG_LOST_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
	c->faults = cgm_map(c->m, CG_FAULTS_MAP, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
	c->cfg = cgm_map(c->m, CG_CFG_MAP, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
	c->scratch_map = cgm_map(c->m, "scratch", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				 CG_SCRATCH_SIZE, 1);
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
	for (int i = 0; i < plan->nprogs && rc == 0; i++)
		rc = gen_prog(&c, i);
	if (rc == 0 && opts && opts->ir)
		cgm_print_ir(c.m, opts->ir);
	if (rc == 0 && elf) {
		rc = cgm_emit(c.m, elf, len, err, sizeof(err));
		if (rc)
			diag_error(NULL, "%s", err);
	}
	cgm_free(c.m);
	free(c.maps);
	return rc;
}
