/*
 * libgtlib.so: a shared library that is not in /etc/ld.so.cache, for
 * tests of library names resolved through a process's mappings (-p) and
 * of stack frames inside a library. Built with its .symtab, -O0 and frame
 * pointers. gtlib_outer(n) calls gtlib_inner(n), which calls back into
 * the program (cb), so a stack taken there crosses program, library and
 * program frames. gtlib_outer fires the USDT probe gtlib:outer(n), for
 * tests of usdt probes in a library a process has mapped.
 */
#include <sys/sdt.h>

__attribute__((noinline)) static int gtlib_hidden(int n, int (*cb)(int))
{
	__asm__ volatile("" ::: "memory");
	return cb(n) + 1;
}

__attribute__((noinline)) int gtlib_inner(int n, int (*cb)(int))
{
	__asm__ volatile("" ::: "memory");
	return gtlib_hidden(n, cb) * 2;
}

__attribute__((noinline)) int gtlib_outer(int n, int (*cb)(int))
{
	DTRACE_PROBE1(gtlib, outer, n);
	return gtlib_inner(n + 1, cb);
}
