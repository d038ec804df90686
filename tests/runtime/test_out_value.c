/*
 * Values: print(value), tuples, stacks, usym, probe names, and the small
 * messages (attached probes, time, the exit header), text and JSON.
 *
 * Expected strings come from real bpftrace 0.17 runs on this machine,
 * quoted above each test. The stack tests replay a run of
 *
 *   bpftrace -e 'uprobe:/lib/x86_64-linux-gnu/libc.so.6:clock_nanosleep
 *     /comm=="sleep"/ { print(ustack(3)); printf("%s|%s|%s|%s\n",
 *     ustack(2), kstack(2), probe, func); @[ustack(4)] = count();
 *     @k[kstack(3)] = count(); @us[1] = ustack(2); @fu = func; }
 *     tracepoint:syscalls:sys_enter_clock_nanosleep /comm=="sleep"/ {
 *     @kk[kstack(3)] = count(); } interval:s:2 { exit(); }'
 *
 * while `sleep` ran: live, the probe address symbolized as
 * clock_nanosleep+0 and the bogus second frame 0x1dcd6500 stayed hex; at
 * exit the process was gone, so the map keys printed hex addresses. The
 * symbolizer hook below answers the same way, so these tests do not depend
 * on that process. test_out_sym.c symbolizes for real.
 */
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "tests/runtime/out_test.h"

#define NANOSLEEP 0x7f0b45b994e0ULL
#define GOFUNC 0x401000ULL
static bool process_alive = true;

/* clock_nanosleep while the process lives; a Go PC inside main.inner
 * inlined into main.outer; nothing else. */
static int fake_usym(uint32_t pid, uint64_t addr, struct bin_frame *f, int max)
{
	if (addr == NANOSLEEP && process_alive && max >= 1) {
		f[0] = (struct bin_frame){ .func = "clock_nanosleep" };
		return 1;
	}
	if (addr == GOFUNC + 42 && max >= 2) {
		f[0] = (struct bin_frame){ .func = "main.inner", .offset = 42,
					   .inlined = true };
		f[1] = (struct bin_frame){ .func = "main.outer", .offset = 42 };
		return 2;
	}
	return 0;
}

static const char *fake_ksym(uint64_t addr, uint64_t *off)
{
	static const struct { uint64_t a; const char *n; } syms[] = {
		{ 0xffffffff81000000ULL, "perf_syscall_enter" },
		{ 0xffffffff81100000ULL, "syscall_trace_enter" },
		{ 0xffffffff81200000ULL, "do_syscall_64" } };

	for (int i = 2; i >= 0; i--)
		if (addr >= syms[i].a) {
			*off = addr - syms[i].a;
			return syms[i].n;
		}
	return NULL;
}

struct stack4 {
	uint32_t pid, nr;
	uint64_t ip[4];
};

static const struct gt_type t_ustack = { .kind = GT_USTACK, .size = 40,
					 .depth = 4 };
static const struct gt_type t_kstack = { .kind = GT_KSTACK, .size = 40,
					 .depth = 4 };
static const struct stack4 ust = { 42, 2, { NANOSLEEP, 0x1dcd6500 } };
static const struct stack4 kst = { 0, 3, { 0xffffffff81000000ULL + 397,
	0xffffffff81100000ULL + 384, 0xffffffff81200000ULL + 506 } };
static const struct stack4 empty_stack = { 42, 0, { 0 } };

static char *capture(void (*fn)(struct out *, const void *), const void *arg,
		     enum out_format fmt)
{
	struct mem_out mo;
	struct out *o = mem_open(&mo, fmt);

	o->diag = o->f;	/* "Attaching N probes..." goes to diag in text mode */
	o->console = o->f;	/* and the exit header to the console */
	fn(o, arg);
	return mem_close(&mo);
}

static void print_ustack(struct out *o, const void *arg)
{
	out_value(o, &t_ustack, arg);
}

/* Live: print(ustack(3)) and printf("%s|%s|%s|%s\n", ustack(2), kstack(2),
 * probe, func) in the uprobe. */
