/*
 * uprobe:BINARY:FUNC[+OFF] and uretprobe:BINARY:FUNC, with globs in FUNC.
 * BINARY may be left out when -p or -c names the target.
 *
 * Functions are found through the binary reader, so wildcards and
 * stripped Go binaries resolve the same way. A uretprobe on a Go function
 * is a uprobe on each of its RET instructions: a kernel uretprobe
 * replaces the return address on the stack, and Go, which moves and
 * scans goroutine stacks, crashes on it.
 *
 * One uprobe program gets ONE uprobe_multi link covering all of its sites:
 * a perf-event uprobe link costs ~115 ms to destroy on this kernel, per
 * link (bpftrace 0.17 needs 15 s to exit after 143 functions), while a
 * uprobe_multi link costs ~30 ms whatever its number of sites.
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "common/diag.h"
#include "probes/probes_int.h"

/* Names of the functions a wildcard skipped, or that leave by tail
 * calls: counted, and the first few named, for one summary line. */
struct names {
	int n;
	size_t total;		/* tail calls, for tail_calls */
	char text[400];
};

struct site_acc {
	struct probe_request *rq;
	struct attach_point *ap;
	const char *kind;	/* "uprobe" or "uretprobe" */
	const char *path;	/* the binary in probe names: as written, as
				   bpftrace's `probe` shows it, unless found
				   in $PATH */
	uint64_t off;		/* FUNC+OFF */
	bool has_off;		/* an offset is written, even +0: literal */
	const char *probe;	/* the sites' probe name, if not kind:path:func
				   (an address) */
	bool glob;		/* a wildcard: functions that cannot be probed
				   are skipped, not an error */
	char err[256];		/* why the last function could not be probed */
	/* for one summary line each, in a wildcard: functions skipped,
	 * leaving by tail calls, with inlined copies a uretprobe misses,
	 * with inlined copies skipped (total: the copies) */
	struct names skipped, tail_calls, inlined_rets, inline_skips;
};

static void note_name(struct names *ns, const char *name, const char *why)
{
	size_t used = strlen(ns->text);

	if (ns->n++ < 4 && used + 2 < sizeof(ns->text))
		snprintf(ns->text + used, sizeof(ns->text) - used, "%s%s%s%s%s",
			 used ? ", " : "", name, why ? " (" : "", why ? why : "",
			 why ? ")" : "");
}

/* The return sites of f. A tail call leaves by a JMP instead, and those
 * returns are not seen: count them for the warning. */
static int ret_sites(struct site_acc *acc, const struct bin_func *f,
		     const char *name, uint64_t **rets)
{
	struct bin_exits x;
	int n;

	if (bin_func_exits(acc->ap->bin, f->addr, f->size, &x, acc->err,
			   sizeof(acc->err)) < 0)
		return -1;
	*rets = x.rets;
	n = (int)x.nrets;
	x.rets = NULL;
	if (x.ntail_jumps) {
		note_name(&acc->tail_calls, f->name, NULL);
		acc->tail_calls.total += x.ntail_jumps;
		if (acc->rq->verbose || !acc->glob)
			diag_warn("%s leaves through %zu tail "
				"call%s as well as RET; returns that way are not seen",
				name, x.ntail_jumps, x.ntail_jumps == 1 ? "" : "s");
	}
	bin_exits_free(&x);
	return n;
}

/* FUNC+OFF must start an instruction: INT3 in the middle of one would
 * corrupt the traced program. */
static int check_offset(struct site_acc *acc, const struct bin_func *f)
{
	if (f->size && acc->off >= f->size) {
		/* bpftrace 0.17's words */
		snprintf(acc->err, sizeof(acc->err), "Offset outside the function "
			 "bounds ('%s' size is %llu)", f->name,
			 (unsigned long long)f->size);
		return -1;
	}
	return bin_insn_boundary(acc->ap->bin, f->addr, f->size, f->addr + acc->off,
				 acc->err, sizeof(acc->err));
}

/* The name `func` prints for a site: the function the binary's tables say
 * holds it, as a symbolizer would name the address. */
