/*
 * Probe types and attach-point resolution.
 *
 * Each probe type is one table entry: its names and a resolve hook that
 * turns "provider:a:b" into one or more BPF programs (struct plan_prog)
 * with everything the runtime needs to attach them. Uprobe functions are
 * found through the binary reader, so wildcards and stripped Go binaries
 * resolve the same way; tracepoints through tracefs.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "sema/sema_int.h"

#define MAX_PARTS 4

struct spec_ctx {
	const struct sema_opts *opts;
	struct plan *plan;
	struct node *probe;
	struct probe_spec *spec;
	char *parts[MAX_PARTS];	/* parts[0] is the provider */
	int nparts;
};

struct probe_type {
	const char *name, *alias;
	enum probe_kind kind;
	int (*resolve)(struct spec_ctx *c, enum probe_kind kind);
};

static int spec_error(struct spec_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int spec_error(struct spec_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(&c->spec->loc, "%s", msg);
	return -EINVAL;
}

/* Split "a:b:c" on ':' outside double quotes, dropping the quotes. */
static int split(const char *text, char **parts)
{
	int n = 0;
	char *buf = malloc(strlen(text) + 1), *o = buf;
	bool quoted = false;

	parts[n++] = buf;
	for (const char *p = text; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (*p == ':' && !quoted) {
			*o++ = 0;
			if (n == MAX_PARTS)
				return -1;
			parts[n++] = o;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return n;
}

/* "$1" in an attach point is the positional parameter, as in bpftrace:
 * interval:ms:$1. */
static char *substitute(const struct sema_opts *opts, const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	size_t cap = strlen(text) + 1;

	for (const char *p = text; *p;) {
		if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long n = strtol(p + 1, &end, 10);
			const char *v = n >= 1 && n <= opts->nparams ? opts->params[n - 1] : "";
			size_t used = o - out;
			cap += strlen(v);
			out = xrealloc(out, cap);
			o = out + used;
			o = stpcpy(o, v);
			p = end;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return out;
}

/* A new program for this probe, with its own copy of the body. */
static struct plan_prog *new_prog(struct spec_ctx *c, enum probe_kind kind)
{
	struct plan *p = c->plan;
	struct plan_prog *pp;

	p->progs = xrealloc(p->progs, (p->nprogs + 1) * sizeof(*p->progs));
	pp = &p->progs[p->nprogs];
	memset(pp, 0, sizeof(*pp));
	pp->kind = kind;
	snprintf(pp->name, sizeof(pp->name), "p%d", p->nprogs);
	pp->ap.prog_name = strdup(pp->name);
	pp->ap.pid = -1;
	pp->probe = node_copy(c->probe);
	p->nprogs++;
	return pp;
}

static int resolve_special(struct spec_ctx *c, enum probe_kind kind)
{
	struct plan_prog *pp;

	if (c->nparts != 1)
		return spec_error(c, "%s takes no arguments", c->parts[0]);
	pp = new_prog(c, kind);
	pp->ap.kind = kind == PK_BEGIN ? AT_BEGIN : AT_END;
	pp->ap.name = strdup(c->parts[0]);
	pp->probe_id = plan_add_probe_name(c->plan, pp->ap.name);
	return 0;
}

/* interval:UNIT:N and profile:UNIT:N */
static int resolve_timer(struct spec_ctx *c, enum probe_kind kind)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull },
		{ "hz", 0 },
	};
	struct plan_prog *pp;
	char *end, name[128];
	long long n;
	size_t i;

	if (c->nparts != 3)
		return spec_error(c, "expected %s:UNIT:N, as in %s:s:1", c->parts[0],
				  c->parts[0]);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].unit, c->parts[1]) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return spec_error(c, "invalid %s unit '%s': use s, ms, us or hz",
				  c->parts[0], c->parts[1]);
	errno = 0;
	n = strtoll(c->parts[2], &end, 10);
	if (*end || n <= 0)
		return spec_error(c, "invalid %s count '%s': expected a positive integer",
				  c->parts[0], c->parts[2]);
	/* interval:s:99999999999999999999 saturated to LLONG_MAX, and the
	 * period in ns wrapped around. */
	if (errno == ERANGE || (units[i].ns && (uint64_t)n > UINT64_MAX / units[i].ns))
		return spec_error(c, "%s count '%s' is too large", c->parts[0], c->parts[2]);
	pp = new_prog(c, kind);
	pp->ap.kind = kind == PK_INTERVAL ? AT_INTERVAL : AT_PROFILE;
	if (units[i].ns) {
		pp->ap.period_ns = units[i].ns * n;
		pp->ap.freq_hz = 0;
	} else {
		pp->ap.freq_hz = n;
		pp->ap.period_ns = 1000000000ull / n;
	}
	snprintf(name, sizeof(name), "%s:%s:%lld",
		 kind == PK_INTERVAL ? "interval" : "profile", c->parts[1], n);
	pp->ap.name = strdup(name);
	pp->probe_id = plan_add_probe_name(c->plan, pp->ap.name);
	return 0;
}

