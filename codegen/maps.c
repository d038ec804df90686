/*
 * Map keys, reads, writes and aggregations.
 *
 * A key is built in a zeroed buffer: each key expression at an 8-byte
 * aligned offset (common/types.h), or a single zero u64 for a map without
 * keys. hist() and lhist() append the bucket index to the key, so that
 * the value stays one u64 count.
 *
 * Aggregations live in per-CPU hashes: the program updates only this
 * CPU's slot, so a plain load-add-store is race free (bar preemption of
 * one program by another on the same CPU), and the runtime combines the
 * slots when it prints.
 */
#include <linux/bpf.h>

#include "codegen/cg_int.h"

LLVMValueRef cg_map_key(struct cg *c, struct node *map)
{
	struct map_info *m = map->map;
	struct node *k1 = map->args;
	LLVMValueRef key;
	unsigned off = 0, slots = 0;
	int i = 0;

	/* One key that already sits in a buffer of exactly the key's size
	 * (a stack, a string): use that buffer, no copy. */
	if (k1 && !k1->next && k1->type.kind != GT_INT &&
	    gt_align8(k1->type.size) == m->key_size)
		return cg_expr(c, k1);
	/* Each key's slot is written whole (cg_store_value()), so a key
	 * that is its slots and nothing more (not a histogram's, whose
	 * bucket comes after) needs no zeroing first. */
	for (int j = 0; k1 && j < m->key.nelems; j++)
		slots += gt_align8(m->key.elems[j].size);
	key = k1 && slots == m->key_size ? cg_tmp_raw(c, slots) : cg_tmp(c, m->key_size);
	for (struct node *k = map->args; k; k = k->next, i++) {
		const struct gt_type *kt = &m->key.elems[i];
		unsigned size = gt_align8(kt->size);
		cg_store_value(c, cg_gep(c, key, off), size, &k->type, cg_expr(c, k));
		off += size;
	}
	return key;
}

/* @m[key] = val; an update the full map refuses is counted. */
static void update(struct cg *c, const struct map_info *m, LLVMValueRef key, LLVMValueRef val)
{
	LLVMValueRef rc = cg_helper(c, BPF_FUNC_map_update_elem, 4,
				    cg_map_ptr(c, c->maps[m->id]), key, val,
				    cg_const(c, BPF_ANY));

	cg_count_drop(c, rc, m->id);
	cg_check_helper(c, rc, "map_update_elem", false, false);
}

/*
 * Update map m at key with x through a global function of the map's own
 * that every statement updating the map calls: gotrace_<op>_<map>(key, x).
 * LLVM's back end, whose time grows with the instructions it emits (about
 * 9 us each), then compiles the lookup, the in-place update, the insert
 * and the full-map count once per map instead of once per statement, and
 * the verifier checks them once. The call costs a few ns per event.
 *
 * False under -k, which reports a failed update at its statement's line,
 * or if the function cannot be made: the caller inlines body instead.
 */
static bool call_map_fn(struct cg *c, struct map_info *m, const char *op,
			cg_fn_body *body, LLVMValueRef key, LLVMValueRef x)
{
	LLVMValueRef fn, args[2];
	char name[96];

	if (c->helper_checks)
		return false;
	snprintf(name, sizeof(name), "gotrace_%s_%s", op, LLVMGetValueName(c->maps[m->id]));
	if (!(fn = cg_mem_fn(c, name, m->key_size, body, m)))
		return false;
	args[0] = LLVMBuildBitCast(c->b, key, c->i8p, "");
	args[1] = x ? x : cg_const(c, 0);
	cgm_call(c->m, fn, args, 2);
	return true;
}

/* Read @m[k]: the value, or zero (an empty string) if absent. */
LLVMValueRef cg_map_read(struct cg *c, struct node *map)
{
	struct map_info *m = map->map;
	LLVMValueRef key = cg_map_key(c, map), p, out;
	LLVMBasicBlockRef done = cg_block(c, "read_done"), missing = cg_block(c, "read_missing");
	const struct loc *outer = c->loc;
	unsigned size = m->value_size;

	out = cg_tmp(c, size);
	p = cg_lookup(c, c->maps[m->id], key, missing);
	cg_copy(c, out, p, size);
	LLVMBuildBr(c->b, done);
	/* -kk reports reading a key the map does not have */
	LLVMPositionBuilderAtEnd(c->b, missing);
	c->loc = &map->loc;
	cg_check_helper(c, cg_const(c, 0), "map_lookup_elem", true, true);
	c->loc = outer;
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
	if (m->value.kind == GT_INT)
		return cg_load64(c, out, 0);
	return out;
}

