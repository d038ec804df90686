/*
 * The emit layer: the small patterns every other file of codegen/ builds
 * BPF code from. Constants and blocks, loads and stores of 64-bit words,
 * stack slots and temporaries, helper calls, map lookups with the null
 * check the verifier wants, fault and loss counters, ring-buffer records.
 * Nothing here walks the AST or knows a builtin: the walker (codegen.c)
 * and the expression, map, call and Go files sit above it and call down.
 *
 * Memory: an integer value is an i64; every other value (string, stack,
 * tuple, symbol) is an i8* to a zeroed buffer of type.size bytes. Buffers
 * come from cg_tmp(): small ones are stack slots, large ones slices of a
 * per-CPU scratch map value, because the BPF stack is only 512 bytes.
 * cg_tmp_raw() leaves out the zeroing for callers that write every byte
 * (records, keys made of whole slots): LLVM's dead-store elimination did
 * not remove all of those zeroes, and its time grows with them (1,000
 * statements: 711M instructions of ours and LLVM's, 679M without).
 * Stack slots are allocas in the program's entry block, which stays open
 * (no terminator) until codegen.c finishes the program, so that slots,
 * their zeroing and the scratch lookup can be added to it at any time.
 */
#include <stdarg.h>
#include <stdio.h>

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

/* Move the builder to the end of the entry block; returns where it was. */
static LLVMBasicBlockRef enter_entry(struct cg *c)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);

	LLVMPositionBuilderAtEnd(c->b, c->entry);
	return here;
}

LLVMValueRef cg_alloca(struct cg *c, unsigned size, const char *name, bool zero)
{
	LLVMBasicBlockRef here = enter_entry(c);
	LLVMValueRef p;

	size = gt_align8(size);
	p = cgm_alloca(c->m, LLVMArrayType(c->i64, size / 8), name);
	/* The cast sits in the entry block too, so it dominates every use of
	 * a slot that later statements reuse. */
	p = LLVMBuildBitCast(c->b, p, c->i8p, "");
	if (zero)
		cg_zero(c, p, size);
	LLVMPositionBuilderAtEnd(c->b, here);
	return p;
}

/* A zeroed 8-byte slot as an i64 alloca, *word, and as the i8* others
 * take (returned). Loads and stores through *word alone let mem2reg keep
 * the value in a register; a use of the i8* keeps it in memory. */
LLVMValueRef cg_alloca_word(struct cg *c, const char *name, LLVMValueRef *word)
{
	LLVMBasicBlockRef here = enter_entry(c);
	LLVMValueRef p;

	*word = cgm_alloca(c->m, c->i64, name);
	LLVMBuildStore(c->b, cg_const(c, 0), *word);
	p = LLVMBuildBitCast(c->b, *word, c->i8p, "");
	LLVMPositionBuilderAtEnd(c->b, here);
	return p;
}

/* The per-CPU scratch value, looked up once in the entry block. */
static LLVMValueRef scratch(struct cg *c)
{
	LLVMBasicBlockRef here;
	LLVMValueRef key;

	if (c->scratch)
		return c->scratch;
	key = cg_alloca(c, 8, "scratch_key", true);
	here = enter_entry(c);
	c->scratch = cg_helper(c, BPF_FUNC_map_lookup_elem, 2,
			       cg_map_ptr(c, c->scratch_map), key);
	c->scratch = LLVMBuildIntToPtr(c->b, c->scratch, c->i8p, "scratch");
	LLVMPositionBuilderAtEnd(c->b, here);
	return c->scratch;
}

/* A free stack slot of this size, or a new one. */
static LLVMValueRef stack_tmp(struct cg *c, unsigned size)
{
	LLVMValueRef p;

	for (int i = 0; i < c->ntmps; i++) {
		if (!c->tmps[i].busy && c->tmps[i].size == size) {
			c->tmps[i].busy = true;
			return c->tmps[i].ptr;
		}
	}
	p = cg_alloca(c, size, "tmp", false);
	c->tmps = xrealloc(c->tmps, (c->ntmps + 1) * sizeof(*c->tmps));
	c->tmps[c->ntmps++] = (struct tmp_slot){ p, size, true };
	return p;
}

