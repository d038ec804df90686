/*
 * Decoding a function's x86-64 instructions with LLVM's disassembler, for
 * the analyses that must know where instructions start and where jumps
 * go: return sites (binary/retsites.c), and where a Go function's
 * stack-check prologue ends (golang/prologue.c).
 *
 * The code is decoded one instruction after another from the entry, so a
 * byte inside an immediate or a displacement is never taken for an
 * instruction of its own. Go pads between functions with INT3 (0xcc),
 * which decodes as one-byte instructions. A byte that does not decode
 * means the range is not code (or its size is wrong): we skip it to count
 * how many there are, then fail rather than guess, since a guess could
 * put a uprobe in the middle of an instruction. Go has one such case:
 * crypto/internal/boring/sig's marker functions are a JMP over a data
 * signature.
 */
#include <errno.h>
#include <elf.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "binary/bin_impl.h"

/* One disassembler for the process, made on first use. LLVM's context is
 * not thread-safe, and the branch target reaches us through a callback
 * that writes `last`, so every decode holds dis_lock. */
static pthread_mutex_t dis_lock = PTHREAD_MUTEX_INITIALIZER;
static LLVMDisasmContextRef dis;
static struct {
	uint64_t target;	/* absolute target of the last direct branch */
	bool has_target;
} last;

/* LLVM calls this for operands that refer to an address; for a direct
 * branch (JMP/Jcc/CALL rel) it passes the absolute target, which is all
 * we want. Returning NULL keeps the plain hex address in the text. */
static const char *lookup(void *info, uint64_t value, uint64_t *type, uint64_t pc,
			  const char **name)
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

static bool word_is(const char *m, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(m, w, n);
}

/* The kind of an instruction from its mnemonic. Near return: "retq",
 * "retq $8" (LLVM 14 AT&T), "ret"/"retl"/"retw"; jmp, jmpq and every Jcc
 * (je, jne, jrcxz, ...) start with 'j', and no other x86 mnemonic does. */
static enum bin_insn_kind kind_of(const char *m, size_t n, const char *ops)
{
	if (word_is(m, n, "ret") || word_is(m, n, "retq") || word_is(m, n, "retl") ||
	    word_is(m, n, "retw"))
		return BIN_INSN_RET;
	if (n >= 2 && m[0] == 'j') {
		if (*ops == '*')
			return BIN_INSN_IJMP;
		return word_is(m, n, "jmp") || word_is(m, n, "jmpq") ? BIN_INSN_JMP
								    : BIN_INSN_JCC;
	}
	if (n >= 4 && !memcmp(m, "call", 4))
		return BIN_INSN_CALL;
	return BIN_INSN_OTHER;
}

/* Fill in from LLVM's text: mnemonic (prefixes dropped), operands, kind
 * and target. */
static void describe(struct bin_insn *in, const char *text)
{
	const char *s = text, *ops;
	size_t n;

	for (;;) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (!n || !is_prefix(s, n))
			break;
		s += n;
	}
	ops = s + n + strspn(s + n, " \t");
	snprintf(in->mnem, sizeof(in->mnem), "%.*s", (int)n, s);
	snprintf(in->ops, sizeof(in->ops), "%s", ops);
	in->kind = kind_of(s, n, ops);
	in->has_target = last.has_target;
	in->target = last.target;
	/* the callback gives the target; the text (an absolute address,
	 * since the callback names no symbol) is the fallback */
	if (!in->has_target && in->kind != BIN_INSN_OTHER && in->kind != BIN_INSN_RET &&
	    !strncmp(ops, "0x", 2)) {
		in->target = strtoull(ops, NULL, 16);
		in->has_target = true;
	}
}

/* The bytes of [addr, addr+size), checked to be in an executable,
 * file-backed part of a PT_LOAD. */
static const uint8_t *code_at(struct bin *b, uint64_t addr, uint64_t size, char *err,
			      size_t errlen)
{
	const uint8_t *p;
	uint64_t off;

	if (bin_vaddr_to_offset(b, addr, &off)) {
		bin_seterr(err, errlen, "%s: address %#" PRIx64 " is in no loadable segment",
			   b->path, addr);
		return NULL;
	}
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *sg = &b->segs[i];

		if (addr >= sg->vaddr && addr - sg->vaddr < sg->memsz && !(sg->flags & PF_X)) {
			bin_seterr(err, errlen, "%s: address %#" PRIx64 " is not in an "
				   "executable segment", b->path, addr);
			return NULL;
		}
	}
	p = bin_at_vaddr(b, addr, size);
	if (!p)
		bin_seterr(err, errlen, "%s: code at %#" PRIx64 "..%#" PRIx64 " runs past "
			   "the file's segment", b->path, addr, addr + size);
	return p;
}

/* Decodes [lo, hi) into *v; counts the bytes that do not decode. */
static int decode(const uint8_t *code, uint64_t lo, uint64_t hi, size_t max,
		  struct bin_insn **v, size_t *n, size_t *bad, uint64_t *first_bad)
{
	size_t cap = 0;
	uint64_t pc = lo;
	char text[256];

	while (pc < hi && *n < max) {
		size_t len;

		last.has_target = false;
		len = LLVMDisasmInstruction(dis, (uint8_t *)code + (pc - lo), hi - pc, pc,
					    text, sizeof(text));
		if (!len) {
			if (!(*bad)++)
				*first_bad = pc;
			pc++;
			continue;
		}
		if (*n == cap) {
			struct bin_insn *p;

			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(*v, cap * sizeof(*p))))
				return -ENOMEM;
			*v = p;
		}
		(*v)[*n] = (struct bin_insn){ .pc = pc, .len = (unsigned)len };
		describe(&(*v)[(*n)++], text);
		pc += len;
	}
	return 0;
}

int bin_decode(struct bin *b, uint64_t addr, uint64_t size, struct bin_insn **out,
	       size_t *n, char *err, size_t errlen)
{
	return bin_decode_max(b, addr, size, SIZE_MAX, out, n, err, errlen);
}

int bin_decode_max(struct bin *b, uint64_t addr, uint64_t size, size_t max,
		   struct bin_insn **out, size_t *n, char *err, size_t errlen)
{
	const char *arch = bin_arch(b);
	const uint8_t *code;
	size_t bad = 0;
	uint64_t first_bad = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (!arch || strcmp(arch, "amd64")) {
		bin_seterr(err, errlen, "%s: decoding instructions needs x86-64 code, not %s",
			   b->path, arch ? arch : "this machine");
		return -ENOTSUP;
	}
	if (!size) {
		bin_seterr(err, errlen, "%s: function at %#" PRIx64 " has no known size",
			   b->path, addr);
		return -ENODATA;
	}
	if (addr + size < addr || !(code = code_at(b, addr, size, err, errlen)))
		return -ERANGE;
	pthread_mutex_lock(&dis_lock);
	ret = dis_get(err, errlen) ?: decode(code, addr, addr + size, max, out, n, &bad,
						   &first_bad);
	pthread_mutex_unlock(&dis_lock);
	if (ret == -ENOMEM)
		bin_seterr(err, errlen, "out of memory");
	if (!ret && bad) {
		bin_seterr(err, errlen, "%s: %zu byte(s) at %#" PRIx64 "..%#" PRIx64 " do not "
			   "decode as x86-64, first at %#" PRIx64 " (not code, or a wrong "
			   "function size)", b->path, bad, addr, addr + size, first_bad);
		ret = -EILSEQ;
	}
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}
