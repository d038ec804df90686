/*
 * RET sites (binary/retsites.c) against independent disassemblers and the
 * real kernel.
 *
 * tests/binary/retprog/main.go is built with the system Go (plain and
 * stripped) and retc.c with gcc -O2. For every function of the Go program
 * the RETs, tail jumps and indirect jumps must be exactly what
 * `go tool objdump` lists (Go's own x86 decoder, skipping the assembly
 * functions where it prints "?" for AVX it cannot decode) and what binutils
 * `objdump -d` lists; the C program is checked against `objdump -d`. The
 * stripped program must give the same addresses as the plain one. Then,
 * as root, uprobes are put on the RET sites of real functions through the
 * perf uprobe PMU while the program runs: the hits must add up to the
 * number of calls it reports, including a recursion that grows the
 * goroutine stack (which a kernel uretprobe cannot survive; shown for
 * contrast). Last, RET sites are timed for encoding/json.* of the go tool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "binary/binary.h"
#include "tests/golang/gotest.h"

#define GOTOOL "/usr/lib/go-1.19/bin/go"

/* What an oracle says about one function. */
struct fn {
	char *name;
	uint64_t start, end;
	uint64_t *rets, *targets;	/* targets: direct jumps given as addresses */
	size_t nrets, ntargets;
	int tails, indirect;
	bool unknown;			/* the oracle could not decode it all */
};

struct fns {
	struct fn *v;
	size_t n;
};

static void add(uint64_t **v, size_t *n, uint64_t x)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = x;
}

static struct fn *fn_new(struct fns *f, const char *name, size_t len, uint64_t start)
{
	struct fn *p;

	f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	p = &f->v[f->n++];
	*p = (struct fn){ .name = strndup(name, len), .start = start, .end = start };
	return p;
}

static void fns_free(struct fns *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].rets);
		free(f->v[i].targets);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* Jumps given as an address count as tail jumps when they leave the
 * instructions the oracle listed for the function. */
static void finish(struct fn *p)
{
	for (size_t i = 0; p && i < p->ntargets; i++)
		if (p->targets[i] < p->start || p->targets[i] >= p->end)
			p->tails++;
}

/* `go tool objdump` lines:
 *   TEXT main.multiret(SB) /path/main.go
 *     main.go:26\t0x483878\t\tc3\t\t\tRET\t
 *   JMP main.(*Inner).Get(SB) | JMP 0x483d5d | JMP AX   */
static void parse_go(char *text, struct fns *out)
{
	struct fn *p = NULL;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *tok[4], *s2 = NULL, *op;
		int nt = 0;
		uint64_t addr;

		if (!strncmp(l, "TEXT ", 5)) {
			char *e = strstr(l, "(SB)");

			finish(p);
			p = e ? fn_new(out, l + 5, e - (l + 5), 0) : NULL;
			continue;
		}
		for (char *t = strtok_r(l, "\t", &s2); t && nt < 4; t = strtok_r(NULL, "\t", &s2))
			tok[nt++] = t;
		if (!p || nt < 4 || strncmp(tok[1], "0x", 2))
			continue;
		addr = strtoull(tok[1], NULL, 16);
		if (!p->start)
			p->start = addr;
		p->end = addr + strlen(tok[2]) / 2;
		tok[3][strcspn(tok[3], "\t")] = 0;
		while (*tok[3] && tok[3][strlen(tok[3]) - 1] == ' ')
			tok[3][strlen(tok[3]) - 1] = 0;
		op = strchr(tok[3], ' ');
		op = op ? op + 1 : tok[3] + strlen(tok[3]);
		if (tok[3][0] == '?')
			p->unknown = true;
		else if (!strncmp(tok[3], "RET", 3))
			add(&p->rets, &p->nrets, addr);
		else if (tok[3][0] == 'J' && strlen(op) > 4 && !strcmp(op + strlen(op) - 4, "(SB)"))
			p->tails += strncmp(op, p->name, strlen(op) - 4) || strlen(p->name) != strlen(op) - 4;
		else if (tok[3][0] == 'J' && !strncmp(op, "0x", 2))
			add(&p->targets, &p->ntargets, strtoull(op, NULL, 16));
		else if (tok[3][0] == 'J')
			p->indirect++;
	}
	finish(p);
}

