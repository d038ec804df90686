/*
 * LD_PRELOAD shim for the teardown tests (tests/runtime/teardown.py):
 * appends "KIND ID NAME" to the file $GT_BPFIDS for every BPF program, map
 * and link the process creates. libbpf makes its bpf() calls through
 * libc's syscall(), so wrapping that sees them all. Ids, not names, are
 * what the test needs: gotrace names its programs p0, p1, ... and its
 * maps m0, ..., as does every other gotrace on the machine, while an id
 * is never reused soon, so "id still loaded after we exited" is a leak of
 * ours and nobody else's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long, ...);

static void record(syscall_fn real, const char *kind, int fd)
{
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
		struct bpf_link_info link;
	} info;
	union bpf_attr attr;
	const char *path = getenv("GT_BPFIDS");
	char line[128];
	const char *name = "";
	__u32 id;
	int out, n;

	if (!path)
		return;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (real(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0)
		return;
	/* id is the second u32 of each info struct */
	if (kind[0] == 'p') {
		id = info.prog.id;
		name = info.prog.name;
	} else if (kind[0] == 'm') {
		id = info.map.id;
		name = info.map.name;
	} else {
		id = info.link.id;
	}
	n = snprintf(line, sizeof(line), "%s %u %s\n", kind, id, *name ? name : "-");
	out = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0)
		return;
	if (write(out, line, (size_t)n) < 0) {
		/* nothing to do: the test sees the id missing */
	}
	close(out);
}

long syscall(long nr, ...)
{
	static syscall_fn real;
	long a[6], ret;
	va_list ap;
	int saved;

	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	ret = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr != __NR_bpf || ret < 0)
		return ret;
	saved = errno;
	switch (a[0]) {
	case BPF_PROG_LOAD:
		record(real, "prog", (int)ret);
		break;
	case BPF_MAP_CREATE:
		record(real, "map", (int)ret);
		break;
	case BPF_LINK_CREATE:
	case BPF_RAW_TRACEPOINT_OPEN:
		record(real, "link", (int)ret);
		break;
	}
	errno = saved;
	return ret;
}
