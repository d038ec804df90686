/* Codegen's internal state, shared by the files of codegen/ only. */
#ifndef GOTRACE_CG_INT_H
#define GOTRACE_CG_INT_H

#include <llvm-c/Core.h>

#include "codegen/codegen.h"
#include "codegen/module.h"
#include "sema/builtins.h"

#define CG_SCRATCH_SIZE 4096	/* per-CPU bytes for large temporaries */
#define CG_STACK_TMP_MAX 64	/* larger temporaries go to scratch */
#define CG_MAX_FUNCS 256	/* BPF_MAX_SUBPROGS: functions per program */
/* Room kept for the counter functions (cg_count()) and the callbacks of
 * for loops and strcontains(), which are made whatever the budget. */
#define CG_FUNCS_RESERVED 24

struct cg {
	struct cg_module *m;
	LLVMContextRef ctx;
	LLVMBuilderRef b;
	LLVMModuleRef mod;
	struct plan *plan;
	LLVMTypeRef i8, i32, i64, i8p;
	LLVMValueRef *maps;		/* by map id */
	LLVMValueRef events, lost, faults, drops, cfg, scratch_map;
	LLVMValueRef frameless;		/* PLAN_FRAMELESS_MAP, if the plan has one */
	LLVMValueRef stack_maps[2][128]; /* [user][depth] */

	/* the program being generated */
	struct plan_prog *pp;
	int prog_index;
	LLVMValueRef fn, ctx_arg;
	LLVMBasicBlockRef entry, body, ret_bb;
	LLVMValueRef scratch;		/* pointer into the scratch value, or NULL */
	LLVMValueRef wake;		/* cfg's last-wakeup slot (cg_wake_flags()),
					   or NULL: in prog_fn's entry block */
	LLVMValueRef prog_fn;		/* the program's own function (c->fn is a
					   callback's inside loops and parts) */
	LLVMValueRef pid_tgid, pid_tgid_fn; /* bpf_get_current_pid_tgid(), in
					   pid_tgid_fn's entry block */
	/* The shared functions (cg_mem_fn()) this program calls, and how
	 * many more it may: the kernel takes CG_MAX_FUNCS functions per
	 * program, parts and callbacks included. */
	LLVMValueRef *fns_used;
	int nfns_used, fn_budget;
	unsigned scratch_used;
	/* Stack temporaries. No temporary outlives the statement that made
	 * it, so each statement's are free for the next one to reuse; the
	 * BPF stack is only 512 bytes. */
	struct tmp_slot { LLVMValueRef ptr; unsigned size; bool busy; } *tmps;
	int ntmps;
	struct var_slot {
		struct var_info *var;
		LLVMValueRef ptr;	/* i8* to its bytes */
		LLVMValueRef word;	/* an integer's i64* alloca, or NULL
					   (a frame's slot in a callback) */
	} *vars;
	LLVMBasicBlockRef loop_next[16], loop_end[16]; /* continue / break */
	int nloops;
	int nvars;
	int helper_checks;		/* -k, -kk */
	const struct loc *loc;		/* the expression or statement being built */
	char err[256];
};

/* The global function `long name(mem, x)` with mem pointing at size
 * bytes, made on its first use: body(c, arg, mem, x) builds its code,
 * which sees mem non-NULL. Code a program would repeat at every use goes
 * here once, for LLVM's back end and the verifier alike. NULL if it
 * cannot be made. */
typedef void cg_fn_body(struct cg *c, const void *arg, LLVMValueRef mem, LLVMValueRef x);
LLVMValueRef cg_mem_fn(struct cg *c, const char *name, unsigned size, cg_fn_body *body,
		       const void *arg);

/* share.c: delete each program that is the same as an earlier one, and
 * point its attach point at that one; returns how many were deleted */
int cg_share_progs(struct cg *c);

/* emit.c: the layer every other file builds code with */
LLVMValueRef cg_const(struct cg *c, uint64_t v);
/* -k: report a helper's failure (result < 0, or 0 when zero_fails) at
 * the current place; reads and lookups (`read`) only with -kk. */
void cg_check_helper(struct cg *c, LLVMValueRef rc, const char *helper, bool read,
		     bool zero_fails);
