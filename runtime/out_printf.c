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
 *
 * This runs once per event of a stream that may carry millions a second,
 * so a record is built in a line buffer and handed to stdio with one
 * fwrite, and the conversions tracing scripts use most (%d %u %x %X %s %c
 * %p with no flags, width or precision) are written here, without
 * snprintf or malloc. The others go through snprintf as before.
 */
#include <stdlib.h>

#include "runtime/out_int.h"

struct spec {
	const char *at;		/* the '%' */
	const char *len_at;	/* the length modifier (or conv) */
	int nlen;		/* characters of the length modifier */
	char conv;		/* d i u o x X c s p r */
	char rmode;		/* r: 'r', or 'x' for %rx, 'h' for %rh */
	bool wide;		/* l, ll, z, j or t: a 64-bit argument */
	bool plain;		/* no flags, width or precision */
	size_t len;		/* characters of the format consumed */
};

/* The record being formatted: pieces are appended here and reach the
 * stream in one fwrite (or more for a record longer than the buffer). */
struct line {
	FILE *f;
	size_t n;
	char buf[2048];
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - l->n) {
		fwrite(l->buf, 1, l->n, l->f);
		l->n = 0;
		if (n > sizeof(l->buf)) {
			fwrite(s, 1, n, l->f);
			return;
		}
	}
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* v in base 10 or 16, with a '-' when neg. */
static void put_num(struct line *l, uint64_t v, bool neg, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		*--p = '-';
	put(l, p, tmp + sizeof(tmp) - p);
}

static bool is_conv(char c)
{
	switch (c) {
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
	case 'c': case 's': case 'p': case 'r':
		return true;
	default:
		return false;
	}
}

