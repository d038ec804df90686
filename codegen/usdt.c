/*
 * argN in a usdt probe: the argument where this site's .note.stapsdt says
 * it is (probes/usdt.c gives every site its own program), at its width
 * and sign: a register, size bytes of user memory at a register plus a
 * displacement, or a constant. bpftrace (through libbpf/bcc) reads them
 * the same way, from a spec looked up at run time; here each read is
 * compiled in.
 */
#include <stdio.h>
#include <linux/bpf.h>

#include "arch/arch.h"
#include "codegen/cg_int.h"

static LLVMValueRef extend(struct cg *c, const struct usdt_arg *a, LLVMValueRef v)
{
	LLVMTypeRef narrow;

	if (a->size >= 8)
		return v;
	narrow = LLVMIntTypeInContext(c->ctx, a->size * 8);
	v = LLVMBuildTrunc(c->b, v, narrow, "");
	return a->is_signed ? LLVMBuildSExt(c->b, v, c->i64, "") : LLVMBuildZExt(c->b, v, c->i64, "");
}

LLVMValueRef cg_usdt_arg(struct cg *c, struct node *n, int idx)
{
	const struct attach_point *ap = &c->pp->ap;
	const struct usdt_arg *a = &ap->usdt_args[idx];
	LLVMValueRef buf, rc, v;
	int off;

	if (idx >= ap->usdt_nargs || (ap->usdt_bad_arg && idx + 1 >= ap->usdt_bad_arg)) {
		if (ap->usdt_bad_arg && idx + 1 >= ap->usdt_bad_arg && idx < USDT_MAX_ARGS)
			snprintf(c->err, sizeof(c->err), "%s: arg%d: gotrace cannot read "
				 "this USDT argument's location", ap->name, ap->usdt_bad_arg - 1);
		else
			snprintf(c->err, sizeof(c->err), "%s has %d argument%s: there is no arg%d",
				 ap->name, ap->usdt_nargs, ap->usdt_nargs == 1 ? "" : "s", idx);
		return cg_const(c, 0);
	}
	if (a->kind == USDT_CONST)
		return extend(c, a, cg_const(c, (uint64_t)a->val));
	off = arch_reg_offset(a->reg);
	if (off < 0) {
		snprintf(c->err, sizeof(c->err), "%s: arg%d is in register %s, which a uprobe "
			 "does not see", ap->name, idx, a->reg);
		return cg_const(c, 0);
	}
	v = cg_reg(c, off);
	if (a->kind == USDT_REG)
		return extend(c, a, v);
	/* USDT_MEM: a failed read is 0, and counted as a fault */
	v = LLVMBuildAdd(c->b, v, cg_const(c, (uint64_t)a->val), "");
	if (a->index) {
		int ioff = arch_reg_offset(a->index);

		if (ioff < 0) {
			snprintf(c->err, sizeof(c->err), "%s: arg%d is indexed by register %s, "
				 "which a uprobe does not see", ap->name, idx, a->index);
			return cg_const(c, 0);
		}
		v = LLVMBuildAdd(c->b, v, LLVMBuildMul(c->b, cg_reg(c, ioff),
						       cg_const(c, (uint64_t)a->scale), ""), "");
	}
	buf = cg_tmp(c, 8);
	cg_store64(c, buf, 0, cg_const(c, 0));
	rc = cg_helper(c, BPF_FUNC_probe_read_user, 3, buf, cg_const(c, a->size),
		       LLVMBuildIntToPtr(c->b, v, c->i8p, ""));
	cg_count_fault(c, rc);
	v = cg_load64(c, buf, 0);
	cg_tmp_done(c, buf);
	return extend(c, a, v);
}
