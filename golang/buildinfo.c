/*
 * The Go release that built a binary, from its build info.
 *
 * go1.13+ linkers write a 32-byte header, in .go.buildinfo (kept by
 * `-ldflags=-s -w` and strip(1)), 16-byte aligned in the data segment:
 *
 *   "\xff Go buildinf:" (14 bytes), ptrsize u8, flags u8, then
 *   flags & 2 (go1.18+): at offset 32, uvarint length + version string,
 *                        then uvarint length + module info;
 *   otherwise: ptr to a Go string header {data ptr, len ptr} holding the
 *              version, then ptr to the module info's (PIE: relocations).
 *
 * Without the section we scan the file for the header. Older binaries, or
 * ones whose build info is gone, fall back to runtime.buildVersion (a Go
 * string header) and last to the first "go1.N[.M]" in read-only data,
 * which is where that string's bytes live.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "golang/gopcln.h"

static const char magic[14] = "\xff Go buildinf:";

static void set(struct bin *b, const uint8_t *s, uint64_t len)
{
	uint64_t n = 0;

	while (n < len && n < sizeof(b->gover) - 1 && s[n] && !isspace(s[n]))
		n++;
	memcpy(b->gover, s, n);
	b->gover[n] = 0;
}

/* Go string header at vaddr -> its bytes. */
static bool gostring(struct bin *b, uint64_t hdr, int ps, void (*fn)(struct bin *, const uint8_t *, uint64_t))
{
	uint64_t data, len;
	const uint8_t *p;

	if (bin_read_ptr(b, hdr, ps, &data) || bin_read_ptr(b, hdr + ps, ps, &len) ||
	    !len || len > 64 || !(p = bin_at_vaddr(b, data, len)))
		return false;
	fn(b, p, len);
	return true;
}

static bool parse(struct bin *b, const uint8_t *p, uint64_t avail, uint64_t vaddr)
{
	int ps = p[14], flags = p[15];
	uint64_t len = 0, ptr;
	int shift = 0;
	uint64_t i = 32;

	if (flags & 2) {
		for (;;) {
			if (i >= avail || shift > 28)
				return false;
			len |= (uint64_t)(p[i] & 0x7f) << shift;
			if (!(p[i++] & 0x80))
				break;
			shift += 7;
		}
		if (!len || len > avail - i)
			return false;
		set(b, p + i, len);
		return b->gover[0] != 0;
	}
	if ((ps != 4 && ps != 8) || (flags & 1) || !vaddr ||
	    bin_read_ptr(b, vaddr + 16, ps, &ptr))
		return false;
	return gostring(b, ptr, ps, set);
}

static bool from_buildinfo(struct bin *b)
{
	const uint8_t *p, *end = b->map + b->size;
	GElf_Shdr sh;

	if (bin_section(b, ".go.buildinfo", &sh) && sh.sh_type != SHT_NOBITS &&
	    (p = bin_at_off(b, sh.sh_offset, sh.sh_size)) && sh.sh_size >= 32 &&
	    !memcmp(p, magic, sizeof(magic)))
		return parse(b, p, sh.sh_size, sh.sh_addr);
	for (p = b->map; (p = memmem(p, end - p, magic, sizeof(magic))); p++) {
		uint64_t off = p - b->map, vaddr = 0;

		if ((off & 15) || end - p < 32)
			continue;
		for (int i = 0; i < b->nsegs; i++)
			if (off >= b->segs[i].off && off - b->segs[i].off < b->segs[i].filesz)
				vaddr = off - b->segs[i].off + b->segs[i].vaddr;
		if (parse(b, p, end - p, vaddr))
			return true;
	}
	return false;
}

/* "go1.N" or "go1.N.M" at p, returns its length or 0. */
static size_t version_at(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p + 4;

	if (end - p < 5 || memcmp(p, "go1.", 4) || !isdigit(*q))
		return 0;
	while (q < end && isdigit(*q))
		q++;
	if (q + 1 < end && *q == '.' && isdigit(q[1]))
		for (q++; q < end && isdigit(*q);)
			q++;
	return q - p;
}

static bool from_rodata(struct bin *b)
{
	uint64_t v;

	if (bin_symbol(b, "runtime.buildVersion", &v) && gostring(b, v, b->go->ptrsize, set))
		return true;
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *s = &b->segs[i];
		const uint8_t *p = bin_at_off(b, s->off, s->filesz), *end;
		size_t n;

		if (!p || (s->flags & (PF_W | PF_X)))
			continue;
		for (end = p + s->filesz; (p = memmem(p, end - p, "go1.", 4)); p++)
			if ((n = version_at(p, end))) {
				set(b, p, n);
				return true;
			}
	}
	return false;
}

const char *bin_go_version(const struct bin *cb)
{
	struct bin *b = (struct bin *)cb;	/* lazily cached, under the lock */

	if (!b->go)
		return NULL;
	pthread_mutex_lock(&b->lock);
	if (!b->gover_done) {
		if (!from_buildinfo(b) && !from_rodata(b))
			b->gover[0] = 0;
		b->gover_done = true;
	}
	pthread_mutex_unlock(&b->lock);
	return b->gover[0] ? b->gover : NULL;
}

int bin_go_minor(const struct bin *b)
{
	const char *v = bin_go_version(b), *p;

	if (!v || !(p = strstr(v, "go1.")) || !isdigit((unsigned char)p[4]))
		return -1;
	return atoi(p + 4);
}