/* Steps over one instruction prefix objdump prints as a word. */
static bool skip_prefix(char **ins)
{
	static const char *const prefixes[] = { "rep ", "repz ", "repnz ", "bnd ", "notrack ", "ds ", "cs " };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(*ins, prefixes[i], strlen(prefixes[i]))) {
			*ins += strlen(prefixes[i]);
			return true;
		}
	return false;
}

/* binutils `objdump -d --no-show-raw-insn` lines:
 *   00000000000011e0 <classify>:
 *       11f9:\tret
 *       12b3:\tjmp    11e0 <classify>     | jmp *%rax | bnd jmp ...   */
static void parse_gnu(char *text, struct fns *out)
{
	struct fn *p = NULL;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *lt = strchr(l, '<'), *gt = strrchr(l, '>'), *ins, *op, *tab;
		unsigned long long addr;

		if (l[0] != ' ' && lt && gt && !strcmp(gt, ">:")) {
			p = fn_new(out, lt + 1, gt - lt - 1, strtoull(l, NULL, 16));
			continue;
		}
		if (!p || l[0] != ' ' || !(tab = strchr(l, '\t')) || sscanf(l, " %llx:", &addr) != 1)
			continue;
		for (ins = tab + 1; skip_prefix(&ins);)
			;
		op = ins + strcspn(ins, " ");
		op += strspn(op, " ");
		if (!strncmp(ins, "(bad)", 5))
			p->unknown = true;
		else if (!strcmp(ins, "ret") || !strncmp(ins, "ret ", 4) || !strncmp(ins, "retq", 4))
			add(&p->rets, &p->nrets, addr);
		else if (ins[0] == 'j' && *op == '*')
			p->indirect++;
		else if (ins[0] == 'j') {
			char *a = strchr(op, '<'), *b = a ? strchr(a, '>') : NULL, *plus;

			if (!a || !b) {
				p->tails++;
				continue;
			}
			*b = 0;
			if ((plus = strstr(a, "+0x")))
				*plus = 0;
			p->tails += strcmp(a + 1, p->name) != 0;
		}
	}
}

/* Every function of the oracle must match bin_func_exits() exactly.
 * Returns the number of functions compared. */
static int compare(struct bin *b, struct fns *o, const char *label, int *nrets)
{
	int n = 0, bad = 0, unknown = 0, missing = 0, sizeless = 0, tails = 0, indirect = 0;
	char err[512];

	*nrets = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct fn *p = &o->v[i];
		struct bin_func f;
		struct bin_exits x;
		bool same;

		if (p->unknown) {
			unknown++;
			continue;
		}
		if (bin_func_find(b, p->name, &f) || f.addr != p->start) {
			if (missing++ < 5)
				printf("  %s: %s at %#" PRIx64 " not in the function table\n", label, p->name, p->start);
			continue;
		}
		if (!f.size) {	/* crt symbols without st_size: -ENODATA by design */
			sizeless++;
			continue;
		}
		if (bin_func_exits(b, f.addr, f.size, &x, err, sizeof(err))) {
			if (bad++ < 5)
				printf("  %s: %s: %s\n", label, p->name, err);
			continue;
		}
		same = x.nrets == p->nrets &&
		       (!p->nrets || !memcmp(x.rets, p->rets, p->nrets * sizeof(*p->rets))) &&
		       (int)x.ntail_jumps == p->tails && (int)x.indirect_jumps == p->indirect;
		if (!same && bad++ < 5)
			printf("  %s: %s: we found %zu RETs (first %#" PRIx64 "), %zu tail and %zu indirect jumps;"
			       " the oracle %zu (first %#" PRIx64 "), %d and %d\n", label, p->name, x.nrets,
			       x.nrets ? x.rets[0] : 0, x.ntail_jumps, x.indirect_jumps, p->nrets,
			       p->nrets ? p->rets[0] : 0, p->tails, p->indirect);
		n++;
		*nrets += (int)x.nrets;
		tails += (int)x.ntail_jumps;
		indirect += (int)x.indirect_jumps;
		bin_exits_free(&x);
	}
	CHECK(!bad && n > 0, "%s: %d of %d functions disagree", label, bad, n);
	printf("%s: %d functions (%d RETs, %d tail and %d indirect jumps) agree; %d undecodable by "
	       "the oracle, %d not functions of ours, %d without a size\n", label, n, *nrets, tails,
	       indirect, unknown, missing, sizeless);
	return missing;
}