struct tp_acc {
	struct spec_ctx *c;
	int n;
};

static int add_tracepoint(const char *cat, const char *name, void *arg)
{
	struct tp_acc *acc = arg;
	struct plan_prog *pp = new_prog(acc->c, PK_TRACEPOINT);
	char full[512];

	pp->ap.kind = AT_TRACEPOINT;
	pp->ap.tp_category = strdup(cat);
	pp->ap.tp_name = strdup(name);
	snprintf(full, sizeof(full), "tracepoint:%s:%s", cat, name);
	pp->ap.name = strdup(full);
	pp->probe_id = plan_add_probe_name(acc->c->plan, pp->ap.name);
	if (tracepoint_fields(cat, name, &pp->fields, &pp->nfields))
		return -ENOENT;
	acc->n++;
	return 0;
}

static int resolve_tracepoint(struct spec_ctx *c, enum probe_kind kind)
{
	struct tp_acc acc = { c, 0 };
	int rc;

	if (c->nparts != 3)
		return spec_error(c, "expected tracepoint:CATEGORY:NAME");
	rc = tracepoint_expand(c->parts[1], c->parts[2], add_tracepoint, &acc);
	if (rc == -EACCES)
		return spec_error(c, "cannot read tracefs (mount it at /sys/kernel/tracing, "
				  "and run as root)");
	if (rc < 0 || acc.n == 0)
		return spec_error(c, "tracepoint %s:%s does not exist", c->parts[1],
				  c->parts[2]);
	return 0;
}

/* A binary named without a '/' is looked up in $PATH, as bpftrace does. */
static char *find_binary(const char *name)
{
	char *path, *dir, *save = NULL, buf[4096];

	if (strchr(name, '/'))
		return access(name, F_OK) == 0 ? realpath(name, NULL) : NULL;
	path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		if (access(buf, X_OK) == 0) {
			free(path);
			return realpath(buf, NULL);
		}
	}
	free(path);
	return NULL;
}

struct site_acc {
	struct plan *plan;
	bool ret_sites, verbose;
	int nfuncs;
	char err[256];
	const char *kind;
	struct bin *bin;
	struct attach_point *ap;
	uint64_t off;
};

