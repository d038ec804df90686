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
 * The code is decoded with LLVM's x86 disassembler, one instruction after
 * another from the entry, so a 0xc3 byte inside an immediate or a
 * displacement is never taken for a RET. The end comes from the function
 * table (the pclntab for Go, st_size for C); Go pads between functions
 * with INT3 (0xcc), which decodes as one-byte instructions and is ignored.
 * A byte that does not decode means the range is not code (or the size is
 * wrong): we skip it to count how many there are, then fail rather than
 * guess, since a guess could put a uprobe in the middle of an instruction.
 * Go has one such case: crypto/internal/boring/sig's marker functions are
 * a JMP over a data signature, and give -EILSEQ (10803 of the 10804
 * functions of the go 1.19 tool decode).
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
#include <elf.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "binary/bin_impl.h"

/* One disassembler for the process, made on first use. LLVM's context is
 * not thread-safe, and the branch target reaches us through a callback
 * that writes `target`, so every decode holds dis_lock. */
static pthread_mutex_t dis_lock = PTHREAD_MUTEX_INITIALIZER;
static LLVMDisasmContextRef dis;
static struct {
	uint64_t target;	/* absolute target of the last direct branch */
	bool has_target;
} last;

struct vec {
	uint64_t *v;
	size_t n, cap;
};

struct scan {
	uint64_t lo, hi;	/* the function's code */
	struct vec rets, tails;
	size_t indirect;
	size_t bad;		/* bytes that did not decode */
	uint64_t first_bad;
	uint64_t probe;		/* an address asked about, or 0 */
	bool probe_starts;	/* an instruction starts at probe */
};

/* LLVM calls this for operands that refer to an address; for a direct
 * branch (JMP/Jcc/CALL rel) it passes the absolute target, which is all
 * we want. Returning NULL keeps the plain hex address in the text. */
static const char *lookup(void *info, uint64_t value, uint64_t *type, uint64_t pc, const char **name)
{
	if (*type == LLVMDisassembler_ReferenceType_In_Branch) {
		last.target = value;
		last.has_target = true;
	}
	*type = LLVMDisassembler_ReferenceType_InOut_None;
	*name = NULL;
	return NULL;
}

static int dis_get(char *err, size_t errlen)
{
	if (dis)
		return 0;
	LLVMInitializeX86TargetInfo();
	LLVMInitializeX86TargetMC();
	LLVMInitializeX86Disassembler();
	dis = LLVMCreateDisasm("x86_64-linux-gnu", NULL, 0, NULL, lookup);
	if (!dis) {
		bin_seterr(err, errlen, "cannot create the LLVM x86-64 disassembler");
		return -ENOTSUP;
	}
	return 0;
}

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

/* Instruction prefixes LLVM prints as separate words before the mnemonic
 * ("rep\t\tretq", "bnd jmp", "notrack jmpq *%rax"). */
static bool is_prefix(const char *w, size_t n)
{
	static const char *const words[] = {
		"rep", "repe", "repz", "repne", "repnz", "bnd", "notrack", "lock",
		"data16", "data32", "addr32", "cs", "ds", "es", "ss", "fs", "gs",
		"xacquire", "xrelease", "rex", "rex64",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strlen(words[i]) == n && !memcmp(words[i], w, n))
			return true;
	return false;
}

/* The mnemonic of an instruction's text and where its operands begin. */
static const char *mnemonic(const char *s, size_t *len, const char **ops)
{
	for (;;) {
		size_t n;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (!n || !is_prefix(s, n)) {
			*len = n;
			*ops = s + n + strspn(s + n, " \t");
			return s;
		}
		s += n;
	}
}

static bool word_is(const char *m, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(m, w, n);
}

/* Near return: "retq", "retq $8" (LLVM 14 AT&T); "ret"/"retl"/"retw" for
 * other spellings and operand sizes. */
static bool is_ret(const char *m, size_t n)
{
	return word_is(m, n, "ret") || word_is(m, n, "retq") ||
	       word_is(m, n, "retl") || word_is(m, n, "retw");
}

/* jmp, jmpq and every Jcc (je, jne, jrcxz, ...) start with 'j'; no other
 * x86 mnemonic does. */
static bool is_jump(const char *m, size_t n)
{
	return n >= 2 && m[0] == 'j';
}

/* Classifies one decoded instruction at pc. */
static int classify(struct scan *s, const char *text, uint64_t pc)
{
	const char *ops, *m;
	size_t n;

	m = mnemonic(text, &n, &ops);
	if (is_ret(m, n))
		return push(&s->rets, pc);
	if (!is_jump(m, n))
		return 0;
	if (*ops == '*') {
		s->indirect++;
		return 0;
	}
	/* the callback gives the target; the text (an absolute address,
	 * since the callback names no symbol) is the fallback */
	if (!last.has_target && !strncmp(ops, "0x", 2)) {
		last.target = strtoull(ops, NULL, 16);
		last.has_target = true;
	}
	if (last.has_target && (last.target < s->lo || last.target >= s->hi))
		return push(&s->tails, pc);
	return 0;
}

