/*
 * Values the BPF side records raw and user space formats, as bpftrace
 * 0.17 does: strftime() timestamps, ntop() addresses, ksym() names,
 * macaddr(), strerror(), username and buf(); and the messages of join(),
 * cat() and system(), which every output format carries as a message
 * ({"type": "join", ...} in JSON).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "binary/binary.h"
#include "runtime/out_int.h"

/* The wall-clock time of boot, taken once: CLOCK_REALTIME minus
 * CLOCK_BOOTTIME, between two reads of the real clock that fall in the
 * same second, the closest of five tries (as bpftrace computes it). */
static bool boottime(struct timespec *out)
{
	static struct timespec bt;
	static int state;	/* 0 not yet, 1 known, -1 failed */
	long best = -1;

	for (int i = 0; i < 5 && !state; i++) {
		struct timespec before, boot, after;
		long delta, avg;

		if (clock_gettime(CLOCK_REALTIME, &before) ||
		    clock_gettime(CLOCK_BOOTTIME, &boot) ||
		    clock_gettime(CLOCK_REALTIME, &after) || before.tv_sec != after.tv_sec)
			continue;
		delta = after.tv_nsec - before.tv_nsec;
		if (delta < 0 || (best >= 0 && delta >= best))
			continue;
		best = delta;
		avg = (before.tv_nsec + after.tv_nsec) / 2;
		bt.tv_sec = after.tv_sec - boot.tv_sec - (avg < boot.tv_nsec);
		bt.tv_nsec = avg - boot.tv_nsec + (avg < boot.tv_nsec ? 1000000000 : 0);
	}
	if (!state)
		state = best >= 0 ? 1 : -1;
	*out = bt;
	return state > 0;
}

