/*
 * LD_PRELOAD shim for bench/startup: how much of a tracer's wall time the
 * kernel spends creating and releasing its attachments, measured inside
 * the process instead of under strace (which slows every other system
 * call too, so that "the rest" came out three times too large).
 *
 * It wraps libc's syscall() (libbpf makes its bpf() and perf_event_open()
 * calls through it, statically linked in gotrace or as bpftrace's
 * libbpf.so), ioctl() and close(), and times
 *   create   bpf(BPF_LINK_CREATE), perf_event_open(), and the perf
 *            ioctls that attach and enable a program;
 *   release  close() of a link or perf-event fd made by those;
 *   load     bpf(BPF_PROG_LOAD): the verifier;
 * as unions of intervals (detaching threads may close links at once).
 * At exit it writes "create MS release MS load MS calls N" to the file
 * $GT_LINKTIME.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>

enum { CREATE, RELEASE, LOAD, NKINDS };

#define MAX_SPANS 65536
#define MAX_FD 65536

static struct span { uint64_t start, end; } spans[NKINDS][MAX_SPANS];
static int nspans[NKINDS];
static unsigned char link_fd[MAX_FD];	/* fds whose close is a release */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void add(int kind, uint64_t start, uint64_t end, long fd)
{
	pthread_mutex_lock(&lock);
	if (nspans[kind] < MAX_SPANS)
		spans[kind][nspans[kind]++] = (struct span){ start, end };
	if (fd >= 0 && fd < MAX_FD)
		link_fd[fd] = 1;
	pthread_mutex_unlock(&lock);
}

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6], rc;
	va_list ap;
	uint64_t t0;
	int kind = -1;

	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf && a[0] == BPF_LINK_CREATE)
		kind = CREATE;
	else if (nr == __NR_bpf && a[0] == BPF_PROG_LOAD)
		kind = LOAD;
	else if (nr == __NR_perf_event_open)
		kind = CREATE;
	t0 = now();
	rc = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (kind >= 0)
		add(kind, t0, now(), kind == CREATE && rc >= 0 ? rc : -1);
	return rc;
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	uint64_t t0;
	int rc;

	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	t0 = now();
	rc = real(fd, req, arg);
	if (req == PERF_EVENT_IOC_SET_BPF || req == PERF_EVENT_IOC_ENABLE)
		add(CREATE, t0, now(), -1);
	return rc;
}

int close(int fd)
{
	static int (*real)(int);
	uint64_t t0;
	int rc, was_link;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	pthread_mutex_lock(&lock);
	was_link = fd >= 0 && fd < MAX_FD && link_fd[fd];
	if (was_link)
		link_fd[fd] = 0;
	pthread_mutex_unlock(&lock);
	t0 = now();
	rc = real(fd);
	if (was_link)
		add(RELEASE, t0, now(), -1);
	return rc;
}

static int by_start(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Total time covered by the spans of one kind. */
static double covered_ms(int kind)
{
	uint64_t total = 0, end = 0;

	qsort(spans[kind], nspans[kind], sizeof(struct span), by_start);
	for (int i = 0; i < nspans[kind]; i++) {
		struct span *s = &spans[kind][i];
		uint64_t from = s->start > end ? s->start : end;

		if (s->end > from)
			total += s->end - from;
		if (s->end > end)
			end = s->end;
	}
	return total / 1e6;
}

__attribute__((destructor)) static void report(void)
{
	const char *path = getenv("GT_LINKTIME");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "create %.3f release %.3f load %.3f calls %d\n", covered_ms(CREATE),
		covered_ms(RELEASE), covered_ms(LOAD),
		nspans[CREATE] + nspans[RELEASE] + nspans[LOAD]);
	fclose(f);
}
