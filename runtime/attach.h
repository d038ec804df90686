/*
 * Attaching loaded BPF programs to their events, and detaching them.
 *
 * The compiler produces one BPF program per attach point. The runtime
 * opens and loads the object with libbpf, then calls attach_all() with
 * the attach points, and each is attached by its probe kind's attach hook
 * (probes/probes.h). Every path out of gotrace calls detach_all(), so
 * nothing of ours stays attached. BEGIN and END attach to nothing: the
 * runtime runs them with run_prog_once().
 */
#ifndef GOTRACE_ATTACH_H
#define GOTRACE_ATTACH_H

#include <stddef.h>

#include "probes/probes.h"

struct bpf_object;
struct bpf_program;
struct attach_state;

/*
 * Attach every point, finding each one's program by ap.prog_name. On
 * failure detaches what was attached, fills err ("uprobe 'main.f': ..."),
 * and returns a negative errno. On success *out holds the state and the
 * return value is the number of attached probes (counting each uprobe
 * site).
 */
int attach_all(struct bpf_object *obj, const struct attach_point *pts, int n,
	       struct attach_state **out, char *err, size_t errlen);

/* Detach everything attach_all() attached. NULL is fine. Links are
 * destroyed from several threads at once, because each waits for kernel
 * RCU grace periods (uprobe_multi ~30 ms, tracepoint ~75 ms) and
 * concurrent waiters share them. */
void detach_all(struct attach_state *st);

/* Run a raw_tp program once (BEGIN, END) in the calling thread. */
int run_prog_once(struct bpf_program *prog, char *err, size_t errlen);

#endif
