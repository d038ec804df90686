/*
 * loop: a C target that runs until killed, for -p, interval and profile
 * tests.
 *
 * Usage: loop [busy]
 * Every 10 ms it calls f(7, 70, "loop") and then sleeps with the raw
 * nanosleep(2) system call (glibc's nanosleep() is clock_nanosleep(2) on
 * this platform, which would not fire tracepoint:syscalls:sys_enter_nanosleep).
 * With "busy" it spins on the CPU instead of sleeping, so profile probes
 * sample it.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) long f(int a, long b, const char *s)
{
	__asm__ volatile("" ::: "memory");
	return a + b + (s ? s[0] : 0);
}

__attribute__((noinline)) void spin(void)
{
	for (volatile long i = 0; i < 1000000; i++)
		;
}

int main(int argc, char **argv)
{
	int busy = argc > 1 && strcmp(argv[1], "busy") == 0;
	struct timespec ts = { 0, 10 * 1000000L };
	static const char msg[] = "loop";
	volatile char touch = msg[0]; /* fault the string in before probes read it */

	(void)touch;
	for (;;) {
		f(7, 70, msg);
		if (busy)
			spin();
		else
			syscall(SYS_nanosleep, &ts, NULL);
	}
}
