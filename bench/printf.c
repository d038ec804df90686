/*
 * The consumer's formatting cost, without BPF: printf() records as the
 * ring buffer delivers them, formatted by out_printf() into /dev/null
 * (or FILE), with the output stream set up as gotrace sets it up.
 *
 *   build/bench/printf [N]
 *
 * Prints CPU ns per record (this thread's CPU time, so that other work
 * on the machine counts less) for a few formats that tracing scripts
 * use; bench/events reports it next to the event stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/output.h"

struct rec {
	const char *name, *fmt;
	int nargs;
	struct gt_type t[4];
	uint8_t data[64];
};

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	static const struct gt_type i64 = { .kind = GT_INT, .size = 8, .is_signed = true };
	static const struct gt_type comm = { .kind = GT_STR, .size = 16 };
	struct rec recs[3] = {
		{ "tid_comm", "%d %s\n", 2, { i64, comm } },
		{ "three_ints", "pid %d tid %d ret %ld\n", 3, { i64, i64, i64 } },
		{ "padded", "%-6d %16s %08x\n", 3, { i64, comm, i64 } },
	};
	struct out o = { .f = fopen("/dev/null", "w"), .format = OUT_TEXT };
	static char buf[64 * 1024];

	if (!o.f)
		return 1;
	setvbuf(o.f, buf, _IOFBF, sizeof(buf));
	put64(recs[0].data, 123456);
	memcpy(recs[0].data + 8, "burst", 6);
	put64(recs[1].data, 4242);
	put64(recs[1].data + 8, 4243);
	put64(recs[1].data + 16, (uint64_t)-11);
	put64(recs[2].data, 77);
	memcpy(recs[2].data + 8, "kworker/0:1", 12);
	put64(recs[2].data + 24, 0xbeef);
	for (int r = 0; r < 3; r++) {
		double t0 = cpu_ns();

		for (long i = 0; i < n; i++) {
			put64(recs[r].data, (uint64_t)i);	/* a new number each time */
			out_printf(&o, recs[r].fmt, recs[r].t, recs[r].nargs, recs[r].data);
		}
		fflush(o.f);
		printf("%s %.1f\n", recs[r].name, (cpu_ns() - t0) / n);
	}
	fclose(o.f);
	return 0;
}
