/*
 * usdt:BINARY:[PROVIDER:]NAME, and usdt:NAME with a -p/-c target (its
 * executable, and with -p the libraries it has mapped): the USDT probes (<sys/sdt.h>) of a program or library, from its
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
#include <glob.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

struct usdt_spec {
	const char *file, *provider, *name;
};

/* An empty BINARY is the -p process (its executable and libraries) or
 * the -c command; an empty PROVIDER is any, as in bpftrace. */
static int parse(struct probe_request *rq, struct usdt_spec *u)
{
	switch (rq->nparts) {
	case 4:
		*u = (struct usdt_spec){ rq->parts[1], rq->parts[2], rq->parts[3] };
		break;
	case 3:
		*u = (struct usdt_spec){ rq->parts[1], "*", rq->parts[2] };
		break;
	case 2:
		*u = (struct usdt_spec){ "", "*", rq->parts[1] };
		break;
	default:
		return probe_error(rq, "usdt probe type requires 2 or 3 arguments "
				   "(usdt:BINARY:[PROVIDER:]NAME)");
	}
	if (!*u->provider)
		u->provider = "*";
	if (!*u->file && rq->target && (rq->pid <= 0 || rq->child))
		u->file = rq->target;	/* -c: its libraries are not mapped yet */
	if (!*u->file && !rq->target)
		return probe_error(rq, "usdt:%s has no binary: give one (usdt:/path:%s) "
				   "or a target with -p or -c", u->name, u->name);
	return 0;
}

/* path is the file to attach to; name, the path in the probe's name (as
 * written, as bpftrace names it) */
static int add_site(struct probe_request *rq, const char *path, const char *shown,
		    struct bin *b, const struct usdt_probe *p)
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
	snprintf(name, sizeof(name), "usdt:%s:%s:%s", shown, p->provider, p->name);
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

/* The sites of path that u matches, added; the count, or -EINVAL. */
static int add_matches(struct probe_request *rq, const struct usdt_spec *u,
		       const char *path, const char *shown, bool *has_notes)
{
	struct usdt_probe *ps;
	struct bin *b;
	char err[512];
	int n, found = 0, rc = 0;

	if (!(b = bin_open(path, err, sizeof(err))))
		return probe_error(rq, "%s", err);
	n = bin_usdt_probes(b, &ps);
	*has_notes |= n > 0;
	for (int i = 0; i < n && !rc; i++) {
		if (fnmatch(u->provider, ps[i].provider, 0) || fnmatch(u->name, ps[i].name, 0))
			continue;
		found++;
		rc = add_site(rq, path, shown, b, &ps[i]);
	}
	bin_usdt_free(ps, n);
	return rc < 0 ? rc : found;
}

/* usdt:NAME with -p: the process's executable, then the shared objects
 * it has mapped (as bpftrace looks in them), each once. */
static int add_process(struct probe_request *rq, const struct usdt_spec *u, bool *has_notes)
{
	char path[64], line[4096 + 128], **seen = NULL;
	int nseen = 0, found = 0, rc = 0;
	FILE *f;

	rc = add_matches(rq, u, rq->target, rq->target, has_notes);
	if (rc < 0)
		return rc;
	found = rc;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)rq->pid);
	if (!(f = fopen(path, "re")))
		return found;
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *nl;
		bool dup = false;

		if (!file)
			continue;
		if ((nl = strchr(file, '\n')))
			*nl = 0;
		if (!strstr(file, ".so") || access(file, R_OK))
			continue;
		for (int i = 0; i < nseen && !dup; i++)
			dup = !strcmp(seen[i], file);
		if (dup)
			continue;
		seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
		seen[nseen++] = xstrdup(file);
		if ((rc = add_matches(rq, u, file, file, has_notes)) < 0)
			break;
		found += rc;
	}
	fclose(f);
	for (int i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return rc < 0 ? rc : found;
}

/* A BINARY with '*' is every file it matches (bpftrace expands such
 * paths too); each as written in the probe names. */
