/*
 * USDT probes (<sys/sdt.h>): the .note.stapsdt notes of a binary. Each
 * note is one site: its address, its semaphore's (0 without one), and
 * "provider", "name" and the argument specs as the assembler wrote them,
 * "-4@-20(%rbp) 8@%rax 4@$5 8@-88(%rsp,%rax,8)": a size (negative when
 * signed) and a register, a memory operand at a register plus a
 * displacement (plus an index register times a scale), or a constant. Addresses are adjusted by .stapsdt.base, for prelinked files.
 *
 * Registers are given by their pt_regs names ("ax", "bp", "r8"), the same
 * for every width of one register; codegen maps them through arch/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/bin_impl.h"
#include "common/alloc.h"

#define NT_STAPSDT 3

/* x86-64 register names as GNU as writes them -> pt_regs names. */
static const struct { const char *as[4]; const char *reg; } x86_regs[] = {
	{ { "rax", "eax", "ax", "al" }, "ax" }, { { "rbx", "ebx", "bx", "bl" }, "bx" },
	{ { "rcx", "ecx", "cx", "cl" }, "cx" }, { { "rdx", "edx", "dx", "dl" }, "dx" },
	{ { "rsi", "esi", "si", "sil" }, "si" }, { { "rdi", "edi", "di", "dil" }, "di" },
	{ { "rbp", "ebp", "bp", "bpl" }, "bp" }, { { "rsp", "esp", "sp", "spl" }, "sp" },
	{ { "rip", "eip", "ip", NULL }, "ip" },
};

static const char *reg_name(const char *as, size_t len)
{
	static const char *const rn[] = { "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	char buf[8];

	if (len == 0 || len >= sizeof(buf))
		return NULL;
	memcpy(buf, as, len);
	buf[len] = 0;
	for (size_t i = 0; i < sizeof(x86_regs) / sizeof(x86_regs[0]); i++)
		for (int w = 0; w < 4; w++)
			if (x86_regs[i].as[w] && !strcmp(x86_regs[i].as[w], buf))
				return x86_regs[i].reg;
	/* r8..r15, with a d, w or b suffix for the narrower widths */
	for (size_t i = 0; i < sizeof(rn) / sizeof(rn[0]); i++) {
		size_t n = strlen(rn[i]);

		if (!strncmp(buf, rn[i], n) && (!buf[n] || (strchr("dwb", buf[n]) && !buf[n + 1])))
			return rn[i];
	}
	return NULL;
}

/* "%reg" at *p: its pt_regs name, p moved past it. */
static const char *parse_reg(const char **p)
{
	const char *s = *p + 1, *e = s;

	if (**p != '%')
		return NULL;
	while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
		e++;
	*p = e;
	return reg_name(s, e - s);
}

/* One spec, "SIZE@OPERAND". 0, or -EINVAL for a form we do not read. */
static int parse_arg(const char *s, size_t len, struct usdt_arg *a)
{
	char buf[128], *end;
	const char *p;
	long size;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	size = strtol(buf, &end, 10);
	if (*end != '@' || !size || labs(size) > 8 || (labs(size) & (labs(size) - 1)))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->size = (int)labs(size);
	a->is_signed = size < 0;
	p = end + 1;
	if (*p == '$') {			/* $CONST */
		a->kind = USDT_CONST;
		a->val = strtoll(p + 1, &end, 0);
		return *end || end == p + 1 ? -EINVAL : 0;
	}
	if (*p == '%') {			/* %reg */
		a->kind = USDT_REG;
		a->reg = parse_reg(&p);
		return a->reg && !*p ? 0 : -EINVAL;
	}
	a->kind = USDT_MEM;			/* [DISP](%reg[,%index[,SCALE]]) */
	a->val = *p == '(' ? 0 : strtoll(p, &end, 0);
	if (*p != '(')
		p = end;
	if (*p++ != '(')
		return -EINVAL;
	a->reg = parse_reg(&p);
	if (a->reg && *p == ',') {
		p++;
		a->index = parse_reg(&p);
		a->scale = 1;
		if (*p == ',') {
			a->scale = (int)strtol(p + 1, &end, 10);
			p = end;
		}
		if (!a->index || (a->scale != 1 && a->scale != 2 && a->scale != 4 &&
				  a->scale != 8))
			return -EINVAL;
	}
	return a->reg && p[0] == ')' && !p[1] ? 0 : -EINVAL;
}

static void parse_args(const char *spec, struct usdt_probe *u)
{
	const char *p = spec;

	while (*p == ' ')
		p++;
	while (*p && u->nargs < USDT_MAX_ARGS) {
		size_t n = strcspn(p, " ");

		if (parse_arg(p, n, &u->args[u->nargs]) < 0) {
			u->bad_arg = u->nargs + 1;
			u->bad_spec = xstrdup(p);
			u->bad_spec[n] = 0;
			return;
		}
		u->nargs++;
		p += n;
		while (*p == ' ')
			p++;
	}
	if (*p)
		u->bad_arg = USDT_MAX_ARGS + 1;
}

int bin_usdt_probes(struct bin *b, struct usdt_probe **out)
{
	GElf_Shdr sh, base_sh;
	Elf_Scn *scn = NULL;
	size_t shstrndx, n = 0;
	bool has_base = bin_section(b, ".stapsdt.base", &base_sh);

	*out = NULL;
	if (!b->has_shdrs || elf_getshdrstrndx(b->elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(b->elf, scn))) {
		const char *name;
		Elf_Data *d;
		size_t off = 0, noff, doff;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(name = elf_strptr(b->elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".note.stapsdt") || !(d = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			const char *desc = (const char *)d->d_buf + doff, *prov, *nm, *args;
			uint64_t addr[3];
			struct usdt_probe *u;

			if (nh.n_type != NT_STAPSDT || nh.n_namesz != 8 ||
			    memcmp((const char *)d->d_buf + noff, "stapsdt", 8) ||
			    nh.n_descsz < 3 * 8 + 3 || desc[nh.n_descsz - 1])
				continue;
			memcpy(addr, desc, sizeof(addr));
			prov = desc + 24;
			nm = prov + strlen(prov) + 1;
			if (nm >= desc + nh.n_descsz)
				continue;
			args = nm + strlen(nm) + 1;
			if (args >= desc + nh.n_descsz)
				args = "";
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			u = &(*out)[n++];
			memset(u, 0, sizeof(*u));
			u->provider = prov;
			u->name = nm;
			u->pc = addr[0];
			u->semaphore = addr[2];
			if (has_base) {	/* prelinked: the note's base is stale */
				u->pc += base_sh.sh_addr - addr[1];
				if (u->semaphore)
					u->semaphore += base_sh.sh_addr - addr[1];
			}
			parse_args(args, u);
		}
	}
	return (int)n;
}

void bin_usdt_free(struct usdt_probe *p, int n)
{
	for (int i = 0; i < n; i++)
		free(p[i].bad_spec);
	free(p);
}
