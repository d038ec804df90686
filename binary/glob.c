/*
 * Globs on full function names: `*` matches any run of characters
 * (including none, and including '.' and '/'), `?` any one character, and
 * everything else only itself. Go names are full of characters other glob
 * dialects treat specially, e.g. "encoding/json.(*decodeState).object" or
 * "main.Map[...].Get", so there are no brackets or escapes here.
 */
#include <string.h>

#include "binary/bin_impl.h"

/* Iterative match with one backtrack point: on a mismatch after a `*`,
 * let that star swallow one more character. Linear in practice, and never
 * exponential. */
bool bin_glob_match(const char *g, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*g == '*') {
			star = g++;
			resume = s;
		} else if (*g == '?' || *g == *s) {
			g++;
			s++;
		} else if (star) {
			g = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*g == '*')
		g++;
	return !*g;
}

/* Length of the literal prefix: names matching the glob all start with it,
 * which lets the caller binary-search the name index. */
size_t glob_prefix_len(const char *glob)
{
	return strcspn(glob, "*?");
}