void cg_tmp_done(struct cg *c, LLVMValueRef tmp)
{
	for (int i = 0; i < c->ntmps; i++)
		if (c->tmps[i].ptr == tmp)
			c->tmps[i].busy = false;
}

void cg_release_tmps(struct cg *c)
{
	for (int i = 0; i < c->ntmps; i++)
		c->tmps[i].busy = false;
	c->scratch_used = 0;
}

LLVMValueRef cg_tmp_raw(struct cg *c, unsigned size)
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
	return p;
}

LLVMValueRef cg_tmp(struct cg *c, unsigned size)
{
	LLVMValueRef p = cg_tmp_raw(c, size);

	cg_zero(c, p, gt_align8(size));
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

/* The function behind cg_count() for one counter map:
 * gotrace_count_<map>(slot) adds 1 to map[slot]. Its own global function,
 * so that each place that counts a full map, a lost event or a faulted
 * read costs a call and not a lookup with its null check: LLVM's back end
 * and the verifier see that code once, not at every map update. */
static LLVMValueRef counter_fn(struct cg *c, LLVMValueRef map)
{
	LLVMBasicBlockRef at = LLVMGetInsertBlock(c->b), found, done;
	char name[64];
	LLVMValueRef fn, key, p;

	snprintf(name, sizeof(name), "gotrace_count_%s", LLVMGetValueName(map));
	if ((fn = LLVMGetNamedFunction(c->mod, name)))
		return fn;
	fn = cgm_global_fn(c->m, name, "slot");
	found = LLVMAppendBasicBlockInContext(c->ctx, fn, "found");
	done = LLVMAppendBasicBlockInContext(c->ctx, fn, "done");
	key = LLVMBuildAlloca(c->b, c->i32, "key");
	LLVMBuildStore(c->b, LLVMBuildTrunc(c->b, LLVMGetParam(fn, 0), c->i32, ""), key);
	p = cg_helper(c, BPF_FUNC_map_lookup_elem, 2, cg_map_ptr(c, map),
		      LLVMBuildBitCast(c->b, key, c->i8p, ""));
	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, p, cg_const(c, 0), ""), found,
			done);
	LLVMPositionBuilderAtEnd(c->b, found);
	p = LLVMBuildIntToPtr(c->b, p, LLVMPointerType(c->i64, 0), "");
	LLVMBuildStore(c->b, LLVMBuildAdd(c->b, LLVMBuildLoad2(c->b, c->i64, p, ""),
					  cg_const(c, 1), ""), p);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, at);
	return fn;
}

/* Make fn's code: body, between a NULL check of mem and the return. It
 * builds in fn with temporaries of its own: c->fn, c->entry (where
 * cg_block() and cg_alloca() build), the temporaries and the scratch
 * pointer are fn's while it does, and the caller's again after. */
static void build_mem_fn(struct cg *c, LLVMValueRef fn, cg_fn_body *body, const void *arg)
{
	LLVMValueRef outer_fn = c->fn, outer_scratch = c->scratch, mem = LLVMGetParam(fn, 0);
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b), outer_entry = c->entry;
	LLVMBasicBlockRef check, work, ret;
	struct tmp_slot *outer_tmps = c->tmps;
	int outer_ntmps = c->ntmps;
	unsigned outer_used = c->scratch_used;

	c->fn = fn;
	c->entry = here;	/* cgm_mem_fn() left the builder in fn's entry */
	c->tmps = NULL;
	c->ntmps = 0;
	c->scratch = NULL;
	c->scratch_used = 0;
	check = cg_block(c, "check");
	work = cg_block(c, "work");
	ret = cg_block(c, "ret");
	LLVMPositionBuilderAtEnd(c->b, check);
	LLVMBuildCondBr(c->b, LLVMBuildIsNull(c->b, mem, ""), ret, work);
	LLVMPositionBuilderAtEnd(c->b, work);
	body(c, arg, mem, LLVMGetParam(fn, 1));
	LLVMBuildBr(c->b, ret);
	LLVMPositionBuilderAtEnd(c->b, ret);
	LLVMBuildRet(c->b, cg_const(c, 0));
	LLVMPositionBuilderAtEnd(c->b, c->entry);
	LLVMBuildBr(c->b, check);
	free(c->tmps);
	c->fn = outer_fn;
	c->entry = outer_entry;
	c->tmps = outer_tmps;
	c->ntmps = outer_ntmps;
	c->scratch = outer_scratch;
	c->scratch_used = outer_used;
}