/* strftime(fmt, nsecs): local time; %f is the microseconds, 6 digits. */
static void write_timestamp(FILE *f, const char *fmt, uint64_t ns)
{
	struct timespec bt;
	struct tm tm;
	time_t t;
	char us[8], buf[1024], *ext = NULL;
	size_t n = 0;
	FILE *m;

	if (!boottime(&bt)) {
		fputs("(?)", f);
		return;
	}
	t = bt.tv_sec + (time_t)(((uint64_t)bt.tv_nsec + ns) / 1000000000ull);
	snprintf(us, sizeof(us), "%06llu",
		 (unsigned long long)((((uint64_t)bt.tv_nsec + ns) % 1000000000ull) / 1000));
	if (!localtime_r(&t, &tm) || !(m = open_memstream(&ext, &n))) {
		fputs("(?)", f);
		return;
	}
	for (const char *p = fmt ? fmt : ""; *p; p++) {
		if (p[0] == '%' && p[1] == 'f') {
			fputs(us, m);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {	/* keep %% whole */
			fputs("%%", m);
			p++;
		} else {
			fputc(*p, m);
		}
	}
	fclose(m);
	if (strftime(buf, sizeof(buf), ext, &tm) == 0)
		fputs("(?)", f);
	else
		fputs(buf, f);
	free(ext);
}

static void write_inet(FILE *f, const uint8_t *p)
{
	char s[INET6_ADDRSTRLEN] = "";
	int af = (int)out_u64(p);

	if (af == AF_INET || af == AF_INET6)
		inet_ntop(af, p + 8, s, sizeof(s));
	fputs(s, f);
}

/* The kernel symbol holding addr, as bcc's symcache names it; an address
 * in no symbol prints as C++ prints a pointer. */
static void write_ksym(FILE *f, uint64_t addr)
{
	const char *name = ksym_lookup(addr, NULL);

	if (name)
		fputs(name, f);
	else if (addr)
		fprintf(f, "0x%llx", (unsigned long long)addr);
	else
		fputc('0', f);
}

static void write_username(FILE *f, uint64_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		fputs(res->pw_name, f);
}

/* Printable ASCII as is, other bytes as \xNN (bpftrace's hex_format_buffer). */
/* buf()'s bytes as bpftrace 0.17 prints them: printable ASCII kept and the
 * rest as \xNN (%r, and print), every byte as \xNN (%rx), or every byte
 * as two hex digits with spaces between (%rh). */
void out_buf_write(FILE *f, const struct gt_type *t, const uint8_t *p, char mode)
{
	uint64_t len = out_u64(p);

	if (len > t->size - 8)
		len = t->size - 8;
	for (uint64_t i = 0; i < len; i++) {
		uint8_t b = p[8 + i];

		if (mode == 'r' && b >= 32 && b <= 126)
			fputc(b, f);
		else if (mode == 'h')
			fprintf(f, i + 1 < len ? "%02x " : "%02x", b);
		else
			fprintf(f, "\\x%02x", b);
	}
}

bool out_fmt_write(FILE *f, const struct gt_type *t, const uint8_t *p)
{
	const uint8_t *m = p;

	switch (t->kind) {
	case GT_TIMESTAMP:
		write_timestamp(f, t->fmt, out_u64(p));
		return true;
	case GT_INET:
		write_inet(f, p);
		return true;
	case GT_KSYM:
		write_ksym(f, out_u64(p));
		return true;
	case GT_MACADDR:
		fprintf(f, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
		return true;
	case GT_ERRNO:
		fputs(strerror((int)out_u64(p)), f);
		return true;
	case GT_USERNAME:
		write_username(f, out_u64(p));
		return true;
	case GT_BUF:
		out_buf_write(f, t, p, 'r');
		return true;
	case GT_CGROUP_PATH:
		out_cgroup_path(f, t->fmt, out_u64(p));
		return true;
	default:
		return false;
	}
}

/* join(): the strings up to the first empty one, joined by delim; the
 * text format ends the line, JSON's data has no newline. */
void out_join(struct out *o, const char *delim, const uint8_t *data, int n, size_t argsize)
{
	char *buf = NULL;
	size_t len = 0;

	MEMSTREAM(buf, len, f, {
		for (int i = 0; i < n; i++) {
			const char *s = (const char *)data + i * argsize;

			if (!s[0])
				break;
			if (i)
				fputs(delim, f);
			fwrite(s, 1, strnlen(s, argsize), f);
		}
	});
	if (buf)
		out_ops_of(o)->message(o, "join", buf, len, true);
	free(buf);
}

#define CAT_BYTES_MAX 10240	/* bpftrace 0.17's cat_bytes_max */

/* cat(fmt, ...): the file's first bytes, as they are. */
void out_cat(struct out *o, const char *fmt, const struct gt_type *args, int nargs,
	     const uint8_t *data)
{
	char *name = NULL, *buf;
	size_t len = 0, n, max = o->cat_bytes ? o->cat_bytes : CAT_BYTES_MAX;
	FILE *f;

	MEMSTREAM(name, len, m, out_printf_format(m, fmt, args, nargs, data));
	if (!name)
		return;
	if (!(f = fopen(name, "re"))) {
		fflush(o->f);
		fprintf(stderr, "gotrace: cat: failed to open file '%s': %s\n", name,
			strerror(errno));
		free(name);
		return;
	}
	if ((buf = malloc(max))) {
		n = fread(buf, 1, max, f);
		out_ops_of(o)->message(o, "cat", buf, n, false);
		free(buf);
	}
	fclose(f);
	free(name);
}

/* system(fmt, ...): the command's output once it has finished, as
 * bpftrace prints it (JSON calls it "syscall"). */
void out_system(struct out *o, const char *fmt, const struct gt_type *args, int nargs,
		const uint8_t *data)
{
	char *cmd = NULL, *res = NULL, chunk[4096];
	size_t len = 0, rlen = 0, n;
	FILE *p;

	MEMSTREAM(cmd, len, m, out_printf_format(m, fmt, args, nargs, data));
	if (!cmd)
		return;
	fflush(o->f);
	if (!(p = popen(cmd, "r"))) {
		fprintf(stderr, "gotrace: system: %s\n", strerror(errno));
		free(cmd);
		return;
	}
	MEMSTREAM(res, rlen, m, {
		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			fwrite(chunk, 1, n, m);
	});
	pclose(p);
	if (res)
		out_ops_of(o)->message(o, "syscall", res, rlen, false);
	free(res);
	free(cmd);
}
