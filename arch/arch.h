/*
 * What codegen needs to know of the CPU: where struct pt_regs keeps each
 * register (a uprobe's context), and which registers carry arguments in
 * the C ABI and in Go's register ABI. One table per architecture; only
 * x86-64 for now.
 */
#ifndef GOTRACE_ARCH_H
#define GOTRACE_ARCH_H

/* Offset of the named register in struct pt_regs ("ip", "sp", "ax", ...),
 * or -1. */
int arch_reg_offset(const char *name);

/* pt_regs offset of the n-th integer argument (from 0) of the C ABI, or
 * -1 past the last register argument. */
int arch_c_arg_offset(int n);
int arch_c_nargs(void);
/* Offset from the stack pointer, at a function's first instruction, of
 * its n-th argument on the stack (bpftrace's sargN). */
int arch_c_stack_arg_offset(int n);

/* The same for Go's internal register ABI (Go 1.17+ on amd64). */
int arch_go_arg_offset(int n);
int arch_go_nargs(void);

/* pt_regs offsets of the return value, instruction and stack pointers,
 * and the register that holds the current goroutine (g) in Go code. */
int arch_ret_offset(void);
int arch_ip_offset(void);
int arch_sp_offset(void);
int arch_go_g_offset(void);

/* arch/kernel.c: offset of task_struct.thread.fsbase in the running
 * kernel (from its BTF), or a negative errno. */
int arch_task_fsbase_offset(void);
/* Offset of a member of struct `strct`, through nested struct members
 * ("thread.fsbase"), from the running kernel's BTF, or a negative errno.
 * Only struct members: pointers are followed by the caller. */
int arch_kernel_offset(const char *strct, const char *path);

#endif
