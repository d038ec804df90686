/*
 * Tracepoints, read from tracefs: which exist (for wildcards and errors)
 * and the fields of each, from its events/CAT/NAME/format file:
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

#include "common/alloc.h"
#include "runtime/attach.h"
#include "sema/sema.h"

#define EVENTS "/sys/kernel/tracing/events"

/* "char comm[16]" -> name "comm", string; "const char * filename" ->
 * name "filename", integer. */
static void parse_decl(char *decl, struct tp_field *f)
{
	char *br, *name;
	size_t len;

	f->decl = xstrdup(decl);
	br = strchr(decl, '[');
	f->data_loc = strstr(decl, "__data_loc") != NULL;
	f->is_string = br && strstr(decl, "char") && !strchr(decl, '*');
	if (br)
		*br = 0;
	len = strlen(decl);
	while (len && decl[len - 1] == ' ')
		decl[--len] = 0;
	name = strrchr(decl, ' ');
	name = name ? name + 1 : decl;
	if (*name == '*')
		name++;
	f->name = xstrdup(name);
}

int tracepoint_fields(const char *cat, const char *name, struct tp_field **out, int *n)
{
	char path[512], line[1024];
	FILE *fp;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), EVENTS "/%s/%s/format", cat, name);
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

	x->cat = cat;
	snprintf(path, sizeof(path), EVENTS "/%s", cat);
	return list_dir(path, x->name_glob, on_name, x);
}

int tracepoint_expand(const char *cat_glob, const char *name_glob,
		      int (*cb)(const char *cat, const char *name, void *arg), void *arg)
{
	struct expand x = { name_glob, NULL, cb, arg };
	char err[256];

	if (tracefs_ensure(err, sizeof(err)) < 0)
		return -EACCES;
	return list_dir(EVENTS, cat_glob, on_cat, &x);
}
