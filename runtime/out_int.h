/*
 * Inside the output module: the interface each output format implements,
 * and the helpers the files share. Not part of the runtime's API:
 * runtime/output.h is.
 *
 * The per-kind files prepare what is printed, whatever the format:
 * out_map.c combines per-CPU values, sorts and cuts to `top`; out_hist.c
 * groups buckets by key; out_printf.c formats printf() arguments;
 * out_value.c and out_sym.c read values and symbolize stacks. A format
 * (out_text.c, out_json.c) is a struct out_ops that lays the prepared
 * data out. Everything writes to a FILE *, so callers can write straight
 * to the output stream or build a string with open_memstream().
 */
#ifndef GOTRACE_OUT_INT_H
#define GOTRACE_OUT_INT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/output.h"

/* One entry of a single-value map, its CPUs combined. */
struct out_row {
	const uint8_t *key;
	const uint8_t *value;	/* first CPU slot */
	int64_t v;		/* combined value; the average for avg/stats */
	int64_t count, total;	/* avg/stats */
};

/* A hist or lhist map being printed, and one group: one key's buckets. */
struct out_hist {
	const struct map_desc *m;
	unsigned ukey;		/* bytes of the key without the bucket index */
	int nb;			/* number of buckets */
};

struct out_group {
	const uint8_t *key;
	uint64_t *counts;	/* nb buckets, CPUs summed */
	uint64_t total;
};

/* An output format. Each hook lays out data the per-kind files prepared. */
struct out_ops {
	/* A map of single values, sorted, already cut to `top`; values are
	 * divided by div (>= 1) when printed. */
	void (*map)(struct out *o, const struct map_desc *m,
		    const struct out_row *rows, size_t n, int div);
	/* A hist or lhist map: one group per key, sorted and cut. */
	void (*hist)(struct out *o, const struct out_hist *h,
		     const struct out_group *g, size_t n, int div);
	/* printf(): arguments as the ring-buffer record holds them. */
	void (*printf)(struct out *o, const char *fmt, const struct gt_type *args,
		       int nargs, const uint8_t *data);
	/* print(value) of a non-map value. */
	void (*value)(struct out *o, const struct gt_type *t, const uint8_t *p);
	/* time(): the formatted time. */
	void (*time)(struct out *o, const char *s, size_t len);
	/* The text of join(), cat() or system() (type "join", "cat",
	 * "syscall"), printed as it is. */
	void (*message)(struct out *o, const char *type, const char *s, size_t len,
			bool nl);	/* nl: text adds a newline (join) */
	/* "Attaching N probes..." */
	void (*attached)(struct out *o, int nprobes);
	/* A warning that the data is incomplete (lost events, full maps). */
	void (*notice)(struct out *o, const struct out_notice *n);
	/* -k: a helper call failed, at loc in the program. */
	void (*helper_error)(struct out *o, const char *helper, int retcode,
			     const struct loc *loc);
	/* Before the maps printed at exit. */
	void (*exit_header)(struct out *o);
};

extern const struct out_ops out_text_ops;	/* out_text.c */
extern const struct out_ops out_json_ops;	/* out_json.c */
extern const struct out_ops out_folded_ops;	/* out_folded.c */

/* The format's hooks. */
const struct out_ops *out_ops_of(const struct out *o);

/* Stack frames are indented by 8 spaces in values and printf, by 4 inside
 * map keys, as bpftrace does. */
#define OUT_INDENT_VALUE 8
#define OUT_INDENT_KEY 4

/* Formats into a memory stream and hands the buffer over. */
#define MEMSTREAM(buf, len, f, body)                                         \
	do {                                                                 \
		FILE *f = open_memstream(&(buf), &(len));                    \
		if (!f)                                                      \
			break;                                               \
		body;                                                        \
		fclose(f);                                                   \
	} while (0)

static inline uint64_t out_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline bool out_is_avg(enum gt_kind k)
{
	return k == GT_AVG || k == GT_STATS;
}