LLVMValueRef cg_mem_fn(struct cg *c, const char *name, unsigned size, cg_fn_body *body,
		       const void *arg)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);
	LLVMValueRef fn = LLVMGetNamedFunction(c->mod, name);

	for (int i = 0; fn && i < c->nfns_used; i++)
		if (c->fns_used[i] == fn)
			return fn;
	/* A function this program does not call yet takes one from its
	 * budget; without one the caller inlines the code instead. */
	if (c->fn_budget <= 0)
		return NULL;
	if (!fn) {
		if (!(fn = cgm_mem_fn(c->m, name, size)))
			return NULL;
		build_mem_fn(c, fn, body, arg);
		LLVMPositionBuilderAtEnd(c->b, here);
	}
	c->fn_budget--;
	c->fns_used = xrealloc(c->fns_used, (c->nfns_used + 1) * sizeof(*c->fns_used));
	c->fns_used[c->nfns_used++] = fn;
	return fn;
}

/* counter[slot] += 1 in a per-CPU array. */
void cg_count(struct cg *c, LLVMValueRef map, unsigned slot)
{
	LLVMValueRef arg = cg_const(c, slot);

	cgm_call(c->m, counter_fn(c, map), &arg, 1);
}

void cg_count_if(struct cg *c, LLVMValueRef cond, LLVMValueRef map, unsigned slot)
{
	LLVMBasicBlockRef yes = cg_block(c, "count"), done = cg_block(c, "not_counted");

	LLVMBuildCondBr(c->b, cond, yes, done);
	LLVMPositionBuilderAtEnd(c->b, yes);
	cg_count(c, map, slot);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* counter[slot]++ when rc < 0. */
static void count_if_failed(struct cg *c, LLVMValueRef rc, LLVMValueRef map,
			    unsigned slot)
{
	cg_count_if(c, LLVMBuildICmp(c->b, LLVMIntSLT, rc, cg_const(c, 0), ""), map, slot);
}

/* A failed probe_read, for the warning at exit. */
void cg_count_fault(struct cg *c, LLVMValueRef rc)
{
	count_if_failed(c, rc, c->faults, 0);
	cg_check_helper(c, rc, "probe_read", true, false);
}

/* A map update the kernel refused (the map is full), for the warnings
 * when the map is printed and at exit. */
void cg_count_drop(struct cg *c, LLVMValueRef rc, unsigned slot)
{
	count_if_failed(c, rc, c->drops, slot);
}

/*
 * Finish the current function's entry block: it ends with the pointers
 * looked up there (the scratch buffer, and in the program itself cfg's
 * wakeup slot), which the verifier wants checked once; when one is
 * missing the function leaves through bail, else it goes on to its body.
 */
void cg_finish_entry(struct cg *c, LLVMBasicBlockRef bail)
{
	LLVMValueRef null = LLVMConstNull(c->i8p), missing = NULL, m;
	LLVMValueRef wake = c->fn == c->prog_fn ? c->wake : NULL;

	LLVMPositionBuilderAtEnd(c->b, c->entry);
	if (c->scratch)
		missing = LLVMBuildICmp(c->b, LLVMIntEQ, c->scratch, null, "");
	if (wake) {
		m = LLVMBuildICmp(c->b, LLVMIntEQ, wake, null, "");
		missing = missing ? LLVMBuildOr(c->b, missing, m, "") : m;
	}
	if (missing)
		LLVMBuildCondBr(c->b, missing, bail, c->body);
	else
		LLVMBuildBr(c->b, c->body);
}

/*
 * The ring buffer's flags for a record: wake the consumer at most once
 * every PLAN_WAKE_NS. By default the kernel wakes it for every record
 * that finds it caught up, and a consumer that keeps up with a stream is
 * caught up after nearly every record: each wakeup is an irq_work (an
 * interrupt, costly in a VM) in the traced thread, and a context switch
 * in gotrace. Records sent without a wakeup are picked up when the next
 * one comes, or when the consumer's short poll after a busy batch times
 * out (runtime/run.c), so none waits more than a few milliseconds.
 * cfg[PLAN_CFG_WAKE_NS] holds the time of the last wakeup, for all CPUs:
 * two that race both wake, which is harmless. This computes the flags
 * of a record sent now from that slot, at p, and updates it.
 */
static LLVMValueRef wake_flags_at(struct cg *c, LLVMValueRef p)
{
	LLVMValueRef now = cg_helper(c, BPF_FUNC_ktime_get_ns, 0), last = cg_load64(c, p, 0);
	/* Without branches: wake = 1 when now - last >= WAKE_NS (the sign
	 * bit of WAKE_NS - 1 - d, d being well below 2^63). */
	LLVMValueRef d = LLVMBuildSub(c->b, now, last, "");
	LLVMValueRef wake = LLVMBuildLShr(c->b, LLVMBuildSub(c->b, cg_const(c, PLAN_WAKE_NS - 1),
							       d, ""), cg_const(c, 63), "");

	cg_store64(c, p, 0, LLVMBuildAdd(c->b, last, LLVMBuildMul(c->b, wake, d, ""), ""));
	_Static_assert(BPF_RB_FORCE_WAKEUP == BPF_RB_NO_WAKEUP + 1, "flags = NO_WAKEUP + wake");
	return LLVMBuildAdd(c->b, cg_const(c, BPF_RB_NO_WAKEUP), wake, "");
}

LLVMValueRef cg_wake_flags(struct cg *c)
{
	LLVMValueRef key;
	LLVMBasicBlockRef here;

	/* In a callback (a for loop's body, a part of a huge probe) the
	 * kernel's own wakeup rule: the slot is looked up in the program's
	 * entry block, which a callback cannot use. */
	if (c->fn != c->prog_fn)
		return cg_const(c, 0);

	/* cfg's slot is looked up once, in the entry block, which returns
	 * early if it is missing (codegen.c): every instruction here is
	 * verified again for each path that reaches it, and programs with
	 * loops before a printf have many. */
	if (!c->wake) {
		key = cg_alloca(c, 8, "wake_key", false);
		here = enter_entry(c);
		cg_store64(c, key, 0, cg_const(c, PLAN_CFG_WAKE_NS));
		c->wake = cg_helper(c, BPF_FUNC_map_lookup_elem, 2, cg_map_ptr(c, c->cfg), key);
		c->wake = LLVMBuildIntToPtr(c->b, c->wake, c->i8p, "wake");
		LLVMPositionBuilderAtEnd(c->b, here);
	}
	return wake_flags_at(c, c->wake);
}

/* Send rec, size bytes, with flags; count it in `lost` if the ring buffer
 * is full, so that the loss gets reported. */
static void send(struct cg *c, LLVMValueRef rec, unsigned size, LLVMValueRef flags)
{
	LLVMBasicBlockRef lost_bb = cg_block(c, "lost"), done = cg_block(c, "sent");
	LLVMValueRef rc = cg_helper(c, BPF_FUNC_ringbuf_output, 4, cg_map_ptr(c, c->events),
				    rec, cg_const(c, size), flags);

	LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntSLT, rc, cg_const(c, 0), ""),
			lost_bb, done);
	LLVMPositionBuilderAtEnd(c->b, lost_bb);
	cg_count(c, c->lost, 0);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* The wakeup flags in a global function, where cfg's wakeup slot cannot
 * come from the program's entry block: it is looked up here, at every
 * call (an array lookup, which the verifier inlines). */