static int add_site(const struct bin_func *f, void *arg)
{
	struct site_acc *acc = arg;
	struct attach_point *ap = acc->ap;
	uint64_t fileoff;
	char name[1024];

	uint64_t *rets = NULL;
	int nrets = 1, cookie;

	snprintf(name, sizeof(name), "%s:%s:%s", acc->kind, ap->path, f->name);
	cookie = plan_add_probe_name(acc->plan, name);
	if (acc->ret_sites) {
		/* A Go return probe is a uprobe on each RET of the function.
		 * A tail call leaves by a JMP instead: those returns are not
		 * seen, so say so. */
		struct bin_exits x;
		if (bin_func_exits(acc->bin, f->addr, f->size, &x, acc->err,
				   sizeof(acc->err)) < 0)
			return -1;
		rets = x.rets;
		nrets = (int)x.nrets;
		x.rets = NULL;
		if (x.ntail_jumps)
			fprintf(stderr, "gotrace: warning: %s leaves through %zu tail "
				"call%s as well as RET; returns that way are not seen\n",
				name, x.ntail_jumps, x.ntail_jumps == 1 ? "" : "s");
		bin_exits_free(&x);
	}
	/* FUNC+OFF must start an instruction: INT3 in the middle of one
	 * would corrupt the traced program. */
	if (!acc->ret_sites && acc->off && f->size && acc->off >= f->size) {
		snprintf(acc->err, sizeof(acc->err), "offset %llu is past the end of %s "
			 "(%llu bytes)", (unsigned long long)acc->off, f->name,
			 (unsigned long long)f->size);
		return -1;
	}
	if (!acc->ret_sites && acc->off &&
	    bin_insn_boundary(acc->bin, f->addr, f->size, f->addr + acc->off, acc->err,
			      sizeof(acc->err)) < 0)
		return -1;
	for (int i = 0; i < nrets; i++) {
		uint64_t addr = rets ? rets[i] : f->addr + acc->off;
		if (bin_vaddr_to_offset(acc->bin, addr, &fileoff) < 0)
			continue; /* not in a loaded segment: nothing to probe */
		ap->sites = xrealloc(ap->sites, (ap->nsites + 1) * sizeof(*ap->sites));
		ap->sites[ap->nsites].func = strdup(f->name);
		ap->sites[ap->nsites].offset = fileoff;
		ap->sites[ap->nsites].cookie = cookie;
		ap->nsites++;
	}
	if (acc->verbose && rets)
		fprintf(stderr, "%s: Go function, %d uprobe%s on its RET instruction%s "
			"(a kernel uretprobe would crash Go)\n", name, nrets,
			nrets == 1 ? "" : "s", nrets == 1 ? "" : "s");
	free(rets);
	acc->nfuncs++;
	return 0;
}

/* Split "func+0x10" into func and offset. Go names never contain '+'. */
static int func_offset(struct spec_ctx *c, char *func, uint64_t *off)
{
	char *plus = strrchr(func, '+'), *end;

	*off = 0;
	if (!plus)
		return 0;
	*off = strtoull(plus + 1, &end, 0);
	if (*end || end == plus + 1)
		return spec_error(c, "invalid offset '%s'", plus + 1);
	*plus = 0;
	return 0;
}

