/*
 * debugf(fmt, ...): bpf_trace_printk(), whose line goes to the kernel's
 * trace buffer (/sys/kernel/tracing/trace_pipe), not to gotrace's output,
 * as in bpftrace 0.17. Its row is in sema/builtins.c, its codegen hook in
 * codegen/debugf.c.
 *
 * The kernel formats the line itself (bpf_bprintf_prepare()) and, on a
 * format it does not take, prints nothing and returns an error nobody
 * sees. So the format is checked here, with bpftrace 0.17's rules and
 * words: at most 3 conversions (the helper has 5 registers, 2 for the
 * format), from bpftrace's list for bpf_trace_printk (d u x, with l or ll,
 * p, s), each with its argument's type; and, which the kernel also
 * wants, flags "0+- " and a width but no precision, and printable
 * characters only.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "sema/sema_int.h"

#define DEBUGF_MAX_ARGS 3

/* bpftrace 0.17's bpf_trace_printk_format_types: 's' takes a string,
 * 'd' an integer. */
static const struct { const char *token; char kind; } tokens[] = {
	{ "d", 'd' }, { "u", 'd' }, { "x", 'd' }, { "ld", 'd' }, { "lu", 'd' },
	{ "lx", 'd' }, { "lld", 'd' }, { "llu", 'd' }, { "llx", 'd' },
	{ "p", 'd' }, { "s", 's' },
};

/* The conversion whose flags start at fmt + *i (just after '%'): its
 * kind, or 0 if debugf does not take it, with the token's text in tok.
 * Moves *i to its last character. */
static char conversion(const char *fmt, size_t *i, char *tok, size_t toklen)
{
	size_t j = *i, n = 0;

	while (fmt[j] == '0' || fmt[j] == '+' || fmt[j] == '-' || fmt[j] == ' ')
		j++;
	while (isdigit((unsigned char)fmt[j]))
		j++;
	while ((isalnum((unsigned char)fmt[j]) || fmt[j] == '.') && n + 1 < toklen)
		tok[n++] = fmt[j++];
	tok[n] = 0;
	*i = n ? j - 1 : j;
	for (size_t k = 0; k < sizeof(tokens) / sizeof(tokens[0]); k++)
		if (!strcmp(tok, tokens[k].token))
			return tokens[k].kind;
	return 0;
}

int sema_check_debugf(struct sema *s, struct node *n)
{
	struct node *fmt = n->args, *a;
	int nargs = 0, nconv = 0;
	const char *f;
	char tok[16];

	if (fmt->kind != N_STR)
		return sema_error(s, &fmt->loc, "debugf: the format must be a string literal");
	f = fmt->str;
	for (a = fmt->next; a; a = a->next)
		nargs++;
	for (size_t i = 0; f[i]; i++)
		if (f[i] == '%') {
			if (f[i + 1] == '%')
				i++;
			else
				nconv++;
		}
	if (nargs < nconv)
		return sema_error(s, &n->loc, "debugf: Not enough arguments for format "
				  "string (%d supplied, %d expected)", nargs, nconv);
	if (nargs > nconv)
		return sema_error(s, &n->loc, "debugf: Too many arguments for format "
				  "string (%d supplied, %d expected)", nargs, nconv);
	if (nargs > DEBUGF_MAX_ARGS)
		return sema_error(s, &n->loc, "debugf: Cannot use more than %d conversion "
				  "specifiers", DEBUGF_MAX_ARGS);
	a = fmt->next;
	for (size_t i = 0; f[i]; i++) {
		char kind;

		if (!isascii((unsigned char)f[i]) ||
		    (!isprint((unsigned char)f[i]) && !isspace((unsigned char)f[i])))
			return sema_error(s, &fmt->loc, "debugf: the kernel prints only "
					  "printable ASCII characters and spaces");
		if (f[i] != '%')
			continue;
		if (f[i + 1] == '%') {
			i++;
			continue;
		}
		i++;
		kind = conversion(f, &i, tok, sizeof(tok));
		if (!kind)
			return sema_error(s, &n->loc, "debugf: Unknown format string token: %%%s",
					  tok);
		if ((kind == 's') != (a->type.kind == GT_STR) ||
		    (kind == 'd' && a->type.kind != GT_INT))
			return sema_error(s, &a->loc, "debugf: %%%s specifier expects a value "
					  "of type %s", tok, kind == 's' ? "string" : "integer");
		a = a->next;
	}
	if (s->final)
		diag_warning(&n->loc, "The debugf() builtin is not recommended for "
			     "production use. For more information see "
			     "bpf_trace_printk in bpf-helpers(7).");
	return 0;
}
