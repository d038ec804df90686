/*
 * tracepoint:CATEGORY:NAME, with globs in either part: one BPF program per
 * matching tracepoint, since each has its own record layout (args.NAME
 * is typed from that tracepoint's fields). Attached with a perf-event
 * link; the tracepoint's id comes from tracefs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

struct found {
	struct probe_request *rq;
	int n;
};

static int add_one(const char *cat, const char *name, void *arg)
{
	struct found *fd = arg;
	struct attach_point ap = { .kind = PK_TRACEPOINT, .pid = -1 };
	char full[512];

	if (tracefs_fields(cat, name, &ap.fields, &ap.nfields))
		return -ENOENT;
	ap.tp_category = xstrdup(cat);
	ap.tp_name = xstrdup(name);
	snprintf(full, sizeof(full), "tracepoint:%s:%s", cat, name);
	ap.name = xstrdup(full);
	fd->rq->add(fd->rq, &ap);
	fd->n++;
	return 0;
}

static int resolve(struct probe_request *rq)
{
	struct found fd = { rq, 0 };
	int rc;

	if (rq->nparts != 3)
		return probe_error(rq, "expected tracepoint:CATEGORY:NAME");
	rc = tracefs_expand(rq->parts[1], rq->parts[2], add_one, &fd);
	if (rc == -EACCES)
		return probe_error(rq, "cannot read tracefs (mount it at /sys/kernel/tracing, "
				   "and run as root)");
	if (rc < 0 || fd.n == 0)
		return probe_error(rq, "tracepoint not found: %s:%s", rq->parts[1],
				   rq->parts[2]);	/* bpftrace 0.17's words */
	return 0;
}

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	/* the cookie says which probe this is: one program may serve
	 * several tracepoints (codegen/share.c) */
	LIBBPF_OPTS(bpf_tracepoint_opts, opts, .bpf_cookie = ap->cookie);
	struct bpf_link *link;
	int ret;

	if (!tracefs_dir(err, errlen))
		return -errno;
	if (tracefs_exists(ap->tp_category, ap->tp_name) < 0)
		return probe_fail(ap, ENOENT, err, errlen, "%s:%s",
				  ap->tp_category, ap->tp_name);
	link = bpf_program__attach_tracepoint_opts(prog, ap->tp_category, ap->tp_name,
						   &opts);
	if (!link)
		return probe_fail(ap, errno, err, errlen, "attach");
	ret = probe_links_add(l, link);
	return ret < 0 ? ret : 1;
}

struct tp_list {
	char **names;		/* "cat:name" */
	int n;
};

static int collect(const char *cat, const char *name, void *arg)
{
	struct tp_list *l = arg;
	size_t len = strlen(cat) + strlen(name) + 2;

	l->names = xrealloc(l->names, (l->n + 1) * sizeof(*l->names));
	l->names[l->n] = xrealloc(NULL, len);
	snprintf(l->names[l->n++], len, "%s:%s", cat, name);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, as bpftrace lists them; with -v, a tracepoint's fields follow
 * it, as bpftrace -lv shows them. "tracepoint:*foo*" looks for the name
 * in every category, as bpftrace does. */
static int list(char **parts, int nparts, pid_t pid, bool verbose)
{
	struct tp_list l = { 0 };
	const char *cat = nparts > 2 ? parts[1] : "*", *name = parts[nparts - 1];
	int rc;

	if (nparts == 1 || (nparts == 2 && !strchr(parts[1], '*'))) {
		fprintf(stderr, "gotrace: tracepoint probe type requires 2 arguments\n");
		return -EINVAL;
	}
	rc = tracefs_expand(cat, name, collect, &l);
	if (rc == -EACCES)
		fprintf(stderr, "gotrace: cannot read tracefs at /sys/kernel/tracing "
			"(run as root)\n");
	qsort(l.names, l.n, sizeof(*l.names), by_name);
	for (int i = 0; i < l.n; i++) {
		struct tp_field *f;
		char *colon = strchr(l.names[i], ':');
		int nf;

		printf("tracepoint:%s\n", l.names[i]);
		*colon = 0;
		if (verbose && tracefs_fields(l.names[i], colon + 1, &f, &nf) == 0) {
			for (int j = 0; j < nf; j++) {
				if (strncmp(f[j].name, "common_", 7) != 0)
					printf("    %s\n", f[j].decl);
				free(f[j].name);
				free(f[j].decl);
			}
			free(f);
		}
		free(l.names[i]);
	}
	free(l.names);
	return rc;
}

static void describe(const struct attach_point *ap, FILE *f)
{
	fprintf(f, "%s: perf-event link\n", ap->name);
}

const struct probe_type probe_tracepoint = {
	.name = "tracepoint", .alias = "t", .kind = PK_TRACEPOINT, .group = PG_KERNEL,
	.section = "tracepoint", .caps = PC_FIELDS | PC_GOSTATE | PC_TASK | PC_COOKIE,
	.kernel_mem = true,
	.resolve = resolve, .attach = attach, .list = list, .describe = describe,
};
