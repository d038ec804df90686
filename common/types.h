/*
 * Value types shared by the compiler and the runtime.
 *
 * Sema gives every expression and every map a struct gt_type. Codegen lays
 * values out in BPF memory as described below, and the runtime reads them
 * back with the same description, so this header is the contract between
 * the BPF side and the user-space side. Change a layout here and both
 * follow.
 *
 * Layouts (all little-endian, all offsets in bytes):
 *   GT_INT     8 bytes, u64 or s64 (is_signed). `size` is the integer's
 *              width as bpftrace keeps it (1, 2, 4 or 8: a cast, a typed
 *              field, a variable assigned one; map keys and values are
 *              8), for sizeof and bswap; the value is still stored in 8
 *              bytes, sign- or zero-extended from that width.
 *   GT_STR     `size` bytes, NUL padded (a string that fills the buffer
 *              has no NUL).
 *   GT_USTACK  struct gt_stack: u32 pid, u32 nr (frames captured), then
 *   GT_KSTACK  `depth` u64 instruction pointers. size = 8 + 8 * depth.
 *              pid is 0 in kernel stacks and in empty stacks, which are
 *              the same wherever they were taken.
 *              With by_id set (deep stacks, which would not fit in a hash
 *              key: the kernel caps keys at 512 bytes) the BPF side keeps
 *              struct gt_stack_ref, 16 bytes: a 64-bit hash of the frames,
 *              which keys the frames in a stack store (sema/plan.h), and
 *              the pid; the runtime expands it to struct gt_stack before
 *              anything is printed, so printers only see the first form.
 *   GT_USYM    16 bytes: u64 address, then u64 pid. Printed as the name
 *              of the function holding the address (`func`).
 *   GT_PROBE   8 bytes: index into the program's probe-name table.
 *   GT_FUNC    8 bytes: index into the same table, of the probed
 *              function's name (`func`). A probe's sites carry both
 *              indexes in their BPF cookie, so a function probed at
 *              several RETs, or inlined at several places, is one key.
 *   GT_TUPLE   elements one after another, each aligned to 8 bytes
 *              (sizeof gives bpftrace's C layout instead: gt_sizeof()).
 *   GT_GOTYPE  16 bytes: u64 address of a Go runtime type descriptor in the
 *              process, u64 pid. Printed as the type's name (go_typename).
 *   GT_RECORD  a C struct, union or (non-char) array read whole: its bytes
 *              as in memory, size rounded up to 8; `gotype` (is_c) names
 *              its fields for printing, "{ .x = 1, .y = 2 }" and "[1,2]".
 *   GT_TIMESTAMP 8 bytes: u64 nsecs since boot (strftime()); the format
 *              is the type's `fmt`, formatted in user space.
 *   GT_INET    24 bytes: u64 address family (AF_INET, AF_INET6), then
 *              the address's 4 or 16 bytes (ntop()).
 *   GT_KSYM    8 bytes: a kernel address, printed as the symbol holding
 *              it, without offset (ksym()).
 *   GT_MACADDR 8 bytes, the first 6 a MAC address (macaddr()).
 *   GT_ERRNO   8 bytes: an errno value, printed as strerror() says.
 *   GT_USERNAME 8 bytes: a uid, printed as its /etc/passwd name.
 *   GT_BUF     u64 length, then `size - 8` bytes (buf()); printed with
 *              bytes outside ' '..'~' as \xNN.
 *   GT_CGROUP_PATH 8 bytes: a cgroup id, printed as its paths
 *              (cgroup_path()); the hierarchy filter is the type's `fmt`.
 *   GT_GO      a Go value not read yet (a string, slice, array, struct or
 *              interface): only inside an expression, never in a map or a
 *              record. Codegen's value is its address in user memory, or
 *              nothing when it is held in registers (go_regs).
 *
 * A value with a Go type carries it in `gotype` (binary.h's go_type): a
 * Go integer, bool or pointer is a GT_INT read with its width and sign,
 * and a pointer prints in hex.
 *
 * Map value kinds made by aggregation functions:
 *   GT_COUNT, GT_SUM   u64 per CPU (per-CPU hash); summed when printed.
 *   GT_MIN, GT_MAX     struct gt_minmax per CPU; CPUs with seen == 0 are
 *                      ignored when combining.
 *   GT_AVG, GT_STATS   struct gt_avg per CPU (count, total).
 *   GT_HIST, GT_LHIST  u64 count per CPU, and the *key* gets one more
 *                      u64: the bucket index (see gt_hist_bucket() and
 *                      gt_lhist_bucket()). A map @h[k] = hist(x) is stored
 *                      as key (k, bucket) -> count.
 */
