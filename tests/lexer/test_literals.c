/*
 * Literal values (lexer/literals.c) against what bpftrace 0.17 makes of
 * the same text: octal, underscores, suffixes, scientific notation, and
 * string escapes with their errors.
 */
#include <string.h>

#include "lexer/literals.h"
#include "tests/check.h"

static void int_ok(const char *text, uint64_t want)
{
	uint64_t v = 0;
	const char *err = lit_int(text, &v);

	CHECK(!err && v == want, "%s: got %llu (%s), want %llu", text,
	      (unsigned long long)v, err ? err : "ok", (unsigned long long)want);
}

static void int_bad(const char *text, const char *msg)
{
	uint64_t v;
	const char *err = lit_int(text, &v);

	CHECK(err && strstr(err, msg), "%s: got '%s', want '%s'", text,
	      err ? err : "no error", msg);
}

static void str_ok(const char *text, const char *want, int want_len)
{
	struct lit_error err;
	int len;
	char *s = lit_unescape(text, strlen(text), &len, &err);

	CHECK(!err.msg && len == want_len && memcmp(s, want, len) == 0,
	      "\"%s\": got \"%s\" (%d bytes, %s)", text, s, len,
	      err.msg ? err.msg : "ok");
}

static void str_bad(const char *text, const char *msg, int offset, const char *esc)
{
	struct lit_error err;
	char *s = lit_unescape(text, strlen(text), NULL, &err);

	(void)s;
	CHECK(err.msg && strstr(err.msg, msg) && err.offset == offset &&
	      strcmp(err.text, esc) == 0, "\"%s\": got '%s' at %d ('%s')", text,
	      err.msg ? err.msg : "no error", err.offset, err.text);
}

int main(void)
{
	int_ok("0", 0);
	int_ok("123", 123);
	int_ok("0123", 83);
	int_ok("1_000_000", 1000000);
	int_ok("0x1F", 31);
	int_ok("0XfF", 255);
	int_ok("10u", 10);
	int_ok("10UL", 10);
	int_ok("10ull", 10);
	int_ok("10lL", 10);
	int_ok("1e6", 1000000);
	int_ok("5E0", 5);
	int_ok("1e16", 10000000000000000ULL);
	int_ok("18446744073709551615", 18446744073709551615ULL);
	int_bad("08", "octal");
	int_bad("10lu", "suffix");
	int_bad("12e2", "coefficient");
	int_bad("1e17", "exponent");
	int_bad("18446744073709551616", "out of range");
	int_bad("0x10000000000000000", "out of range");

	str_ok("plain", "plain", 5);
	str_ok("\\n\\t\\r\\\"\\\\", "\n\t\r\"\\", 5);
	str_ok("\\033[31m", "\033[31m", 5);
	str_ok("\\101\\1012", "AA2", 3);
	str_ok("\\x41\\X42\\x4", "AB\x04", 3);
	str_ok("\\x4g", "\x04g", 2);
	str_ok("a\\0", "a\0", 2);
	str_ok("a\\0\\0", "a\0\0", 3);
	str_bad("a\\0b", "after a NUL", 1, "\\0");
	str_bad("a\\000\\x41", "after a NUL", 1, "\\0");
	str_bad("ab\\q", "invalid escape character", 2, "\\q");
	str_bad("\\e[0m", "invalid escape character", 0, "\\e");
	str_bad("x\\xg", "invalid escape character", 1, "\\x");
	str_bad("\\400", "out of range", 0, "\\400");
	str_bad("\\1\\q\\z", "invalid escape", 2, "\\q");
	return failures != 0;
}
