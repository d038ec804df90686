/*
 * stacks: a C target whose one function is reached through distinct
 * stacks, one at a time, for stack store tests.
 *
 * Usage: stacks [DELAY_MS]
 * Calls f() from a1() ... a6() in turn, each followed by g() (a point at
 * which a test prints and clears its maps), and sleeps DELAY_MS (default
 * 200) after each, so that the tracer has handled the clear before the
 * next stack comes. Nothing goes to stdout.
 */
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) int f(int i) { __asm__ volatile("" ::: "memory"); return i; }
__attribute__((noinline)) int g(void) { __asm__ volatile("" ::: "memory"); return 0; }

__attribute__((noinline)) int a1(void) { return f(1) + 1; }
__attribute__((noinline)) int a2(void) { return f(2) + 1; }
__attribute__((noinline)) int a3(void) { return f(3) + 1; }
__attribute__((noinline)) int a4(void) { return f(4) + 1; }
__attribute__((noinline)) int a5(void) { return f(5) + 1; }
__attribute__((noinline)) int a6(void) { return f(6) + 1; }

int main(int argc, char **argv)
{
	int (*callers[])(void) = { a1, a2, a3, a4, a5, a6 };
	long ms = argc > 1 ? atol(argv[1]) : 200;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	for (unsigned i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		callers[i]();
		g();
		nanosleep(&ts, NULL);
	}
	return 0;
}