/* Decodes [lo, hi) from code, instruction by instruction. */
static int decode(struct scan *s, const uint8_t *code)
{
	uint64_t pc = s->lo;
	char text[256];
	int ret = 0;

	while (!ret && pc < s->hi) {
		size_t len;

		last.has_target = false;
		len = LLVMDisasmInstruction(dis, (uint8_t *)code + (pc - s->lo), s->hi - pc, pc,
					    text, sizeof(text));
		if (!len) {
			if (!s->bad++)
				s->first_bad = pc;
			pc++;
			continue;
		}
		if (pc == s->probe)
			s->probe_starts = true;
		ret = classify(s, text, pc);
		pc += len;
	}
	return ret;
}

/* The bytes of [addr, addr+size), checked to be in an executable,
 * file-backed part of a PT_LOAD. */
static const uint8_t *code_at(struct bin *b, uint64_t addr, uint64_t size, char *err, size_t errlen)
{
	const uint8_t *p;
	uint64_t off;

	if (bin_vaddr_to_offset(b, addr, &off)) {
		bin_seterr(err, errlen, "%s: address %#" PRIx64 " is in no loadable segment", b->path, addr);
		return NULL;
	}
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *sg = &b->segs[i];

		if (addr >= sg->vaddr && addr - sg->vaddr < sg->memsz && !(sg->flags & PF_X)) {
			bin_seterr(err, errlen, "%s: address %#" PRIx64 " is not in an executable segment",
				   b->path, addr);
			return NULL;
		}
	}
	p = bin_at_vaddr(b, addr, size);
	if (!p)
		bin_seterr(err, errlen, "%s: code at %#" PRIx64 "..%#" PRIx64 " runs past the file's segment",
			   b->path, addr, addr + size);
	return p;
}

/* Everything the public functions share: checks, then one decode. */
static int scan(struct bin *b, uint64_t addr, uint64_t size, struct scan *s, char *err, size_t errlen)
{
	const char *arch = bin_arch(b);
	const uint8_t *code;
	int ret;

	uint64_t probe = s->probe;

	memset(s, 0, sizeof(*s));
	s->probe = probe;
	if (!arch || strcmp(arch, "amd64")) {
		bin_seterr(err, errlen, "%s: finding RET instructions needs x86-64 code, not %s",
			   b->path, arch ? arch : "this machine");
		return -ENOTSUP;
	}
	if (!size) {
		bin_seterr(err, errlen, "%s: function at %#" PRIx64 " has no known size", b->path, addr);
		return -ENODATA;
	}
	if (addr + size < addr || !(code = code_at(b, addr, size, err, errlen)))
		return -ERANGE;
	s->lo = addr;
	s->hi = addr + size;
	pthread_mutex_lock(&dis_lock);
	ret = dis_get(err, errlen) ?: decode(s, code);
	pthread_mutex_unlock(&dis_lock);
	if (ret == -ENOMEM)
		bin_seterr(err, errlen, "out of memory");
	if (!ret && s->bad) {
		bin_seterr(err, errlen, "%s: %zu byte(s) at %#" PRIx64 "..%#" PRIx64 " do not decode as "
			   "x86-64, first at %#" PRIx64 " (not code, or a wrong function size)",
			   b->path, s->bad, addr, addr + size, s->first_bad);
		ret = -EILSEQ;
	}
	if (ret) {
		free(s->rets.v);
		free(s->tails.v);
		memset(s, 0, sizeof(*s));
	}
	return ret;
}

int bin_func_exits(struct bin *b, uint64_t addr, uint64_t size, struct bin_exits *x,
		   char *err, size_t errlen)
{
	struct scan s;
	int ret = scan(b, addr, size, &s, err, errlen);

	memset(x, 0, sizeof(*x));
	if (ret)
		return ret;
	*x = (struct bin_exits){
		.rets = s.rets.v, .nrets = s.rets.n,
		.tail_jumps = s.tails.v, .ntail_jumps = s.tails.n,
		.indirect_jumps = s.indirect,
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
	struct scan s = { .probe = probe };
	int ret = scan(b, addr, size, &s, err, errlen);

	free(s.rets.v);
	free(s.tails.v);
	if (ret)
		return ret;
	if (!s.probe_starts) {
		bin_seterr(err, errlen, "%s: %#" PRIx64 " is inside an instruction, not at "
			   "its start: a uprobe there would corrupt the program", b->path, probe);
		return -EINVAL;
	}
	return 0;
}