#ifndef GOTRACE_TYPES_H
#define GOTRACE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

enum gt_kind {
	GT_NONE,
	GT_INT,
	GT_STR,
	GT_USTACK,
	GT_KSTACK,
	GT_USYM,
	GT_PROBE,
	GT_FUNC,
	GT_GOTYPE,
	GT_GO,
	GT_TUPLE,
	GT_RECORD,
	GT_TIMESTAMP,
	GT_INET,
	GT_KSYM,
	GT_MACADDR,
	GT_ERRNO,
	GT_USERNAME,
	GT_BUF,
	GT_CGROUP_PATH,
	/* map value kinds of aggregation functions */
	GT_COUNT,
	GT_SUM,
	GT_MIN,
	GT_MAX,
	GT_AVG,
	GT_STATS,
	GT_HIST,
	GT_LHIST,
};

struct go_type;

/* Where a C value not read yet lives, which picks the read helper:
 * bpf_probe_read_user, _kernel, or the old bpf_probe_read, which takes
 * either (x86 keeps user and kernel addresses apart). Go values are in
 * user memory. */
enum gt_aspace { GT_AS_USER, GT_AS_KERNEL, GT_AS_ANY };

struct gt_type {
	enum gt_kind kind;
	unsigned size;		/* bytes in BPF memory */
	bool is_signed;		/* GT_INT, and GT_SUM/GT_MIN/... of signed input */
	int depth;		/* GT_USTACK/GT_KSTACK: frames kept */
	bool by_id;		/* GT_USTACK/GT_KSTACK: stored as a stack id */
	bool go;		/* GT_USTACK: symbolize as Go (go_ustack) */
	bool lines;		/* GT_USTACK: print file:line (go_ustack_lines) */
	bool perf;		/* GT_USTACK/GT_KSTACK: perf's format (ustack(perf)) */
	unsigned lit_size;	/* GT_STR from string literals: their longest
				   length + 1, which bpftrace's sizeof gives
				   (size is rounded up to 8) */
	int nelems;		/* GT_TUPLE */
	struct gt_type *elems;	/* GT_TUPLE: nelems entries */
	int64_t lhist_min, lhist_max, lhist_step; /* GT_LHIST */
	const struct go_type *gotype;	/* a Go value's Go type (GT_INT, GT_GO) */
	bool hex;		/* GT_INT: print as 0x... (Go pointers) */
	const char *fmt;	/* GT_TIMESTAMP: strftime()'s format */
	int go_regs;		/* GT_GO in argument (or result) registers: 1 +
				   its first word; 0 when in user memory */
	enum gt_aspace aspace;	/* GT_GO, and GT_INT pointers: where it points */
};

struct gt_stack {
	uint32_t pid;
	uint32_t nr;
	uint64_t ip[];
};

struct gt_stack_ref {
	uint64_t hash;
	uint32_t pid;
	uint32_t zero;
};

struct gt_minmax {
	int64_t value;
	uint64_t seen;
};

struct gt_avg {
	uint64_t count;
	int64_t total;
};

#define GT_STR_DEFAULT 64	/* bpftrace's default string size */
#define GT_STACK_DEFAULT 127	/* bpftrace's default stack depth */
#define GT_HIST_BUCKETS 66	/* index 0: < 0, 1: 0, 2 + log2(v) for v >= 1 */

/* hist(): bucket 0 holds negative values, 1 holds 0, and 2 + floor(log2 v)
 * holds v >= 1, so [1], [2, 4), [4, 8) ... as bpftrace prints them. */
static inline int gt_hist_bucket(int64_t v)
{
	if (v < 0)
		return 0;
	if (v == 0)
		return 1;
	return 2 + 63 - __builtin_clzll((uint64_t)v);
}

/* lhist(): bucket 0 holds v < min, 1..n hold [min + (i-1)*step, ...),
 * and n + 1 holds v >= max, where n = (max - min) / step. */
static inline int64_t gt_lhist_nbuckets(const struct gt_type *t)
{
	return (t->lhist_max - t->lhist_min) / t->lhist_step;
}

static inline int64_t gt_lhist_bucket(const struct gt_type *t, int64_t v)
{
	if (v < t->lhist_min)
		return 0;
	if (v >= t->lhist_max)
		return gt_lhist_nbuckets(t) + 1;
	return 1 + (v - t->lhist_min) / t->lhist_step;
}

/* Values and tuple elements are laid out at 8-byte boundaries. */
static inline unsigned gt_align8(unsigned n)
{
	return (n + 7) & ~7u;
}

static inline bool gt_is_aggregation(enum gt_kind k)
{
	return k >= GT_COUNT;
}

#endif
