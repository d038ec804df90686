/*
 * usdt:BINARY:[PROVIDER:]NAME, and usdt:NAME with a -p/-c target (its
 * executable; bpftrace also looks in its libraries): the USDT probes (<sys/sdt.h>) of a program or library, from its
 * .note.stapsdt notes (binary/usdt.c). Wildcards may be in the provider
 * and the name; without a provider any provider matches.
 *
 * Each site is its own attach point, so its own BPF program: the sites of
 * one probe keep their arguments in different places, and codegen reads
 * argN from where this site's note says (codegen/usdt.c), with no lookup
 * at run time. A site with a semaphore is attached with the semaphore as
 * the uprobe's reference counter: the kernel raises it in every process
 * that maps the binary for as long as the probe is attached.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

struct usdt_spec {
	const char *file, *provider, *name;
};

static int parse(struct probe_request *rq, struct usdt_spec *u)
{
	switch (rq->nparts) {
	case 4:
		*u = (struct usdt_spec){ rq->parts[1], rq->parts[2], rq->parts[3] };
		return 0;
	case 3:
		*u = (struct usdt_spec){ rq->parts[1], "*", rq->parts[2] };
		return 0;
	case 2:
		if (rq->target) {
			*u = (struct usdt_spec){ rq->target, "*", rq->parts[1] };
			return 0;
		}
		return probe_error(rq, "usdt:%s has no binary: give one (usdt:/path:%s) "
				   "or a target with -p or -c", rq->parts[1], rq->parts[1]);
	default:
		return probe_error(rq, "usdt probe type requires 2 or 3 arguments "
				   "(usdt:BINARY:[PROVIDER:]NAME)");
	}
}

static int add_site(struct probe_request *rq, const char *path, struct bin *b,
		    const struct usdt_probe *p)
{
	struct attach_point ap = { .kind = PK_USDT, .bin = b };
	char name[4200];
	uint64_t off;

	if (bin_vaddr_to_offset(b, p->pc, &off))
		return probe_error(rq, "%s: USDT probe %s:%s at 0x%llx is outside the file",
				   path, p->provider, p->name, (unsigned long long)p->pc);
	if (p->semaphore && bin_vaddr_to_offset(b, p->semaphore, &ap.usdt_semaphore))
		return probe_error(rq, "%s: USDT probe %s:%s has its semaphore outside the file",
				   path, p->provider, p->name);
	snprintf(name, sizeof(name), "usdt:%s:%s:%s", path, p->provider, p->name);
	ap.name = xstrdup(name);
	ap.path = xstrdup(path);
	ap.pid = rq->pid > 0 ? rq->pid : -1;
	ap.sites = xcalloc(1, sizeof(*ap.sites));
	ap.nsites = ap.nfuncs = 1;
	snprintf(name, sizeof(name), "%s:%s", p->provider, p->name);
	ap.sites[0] = (struct uprobe_site){ .func = xstrdup(name), .probe = xstrdup(ap.name),
					    .addr = p->pc, .offset = off, .kind = SITE_ENTRY,
					    .sp_delta = -1 };
	ap.usdt_args = xcalloc(p->nargs ? p->nargs : 1, sizeof(*ap.usdt_args));
	memcpy(ap.usdt_args, p->args, p->nargs * sizeof(*ap.usdt_args));
	ap.usdt_nargs = p->nargs;
	ap.usdt_bad_arg = p->bad_arg;
	rq->add(rq, &ap);
	return 0;
}

static int resolve(struct probe_request *rq)
{
	struct usdt_spec u = { 0 };
	struct usdt_probe *ps;
	struct bin *b;
	char err[512], *path;
	int n, found = 0, rc = 0;

	if (parse(rq, &u))
		return -EINVAL;
	if (!(path = probe_find_binary(u.file, rq->pid)))
		return probe_error(rq, "binary '%s' not found", u.file);
	if (!(b = bin_open(path, err, sizeof(err)))) {
		free(path);
		return probe_error(rq, "%s", err);
	}
	n = bin_usdt_probes(b, &ps);
	for (int i = 0; i < n && !rc; i++) {
		if (fnmatch(u.provider, ps[i].provider, 0) || fnmatch(u.name, ps[i].name, 0))
			continue;
		found++;
		rc = add_site(rq, path, b, &ps[i]);
	}
	if (!rc && !found)
		rc = probe_error(rq, "%s: no USDT probe matches '%s:%s'%s", path, u.provider,
				 u.name, n ? "" : " (it has no .note.stapsdt)");
	bin_usdt_free(ps, n);
	free(path);
	return rc;
}

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	unsigned long off = ap->sites[0].offset, ref = ap->usdt_semaphore;
	__u64 cookie = ap->sites[0].cookie;
	struct bpf_link *link;
	int ret;

	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = &off, .cookies = &cookie,
		    .ref_ctr_offsets = ref ? &ref : NULL, .cnt = 1);
	link = bpf_program__attach_uprobe_multi(prog, ap->pid > 0 ? ap->pid : -1,
						ap->path, NULL, &o);
	if (!link)
		return probe_fail(ap, errno, err, errlen, "%s+0x%lx", ap->path, off);
	ret = probe_links_add(l, link);
	return ret < 0 ? ret : 1;
}

/* "usdt:PATH:PROVIDER:NAME", sorted, once per probe (not per site). */
static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(char **parts, int nparts, pid_t pid, bool verbose)
{
	char *more[4], err[512], *path, **names = NULL;
	const char *prov = "*", *name = "*";
	struct usdt_probe *ps;
	struct bin *b;
	int n, nn = 0;

	/* the driver splits at most 3 parts: the rest is PROVIDER:NAME */
	if (nparts == 3 && probe_split(parts[2], more, 2, true) == 2)
		prov = more[0], name = more[1];
	else if (nparts == 3)
		name = parts[2];
	if (nparts < 2 || !*parts[1]) {
		fprintf(stderr, "gotrace: -l needs usdt:BINARY[:PATTERN]\n");
		return -EINVAL;
	}
	if (!(path = probe_find_binary(parts[1], pid))) {
		fprintf(stderr, "gotrace: binary '%s' not found\n", parts[1]);
		return -ENOENT;
	}
	if (!(b = bin_open(path, err, sizeof(err)))) {
		fprintf(stderr, "gotrace: %s\n", err);
		free(path);
		return -EINVAL;
	}
	n = bin_usdt_probes(b, &ps);
	for (int i = 0; i < n; i++) {
		char buf[4200];

		if (fnmatch(prov, ps[i].provider, 0) || fnmatch(name, ps[i].name, 0))
			continue;
		snprintf(buf, sizeof(buf), "usdt:%s:%s:%s", path, ps[i].provider, ps[i].name);
		names = xrealloc(names, (nn + 1) * sizeof(*names));
		names[nn++] = xstrdup(buf);
	}
	if (nn)
		qsort(names, nn, sizeof(*names), by_name);
	/* A probe with several sites comes once; names[i - 1] is compared,
	 * so it is freed only after the loop. */
	for (int i = 0; i < nn; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]))
			printf("%s\n", names[i]);
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	bin_usdt_free(ps, n);
	free(path);
	return 0;
}

static void describe(const struct attach_point *ap, FILE *f)
{
	fprintf(f, "%s: uprobe at %s+0x%llx (0x%llx), %d argument%s%s\n", ap->name, ap->path,
		(unsigned long long)ap->sites[0].offset, (unsigned long long)ap->sites[0].addr,
		ap->usdt_nargs, ap->usdt_nargs == 1 ? "" : "s",
		ap->usdt_semaphore ? ", semaphore counted by the kernel" : "");
}

const struct probe_type probe_usdt = {
	.name = "usdt", .alias = "U", .kind = PK_USDT, .group = PG_USER,
	.section = "uprobe.multi", .caps = PC_ARGS | PC_UREGS | PC_TASK, .user_mem = true,
	.attach_reverse = true,	/* uprobes: see probes.h */
	.resolve = resolve, .attach = attach, .list = list, .describe = describe,
};
