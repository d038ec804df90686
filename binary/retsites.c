/*
 * Return sites of a function: the address of every RET instruction, for
 * return probes that never touch the stack.
 *
 * A kernel uretprobe replaces the return address on the stack with a
 * trampoline. Go moves goroutine stacks (copystack) and walks them for GC
 * and tracebacks, finds the trampoline where a PC of the caller should be,
 * and dies with "unexpected return pc". So gotrace puts a plain uprobe on
 * each RET of the function instead: the probe fires with the return values
 * still in their registers and the frame already popped.
 *
 * The code is decoded instruction by instruction (binary/insns.c), so a
 * 0xc3 byte inside an immediate or a displacement is never taken for a
 * RET. The end comes from the function table (the pclntab for Go,
 * st_size for C). Code that does not decode gives -EILSEQ: 10803 of the
 * 10804 functions of the go 1.19 tool decode, the odd one being data.
 *
 * What is not a return, and what returns without a RET of this function:
 *  - Go's stack-growth prologue (CMPQ SP, 16(R14); JLS tail) jumps to a
 *    tail block that calls runtime.morestack_noctxt and JMPs back to the
 *    entry. Both jumps stay inside the function, and are not exits.
 *  - A tail call (a JMP, or for C a conditional Jcc, to another function)
 *    leaves through the callee's RET, which returns straight to our
 *    caller, so a probe on our RETs misses that return. Go emits these in
 *    method wrappers (regabi), C compilers at -O2 everywhere. They are
 *    counted as tail jumps so the caller can warn.
 *  - An indirect JMP (through a register or memory) is either a jump table
 *    (Go 1.19+ switches, C switches) or a tail call through a pointer; we
 *    cannot tell which, so they are only counted.
 *  - A function that panics, calls os.Exit or loops forever has no RET on
 *    that path; a recovered panic resumes at the deferreturn call, whose
 *    RET is one of ours. Far returns (lret) are not counted: no compiler
 *    emits them for user code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"

struct vec {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct vec *v, uint64_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		uint64_t *p = realloc(v->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

int bin_func_exits(struct bin *b, uint64_t addr, uint64_t size, struct bin_exits *x,
		   char *err, size_t errlen)
{
	struct vec rets = { 0 }, tails = { 0 };
	struct bin_insn *in;
	size_t n, indirect = 0;
	int ret = bin_decode(b, addr, size, &in, &n, err, errlen);

	memset(x, 0, sizeof(*x));
	for (size_t i = 0; i < n && !ret; i++) {
		const struct bin_insn *s = &in[i];

		if (s->kind == BIN_INSN_RET)
			ret = push(&rets, s->pc);
		else if (s->kind == BIN_INSN_IJMP)
			indirect++;
		else if ((s->kind == BIN_INSN_JMP || s->kind == BIN_INSN_JCC) && s->has_target &&
			 (s->target < addr || s->target >= addr + size))
			ret = push(&tails, s->pc);
	}
	free(in);
	if (ret) {
		if (ret == -ENOMEM)
			bin_seterr(err, errlen, "out of memory");
		free(rets.v);
		free(tails.v);
		return ret;
	}
	*x = (struct bin_exits){
		.rets = rets.v, .nrets = rets.n,
		.tail_jumps = tails.v, .ntail_jumps = tails.n,
		.indirect_jumps = indirect,
	};
	return 0;
}

void bin_exits_free(struct bin_exits *x)
{
	free(x->rets);
	free(x->tail_jumps);
	memset(x, 0, sizeof(*x));
}

/* Hands one list to the caller, frees the other; returns its length. */
static int take(struct bin_exits *x, bool rets, uint64_t **out)
{
	size_t n = rets ? x->nrets : x->ntail_jumps;

	*out = rets ? x->rets : x->tail_jumps;
	if (rets)
		x->rets = NULL;
	else
		x->tail_jumps = NULL;
	bin_exits_free(x);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int bin_ret_sites(struct bin *b, uint64_t addr, uint64_t size, uint64_t **out, char *err, size_t errlen)
{
	struct bin_exits x;
	int ret;

	*out = NULL;
	ret = bin_func_exits(b, addr, size, &x, err, errlen);
	return ret ?: take(&x, true, out);
}

int bin_tail_jumps(struct bin *b, uint64_t addr, uint64_t size, uint64_t **out, char *err, size_t errlen)
{
	struct bin_exits x;
	int ret;

	*out = NULL;
	ret = bin_func_exits(b, addr, size, &x, err, errlen);
	return ret ?: take(&x, false, out);
}

int bin_ret_sites_func(struct bin *b, const char *func, uint64_t **out, char *err, size_t errlen)
{
	struct bin_func f;

	*out = NULL;
	if (bin_func_find(b, func, &f)) {
		bin_seterr(err, errlen, "%s: function '%s' not found", b->path, func);
		return -ENOENT;
	}
	return bin_ret_sites(b, f.addr, f.size, out, err, errlen);
}

/* A uprobe replaces the first byte of an instruction with INT3; placed
 * inside an instruction it corrupts the program. 0 if an instruction of
 * the function [addr, addr+size) starts at probe, -EINVAL if not. */
int bin_insn_boundary(struct bin *b, uint64_t addr, uint64_t size, uint64_t probe,
		      char *err, size_t errlen)
{
	struct bin_insn *in;
	size_t n;
	bool starts = false;
	int ret = bin_decode(b, addr, size, &in, &n, err, errlen);

	for (size_t i = 0; i < n; i++)
		starts |= in[i].pc == probe;
	free(in);
	if (ret)
		return ret;
	if (!starts) {
		bin_seterr(err, errlen, "%s: %#" PRIx64 " is inside an instruction, not at "
			   "its start: a uprobe there would corrupt the program", b->path, probe);
		return -EINVAL;
	}
	return 0;
}
