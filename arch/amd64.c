/*
 * x86-64: struct pt_regs as the kernel lays it out (arch/x86/include/asm/
 * ptrace.h), the System V argument registers, and Go's ABIInternal ones
 * (RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11; g in R14).
 */
#include <string.h>

#include "arch/arch.h"

static const struct { const char *name; int off; } regs[] = {
	{ "r15", 0 }, { "r14", 8 }, { "r13", 16 }, { "r12", 24 },
	{ "bp", 32 }, { "bx", 40 }, { "r11", 48 }, { "r10", 56 },
	{ "r9", 64 }, { "r8", 72 }, { "ax", 80 }, { "cx", 88 },
	{ "dx", 96 }, { "si", 104 }, { "di", 112 }, { "orig_ax", 120 },
	{ "ip", 128 }, { "cs", 136 }, { "flags", 144 }, { "sp", 152 },
	{ "ss", 160 },
};

enum { R15 = 0, R14 = 8, R11 = 48, R10 = 56, R9 = 64, R8 = 72, AX = 80,
       BX = 40, CX = 88, DX = 96, SI = 104, DI = 112, IP = 128, SP = 152 };

static const int c_args[] = { DI, SI, DX, CX, R8, R9 };
static const int go_args[] = { AX, BX, CX, DI, SI, R8, R9, R10, R11 };

int arch_reg_offset(const char *name)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (strcmp(regs[i].name, name) == 0)
			return regs[i].off;
	return -1;
}

int arch_c_nargs(void)
{
	return sizeof(c_args) / sizeof(c_args[0]);
}

int arch_c_arg_offset(int n)
{
	return n >= 0 && n < arch_c_nargs() ? c_args[n] : -1;
}

int arch_go_nargs(void)
{
	return sizeof(go_args) / sizeof(go_args[0]);
}

int arch_go_arg_offset(int n)
{
	return n >= 0 && n < arch_go_nargs() ? go_args[n] : -1;
}

int arch_ret_offset(void) { return AX; }
int arch_ip_offset(void) { return IP; }
int arch_sp_offset(void) { return SP; }
/* The return address is on top. */
int arch_c_stack_arg_offset(int n) { return 8 * (n + 1); }
int arch_go_g_offset(void) { return R14; }