static bool is_flag(char c)
{
	return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_length(char c)
{
	return c == 'h' || c == 'l' || c == 'z' || c == 'j' || c == 't';
}

static const char *skip(const char *p, bool (*in)(char))
{
	while (in(*p))
		p++;
	return p;
}

/* Parse "%[flags][width][.prec][len]conv" at s (which points at '%'). */
static bool parse_spec(const char *s, struct spec *sp)
{
	const char *p = s + 1;

	p = skip(skip(p, is_flag), is_digit);
	if (*p == '.')
		p = skip(p + 1, is_digit);
	sp->plain = p == s + 1;
	sp->len_at = p;
	p = skip(p, is_length);
	sp->nlen = (int)(p - sp->len_at);
	if (sp->nlen > 2 || !is_conv(*p))
		return false;
	sp->at = s;
	sp->conv = *p;
	sp->wide = memchr(sp->len_at, 'l', sp->nlen) || memchr(sp->len_at, 'z', sp->nlen) ||
		   memchr(sp->len_at, 'j', sp->nlen) || memchr(sp->len_at, 't', sp->nlen);
	sp->len = p + 1 - s;
	sp->rmode = 'r';
	if (sp->conv == 'r' && (p[1] == 'x' || p[1] == 'h')) {
		sp->rmode = p[1];	/* %rx, %rh: bpftrace's hex forms of a buffer */
		sp->len++;
	}
	return true;
}

/* The conversion rebuilt for the C library: c, s and p take no length
 * modifier, a 64-bit integer gets "ll", h and hh stay. */
static bool c_format(const struct spec *sp, char *fmt, size_t size)
{
	size_t n = sp->len_at - sp->at;

	if (n + 4 > size)
		return false;
	memcpy(fmt, sp->at, n);
	if (strchr("cspr", sp->conv))	/* %r: a buffer's text, as %s */
		snprintf(fmt + n, size - n, "%c", sp->conv == 'r' ? 's' : sp->conv);
	else
		snprintf(fmt + n, size - n, "%.*s%c", sp->wide ? 2 : sp->nlen,
			 sp->wide ? "ll" : sp->len_at, sp->conv);
	return true;
}

/* The integer a conversion reads from v, as C varargs would. */
static int64_t as_signed(const struct spec *sp, uint64_t v)
{
	if (sp->wide)
		return (int64_t)v;
	if (sp->nlen == 2)
		return (signed char)v;
	if (sp->nlen == 1)
		return (short)v;
	return (int)v;
}

static uint64_t as_unsigned(const struct spec *sp, uint64_t v)
{
	if (sp->wide)
		return v;
	if (sp->nlen == 2)
		return (unsigned char)v;
	if (sp->nlen == 1)
		return (unsigned short)v;
	return (unsigned)v;
}

/* One conversion through the C library. Each is formatted on its own and
 * kept up to its first NUL: bpftrace treats every formatted piece as a C
 * string, so printf("a%cb", 0) prints "ab". */
static void put_c(struct line *l, const struct spec *sp, uint64_t v, const char *s)
{
	char fmt[48], tmp[256], *out = tmp;
	int n;

	if (!c_format(sp, fmt, sizeof(fmt)))
		return;
	for (int pass = 0; pass < 2; pass++) {
		size_t size = pass ? (size_t)n + 1 : sizeof(tmp);

		if (pass && !(out = malloc(size)))
			return;
		switch (sp->conv) {
		case 's': case 'r':
			n = snprintf(out, size, fmt, s);
			break;
		case 'p':
			n = snprintf(out, size, fmt, (void *)(uintptr_t)v);
			break;
		case 'c':
			n = snprintf(out, size, fmt, (int)v);
			break;
		case 'd': case 'i':
			n = sp->wide ? snprintf(out, size, fmt, (long long)v) :
				       snprintf(out, size, fmt, (int)v);
			break;
		default:
			n = sp->wide ? snprintf(out, size, fmt, (unsigned long long)v) :
				       snprintf(out, size, fmt, (unsigned)v);
			break;
		}
		if (n < 0 || (size_t)n < size)
			break;
	}
	if (n >= 0)
		put_str(l, out);
	if (out != tmp)
		free(out);
}

static void format_string(struct line *l, const struct spec *sp,
			  const struct gt_type *t, const uint8_t *p)
{
	char *s = NULL;
	size_t n;

	if (t->kind == GT_STR) {
		n = strnlen((const char *)p, t->size);
		if (sp->plain) {
			put(l, (const char *)p, n);
			return;
		}
		s = strndup((const char *)p, n);
	} else if (t->kind == GT_BUF) {
		size_t len = 0;

		MEMSTREAM(s, len, f, out_buf_write(f, t, p, sp->rmode));
	} else {
		s = out_value_str(t, p);
	}
	if (sp->plain)
		put_str(l, s ? s : "");
	else
		put_c(l, sp, 0, s ? s : "");
	free(s);
}

static void format_arg(struct line *l, const struct spec *sp, const struct gt_type *t,
		       const uint8_t *p)
{
	uint64_t v = out_u64(p);
	int64_t sv;
	char c;

	if (sp->conv == 's' || sp->conv == 'r') {
		format_string(l, sp, t, p);
		return;
	}
	if (!sp->plain) {
		put_c(l, sp, v, NULL);
		return;
	}
	switch (sp->conv) {
	case 'd':
	case 'i':
		sv = as_signed(sp, v);
		put_num(l, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0, 10, false);
		break;
	case 'u':
		put_num(l, as_unsigned(sp, v), false, 10, false);
		break;
	case 'x':
	case 'X':
		put_num(l, as_unsigned(sp, v), false, 16, sp->conv == 'X');
		break;
	case 'c':
		if ((c = (char)v))
			put(l, &c, 1);
		break;
	case 'p':
		if (!v) {
			put_str(l, "(nil)");
			break;
		}
		put(l, "0x", 2);
		put_num(l, v, false, 16, false);
		break;
	default:
		put_c(l, sp, v, NULL);
		break;
	}
}

/* Formats into f; returns nothing, writes what it can. */
void out_printf_format(FILE *f, const char *fmt, const struct gt_type *args,
		       int nargs, const uint8_t *data)
{
	struct line l;
	unsigned off = 0;
	int ai = 0;

	l.f = f;
	l.n = 0;
	for (const char *s = fmt; *s;) {
		struct spec sp;

		/* bpftrace 0.17 passes the text up to each conversion through
		 * snprintf, but writes what follows the last one as it is:
		 * there "%%" stays "%%". */
		if (ai == nargs) {
			put_str(&l, s);
			break;
		}
		if (*s != '%') {
			size_t n = strcspn(s, "%");

			put(&l, s, n);
			s += n;
		} else if (s[1] == '%') {
			put(&l, "%", 1);
			s += 2;
		} else if (parse_spec(s, &sp) && data) {
			format_arg(&l, &sp, &args[ai], data + off);
			off = gt_align8(off + args[ai].size);
			ai++;
			s += sp.len;
		} else {
			put(&l, s++, 1);
		}
	}
	fwrite(l.buf, 1, l.n, f);
}
