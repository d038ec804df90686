/*
 * Integer and string literals: what a token's text means. The lexer's
 * patterns decide where a literal ends (lexer/lexer.l); these functions
 * decide its value, with bpftrace 0.17's rules, so that a script's
 * numbers and escapes mean what they mean under bpftrace: 0123 is octal,
 * "\033" is ESC, and "\q" is an error rather than a silent 'q'.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lexer/literals.h"

/* C's integer size suffixes, which only say "this is an integer" here:
 * every integer is 64 bits. */
static int size_suffix(const char *s)
{
	static const char *const ok[] = { "", "u", "l", "ll", "ul", "ull" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcasecmp(s, ok[i]) == 0)
			return 1;
	return 0;
}

/* Digits in base (0: C's rule, a leading 0 is octal), then a suffix. */
static const char *parse_digits(const char *s, int base, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, base);
	if (errno == ERANGE)
		return "integer literal out of range (more than 64 bits)";
	if (base == 0 && s[0] == '0' && isdigit((unsigned char)*end))
		return "invalid digit in an octal literal (a leading 0 makes it octal)";
	if (end == s || !size_suffix(end))
		return "invalid integer suffix (use u, l, ul, ll or ull)";
	return NULL;
}

/* 1e6: bpftrace allows a one-digit coefficient and an exponent up to 16,
 * which keeps every such literal inside 64 bits. */
static const char *parse_exponent(char *s, char *e, uint64_t *out)
{
	uint64_t coeff, exp;

	*e = 0;
	if (parse_digits(s, 10, &coeff) || coeff > 9)
		return "the coefficient of a scientific literal must be one digit (0 to 9)";
	if (parse_digits(e + 1, 10, &exp) || exp > 16)
		return "the exponent of a scientific literal must be at most 16 "
		       "(larger overflows 64 bits)";
	*out = coeff;
	while (exp--)
		*out *= 10;
	return NULL;
}

const char *lit_int(const char *text, uint64_t *out)
{
	char buf[128], *o = buf, *e;

	for (const char *p = text; *p; p++) {
		if (*p == '_')
			continue;
		if (o == buf + sizeof(buf) - 1)
			return "integer literal out of range (more than 64 bits)";
		*o++ = *p;
	}
	*o = 0;
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		return parse_digits(buf, 16, out);
	e = strpbrk(buf, "eE");
	if (e)
		return parse_exponent(buf, e, out);
	return parse_digits(buf, 0, out);
}

/* Sets *err once: the first bad escape is the one reported. */
static void escape_error(struct lit_error *err, const char *msg,
			 const char *s, int at, int len)
{
	if (err->msg)
		return;
	err->msg = msg;
	err->offset = at;
	err->len = len;
	if (len > (int)sizeof(err->text) - 1)
		len = sizeof(err->text) - 1;
	memcpy(err->text, s + at, len);
	err->text[len] = 0;
}

/* The length of a run of at most max digits of the class at s[i..len). */
static int run(const char *s, int i, int len, int max, int (*is)(int))
{
	int n = 0;

	while (n < max && i + n < len && is((unsigned char)s[i + n]))
		n++;
	return n;
}

static int isodigit(int c)
{
	return c >= '0' && c <= '7';
}

/* One escape at s[i] (the backslash): its byte into *o, and the length
 * of the escape as written. */
static int escape(const char *s, int i, int len, char *o, struct lit_error *err)
{
	static const char simple[][2] = {
		{ 'n', '\n' }, { 't', '\t' }, { 'r', '\r' }, { '"', '"' }, { '\\', '\\' },
	};
	char c = i + 1 < len ? s[i + 1] : 0, digits[4] = { 0 };
	int n;

	for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
		if (c == simple[k][0]) {
			*o = simple[k][1];
			return 2;
		}
	}
	if ((n = run(s, i + 1, len, 3, isodigit)) > 0) {
		long v;

		memcpy(digits, s + i + 1, n);
		v = strtol(digits, NULL, 8);
		if (v > 255)
			escape_error(err, "octal escape sequence out of range", s, i, n + 1);
		*o = (char)v;
		return n + 1;
	}
	if ((c == 'x' || c == 'X') && (n = run(s, i + 2, len, 2, isxdigit)) > 0) {
		memcpy(digits, s + i + 2, n);
		*o = (char)strtol(digits, NULL, 16);
		return n + 2;
	}
	escape_error(err, "invalid escape character", s, i, c ? 2 : 1);
	*o = c;
	return c ? 2 : 1;
}

char *lit_unescape(const char *s, int len, int *out_len, struct lit_error *err)
{
	char *out = malloc(len + 1), *o = out;
	int nul = -1, n;	/* where the first \0 is written */

	memset(err, 0, sizeof(*err));
	for (int i = 0; i < len; i += n) {
		if (s[i] != '\\') {
			n = 1;
			*o = s[i];
		} else {
			n = escape(s, i, len, o, err);
		}
		/* Strings are NUL-terminated from here on: what follows a NUL
		 * would be dropped (bpftrace's printf prints it). */
		if (*o && nul >= 0)
			escape_error(err, "a string cannot go on after a NUL byte", s, nul, 2);
		if (!*o && nul < 0)
			nul = i;
		o++;
	}
	*o = 0;
	if (out_len)
		*out_len = o - out;
	return out;
}
