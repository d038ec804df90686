/*
 * Where a Go function's body starts: after the prologue's stack check.
 *
 * A Go function begins by comparing SP with its goroutine's stack bound,
 * g.stackguard0 at 16(R14) (Go 1.17+; before, g came from TLS first):
 *
 *   small frame   CMPQ 0x10(R14), SP ; JLS more
 *   larger frame  LEAQ -N(SP), R12 ; CMPQ 0x10(R14), R12 ; JLS more
 *   huge frame    MOVQ SP, R12 ; SUBQ $N, R12 ; JCS more ;
 *                 CMPQ 0x10(R14), R12 ; JLS more
 *   stack ABI     MOVQ FS:-8, CX ; CMPQ 0x10(CX), SP ; JLS more
 *   assembly      MOVQ FS:-8, R14 ; then one of the above
 *
 * `more` (at the function's end) spills the argument registers, calls
 * runtime.morestack_noctxt and jumps back to the entry. It is taken when
 * the stack must grow, and when the runtime poisons stackguard0 to ask the
 * goroutine to stop (preemption, GC): the function then runs again from
 * its entry. A uprobe at the entry fires twice for such a call (1,000
 * fresh goroutines calling a 16 KB-frame function gave 2,000 hits); a
 * uprobe after the last JLS fires once, as debuggers' breakpoints on a
 * function do. The check writes no argument register, nor R14 or SP, so
 * the arguments, g and the return address at 0(SP) are still where they
 * are at the entry.
 *
 * The prologue is recognised, not assumed: each conditional jump must go
 * to a block that calls runtime.morestack*, and the instructions skipped
 * may only write scratch registers (R12, R13 with the register ABI, which
 * keeps arguments in AX, BX, CX, DI, SI, R8-R11). Functions without the
 * check (NOSPLIT ones, and leaves with small frames) start at the entry.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "golang/gopcln.h"

#define PROLOGUE_MAX 8		/* instructions a stack check can take */
#define MORESTACK_MAX 24	/* instructions from `more` to its call */

/* Does the block at `to`, inside f, call runtime.morestack (or _noctxt)?
 * The spill of the argument registers comes first. A branch target is an
 * instruction's start, so the block is decoded from there on its own. */
static bool calls_morestack(struct bin *b, const struct bin_func *f, uint64_t to)
{
	struct bin_insn *in;
	size_t n;
	bool yes = false;

	if (to < f->addr || to - f->addr >= f->size ||
	    bin_decode_max(b, to, f->size - (to - f->addr), MORESTACK_MAX, &in, &n, NULL, 0))
		return false;
	for (size_t i = 0; i < n; i++) {
		struct bin_frame fr[4];
		int nf;

		if (in[i].kind == BIN_INSN_OTHER)
			continue;
		if (in[i].kind == BIN_INSN_CALL && in[i].has_target) {
			nf = bin_symbolize(b, in[i].target, fr, 4);
			yes = nf > 0 && nf <= 4 && fr[nf - 1].func &&
			      !strncmp(fr[nf - 1].func, "runtime.morestack", 17);
		}
		break;
	}
	free(in);
	return yes;
}

/* Did the Go compiler write f? Its code is all instructions. Assembly may
 * put data in .text (crypto/internal/boring/sig's markers are a JMP over
 * a signature), and so may C; Go 1.18+ marks assembly in _func.flag, and
 * older tables cannot tell. */
static bool compiled_go(struct bin *b, const struct bin_func *f)
{
	struct go_pcln *g = b->go;
	int64_t i = g && g->ver >= GO_PCLN_118 ? go_pcln_find(g, f->addr) : -1;
	struct go_func gf;

	return i >= 0 && !go_pcln_func(g, (uint64_t)i, &gf, NULL) && gf.entry == f->addr &&
	       !go_func_is_asm(g, &gf);
}

/* The register an AT&T instruction writes: its last operand, when that is
 * a register. */
