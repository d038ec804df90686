/*
 * Printing what the BPF side collected, exactly as bpftrace 0.17 prints it:
 * maps, printf, time(), stacks and symbols, in each output format.
 *
 * Nothing here touches BPF: the runtime reads maps and ring-buffer records
 * into plain bytes and hands them over with their struct gt_type (see
 * common/types.h for the layouts). That keeps this module testable with
 * unit tests that feed it bytes.
 *
 * Each format (text, JSON) implements one interface, struct out_ops
 * (runtime/out_int.h); the functions below prepare the data and call the
 * format of the struct out they are given.
 */
#ifndef GOTRACE_OUTPUT_H
#define GOTRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/diag.h"
#include "common/types.h"

/* ORDER OUT_FORMAT: output.c's table of formats is indexed by these. */
enum out_format { OUT_TEXT, OUT_JSON, OUT_FOLDED, OUT__COUNT };

/* The format named `name` ("text", "json"): 0, or -EINVAL. */
int out_format_parse(const char *name, enum out_format *f);

struct out {
	FILE *f;		/* program output: stdout or -o FILE */
	enum out_format format;
	FILE *diag;		/* text-mode diagnostics such as "Attaching N
				   probes..."; stderr when NULL */
	FILE *console;		/* what bpftrace writes to stdout even with
				   -o FILE (the newlines before the exit maps);
				   stdout when NULL */
	unsigned long cat_bytes;	/* cat() prints at most this much
					   (BPFTRACE_CAT_BYTES_MAX); 0: 10 KiB */
};

/* A map as sema typed it. */
struct map_desc {
	const char *name;	/* with the '@', e.g. "@bytes" or "@" */
	struct gt_type key;	/* GT_NONE (no key), or GT_TUPLE of the key fields
				   (a single key is a tuple of one element) */
	struct gt_type value;	/* GT_INT, GT_STR, ..., or an aggregation kind */
	unsigned key_size;	/* bytes of the BPF key, including the u64 bucket
				   index that hist/lhist maps append */
	unsigned value_size;	/* bytes of one value (one CPU's value) */
	bool percpu;		/* values hold ncpu consecutive value_size slots */
};

/* One raw map entry as read from the kernel. For per-CPU maps `value` holds
 * ncpu slots of value_size bytes (value_size rounded up to 8, as the kernel
 * lays per-CPU values out). */
struct map_entry {
	const uint8_t *key;
	const uint8_t *value;
};

/*
 * Print a whole map the way bpftrace does at exit or for print(@m):
 * combine the per-CPU values, sort as bpftrace sorts, keep only the `top`
 * largest entries when top > 0, divide values by `div` when div > 1, and
 * print. As in bpftrace 0.17, a map with no entries still prints an empty
 * line in text mode (two for avg and stats maps) and nothing in JSON mode;
 * stats maps ignore top and div, lhist maps ignore div.
 *
 * Sort orders (measured on bpftrace 0.17):
 *   count, sum, min, max, int values  by value (signed if the type is)
 *   avg, stats                        by average (total / count, signed)
 *   hist, lhist                       by the sum of all bucket counts
 *   anything else (str, tuple, ...)   by key: field by field, integers as
 *                                     unsigned 64-bit, strings by strcmp
 * all ascending. bpftrace gathers hist, lhist, avg and stats entries in
 * the order of their key bytes and std::sorts them, which leaves ties in
 * an order out_sort.c reproduces; the others it gathers in the kernel's
 * hash order, random per run, so we break their ties by key.
 */
void out_map(struct out *o, const struct map_desc *m,
	     const struct map_entry *ents, size_t n, int ncpu, int top, int div);

/*
 * printf(): format `fmt` with arguments laid out one after another in
 * `data`, each aligned to 8 bytes, typed by args[i]. Supports %d %i %u %x
 * %X %c %s %p %%, widths, '-', '0', and the l/ll/h/hh length modifiers
 * (which, as in bpftrace, only choose how many bytes of the 8 are used).
 * In JSON mode it prints {"type": "printf", "data": "..."}.
 */
void out_printf(struct out *o, const char *fmt, const struct gt_type *args,
		int nargs, const uint8_t *data);

/* print(value) of a non-map value, e.g. print(ustack), print("x"). */
void out_value(struct out *o, const struct gt_type *t, const uint8_t *data);

