/*
 * Diagnostics: every compile error is printed as
 *
 *     FILE:LINE:COL: error: MESSAGE
 *     <the source line>
 *         ^~~~
 *
 * before anything is loaded. Passes call diag_error() and return -EINVAL;
 * the driver stops after the first pass that failed. Nothing here exits.
 */
#ifndef GOTRACE_DIAG_H
#define GOTRACE_DIAG_H

#include <stdbool.h>
#include <stdio.h>

/* A source range, as bison's default YYLTYPE: lines and columns from 1. */
struct loc {
	int first_line, first_column;
	int last_line, last_column;
};

/* Where diagnostics go and which text they quote. The text is copied. */
void diag_set_source(const char *filename, const char *text);
const char *diag_filename(void);

void diag_error(const struct loc *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_warning(const struct loc *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A warning that has no place in the program (a run-time condition, an
 * ignored setting): "gotrace: warning: MESSAGE" on stderr. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, printed once however many probes or places come to it. */
void diag_warn_once(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --no-warnings: diag_warning() and diag_warn() print nothing, and
 * diag_warnings_on() says so to those that print warnings their own way. */
void diag_set_warnings(bool on);
bool diag_warnings_on(void);

/* The edit distance of two names, for "did you mean": 1000 for names
 * too long to compare. */
int diag_distance(const char *a, const char *b);

/* With -f json, each diagnostic is also written to f as one NDJSON
 * record, {"type": "error" or "warning", "data": {"file", "line",
 * "column", "message"}}; the text on stderr stays. NULL turns it off. */
void diag_set_json(FILE *f);

/* Number of errors printed so far. */
int diag_errors(void);
/* Forget the errors counted and the diagnostics printed, for a process
 * that compiles many programs (tests/fuzz/fuzz_compile.c). */
void diag_reset(void);

#endif