static const char *func_name(struct bin *b, const struct bin_func *f, uint64_t addr)
{
	struct bin_frame fr[16];
	int n = bin_symbolize(b, addr, fr, 16);

	return n > 0 && n <= 16 && fr[n - 1].func ? fr[n - 1].func : f->name;
}

static void add_site(struct attach_point *ap, const char *func, const char *probe,
		     uint64_t addr, enum site_kind kind)
{
	uint64_t fileoff;

	if (bin_vaddr_to_offset(ap->bin, addr, &fileoff) < 0)
		return; /* not in a loaded segment: nothing to probe */
	ap->sites = xrealloc(ap->sites, (ap->nsites + 1) * sizeof(*ap->sites));
	ap->sites[ap->nsites++] = (struct uprobe_site){
		.func = xstrdup(func), .probe = xstrdup(probe),
		.addr = addr, .offset = fileoff, .kind = kind,
		.sp_delta = ap->go ? bin_go_sp_delta(ap->bin, addr) : -1,
	};
}

static void push_site(struct site_acc *acc, const struct bin_func *f, const char *probe,
		      uint64_t addr, enum site_kind kind)
{
	add_site(acc->ap, func_name(acc->ap->bin, f, addr), probe, addr, kind);
}

/* Why f cannot be probed at all, or NULL. A wildcard over a whole package
 * meets markers with no size (runtime.etext) and data in the text section
 * (crypto/internal/boring/sig's functions). */
static const char *unprobeable(struct site_acc *acc, const struct bin_func *f)
{
	if (!f->size && (acc->glob || acc->ap->go_ret_sites))
		return "no size";
	return NULL;
}

/* The sites of one function: its entry (+OFF), or its RETs. Returns 0,
 * or -1 with acc->err set when f cannot be probed. */
static int func_sites(struct site_acc *acc, const struct bin_func *f)
{
	struct attach_point *ap = acc->ap;
	const char *why = unprobeable(acc, f);
	uint64_t *rets = NULL;
	int nrets = 1, before = ap->nsites;
	char name[1024];

	if (why) {
		snprintf(acc->err, sizeof(acc->err), "%s: %s", f->name, why);
		return -1;
	}
	snprintf(name, sizeof(name), "%s:%s:%s", acc->kind, acc->path, f->name);
	if (acc->probe)
		snprintf(name, sizeof(name), "%s", acc->probe);
	if (ap->go_ret_sites && (nrets = ret_sites(acc, f, name, &rets)) < 0)
		return -1;
	if (!ap->go_ret_sites && acc->off && check_offset(acc, f) < 0)
		return -1;
	if (ap->go && ap->kind == PK_UPROBE && !acc->has_off) {
		uint64_t body;

		if (bin_go_body_site(ap->bin, f, ap->go_regabi, &body, acc->err,
				     sizeof(acc->err)) < 0)
			return -1;
		push_site(acc, f, name, body, SITE_ENTRY);
		ap->nfuncs++;
		return 0;
	}
	for (int i = 0; i < nrets; i++)
		push_site(acc, f, name, rets ? rets[i] : f->addr + acc->off,
			  rets ? SITE_RET : acc->has_off ? SITE_OFFSET : SITE_ENTRY);
	free(rets);
	if (ap->nsites > before)
		ap->nfuncs++;
	return 0;
}

/* bin_func_match()'s callback: a function of a wildcard, skipped (and
 * named in a summary) when it cannot be probed. */
/* C++: a wildcard also matches demangled names, as if it began and
 * ended with '*' ("ns::twice*" is _ZN2ns5twiceEi, ns::twice(int)), and an
 * exact name may be the demangled one ("ns::twice(int)"), as in bpftrace;
 * the probe keeps the symbol's (mangled) name. */
struct cpp_match {
	const char *name;	/* the glob or exact name as written */
	char *wrapped;		/* "*GLOB*": the glob against demangled names */
	int (*cb)(const struct bin_func *f, void *arg);
	void *arg;
	int n;
};