static LLVMValueRef wake_flags_here(struct cg *c)
{
	LLVMValueRef key = cg_alloca(c, 8, "wake_key", false), p, flags, vals[2];
	LLVMBasicBlockRef missing = cg_block(c, "no_slot"), go = cg_block(c, "send"), bbs[2];

	cg_store64(c, key, 0, cg_const(c, PLAN_CFG_WAKE_NS));
	p = cg_lookup(c, c->cfg, key, missing);
	vals[0] = wake_flags_at(c, p);
	bbs[0] = LLVMGetInsertBlock(c->b);
	LLVMBuildBr(c->b, go);
	LLVMPositionBuilderAtEnd(c->b, missing);
	LLVMBuildBr(c->b, go);
	LLVMPositionBuilderAtEnd(c->b, go);
	flags = LLVMBuildPhi(c->b, c->i64, "flags");
	vals[1] = cg_const(c, 0);
	bbs[1] = missing;
	LLVMAddIncoming(flags, vals, bbs, 2);
	return flags;
}

/* The body of gotrace_send_<size>(rec). */
static void send_body(struct cg *c, const void *arg, LLVMValueRef rec, LLVMValueRef x)
{
	(void)x;
	send(c, rec, *(const unsigned *)arg, wake_flags_here(c));
}

