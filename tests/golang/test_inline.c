/*
 * Inlined frames, checked against the Go runtime itself.
 *
 * The test program records the return PC of a call made from inner(),
 * which the compiler inlines into middle() and outer(), and prints the
 * frames runtime.CallersFrames gives for it. For PC-1 (inside the call
 * instruction) our frames must be exactly the runtime's, from the
 * innermost down to the first real function: inner and middle marked
 * inlined, then outer. Built with -gcflags=-l nothing is inlined and we
 * must give the one real frame.
 *
 * PIE builds are run and examined while alive, through /proc (the printed
 * PC is a runtime address), and again after they exit, from the kept
 * snapshot of their maps.
 *
 * The index of which functions inline which callees (golang/inlindex.c),
 * which finds the copies a probe must also sit on, is checked against
 * each function's own records as the symbolizer decodes them
 * (golang/pccache.c), both ways.
 */
#include <inttypes.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "binary/binary.h"
#include "golang/gopcln.h"
#include "tests/golang/gotest.h"

struct oracle {
	uint64_t pc;
	int n;
	char func[16][256], file[16][PATH_MAX];
	int line[16];
};

/* Parses "pc 0x..." and "frame F FILE LINE" lines. */
static bool parse(char *out, struct oracle *o)
{
	char *line, *save = NULL;

	o->n = 0;
	o->pc = 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long pc;

		if (sscanf(line, "pc %llx", &pc) == 1)
			o->pc = pc;
		else if (o->n < 16 && sscanf(line, "frame %255s %4095s %d", o->func[o->n],
					     o->file[o->n], &o->line[o->n]) == 3)
			o->n++;
	}
	return o->pc && o->n > 0;
}

/* Our frames against the runtime's, expecting `want` frames. */
static void compare(const char *what, const struct bin_frame *fr, int k,
		    const struct oracle *o, int want)
{
	CHECK(k == want, "%s: %d frames, want %d", what, k, want);
	for (int i = 0; i < k && i < o->n; i++) {
		bool ok = fr[i].func && !strcmp(fr[i].func, o->func[i]) && fr[i].file &&
			  !strcmp(fr[i].file, o->file[i]) && fr[i].line == o->line[i] &&
			  fr[i].inlined == (i < k - 1);

		CHECK(ok, "%s frame %d: ours %s %s:%d%s, runtime %s %s:%d", what, i,
		      fr[i].func ? fr[i].func : "?", fr[i].file ? fr[i].file : "?", fr[i].line,
		      fr[i].inlined ? " (inlined)" : "", o->func[i], o->file[i], o->line[i]);
		CHECK(fr[i].offset == fr[k - 1].offset, "%s frame %d: offset not the real function's", what, i);
	}
}

static void check_static(const char *ver, const char *tag, const char *flags, int want)
{
	const char *path = gt_build(ver, tag, flags);
	struct bin_frame fr[16];
	struct oracle o;
	struct bin_func f;
	char err[512], *out, what[128];
	struct bin *b;
	int k;

	if (!path)
		return;
	snprintf(what, sizeof(what), "go %s %s", ver, tag);
	out = gt_run("%s frames", path);
	CHECK(out && parse(out, &o), "%s: no frames from the test program", what);
	free(out);
	if (!(b = bin_open(path, err, sizeof(err)))) {
		CHECK(b, "%s", err);
		return;
	}
	k = bin_symbolize(b, o.pc - 1, fr, 16);
	compare(what, fr, k, &o, want);
	/* the last frame is a real function that holds the PC */
	CHECK(k > 0 && fr[k - 1].func && !bin_func_find(b, fr[k - 1].func, &f) &&
	      o.pc - 1 - f.addr == fr[k - 1].offset, "%s: last frame is not the real function", what);
	/* with room for one frame only, that one is the real function */
	CHECK(bin_symbolize(b, o.pc - 1, fr, 1) == 1 && !fr[0].inlined && fr[0].func &&
	      !strcmp(fr[0].func, o.func[want - 1]), "%s: max=1 does not give the real function", what);
}

/* Does the index list function i under a callee spelled `name`? */
static bool indexed(const struct go_inl_index *ix, const char *name, uint32_t i)
{
	for (size_t k = 0; k < ix->ngroups; k++) {
		const struct go_inl_group *gr = &ix->groups[k];

		if (strcmp(gr->name, name))
			continue;
		for (uint32_t j = 0; j < gr->n; j++)
			if (ix->fn[gr->first + j] == i)
				return true;
	}
	return false;
}

/* Function i's records as the symbolizer reads them, or NULL. */
static const struct go_fcache *records(struct bin *b, uint32_t i)
{
	struct go_func f;
	const char *name;

	return go_pcln_func(b->go, i, &f, &name) || !name ? NULL : go_fcache_get(b, i, &f, name);
}