static int cpp_each(const struct bin_func *f, void *arg)
{
	struct cpp_match *m = arg;
	char *d;
	bool hit;

	/* not C++, or the plain wildcard has it already */
	if (!bin_is_mangled(f->name) || (m->wrapped && !fnmatch(m->name, f->name, 0)))
		return 0;
	if (!(d = bin_demangle(f->name)))
		return 0;
	hit = m->wrapped ? !fnmatch(m->wrapped, d, 0) : !strcmp(m->name, d);
	free(d);
	if (!hit)
		return 0;
	m->n++;
	return m->cb(f, m->arg);
}

/* cb for each C++ function that func (a glob or not) names demangled;
 * returns how many. */
static int cpp_functions(struct bin *b, const char *func, bool glob,
			 int (*cb)(const struct bin_func *f, void *arg), void *arg)
{
	struct cpp_match m = { func, NULL, cb, arg, 0 };
	size_t len = strlen(func) + 3;

	if (glob) {
		m.wrapped = xrealloc(NULL, len);
		snprintf(m.wrapped, len, "*%s*", func);
	}
	bin_func_match(b, "*", cpp_each, &m);
	free(m.wrapped);
	return m.n;
}

/* GCC's partial clones, "f.part.0", are pieces split out of a function
 * and called only by it: a wildcard leaves them out, as bpftrace's does
 * (an exact name still probes one). */
static bool part_clone(const char *name)
{
	return strstr(name, ".part.") != NULL;
}

static int add_func(const struct bin_func *f, void *arg)
{
	struct site_acc *acc = arg;

	if (part_clone(f->name))
		return 0;
	if (func_sites(acc, f) < 0) {
		const char *why = strstr(acc->err, "do not decode") ? "not code" :
				  strstr(acc->err, "no size") ? "no size" : acc->err;
		note_name(&acc->skipped, f->name, why);
		if (acc->rq->verbose)
			fprintf(stderr, "gotrace: %s:%s:%s: skipped: %s\n", acc->kind,
				acc->ap->path, f->name, acc->err);
		acc->err[0] = 0;
	}
	return 0;
}

static int by_func(const void *a, const void *b)
{
	const struct bin_inline_site *x = a, *y = b;
	int c = strcmp(x->func, y->func);

	return c ? c : x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool probes_func(const struct attach_point *ap, const char *func)
{
	for (int i = 0; i < ap->nsites; i++)
		if (!strcmp(ap->sites[i].func, func))
			return true;
	return false;
}

/* The copies of one inlined function, v[0..n): the ones that can be
 * probed exactly become sites of cp; the others are counted and said. */
static void add_copies(struct site_acc *acc, struct attach_point *cp,
		       const struct bin_inline_site *v, int n)
{
	const struct attach_point *ap = acc->ap;
	const char *why = NULL;
	char probe[1024];
	int probed = 0;

	snprintf(probe, sizeof(probe), "%s:%s:%s", acc->kind, acc->path, v[0].func);
	if (ap->kind == PK_URETPROBE) {
		note_name(&acc->inlined_rets, v[0].func, NULL);
		acc->inlined_rets.total += n;
		if (!acc->glob || acc->rq->verbose)
			diag_warn("%s: inlined at %d place%s, whose "
				"returns a uretprobe does not see", probe, n, n == 1 ? "" : "s");
		return;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].skipped) {
			why = why ? why : v[i].skipped;
			if (acc->rq->verbose)
				fprintf(stderr, "gotrace: %s: copy in %s skipped: %s\n", probe,
					v[i].caller, v[i].skipped);
			continue;
		}
		add_site(cp, v[i].func, probe, v[i].addr, SITE_INLINE);
		probed++;
	}
	if (probed && !probes_func(ap, v[0].func))
		cp->nfuncs++;	/* a function is one probe, copies or not */
	if (probed < n) {
		note_name(&acc->inline_skips, v[0].func, why);
		acc->inline_skips.total += n - probed;
	}
	if (probed < n && (!acc->glob || acc->rq->verbose))
		diag_warn("%s: inlined at %d place%s, %d probed "
			"(%d skipped: %s%s)", probe, n, n == 1 ? "" : "s", probed, n - probed,
			why, n - probed > 1 ? ", ...; -v lists them" : "");
	else if (probed == n && acc->rq->verbose)
		fprintf(stderr, "gotrace: %s: inlined at %d place%s, all probed\n", probe, n,
			n == 1 ? "" : "s");
}

