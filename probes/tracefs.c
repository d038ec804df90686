/*
 * tracefs: which tracepoints exist, and the fields of each.
 *
 * Tracepoints live under events/CAT/NAME/ of the tracefs mount. The kernel
 * documentation (and libbpf) expect it at /sys/kernel/tracing; older
 * systems have it at /sys/kernel/debug/tracing; a fresh minimal system has
 * neither mounted, so before the first tracepoint we mount it at
 * /sys/kernel/tracing. Every reader here goes through tracefs_dir(), so
 * they all agree on where it is.
 *
 * Each tracepoint's format file lists its record's fields:
 *
 *   field:unsigned short common_type;  offset:0;  size:2;  signed:0;
 *   field:const char * filename;       offset:16; size:8;  signed:0;
 *   field:__data_loc char[] name;      offset:8;  size:4;  signed:1;
 *
 * The common_ fields are the record header; they are kept (bpftrace has
 * them as args too) but rarely useful.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

static const char *const dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static bool mounted(const char *dir)
{
	char p[64];

	snprintf(p, sizeof(p), "%s/events", dir);
	return access(p, F_OK) == 0;
}

const char *tracefs_dir(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		if (mounted(dirs[i]))
			return dirs[i];
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot mount tracefs at %s: %s", dirs[0],
			 strerror(e));
		errno = e;
		return NULL;
	}
	return dirs[0];
}

/* A name component that cannot climb out of events/. */
static bool safe(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int tracefs_exists(const char *cat, const char *name)
{
	char p[512], err[256];
	const char *dir = tracefs_dir(err, sizeof(err));

	if (!dir || !safe(cat) || !safe(name))
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/events/%s/%s/id", dir, cat, name);
	return access(p, F_OK) == 0 ? 0 : -ENOENT;
}

static void trim_right(char *s)
{
	size_t len = strlen(s);

	while (len && s[len - 1] == ' ')
		s[--len] = 0;
}

/* "char comm[16]" -> name "comm", string; "const char * filename" ->
 * name "filename", integer; "__data_loc char[] filename" -> name
 * "filename", a __data_loc (the array's brackets precede the name). */
static void parse_decl(char *decl, struct tp_field *f)
{
	char *name;
	size_t len;

	f->decl = xstrdup(decl);
	f->data_loc = strstr(decl, "__data_loc") != NULL;
	trim_right(decl);
	len = strlen(decl);
	if (len && decl[len - 1] == ']' && !f->data_loc) {
		f->is_string = strstr(decl, "char") && !strchr(decl, '*');
		*strrchr(decl, '[') = 0;
		trim_right(decl);
	}
	name = decl + strlen(decl);
	while (name > decl && name[-1] != ' ' && name[-1] != '*')
		name--;
	f->name = xstrdup(name);
}

int tracefs_fields(const char *cat, const char *name, struct tp_field **out, int *n)
{
	char path[512], line[1024], err[256];
	const char *dir = tracefs_dir(err, sizeof(err));
	FILE *fp;

	*out = NULL;
	*n = 0;
	if (!dir)
		return -EACCES;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, cat, name);
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char decl[512];
		unsigned off, size;
		int sign;
		struct tp_field f = { 0 };

		if (sscanf(line, " field:%511[^;]; offset:%u; size:%u; signed:%d;",
			   decl, &off, &size, &sign) != 4)
			continue;
		parse_decl(decl, &f);
		f.offset = off;
		f.size = size;
		f.is_signed = sign;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = f;
	}
	fclose(fp);
	return 0;
}

static int list_dir(const char *path, const char *glob,
		    int (*cb)(const char *name, void *arg), void *arg)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && rc == 0) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		if (fnmatch(glob, e->d_name, 0) == 0)
			rc = cb(e->d_name, arg);
	}
	closedir(d);
	return rc;
}

struct expand {
	const char *events;	/* DIR/events */
	const char *name_glob;
	const char *cat;
	int (*cb)(const char *cat, const char *name, void *arg);
	void *arg;
};

static int on_name(const char *name, void *arg)
{
	struct expand *x = arg;

	return x->cb(x->cat, name, x->arg);
}

static int on_cat(const char *cat, void *arg)
{
	struct expand *x = arg;
	char path[512];

	/* ftrace's own events are in events/ but not in available_events:
	 * BPF cannot attach to them, and bpftrace does not list them */
	if (strcmp(cat, "ftrace") == 0)
		return 0;
	x->cat = cat;
	snprintf(path, sizeof(path), "%s/%s", x->events, cat);
	return list_dir(path, x->name_glob, on_name, x);
}

int tracefs_expand(const char *cat_glob, const char *name_glob,
		   int (*cb)(const char *cat, const char *name, void *arg), void *arg)
{
	char err[256], events[64];
	const char *dir = tracefs_dir(err, sizeof(err));
	struct expand x = { events, name_glob, NULL, cb, arg };

	if (!dir)
		return -EACCES;
	snprintf(events, sizeof(events), "%s/events", dir);
	/* A name without glob characters is looked up, not searched for:
	 * listing events/ and then the category (700 entries for syscalls)
	 * for each probe made 200 tracepoints cost ~15 ms of directory
	 * reads before anything was compiled. */
	if (!strpbrk(cat_glob, "*?[") && !strpbrk(name_glob, "*?[")) {
		if (strcmp(cat_glob, "ftrace") == 0 ||
		    tracefs_exists(cat_glob, name_glob) < 0)
			return 0;
		return cb(cat_glob, name_glob, arg);
	}
	return list_dir(events, cat_glob, on_cat, &x);
}
