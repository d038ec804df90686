/*
 * Probe kinds bpftrace has and gotrace does not trace: kprobe, kretprobe,
 * kfunc, kretfunc, hardware, watchpoint, asyncwatchpoint and iter.
 * They have rows so that a script using one gets an error that says why
 * at the probe, instead of "unknown probe type". The reason is found by
 * asking the kernel, not assumed: a kernel without a kprobe PMU, without
 * fentry or without a hardware PMU cannot run them at all ("not available
 * on this kernel"); otherwise it is gotrace that lacks them.
 *
 * Their -l listings are what bpftrace 0.17 prints on such a kernel, so
 * that `-l '*sleep*'` gives the same lines.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probes/probes_int.h"

/* Each check returns NULL when the kernel has what the kind needs, or
 * why it does not, in buf. */

static const char *no_kprobes(char *buf, size_t len)
{
	char path[512], err[256];
	const char *tfs;

	if (access("/sys/bus/event_source/devices/kprobe", F_OK) == 0)
		return NULL;
	tfs = tracefs_dir(err, sizeof(err));
	snprintf(path, sizeof(path), "%s/kprobe_events", tfs ? tfs : "/sys/kernel/tracing");
	if (access(path, F_OK) == 0)
		return NULL;
	snprintf(buf, len, "it has no kprobe PMU (/sys/bus/event_source/devices/kprobe) "
		 "and no %s", path);
	return buf;
}

/* Load an empty fentry program on a kernel function, as the kernel would
 * for a kfunc probe; some kernels (no BPF trampoline) refuse it. */
static const char *no_fentry(char *buf, size_t len)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd, link;

	if (!vmlinux) {
		snprintf(buf, len, "it has no kernel BTF (/sys/kernel/btf/vmlinux)");
		return buf;
	}
	id = btf__find_by_name_kind(vmlinux, "bpf_fentry_test1", BTF_KIND_FUNC);
	for (int i = 1; id < 0 && i < (int)btf__type_cnt(vmlinux); i++)
		if (btf_is_func(btf__type_by_id(vmlinux, i)))
			id = i;
	btf__free(vmlinux);
	if (id < 0) {
		snprintf(buf, len, "its BTF has no functions");
		return buf;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "gt_fentry_probe", "GPL", ret0, 2, &o);
	if (fd < 0) {
		snprintf(buf, len, "it refuses fentry programs (%s)", strerror(errno));
		return buf;
	}
	link = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (link < 0)
		snprintf(buf, len, "it cannot attach fentry programs (%s)", strerror(errno));
	else
		close(link);
	close(fd);
	return link < 0 ? buf : NULL;
}

static const char *no_hw_pmu(char *buf, size_t len)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE, .size = sizeof(a),
		.config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
		.exclude_kernel = 1, .exclude_hv = 1,
	};
	int fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	snprintf(buf, len, "it has no hardware PMU (perf_event_open of cpu-cycles: %s)",
		 strerror(errno));
	return buf;
}

static const char *no_breakpoints(char *buf, size_t len)
{
	if (access("/sys/bus/event_source/devices/breakpoint", F_OK) == 0)
		return NULL;
	snprintf(buf, len, "it has no breakpoint PMU "
		 "(/sys/bus/event_source/devices/breakpoint)");
	return buf;
}

static const struct refusal {
	enum probe_kind kind;
	const char *(*check)(char *buf, size_t len);	/* NULL: nothing to ask */
} refusals[] = {
	{ PK_KPROBE, no_kprobes },
	{ PK_KRETPROBE, no_kprobes },
	{ PK_KFUNC, no_fentry },
	{ PK_KRETFUNC, no_fentry },
	{ PK_HARDWARE, no_hw_pmu },
	{ PK_WATCHPOINT, no_breakpoints },
	{ PK_ASYNCWATCHPOINT, no_breakpoints },
	{ PK_ITER, NULL },
};

static int resolve(struct probe_request *rq)
{
	const char *name = rq->type->name, *why = NULL;
	char buf[256];

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (refusals[i].kind == rq->type->kind && refusals[i].check)
			why = refusals[i].check(buf, sizeof(buf));
	if (why)
		return probe_error(rq, "%s probes are not available on this kernel: %s",
				   name, why);
	return probe_error(rq, "%s probes are not supported by gotrace", name);
}

/* bpftrace 0.17 lists "hardware:PATTERN:" itself, not the events. */
static int list_hardware(char **parts, int nparts, pid_t pid, bool verbose)
{
	printf("hardware:%s:\n", nparts > 1 ? parts[1] : "");
	return 0;
}

static int list_iter(char **parts, int nparts, pid_t pid, bool verbose)
{
	static const char *const iters[] = { "task", "task_file" };

	for (size_t i = 0; i < sizeof(iters) / sizeof(iters[0]); i++)
		if (fnmatch(nparts > 1 ? parts[1] : "*", iters[i], 0) == 0)
			printf("iter:%s\n", iters[i]);
	return 0;
}

#define REFUSED(var, nm, al, k, g, ...)					\
	const struct probe_type var = {					\
		.name = nm, .alias = al, .kind = k, .group = g,		\
		.section = "", .resolve = resolve, __VA_ARGS__		\
	}

/* kprobes and kfuncs are not listed: gotrace cannot trace them. */
REFUSED(probe_kprobe, "kprobe", "k", PK_KPROBE, PG_KERNEL);
REFUSED(probe_kretprobe, "kretprobe", "kr", PK_KRETPROBE, PG_NONE);
REFUSED(probe_kfunc, "kfunc", "f", PK_KFUNC, PG_KERNEL);
REFUSED(probe_kretfunc, "kretfunc", "fr", PK_KRETFUNC, PG_NONE);
REFUSED(probe_hardware, "hardware", "h", PK_HARDWARE, PG_KERNEL, .list = list_hardware);
REFUSED(probe_watchpoint, "watchpoint", "w", PK_WATCHPOINT, PG_NONE);
REFUSED(probe_asyncwatchpoint, "asyncwatchpoint", "aw", PK_ASYNCWATCHPOINT, PG_NONE);
REFUSED(probe_iter, "iter", "it", PK_ITER, PG_KERNEL, .list = list_iter);
