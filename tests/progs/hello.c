/*
 * hello: a small C target for uprobe tests.
 *
 * Usage: hello [N] [DELAY_MS]
 * For i = 1..N (default 1) it calls f(i, i * 10, "hello"), add(i, 100) and
 * func_one(); func_two() on even i only and func_three() on the last round
 * only (so with N=4 the three are hit 4, 2 and 1 times), sleeping DELAY_MS
 * (default 0) between rounds. Every call is
 * noinline and the binary keeps its symbols, so tests know exactly which
 * arguments and return values a probe must see. It writes nothing to stdout,
 * because under `-c` its output would mix with the tracer's.
 */
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) long f(int a, long b, const char *s)
{
	/* The asm keeps the call from being folded away even at -O2. */
	__asm__ volatile("" ::: "memory");
	return a + b + (s ? s[0] : 0);
}

__attribute__((noinline)) int add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

/* Three functions sharing a prefix, for uprobe wildcard tests. */
__attribute__((noinline)) int func_one(void) { __asm__ volatile(""); return 1; }
__attribute__((noinline)) int func_two(void) { __asm__ volatile(""); return 2; }
__attribute__((noinline)) int func_three(void) { __asm__ volatile(""); return 3; }

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long delay = argc > 2 ? atol(argv[2]) : 0;
	static const char msg[] = "hello";
	long sum = msg[0]; /* fault the string's page in before any probe reads it */

	for (int i = 1; i <= n; i++) {
		sum += f(i, i * 10L, msg);
		sum += add(i, 100);
		sum += func_one();
		if (i % 2 == 0)
			sum += func_two();
		if (i == n)
			sum += func_three();
		if (delay > 0)
			sleep_ms(delay);
	}
	return sum == 0; /* use sum so nothing is optimised out */
}
