/*
 * Perf-event probes (interval, profile, software) share this: open one
 * event per CPU and attach the BPF program to it. The event fd belongs to
 * the bpf_link once attached: destroying the link closes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "probes/probes_int.h"

static int attach_cpu(struct bpf_program *prog, const struct attach_point *ap,
		      struct perf_event_attr *a, int cpu, struct probe_links *l,
		      char *err, size_t errlen)
{
	struct bpf_link *link;
	int fd = syscall(SYS_perf_event_open, a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return probe_fail(ap, errno, err, errlen, "perf event on CPU %d", cpu);
	link = bpf_program__attach_perf_event(prog, fd);
	if (!link) {
		int e = errno;

		close(fd);
		return probe_fail(ap, e, err, errlen, "attach on CPU %d", cpu);
	}
	return probe_links_add(l, link);
}

/* Online CPUs are in the sysfs cpulist format: "0-3,6,8-9". */
int perf_attach_cpus(struct bpf_program *prog, const struct attach_point *ap,
		     struct perf_event_attr *a, bool every_cpu,
		     struct probe_links *l, char *err, size_t errlen)
{
	char buf[1024];
	const char *p = buf;
	FILE *f;
	int ret = 0;

	a->size = sizeof(*a);
	if (!every_cpu)
		return attach_cpu(prog, ap, a, 0, l, err, errlen);
	f = fopen("/sys/devices/system/cpu/online", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		int e = errno ? errno : EIO;

		if (f)
			fclose(f);
		return probe_fail(ap, e, err, errlen, "reading online CPUs");
	}
	fclose(f);
	while (*p >= '0' && *p <= '9' && ret >= 0) {
		char *end;
		int lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (int cpu = lo; cpu <= hi && ret >= 0; cpu++)
			ret = attach_cpu(prog, ap, a, cpu, l, err, errlen);
		p = *end == ',' ? end + 1 : end;
	}
	return ret;
}
