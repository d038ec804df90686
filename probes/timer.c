/*
 * interval:UNIT:N and profile:UNIT:N: software cpu-clock perf events with a
 * BPF program attached, as bpftrace does. interval fires on CPU 0 only, so
 * one event per period system-wide; profile opens one event per online CPU.
 *
 * Either kind takes a period (period_ns: s, ms, us units) or a frequency
 * (freq_hz: the hz unit); period_ns wins when both are set. perf.c opens
 * and attaches the events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
	};
	int ret;

	if (!ap->period_ns && !ap->freq_hz)
		return probe_fail(ap, EINVAL, err, errlen, "no period or frequency");
	if (ap->period_ns) {
		a.sample_period = ap->period_ns;
	} else {
		a.freq = 1;
		a.sample_freq = ap->freq_hz;
	}
	ret = perf_attach_cpus(prog, ap, &a, ap->kind == PK_PROFILE, l, err, errlen);
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