/* The inlined copies of the functions the probe names, as a second attach
 * point cp (their arguments are not in registers, so the program is
 * checked apart). Returns its number of sites, or -1 with acc->err set. */
static int inline_copies(struct site_acc *acc, const char *func, bool glob,
			 struct attach_point *cp)
{
	struct attach_point *ap = acc->ap;
	struct bin_inline_site *v;
	char name[1100];
	int n = bin_go_inline_sites(ap->bin, func, glob, &v, acc->err, sizeof(acc->err));

	if (n <= 0)
		return n;
	snprintf(name, sizeof(name), "%s (inlined copies)", ap->name);
	*cp = (struct attach_point){
		.kind = ap->kind, .name = xstrdup(name), .path = xstrdup(ap->path),
		.bin = ap->bin, .pid = ap->pid, .go = true, .go_regabi = ap->go_regabi,
		.go_inline = true,
	};
	qsort(v, n, sizeof(*v), by_func);
	for (int i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(v[j].func, v[i].func); j++)
			;
		add_copies(acc, cp, v + i, j - i);
	}
	free(v);
	return cp->nsites;
}

/* One line each for what a wildcard skipped, its tail calls, and its
 * inlined copies a probe misses. */
static void summarize(struct site_acc *acc)
{
	const char *name = acc->ap->name;
	struct names *s = &acc->skipped, *t = &acc->tail_calls;
	struct names *r = &acc->inlined_rets, *k = &acc->inline_skips;

	if (s->n)
		diag_warn("%s: %d function%s skipped, which "
			"cannot be probed: %s%s", name, s->n, s->n == 1 ? "" : "s",
			s->text, s->n > 4 ? ", ... (-v lists them)" : "");
	if (t->n > 1 || (t->n && acc->glob && !acc->rq->verbose))
		diag_warn("%s: %d function%s also leave "
			"through %zu tail call%s, whose returns are not seen: %s%s",
			name, t->n, t->n == 1 ? "" : "s", t->total,
			t->total == 1 ? "" : "s", t->text,
			t->n > 4 ? ", ... (-v lists them)" : "");
	if (!acc->glob || acc->rq->verbose)
		return;	/* the functions' own lines said it */
	if (r->n)
		diag_warn("%s: %d function%s also inlined, at %zu "
			"place%s, whose returns a uretprobe does not see: %s%s", name, r->n,
			r->n == 1 ? " is" : "s are", r->total, r->total == 1 ? "" : "s",
			r->text, r->n > 4 ? ", ... (-v lists them)" : "");
	if (k->n)
		diag_warn("%s: %zu inlined cop%s of %d function%s "
			"skipped, which cannot be probed exactly: %s%s", name, k->total,
			k->total == 1 ? "y" : "ies", k->n, k->n == 1 ? "" : "s", k->text,
			k->n > 4 ? ", ... (-v lists them)" : "");
}

/* Split "func+0x10" into func and offset. Go names never contain '+'. */
static int func_offset(struct probe_request *rq, char *func, uint64_t *off, bool *has)
{
	char *plus = strrchr(func, '+'), *end;

	*off = 0;
	*has = plus != NULL;
	if (!plus)
		return 0;
	*off = strtoull(plus + 1, &end, 0);
	if (*end || end == plus + 1)
		return probe_error(rq, "invalid offset '%s'", plus + 1);
	*plus = 0;
	return 0;
}

/* BINARY and FUNC of "uprobe:BINARY:FUNC", or of "uprobe:FUNC" with a
 * -p/-c target. */
static int binary_and_func(struct probe_request *rq, const char **file, char **func)
{
	const char *kind = rq->parts[0];

	if (rq->nparts == 2) {
		if (!rq->target)
			return probe_error(rq, "%s:%s has no binary: give one (%s:/path:%s) "
					   "or a target with -p or -c", kind, rq->parts[1],
					   kind, rq->parts[1]);
		*file = rq->target;
		*func = rq->parts[1];
		return 0;
	}
	if (rq->nparts != 3)
		return probe_error(rq, "expected %s:BINARY:FUNCTION", kind);
	*file = rq->parts[1];
	*func = rq->parts[2];
	return 0;
}

