/*
 * burst: calls getppid() N times (default 1,000,000) as fast as it can,
 * then exits: an event burst for tracepoint:syscalls:sys_enter_getppid.
 * The raw syscall, so no libc caching can skip one.
 *
 * Usage: burst [N]
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