static void test_live_stacks(void)
{
	static const char *probes[] = { "BEGIN",
		"uprobe:/lib/x86_64-linux-gnu/libc.so.6:clock_nanosleep" };
	struct gt_type t_probe = { .kind = GT_PROBE, .size = 8 };
	struct gt_type t_usym = { .kind = GT_USYM, .size = 16 };
	struct gt_type args[4] = { t_ustack, t_kstack, t_probe, t_usym };
	uint8_t data[40 + 40 + 8 + 16];
	uint64_t probe = 1, usym[2] = { NANOSLEEP, 42 };
	struct mem_out mo;

	out_set_probe_names(probes, 2);
	expect("print ustack", capture(print_ustack, &ust, OUT_TEXT),
	       "\n        clock_nanosleep+0\n        0x1dcd6500\n\n");
	expect("print ustack json", capture(print_ustack, &ust, OUT_JSON),
	       "{\"type\": \"value\", \"data\": \"\\n        clock_nanosleep+0"
	       "\\n        0x1dcd6500\\n\"}\n");
	memcpy(data, &ust, 40);
	memcpy(data + 40, &empty_stack, 40);
	memcpy(data + 80, &probe, 8);
	memcpy(data + 88, usym, 16);
	out_printf(mem_open(&mo, OUT_TEXT), "%s|%s|%s|%s\n", args, 4, data);
	expect("printf stacks", mem_close(&mo),
	       "\n        clock_nanosleep+0\n        0x1dcd6500\n"
	       "||uprobe:/lib/x86_64-linux-gnu/libc.so.6:clock_nanosleep"
	       "|clock_nanosleep\n");
}

static char *print_map(const struct map_desc *m, const void *key,
		       const void *val, enum out_format fmt)
{
	struct mem_out mo;
	struct map_entry e = { key, val };

	out_map(mem_open(&mo, fmt), m, &e, 1, 1, 0, 0);
	return mem_close(&mo);
}

/* At exit: the process is gone, user addresses print in hex; stacks in
 * keys are indented by 4, in values by 8; an empty stack prints "". */