/* Open the binary the probe names. */
static int open_target(struct probe_request *rq, const char *file,
		       struct attach_point *ap)
{
	char err[256];

	ap->path = probe_find_binary(file, rq->child ? 0 : rq->pid);
	if (!ap->path)
		return probe_error(rq, "binary '%s' not found", file);
	ap->bin = bin_open(ap->path, err, sizeof(err));
	if (!ap->bin)
		return probe_error(rq, "%s", err);
	ap->pid = rq->pid > 0 ? rq->pid : -1;
	ap->go = bin_is_go(ap->bin);
	/* -p filters by the process, so a file it does not map gives a probe
	 * that is exact and silent: say so (a parent shell's pid, say, or a
	 * binary replaced on disk since the process started). */
	if (rq->pid > 0 && !rq->child && proc_maps_file(rq->pid, ap->path) == 0)
		diag_warn_once("process %d does not map %s (yet): with -p, its probes "
			       "fire only in that process", (int)rq->pid, ap->path);
	return 0;
}

/* How a Go function is probed: at its RETs for a return probe, and with
 * the register ABI's state at its entry. */
static int go_flags(struct probe_request *rq, struct attach_point *ap, uint64_t off)
{
	int minor = bin_go_minor(ap->bin);

	if (!ap->go)
		return 0;
	if (ap->kind == PK_URETPROBE) {
		if (off)
			return probe_error(rq, "a return probe takes no offset");
		ap->go_ret_sites = true;
	}
	ap->go_entry = ap->kind == PK_UPROBE && off == 0;
	/* The register ABI came with go1.17 on amd64; a binary whose
	 * version cannot be read is most likely newer than that. */
	ap->go_regabi = minor < 0 || minor >= 17;
	return 0;
}

/* uprobe:BINARY:0x401136 (any number, as bpftrace's stoll reads it): a
 * virtual address, as nm shows it, inside a function (*f), probed where
 * it is: a uprobe at f+OFF (an instruction boundary, checked as for
 * FUNC+OFF), a uretprobe only at an entry. The probe is named with the
 * address in decimal, as bpftrace 0.17 names it. 1 if func is an
 * address, 0 if not, -EINVAL after an error. */
static int address(struct probe_request *rq, struct site_acc *acc, const char *func,
		   struct bin_func *f, char *name, size_t len)
{
	unsigned long long addr;
	char *end;

	if (acc->has_off || *func < '0' || *func > '9')
		return 0;
	addr = strtoull(func, &end, 0);
	if (*end)
		return 0;
	if (bin_func_containing(acc->ap->bin, addr, f))
		return probe_error(rq, "Could not resolve address: %s:0x%llx: no function "
				   "contains it", acc->path, addr);
	acc->off = addr - f->addr;
	if (rq->type->kind == PK_URETPROBE && acc->off)
		return probe_error(rq, "a return probe takes no offset: 0x%llx is %s+%llu",
				   addr, f->name, (unsigned long long)acc->off);
	acc->has_off = rq->type->kind == PK_UPROBE;	/* literal, as FUNC+0 is */
	snprintf(name, len, "%s:%s:%llu", rq->type->name, acc->path, addr);
	return 1;
}