static int add_files(struct probe_request *rq, const struct usdt_spec *u, bool *has_notes)
{
	glob_t g;
	int found = 0, rc = 0;

	if (glob(u->file, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && rc >= 0; i++) {
		struct stat st;

		if (stat(g.gl_pathv[i], &st) || !S_ISREG(st.st_mode) || access(g.gl_pathv[i], X_OK))
			continue;
		if ((rc = add_matches(rq, u, g.gl_pathv[i], g.gl_pathv[i], has_notes)) > 0)
			found += rc;
	}
	globfree(&g);
	return rc < 0 ? rc : found;
}

static int resolve(struct probe_request *rq)
{
	struct usdt_spec u = { 0 };
	bool has_notes = false;
	char *path = NULL;
	const char *where;
	int found;

	if (parse(rq, &u))
		return -EINVAL;
	if (!*u.file) {
		found = add_process(rq, &u, &has_notes);
		where = rq->target;
	} else if (strchr(u.file, '*')) {
		found = add_files(rq, &u, &has_notes);
		where = u.file;
	} else {
		if (!(path = probe_find_binary(u.file, rq->child ? 0 : rq->pid)))
			return probe_error(rq, "binary '%s' not found", u.file);
		found = add_matches(rq, &u, path, strchr(u.file, '/') ? u.file : path,
				    &has_notes);
		where = path;
	}
	if (found == 0)
		probe_error(rq, "%s: no USDT probe matches '%s:%s'%s", where, u.provider,
			    u.name, has_notes ? "" : " (no .note.stapsdt)");
	free(path);
	return found > 0 ? 0 : -EINVAL;
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

struct listing {
	const char *provider, *name;
	char **lines;
	int n;
};

static void list_file(struct listing *l, const char *path, const char *shown)
{
	char err[512];
	struct usdt_probe *ps;
	struct bin *b = bin_open(path, err, sizeof(err));
	int n;

	if (!b)
		return;
	n = bin_usdt_probes(b, &ps);
	for (int i = 0; i < n; i++) {
		char buf[4200];

		if (fnmatch(l->provider, ps[i].provider, 0) || fnmatch(l->name, ps[i].name, 0))
			continue;
		snprintf(buf, sizeof(buf), "usdt:%s:%s:%s", shown, ps[i].provider, ps[i].name);
		l->lines = xrealloc(l->lines, (l->n + 1) * sizeof(*l->lines));
		l->lines[l->n++] = xstrdup(buf);
	}
	bin_usdt_free(ps, n);
}

/* The -p process's executable and the shared objects it has mapped. */
static int list_process(struct listing *l, pid_t pid)
{
	char exe[4096], err[512], path[64], line[4096 + 128];
	FILE *f;

	if (proc_exe_path(pid, exe, sizeof(exe), err, sizeof(err)) < 0) {
		fprintf(stderr, "gotrace: %s\n", err);
		return -ESRCH;
	}
	list_file(l, exe, exe);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *nl;

		if (!file)
			continue;
		if ((nl = strchr(file, '\n')))
			*nl = 0;
		if (strstr(file, ".so") && strcmp(file, exe) && !access(file, R_OK))
			list_file(l, file, file);	/* repeats are dropped below */
	}
	fclose(f);
	return 0;
}

/* usdt:BINARY[:[PROVIDER:]NAME]; with -p, usdt:NAME and a BINARY of "*"
 * or "" are the process's files; a BINARY with '*' is every file it
 * matches. Sorted, once per probe (not per site). */
static int list(char **parts, int nparts, pid_t pid, bool verbose)
{
	struct listing l = { "*", "*", NULL, 0 };
	char *more[4], *file = nparts > 1 ? parts[1] : "", *path;
	int rc = 0;

	/* the driver splits at most 3 parts: the rest is PROVIDER:NAME */
	if (nparts == 3 && probe_split(parts[2], more, 2, true) == 2)
		l.provider = *more[0] ? more[0] : "*", l.name = more[1];
	else if (nparts == 3)
		l.name = parts[2];
	if (pid > 0 && (nparts == 2 || !*file || !strcmp(file, "*"))) {
		if (nparts == 2)
			l.name = file;
		rc = list_process(&l, pid);
	} else if (!*file) {
		fprintf(stderr, "gotrace: -l needs usdt:BINARY[:PATTERN]\n");
		return -EINVAL;
	} else if (strchr(file, '*')) {
		glob_t g;

		if (glob(file, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				list_file(&l, g.gl_pathv[i], g.gl_pathv[i]);
			globfree(&g);
		}
	} else if ((path = probe_find_binary(file, pid))) {
		list_file(&l, path, strchr(file, '/') ? file : path);
		free(path);
	} else {
		fprintf(stderr, "gotrace: binary '%s' not found\n", file);
		return -ENOENT;
	}
	if (l.n)
		qsort(l.lines, l.n, sizeof(*l.lines), by_name);
	/* Repeats (a probe with several sites, a library mapped twice) come
	 * once; lines[i - 1] is compared, so it is freed after the loop. */
	for (int i = 0; i < l.n; i++)
		if (i == 0 || strcmp(l.lines[i], l.lines[i - 1]))
			printf("%s\n", l.lines[i]);
	for (int i = 0; i < l.n; i++)
		free(l.lines[i]);
	free(l.lines);
	return rc;
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
