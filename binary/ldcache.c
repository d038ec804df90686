/*
 * Shared libraries named the short way, "libc" in uprobe:libc:malloc,
 * found as bpftrace 0.17 finds them (through bcc): first among the
 * libraries the -p process has mapped (a path holding "/libc." or
 * "/libc-" and ".so"), then in the dynamic loader's cache,
 * /etc/ld.so.cache, as the first entry whose name starts with "libc.so"
 * and whose flags say a 64-bit libc6 library. The path is the one the
 * map or the cache gives, unresolved, so probe names read as bpftrace's.
 *
 * The cache is read once. Its format is glibc's: the old "ld.so-1.7.0"
 * table, optionally followed by the new "glibc-ld.so.cache1.1" one, or
 * the new one alone (what glibc 2.32+ writes); offsets of the new table
 * are from its start, of the old from its string table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "binary/binary.h"
#include "common/alloc.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache"

struct old_entry {
	int32_t flags;
	uint32_t key, value;
};

struct new_entry {
	int32_t flags;
	uint32_t key, value, osversion;
	uint64_t hwcap;
};

struct new_header {
	char magic[sizeof(NEW_MAGIC) - 1];
	char version[3];
	uint32_t nlibs, strtab_len;
	uint32_t unused[5];
};

/* A 64-bit libc6 library (flags: type in the low byte, ABI above). */
static bool usable(int32_t flags)
{
	unsigned abi = flags & 0xff00;

	if ((flags & 0xff) != 3)
		return false;
	return abi == 0x0100 || abi == 0x0200 || abi == 0x0300 || abi == 0x0400 ||
	       abi == 0x0500 || abi == 0x0a00;
}

static struct lib {
	char *name, *path;
} *libs;
static int nlibs = -1;		/* -1: not read yet */

static void add(const char *map, size_t size, uint32_t key, uint32_t value,
		int32_t flags)
{
	if (key >= size || value >= size || !usable(flags) ||
	    !memchr(map + key, 0, size - key) || !memchr(map + value, 0, size - value))
		return;
	libs = xrealloc(libs, (nlibs + 1) * sizeof(*libs));
	libs[nlibs].name = xstrdup(map + key);
	libs[nlibs].path = xstrdup(map + value);
	nlibs++;
}

static void read_new(const char *map, size_t size)
{
	const struct new_header *h = (const void *)map;
	const struct new_entry *e = (const void *)(h + 1);

	if (size < sizeof(*h) || memcmp(h->magic, NEW_MAGIC, sizeof(h->magic)) ||
	    h->nlibs > (size - sizeof(*h)) / sizeof(*e))
		return;
	for (uint32_t i = 0; i < h->nlibs; i++)
		add(map, size, e[i].key, e[i].value, e[i].flags);
}

static void read_cache(const char *path)
{
	struct stat st;
	const char *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	nlibs = 0;
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(struct new_header)) {
		close(fd);
		return;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	if (memcmp(map, OLD_MAGIC, sizeof(OLD_MAGIC) - 1) == 0) {
		uint32_t n;
		size_t hdr = sizeof(OLD_MAGIC) - 1 + sizeof(uint32_t), len;

		memcpy(&n, map + sizeof(OLD_MAGIC) - 1, sizeof(n));
		if (n > (st.st_size - hdr) / sizeof(struct old_entry))
			goto out;
		len = (hdr + n * sizeof(struct old_entry) + 7) & ~(size_t)7;
		if ((size_t)st.st_size > len + sizeof(struct new_header)) {
			read_new(map + len, st.st_size - len);
		} else {
			const struct old_entry *e = (const void *)(map + hdr);
			const char *strs = (const char *)(e + n);
			size_t strsize = st.st_size - (strs - map);

			for (uint32_t i = 0; i < n; i++)
				add(strs, strsize, e[i].key, e[i].value, e[i].flags);
		}
	} else {
		read_new(map, st.st_size);
	}
out:
	munmap((void *)map, st.st_size);
}

/* The first mapping of pid whose path holds "/libNAME." or "/libNAME-"
 * and ".so", as it is in the maps file. */
static char *in_process(const char *name, pid_t pid)
{
	char path[64], line[4096 + 128], dot[256], dash[256], *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	snprintf(dot, sizeof(dot), "/lib%s.", name);
	snprintf(dash, sizeof(dash), "/lib%s-", name);
	if (!(f = fopen(path, "r")))
		return NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *nl;

		if (!file)
			continue;
		if ((nl = strchr(file, '\n')))
			*nl = 0;
		if (strstr(file, ".so") && (strstr(file, dot) || strstr(file, dash)))
			found = xstrdup(file);
	}
	fclose(f);
	return found;
}

char *bin_find_library(const char *name, pid_t pid)
{
	size_t len;
	char *p;

	if (strncmp(name, "lib", 3) != 0 || strpbrk(name, "/*?"))
		return NULL;
	if (pid > 0 && (p = in_process(name + 3, pid)))
		return p;
	if (nlibs < 0)
		read_cache("/etc/ld.so.cache");
	len = strlen(name);
	for (int i = 0; i < nlibs; i++)
		if (strncmp(libs[i].name, name, len) == 0 &&
		    strncmp(libs[i].name + len, ".so", 3) == 0)
			return xstrdup(libs[i].path);
	return NULL;
}
