/*
 * What binary/ reads for bpftrace-style probes: this program's own USDT
 * notes (usdt.c), library short names (ldcache.c), C++ names
 * (demangle.c), and libc's local functions from its debug file
 * (debugfile.c, when libc6-dbg is installed).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sdt.h>

#include "binary/binary.h"
#include "tests/check.h"

__attribute__((noinline)) static void fire(signed char c, unsigned short u, long long big)
{
	DTRACE_PROBE4(gt_unit, probe, c, u, 42, big);
}

static void check_usdt(void)
{
	char err[256];
	struct bin *b = bin_open("/proc/self/exe", err, sizeof(err));
	struct usdt_probe *ps;
	int n, k = -1;

	CHECK(b, "open self: %s", err);
	if (!b)
		return;
	n = bin_usdt_probes(b, &ps);
	for (int i = 0; i < n; i++)
		if (!strcmp(ps[i].provider, "gt_unit") && !strcmp(ps[i].name, "probe"))
			k = i;
	CHECK(k >= 0, "gt_unit:probe among %d notes", n);
	if (k >= 0) {
		const struct usdt_probe *p = &ps[k];
		struct bin_func f = { .name = "?" };

		CHECK(p->nargs == 4 && !p->bad_arg, "4 args, all readable: %d, bad %d (%s)",
		      p->nargs, p->bad_arg, p->bad_spec ? p->bad_spec : "");
		CHECK(p->args[0].size == 1 && p->args[0].is_signed, "signed char: %d %d",
		      p->args[0].size, p->args[0].is_signed);
		CHECK(p->args[1].size == 2 && !p->args[1].is_signed, "unsigned short");
		CHECK(p->args[2].kind == USDT_CONST && p->args[2].val == 42 &&
		      p->args[2].size == 4 && p->args[2].is_signed, "constant 42");
		CHECK(p->args[3].size == 8 && p->args[3].is_signed, "long long");
		for (int i = 0; i < 4; i++)
			CHECK(p->args[i].kind == USDT_CONST || (p->args[i].reg && *p->args[i].reg),
			      "arg%d has a register", i);
		CHECK(p->semaphore == 0, "no semaphore");
		CHECK(bin_func_containing(b, p->pc, &f) == 0 && !strncmp(f.name, "fire", 4),
		      "the site is in fire() (or its .constprop clone): %s", f.name);
	}
	bin_usdt_free(ps, n);
}

static void check_libraries(void)
{
	char *p = bin_find_library("libc", 0), *q;

	CHECK(p && strstr(p, "/libc.so"), "libc from ld.so.cache: %s", p ? p : "(none)");
	q = bin_find_library("libc", getpid());
	CHECK(q && strstr(q, "/libc.so"), "libc among our mappings: %s", q ? q : "(none)");
	free(p);
	free(q);
	CHECK(!bin_find_library("libno_such_library_here", 0), "no such library");
	CHECK(!bin_find_library("c", 0), "a short name starts with lib");
	CHECK(!bin_find_library("libc*", 0), "no wildcards");
}

static void check_demangle(void)
{
	char *d = bin_demangle("_ZN2ns5twiceEi");

	CHECK(d && !strcmp(d, "ns::twice(int)"), "demangled: %s", d ? d : "(null)");
	free(d);
	CHECK(!bin_demangle("main"), "not C++");
	CHECK(!bin_demangle("_Zgarbage"), "not a valid mangled name");
}

static void check_debug_file(void)
{
	char err[256], *libc = bin_find_library("libc", getpid());
	struct bin *b = libc ? bin_open(libc, err, sizeof(err)) : NULL;
	struct bin_func f = { .name = "?" };

	free(libc);
	if (!b || access("/usr/lib/debug/.build-id", F_OK) || system("dpkg -s libc6-dbg >/dev/null 2>&1"))
		return;		/* no debug file to read */
	CHECK(bin_func_find(b, "__libc_start_call_main", &f) == 0,
	      "libc's local __libc_start_call_main, from its debug file");
	CHECK(bin_func_find(b, "getpid", &f) == 0 &&
	      bin_func_containing(b, f.addr, &f) == 0 && !strcmp(f.name, "__getpid"),
	      "getpid's address prints as __getpid (GLOBAL), not __GI___getpid: %s", f.name);
}

int main(void)
{
	fire(-1, 2, -3);
	check_usdt();
	check_libraries();
	check_demangle();
	check_debug_file();
	printf("test_usdt: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