/* Map values compared and printed as numbers. */
static inline bool out_is_number(enum gt_kind k)
{
	return k == GT_INT || k == GT_COUNT || k == GT_SUM || k == GT_MIN ||
	       k == GT_MAX || out_is_avg(k);
}

/* Stride between the per-CPU slots of a value. */
static inline unsigned out_cpu_stride(const struct map_desc *m)
{
	return m->percpu ? gt_align8(m->value_size) : m->value_size;
}

/* out_cgroup.c: cgroup_path()'s text for cgroup id (filter may be NULL). */
void out_cgroup_path(FILE *f, const char *filter, uint64_t id);

/* out_value.c */

/* An integer of type t, sign- or zero-extended from its width. */
int64_t out_int_read(const struct gt_type *t, const uint8_t *p);
void out_int_write(FILE *f, const struct gt_type *t, const uint8_t *p);
/* Offset of tuple element i (elements are aligned to 8 bytes). */
unsigned out_tuple_offset(const struct gt_type *t, int i);
/* Order of map keys when a map is sorted by key: field by field, integers
 * as unsigned 64-bit numbers, strings by strcmp. */
int out_key_cmp(const struct gt_type *key, const uint8_t *a, const uint8_t *b);

/* out_sort.c: std::sort as bpftrace 0.17's libstdc++ does it, so that
 * equal values stay in the order bpftrace leaves them. */
typedef bool (*out_less_fn)(const void *a, const void *b, void *arg);
void out_cxx_sort(void *base, size_t n, size_t size, out_less_fn less, void *arg);

/* out_map.c: a combined map value as a number, divided by div. */
void out_number_write(FILE *f, const struct map_desc *m, int64_t v, int div);

/* out_hist.c: hist and lhist maps, for out_map(); and the first and last
 * non-zero buckets and the largest count, *first = -1 when all are zero. */
void out_hist_map(struct out *o, const struct map_desc *m,
		  const struct map_entry *ents, size_t n, int ncpu, int top,
		  int div);
void out_hist_bounds(const uint64_t *c, int nb, int *first, int *last,
		     uint64_t *max);

/* out_printf.c: printf() into f. */
/* A value user space formats (out_fmt.c): written, or false for other kinds. */
bool out_fmt_write(FILE *f, const struct gt_type *t, const uint8_t *p);

/* A buf() value for %r (mode 'r'), %rx ('x') or %rh ('h'). */
void out_buf_write(FILE *f, const struct gt_type *t, const uint8_t *p, char mode);

void out_printf_format(FILE *f, const char *fmt, const struct gt_type *args,
		       int nargs, const uint8_t *data);

/* out_sym.c: stacks (GT_USTACK, GT_KSTACK) and probe names as text. */
void out_stack_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		     int indent);
void out_probe_write(FILE *f, uint64_t idx);
/* The function names of a stack, leaf first, inlined functions each
 * their own (innermost first), "0x..." where no symbol covers the
 * address; returns how many. */
int out_stack_names(const struct gt_type *t, const uint8_t *p,
		    void (*cb)(const char *name, void *arg), void *arg);
void out_gotype_write(FILE *f, uint64_t addr, uint32_t pid);

/* out_text.c */

/* Text form of a value: strings raw, stacks multi-line with `indent`,
 * tuples as "(1, a)". */
void out_text_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		    int indent);
/* Map key fields joined by `sep` (", " in text, "," in JSON keys). */
void out_key_write(FILE *f, const struct gt_type *key, const uint8_t *p,
		   const char *sep);

/* out_record.c: a C struct, union or array (GT_RECORD), as a value, a
 * map key or JSON. */
enum out_record_style { OUT_RECORD_VALUE, OUT_RECORD_KEY, OUT_RECORD_JSON };
void out_record_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		      enum out_record_style st);

/* out_json.c: s as a quoted JSON string, with bpftrace's escapes. */
void out_json_quote(FILE *f, const char *s, size_t n);

#endif