static void check_index(const char *ver, const char *tag, const char *flags)
{
	const char *path = gt_build(ver, tag, flags);
	const struct go_inl_index *ix;
	size_t pairs = 0, listed = 0;
	char err[512];
	struct bin *b;

	if (!path)
		return;
	if (!(b = bin_open(path, err, sizeof(err)))) {
		CHECK(b, "%s", err);
		return;
	}
	ix = go_inl_index(b, err, sizeof(err));
	CHECK(ix, "go %s %s: no inline index: %s", ver, tag, err);
	for (uint32_t i = 0; ix && i < b->go->nfunc; i++) {
		const struct go_fcache *c = records(b, i);

		for (uint32_t k = 0; c && k < c->ninl; k++) {
			if (!c->inl[k].name)
				continue;
			pairs++;
			CHECK(indexed(ix, c->inl[k].name, i), "go %s %s: %s inlines %s, not indexed",
			      ver, tag, c->name, c->inl[k].name);
		}
	}
	for (size_t k = 0; ix && k < ix->ngroups; k++) {
		const struct go_inl_group *gr = &ix->groups[k];

		for (uint32_t j = 0; j < gr->n; j++) {
			const struct go_fcache *c = records(b, ix->fn[gr->first + j]);
			bool named = false;

			for (uint32_t r = 0; c && r < c->ninl && !named; r++)
				named = c->inl[r].name && !strcmp(c->inl[r].name, gr->name);
			CHECK(named, "go %s %s: index says function %u inlines %s; its records do not",
			      ver, tag, ix->fn[gr->first + j], gr->name);
			listed++;
		}
	}
	/* the runtime inlines hundreds of calls in any build */
	CHECK(pairs > 100 && listed >= ix->ngroups, "go %s %s: %zu records, %zu listed", ver, tag,
	      pairs, listed);
}

/* Starts `path frames wait`; returns its pid, its stdin fd and output. */
static pid_t spawn(const char *path, int *in, char *buf, size_t len)
{
	int pin[2], pout[2];
	size_t got = 0;
	pid_t pid;
	ssize_t n;

	if (pipe(pin) || pipe(pout))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[1]);
		close(pout[0]);
		execl(path, path, "frames", "wait", (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	while (got < len - 1 && (n = read(pout[0], buf + got, len - 1 - got)) > 0) {
		got += n;
		buf[got] = 0;
		if (strstr(buf, "ready\n"))
			break;
	}
	buf[got] = 0;
	close(pout[0]);
	*in = pin[1];
	return pid;
}

static void check_pie(const char *ver)
{
	const char *path = gt_build(ver, "pie-stripped", "-buildmode=pie -ldflags='-s -w'");
	char buf[16384], exe[PATH_MAX], real[PATH_MAX], err[256], what[64];
	struct bin_frame fr[16], fr2[16];
	struct oracle o;
	int in, k, k2;
	pid_t pid;

	if (!path)
		return;
	snprintf(what, sizeof(what), "go %s pie", ver);
	pid = spawn(path, &in, buf, sizeof(buf));
	if (pid < 0 || !parse(buf, &o)) {
		CHECK(0, "%s: no frames from the running test program", what);
		if (pid > 0)
			kill(pid, SIGKILL);
		return;
	}
	CHECK(!proc_exe_path(pid, exe, sizeof(exe), err, sizeof(err)) && realpath(path, real) &&
	      !strcmp(exe, real), "%s: proc_exe_path gave '%s' (%s)", what, exe, err);
	CHECK(proc_snapshot(pid) == 0, "%s: proc_snapshot of a live process failed", what);
	k = proc_symbolize(pid, o.pc - 1, fr, 16);
	compare(what, fr, k, &o, 3);
	close(in);	/* the program exits */
	waitpid(pid, NULL, 0);
	CHECK(proc_snapshot(pid) == -ESRCH, "%s: proc_snapshot of a dead process did not say ESRCH", what);
	k2 = proc_symbolize(pid, o.pc - 1, fr2, 16);
	CHECK(k2 == k && k2 > 0 && fr2[k2 - 1].func && fr[k - 1].func &&
	      !strcmp(fr2[k2 - 1].func, fr[k - 1].func),
	      "%s: after exit, symbolizing from the kept maps gave %d frames", what, k2);
	CHECK(proc_symbolize(pid, 8, fr2, 16) == 0, "%s: address 8 found in a mapping", what);
}

int main(void)
{
	static const char *const vers[] = { "1.19", "1.15", "1.21", "1.23", "1.26" };

	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		if (!gt_goroot(vers[i]))
			continue;
		check_static(vers[i], "default", "", 3);
		check_static(vers[i], "stripped", "-ldflags='-s -w'", 3);
		check_static(vers[i], "noinline", "-gcflags=-l", 1);
		check_index(vers[i], "default", "");
		check_index(vers[i], "stripped", "-ldflags='-s -w'");
		check_pie(vers[i]);
	}
	CHECK(gt_goroot("1.19"), "the system Go toolchain is required");
	return gt_done("test_inline");
}
