/*
 * usdt_sem: a USDT probe behind a semaphore, as expensive probes are.
 *
 * Usage: usdt_sem [N]
 * For i = 1..N (default 3) it fires gotrace_sem:guarded(int i) only while
 * its semaphore is set, which a tracer does when it attaches (the kernel
 * counts it, through the uprobe's reference counter); then
 * gotrace_sem:done(int rounds_seen). Writes nothing to stdout.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <stdlib.h>
#include <sys/sdt.h>

unsigned short gotrace_sem_guarded_semaphore __attribute__((section(".probes"), used));
unsigned short gotrace_sem_done_semaphore __attribute__((section(".probes"), used));

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3;
	int seen = 0;

	for (int i = 1; i <= n; i++) {
		if (gotrace_sem_guarded_semaphore) {
			seen++;
			DTRACE_PROBE1(gotrace_sem, guarded, i);
		}
	}
	DTRACE_PROBE1(gotrace_sem, done, seen);
	return 0;
}
