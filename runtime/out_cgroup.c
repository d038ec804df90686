/*
 * cgroup_path(id[, filter]): the paths of cgroup `id` in every cgroup
 * hierarchy mounted (/proc/mounts), as bpftrace 0.17 prints them:
 * "unified:/user.slice/..." for cgroup v2, "NAME:/..." for a v1 hierarchy
 * (NAME the mount point's last component), joined by ',', unified first,
 * then by name; hierarchies whose name the filter (a '*' wildcard) does
 * not match, or where the id is not found, are left out.
 *
 * A cgroup's id is the inode number of its directory, so it is found by
 * walking the hierarchy; the last path found in each is kept, and checked
 * before it is used again.
 */
#include <fnmatch.h>
#include <ftw.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "runtime/out_int.h"

struct root {
	char name[256];
	char dir[4096];
};

static uint64_t want_ino;
static char found[4096];

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_D || st->st_ino != want_ino)
		return 0;
	snprintf(found, sizeof(found), "%s", path);
	return 1;
}

/* The path of cgroup id under root->dir, relative to it ("/" for the
 * root itself), or NULL. */
static const char *path_in(const struct root *r, uint64_t id)
{
	static struct { uint64_t id; char dir[4096]; char path[4096]; } cache[16];
	static int next;
	struct stat st;
	size_t len = strlen(r->dir);

	for (int i = 0; i < 16; i++) {
		char full[8192];

		if (cache[i].id != id || strcmp(cache[i].dir, r->dir))
			continue;
		snprintf(full, sizeof(full), "%s%s", r->dir, cache[i].path);
		if (stat(full, &st) == 0 && st.st_ino == id)
			return cache[i].path;
	}
	want_ino = id;
	found[0] = 0;
	if (nftw(r->dir, visit, 16, FTW_PHYS | FTW_MOUNT) != 1)
		return NULL;
	cache[next].id = id;
	snprintf(cache[next].dir, sizeof(cache[next].dir), "%s", r->dir);
	snprintf(cache[next].path, sizeof(cache[next].path), "%s",
		 found[len] ? found + len : "/");
	id = next;
	next = (next + 1) % 16;
	return cache[id].path;
}

static int cmp_roots(const void *a, const void *b)
{
	const struct root *x = a, *y = b;
	bool ux = !strcmp(x->name, "unified"), uy = !strcmp(y->name, "unified");

	if (ux != uy)
		return ux ? -1 : 1;
	return strcmp(x->name, y->name);
}

void out_cgroup_path(FILE *f, const char *filter, uint64_t id)
{
	struct root *roots = NULL;
	int n = 0, printed = 0;
	FILE *m = setmntent("/proc/mounts", "r");
	struct mntent *e;

	while (m && (e = getmntent(m))) {
		bool v2 = !strcmp(e->mnt_type, "cgroup2");
		const char *slash;

		if (!v2 && strcmp(e->mnt_type, "cgroup"))
			continue;
		roots = xrealloc(roots, (n + 1) * sizeof(*roots));
		slash = strrchr(e->mnt_dir, '/');
		snprintf(roots[n].name, sizeof(roots[n].name), "%s",
			 v2 ? "unified" : slash ? slash + 1 : e->mnt_dir);
		snprintf(roots[n].dir, sizeof(roots[n].dir), "%s", e->mnt_dir);
		n++;
	}
	if (m)
		endmntent(m);
	qsort(roots, n, sizeof(*roots), cmp_roots);
	for (int i = 0; i < n; i++) {
		const char *p;

		if (filter && *filter && fnmatch(filter, roots[i].name, 0))
			continue;
		if (!(p = path_in(&roots[i], id)))
			continue;
		fprintf(f, "%s%s:%s", printed++ ? "," : "", roots[i].name, p);
	}
	free(roots);
}