static int resolve(struct probe_request *rq)
{
	struct attach_point ap = { .kind = rq->type->kind }, copies = { 0 };
	struct site_acc acc = { .rq = rq, .ap = &ap, .kind = rq->type->name };
	const char *file = NULL;
	char *func = NULL, name[1024];
	struct bin_func f;
	bool exact;
	int by_addr;

	if (binary_and_func(rq, &file, &func) || open_target(rq, file, &ap) ||
	    func_offset(rq, func, &acc.off, &acc.has_off))
		goto fail;
	acc.path = strchr(file, '/') ? file : ap.path;
	snprintf(name, sizeof(name), "%s:%s:%s", rq->type->name, acc.path, func);
	if ((by_addr = address(rq, &acc, func, &f, name, sizeof(name))) < 0 ||
	    go_flags(rq, &ap, acc.off))
		goto fail;
	if (by_addr) {
		func = (char *)f.name;
		acc.probe = name;
	}
	ap.name = xstrdup(name);
	/* A name that exists is that function alone, even if it holds a
	 * '*', as Go's pointer-receiver methods do: (*T).M. An address
	 * names the function that holds it. */
	exact = by_addr || bin_func_find(ap.bin, func, &f) == 0;
	if (exact) {
		if (func_sites(&acc, &f) < 0) {
			probe_error(rq, "%s", acc.err);
			goto fail;
		}
	} else if (strpbrk(func, "*?")) {
		acc.glob = true;
		bin_func_match(ap.bin, func, add_func, &acc);
		if (!ap.go)
			cpp_functions(ap.bin, func, true, add_func, &acc);
	} else if (!ap.go && cpp_functions(ap.bin, func, false, add_func, &acc) > 0) {
		exact = true;	/* "ns::twice(int)": its overloads' sites */
		if (acc.err[0]) {
			probe_error(rq, "%s", acc.err);
			goto fail;
		}
	}
	/* Calls the compiler inlined never reach the function's own code:
	 * probe the copies too, unless an offset says where exactly. */
	if (ap.go && !acc.has_off && inline_copies(&acc, func, !exact && acc.glob,
						   &copies) < 0) {
		probe_error(rq, "%s", acc.err);
		goto fail;
	}
	if (acc.glob)
		summarize(&acc);
	if (ap.nsites == 0 && copies.nsites == 0 && acc.has_off && !acc.glob &&
	    inline_copies(&acc, func, false, &copies) > 0) {
		probe_error(rq, "%s has no code of its own: the compiler inlined it at %d "
			    "place%s, which an offset cannot name; probe uprobe:%s", func,
			    copies.nsites, copies.nsites == 1 ? "" : "s", func);
		goto fail;
	}
	if (ap.nsites == 0 && copies.nsites == 0) {
		probe_error(rq, "%s: no function %s '%s'%s", ap.path,
			    acc.glob ? "matches" : "named", func,
			    acc.skipped.n || copies.name ? ", that can be probed" : "");
		goto fail;
	}
	if (ap.nsites)
		rq->add(rq, &ap);
	else
		probe_point_free(&ap);
	if (copies.nsites)
		rq->add(rq, &copies);
	else
		probe_point_free(&copies);
	return 0;
fail:
	probe_point_free(&ap);
	probe_point_free(&copies);
	return -EINVAL;
}

/* Can sites [lo, hi) be attached together? */
static bool sites_ok(struct bpf_program *prog, pid_t pid, bool ret,
		     const char *path, const unsigned long *offs, int lo, int hi)
{
	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = offs + lo,
		    .cnt = hi - lo, .retprobe = ret);
	struct bpf_link *l = bpf_program__attach_uprobe_multi(prog, pid, path,
							      NULL, &o);

	bpf_link__destroy(l);
	return l != NULL;
}

/* A kernel return probe: only on functions that are not Go. */
static bool kernel_ret(const struct attach_point *ap)
{
	return ap->kind == PK_URETPROBE && !ap->go_ret_sites;
}

/* The kernel refused a multi-site link but doesn't say which site: bisect
 * to name it. Each try costs an attach and a ~30 ms detach, so log2(n)
 * tries, and only for errors that depend on the site. */
