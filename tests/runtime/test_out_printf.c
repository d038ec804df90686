/*
 * out_printf(): conversions, flags, widths, length modifiers, argument
 * layout (each argument aligned to 8 bytes, strings rounded up), JSON
 * wrapping and escaping.
 *
 * Expected strings were printed by the real bpftrace 0.17 on this machine
 * for the printf() calls quoted above each test (`bpftrace -e 'BEGIN {
 * printf(...); exit(); }'`, and with -f json).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/runtime/out_test.h"

/* Arguments laid out as the BPF side lays them out. Padding is filled with
 * 0xaa so reading it by mistake shows. */
struct args {
	struct gt_type t[32];
	int n;
	unsigned off;
	uint8_t data[4096];
};

static void args_init(struct args *a)
{
	a->n = 0;
	a->off = 0;
	memset(a->data, 0xaa, sizeof(a->data));
}

static void arg_int(struct args *a, int64_t v)
{
	a->t[a->n++] = (struct gt_type){ .kind = GT_INT, .size = 8,
					 .is_signed = true };
	memcpy(a->data + a->off, &v, 8);
	a->off += 8;
}

static void arg_str(struct args *a, const char *s, unsigned size)
{
	a->t[a->n++] = (struct gt_type){ .kind = GT_STR, .size = size };
	memset(a->data + a->off, 0, size);
	memcpy(a->data + a->off, s, strnlen(s, size));
	a->off += (size + 7) & ~7u;
}

static char *run(const char *fmt, struct args *a, enum out_format format)
{
	struct mem_out mo;

	out_printf(mem_open(&mo, format), fmt, a->t, a->n, a->data);
	return mem_close(&mo);
}

/* printf("[%d] [%5d] [%-5d] [%05d] [%u] [%x] [%X] [%08x] [%c] [%s] [%10s]
 * [%-10s] [%p] [%%] [%ld] [%lld] [%hd] [%hhd] [%lu] [%llx] [%hx] [%hhx]
 * [%hhu]\n", -42, 42, 42, 42, -1, -1, 255, 255, 65, "str", "ab", "ab",
 * 4096, -1, -1, 70000, 300, -1, -1, -1, -1, -1)
 * %d and %x read 32 bits, %ld 64, %hd 16, %hhd 8, as C varargs would. */
static void test_conversions(void)
{
	struct args a;
	static const int64_t ints1[] = { -42, 42, 42, 42, -1, -1, 255, 255, 65 };
	static const int64_t ints2[] = { 4096, -1, -1, 70000, 300, -1, -1, -1,
					 -1, -1 };

	args_init(&a);
	for (unsigned i = 0; i < sizeof(ints1) / 8; i++)
		arg_int(&a, ints1[i]);
	arg_str(&a, "str", 64);
	arg_str(&a, "ab", 13);	/* 13 bytes: the next argument is at +16 */
	arg_str(&a, "ab", 64);
	for (unsigned i = 0; i < sizeof(ints2) / 8; i++)
		arg_int(&a, ints2[i]);
	expect("conversions",
	       run("[%d] [%5d] [%-5d] [%05d] [%u] [%x] [%X] [%08x] [%c] [%s] "
		   "[%10s] [%-10s] [%p] [%%] [%ld] [%lld] [%hd] [%hhd] [%lu] "
		   "[%llx] [%hx] [%hhx] [%hhu]\n", &a, OUT_TEXT),
	       "[-42] [   42] [42   ] [00042] [4294967295] [ffffffff] [FF] "
	       "[000000ff] [A] [str] [        ab] [ab        ] [0x1000] [%] "
	       "[-1] [-1] [4464] [44] [18446744073709551615] "
	       "[ffffffffffffffff] [ffff] [ff] [255]\n");
}

/* printf("[%p] [%20p] [%-8.3d] [%o] [%lo] [%zu] [%jd] [%.2s] [%-6.3s|]
 * [%3c] [%-3c|]\n", 0, 4096, 7, 8, -1, -1, -1, "abcd", "abcd", 66, 67) */
static void test_precision(void)
{
	struct args a;
	static const int64_t ints[] = { 0, 4096, 7, 8, -1, -1, -1 };

	args_init(&a);
	for (unsigned i = 0; i < sizeof(ints) / 8; i++)
		arg_int(&a, ints[i]);
	arg_str(&a, "abcd", 64);
	arg_str(&a, "abcd", 64);
	arg_int(&a, 66);
	arg_int(&a, 67);
	expect("precision",
	       run("[%p] [%20p] [%-8.3d] [%o] [%lo] [%zu] [%jd] [%.2s] "
		   "[%-6.3s|] [%3c] [%-3c|]\n", &a, OUT_TEXT),
	       "[(nil)] [              0x1000] [007     ] [10] "
	       "[1777777777777777777777] [18446744073709551615] [-1] [ab] "
	       "[abc   |] [  B] [C  |]\n");
}

/* printf("tab\there \"q\" \\ %s\n", "x\ty"); printf("no newline");
 * printf("a%cb|\n", 0); printf("%c", 0)
 * A NUL from %c is dropped, the rest of the format stays. */
