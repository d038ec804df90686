/*
 * Attaching loaded programs to uprobes and tracepoints, and detaching them.
 *
 * Everything attached is a struct bpf_link kept in struct attach_state, so
 * detaching is bpf_link__destroy() on each, whatever the kind. A uprobe
 * program gets ONE uprobe_multi link covering all of its sites: a
 * perf-event uprobe link costs ~115 ms to destroy on this kernel, per
 * link (bpftrace 0.17 needs 15 s to exit after 143 functions), while a
 * uprobe_multi link costs ~30 ms whatever its number of sites.
 *
 * Timers (interval, profile) live in attach_perf.c. attach_all() either
 * attaches everything or nothing: on the first failure it destroys what it
 * attached and reports the probe by the name the user wrote.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/attach.h"
#include "runtime/attach_int.h"

#define DETACH_THREADS 15	/* plus the caller */

static const char *kind_names[] = {
	[AT_BEGIN] = "BEGIN",
	[AT_END] = "END",
	[AT_UPROBE] = "uprobe",
	[AT_URETPROBE] = "uretprobe",
	[AT_TRACEPOINT] = "tracepoint",
	[AT_INTERVAL] = "interval",
	[AT_PROFILE] = "profile",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == AT_PROFILE + 1,
	       "kind_names must cover enum attach_kind");

const char *attach_kind_name(enum attach_kind k)
{
	return (unsigned)k <= AT_PROFILE ? kind_names[k] : "probe";
}

/* "uprobe 'main.f': <what>: <reason>"; returns -err for the caller. */
int attach_fail(const struct attach_point *pt, int err, char *buf,
		size_t len, const char *fmt, ...)
{
	char what[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err < 0)
		err = -err;
	const char *why = strerror(err);
	if (err == EPERM || err == EACCES)
		why = "permission denied (gotrace must run as root)";
	snprintf(buf, len, "%s '%s': %s%s%s", attach_kind_name(pt->kind),
		 pt->name ? pt->name : "?", what, *what ? ": " : "", why);
	return -err;
}

/* Keep link for detach_all(); on failure destroys it. */
int attach_state_add(struct attach_state *st, struct bpf_link *link)
{
	if (st->nlinks == st->cap) {
		int cap = st->cap ? st->cap * 2 : 16;
		struct bpf_link **l = realloc(st->links, cap * sizeof(*l));

		if (!l) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		st->links = l;
		st->cap = cap;
	}
	st->links[st->nlinks++] = link;
	return 0;
}

/* Can sites [lo, hi) be attached together? */
static int sites_ok(struct bpf_program *prog, pid_t pid, bool ret,
		    const char *path, const unsigned long *offs, int lo, int hi)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = offs + lo,
		    .cnt = hi - lo, .retprobe = ret);
	struct bpf_link *l = bpf_program__attach_uprobe_multi(prog, pid, path,
							      NULL, &o);

	bpf_link__destroy(l);
	return l != NULL;
}

/* The kernel refused a multi-site link but doesn't say which site: bisect
 * to name it. Each try costs an attach and a ~30 ms detach, so log2(n)
 * tries, and only for errors that depend on the site. */
