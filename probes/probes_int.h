/* Shared by the files of probes/ only: the rows, and tracefs readers. */
#ifndef GOTRACE_PROBES_INT_H
#define GOTRACE_PROBES_INT_H

#include "probes/probes.h"

/* One row per kind, each defined in the kind's file. */
extern const struct probe_type probe_begin, probe_end;		/* special.c */
extern const struct probe_type probe_uprobe, probe_uretprobe;	/* uprobe.c */
extern const struct probe_type probe_tracepoint;		/* tracepoint.c */
extern const struct probe_type probe_interval, probe_profile;	/* timer.c */
extern const struct probe_type probe_software;			/* software.c */
extern const struct probe_type probe_usdt;			/* usdt.c */
extern const struct probe_type probe_kprobe, probe_kretprobe, probe_kfunc,
	probe_kretfunc, probe_hardware, probe_watchpoint,
	probe_asyncwatchpoint, probe_iter;			/* refused.c */

/* resolve() errors point at the attach point; always -EINVAL. */
int probe_error(const struct probe_request *rq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* params.c: -lv's parameter lines of func, from b's DWARF. */
struct bin;
void probe_print_params(struct bin *b, const char *func, FILE *f);

/* perf.c */

/* Open the perf event a describes on CPU 0 (every_cpu false) or on every
 * online CPU, for all processes, and attach prog to each. Returns 0, or a
 * negative errno with err filled; on failure the links made so far stay
 * in l, for the caller's cleanup. */
struct perf_event_attr;
int perf_attach_cpus(struct bpf_program *prog, const struct attach_point *ap,
		     struct perf_event_attr *a, bool every_cpu,
		     struct probe_links *l, char *err, size_t errlen);

/* tracefs.c */

/* The fields of tracepoint CAT:NAME from its format file. 0 or -errno. */
int tracefs_fields(const char *cat, const char *name, struct tp_field **out,
		   int *n);

/* Call cb for every tracepoint whose category and name match the globs,
 * until it returns non-zero (which is returned). -EACCES when tracefs
 * cannot be read or mounted. */
int tracefs_expand(const char *cat_glob, const char *name_glob,
		   int (*cb)(const char *cat, const char *name, void *arg),
		   void *arg);

/* Does tracepoint CAT:NAME exist? 0 or -ENOENT. */
int tracefs_exists(const char *cat, const char *name);

#endif
