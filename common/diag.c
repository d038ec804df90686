/*
 * Compile diagnostics with the offending source line and a caret under the
 * spot, the way C compilers and bpftrace show them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

static char *filename;
static char *source;
static int nerrors;
static FILE *json;	/* -f json: each diagnostic as an NDJSON record too */
static bool no_warnings;	/* --no-warnings */

void diag_set_warnings(bool on)
{
	no_warnings = !on;
}

bool diag_warnings_on(void)
{
	return !no_warnings;
}
static unsigned long seen[256];	/* hashes of the diagnostics printed */
static int nseen;

void diag_set_json(FILE *f)
{
	json = f;
}

static void json_string(const char *s)
{
	fputc('"', json);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(json, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", json);
		else if (c == '\t')
			fputs("\\t", json);
		else if (c < 0x20)
			fprintf(json, "\\u%04x", c);
		else
			fputc(c, json);
	}
	fputc('"', json);
}

/* {"type": "error", "data": {"file": ..., "line": N, "column": N,
 * "message": ...}}, as the runtime's records look. */
static void report_json(const char *kind, const struct loc *l, const char *msg)
{
	fprintf(json, "{\"type\": \"%s\", \"data\": {\"file\": ", kind);
	json_string(diag_filename());
	if (l && l->first_line > 0)
		fprintf(json, ", \"line\": %d, \"column\": %d", l->first_line, l->first_column);
	fputs(", \"message\": ", json);
	json_string(msg);
	fputs("}}\n", json);
	fflush(json);
}

void diag_set_source(const char *name, const char *text)
{
	free(filename);
	free(source);
	filename = strdup(name);
	source = strdup(text ? text : "");
	nerrors = 0;
	nseen = 0;
}

const char *diag_filename(void)
{
	return filename ? filename : "stdin";
}

/* Print source line `line` (from 1) and a caret line under [col, endcol]. */
static void quote(int line, int col, int endcol)
{
	const char *p = source;

	if (!p || line < 1)
		return;
	for (int i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return;
	int len = (int)strcspn(p, "\n");
	fprintf(stderr, "%.*s\n", len, p);
	/* Keep tabs so that the caret lines up under tab-indented code. */
	for (int i = 1; i < col && i <= len; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
	fputc('^', stderr);
	for (int i = col + 1; i <= endcol && i <= len; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
}

/* A probe with several attach points is checked once per program, each
 * with its own copy of the body: the same message at the same place is
 * printed once. */
static bool seen_before(const char *kind, const struct loc *l, const char *msg)
{
	unsigned long h = 5381;

	for (const char *p = msg; *p; p++)
		h = h * 33 + (unsigned char)*p;
	h = h * 33 + (unsigned char)kind[0];
	if (l)
		h = h * 33 + (unsigned long)l->first_line * 4096 + (unsigned long)l->first_column;
	for (int i = 0; i < nseen; i++)
		if (seen[i] == h)
			return true;
	if (nseen < 256)
		seen[nseen++] = h;
	return false;
}

static void report(const char *kind, const struct loc *l, const char *fmt, va_list ap)
{
	char msg[1024];
	va_list aq;

	va_copy(aq, ap);
	vsnprintf(msg, sizeof(msg), fmt, aq);
	va_end(aq);
	if (seen_before(kind, l, msg))
		return;
	if (json)
		report_json(kind, l, msg);
	if (l && l->first_line > 0)
		fprintf(stderr, "%s:%d:%d: %s: ", diag_filename(), l->first_line,
			l->first_column, kind);
	else
		fprintf(stderr, "%s: %s: ", diag_filename(), kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (l && l->first_line > 0) {
		int end = l->last_line == l->first_line ? l->last_column : 1 << 20;
		quote(l->first_line, l->first_column, end);
	}
}

void diag_error(const struct loc *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error", l, fmt, ap);
	va_end(ap);
	nerrors++;
}

void diag_warning(const struct loc *l, const char *fmt, ...)
{
	va_list ap;

	if (no_warnings)
		return;
	va_start(ap, fmt);
	report("warning", l, fmt, ap);
	va_end(ap);
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;

	if (no_warnings)
		return;
	va_start(ap, fmt);
	fputs("gotrace: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void diag_warn_once(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (no_warnings)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!seen_before("once", NULL, msg))
		fprintf(stderr, "gotrace: warning: %s\n", msg);
}

int diag_errors(void)
{
	return nerrors;
}

void diag_reset(void)
{
	nerrors = 0;
	nseen = 0;
}

int diag_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[128];

	if (la > 120 || lb > 120)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0], tmp;

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev :
				 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
				      (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = tmp;
		}
	}
	return row[lb];
}