static int resolve_uprobe(struct spec_ctx *c, enum probe_kind kind)
{
	const char *file, *target = c->opts->target;
	char *path, *func, err[256], name[1024];
	struct site_acc acc = { 0 };
	struct plan_prog *pp;
	struct bin *b;
	uint64_t off;

	if (c->nparts == 2) {
		if (!target)
			return spec_error(c, "%s:%s has no binary: give one (%s:/path:%s) "
					  "or a target with -p or -c", c->parts[0], c->parts[1],
					  c->parts[0], c->parts[1]);
		file = target;
		func = c->parts[1];
	} else if (c->nparts == 3) {
		file = c->parts[1];
		func = c->parts[2];
	} else {
		return spec_error(c, "expected %s:BINARY:FUNCTION", c->parts[0]);
	}
	path = find_binary(file);
	if (!path)
		return spec_error(c, "binary '%s' not found", file);
	b = bin_open(path, err, sizeof(err));
	if (!b)
		return spec_error(c, "%s", err);
	if (func_offset(c, func, &off))
		return -EINVAL;
	pp = new_prog(c, kind);
	pp->ap.kind = kind == PK_UPROBE ? AT_UPROBE : AT_URETPROBE;
	pp->ap.path = path;
	pp->ap.pid = c->opts->pid > 0 ? c->opts->pid : -1;
	pp->go = bin_is_go(b);
	snprintf(name, sizeof(name), "%s:%s:%s", kind == PK_UPROBE ? "uprobe" : "uretprobe",
		 path, func);
	pp->ap.name = strdup(name);
	if (pp->go && kind == PK_URETPROBE) {
		if (off)
			return spec_error(c, "a return probe takes no offset");
		pp->ap.kind = AT_UPROBE;
		pp->go_ret_sites = true;
	}
	pp->go_entry = pp->go && kind == PK_UPROBE && off == 0;
	pp->bin = b;
	if (pp->go) {
		int minor = bin_go_minor(b);
		/* The register ABI came with go1.17 on amd64; a binary whose
		 * version cannot be read is most likely newer than that. */
		pp->go_regabi = minor < 0 || minor >= 17;
	}
	acc.ret_sites = pp->go_ret_sites;
	acc.verbose = c->opts->verbose;
	acc.plan = c->plan;
	acc.kind = kind == PK_UPROBE ? "uprobe" : "uretprobe";
	acc.bin = b;
	acc.ap = &pp->ap;
	acc.off = off;
	if (strpbrk(func, "*?")) {
		bin_func_match(b, func, add_site, &acc);
	} else {
		struct bin_func f;
		if (bin_func_find(b, func, &f) == 0)
			add_site(&f, &acc);
	}
	if (acc.err[0])
		return spec_error(c, "%s", acc.err);
	if (pp->ap.nsites > 0)
		pp->probe_id = (int)pp->ap.sites[0].cookie;
	if (pp->ap.nsites == 0)
		return spec_error(c, "%s: no function %s '%s'", path,
				  strpbrk(func, "*?") ? "matches" : "named", func);
	return 0;
}

int plan_add_probe_name(struct plan *p, const char *name)
{
	for (int i = 0; i < p->nprobe_names; i++)
		if (strcmp(p->probe_names[i], name) == 0)
			return i;
	p->probe_names = xrealloc(p->probe_names, (p->nprobe_names + 1) * sizeof(char *));
	p->probe_names[p->nprobe_names] = xstrdup(name);
	return p->nprobe_names++;
}

static const struct probe_type probe_types[] = {
	{ "BEGIN", NULL, PK_BEGIN, resolve_special },
	{ "END", NULL, PK_END, resolve_special },
	{ "uprobe", "u", PK_UPROBE, resolve_uprobe },
	{ "uretprobe", "ur", PK_URETPROBE, resolve_uprobe },
	{ "tracepoint", "t", PK_TRACEPOINT, resolve_tracepoint },
	{ "interval", "i", PK_INTERVAL, resolve_timer },
	{ "profile", "p", PK_PROFILE, resolve_timer },
};

int probes_resolve(const struct sema_opts *opts, struct node *probe, struct plan *plan)
{
	int rc = 0;

	for (struct probe_spec *s = probe->specs; s; s = s->next) {
		struct spec_ctx c = { .opts = opts, .plan = plan, .probe = probe, .spec = s };
		const struct probe_type *t = NULL;

		c.nparts = split(substitute(opts, s->text), c.parts);
		if (c.nparts < 0) {
			rc |= spec_error(&c, "too many ':' in '%s'", s->text);
			continue;
		}
		for (size_t i = 0; i < sizeof(probe_types) / sizeof(probe_types[0]); i++)
			if (strcmp(probe_types[i].name, c.parts[0]) == 0 ||
			    (probe_types[i].alias && strcmp(probe_types[i].alias, c.parts[0]) == 0))
				t = &probe_types[i];
		if (!t) {
			rc |= spec_error(&c, "unknown probe type '%s'", c.parts[0]);
			continue;
		}
		rc |= t->resolve(&c, t->kind);
	}
	return rc ? -EINVAL : 0;
}
