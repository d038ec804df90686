/*
 * debugf(): bpf_trace_printk(fmt, fmt_size, a1, a2, a3). The format is a
 * zero-padded buffer like any string literal; integers go as 64-bit
 * values and strings as pointers to their buffers, which the kernel reads
 * for %s. Checked in sema/debugf.c.
 */
#include <string.h>

#include <linux/bpf.h>

#include "codegen/cg_int.h"

LLVMValueRef cg_fn_debugf(struct cg *c, struct node *n)
{
	struct node *fmt = n->args;
	LLVMValueRef v[3] = { 0 };
	int nargs = 0;

	for (struct node *a = fmt->next; a && nargs < 3; a = a->next)
		v[nargs++] = cg_expr(c, a);
	cg_helper(c, BPF_FUNC_trace_printk, 2 + nargs, cg_expr(c, fmt),
		  cg_const(c, strlen(fmt->str) + 1), v[0], v[1], v[2]);
	return NULL;
}