static void test_map_stacks(void)
{
	struct gt_type kt_u = { .kind = GT_TUPLE, .size = 40, .nelems = 1,
				.elems = (struct gt_type *)&t_ustack };
	struct gt_type kt_k = { .kind = GT_TUPLE, .size = 40, .nelems = 1,
				.elems = (struct gt_type *)&t_kstack };
	struct gt_type t_int = { .kind = GT_INT, .size = 8 };
	struct gt_type kt_i = { .kind = GT_TUPLE, .size = 8, .nelems = 1,
				.elems = &t_int };
	struct gt_type cnt = { .kind = GT_COUNT, .size = 8 };
	struct map_desc at = { "@", kt_u, cnt, 40, 8, false };
	struct map_desc kk = { "@kk", kt_k, cnt, 40, 8, false };
	struct map_desc k = { "@k", kt_k, cnt, 40, 8, false };
	struct map_desc us = { "@us", kt_i, t_ustack, 8, 40, false };
	uint64_t one = 1;

	process_alive = false;
	expect("ustack key", print_map(&at, &ust, &one, OUT_TEXT),
	       "@[\n    0x7f0b45b994e0\n    0x1dcd6500\n]: 1\n");
	expect("ustack key json", print_map(&at, &ust, &one, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@\": {\"\\n    0x7f0b45b994e0"
	       "\\n    0x1dcd6500\\n\": 1}}}\n");
	expect("kstack key", print_map(&kk, &kst, &one, OUT_TEXT),
	       "@kk[\n    perf_syscall_enter+397\n    syscall_trace_enter+384\n"
	       "    do_syscall_64+506\n]: 1\n");
	expect("empty kstack key", print_map(&k, &empty_stack, &one, OUT_TEXT),
	       "@k[]: 1\n");
	expect("empty kstack key json",
	       print_map(&k, &empty_stack, &one, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@k\": {\"\": 1}}}\n");
	expect("ustack value", print_map(&us, &one, &ust, OUT_TEXT),
	       "@us[1]: \n        0x7f0b45b994e0\n        0x1dcd6500\n\n");
	expect("ustack value json", print_map(&us, &one, &ust, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@us\": {\"1\": \"\\n        "
	       "0x7f0b45b994e0\\n        0x1dcd6500\\n\"}}}\n");
	expect("usym unresolved", out_usym_str(NANOSLEEP, 42),
	       "0x7f0b45b994e0");
	process_alive = true;
}

/* Not bpftrace (it has no inlining): our documented form for Go. */
static void test_inline_frames(void)
{
	struct stack4 s = { 7, 1, { GOFUNC + 42 } };

	expect("inlined", capture(print_ustack, &s, OUT_TEXT),
	       "\n        main.inner (inline)\n        main.outer+42\n\n");
	expect("usym inlined", out_usym_str(GOFUNC + 42, 7), "main.outer");
}

/* BEGIN { print((1,"a",(2,-3))); print(5); print(-5); print("str");
 *         @n[1,"a"] = (1,(2,"b")); exit(); } */
struct tuple_val {
	int64_t one;
	char a[64];
	int64_t two, minus3;
};

static struct gt_type pair[2] = { { .kind = GT_INT, .size = 8, .is_signed = true },
				  { .kind = GT_INT, .size = 8, .is_signed = true } };
static struct gt_type triple[3] = {
	{ .kind = GT_INT, .size = 8, .is_signed = true },
	{ .kind = GT_STR, .size = 64 },
	{ .kind = GT_TUPLE, .size = 16, .nelems = 2, .elems = pair } };
static const struct gt_type t_triple = { .kind = GT_TUPLE, .size = 88,
					 .nelems = 3, .elems = triple };
static const struct gt_type t_int = { .kind = GT_INT, .size = 8,
				      .is_signed = true };
static const struct gt_type t_str = { .kind = GT_STR, .size = 64 };

static void print_tuple(struct out *o, const void *arg)
{
	out_value(o, &t_triple, arg);
}

static void print_int(struct out *o, const void *arg)
{
	out_value(o, &t_int, arg);
}

static void print_str(struct out *o, const void *arg)
{
	out_value(o, &t_str, arg);
}

static void test_values(void)
{
	struct tuple_val tv = { 1, "a", 2, -3 };
	int64_t five = 5, minus5 = -5;
	char str[64] = "str";

	expect("tuple", capture(print_tuple, &tv, OUT_TEXT), "(1, a, (2, -3))\n");
	expect("tuple json", capture(print_tuple, &tv, OUT_JSON),
	       "{\"type\": \"value\", \"data\": [1,\"a\",[2,-3]]}\n");
	expect("int", capture(print_int, &five, OUT_TEXT), "5\n");
	expect("neg int", capture(print_int, &minus5, OUT_TEXT), "-5\n");
	expect("int json", capture(print_int, &minus5, OUT_JSON),
	       "{\"type\": \"value\", \"data\": -5}\n");
	expect("str", capture(print_str, str, OUT_TEXT), "str\n");
	expect("str json", capture(print_str, str, OUT_JSON),
	       "{\"type\": \"value\", \"data\": \"str\"}\n");
	expect("value str", out_value_str(&t_triple, (const uint8_t *)&tv),
	       "(1, a, (2, -3))");
}

static void attached1(struct out *o, const void *arg)
{
	out_attached(o, 1);
}

static void attached4(struct out *o, const void *arg)
{
	out_attached(o, 4);
}

static void exit_header(struct out *o, const void *arg)
{
	out_exit_header(o);
}

static void time_fmt(struct out *o, const void *arg)
{
	out_time(o, arg);
}

/* "Attaching 1 probe..." / "Attaching 4 probes..." and their JSON; the
 * two newlines bpftrace prints before the exit dump, in both modes. */
static void test_messages(void)
{
	char *s;

	expect("attached 1", capture(attached1, NULL, OUT_TEXT),
	       "Attaching 1 probe...\n");
	expect("attached 4", capture(attached4, NULL, OUT_TEXT),
	       "Attaching 4 probes...\n");
	expect("attached json", capture(attached1, NULL, OUT_JSON),
	       "{\"type\": \"attached_probes\", \"data\": {\"probes\": 1}}\n");
	expect("exit header", capture(exit_header, NULL, OUT_TEXT), "\n\n");
	expect("exit header json", capture(exit_header, NULL, OUT_JSON), "\n\n");
	expect("time literal", capture(time_fmt, "at %%H\n", OUT_TEXT), "at %H\n");
	expect("time json", capture(time_fmt, "x\n", OUT_JSON),
	       "{\"type\": \"time\", \"data\": \"x\\n\"}\n");
	/* time(): "10:43:19\n" */
	s = capture(time_fmt, NULL, OUT_TEXT);
	if (!s || strlen(s) != 9 || s[2] != ':' || s[5] != ':' || s[8] != '\n') {
		fprintf(stderr, "FAIL default time: %s\n", s ? s : "(null)");
		failures++;
	}
	free(s);
}

int main(void)
{
	out_set_symbolizers(fake_usym, fake_ksym);
	test_live_stacks();
	test_map_stacks();
	test_inline_frames();
	test_values();
	test_messages();
	return report();
}