LLVMBasicBlockRef cg_block(struct cg *c, const char *name);
LLVMValueRef cg_gep(struct cg *c, LLVMValueRef ptr, unsigned off);
LLVMValueRef cg_load64(struct cg *c, LLVMValueRef ptr, unsigned off);
void cg_store64(struct cg *c, LLVMValueRef ptr, unsigned off, LLVMValueRef v);
void cg_zero(struct cg *c, LLVMValueRef ptr, unsigned size);
void cg_copy(struct cg *c, LLVMValueRef dst, LLVMValueRef src, unsigned size);
/* A stack slot of size bytes as i8*, in the entry block (the BPF backend
 * aborts on an alloca anywhere else), zeroed there when asked. Every
 * slot comes from here or, for an integer variable, from cg_alloca_word():
 * a zeroed i64 alloca in *word too, which mem2reg can promote. */
LLVMValueRef cg_alloca(struct cg *c, unsigned size, const char *name, bool zero);
LLVMValueRef cg_alloca_word(struct cg *c, const char *name, LLVMValueRef *word);
/* A zeroed temporary of size bytes, i8*, dead at the end of the statement. */
LLVMValueRef cg_tmp(struct cg *c, unsigned size);
/* The same, not zeroed, for a caller that writes every byte before any
 * is read: zeroes it would overwrite are stores LLVM must prove dead. */
LLVMValueRef cg_tmp_raw(struct cg *c, unsigned size);
void cg_release_tmps(struct cg *c);	/* a statement ended */
/* A temporary read back at once (a helper's output buffer): its stack slot
 * may serve the next one, which keeps long access chains within the
 * 512-byte BPF stack. */
void cg_tmp_done(struct cg *c, LLVMValueRef tmp);
LLVMValueRef cg_helper(struct cg *c, int id, int nargs, ...);
LLVMValueRef cg_map_ptr(struct cg *c, LLVMValueRef map);
LLVMValueRef cg_lookup(struct cg *c, LLVMValueRef map, LLVMValueRef key,
		       LLVMBasicBlockRef missing);
/* Send an async record: its id, then size bytes of payload. */
void cg_emit_async(struct cg *c, int id, LLVMValueRef payload, unsigned size);
/* The same in two steps, for a caller that writes the payload in place:
 * a record (8 + size bytes) with its id in, then sending it. */
LLVMValueRef cg_async_rec(struct cg *c, int id, unsigned size);
void cg_send_async(struct cg *c, LLVMValueRef rec, unsigned size);
/* Asks the consumer to read this process's maps now (AS_PID_SEEN). */
void cg_pid_seen(struct cg *c);
/* The flags of a ring-buffer record: BPF_RB_FORCE_WAKEUP at most once
 * every PLAN_WAKE_NS, else BPF_RB_NO_WAKEUP. */
LLVMValueRef cg_wake_flags(struct cg *c);
void cg_finish_entry(struct cg *c, LLVMBasicBlockRef bail);
void cg_count(struct cg *c, LLVMValueRef map, unsigned slot);	/* map[slot]++ */
void cg_count_if(struct cg *c, LLVMValueRef cond, LLVMValueRef map, unsigned slot);
void cg_count_fault(struct cg *c, LLVMValueRef rc);
/* Count a refused update (rc < 0) of the map in drops slot `slot`. */
void cg_count_drop(struct cg *c, LLVMValueRef rc, unsigned slot);
void cg_return(struct cg *c);

/* mapiter.c: has_key(), len(@m), for loops, let */
LLVMValueRef cg_len(struct cg *c, struct node *n);
LLVMValueRef cg_has_key(struct cg *c, struct node *n);
int cg_for(struct cg *c, struct node *n);
int cg_let(struct cg *c, struct node *n);
/* A probe's body: cg_stmts(), in parts called one after the other when
 * it is long */
int cg_body(struct cg *c, struct node *list);

/* codegen.c */
int cg_stmts(struct cg *c, struct node *list);
LLVMValueRef cg_stack_map(struct cg *c, int user, int depth);

/* expr.c */
LLVMValueRef cg_expr(struct cg *c, struct node *n);
LLVMValueRef cg_int_fit(struct cg *c, const struct gt_type *t, LLVMValueRef v);
void cg_store_value(struct cg *c, LLVMValueRef dst, unsigned dst_size,
		    const struct gt_type *t, LLVMValueRef v);
