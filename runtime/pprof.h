/*
 * --pprof FILE (runtime/pprof.c): what the maps keyed by a user stack held
 * over the run, written as a gzipped pprof profile at exit.
 */
#ifndef GOTRACE_PPROF_H
#define GOTRACE_PPROF_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include "sema/plan.h"

struct pprof;

/* Opens path for writing now, so that a bad path fails before anything
 * is traced; NULL with err filled if it cannot. */
struct pprof *pprof_new(const struct plan *plan, const char *path, char *err, size_t errlen);
/* Is m keyed by a user stack; and also with a value pprof can take
 * (count(), sum(), an integer)? */
bool pprof_keyed_by_stack(const struct map_info *m);
bool pprof_wants(const struct map_info *m);
/* Add what map m holds now (before it is cleared, and at exit). */
void pprof_add(struct pprof *p, struct bpf_object *obj, const struct map_info *m, int ncpu);
size_t pprof_nsamples(const struct pprof *p);
/* Write the profile, gzipped, and close it. 0, or a negative errno with
 * err filled. */
int pprof_write(struct pprof *p, char *err, size_t errlen);
/* Close and remove the file, when there is nothing to write. */
void pprof_discard(struct pprof *p);

#endif
