/*
 * burst: a C target that makes system calls as fast as it can, for event
 * stream tests and bench/events.
 *
 * Usage: burst [N] [RESULT_FILE] [LINGER_MS]
 * Calls getppid(2) N times (default 1,000,000) through syscall(), so
 * every call enters the kernel (no libc caching can skip one) and fires tracepoint:syscalls:sys_enter_getppid.
 * If RESULT_FILE is given it writes one line there once done:
 *   calls N seconds S start T0 end T1 utime U stime S2
 * (T0 and T1 in CLOCK_REALTIME seconds, U and S2 its own CPU seconds), then
 * sleeps LINGER_MS (default 0) before it exits, so that a benchmark can
 * read the tracer's counters while it still runs. Nothing goes to stdout,
 * which a tracer's -c shares.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	double t0 = now(CLOCK_REALTIME), m0 = now(CLOCK_MONOTONIC), m1;
	struct rusage ru;
	FILE *f;

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	m1 = now(CLOCK_MONOTONIC);
	if (argc > 2 && (f = fopen(argv[2], "w"))) {
		getrusage(RUSAGE_SELF, &ru);
		fprintf(f, "calls %ld seconds %.6f start %.6f end %.6f utime %.6f stime %.6f\n",
			n, m1 - m0, t0, t0 + (m1 - m0),
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
		fclose(f);
	}
	if (argc > 3)
		usleep(atol(argv[3]) * 1000);
	return 0;
}
