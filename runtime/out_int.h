/*
 * Helpers shared by the output files (out_value.c, out_map.c, out_hist.c,
 * out_printf.c). Not part of the runtime's API: runtime/output.h is.
 *
 * Everything formats into a FILE *, so callers can write straight to the
 * output stream or build a string with open_memstream().
 */
#ifndef GOTRACE_OUT_INT_H
#define GOTRACE_OUT_INT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/output.h"

/* Stack frames are indented by 8 spaces in values and printf, by 4 inside
 * map keys, as bpftrace does. */
#define OUT_INDENT_VALUE 8
#define OUT_INDENT_KEY 4

static inline uint64_t out_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* An integer of type t, sign- or zero-extended from its width. */
int64_t out_int_read(const struct gt_type *t, const uint8_t *p);

/* Text form of a value: strings raw, stacks multi-line with `indent`,
 * tuples as "(1, a)". */
void out_text_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		    int indent);

/* JSON form of a value: numbers bare, tuples as [1,"a"], anything else as
 * a quoted string of its text form. */
void out_json_write(FILE *f, const struct gt_type *t, const uint8_t *p);

/* s as a quoted JSON string, with bpftrace's escapes. */
void out_json_quote(FILE *f, const char *s, size_t n);

/* Map key fields joined by `sep` (", " in text, "," in JSON keys). */
void out_key_write(FILE *f, const struct gt_type *key, const uint8_t *p,
		   const char *sep);

/* Order of map keys when a map is sorted by key: field by field, integers
 * as unsigned 64-bit numbers, strings by strcmp. */
int out_key_cmp(const struct gt_type *key, const uint8_t *a, const uint8_t *b);

/* Offset of tuple element i (elements are aligned to 8 bytes). */
unsigned out_tuple_offset(const struct gt_type *t, int i);

/* Writes "@name[key]" (text) or nothing more than the name. */
void out_map_label(FILE *f, const struct map_desc *m, const uint8_t *key);

/* Writes the key as a quoted JSON object key, e.g. "1,x". */
void out_json_key(FILE *f, const struct map_desc *m, const uint8_t *key);

/* Stacks (GT_USTACK, GT_KSTACK) and probe names, from out_sym.c. */
void out_stack_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		     int indent);
void out_probe_write(FILE *f, uint64_t idx);

/* Hist and lhist maps (out_hist.c). */
void out_hist_map(struct out *o, const struct map_desc *m,
		  const struct map_entry *ents, size_t n, int ncpu, int top,
		  int div);

/* Stride between the per-CPU slots of a value. */
static inline unsigned out_cpu_stride(const struct map_desc *m)
{
	return m->percpu ? gt_align8(m->value_size) : m->value_size;
}

#endif