static struct fn *find(struct fns *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].name, name))
			return &o->v[i];
	return NULL;
}

/* Builds with a shell command unless out is newer than src. */
static bool build(const char *src, const char *out, const char *cmd)
{
	struct stat s1, s2;
	char *r;

	if (!stat(out, &s1) && !stat(src, &s2) && s1.st_mtime > s2.st_mtime)
		return true;
	r = gt_run("%s 2>&1 && echo ok", cmd);
	CHECK(r && strstr(r, "ok"), "build %s: %s", out, r ? r : "(failed)");
	free(r);
	return !stat(out, &s1);
}

/* The Go program against both objdumps; main.* spot checks. */
static void check_go(const char *bin)
{
	char *gout = gt_run("go tool objdump %s 2>/dev/null", bin);
	char *bout = gt_run("objdump -d --no-show-raw-insn %s", bin);
	char err[512];
	struct bin *b = bin_open(bin, err, sizeof(err));
	struct fns go = { 0 }, gnu = { 0 };
	struct fn *m, *w;
	int nrets;

	CHECK(gout && bout && b, "%s: objdump or bin_open failed: %s", bin, b ? "" : err);
	if (!gout || !bout || !b)
		return;
	parse_go(gout, &go);
	parse_gnu(bout, &gnu);
	CHECK(compare(b, &go, "go tool objdump", &nrets) == 0, "functions of go tool objdump unknown to us");
	CHECK(nrets > 1000, "only %d RETs in the Go program", nrets);
	compare(b, &gnu, "objdump -d (Go)", &nrets);

	/* the test program exercises what it claims to */
	m = find(&go, "main.multiret");
	CHECK(m && m->nrets >= 3, "main.multiret: expected several RETs in go tool objdump");
	m = find(&go, "main.deep");
	CHECK(m && m->nrets >= 1 && !m->tails, "main.deep: RETs and no tail jumps expected");
	w = find(&go, "main.(*Outer).Get");
	CHECK(w && !w->nrets && w->tails == 1, "main.(*Outer).Get: expected a tail JMP and no RET");
	fns_free(&go);
	fns_free(&gnu);
	free(gout);
	free(bout);
}

/* The C program against objdump -d. */
static void check_c(const char *bin)
{
	char *out = gt_run("objdump -d --no-show-raw-insn %s", bin);
	char err[512];
	struct bin *b = bin_open(bin, err, sizeof(err));
	struct fns o = { 0 };
	struct fn *t;
	int nrets, missing;

	CHECK(out && b, "%s: objdump or bin_open failed: %s", bin, b ? "" : err);
	if (!out || !b)
		return;
	parse_gnu(out, &o);
	missing = compare(b, &o, "objdump -d (C)", &nrets);
	printf("  (not ours: the PLT stubs objdump names, %d)\n", missing);
	CHECK(find(&o, "classify") && find(&o, "classify")->nrets >= 2, "classify: expected several RETs");
	t = find(&o, "tail");
	CHECK(t && t->tails == 1, "tail: gcc -O2 should emit a tail jmp to classify");
	fns_free(&o);
	free(out);
}

/* The stripped build: each function of the plain build that the stripped
 * one has by the same name must have the same RETs there, though its size
 * now comes from the pclntab instead of the symbol table. */
struct strip_ctx {
	struct bin *plain, *stripped;
	int n, bad, absent;
};

static int same_in_stripped(const struct bin_func *f, void *arg)
{
	struct strip_ctx *c = arg;
	uint64_t *a = NULL, *b = NULL;
	char err[256];
	int na, nb;

	na = bin_ret_sites(c->plain, f->addr, f->size, &a, err, sizeof(err));
	nb = bin_ret_sites_func(c->stripped, f->name, &b, err, sizeof(err));
	if (nb == -ENOENT) {
		c->absent++;
	} else {
		c->n++;
		if (na < 0 || na != nb || (na > 0 && memcmp(a, b, na * sizeof(*a)))) {
			if (c->bad++ < 5)
				printf("  stripped: %s: %d RETs, plain %d (%s)\n", f->name, nb, na,
				       nb < 0 ? err : "");
		}
	}
	free(a);
	free(b);
	return 0;
}

