/*
 * Attaching loaded programs, and detaching them.
 *
 * Each attach point is attached by its probe kind's hook (probes/), which
 * records every bpf_link it makes; detaching is bpf_link__destroy() on
 * each, whatever the kind. attach_all() either attaches everything or
 * nothing: on the first failure it destroys what it attached, and the
 * hook's message names the probe as the user wrote it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/attach.h"

#define DETACH_THREADS 15	/* plus the caller */

struct attach_state {
	struct probe_links links;
	int next;		/* detach_all(): next link to destroy */
};

/* Attach one point; returns the number of probes it counts for. */
static int attach_one(struct attach_state *st, struct bpf_object *obj,
		      const struct attach_point *ap, char *err, size_t errlen)
{
	const struct probe_type *t = probe_type_of(ap->kind);
	struct bpf_program *prog;

	if (!t)
		return probe_fail(ap, EINVAL, err, errlen, "unknown probe kind %d",
				  (int)ap->kind);
	prog = bpf_object__find_program_by_name(obj, ap->prog_name);
	if (!prog || bpf_program__fd(prog) < 0)
		return probe_fail(ap, ENOENT, err, errlen,
				  "no loaded BPF program '%s'", ap->prog_name);
	return t->attach ? t->attach(prog, ap, &st->links, err, errlen) : 0;
}

int attach_all(struct bpf_object *obj, const struct attach_point *pts, int n,
	       struct attach_state **out, char *err, size_t errlen)
{
	struct attach_state *st = calloc(1, sizeof(*st));
	int count = 0;

	*out = NULL;
	if (errlen)
		*err = '\0';
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Forward for the kinds the kernel runs oldest first, then backward
	 * for those it runs newest first, so that programs on one site run
	 * in program order. */
	for (int k = 0; k < 2 * n; k++) {
		int i = k < n ? k : 2 * n - 1 - k;
		const struct probe_type *t = probe_type_of(pts[i].kind);
		int ret;

		if (t && t->attach_reverse != (k >= n))
			continue;
		ret = attach_one(st, obj, &pts[i], err, errlen);

		if (ret < 0) {
			if (!*err)	/* only probe_links_add() fails silently */
				probe_fail(&pts[i], ret, err, errlen, "recording the link");
			detach_all(st);
			return ret;
		}
		count += ret;
	}
	*out = st;
	return count;
}

/* Destroy links from the shared queue until it is empty. */
static void *destroy_some(void *arg)
{
	struct attach_state *st = arg;
	int i;

	while ((i = __atomic_fetch_add(&st->next, 1, __ATOMIC_RELAXED)) < st->links.n)
		bpf_link__destroy(st->links.links[i]);
	return NULL;
}

/*
 * Destroying a uprobe_multi or tracepoint link waits for RCU grace periods
 * in the kernel (20-90 ms each here); concurrent waiters share them, so
 * with several links we destroy them from a few threads at once: 8
 * uprobe_multi links take ~90 ms instead of ~430 ms.
 */
void detach_all(struct attach_state *st)
{
	pthread_t th[DETACH_THREADS];
	int n = 0;

	if (!st)
		return;
	st->next = 0;
	if (st->links.n > 1)
		for (; n < DETACH_THREADS && n < st->links.n - 1; n++)
			if (pthread_create(&th[n], NULL, destroy_some, st))
				break;
	destroy_some(st);
	while (n--)
		pthread_join(th[n], NULL);
	free(st->links.links);
	free(st);
}

/* BEGIN and END: raw_tp programs run once through BPF_PROG_TEST_RUN. The
 * context is a zeroed raw-tracepoint argument array, which is valid for
 * any raw_tp program whatever it reads. */
int run_prog_once(struct bpf_program *prog, char *err, size_t errlen)
{
	__u64 args[12] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
		    .ctx_size_in = sizeof(args));
	int fd = prog ? bpf_program__fd(prog) : -1;

	if (fd < 0) {
		snprintf(err, errlen, "run: program not loaded");
		return -EINVAL;
	}
	if (bpf_prog_test_run_opts(fd, &o) < 0) {
		int e = errno;

		snprintf(err, errlen, "run '%s': %s", bpf_program__name(prog),
			 strerror(e));
		return -e;
	}
	return 0;
}