/* A user stack of any process: go_ustack's are the -p/-c target's, whose
 * maps are read at the start. */
static bool holds_ustack(const struct gt_type *t)
{
	for (int i = 0; t->kind == GT_TUPLE && i < t->nelems; i++)
		if (holds_ustack(&t->elems[i]))
			return true;
	return t->kind == GT_USTACK && !t->go;
}

/* @m[k] = integer. A no-prealloc hash allocates a new element on every
 * update, even of a key it has (+120 ns for @s[tid] = nsecs), so an
 * existing entry is written in place: one 64-bit store, which readers see
 * whole. A new key goes through the update helper. */
static void set_int(struct cg *c, const void *map, LLVMValueRef key, LLVMValueRef value)
{
	const struct map_info *m = map;
	LLVMBasicBlockRef insert = cg_block(c, "int_insert"), done = cg_block(c, "int_stored");
	LLVMValueRef p = cg_lookup(c, c->maps[m->id], key, insert), val;

	cg_store64(c, p, 0, value);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, insert);
	val = cg_tmp_raw(c, 8);
	cg_store64(c, val, 0, value);
	update(c, m, key, val);
	if (holds_ustack(&m->key))
		cg_pid_seen(c);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

static void store_int(struct cg *c, struct map_info *m, LLVMValueRef key, LLVMValueRef value)
{
	if (!call_map_fn(c, m, "set", set_int, key, value))
		set_int(c, m, key, value);
}

/* Values up to this size are compared before they are stored. */
#define SAME_BYTES_MAX 64

/* Where the pid of each user stack in a value of type t is (the first
 * MAX_VALUE_STACKS of them): the low half of the first word of a struct
 * gt_stack, the second word of a struct gt_stack_ref. */
#define MAX_VALUE_STACKS 8
static int stack_pids(const struct gt_type *t, unsigned off, unsigned *offs, int n)
{
	for (int i = 0; t->kind == GT_TUPLE && i < t->nelems; i++) {
		n = stack_pids(&t->elems[i], off, offs, n);
		off += gt_align8(t->elems[i].size);
	}
	if (t->kind == GT_USTACK && !t->go && n < MAX_VALUE_STACKS)
		offs[n++] = off + (t->by_id ? 8 : 0);
	return n;
}

/* True if the words at offs of p and val differ in a bit of mask: an OR
 * of XORs, one branch however many words. */
static LLVMValueRef words_differ(struct cg *c, LLVMValueRef p, LLVMValueRef val,
				 const unsigned *offs, int n, uint64_t mask)
{
	LLVMValueRef diff = cg_const(c, 0);

	for (int i = 0; i < n; i++)
		diff = LLVMBuildOr(c->b, diff, LLVMBuildXor(c->b, cg_load64(c, p, offs[i]),
							    cg_load64(c, val, offs[i]), ""), "");
	if (mask != ~0ull)
		diff = LLVMBuildAnd(c->b, diff, cg_const(c, mask), "");
	return LLVMBuildICmp(c->b, LLVMIntNE, diff, cg_const(c, 0), "");
}

/* A stack in the stored value p taken in another process than the same
 * stack in val: the pid is the low half of its word. */
#define PID_MASK 0xffffffffull

/*
 * @m[k] = a string or a tuple. A value is two or more words, which a
 * reader could see half written, so unlike set_int() it is never
 * written in place: the update helper swaps in a new element whole. But
 * most stores of a key store what it already holds (@[tid] = comm,
 * @[ustack] = comm), and an update that allocates and frees an element
 * costs more than a lookup (bench/bpfstats). So the stored value is
 * compared first, and only a new key or a changed value is updated.
 * The lookup also tells the runtime about a user stack's process
 * (cg_pid_seen()) when it is new to the map: under a new key, or in a
 * value whose stack another process took before.
 */
