/*
 * software:EVENT[:COUNT]: a kernel software perf event (page faults,
 * context switches, ...) on every online CPU, for every process, firing
 * the program once every COUNT events, as bpftrace does. The names,
 * aliases and default counts are bpftrace 0.17's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

static const struct sw_event {
	const char *name, *alias;
	unsigned config;
	uint64_t count;		/* when none is written */
} events[] = {
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1 },
	{ "bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1 },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000 },
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000 },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1 },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY, 1 },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1 },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1 },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100 },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100 },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1 },
};

static const struct sw_event *find(const char *name)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(events[i].name, name) == 0 ||
		    (events[i].alias && strcmp(events[i].alias, name) == 0))
			return &events[i];
	return NULL;
}

static int resolve(struct probe_request *rq)
{
	struct attach_point ap = { .kind = PK_SOFTWARE, .pid = -1 };
	const struct sw_event *e;
	char name[256];

	if (rq->nparts != 2 && rq->nparts != 3)
		return probe_error(rq, "software probe type requires 1 or 2 arguments");
	if (!*rq->parts[1])
		return probe_error(rq, "software probe must have a software event name");
	if (strchr(rq->parts[1], '*'))
		return probe_error(rq, "wildcards are not allowed for software probe type");
	if (!(e = find(rq->parts[1])))
		return probe_error(rq, "%s is not a software probe", rq->parts[1]);
	ap.perf_config = e->config;
	ap.perf_count = e->count;
	/* As in bpftrace, "*" and 0 mean the event's default count. */
	if (rq->nparts == 3 && strcmp(rq->parts[2], "*") != 0) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(rq->parts[2], &end, 0);
		if (!*rq->parts[2] || *end || rq->parts[2][0] == '-' || errno == ERANGE)
			return probe_error(rq, "invalid software count '%s': expected a "
					   "positive integer", rq->parts[2]);
		if (n)
			ap.perf_count = n;
	}
	if (rq->nparts == 3)
		snprintf(name, sizeof(name), "software:%s:%s", rq->parts[1], rq->parts[2]);
	else
		snprintf(name, sizeof(name), "software:%s", rq->parts[1]);
	ap.name = xstrdup(name);
	rq->add(rq, &ap);
	return 0;
}

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.config = ap->perf_config,
		.sample_period = ap->perf_count,
	};
	int ret = perf_attach_cpus(prog, ap, &a, true, l, err, errlen);

	return ret < 0 ? ret : 1;
}

/* bpftrace 0.17 lists the pattern itself, "software:PATTERN:", not the
 * events it matches: we print what it prints. */
static int list(char **parts, int nparts, pid_t pid, bool verbose)
{
	printf("software:%s:\n", nparts > 1 ? parts[1] : "");
	return 0;
}

static void describe(const struct attach_point *ap, FILE *f)
{
	fprintf(f, "%s: software perf event, every %llu events, on every CPU\n",
		ap->name, (unsigned long long)ap->perf_count);
}

const struct probe_type probe_software = {
	.name = "software", .alias = "s", .kind = PK_SOFTWARE, .group = PG_KERNEL,
	.section = "perf_event", .caps = PC_GOSTATE, .resolve = resolve,
	.attach_reverse = true,	/* as bpftrace 0.17 attaches software probes */
	.attach = attach, .list = list, .describe = describe,
};
