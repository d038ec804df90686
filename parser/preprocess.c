/*
 * The preprocessor lines bpftrace scripts use.
 *
 * bpftrace 0.17 runs clang's preprocessor over a script; gotrace does
 * what its shipped tools need, and refuses the rest clearly:
 *
 *   #include <...>             accepted and dropped: the types a program
 *                              uses come from the kernel's BTF or from
 *                              the script, and an unknown one is an
 *                              error where it is used;
 *   #define NAME value         an object-like macro, substituted by the
 *                              lexer where NAME appears (an integer or a
 *                              string; any other value is an error there);
 *   #undef NAME
 *   #ifdef / #ifndef / #else / #endif
 *                              on macro names, BPFTRACE_HAVE_BTF included
 *                              (gotrace always reads the kernel's BTF).
 *
 * Directive lines, and the lines a false conditional skips, are blanked
 * in place (newlines kept), so every token keeps its line and column.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "parser/preprocess.h"

#define MAX_NESTING 32

static struct macro *find(struct macro *list, const char *name, size_t len)
{
	for (; list; list = list->next)
		if (strlen(list->name) == len && !strncmp(list->name, name, len))
			return list;
	return NULL;
}

static void define(struct macro **list, const char *name, size_t len, const char *val,
		   int line)
{
	struct macro *m = find(*list, name, len);
	size_t vlen = strlen(val);

	while (vlen && isspace((unsigned char)val[vlen - 1]))
		vlen--;
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->name = strndup(name, len);
		m->next = *list;
		*list = m;
	}
	free(m->value);
	m->value = strndup(val, vlen);
	m->line = line;
	m->undefined = false;
}

/* The identifier at p (after blanks): its length, 0 if none. */
static size_t ident_at(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One directive line (from after the '#', up to its end, NUL ended).
 * *skipping says whether the lines after it are dropped. */
static int directive(struct pp *pp, char *p, int line, bool *stack, int *depth)
{
	bool live = *depth == 0 || stack[*depth - 1];
	struct loc l = { line, 1, line, 1 };
	size_t kw = ident_at(p), n;
	const char *arg = skip_blanks(p + kw);

	n = ident_at(arg);
	if (kw == 5 && !strncmp(p, "endif", 5)) {
		if (*depth == 0)
			return diag_error(&l, "#endif without #if"), -EINVAL;
		(*depth)--;
		return 0;
	}
	if (kw == 4 && !strncmp(p, "else", 4)) {
		if (*depth == 0)
			return diag_error(&l, "#else without #if"), -EINVAL;
		stack[*depth - 1] = !stack[*depth - 1] &&
				    (*depth == 1 || stack[*depth - 2]);
		return 0;
	}
	if ((kw == 5 && !strncmp(p, "ifdef", 5)) || (kw == 6 && !strncmp(p, "ifndef", 6))) {
		struct macro *m;
		bool def;

		if (*depth == MAX_NESTING)
			return diag_error(&l, "#if nested too deeply"), -EINVAL;
		if (!n)
			return diag_error(&l, "#%.*s needs a macro name", (int)kw, p), -EINVAL;
		m = find(pp->macros, arg, n);
		def = m && !m->undefined;
		stack[(*depth)++] = live && (kw == 5 ? def : !def);
		return 0;
	}
	if (kw == 2 && !strncmp(p, "if", 2))
		return diag_error(&l, "#if is not supported: only #ifdef, #ifndef, #else "
				  "and #endif"), -EINVAL;
	if (!live)
		return 0;
	if (kw == 7 && !strncmp(p, "include", 7))
		return 0;
	if (kw == 6 && !strncmp(p, "define", 6)) {
		if (!n)
			return diag_error(&l, "#define needs a macro name"), -EINVAL;
		if (arg[n] == '(')
			return diag_error(&l, "#define %.*s(...): macros with parameters are "
					  "not supported", (int)n, arg), -EINVAL;
		define(&pp->macros, arg, n, skip_blanks(arg + n), line);
		return 0;
	}
	if (kw == 5 && !strncmp(p, "undef", 5)) {
		struct macro *m = n ? find(pp->macros, arg, n) : NULL;

		if (m)
			m->undefined = true;
		return 0;
	}
	return diag_error(&l, "unsupported preprocessor directive '#%.*s'", (int)kw, p), -EINVAL;
}

/* Whether a block comment is still open at the end of [p, eol), given
 * whether one was open at p. Strings are skipped: a comment opener in one is text. */
static bool comment_after(const char *p, const char *eol, bool open)
{
	for (; p < eol; p++) {
		if (open) {
			if (p[0] == '*' && p + 1 < eol && p[1] == '/')
				open = false, p++;
		} else if (p[0] == '"') {
			for (p++; p < eol && *p != '"'; p++)
				if (*p == '\\')
					p++;
		} else if (p[0] == '/' && p + 1 < eol && p[1] == '/') {
			return false;
		} else if (p[0] == '/' && p + 1 < eol && p[1] == '*') {
			open = true, p++;
		}
	}
	return open;
}

int pp_run(struct pp *pp, char *text)
{
	bool stack[MAX_NESTING], in_comment = false;
	int depth = 0, line = 1, rc = 0;
	char *p = text;

	pp->macros = NULL;
	define(&pp->macros, "BPFTRACE_HAVE_BTF", 17, "1", 0);
	while (*p) {
		char *eol = strchr(p, '\n'), *q = (char *)skip_blanks(p);
		bool live = depth == 0 || stack[depth - 1];
		char saved;

		if (!eol)
			eol = p + strlen(p);
		/* the first line may be "#!/usr/bin/env bpftrace": the lexer's;
		 * a '#' inside a comment is text */
		if (*q == '#' && !in_comment && !(line == 1 && q[1] == '!')) {
			saved = *eol;
			*eol = 0;
			rc = rc ? rc : directive(pp, (char *)skip_blanks(q + 1), line, stack, &depth);
			*eol = saved;
			memset(p, ' ', eol - p);
		} else if (!live) {
			memset(p, ' ', eol - p);
		} else {
			in_comment = comment_after(p, eol, in_comment);
		}
		p = *eol ? eol + 1 : eol;
		line++;
	}
	if (!rc && depth) {
		struct loc l = { line - 1, 1, line - 1, 1 };

		diag_error(&l, "#ifdef without #endif");
		rc = -EINVAL;
	}
	return rc;
}

const struct macro *pp_find(const struct pp *pp, const char *name)
{
	const struct macro *m = find(pp->macros, name, strlen(name));

	return m && !m->undefined && m->line > 0 ? m : NULL;
}