static int find_bad_site(struct bpf_program *prog, const struct attach_point *pt,
			 pid_t pid, const unsigned long *offs, int err)
{
	int lo = 0, hi = pt->nsites;

	if (err != -EINVAL && err != -EFAULT)
		return -1;
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (sites_ok(prog, pid, pt->kind == AT_URETPROBE, pt->path, offs, lo, mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int attach_uprobe(struct attach_state *st, struct bpf_program *prog,
			 const struct attach_point *pt, char *err, size_t errlen)
{
	pid_t pid = pt->pid > 0 ? pt->pid : -1;	/* libbpf: 0 would mean self */
	unsigned long *offs;
	__u64 *cookies;
	struct bpf_link *link;
	int ret;

	if (pt->nsites <= 0 || !pt->sites || !pt->path)
		return attach_fail(pt, EINVAL, err, errlen, "no probe sites");
	offs = calloc(pt->nsites, sizeof(*offs));
	cookies = calloc(pt->nsites, sizeof(*cookies));
	if (!offs || !cookies) {
		free(offs), free(cookies);
		return attach_fail(pt, ENOMEM, err, errlen, "%d sites", pt->nsites);
	}
	for (int i = 0; i < pt->nsites; i++) {
		offs[i] = pt->sites[i].offset;
		cookies[i] = pt->sites[i].cookie;
	}
	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = offs, .cookies = cookies,
		    .cnt = pt->nsites, .retprobe = pt->kind == AT_URETPROBE);
	link = bpf_program__attach_uprobe_multi(prog, pid, pt->path, NULL, &o);
	ret = link ? 0 : -errno;
	free(cookies);
	if (link) {
		free(offs);
		return attach_state_add(st, link);
	}
	if (ret == -ESRCH) {
		free(offs);
		return attach_fail(pt, ret, err, errlen, "process %d", (int)pid);
	}
	int bad = pt->nsites > 1 ? find_bad_site(prog, pt, pid, offs, ret) : 0;
	free(offs);
	if (bad < 0)
		return attach_fail(pt, ret, err, errlen, "%s (%d sites)",
				   pt->path, pt->nsites);
	return attach_fail(pt, ret, err, errlen, "%s at %s+0x%llx",
			   pt->sites[bad].func ? pt->sites[bad].func : "?", pt->path,
			   (unsigned long long)pt->sites[bad].offset);
}

static int attach_tracepoint(struct attach_state *st, struct bpf_program *prog,
			     const struct attach_point *pt, char *err,
			     size_t errlen)
{
	struct bpf_link *link;
	int ret = tracefs_ensure(err, errlen);

	if (ret < 0)
		return ret;
	if (tracepoint_exists(pt->tp_category, pt->tp_name) < 0)
		return attach_fail(pt, ENOENT, err, errlen, "%s:%s",
				   pt->tp_category, pt->tp_name);
	link = bpf_program__attach_tracepoint(prog, pt->tp_category, pt->tp_name);
	if (!link)
		return attach_fail(pt, errno, err, errlen, "attach");
	return attach_state_add(st, link);
}

/* Attach one point; returns the number of probes it counts for. */
static int attach_one(struct attach_state *st, struct bpf_object *obj,
		      const struct attach_point *pt, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	prog = bpf_object__find_program_by_name(obj, pt->prog_name);
	if (!prog || bpf_program__fd(prog) < 0)
		return attach_fail(pt, ENOENT, err, errlen,
				   "no loaded BPF program '%s'", pt->prog_name);
	switch (pt->kind) {
	case AT_BEGIN:
	case AT_END:
		return 0;
	case AT_UPROBE:
	case AT_URETPROBE:
		ret = attach_uprobe(st, prog, pt, err, errlen);
		return ret < 0 ? ret : pt->nsites;
	case AT_TRACEPOINT:
		ret = attach_tracepoint(st, prog, pt, err, errlen);
		return ret < 0 ? ret : 1;
	case AT_INTERVAL:
	case AT_PROFILE:
		ret = attach_perf(st, prog, pt, err, errlen);
		return ret < 0 ? ret : 1;
	}
	return attach_fail(pt, EINVAL, err, errlen, "unknown probe kind %d",
			   (int)pt->kind);
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
	for (int i = 0; i < n; i++) {
		int ret = attach_one(st, obj, &pts[i], err, errlen);

		if (ret < 0) {
			if (!*err)	/* only attach_state_add() fails silently */
				attach_fail(&pts[i], ret, err, errlen, "recording the link");
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

	while ((i = __atomic_fetch_add(&st->next, 1, __ATOMIC_RELAXED)) < st->nlinks)
		bpf_link__destroy(st->links[i]);
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
	if (st->nlinks > 1)
		for (; n < DETACH_THREADS && n < st->nlinks - 1; n++)
			if (pthread_create(&th[n], NULL, destroy_some, st))
				break;
	destroy_some(st);
	while (n--)
		pthread_join(th[n], NULL);
	free(st->links);
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