LLVMValueRef cg_value_ptr(struct cg *c, const struct gt_type *t, LLVMValueRef v);
LLVMValueRef cg_var_slot(struct cg *c, struct var_info *v);
/* An integer variable's value, and its assignment (expr.c). */
LLVMValueRef cg_var_load(struct cg *c, struct var_info *v);
void cg_var_store(struct cg *c, struct var_info *v, LLVMValueRef val);

/* maps.c */
LLVMValueRef cg_map_key(struct cg *c, struct node *map);
LLVMValueRef cg_map_read(struct cg *c, struct node *map);
int cg_map_assign(struct cg *c, struct node *map, struct node *rhs);
void cg_map_store(struct cg *c, struct node *map, const struct gt_type *vt,
		  LLVMValueRef value);
void cg_map_delete(struct cg *c, struct node *map);

/* govalues.c: Go values (sema/govalues.c's nodes) */
LLVMValueRef cg_go_field(struct cg *c, struct node *n);
LLVMValueRef cg_go_deref(struct cg *c, struct node *n);
LLVMValueRef cg_go_read(struct cg *c, struct node *n);
LLVMValueRef cg_record_field(struct cg *c, struct node *n);
LLVMValueRef cg_go_subscript(struct cg *c, struct node *n);
LLVMValueRef cg_go_string_bytes(struct cg *c, LLVMValueRef ptr, LLVMValueRef len,
				unsigned max, unsigned size);
LLVMValueRef cg_go_string(struct cg *c, struct node *n);
LLVMValueRef cg_go_len(struct cg *c, struct node *n);
LLVMValueRef cg_go_cast(struct cg *c, struct node *n);
LLVMValueRef cg_go_typename(struct cg *c, struct node *n);

static inline struct gt_type gt_int_type(void)
{
	return (struct gt_type){ .kind = GT_INT, .size = 8 };
}

/* golang.c */
LLVMValueRef cg_go_word(struct cg *c, int n);	/* argument or result word n */
LLVMValueRef cg_go_extend(struct cg *c, const struct gt_type *t, LLVMValueRef v);
LLVMValueRef cg_go_goid(struct cg *c, struct node *n);
LLVMValueRef cg_go_arg(struct cg *c, struct node *n);
LLVMValueRef cg_go_str(struct cg *c, struct node *n);
LLVMValueRef cg_go_ustack(struct cg *c, struct node *n);

/* usdt.c: argN (0-based idx) of a usdt probe's site */
LLVMValueRef cg_usdt_arg(struct cg *c, struct node *n, int idx);

/* calls.c: the hooks of sema/builtins.h's tables */
LLVMValueRef cg_reg(struct cg *c, int off);
LLVMValueRef cg_pid(struct cg *c);
LLVMValueRef cg_builtin(struct cg *c, struct node *n);
LLVMValueRef cg_call(struct cg *c, struct node *n);
LLVMValueRef cg_stack(struct cg *c, const struct gt_type *t);

/* calls_fmt.c: more hooks of the same tables */
LLVMValueRef cg_bi_rand(struct cg *c, struct node *n);
LLVMValueRef cg_bi_numaid(struct cg *c, struct node *n);
LLVMValueRef cg_bi_cgroup(struct cg *c, struct node *n);
LLVMValueRef cg_bi_username(struct cg *c, struct node *n);
LLVMValueRef cg_fn_const(struct cg *c, struct node *n);
LLVMValueRef cg_fn_boxed(struct cg *c, struct node *n);
LLVMValueRef cg_fn_macaddr(struct cg *c, struct node *n);
LLVMValueRef cg_fn_ntop(struct cg *c, struct node *n);
LLVMValueRef cg_fn_buf(struct cg *c, struct node *n);
LLVMValueRef cg_fn_bswap(struct cg *c, struct node *n);
LLVMValueRef cg_fn_pton(struct cg *c, struct node *n);
LLVMValueRef cg_fn_strcontains(struct cg *c, struct node *n);
LLVMValueRef cg_fn_join(struct cg *c, struct node *n);
LLVMValueRef cg_fn_signal(struct cg *c, struct node *n);
LLVMValueRef cg_fn_debugf(struct cg *c, struct node *n);	/* debugf.c */
LLVMValueRef cg_fn_cgroup_path(struct cg *c, struct node *n);

#endif