static void set_bytes(struct cg *c, const struct map_info *m, LLVMValueRef key,
		      LLVMValueRef val)
{
	LLVMBasicBlockRef insert = cg_block(c, "bytes_insert"), seen = NULL,
			  change = cg_block(c, "bytes_changed"), done = cg_block(c, "bytes_stored");
	LLVMValueRef p = cg_lookup(c, c->maps[m->id], key, insert), diff;
	unsigned pids[MAX_VALUE_STACKS], words[SAME_BYTES_MAX / 8] = { 0 };
	int npids = stack_pids(&m->value, 0, pids, 0), nwords = 0;

	if (npids || holds_ustack(&m->key))
		seen = cg_block(c, "bytes_pid_seen");
	for (unsigned off = 0; off < m->value_size; off += 8)
		words[nwords++] = off;
	diff = words_differ(c, p, val, words, nwords, ~0ull);
	if (npids) {
		LLVMBasicBlockRef moved = cg_block(c, "bytes_stack_changed");

		LLVMBuildCondBr(c->b, diff, moved, done);
		LLVMPositionBuilderAtEnd(c->b, moved);
		LLVMBuildCondBr(c->b, words_differ(c, p, val, pids, npids, PID_MASK), seen, change);
	} else {
		LLVMBuildCondBr(c->b, diff, change, done);
	}
	LLVMPositionBuilderAtEnd(c->b, insert);
	LLVMBuildBr(c->b, seen ? seen : change);
	if (seen) {
		LLVMPositionBuilderAtEnd(c->b, seen);
		cg_pid_seen(c);
		LLVMBuildBr(c->b, change);
	}
	LLVMPositionBuilderAtEnd(c->b, change);
	update(c, m, key, val);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* A value too wide to compare is updated whatever it holds. When a user
 * stack is in its key or in it, a lookup first tells the runtime about
 * the stack's process if the map has not had it there (as set_bytes()
 * does), so that the stack does not print in hex if the process exits
 * first. */
static void tell_new_stacks(struct cg *c, const struct map_info *m, LLVMValueRef key,
			    LLVMValueRef val)
{
	LLVMBasicBlockRef seen, done;
	unsigned pids[MAX_VALUE_STACKS];
	int npids = stack_pids(&m->value, 0, pids, 0);
	LLVMValueRef p;

	if (!npids && !holds_ustack(&m->key))
		return;
	seen = cg_block(c, "stack_new");
	done = cg_block(c, "stack_known");
	p = cg_lookup(c, c->maps[m->id], key, seen);
	if (npids)
		LLVMBuildCondBr(c->b, words_differ(c, p, val, pids, npids, PID_MASK), seen, done);
	else
		LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, seen);
	cg_pid_seen(c);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

/* @m[k] = value, for plain (non-aggregation) maps. */
void cg_map_store(struct cg *c, struct node *map, const struct gt_type *vt,
		  LLVMValueRef value)
{
	struct map_info *m = map->map;
	LLVMValueRef key = cg_map_key(c, map), val;

	if (m->value.kind == GT_INT) {
		store_int(c, m, key, value);
		return;
	} else {
		unsigned size = gt_align8(vt->size);
		val = value;
		if (size < m->value_size) {
			val = cg_tmp(c, m->value_size);
			cg_copy(c, val, value, size);
		}
	}
	if (m->value_size <= SAME_BYTES_MAX) {
		set_bytes(c, m, key, val);
		return;
	}
	tell_new_stacks(c, m, key, val);
	update(c, m, key, val);
}

void cg_map_delete(struct cg *c, struct node *map)
{
	struct map_info *m = map->map;
	LLVMValueRef key = cg_map_key(c, map), rc;

	rc = cg_helper(c, BPF_FUNC_map_delete_elem, 2, cg_map_ptr(c, c->maps[m->id]), key);
	cg_check_helper(c, rc, "map_delete_elem", false, false);
}

/* floor(log2(v)) for v >= 1, by halving the search range: six steps,
 * no loops, no branches. */
static LLVMValueRef log2_floor(struct cg *c, LLVMValueRef v)
{
	LLVMValueRef r = cg_const(c, 0);

	for (int shift = 32; shift >= 1; shift /= 2) {
		LLVMValueRef big = LLVMBuildICmp(c->b, LLVMIntUGE, v,
						 cg_const(c, 1ull << shift), "");
		v = LLVMBuildSelect(c->b, big, LLVMBuildLShr(c->b, v, cg_const(c, shift), ""),
				    v, "");
		r = LLVMBuildSelect(c->b, big, LLVMBuildAdd(c->b, r, cg_const(c, shift), ""),
				    r, "");
	}
	return r;
}

/* gt_hist_bucket() in BPF. */
static LLVMValueRef hist_bucket(struct cg *c, LLVMValueRef v)
{
	LLVMValueRef neg = LLVMBuildICmp(c->b, LLVMIntSLT, v, cg_const(c, 0), "");
	LLVMValueRef zero = LLVMBuildICmp(c->b, LLVMIntEQ, v, cg_const(c, 0), "");
	LLVMValueRef pos = LLVMBuildAdd(c->b, log2_floor(c, v), cg_const(c, 2), "");

	return LLVMBuildSelect(c->b, neg, cg_const(c, 0),
			       LLVMBuildSelect(c->b, zero, cg_const(c, 1), pos, ""), "");
}

