/*
 * Stacks and usym printed through the real symbolizers of binary/binary.h
 * (proc_symbolize on this very process, ksym_lookup on /proc/kallsyms), in
 * the format bpftrace 0.17 uses: "        func+off" per frame, hex for an
 * address no symbol covers, the bare name for usym (`func`).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/runtime/out_test.h"

__attribute__((noinline)) int gt_test_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

struct stack2 {
	uint32_t pid, nr;
	uint64_t ip[2];
};

static void test_user(void)
{
	struct gt_type t = { .kind = GT_USTACK, .size = 24, .depth = 2 };
	uint64_t fn = (uint64_t)(uintptr_t)gt_test_target;
	struct stack2 s = { (uint32_t)getpid(), 2, { fn + 2, 0x10 } };

	expect("usym", out_usym_str(fn, getpid()), "gt_test_target");
	expect("usym unknown", out_usym_str(0x10, getpid()), "0x10");
	expect("ustack", out_value_str(&t, (const uint8_t *)&s),
	       "\n        gt_test_target+2\n        0x10\n");
}

/* The address of a kernel function that shares its address with no other
 * symbol, or 0 (kallsyms hidden, or not found). */
static uint64_t kernel_addr(const char *want)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long a, found = 0;
	int same = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 &&
		    !strcmp(name, want))
			found = a;
	rewind(f);
	while (found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx", &a) == 1 && a == found)
			same++;
	fclose(f);
	return same == 1 ? found : 0;
}

static void test_kernel(void)
{
	struct gt_type t = { .kind = GT_KSTACK, .size = 24, .depth = 2 };
	uint64_t a = kernel_addr("do_syscall_64");
	struct stack2 s = { 0, 1, { a + 3 } };

	if (!a) {
		fprintf(stderr, "skip kstack: do_syscall_64 not in kallsyms "
			"with a unique address\n");
		return;
	}
	expect("kstack", out_value_str(&t, (const uint8_t *)&s),
	       "\n        do_syscall_64+3\n");
}

int main(void)
{
	if (gt_test_target(1) != 4)
		return 1;
	test_user();
	test_kernel();
	return report();
}