static void check_stripped(const char *plain, const char *stripped)
{
	char err[256];
	struct strip_ctx c = {
		.plain = bin_open(plain, err, sizeof(err)),
		.stripped = bin_open(stripped, err, sizeof(err)),
	};
	uint64_t *a = NULL;

	CHECK(c.plain && c.stripped, "bin_open: %s", err);
	if (!c.plain || !c.stripped)
		return;
	CHECK(bin_is_stripped(c.stripped), "%s has a symbol table", stripped);
	bin_func_match(c.plain, "*", same_in_stripped, &c);
	CHECK(!c.bad && c.n > 1000, "stripped: %d of %d functions differ", c.bad, c.n);
	printf("stripped: %d functions have the same RETs as in the plain build (%d not named alike)\n",
	       c.n, c.absent);
	CHECK(bin_ret_sites_func(c.stripped, "main.multiret", &a, err, sizeof(err)) >= 3,
	      "stripped main.multiret: %s", err);
	free(a);
}

/* `go tool objdump -s '^main\.multiret$'` against bin_ret_sites_func, and
 * bad input: unknown names, ranges that are not code or end inside an
 * instruction (which must fail, never guess). */
static void check_multiret_and_errors(const char *bin)
{
	char *out = gt_run("go tool objdump -s '^main\\.multiret$' %s 2>/dev/null", bin), *l;
	char *ro = gt_run("readelf -lW %s | awk '/LOAD/ && !/E +0x[0-9a-f]+$/ { print $3; exit }'", bin);
	char err[512] = "";
	struct bin *b = bin_open(bin, err, sizeof(err));
	struct fns o = { 0 };
	struct bin_func f;
	uint64_t *a = NULL;
	unsigned first = 0;
	int n;

	CHECK(out && ro && b, "objdump/readelf/bin_open failed: %s", err);
	if (!out || !ro || !b)
		return;
	/* the length of the first instruction, from its hex bytes */
	if ((l = strstr(out, "\t0x")) && (l = strchr(l + 3, '\t')))
		first = strspn(l + strspn(l, "\t"), "0123456789abcdef") / 2;
	parse_go(out, &o);
	n = bin_ret_sites_func(b, "main.multiret", &a, err, sizeof(err));
	CHECK(o.n == 1 && n == (int)o.v[0].nrets && n >= 3 && !memcmp(a, o.v[0].rets, n * sizeof(*a)),
	      "main.multiret: %d RETs, go tool objdump %zu (%s)", n, o.n ? o.v[0].nrets : 0, n < 0 ? err : "");
	printf("main.multiret: %d RETs, as go tool objdump -s lists\n", n);
	free(a);

	n = bin_ret_sites_func(b, "main.nosuch", &a, err, sizeof(err));
	CHECK(n == -ENOENT && strstr(err, "main.nosuch") && !a, "unknown function: %d '%s'", n, err);
	printf("unknown function: %s\n", err);
	bin_func_find(b, "main.multiret", &f);
	CHECK(first > 1, "first instruction of main.multiret has %u bytes", first);
	n = bin_ret_sites(b, f.addr, first - 1, &a, err, sizeof(err));
	CHECK(n == -EILSEQ && strstr(err, "do not decode"), "truncated instruction: %d '%s'", n, err);
	printf("range ending inside an instruction: %s\n", err);
	n = bin_ret_sites(b, f.addr, 0, &a, err, sizeof(err));
	CHECK(n == -ENODATA, "size 0: %d '%s'", n, err);
	n = bin_ret_sites(b, 0x10, 16, &a, err, sizeof(err));
	CHECK(n == -ERANGE, "address 0x10: %d '%s'", n, err);
	n = bin_ret_sites(b, strtoull(ro, NULL, 16), 16, &a, err, sizeof(err));
	CHECK(n == -ERANGE && strstr(err, "not in an executable"), "read-only data: %d '%s'", n, err);
	printf("read-only data: %s\n", err);
	n = bin_ret_sites(b, f.addr, UINT64_MAX, &a, err, sizeof(err));
	CHECK(n == -ERANGE, "huge size: %d '%s'", n, err);
	fns_free(&o);
	free(out);
	free(ro);
}

/* Runs `bin arg` with a counting uprobe (or uretprobe) at each file
 * offset, through the perf uprobe PMU. The events count on every CPU for
 * all processes, not per task: an inherited per-task uprobe event makes
 * the kernel re-read the path (config1, a pointer into our memory) in the
 * child at each clone, where it is not mapped, so Go's thread creation
 * fails with EFAULT. Only this test runs its own build of the program.
 * Returns the child's wait status, or -errno if probes cannot be made. */
