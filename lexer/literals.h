/*
 * The values of integer and string literals, as bpftrace 0.17 reads them.
 * Pure functions: they return an error message instead of printing it, so
 * the lexer decides where to point, and unit tests can call them.
 */
#ifndef GOTRACE_LITERALS_H
#define GOTRACE_LITERALS_H

#include <stddef.h>
#include <stdint.h>

/* The value of an integer literal as the lexer matched it: decimal, octal
 * (a leading 0), hex (0x), digits separated by '_', a C size suffix (u, l,
 * ul, ll, ull, any case) and scientific notation (1e6: the coefficient is
 * one digit, the exponent at most 16). Returns NULL, or a message. */
const char *lit_int(const char *text, uint64_t *out);

/* Where a string literal's escape went wrong. */
struct lit_error {
	const char *msg;	/* NULL when there is no error */
	int offset, len;	/* of the escape, in the text given */
	char text[8];		/* the escape as written, for the message */
};

/* The bytes of the string literal between its quotes (s, len), decoded:
 * \n \t \r \" \\, octal \NNN (1 to 3 digits, at most \377) and hex \xNN
 * (1 or 2 digits). Any other escape is an error, and so is anything
 * after a NUL (\0): gotrace's strings end there. Returns a new string
 * (with *out_len its length); on an error, err says which escape and
 * why, and the string is still returned. */
char *lit_unescape(const char *s, int len, int *out_len, struct lit_error *err);

#endif