static void test_text_and_json(void)
{
	struct args a;
	const char *fmt = "tab\there \"q\" \\ %s\n";

	args_init(&a);
	arg_str(&a, "x\ty", 64);
	expect("escapes text", run(fmt, &a, OUT_TEXT),
	       "tab\there \"q\" \\ x\ty\n");
	expect("escapes json", run(fmt, &a, OUT_JSON),
	       "{\"type\": \"printf\", \"data\": "
	       "\"tab\\there \\\"q\\\" \\\\ x\\ty\\n\"}\n");
	args_init(&a);
	expect("no newline json", run("no newline", &a, OUT_JSON),
	       "{\"type\": \"printf\", \"data\": \"no newline\"}\n");
	arg_int(&a, 0);
	expect("nul char", run("a%cb|\n", &a, OUT_TEXT), "ab|\n");
	expect("nul char json", run("%c", &a, OUT_JSON),
	       "{\"type\": \"printf\", \"data\": \"\"}\n");
}

/* bpftrace -f json -e 'BEGIN { printf("a\rb\x08c\x0cd\x1fe\xc3\xa9f\x80g");
 * exit(); }': control bytes as \u00XX, bytes >= 0x80 as \uffffffXX (bpftrace
 * sign-extends them). */
static void test_json_bytes(void)
{
	struct args a;

	args_init(&a);
	expect("json bytes",
	       run("a\rb\x08" "c\x0c" "d\x1f" "e\xc3\xa9" "f\x80g", &a, OUT_JSON),
	       "{\"type\": \"printf\", \"data\": \"a\\rb\\u0008c\\u000cd"
	       "\\u001fe\\uffffffc3\\uffffffa9f\\uffffff80g\"}\n");
}

/* The conversions out_printf() writes itself (no flags, width or
 * precision) against the C library, which bpftrace 0.17 hands them to,
 * on the values where narrowing and sign matter. */
static char *c_library(const char *fmt, int64_t v)
{
	char *out = NULL;
	bool wide = strpbrk(fmt, "lzjt") != NULL;
	char conv = fmt[strlen(fmt) - 1], cfmt[8];

	/* the argument as C varargs would pass it */
	snprintf(cfmt, sizeof(cfmt), "%%%s%c", wide ? "ll" :
		 strstr(fmt, "hh") ? "hh" : strchr(fmt, 'h') ? "h" : "", conv);
	if (conv == 'p')
		return asprintf(&out, "%p", (void *)(uintptr_t)v) < 0 ? NULL : out;
	if (conv == 'c')
		return asprintf(&out, "%c", (int)v) < 0 ? NULL : out;
	if (conv == 'd' || conv == 'i')
		return (wide ? asprintf(&out, cfmt, (long long)v) :
			asprintf(&out, cfmt, (int)v)) < 0 ? NULL : out;
	return (wide ? asprintf(&out, cfmt, (unsigned long long)v) :
		asprintf(&out, cfmt, (unsigned)v)) < 0 ? NULL : out;
}

static void test_fast_conversions(void)
{
	static const char *const fmts[] = {
		"%d", "%i", "%u", "%x", "%X", "%ld", "%lld", "%li", "%lu", "%llu",
		"%lx", "%llX", "%zd", "%zu", "%jd", "%jx", "%td", "%hd", "%hhd",
		"%hu", "%hhu", "%hx", "%hhX", "%p", "%c",
	};
	static const int64_t vals[] = {
		0, 1, -1, 9, 10, 42, -42, 127, 128, 255, 256, -128, -129, 32767,
		32768, 65535, 65536, -32768, -32769, 2147483647, 2147483648LL,
		-2147483648LL, -2147483649LL, 4294967295LL, 4294967296LL,
		1234567890123LL, INT64_MAX, INT64_MIN, 0x7f, 0x41, 0xdeadbeefLL,
	};
	struct args a;

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			char what[64], *want = c_library(fmts[f], vals[i]);

			args_init(&a);
			arg_int(&a, vals[i]);
			snprintf(what, sizeof(what), "%s of %lld", fmts[f], (long long)vals[i]);
			expect(what, run(fmts[f], &a, OUT_TEXT), want ? want : "");
			free(want);
		}
	}
}

/* A record longer than the line buffer, and a conversion longer than
 * snprintf's first try, arrive whole. */
static void test_long_record(void)
{
	static char big[3001], want[9100];
	struct args a;

	memset(big, 'x', sizeof(big) - 1);
	args_init(&a);
	arg_str(&a, "abc", 64);
	snprintf(want, sizeof(want), "%s|%3000s|%s\n", big, "abc", big);
	{
		char fmt[6100];

		snprintf(fmt, sizeof(fmt), "%s|%%3000s|%s\n", big, big);
		expect("long record", run(fmt, &a, OUT_TEXT), want);
	}
}

int main(void)
{
	test_conversions();
	test_precision();
	test_text_and_json();
	test_json_bytes();
	test_fast_conversions();
	test_long_record();
	return report();
}
