/*
 * tracefs: where tracepoint ids live (events/CAT/NAME/id). libbpf reads
 * them from /sys/kernel/debug/tracing when that exists and otherwise from
 * /sys/kernel/tracing; neither is mounted on a fresh minimal system, so
 * before the first tracepoint we mount tracefs at /sys/kernel/tracing, as
 * the kernel documentation and libbpf expect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "runtime/attach.h"

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static int mounted(const char *dir)
{
	char p[64];

	snprintf(p, sizeof(p), "%s/events", dir);
	return access(p, F_OK) == 0;
}

int tracefs_ensure(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++)
		if (mounted(tracefs_dirs[i]))
			return 0;
	if (mount("tracefs", tracefs_dirs[0], "tracefs", 0, NULL) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot mount tracefs at %s: %s",
			 tracefs_dirs[0], strerror(e));
		return -e;
	}
	return 0;
}

/* A name component that cannot climb out of events/. */
static int safe(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int tracepoint_exists(const char *category, const char *name)
{
	char p[512];

	if (!safe(category) || !safe(name))
		return -ENOENT;
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		snprintf(p, sizeof(p), "%s/events/%s/%s/id", tracefs_dirs[i],
			 category, name);
		if (access(p, F_OK) == 0)
			return 0;
	}
	return -ENOENT;
}
