/*
 * printf() in user space.
 *
 * bpftrace 0.17 hands each conversion to the C library's printf with the
 * 64-bit argument, so a conversion reads the argument the way C varargs
 * would: %d and %x read an int (the low 32 bits: printf("%x", -1) prints
 * ffffffff), %ld/%lld/%zd/%jd read all 64 bits, %hd and %hhd narrow further,
 * %p prints 0x... or "(nil)", %c writes one byte (a NUL is dropped). We do the
 * same, casting explicitly so we stay within defined C, and let glibc do
 * flags, width and precision, which makes the output match byte for byte.
 *
 * %s prints a string argument up to its NUL; any other argument type
 * (stack, usym, probe, tuple, int) prints in its text form. A conversion we
 * do not know, or one without an argument left, is copied literally; sema
 * rejects those anyway.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

struct spec {
	char fmt[48];		/* "%-08.3lld" rebuilt for the C library */
	char conv;		/* d i u o x X c s p */
	bool wide;		/* l, ll, z, j or t: a 64-bit argument */
	size_t len;		/* characters of the format consumed */
};

static bool is_conv(char c)
{
	return c && strchr("diuoxXcspr", c);
}

/* Parse "%[flags][width][.prec][len]conv" at s (which points at '%'). */
static bool parse_spec(const char *s, struct spec *sp)
{
	const char *p = s + 1, *len_at;
	size_t n;

	p += strspn(p, "-+ #0");
	p += strspn(p, "0123456789");
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	len_at = p;
	p += strspn(p, "hlzjt");
	if (p - len_at > 2 || !is_conv(*p))
		return false;
	sp->conv = *p;
	sp->wide = memchr(len_at, 'l', p - len_at) ||
		   memchr(len_at, 'z', p - len_at) ||
		   memchr(len_at, 'j', p - len_at) ||
		   memchr(len_at, 't', p - len_at);
	sp->len = p + 1 - s;
	n = len_at - s;
	if (n + 4 > sizeof(sp->fmt))
		return false;
	memcpy(sp->fmt, s, n);
	/* c, s and p take no length modifier in our rebuilt format; a 64-bit
	 * integer gets "ll", h and hh stay. */
	if (strchr("cspr", sp->conv))	/* %r: a buffer's text, as %s */
		snprintf(sp->fmt + n, sizeof(sp->fmt) - n, "%c", sp->conv == 'r' ? 's' : sp->conv);
	else
		snprintf(sp->fmt + n, sizeof(sp->fmt) - n, "%.*s%c",
			 sp->wide ? 2 : (int)(p - len_at),
			 sp->wide ? "ll" : len_at, sp->conv);
	return true;
}

/* Each conversion is formatted on its own and kept up to its first NUL:
 * bpftrace treats every formatted piece as a C string, so printf("a%cb", 0)
 * prints "ab". */
static void emit(FILE *f, char *s, int n)
{
	if (n >= 0 && s)
		fputs(s, f);
	if (n >= 0)
		free(s);
}

static void format_string(FILE *f, const struct spec *sp,
			  const struct gt_type *t, const uint8_t *p)
{
	char *s, *out = NULL;
	int n;

	if (t->kind == GT_STR)
		s = strndup((const char *)p, t->size);
	else
		s = out_value_str(t, p);
	/* asprintf() first: in emit(f, out, asprintf(&out, ...)) the order
	 * in which arguments are evaluated is unspecified, and clang reads
	 * out (still NULL) before the call sets it. */
	n = asprintf(&out, sp->fmt, s ? s : "");
	emit(f, out, n);
	free(s);
}

static void format_arg(FILE *f, const struct spec *sp, const struct gt_type *t,
		       const uint8_t *p)
{
	uint64_t v = out_u64(p);
	char *out = NULL;
	int n;

	switch (sp->conv) {
	case 's':
	case 'r':
		format_string(f, sp, t, p);
		return;
	case 'p':
		n = asprintf(&out, sp->fmt, (void *)(uintptr_t)v);
		break;
	case 'c':
		n = asprintf(&out, sp->fmt, (int)v);
		break;
	case 'd':
	case 'i':
		if (sp->wide)
			n = asprintf(&out, sp->fmt, (long long)v);
		else
			n = asprintf(&out, sp->fmt, (int)v);
		break;
	default:
		if (sp->wide)
			n = asprintf(&out, sp->fmt, (unsigned long long)v);
		else
			n = asprintf(&out, sp->fmt, (unsigned)v);
		break;
	}
	emit(f, out, n);
}

/* Formats into f; returns nothing, writes what it can. */
void out_printf_format(FILE *f, const char *fmt, const struct gt_type *args,
		       int nargs, const uint8_t *data)
{
	unsigned off = 0;
	int ai = 0;

	for (const char *s = fmt; *s;) {
		struct spec sp;

		/* bpftrace 0.17 passes the text up to each conversion through
		 * snprintf, but writes what follows the last one as it is:
		 * there "%%" stays "%%". */
		if (ai == nargs) {
			fputs(s, f);
			return;
		}
		if (*s != '%') {
			size_t n = strcspn(s, "%");

			fwrite(s, 1, n, f);
			s += n;
		} else if (s[1] == '%') {
			fputc('%', f);
			s += 2;
		} else if (parse_spec(s, &sp) && ai < nargs && data) {
			format_arg(f, &sp, &args[ai], data + off);
			off = gt_align8(off + args[ai].size);
			ai++;
			s += sp.len;
		} else {
			fputc(*s++, f);
		}
	}
}