/* time(fmt): strftime of the local time now, bpftrace's default "%H:%M:%S\n". */
void out_time(struct out *o, const char *fmt);

/* join(): n strings of argsize bytes at data, up to the first empty one,
 * joined by delim, and a newline; cat(): the first bytes of the file the
 * format names; system(): the output of the command it names. Each is a
 * message of the output format (out_fmt.c). */
void out_join(struct out *o, const char *delim, const uint8_t *data, int n, size_t argsize);
void out_cat(struct out *o, const char *fmt, const struct gt_type *args, int nargs,
	     const uint8_t *data);
void out_system(struct out *o, const char *fmt, const struct gt_type *args, int nargs,
		const uint8_t *data);

/* Format one value as text the way bpftrace shows it in printf("%s") and
 * print(): strings raw, tuples as "(1, a)", stacks multi-line with frames
 * indented by 8 (out_map indents stacks inside keys by 4 itself). Returns a
 * malloc'd string, or NULL when out of memory. */
char *out_value_str(const struct gt_type *t, const uint8_t *data);

/* Lines printed on stderr by the runtime also go through here so that JSON
 * mode can wrap them: "Attaching N probes..." is {"type": "attached_probes",
 * "data": {"probes": N}} in JSON. */
void out_attached(struct out *o, int nprobes);

/* A warning that the output is incomplete: what was lost, and how much. */
enum out_notice_kind {
	NOTICE_LOST_EVENTS,	/* count: ring-buffer records the kernel refused */
	NOTICE_FAULTS,		/* count: user-memory reads that faulted */
	NOTICE_MAP_FULL,	/* what: the map; count: updates it refused;
				   limit: its keys */
	NOTICE_STACKS_LOST,	/* what: "user" or "kernel"; count: stacks the
				   stack store refused; limit: its stacks */
	NOTICE_STRINGS_CUT,	/* count: Go strings longer than go_str's bound */
	NOTICE_PIDS_REUSED,	/* count: times a pid named another process or
				   program while its stacks were symbolized */
	NOTICE_PIDS_GONE,	/* count: processes that had exited before
				   their stacks were symbolized */
};

struct out_notice {
	enum out_notice_kind kind;
	const char *what;
	uint64_t count;
	uint64_t limit;
	bool total;		/* the count covers the whole run, not the time
				   since the map was last printed */
};

/* Text puts one line on stderr, "gotrace: 12 events lost: ..." or
 * "gotrace: warning: @m: 12,034 updates dropped, map full at 65,536 keys
 * (raise with BPFTRACE_MAP_KEYS_MAX)"; JSON one object on the output. */
void out_notice(struct out *o, const struct out_notice *n);

/* -k, -kk: a helper call failed. Text warns at the call ("FILE:L:C:
 * warning: Failed to map_delete_elem: No such file or directory (-2)");
 * JSON writes bpftrace's {"type": "helper_error", ...} record. */
void out_helper_error(struct out *o, const char *helper, int retcode, const struct loc *loc);

/* The sentence of a notice, without the "gotrace: " prefix. */
void out_notice_text(const struct out_notice *n, char *buf, size_t len);

/* The symbol name of a GT_USYM value (u64 addr, u64 pid). */
char *out_usym_str(uint64_t addr, uint32_t pid);

/* The probe names table, so GT_PROBE values print as "uprobe:/bin/x:main.f"
 * and GT_FUNC values as "main.f".
 * The strings are copied. */
void out_set_probe_names(const char *const *names, int n);

/* What bpftrace prints once before dumping the maps at exit: two newlines,
 * in JSON mode too (bpftrace 0.17 does that). Call it, then out_map() for
 * every map in name order (strcmp of the names, so "@" comes first). */
void out_exit_header(struct out *o);

/*
 * Symbolizers. Stacks and usym values are symbolized through these hooks,
 * which default to proc_symbolize() and ksym_lookup() from binary/binary.h;
 * tests may replace them (NULL restores the default). A user frame prints as
 * "func+off"; an address no symbol covers prints as "0x7f12..." (hex), as in
 * bpftrace.
 */
struct bin_frame;
typedef int (*out_usym_fn)(uint32_t pid, uint64_t addr,
			   struct bin_frame *frames, int max);
typedef const char *(*out_ksym_fn)(uint64_t addr, uint64_t *offset);
void out_set_symbolizers(out_usym_fn usym, out_ksym_fn ksym);

#endif