static int find_bad_site(struct bpf_program *prog, const struct attach_point *ap,
			 pid_t pid, const unsigned long *offs, int err)
{
	int lo = 0, hi = ap->nsites;

	if (err != -EINVAL && err != -EFAULT && err != -ENOTSUPP_KERNEL)
		return -1;
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (sites_ok(prog, pid, kernel_ret(ap), ap->path, offs, lo, mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int attach_failed(struct bpf_program *prog, const struct attach_point *ap,
			 pid_t pid, unsigned long *offs, int ret, char *err,
			 size_t errlen)
{
	int bad;

	if (ret == -ESRCH)
		return probe_fail(ap, ret, err, errlen, "process %d", (int)pid);
	bad = ap->nsites > 1 ? find_bad_site(prog, ap, pid, offs, ret) : 0;
	if (bad < 0)
		return probe_fail(ap, ret, err, errlen, "%s (%d sites)", ap->path,
				  ap->nsites);
	return probe_fail(ap, ret, err, errlen, "%s at %s+0x%llx",
			  ap->sites[bad].func ? ap->sites[bad].func : "?", ap->path,
			  (unsigned long long)ap->sites[bad].offset);
}

static int attach(struct bpf_program *prog, const struct attach_point *ap,
		  struct probe_links *l, char *err, size_t errlen)
{
	pid_t pid = ap->pid > 0 ? ap->pid : -1;	/* libbpf: 0 would mean self */
	unsigned long *offs;
	__u64 *cookies;
	struct bpf_link *link;
	int ret;

	if (ap->nsites <= 0 || !ap->sites || !ap->path)
		return probe_fail(ap, EINVAL, err, errlen, "no probe sites");
	offs = calloc(ap->nsites, sizeof(*offs));
	cookies = calloc(ap->nsites, sizeof(*cookies));
	if (!offs || !cookies) {
		free(offs), free(cookies);
		return probe_fail(ap, ENOMEM, err, errlen, "%d sites", ap->nsites);
	}
	for (int i = 0; i < ap->nsites; i++) {
		offs[i] = ap->sites[i].offset;
		cookies[i] = ap->sites[i].cookie;
	}
	LIBBPF_OPTS(bpf_uprobe_multi_opts, o, .offsets = offs, .cookies = cookies,
		    .cnt = ap->nsites, .retprobe = kernel_ret(ap));
	link = bpf_program__attach_uprobe_multi(prog, pid, ap->path, NULL, &o);
	ret = link ? probe_links_add(l, link) : -errno;
	if (!link)
		ret = attach_failed(prog, ap, pid, offs, ret, err, errlen);
	free(cookies);
	free(offs);
	return ret < 0 ? ret : ap->nsites;
}

struct listing {
	char **names;
	size_t n, cap;
};

static int collect(const struct bin_func *f, void *arg)
{
	struct listing *l = arg;

	if (part_clone(f->name))
		return 0;
	l->names = xgrow(l->names, l->n, &l->cap, sizeof(*l->names));
	l->names[l->n++] = (char *)f->name;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The functions a wildcard matches, and the functions that exist only
 * inlined into others, which a probe can name too: sorted, once each.
 * A binary whose inline trees cannot be read lists its functions, and a
 * warning says that the inlined-only ones are missing. */
static void print_matches(struct bin *b, const char *glob, const char *prefix, bool verbose)
{
	struct listing l = { 0 };
	char **inl = NULL, err[512] = "";
	int n = bin_is_go(b) ? bin_go_inlined_names(b, glob, &inl, err, sizeof(err)) : 0;

	bin_func_match(b, glob, collect, &l);
	if (!bin_is_go(b))
		cpp_functions(b, glob, strpbrk(glob, "*?") != NULL, collect, &l);
	if (n > 0) {
		l.names = xrealloc(l.names, (l.n + n) * sizeof(*l.names));
		memcpy(l.names + l.n, inl, n * sizeof(*inl));
		l.n += n;
		l.cap = l.n;
	}
	qsort(l.names, l.n, sizeof(*l.names), by_name);
	for (size_t i = 0; i < l.n; i++)
		if (i == 0 || strcmp(l.names[i], l.names[i - 1])) {
			printf("%s:%s\n", prefix, l.names[i]);
			if (verbose)
				probe_print_params(b, l.names[i], stdout);
		}
	free(l.names);
	free(inl);
	if (n < 0)
		diag_warn("%s; functions that exist only inlined are not listed", err);
}

/* -l prints what a probe would attach to: the function of that exact
 * name if there is one, else what the wildcard matches. */
static int list_binary(const char *kind, const char *file, const char *glob,
		       pid_t pid, bool verbose)
{
	char err[512], prefix[4200], *path = probe_find_binary(file, pid);
	struct bin_func f;
	struct bin *b;

	if (!path) {
		fprintf(stderr, "gotrace: binary '%s' not found\n", file);
		return -ENOENT;
	}
	b = bin_open(path, err, sizeof(err));
	if (!b) {
		fprintf(stderr, "gotrace: %s\n", err);
		free(path);
		return -EINVAL;
	}
	/* the path as written, as probe names have it (and bpftrace -l) */
	snprintf(prefix, sizeof(prefix), "%s:%s", kind, strchr(file, '/') ? file : path);
	if (bin_func_find(b, glob, &f) == 0) {
		printf("%s:%s\n", prefix, f.name);
		if (verbose)
			probe_print_params(b, f.name, stdout);
	} else {
		print_matches(b, glob, prefix, verbose);
	}
	free(path);
	return 0;
}

static int list(char **parts, int nparts, pid_t pid, bool verbose)
{
	const char *kind = probe_type_find(parts[0])->name;
	char exe[4096], err[512];

	if (nparts == 3 && strchr(parts[1], '*')) {
		/* uprobe:./bin/app*:FUNC: every ELF file the path matches, in
		 * order, as bpftrace lists them */
		glob_t g;

		if (glob(parts[1], 0, NULL, &g) != 0)
			return 0;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct stat st;

			if (!stat(g.gl_pathv[i], &st) && S_ISREG(st.st_mode) &&
			    bin_open(g.gl_pathv[i], NULL, 0))
				list_binary(kind, g.gl_pathv[i], parts[2], pid, verbose);
		}
		globfree(&g);
		return 0;
	}
	if (nparts == 3)
		return list_binary(kind, parts[1], parts[2], pid, verbose);
	if (nparts == 2 && pid > 0) {
		if (proc_exe_path(pid, exe, sizeof(exe), err, sizeof(err)) < 0) {
			fprintf(stderr, "gotrace: %s\n", err);
			return -ESRCH;
		}
		return list_binary(kind, exe, parts[1], pid, verbose);
	}
	fprintf(stderr, "gotrace: -l needs uprobe:BINARY:PATTERN "
		"(or -p PID with uprobe:PATTERN)\n");
	return -EINVAL;
}

/* -v: the link, then every site with the function it stands for. */
static void describe(const struct attach_point *ap, FILE *f)
{
	static const char *const kinds[] = {
		[SITE_ENTRY] = "entry", [SITE_OFFSET] = "offset", [SITE_RET] = "RET",
		[SITE_INLINE] = "inlined copy",
	};

	fprintf(f, "%s: %d site%s in one uprobe_multi link%s%s\n", ap->name,
		ap->nsites, ap->nsites == 1 ? "" : "s",
		kernel_ret(ap) ? " (kernel return probe: not a Go binary)" : "",
		ap->go_ret_sites ? " (RET instructions of Go functions: a kernel "
		"uretprobe would crash Go)" : "");
	for (int i = 0; i < ap->nsites; i++) {
		const struct uprobe_site *st = &ap->sites[i];
		struct bin_frame fr[16];
		int n = bin_symbolize(ap->bin, st->addr, fr, 16);

		fprintf(f, "    %s: %s at 0x%llx", st->func, kinds[st->kind],
			(unsigned long long)st->addr);
		if (n > 0 && n <= 16 && fr[n - 1].func)
			fprintf(f, " (%s+%llu)", fr[n - 1].func,
				(unsigned long long)fr[n - 1].offset);
		fputc('\n', f);
	}
}

const struct probe_type probe_uprobe = {
	.name = "uprobe", .alias = "u", .kind = PK_UPROBE, .group = PG_USER,
	.section = "uprobe.multi",
	.attach_reverse = true,
	.caps = PC_ARGS | PC_FUNC | PC_UREGS | PC_COOKIE | PC_GOSTATE | PC_TASK,
	.user_mem = true,
	.resolve = resolve, .attach = attach, .list = list, .describe = describe,
};

const struct probe_type probe_uretprobe = {
	.name = "uretprobe", .alias = "ur", .kind = PK_URETPROBE,
	.section = "uretprobe.multi",
	.attach_reverse = true,
	.caps = PC_RETVAL | PC_FUNC | PC_UREGS | PC_COOKIE | PC_GOSTATE | PC_TASK,
	.user_mem = true,
	.resolve = resolve, .attach = attach, .list = list, .describe = describe,
};
