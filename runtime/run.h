/*
 * Running a compiled program: load, attach, poll, END, print, detach.
 */
#ifndef GOTRACE_RUN_H
#define GOTRACE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime/output.h"
#include "sema/plan.h"

struct run_opts {
	struct out *out;
	bool verbose;
	pid_t pid;		/* -p: stop when it exits */
	pid_t child;		/* -c: a held child to start once attached */
	const char *pprof;	/* --pprof FILE, or NULL */
	bool quiet;		/* -q: no "Attaching N probes..." */
	bool buffered;		/* -B full: written when the buffer fills and
				   at exit; otherwise (-B line) flushed after
				   each batch of records and before the
				   consumer sleeps (see run.c) */
};

/* Returns the process exit status: 0, the code given to exit(), or 1
 * after an error (reported on stderr). Everything attached is detached
 * on every path. */
int run_program(struct plan *plan, const void *elf, size_t len,
		const struct run_opts *opts);

/* mapread.c: read a whole BPF map into entries for out_map(), with deep
 * stacks (by id) expanded in place. Returns 0 or -errno. */
struct bpf_object;
struct map_dump {
	struct map_desc desc;
	struct map_entry *ents;
	size_t n;
	uint8_t *mem;		/* backing store of keys and values */
};
int mapread_dump(struct bpf_object *obj, const struct map_info *m, int ncpu,
		 struct map_dump *out);
void mapread_free(struct map_dump *d);
int mapread_clear(struct bpf_object *obj, const struct plan *plan, const struct map_info *m,
		  bool zero, int ncpu);
/* Deep stacks that printed empty because the store no longer had them. */
uint64_t mapread_refs_missing(bool user);

/* A value as the printers see it: does t hold a deep stack (a reference
 * into a stack store)? Its expanded type (free with mapread_type_free())
 * and its expanded bytes at dst, sized by that type. */
bool mapread_has_ref(const struct gt_type *t);
struct gt_type mapread_type(const struct gt_type *t);
void mapread_type_free(struct gt_type *t);
void mapread_value(struct bpf_object *obj, const struct gt_type *t,
		   const uint8_t *src, uint8_t *dst);

#endif