/* gt_lhist_bucket() in BPF. */
static LLVMValueRef lhist_bucket(struct cg *c, const struct gt_type *t, LLVMValueRef v)
{
	LLVMValueRef lo = cg_const(c, (uint64_t)t->lhist_min);
	LLVMValueRef below = LLVMBuildICmp(c->b, LLVMIntSLT, v, lo, "");
	LLVMValueRef above = LLVMBuildICmp(c->b, LLVMIntSGE, v,
					   cg_const(c, (uint64_t)t->lhist_max), "");
	LLVMValueRef in = LLVMBuildAdd(c->b, cg_const(c, 1),
				       LLVMBuildUDiv(c->b, LLVMBuildSub(c->b, v, lo, ""),
						     cg_const(c, (uint64_t)t->lhist_step), ""), "");
	LLVMValueRef last = cg_const(c, (uint64_t)gt_lhist_nbuckets(t) + 1);

	return LLVMBuildSelect(c->b, below, cg_const(c, 0),
			       LLVMBuildSelect(c->b, above, last, in, ""), "");
}

/* Combine `x` into this CPU's slot of an aggregation value at p (existing),
 * or into a fresh zeroed value at init (absent). */
static void agg_update(struct cg *c, enum gt_kind kind, LLVMValueRef p, LLVMValueRef x)
{
	LLVMValueRef v, seen, better;

	switch (kind) {
	case GT_COUNT: case GT_HIST: case GT_LHIST:
		cg_store64(c, p, 0, LLVMBuildAdd(c->b, cg_load64(c, p, 0), cg_const(c, 1), ""));
		break;
	case GT_SUM:
		cg_store64(c, p, 0, LLVMBuildAdd(c->b, cg_load64(c, p, 0), x, ""));
		break;
	case GT_AVG: case GT_STATS:
		cg_store64(c, p, 0, LLVMBuildAdd(c->b, cg_load64(c, p, 0), cg_const(c, 1), ""));
		cg_store64(c, p, 8, LLVMBuildAdd(c->b, cg_load64(c, p, 8), x, ""));
		break;
	case GT_MIN: case GT_MAX:
		v = cg_load64(c, p, 0);
		seen = LLVMBuildICmp(c->b, LLVMIntNE, cg_load64(c, p, 8), cg_const(c, 0), "");
		better = LLVMBuildICmp(c->b, kind == GT_MIN ? LLVMIntSLT : LLVMIntSGT, x, v, "");
		better = LLVMBuildOr(c->b, better, LLVMBuildNot(c->b, seen, ""), "");
		cg_store64(c, p, 0, LLVMBuildSelect(c->b, better, x, v, ""));
		cg_store64(c, p, 8, cg_const(c, 1));
		break;
	default:
		break;
	}
}

/* Combine x into m[key]: in place when the key is there, else a fresh
 * value is inserted (and a key with a user stack in it has its process's
 * maps read now: cg_pid_seen()). An array's one slot is always there:
 * the verifier still wants the null check, but nothing behind it. */
static void agg_key(struct cg *c, const void *map, LLVMValueRef key, LLVMValueRef x)
{
	const struct map_info *m = map;
	LLVMBasicBlockRef fresh = cg_block(c, "agg_new"), done = cg_block(c, "agg_done");
	LLVMValueRef p = cg_lookup(c, c->maps[m->id], key, fresh), init;

	agg_update(c, m->value.kind, p, x);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, fresh);
	if (m->bpf_type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		LLVMBuildBr(c->b, done);
		LLVMPositionBuilderAtEnd(c->b, done);
		return;
	}
	init = cg_tmp(c, m->value_size);	/* zeroed */
	agg_update(c, m->value.kind, init, x);
	update(c, m, key, init);
	if (holds_ustack(&m->key))
		cg_pid_seen(c);
	LLVMBuildBr(c->b, done);
	LLVMPositionBuilderAtEnd(c->b, done);
}

static void aggregate(struct cg *c, struct node *map, struct node *call)
{
	struct map_info *m = map->map;
	enum gt_kind kind = m->value.kind;
	LLVMValueRef key, x = NULL;

	if (call->args)
		x = cg_expr(c, call->args);
	key = cg_map_key(c, map);
	if (kind == GT_HIST || kind == GT_LHIST) {
		LLVMValueRef b = kind == GT_HIST ? hist_bucket(c, x)
						 : lhist_bucket(c, &m->value, x);
		cg_store64(c, key, m->key_size - 8, b);
	}
	if (!call_map_fn(c, m, "agg", agg_key, key, x))
		agg_key(c, m, key, x);
}

int cg_map_assign(struct cg *c, struct node *map, struct node *rhs)
{
	if (gt_is_aggregation(map->map->value.kind)) {
		aggregate(c, map, rhs);
		return 0;
	}
	cg_map_store(c, map, &rhs->type, cg_expr(c, rhs));
	return 0;
}
