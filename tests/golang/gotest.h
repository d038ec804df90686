/*
 * Helpers shared by the Go binary tests (header-only: each test is one
 * standalone program). They build tests/golang/testprog with a real Go
 * toolchain at test time, in several variants, and run Go's own tools as
 * oracles (`go tool nm`, `go tool addr2line`, `go version`).
 *
 * Toolchains: "1.19" is Debian's system go; other versions come from
 * scripts/go-toolchain.sh (Debian packages unpacked under
 * ~/.cache/gotrace/go-toolchains), and a test skips them, saying so, when
 * they cannot be fetched.
 */
#ifndef GOTRACE_TESTS_GOTEST_H
#define GOTRACE_TESTS_GOTEST_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int gt_failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			gt_failures++;                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);        \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

static char gt_root[PATH_MAX];	/* repository root */

/* The repository root: cwd if it has the test program, else derived
 * from our own path (build/tests/<dir>/test_x). */
static __attribute__((unused)) const char *gt_root_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *p;

	if (gt_root[0])
		return gt_root;
	if (!access("tests/golang/testprog/main.go", R_OK) && getcwd(gt_root, sizeof(gt_root)))
		return gt_root;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if ((p = strstr(exe, "/build/tests/")))
		*p = 0;
	snprintf(gt_root, sizeof(gt_root), "%s", exe);
	return gt_root;
}

/* Runs a shell command and returns its stdout (malloc'd), or NULL. */
static __attribute__((unused)) char *gt_run(const char *fmt, ...)
{
	char cmd[8192], *out = NULL;
	size_t len = 0, cap = 0, n;
	char buf[65536];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (!(f = popen(cmd, "r")))
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	if (pclose(f) != 0) {
		free(out);
		return NULL;
	}
	if (!out)
		out = calloc(1, 1);
	else
		out[len] = 0;
	return out;
}

/* GOROOT of a toolchain version ("1.19" = the system one), or NULL. */
static __attribute__((unused)) const char *gt_goroot(const char *ver)
{
	static char roots[8][PATH_MAX], vers[8][16];
	static int n;
	char *out;

	for (int i = 0; i < n; i++)
		if (!strcmp(vers[i], ver))
			return roots[i][0] ? roots[i] : NULL;
	if (n == 8)
		return NULL;
	snprintf(vers[n], sizeof(vers[n]), "%s", ver);
	if (!strcmp(ver, "1.19"))
		out = gt_run("go env GOROOT 2>/dev/null");
	else
		out = gt_run("%s/scripts/go-toolchain.sh %s 2>/dev/null", gt_root_dir(), ver);
	roots[n][0] = 0;
	if (out) {
		out[strcspn(out, "\n")] = 0;
		snprintf(roots[n], sizeof(roots[n]), "%s", out);
		free(out);
	}
	if (!roots[n][0])
		printf("SKIP: Go %s toolchain not available\n", ver);
	return roots[n++][0] ? roots[n - 1] : NULL;
}

static __attribute__((unused)) const char *gt_env(const char *goroot)
{
	static char env[PATH_MAX + 256];

	snprintf(env, sizeof(env),
		 "GOROOT=%s GOCACHE=/tmp/gotrace-gocache HOME=/tmp GOTOOLCHAIN=local "
		 "GOFLAGS= GO111MODULE=on GOPATH=/tmp/gotrace-gopath CGO_ENABLED=0", goroot);
	return env;
}

/* Builds the test program with toolchain `ver` and extra `go build` flags
 * into build/tests/golang/prog-<ver>-<tag>, unless it is newer than its
 * source. Returns the path (static buffer per call slot) or NULL. */
static __attribute__((unused)) const char *gt_build(const char *ver, const char *tag, const char *flags)
{
	static char paths[16][PATH_MAX];
	static int slot;
	const char *root = gt_root_dir(), *goroot = gt_goroot(ver);
	char src[PATH_MAX], *out, *path = paths[slot++ % 16];
	struct stat s1, s2;

	if (!goroot)
		return NULL;
	if (snprintf(path, PATH_MAX, "%s/build/tests/golang/prog-%s-%s", root, ver, tag) >= PATH_MAX ||
	    snprintf(src, sizeof(src), "%s/tests/golang/testprog/main.go", root) >= (int)sizeof(src))
		return NULL;	/* path too long */
	if (!stat(path, &s1) && !stat(src, &s2) && s1.st_mtime > s2.st_mtime)
		return path;
	out = gt_run("mkdir -p %s/build/tests/golang && cd %s/tests/golang/testprog && "
		     "env %s %s/bin/go build %s -o %s . 2>&1 && echo ok",
		     root, root, gt_env(goroot), goroot, flags, path);
	if (!out || !strstr(out, "ok")) {
		printf("FAIL: go %s build %s: %s\n", ver, flags, out ? out : "(failed)");
		gt_failures++;
		free(out);
		return NULL;
	}
	free(out);
	return path;
}

/* Runs `go tool <tool> args` with toolchain ver; stdout or NULL. */
static __attribute__((unused)) char *gt_go_tool(const char *ver, const char *args)
{
	const char *goroot = gt_goroot(ver);

	return goroot ? gt_run("env %s %s/bin/go %s 2>/dev/null", gt_env(goroot), goroot, args) : NULL;
}

static __attribute__((unused)) int gt_done(const char *name)
{
	if (gt_failures)
		printf("%s: %d checks failed\n", name, gt_failures);
	else
		printf("%s: ok\n", name);
	return gt_failures ? 1 : 0;
}

#endif
