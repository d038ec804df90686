/*
 * uselib: calls into libgtlib.so (tests/progs/lib/gtlib.c, found next to
 * it through its RUNPATH, not through ld.so.cache).
 *
 * Usage: uselib [N] [DELAY_MS]
 * Calls gtlib_outer(i, callback) for i = 1..N (N = 0: forever; default
 * 1), sleeping DELAY_MS (default 0, 10 when N is 0) between calls. The
 * library calls callback(i + 1) back. Writes nothing to stdout.
 */
#include <stdlib.h>
#include <time.h>

int gtlib_outer(int n, int (*cb)(int));

__attribute__((noinline)) int callback(int n)
{
	__asm__ volatile("" ::: "memory");
	return n * 3;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	long delay = argc > 2 ? atol(argv[2]) : n == 0 ? 10 : 0;
	struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };
	long sum = 0;

	for (long i = 1; n == 0 || i <= n; i++) {
		sum += gtlib_outer(i, callback);
		if (delay > 0)
			nanosleep(&ts, NULL);
	}
	return sum == 0;
}
