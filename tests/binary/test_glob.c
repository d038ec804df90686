/*
 * Globs over function names: the matcher on its own, then
 * bin_func_match() over the Go toolchain's own binary (10k+ Go names full
 * of . / * ( ) [ ]) against an independent oracle: a POSIX regex made
 * from the glob, run over every name.
 */
#include <regex.h>

#include "binary/bin_impl.h"
#include "tests/golang/gotest.h"

#define GOBIN "/usr/lib/go-1.19/bin/go"

static void check_matcher(void)
{
	static const struct { const char *glob, *name; bool want; } cases[] = {
		{ "main.main", "main.main", true },
		{ "main.main", "main.mainx", false },
		{ "main.*", "main.main", true },
		{ "main.*", "main", false },
		{ "*", "", true },
		{ "?", "", false },
		{ "?", "a", true },
		{ "encoding/json.*", "encoding/json.(*decodeState).object", true },
		{ "encoding/json.(*decodeState).*", "encoding/json.(*decodeState).object", true },
		{ "*.(*decodeState).obj?ct", "encoding/json.(*decodeState).object", true },
		{ "main.Map[...].Get", "main.Map[...].Get", true },
		{ "main.Map[*].Get", "main.Map[...].Get", true },
		{ "main.[abc]", "main.a", false },	/* brackets are literal */
		{ "*a*b*c*", "xxaxxbxxcxx", true },
		{ "*a*b*c*", "xxaxxcxxbxx", false },
		{ "**x", "x", true },
		{ "a*", "b", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(bin_glob_match(cases[i].glob, cases[i].name) == cases[i].want, "glob '%s' on '%s': want %d",
		      cases[i].glob, cases[i].name, cases[i].want);
}

struct seen {
	char **names;
	int n, cap;
};

static int record(const struct bin_func *f, void *arg)
{
	struct seen *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->names = realloc(s->names, s->cap * sizeof(*s->names));
	}
	s->names[s->n++] = (char *)f->name;
	return 0;
}

/* "^...$" with * -> .*, ? -> ., everything else escaped. */
static void to_regex(const char *glob, regex_t *re)
{
	char buf[1024], *p = buf;

	*p++ = '^';
	for (; *glob; glob++) {
		if (*glob == '*') {
			*p++ = '.';
			*p++ = '*';
		} else if (*glob == '?') {
			*p++ = '.';
		} else {
			if (strchr(".[]()*+?{}|^$\\", *glob))
				*p++ = '\\';
			*p++ = *glob;
		}
	}
	strcpy(p, "$");
	regcomp(re, buf, REG_EXTENDED | REG_NOSUB);
}

static int stop(const struct bin_func *f, void *arg)
{
	return ++*(int *)arg == 3 ? 42 : 0;
}

static void check_binary(void)
{
	static const char *const globs[] = {
		"encoding/json.*", "encoding/json.(*decodeState).*", "runtime.g?", "*", "main.main",
		"*(*Reader)*", "*.func?", "sync/atomic.*", "net/http.(*Server).Serve", "nothing.*",
	};
	struct seen all = { 0 };
	char err[256];
	struct bin *b = bin_open(GOBIN, err, sizeof(err));
	int n, calls = 0;

	CHECK(b, "%s", err);
	if (!b)
		return;
	n = bin_func_match(b, "*", record, &all);
	CHECK(n == all.n && n > 10000, "%d names", n);
	for (int i = 1; i < all.n; i++)
		CHECK(strcmp(all.names[i - 1], all.names[i]) < 0, "names not sorted/unique at %s", all.names[i]);
	for (size_t g = 0; g < sizeof(globs) / sizeof(globs[0]); g++) {
		struct seen got = { 0 };
		regex_t re;
		int want = 0, k = 0, bad = 0;

		to_regex(globs[g], &re);
		n = bin_func_match(b, globs[g], record, &got);
		for (int i = 0; i < all.n; i++) {
			if (regexec(&re, all.names[i], 0, NULL, 0))
				continue;
			want++;
			bad += k >= got.n || strcmp(got.names[k++], all.names[i]);
		}
		CHECK(n == want && got.n == want && !bad, "glob '%s': %d matches, regex oracle %d (%d differ)",
		      globs[g], n, want, bad);
		printf("'%s': %d matches\n", globs[g], n);
		regfree(&re);
		free(got.names);
	}
	CHECK(!bin_func_find(b, "encoding/json.(*decodeState).object", NULL), "exact Go name not found");
	CHECK(bin_func_match(b, "*", stop, &calls) == 42 && calls == 3, "callback value not returned");
	free(all.names);
}

int main(void)
{
	check_matcher();
	check_binary();
	return gt_done("test_glob");
}
