/*
 * BEGIN and END: programs the runtime runs itself, once, with
 * BPF_PROG_TEST_RUN (BEGIN after every probe is attached, END after they
 * are detached), so they attach to nothing. raw_tp is the program type
 * that BPF_PROG_TEST_RUN runs with a plain argument array as context.
 * Newer bpftrace (0.24 on) spells them begin and end.
 */
#include "common/alloc.h"
#include "probes/probes_int.h"

static int resolve(struct probe_request *rq)
{
	struct attach_point ap = { .kind = rq->type->kind, .pid = -1 };

	if (rq->nparts != 1)
		return probe_error(rq, "%s takes no arguments", rq->parts[0]);
	ap.name = xstrdup(rq->parts[0]);
	rq->add(rq, &ap);
	return 0;
}

static void describe(const struct attach_point *ap, FILE *f)
{
	fprintf(f, "%s: run once with BPF_PROG_TEST_RUN\n", ap->name);
}

const struct probe_type probe_begin = {
	.name = "BEGIN", .alias = "begin", .kind = PK_BEGIN, .section = "raw_tp",
	.resolve = resolve, .describe = describe,
};

const struct probe_type probe_end = {
	.name = "END", .alias = "end", .kind = PK_END, .section = "raw_tp",
	.resolve = resolve, .describe = describe,
};
