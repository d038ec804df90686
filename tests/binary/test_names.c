/*
 * The name index (binary/names.c): a hash table over a function array.
 * Synthetic names with Go's long shared prefixes, repeated names (the
 * first index wins), lookups of a prefix of a name (".abi0" stripped);
 * then globs over libc's and this test's own table: matches in strcmp
 * order, each name once, at the address an exact lookup gives.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "binary/bin_impl.h"
#include "tests/golang/gotest.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define N 20000

static void check_synthetic(void)
{
	static struct bin_func v[N];
	static char names[N][96];
	struct bin_names x;
	int bad = 0;

	for (int i = 0; i < N; i++) {
		/* every 10th name repeats the one before it */
		int k = i % 10 == 9 ? i - 1 : i;

		snprintf(names[i], sizeof(names[i]),
			 "github.com/example/service/internal/pkg%d.(*T).Method%d.abi0", k % 97, k);
		v[i] = (struct bin_func){ .name = names[i], .addr = 0x1000 + 16 * (uint64_t)i };
	}
	CHECK(!bin_names_init(&x, N), "bin_names_init");
	for (int i = 0; i < N; i++) {
		uint32_t *s = bin_names_slot(&x, v, v[i].name, strlen(v[i].name));

		if (*s == BIN_NAME_FREE)
			*s = (uint32_t)i;
	}
	for (int i = 0; i < N; i++) {
		uint32_t want = i % 10 == 9 ? (uint32_t)i - 1 : (uint32_t)i;
		size_t len = strlen(v[i].name);

		if (*bin_names_slot(&x, v, v[i].name, len) != want && bad++ < 5)
			CHECK(0, "%s: index %u, want %u", v[i].name,
			      *bin_names_slot(&x, v, v[i].name, len), want);
		/* the name without ".abi0" is no function's */
		if (*bin_names_slot(&x, v, v[i].name, len - 5) != BIN_NAME_FREE && bad++ < 5)
			CHECK(0, "%.*s found", (int)len - 5, v[i].name);
	}
	CHECK(*bin_names_slot(&x, v, "", 0) == BIN_NAME_FREE, "empty name found");
	CHECK(!bad, "%d synthetic lookups wrong", bad);
	bin_names_free(&x);
}

struct seen {
	struct bin *b;
	char last[512];
	int n, bad;
};

static int visit(const struct bin_func *f, void *arg)
{
	struct seen *s = arg;
	struct bin_func g;

	if (s->n++ && strcmp(s->last, f->name) >= 0 && s->bad++ < 5)
		CHECK(0, "glob order: %s after %s", f->name, s->last);
	if ((bin_func_find(s->b, f->name, &g) || g.addr != f->addr) && s->bad++ < 5)
		CHECK(0, "%s: the glob's address %#lx is not the lookup's", f->name,
		      (unsigned long)f->addr);
	snprintf(s->last, sizeof(s->last), "%s", f->name);
	return 0;
}

static void check_globs(const char *path, const char *glob, int at_least)
{
	char err[256];
	struct seen s = { .b = bin_open(path, err, sizeof(err)) };
	int n;

	CHECK(s.b, "%s: %s", path, err);
	if (!s.b)
		return;
	n = bin_func_match(s.b, glob, visit, &s);
	CHECK(n == s.n && n >= at_least, "%s %s: %d matches, %d visited, want >= %d", path,
	      glob, n, s.n, at_least);
	CHECK(!s.bad, "%s %s: %d wrong", path, glob, s.bad);
	CHECK(bin_func_match(s.b, glob, NULL, NULL) == n, "%s %s: a count without a callback",
	      path, glob);
}

int main(void)
{
	char link[64], self[PATH_MAX];

	check_synthetic();
	check_globs(LIBC, "*", 2000);
	check_globs(LIBC, "str*", 20);	/* a prefix */
	check_globs(LIBC, "*printf*", 10);	/* no literal prefix */
	check_globs(LIBC, "no_such_function*", 0);
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)getpid());
	CHECK(realpath(link, self), "realpath");
	check_globs(self, "*", 40);
	check_globs(self, "bin_names_*", 3);
	return gt_done("test_names");
}
