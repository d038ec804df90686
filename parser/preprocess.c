/*
 * The preprocessor lines bpftrace scripts use.
 *
 * bpftrace 0.17 runs clang's preprocessor over a script; gotrace does
 * what its shipped tools need, and refuses the rest clearly:
 *
 *   #include <...>             the header's integer #defines are read
 *                              (AF_INET from <sys/socket.h>), from
 *                              /usr/include, following its #includes;
 *                              its types are not: they come from the
 *                              kernel's BTF or the script, and an
 *                              unknown one is an error where it is used;
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
#define MAX_HEADERS 400		/* header files read for one program */

static const char *const include_dirs[] = {
	"/usr/include/x86_64-linux-gnu", "/usr/include", "/usr/local/include",
};

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

/* A header's #define: kept unless the program defined the name itself;
 * two headers that disagree make it ambiguous (their #if branches are
 * not evaluated, so either could be the one clang would take). */
static void define_header(struct pp *pp, const char *name, size_t len, const char *val)
{
	struct macro *m = find(pp->macros, name, len);
	char *v = strdup(val);
	size_t vlen = strlen(v);

	while (vlen && isspace((unsigned char)v[vlen - 1]))
		v[--vlen] = 0;
	if (!m) {
		define(&pp->macros, name, len, v, 0);
		pp->macros->header = true;
	} else if (m->header && strcmp(m->value, v)) {
		m->ambiguous = true;
	}
	free(v);
}

/* The value of a #define line: comments dropped; "" for a value that
 * continues on the next line (never an integer). */
static void clean_value(char *v)
{
	char *c;

	if ((c = strstr(v, "/*")))
		*c = 0;
	if ((c = strstr(v, "//")))
		*c = 0;
	if (strchr(v, '\\'))
		*v = 0;
}

static void include_file(struct pp *pp, const char *name, int depth);

/* The #define and #include lines of one header file. */
static void read_header(struct pp *pp, FILE *f, int depth)
{
	char line[1024];

	while (fgets(line, sizeof(line), f)) {
		char *p = line, *arg;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '#')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(p, "define", 6) && (p[6] == ' ' || p[6] == '\t')) {
			arg = p + 7;
			while (*arg == ' ' || *arg == '\t')
				arg++;
			n = ident_at(arg);
			if (n && arg[n] != '(') {
				char *v = arg + n;

				clean_value(v);
				while (*v == ' ' || *v == '\t')
					v++;
				define_header(pp, arg, n, v);
			}
		} else if (!strncmp(p, "include", 7)) {
			char *open = strpbrk(p + 7, "<\""), *close;

			if (open && (close = strpbrk(open + 1, ">\""))) {
				*close = 0;
				include_file(pp, open + 1, depth + 1);
			}
		}
	}
}

/* #include <name>: its file in the include directories, read once. A
 * header not found is no error: its types may be in BTF. */
static void include_file(struct pp *pp, const char *name, int depth)
{
	char path[4096];

	if (depth > 12 || pp->nseen >= MAX_HEADERS || strstr(name, ".."))
		return;
	for (size_t i = 0; i < sizeof(include_dirs) / sizeof(*include_dirs); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", include_dirs[i], name);
		for (int j = 0; j < pp->nseen; j++)
			if (!strcmp(pp->seen[j], path))
				return;
		if (!(f = fopen(path, "r")))
			continue;
		pp->seen = xrealloc(pp->seen, (pp->nseen + 1) * sizeof(*pp->seen));
		pp->seen[pp->nseen++] = xstrdup(path);
		read_header(pp, f, depth);
		fclose(f);
		return;
	}
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
	if (kw == 7 && !strncmp(p, "include", 7)) {
		char *open = strpbrk(arg, "<\""), *close;

		if (open && (close = strpbrk(open + 1, ">\""))) {
			char saved = *close;

			*close = 0;
			include_file(pp, open + 1, 0);
			*close = saved;
		}
		return 0;
	}
	if (kw == 6 && !strncmp(p, "define", 6)) {
		if (!n)
			return diag_error(&l, "#define needs a macro name"), -EINVAL;
		if (arg[n] == '(')
			return diag_error(&l, "#define %.*s(...): macros with parameters are "
					  "not supported", (int)n, arg), -EINVAL;
		{
			char *v = xstrdup(skip_blanks(arg + n));

			clean_value(v);
			define(&pp->macros, arg, n, v, line);
			free(v);
		}
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

	return m && !m->undefined && (m->line > 0 || m->header) ? m : NULL;
}

/* An integer literal, in parentheses or not, with C's suffixes. */
static bool int_value(const char *p, int64_t *num)
{
	int parens = 0;
	char *end;

	while (*p == '(' || *p == ' ')
		parens += *p++ == '(';
	if (!isdigit((unsigned char)*p) && *p != '-')
		return false;
	*num = strtoll(p, &end, 0);
	if (end == p)
		return false;
	while (*end && strchr("uUlL", *end))
		end++;
	while (*end == ' ' || (*end == ')' && parens-- > 0))
		end++;
	return !*end && parens == 0;
}

enum pp_kind pp_value(const struct pp *pp, const char *name, int64_t *num,
		      const char **str, int *len, const struct macro **out)
{
	const struct macro *first = pp_find(pp, name), *m = first;

	*out = first;
	for (int i = 0; m && i < 8; i++) {
		const char *v = m->value;
		size_t n = strlen(v);

		if (m->ambiguous)
			return *out = m, PP_BAD;
		if (int_value(v, num))
			return PP_INT;
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			*str = v + 1;
			*len = (int)n - 2;
			return PP_STRING;
		}
		if (ident_at(v) != n || n == 0)
			break;
		m = pp_find(pp, v);	/* #define AF_INET PF_INET */
	}
	/* a header's other macros (types, expressions) are left alone */
	return first && first->header ? PP_NONE : first ? PP_BAD : PP_NONE;
}
