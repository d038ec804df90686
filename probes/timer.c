/*
 * interval:UNIT:N and profile:UNIT:N: software cpu-clock perf events with a
 * BPF program attached, as bpftrace does. interval fires on CPU 0 only, so
 * one event per period system-wide; profile opens one event per online CPU.
 *
 * Either kind takes a period (period_ns: s, ms, us units) or a frequency
 * (freq_hz: the hz unit); period_ns wins when both are set. The perf event
 * fd belongs to the bpf_link once attached: destroying the link closes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

static int resolve(struct probe_request *rq)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull },
		{ "hz", 0 },
	};
	const char *kind = rq->parts[0];
	struct attach_point ap = { .kind = rq->type->kind, .pid = -1 };
	char *end, name[128];
	long long n;
	size_t i;

	if (rq->nparts != 3)
		return probe_error(rq, "expected %s:UNIT:N, as in %s:s:1", kind, kind);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].unit, rq->parts[1]) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return probe_error(rq, "invalid %s unit '%s': use s, ms, us or hz", kind,
				   rq->parts[1]);
	errno = 0;
	n = strtoll(rq->parts[2], &end, 10);
	if (*end || n <= 0)
		return probe_error(rq, "invalid %s count '%s': expected a positive integer",
				   kind, rq->parts[2]);
	/* interval:s:99999999999999999999 saturated to LLONG_MAX, and the
	 * period in ns wrapped around. */
	if (errno == ERANGE || (units[i].ns && (uint64_t)n > UINT64_MAX / units[i].ns))
		return probe_error(rq, "%s count '%s' is too large", kind, rq->parts[2]);
	if (units[i].ns) {
		ap.period_ns = units[i].ns * n;
	} else {
		ap.freq_hz = n;
		ap.period_ns = 1000000000ull / n;
	}
	snprintf(name, sizeof(name), "%s:%s:%lld", rq->type->name, rq->parts[1], n);
	ap.name = xstrdup(name);
	rq->add(rq, &ap);
	return 0;
}

static int open_clock(const struct attach_point *ap, int cpu)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_CPU_CLOCK,
	};

	if (ap->period_ns) {
		a.sample_period = ap->period_ns;
	} else {
		a.freq = 1;
		a.sample_freq = ap->freq_hz;
	}
	int fd = syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int attach_cpu(struct bpf_program *prog, const struct attach_point *ap,
		      int cpu, struct probe_links *l, char *err, size_t errlen)
{
	struct bpf_link *link;
	int fd = open_clock(ap, cpu);

	if (fd < 0)
		return probe_fail(ap, fd, err, errlen, "perf event on CPU %d", cpu);
	link = bpf_program__attach_perf_event(prog, fd);
	if (!link) {
		int e = errno;

		close(fd);
		return probe_fail(ap, e, err, errlen, "attach on CPU %d", cpu);
	}
	return probe_links_add(l, link);
}

/* Online CPUs as "0-3,6,8-9" (sysfs cpulist format) into ranges. */
static int for_each_online(struct bpf_program *prog, const struct attach_point *ap,
			   struct probe_links *l, char *err, size_t errlen)
{
	char buf[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	const char *p = buf;
	int ret = 0;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return probe_fail(ap, errno ? errno : EIO, err, errlen,
				  "reading online CPUs");
	}
	fclose(f);
	while (*p >= '0' && *p <= '9' && ret >= 0) {
		char *end;
		int lo = strtol(p, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		for (int cpu = lo; cpu <= hi && ret >= 0; cpu++)
			ret = attach_cpu(prog, ap, cpu, l, err, errlen);
		p = *end == ',' ? end + 1 : end;
	}
	return ret;
}

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	int ret;

	if (!ap->period_ns && !ap->freq_hz)
		return probe_fail(ap, EINVAL, err, errlen, "no period or frequency");
	if (ap->kind == PK_INTERVAL)
		ret = attach_cpu(prog, ap, 0, l, err, errlen);
	else
		ret = for_each_online(prog, ap, l, err, errlen);
	return ret < 0 ? ret : 1;
}

static void describe(const struct attach_point *ap, FILE *f)
{
	fprintf(f, "%s: cpu-clock perf event%s\n", ap->name,
		ap->kind == PK_PROFILE ? " on every CPU" : " on CPU 0");
}

const struct probe_type probe_interval = {
	.name = "interval", .alias = "i", .kind = PK_INTERVAL,
	.section = "perf_event", .resolve = resolve, .attach = attach,
	.describe = describe,
};

const struct probe_type probe_profile = {
	.name = "profile", .alias = "p", .kind = PK_PROFILE,
	.section = "perf_event", .caps = PC_GOSTATE | PC_TASK, .resolve = resolve, .attach = attach,
	.describe = describe,
};
