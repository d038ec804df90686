/*
 * usdt: a target with USDT probes (<sys/sdt.h>, systemtap-sdt-dev).
 *
 * Usage: usdt [N] [DELAY_MS]
 * For i = 1..N (default 3; 0: forever) it fires
 *   gotrace:loop(int i, long -1000 * i)
 *   gotrace:values(signed char -5, unsigned short 65535, 42 (a constant),
 *                  const char *"usdt", long long -1099511627776)
 * sleeping DELAY_MS (default 0; 10 when N is 0) after each round. Built
 * -O0, so most arguments are memory operands (-4@-20(%rbp)); the constant
 * is $42. No semaphores (usdt_sem.c has one). Writes nothing to stdout.
 */
#include <stdlib.h>
#include <time.h>
#include <sys/sdt.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3;
	long delay = argc > 2 ? atol(argv[2]) : n == 0 ? 10 : 0;
	struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };
	static const char msg[] = "usdt";
	volatile char touch = msg[0]; /* fault the string in before probes read it */

	(void)touch;
	for (long i = 1; n == 0 || i <= n; i++) {
		int ii = (int)i;
		long neg = -1000 * i;
		signed char c = -5;
		unsigned short us = 65535;
		long long big = -1099511627776LL;

		DTRACE_PROBE2(gotrace, loop, ii, neg);
		DTRACE_PROBE5(gotrace, values, c, us, 42, msg, big);
		if (delay > 0)
			nanosleep(&ts, NULL);
	}
	return 0;
}