static const char *dest(const struct bin_insn *in)
{
	const char *comma = strrchr(in->ops, ',');
	const char *d = comma ? comma + 1 : in->ops;

	d += strspn(d, " ");
	return *d == '%' ? d : NULL;
}

/* May a prologue instruction write what it writes? Compares write
 * nothing; the rest may write scratch registers only (with the stack ABI,
 * whose arguments are on the stack, anything but SP and BP). Assembly
 * functions (ABI0) in a register-ABI binary load g from TLS into R14
 * first, which leaves R14 as it would be. */
static bool harmless(const struct bin_insn *in, bool regabi)
{
	const char *d;

	if (!strncmp(in->mnem, "cmp", 3) || in->kind == BIN_INSN_JCC)
		return true;
	if (strncmp(in->mnem, "mov", 3) && strncmp(in->mnem, "lea", 3) &&
	    strncmp(in->mnem, "sub", 3))
		return false;
	if (!(d = dest(in)))
		return false;
	if (!strcmp(d, "%r14") && !strncmp(in->ops, "%fs:-8,", 7))
		return true;
	if (regabi)
		return !strcmp(d, "%r12") || !strcmp(d, "%r13");
	return strcmp(d, "%rsp") && strcmp(d, "%rbp");
}

int bin_go_sp_delta(struct bin *b, uint64_t pc)
{
	struct go_pcln *g = b->go;
	int64_t i = g ? go_pcln_find(g, pc) : -1;
	struct go_func f;
	const char *name;
	uint32_t tab;
	int32_t v;

	/* _func field 4 is pcsp, the SP delta table */
	if (i < 0 || go_pcln_func(g, (uint64_t)i, &f, &name) || !go_func_field(g, &f, 4, &tab) ||
	    !go_pcvalue(g, &f, tab, pc, &v) || v < 0)
		return -1;
	return v;
}

/* Is the pcsp table at tab 0 everywhere in f (a function without a
 * frame: it never moves SP, so its return address stays at [SP])? */
static bool frameless(const struct go_pcln *g, const struct go_func *f, uint32_t tab)
{
	struct go_pciter it;

	if (!go_pciter_init(g, f, tab, &it))
		return false;
	while (go_pcstep(g, &it))
		if (it.v != 0)
			return false;
	return it.done;
}

size_t bin_go_frameless(struct bin *b, uint64_t **ranges)
{
	struct go_pcln *g = b->go;
	size_t n = 0, cap = 0;
	uint64_t *r = NULL;

	for (uint64_t i = 0; g && i < g->nfunc; i++) {
		struct go_func f;
		const char *name;
		uint32_t tab;

		if (go_pcln_func(g, i, &f, &name) || !go_func_field(g, &f, 4, &tab) ||
		    !frameless(g, &f, tab))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			r = xrealloc(r, 2 * cap * sizeof(*r));
		}
		r[2 * n] = f.entry;
		r[2 * n + 1] = f.end;
		n++;
	}
	*ranges = r;
	return n;
}

int bin_go_body_site(struct bin *b, const struct bin_func *f, bool regabi, uint64_t *site,
		     char *err, size_t errlen)
{
	struct bin_insn *in;
	size_t n;
	/* Decoding the whole function is what proves that it is code, where
	 * a uprobe's INT3 cannot land in bytes the program reads. For the
	 * compiler's functions the prologue is enough: the whole of
	 * runtime.mallocgc was 16% of a start-up's instructions. */
	size_t max = compiled_go(b, f) ? PROLOGUE_MAX : SIZE_MAX;
	int ret = bin_decode_max(b, f->addr, f->size, max, &in, &n, err, errlen);

	*site = f->addr;
	if (ret)
		return ret;
	for (size_t i = 0; i < n && i < PROLOGUE_MAX && harmless(&in[i], regabi); i++) {
		if (in[i].kind != BIN_INSN_JCC)
			continue;
		if (!in[i].has_target || !calls_morestack(b, f, in[i].target))
			break;
		*site = in[i].pc + in[i].len;
	}
	free(in);
	return 0;
}