static int run_probed(const char *bin, const char *arg, const uint64_t *offs, int n, bool ret,
		      uint64_t *hits, char **out)
{
	char *t = gt_run("cat /sys/bus/event_source/devices/uprobe/type 2>/dev/null");
	int type = t ? atoi(t) : -1, ncpu = sysconf(_SC_NPROCESSORS_CONF), nfd = 0, *fds, st = -1, e = 0;
	int o[2];
	char buf[4096];
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	free(t);
	fds = calloc((size_t)n * ncpu, sizeof(*fds));
	if (type < 0 || !fds || pipe(o)) {
		free(fds);
		return -ENOTSUP;
	}
	for (int i = 0; i < n && !e; i++)
		for (int c = 0; c < ncpu; c++) {
			struct perf_event_attr a = {
				.type = type, .size = sizeof(a), .config = ret,
				.config1 = (uintptr_t)bin, .config2 = offs[i],
			};
			int fd = syscall(SYS_perf_event_open, &a, -1, c, -1, PERF_FLAG_FD_CLOEXEC);

			if (fd < 0 && errno != ENODEV && errno != EINVAL)	/* offline CPU */
				e = -errno;
			fds[nfd++] = fd;
		}
	if (e || !(pid = fork())) {
		if (!e) {
			dup2(o[1], 1);
			dup2(o[1], 2);
			execl(bin, bin, arg, (char *)NULL);
			_exit(127);
		}
	}
	close(o[1]);
	*out = calloc(1, 1);
	while (!e && (r = read(o[0], buf, sizeof(buf))) > 0) {
		*out = realloc(*out, len + r + 1);
		memcpy(*out + len, buf, r);
		(*out)[len += r] = 0;
	}
	close(o[0]);
	if (!e)
		waitpid(pid, &st, 0);
	for (int i = 0; i < n; i++)
		hits[i] = 0;
	for (int k = 0; k < nfd; k++) {
		uint64_t v;

		if (fds[k] >= 0 && read(fds[k], &v, sizeof(v)) == sizeof(v))
			hits[k / ncpu] += v;
		if (fds[k] >= 0)
			close(fds[k]);
	}
	free(fds);
	return e ?: st;
}

/* Probes every RET of func; the hits must add up to the calls the program
 * prints as "<label> calls: N", and each RET must be reached. */
static void probe_func(struct bin *b, const char *bin, const char *func, const char *label)
{
	uint64_t *rets = NULL, offs[64], hits[64] = { 0 }, sum = 0;
	char err[256], *out = NULL, key[64], *at;
	long calls = -1;
	int n, st;

	n = bin_ret_sites_func(b, func, &rets, err, sizeof(err));
	CHECK(n > 0 && n <= 64, "%s: %d RET sites: %s", func, n, err);
	for (int i = 0; i < n && n <= 64; i++)
		CHECK(!bin_vaddr_to_offset(b, rets[i], &offs[i]), "%s: no offset", func);
	st = n > 0 && n <= 64 ? run_probed(bin, "1000", offs, n, false, hits, &out) : -EINVAL;
	snprintf(key, sizeof(key), "%s calls: ", label);
	if (out && (at = strstr(out, key)))
		calls = atol(at + strlen(key));
	CHECK(st == 0, "%s: probed run failed (%d): %s", func, st, out ? out : "");
	for (int i = 0; i < n && n <= 64; i++) {
		CHECK(hits[i] > 0, "%s: RET at %#" PRIx64 " never hit", func, rets[i]);
		sum += hits[i];
	}
	CHECK(calls > 0 && sum == (uint64_t)calls, "%s: %" PRIu64 " RET hits for %ld calls", func, sum, calls);
	printf("kernel: %s: %d RET uprobes hit %" PRIu64 " times, %ld calls\n", func, n, sum, calls);
	free(rets);
	free(out);
}

