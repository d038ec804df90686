/*
 * Separate debug files: distributions strip .symtab from their libraries
 * (libc has only .dynsym, without __libc_start_call_main and the other
 * local functions) and ship it in a -dbg package under /usr/lib/debug.
 * bpftrace (through bcc) reads it there to name such frames and to list
 * and probe such functions; so do we.
 *
 * Looked up as gdb does: by build id, /usr/lib/debug/.build-id/ab/cdef.debug;
 * else by the .gnu_debuglink name, in the binary's directory, its .debug/
 * subdirectory and under /usr/lib/debug/<directory>. A file found must
 * carry the binary's build id, or when the binary has none, the
 * debuglink's CRC-32 of its contents: a stale debug file would name every
 * frame wrongly.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "binary/bin_impl.h"

#define DEBUG_DIR "/usr/lib/debug"

/* The GNU build id in hex, or "" (a Go build id does not count:
 * bin_build_id() gives the GNU one when there is one). */
static void gnu_build_id(const struct bin *b, char *buf, size_t len)
{
	GElf_Shdr sh;

	if (!bin_section(b, ".note.gnu.build-id", &sh) || bin_build_id(b, buf, len) != 0)
		buf[0] = 0;
}

static struct bin *by_build_id(const char *id)
{
	char path[PATH_MAX];

	if (strlen(id) < 4)
		return NULL;
	snprintf(path, sizeof(path), DEBUG_DIR "/.build-id/%.2s/%s.debug", id, id + 2);
	return access(path, R_OK) == 0 ? bin_open_uncached(path) : NULL;
}

/* .gnu_debuglink: a file name, padding to 4 bytes, a CRC-32. */
static const char *debuglink(const struct bin *b, uint32_t *crc)
{
	GElf_Shdr sh;
	const char *name;
	size_t n;

	if (!bin_section(b, ".gnu_debuglink", &sh) || sh.sh_type == SHT_NOBITS ||
	    !(name = (const char *)bin_at_off(b, sh.sh_offset, sh.sh_size)))
		return NULL;
	n = strnlen(name, sh.sh_size);
	if (!n || ((n + 4) & ~(size_t)3) + 4 > sh.sh_size)
		return NULL;
	memcpy(crc, name + ((n + 4) & ~(size_t)3), 4);
	return name;
}

static struct bin *by_debuglink(const struct bin *b, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX], real[PATH_MAX], *slash;
	const char *fmts[] = { "%s/%s", "%s/.debug/%s", DEBUG_DIR "%s/%s" };
	uint32_t crc;
	const char *name = debuglink(b, &crc);

	if (!name || !realpath(b->path, real))
		return NULL;
	snprintf(dir, sizeof(dir), "%s", real);
	if (!(slash = strrchr(dir, '/')))
		return NULL;
	*slash = 0;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char did[128];
		struct bin *d;

		snprintf(path, sizeof(path), fmts[i], dir, name);
		if (strcmp(path, real) == 0 || access(path, R_OK) != 0 ||
		    !(d = bin_open_uncached(path)))
			continue;
		gnu_build_id(d, did, sizeof(did));
		if (*id ? strcmp(id, did) == 0
			: crc32(0, d->map, d->size) == crc)
			return d;
		bin_free(d);
	}
	return NULL;
}

struct bin *bin_debug_file(struct bin *b)
{
	char id[128], did[128];
	struct bin *d;

	gnu_build_id(b, id, sizeof(id));
	if (*id && (d = by_build_id(id))) {
		gnu_build_id(d, did, sizeof(did));
		if (strcmp(id, did) == 0 && d->has_symtab)
			return d;
		bin_free(d);
	}
	d = by_debuglink(b, id);
	if (d && !d->has_symtab) {
		bin_free(d);
		d = NULL;
	}
	return d;
}
