/*
 * interval and profile probes: software cpu-clock perf events with a BPF
 * program attached, as bpftrace does. interval fires on CPU 0 only, so one
 * event per period system-wide; profile opens one event per online CPU.
 *
 * Either kind takes a period (period_ns: s, ms, us units) or a frequency
 * (freq_hz: the hz unit); period_ns wins when both are set. The perf event
 * fd belongs to the bpf_link once attached: destroying the link closes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "runtime/attach.h"
#include "runtime/attach_int.h"

static int open_clock(const struct attach_point *pt, int cpu)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_CPU_CLOCK,
	};

	if (pt->period_ns) {
		a.sample_period = pt->period_ns;
	} else {
		a.freq = 1;
		a.sample_freq = pt->freq_hz;
	}
	int fd = syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int attach_cpu(struct attach_state *st, struct bpf_program *prog,
		      const struct attach_point *pt, int cpu, char *err,
		      size_t errlen)
{
	struct bpf_link *link;
	int fd = open_clock(pt, cpu);

	if (fd < 0)
		return attach_fail(pt, fd, err, errlen, "perf event on CPU %d", cpu);
	link = bpf_program__attach_perf_event(prog, fd);
	if (!link) {
		int e = errno;

		close(fd);
		return attach_fail(pt, e, err, errlen, "attach on CPU %d", cpu);
	}
	return attach_state_add(st, link);
}

/* Online CPUs as "0-3,6,8-9" (sysfs cpulist format) into ranges. */
static int for_each_online(struct attach_state *st, struct bpf_program *prog,
			   const struct attach_point *pt, char *err, size_t errlen)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	const char *p = buf;
	int ret = 0;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return attach_fail(pt, errno ? errno : EIO, err, errlen,
				   "reading online CPUs");
	}
	fclose(f);
	while (*p >= '0' && *p <= '9' && ret >= 0) {
		char *end;
		int lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (int cpu = lo; cpu <= hi && ret >= 0; cpu++)
			ret = attach_cpu(st, prog, pt, cpu, err, errlen);
		p = *end == ',' ? end + 1 : end;
	}
	return ret;
}

int attach_perf(struct attach_state *st, struct bpf_program *prog,
		const struct attach_point *pt, char *err, size_t errlen)
{
	if (!pt->period_ns && !pt->freq_hz)
		return attach_fail(pt, EINVAL, err, errlen, "no period or frequency");
	if (pt->kind == AT_INTERVAL)
		return attach_cpu(st, prog, pt, 0, err, errlen);
	return for_each_online(st, prog, pt, err, errlen);
}