static void check_kernel(const char *bin)
{
	char err[256], *out = NULL;
	struct bin *b = bin_open(bin, err, sizeof(err));
	struct bin_func f;
	uint64_t off = 0, hits = 0;
	int st;

	if (geteuid()) {
		printf("SKIP: kernel probes need root\n");
		return;
	}
	CHECK(b, "%s", err);
	if (!b)
		return;
	probe_func(b, bin, "main.multiret", "multiret");
	probe_func(b, bin, "main.earlyret", "earlyret");
	probe_func(b, bin, "main.deep", "deep");
	/* for contrast: what a kernel uretprobe does to the same recursion */
	if (!bin_func_find(b, "main.deep", &f) && !bin_vaddr_to_offset(b, f.addr, &off)) {
		st = run_probed(bin, "10", &off, 1, true, &hits, &out);
		printf("kernel: a uretprobe on main.deep instead: exit status %#x, %s\n", st,
		       out && strstr(out, "unexpected return pc") ? "Go died with \"unexpected return pc\""
								: "no crash seen");
	}
	free(out);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct timing {
	struct bin *b;
	int funcs, rets, tails, none, errors;
};

static int time_one(const struct bin_func *f, void *arg)
{
	struct timing *t = arg;
	struct bin_exits x;
	char err[256];

	if (bin_func_exits(t->b, f->addr, f->size, &x, err, sizeof(err))) {
		if (t->errors++ < 3)
			printf("  %s: %s\n", f->name, err);
		return 0;
	}
	t->funcs++;
	t->rets += x.nrets;
	t->tails += x.ntail_jumps;
	t->none += !x.nrets;
	bin_exits_free(&x);
	return 0;
}

/* RET sites of every encoding/json function of the (stripped) go tool. */
static void time_json(void)
{
	char err[256];
	struct timing t = { .b = bin_open(GOTOOL, err, sizeof(err)) };
	uint64_t *a = NULL;
	double t0, t1, t2;

	if (!t.b) {
		printf("SKIP: %s\n", err);
		return;
	}
	t0 = now_ms();
	bin_ret_sites_func(t.b, "encoding/json.Marshal", &a, err, sizeof(err));
	t1 = now_ms();
	bin_func_match(t.b, "encoding/json.*", time_one, &t);
	t2 = now_ms();
	free(a);
	CHECK(t.funcs > 100 && !t.errors, "encoding/json.*: %d functions, %d errors", t.funcs, t.errors);
	printf("timing: %s encoding/json.*: %d functions, %d RETs, %d tail jumps, %d without RET: "
	       "%.2f ms (first call with LLVM set-up: %.2f ms)\n", GOTOOL, t.funcs, t.rets, t.tails,
	       t.none, t2 - t1, t1 - t0);
}

int main(void)
{
	const char *root = gt_root_dir();
	char dir[PATH_MAX + 32], plain[PATH_MAX + 48], stripped[PATH_MAX + 64], cprog[PATH_MAX + 48];
	char src[PATH_MAX + 32], csrc[PATH_MAX + 32], cmd[4 * PATH_MAX];
	const char *env = "env GOCACHE=/tmp/gotrace-gocache GOFLAGS=-buildvcs=false HOME=/tmp "
			  "GO111MODULE=off CGO_ENABLED=0";

	setvbuf(stdout, NULL, _IOLBF, 0);
	time_json();	/* first, so it sees the disassembler's set-up cost */
	snprintf(dir, sizeof(dir), "%s/build/tests/binary", root);
	snprintf(plain, sizeof(plain), "%s/retprog", dir);
	snprintf(stripped, sizeof(stripped), "%s/retprog-stripped", dir);
	snprintf(cprog, sizeof(cprog), "%s/retc", dir);
	snprintf(src, sizeof(src), "%s/tests/binary/retprog/main.go", root);
	snprintf(csrc, sizeof(csrc), "%s/tests/binary/retprog/retc.c", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cd %s/tests/binary/retprog && %s go build -o %s main.go",
		 dir, root, env, plain);
	if (build(src, plain, cmd)) {
		check_go(plain);
		check_multiret_and_errors(plain);
	}
	snprintf(cmd, sizeof(cmd), "cd %s/tests/binary/retprog && %s go build -ldflags='-s -w' -o %s main.go",
		 root, env, stripped);
	if (build(src, stripped, cmd))
		check_stripped(plain, stripped);
	snprintf(cmd, sizeof(cmd), "gcc -O2 -o %s %s", cprog, csrc);
	if (build(csrc, cprog, cmd))
		check_c(cprog);
	check_kernel(plain);
	return gt_done("test_retsites");
}