LLVMValueRef cg_async_rec(struct cg *c, int id, unsigned size)
{
	LLVMValueRef rec = cg_tmp_raw(c, 8 + size);	/* its callers fill it */

	cg_store64(c, rec, 0, cg_const(c, id));
	return rec;
}

/* A record is sent through one global function per record size,
 * gotrace_send_<size>(rec): the wakeup rule and the loss count are then
 * compiled and verified once, not at every printf. */
void cg_send_async(struct cg *c, LLVMValueRef rec, unsigned size)
{
	char name[48];
	LLVMValueRef fn, args[2];
	unsigned total = 8 + size;

	snprintf(name, sizeof(name), "gotrace_send_%u", total);
	if (!(fn = cg_mem_fn(c, name, total, send_body, &total))) {
		send(c, rec, total, cg_wake_flags(c));
		return;
	}
	args[0] = rec;
	args[1] = cg_const(c, 0);
	cgm_call(c->m, fn, args, 2);
}

/*
 * The frames of a user stack are symbolized through its process's maps
 * when a map is printed, often after the process has exited: then they
 * could only print as addresses. So a new key that holds one asks the
 * consumer to read the process's maps, and open its binaries, while it
 * lives (runtime/run.c, proc_seen()). Only new keys send it, so a stream
 * of events that hits the same keys pays nothing. It wakes the consumer
 * as printf does, at most once a millisecond (a burst of new keys does
 * not wake it for each), and the consumer looks again within
 * PLAN_LINGER_MS after a wakeup. If the ring buffer is full it is not
 * counted as an event lost: the stack then prints as it would have, and
 * the exit warning says so.
 */
void cg_pid_seen(struct cg *c)
{
	LLVMValueRef rec = cg_async_rec(c, plan_pid_seen(c->plan), 8);
	LLVMValueRef tgid = LLVMBuildLShr(c->b, cg_helper(c, BPF_FUNC_get_current_pid_tgid, 0),
					  cg_const(c, 32), "");

	cg_store64(c, rec, 8, tgid);
	cg_helper(c, BPF_FUNC_ringbuf_output, 4, cg_map_ptr(c, c->events), rec, cg_const(c, 16),
		  c->fn == c->prog_fn ? cg_wake_flags(c) : wake_flags_here(c));
}

void cg_emit_async(struct cg *c, int id, LLVMValueRef payload, unsigned size)
{
	LLVMValueRef rec = cg_async_rec(c, id, size);

	if (size)
		cg_copy(c, cg_gep(c, rec, 8), payload, size);
	cg_send_async(c, rec, size);
}

/* -k and -kk: a record naming the helper and its result, when it fails,
 * as bpftrace's helper checks do. The place is the statement's. */
void cg_check_helper(struct cg *c, LLVMValueRef rc, const char *helper, bool read,
		     bool zero_fails)
{
	LLVMBasicBlockRef fail, done;
	LLVMValueRef bad, rec;
	int id;

	if (c->helper_checks < (read ? 2 : 1))
		return;
	id = plan_add_helper_error(c->plan, helper, c->loc);
	fail = cg_block(c, "helper_failed");
	done = cg_block(c, "helper_checked");
	bad = LLVMBuildICmp(c->b, zero_fails ? LLVMIntEQ : LLVMIntSLT, rc, cg_const(c, 0), "");
	LLVMBuildCondBr(c->b, bad, fail, done);
	LLVMPositionBuilderAtEnd(c->b, fail);
	rec = cg_tmp_raw(c, 8);
	cg_store64(c, rec, 0, rc);
	cg_emit_async(c, id, rec, 8);
	cg_tmp_done(c, rec);
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
