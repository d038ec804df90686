/*
 * Opening ELF files: the cache, the mapping, program and section headers.
 *
 * bin_open() maps the file once (MAP_PRIVATE, so libelf may touch its
 * copy-on-write pages without affecting the file) and hands the mapping to
 * libelf with elf_memory(). Before any section or segment is used we check
 * it lies inside the file, so a truncated file gets a clear error instead
 * of a fault. Opened files are cached by path, inode and mtime: a rebuilt
 * binary at the same path gets a new entry.
 *
 * Two kinds of holder share the cache. The compiler and the probes open
 * binaries with bin_open() and keep them, and their types and names, for
 * the whole run: those are pinned. Process snapshots (proc.c) take counted
 * references with bin_get() and let go of them when a process leaves
 * their cache, so that a system-wide trace that sees thousands of short-
 * lived binaries (test binaries, containers) does not keep them all. A
 * binary neither pinned nor referenced is idle: the IDLE_MAX released
 * most recently are kept, in case a process maps them again, and
 * bin_cache_trim() frees the rest. It is the runtime that calls it, at
 * points where no name or type from an earlier lookup is still in use,
 * since frames and types point into the binary.
 *
 * The pages of a file that lookups read stay in our page tables, and so
 * in our RSS, until unmapped, and the kernel maps up to 64 KiB of cached
 * pages around each one read (fault-around; MADV_RANDOM does not stop
 * it): a system-wide trace that printed the stacks of 1,200 small Go
 * programs held 600 MiB of them. They are clean page-cache pages that
 * come back on the next read with the same bytes, so once a second
 * bin_cache_trim() lets go of those of each binary no lookup used since
 * the second before (drop_pages()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "binary/bin_impl.h"
#include "golang/gopcln.h"

/* Enough for the libraries and programs a host's processes come and go
 * with; a binary is re-read only after 16 others were let go since. */
#define IDLE_MAX 16
#define SWEEP_NS 1000000000ULL	/* how often unused pages are let go */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bin *cache;
static size_t nidle;
static uint64_t nreleased;
static uint64_t sweeps = 1, last_sweep;	/* periods of SWEEP_NS, since when */

void bin_seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const uint8_t *bin_at_off(const struct bin *b, uint64_t off, uint64_t len)
{
	if (off > b->size || len > b->size - off)
		return NULL;
	return b->map + off;
}

const uint8_t *bin_at_vaddr(const struct bin *b, uint64_t vaddr, uint64_t len)
{
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *s = &b->segs[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			if (len > s->filesz - (vaddr - s->vaddr))
				return NULL;
			return bin_at_off(b, s->off + (vaddr - s->vaddr), len);
		}
	}
	return NULL;
}

int bin_vaddr_to_offset(struct bin *b, uint64_t vaddr, uint64_t *off)
{
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *s = &b->segs[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*off = vaddr - s->vaddr + s->off;
			return 0;
		}
	}
	return -ERANGE;
}

bool bin_section(const struct bin *b, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!b->has_shdrs || elf_getshdrstrndx(b->elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(b->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(b->elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

static int read_segments(struct bin *b, char *err, size_t errlen)
{
	size_t n;

	if (elf_getphdrnum(b->elf, &n) || !n) {
		bin_seterr(err, errlen, "%s: no program headers (not an executable or shared object?)",
			   b->path);
		return -ENOEXEC;
	}
	b->segs = calloc(n, sizeof(*b->segs));
	if (!b->segs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(b->elf, i, &ph)) {
			bin_seterr(err, errlen, "%s: program headers run past the end of the file (truncated?)",
				   b->path);
			return -EINVAL;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (!bin_at_off(b, ph.p_offset, ph.p_filesz)) {
			bin_seterr(err, errlen, "%s: segment at offset %#llx runs past the end of the file (truncated?)",
				   b->path, (unsigned long long)ph.p_offset);
			return -EINVAL;
		}
		b->segs[b->nsegs++] = (struct bin_seg){ ph.p_vaddr, ph.p_memsz, ph.p_offset,
							ph.p_filesz, ph.p_flags };
	}
	return 0;
}

/* Section headers are optional (sstrip), but those present must fit. */
static int read_sections(struct bin *b, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, n = 0;
	GElf_Shdr sh;

	if (elf_getshdrnum(b->elf, &n) || n == 0)
		return 0;
	if (b->ehdr.e_shoff > b->size ||
	    (uint64_t)n * b->ehdr.e_shentsize > b->size - b->ehdr.e_shoff ||
	    elf_getshdrstrndx(b->elf, &shstrndx)) {
		bin_seterr(err, errlen, "%s: section headers run past the end of the file (truncated?)",
			   b->path);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(b->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		if (sh.sh_type != SHT_NOBITS && !bin_at_off(b, sh.sh_offset, sh.sh_size)) {
			bin_seterr(err, errlen, "%s: section %zu runs past the end of the file (truncated?)",
				   b->path, elf_ndxscn(scn));
			return -EINVAL;
		}
		name = elf_strptr(b->elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB)
			b->has_symtab = true;
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			b->has_dwarf = true;
	}
	b->has_shdrs = true;
	return 0;
}

static int check_elf(struct bin *b, char *err, size_t errlen)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (b->size < 4 || memcmp(b->map, magic, 4)) {
		bin_seterr(err, errlen, "%s: not an ELF file", b->path);
		return -ENOEXEC;
	}
	elf_version(EV_CURRENT);
	b->elf = elf_memory((char *)b->map, b->size);
	if (!b->elf || elf_kind(b->elf) != ELF_K_ELF || !gelf_getehdr(b->elf, &b->ehdr)) {
		bin_seterr(err, errlen, "%s: truncated or corrupt ELF header", b->path);
		return -ENOEXEC;
	}
	if (b->ehdr.e_phoff > b->size ||
	    (uint64_t)b->ehdr.e_phnum * b->ehdr.e_phentsize > b->size - b->ehdr.e_phoff) {
		bin_seterr(err, errlen, "%s: program headers run past the end of the file (truncated?)",
			   b->path);
		return -EINVAL;
	}
	return 0;
}

/* The DWARF readers go first: libdw reads through b->elf. */
void bin_free(struct bin *b)
{
	if (b->go) {
		go_fcache_free(b->go);
		go_inl_index_free(b->go->inlindex);
		go_types_free(b->go);
		go_dwtypes_free(b->go);
		go_params_free(b->go);
		free(b->go->buckets);
	}
	bin_cdwarf_free(b);
	if (b->elf)
		elf_end(b->elf);
	if (b->map && b->map != MAP_FAILED)
		munmap(b->map, b->size);
	free(b->segs);
	free(b->funcs);
	free(b->abi0_names);
	free(b->middot_names);
	bin_names_free(&b->names);
	free(b->name_first);
	free(b->rels);
	free(b->go);
	if (b->debug)
		bin_free(b->debug);
	bin_demangled_free(b);
	pthread_mutex_destroy(&b->lock);
	pthread_mutex_destroy(&b->types_lock);
	free(b->path);
	free(b);
}

static struct bin *load(const char *path, int fd, const struct stat *st, char *err, size_t errlen)
{
	struct bin *b = calloc(1, sizeof(*b));
	pthread_mutexattr_t attr;
	int ret;

	if (!b || !(b->path = strdup(path))) {
		free(b);
		bin_seterr(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&b->lock, &attr);
	pthread_mutex_init(&b->types_lock, &attr);
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->mtime = st->st_mtim;
	b->size = st->st_size;
	b->used = __atomic_load_n(&sweeps, __ATOMIC_RELAXED);
	b->map = b->size ? mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) : NULL;
	if (b->map == MAP_FAILED) {
		ret = -errno;
		bin_seterr(err, errlen, "%s: cannot map: %s", path, strerror(-ret));
	} else {
		ret = check_elf(b, err, errlen);
	}
	ret = ret ?: read_segments(b, err, errlen);
	ret = ret ?: read_sections(b, err, errlen);
	ret = ret ?: go_pcln_open(b, err, errlen);
	ret = ret ?: bin_functab_build(b, err, errlen);
	if (ret) {
		bin_free(b);
		errno = -ret;
		return NULL;
	}
	return b;
}

struct bin *bin_open_uncached(const char *path)
{
	struct stat st;
	struct bin *b = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		b = load(path, fd, &st, NULL, 0);
	close(fd);
	return b;
}

static bool same_file(const struct bin *b, const struct stat *st)
{
	return b->ino == st->st_ino && b->dev == st->st_dev && b->size == (size_t)st->st_size &&
	       b->mtime.tv_sec == st->st_mtim.tv_sec && b->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static bool idle(const struct bin *b)
{
	return !b->pinned && !b->refs;
}

/* The cached entry for path, loaded if need be, with cache_lock held on
 * success. A file reached through /proc/PID/root (a process in another
 * mount namespace) shares the entry of the same file opened before by any
 * path: each process of a container has its own /proc/PID/root, and
 * loading the binary again for each would grow memory with every process
 * traced. */
static struct bin *lookup(const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct bin *b;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;

		bin_seterr(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		bin_seterr(err, errlen, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&cache_lock);
	for (b = cache; b; b = b->next)
		if (same_file(b, &st) && (!strcmp(b->path, path) || !strncmp(path, "/proc/", 6)))
			break;
	if (b && idle(b))
		nidle--;	/* the caller takes it */
	if (!b && (b = load(path, fd, &st, err, errlen))) {
		b->next = cache;
		cache = b;
	}
	if (!b)
		pthread_mutex_unlock(&cache_lock);
	close(fd);
	return b;
}

struct bin *bin_open(const char *path, char *err, size_t errlen)
{
	struct bin *b = lookup(path, err, errlen);

	if (b) {
		b->pinned = true;
		pthread_mutex_unlock(&cache_lock);
	}
	return b;
}

struct bin *bin_get(const char *path)
{
	struct bin *b = lookup(path, NULL, 0);

	if (b) {
		b->refs++;
		pthread_mutex_unlock(&cache_lock);
	}
	return b;
}

void bin_put(struct bin *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&cache_lock);
	if (b->refs && !--b->refs && !b->pinned) {
		b->released = ++nreleased;
		nidle++;
	}
	pthread_mutex_unlock(&cache_lock);
}

void bin_touch(struct bin *b)
{
	__atomic_store_n(&b->used, __atomic_load_n(&sweeps, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/* Lets go of b's pages (and its debug file's) but those of the section
 * headers: the one place libelf writes to the mapping is there, in place
 * (elf_compress() when libdw decompresses a .zdebug section), so those
 * pages are copies that hold what it wrote. Every other page only ever
 * holds the file's bytes, which the next read faults in again. */
static void drop_pages(struct bin *b)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), lo = b->size, hi = b->size;
	size_t shnum = 0;

	if (b->elf && b->ehdr.e_shoff && b->ehdr.e_shoff < b->size &&
	    elf_getshdrnum(b->elf, &shnum) == 0) {
		uint64_t len = (uint64_t)shnum * b->ehdr.e_shentsize;

		lo = b->ehdr.e_shoff & ~(page - 1);
		hi = len < b->size - b->ehdr.e_shoff ? b->ehdr.e_shoff + len : b->size;
		hi = (hi + page - 1) & ~(page - 1);
	}
	if (lo)
		madvise(b->map, lo, MADV_DONTNEED);
	if (hi < b->size)
		madvise(b->map + hi, b->size - hi, MADV_DONTNEED);
	if (b->debug)
		drop_pages(b->debug);
}

/* One period ends: the binaries not used in it, and not let go of since
 * their last use, let go of their pages. With cache_lock held. */
static void sweep(void)
{
	for (struct bin *b = cache; b; b = b->next) {
		uint64_t used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);

		if (used < sweeps && b->dropped <= used && b->map) {
			drop_pages(b);
			b->dropped = sweeps;
		}
	}
	__atomic_store_n(&sweeps, sweeps + 1, __ATOMIC_RELAXED);
}

void bin_cache_sweep(void)
{
	pthread_mutex_lock(&cache_lock);
	sweep();
	pthread_mutex_unlock(&cache_lock);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Frees the idle binaries beyond IDLE_MAX, those let go of first, and
 * once a second lets go of unused pages. A cache of a few hundred entries
 * is walked once per binary freed, and only when there is one to free. */
void bin_cache_trim(void)
{
	uint64_t t = now_ns();

	pthread_mutex_lock(&cache_lock);
	if (t - last_sweep >= SWEEP_NS) {
		last_sweep = t;
		sweep();
	}
	while (nidle > IDLE_MAX) {
		struct bin **pp, **oldest = NULL, *b;

		for (pp = &cache; *pp; pp = &(*pp)->next)
			if (idle(*pp) && (!oldest || (*pp)->released < (*oldest)->released))
				oldest = pp;
		if (!oldest)
			break;
		b = *oldest;
		*oldest = b->next;
		nidle--;
		bin_free(b);
	}
	pthread_mutex_unlock(&cache_lock);
}

size_t bin_cached(void)
{
	size_t n = 0;

	pthread_mutex_lock(&cache_lock);
	for (const struct bin *b = cache; b; b = b->next)
		n++;
	pthread_mutex_unlock(&cache_lock);
	return n;
}

const char *bin_path(const struct bin *b)
{
	return b->path;
}

bool bin_is_go(const struct bin *b)
{
	return b->go != NULL;
}

/* The descriptor of the first note in section `name`, and its size. */
static const uint8_t *note_desc(const struct bin *b, const char *name, uint32_t *size)
{
	GElf_Shdr sh;
	const uint8_t *p;
	uint32_t namesz, descsz;

	if (!bin_section(b, name, &sh) || sh.sh_type != SHT_NOTE || sh.sh_size < 12 ||
	    !(p = bin_at_off(b, sh.sh_offset, sh.sh_size)))
		return NULL;
	memcpy(&namesz, p, 4);
	memcpy(&descsz, p + 4, 4);
	namesz = (namesz + 3) & ~3u;
	if ((uint64_t)12 + namesz + descsz > sh.sh_size)
		return NULL;
	*size = descsz;
	return p + 12 + namesz;
}

int bin_build_id(const struct bin *b, char *buf, size_t len)
{
	const uint8_t *d;
	uint32_t n;
	size_t o = 0;

	if (!len)
		return -EINVAL;
	buf[0] = 0;
	if ((d = note_desc(b, ".note.gnu.build-id", &n))) {
		for (uint32_t i = 0; i < n && o + 3 <= len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%02x", d[i]);
		return 0;
	}
	if ((d = note_desc(b, ".note.go.buildid", &n))) {
		snprintf(buf, len, "%.*s", (int)strnlen((const char *)d, n), (const char *)d);
		return 0;
	}
	return -ENOENT;
}

uint64_t bin_exec_vaddr(const struct bin *b)
{
	uint64_t v = UINT64_MAX;

	for (int i = 0; i < b->nsegs; i++)
		if ((b->segs[i].flags & PF_X) && b->segs[i].vaddr < v)
			v = b->segs[i].vaddr;
	return v == UINT64_MAX ? 0 : v;
}

uint64_t bin_inode(const struct bin *b)
{
	return (uint64_t)b->ino;
}

bool bin_has_dwarf(const struct bin *b)
{
	return b->has_dwarf;
}

bool bin_is_stripped(const struct bin *b)
{
	return !b->has_symtab;
}

const char *bin_arch(const struct bin *b)
{
	switch (b->ehdr.e_machine) {
	case EM_X86_64:  return "amd64";
	case EM_AARCH64: return "arm64";
	case EM_386:     return "386";
	case EM_ARM:     return "arm";
	default:         return NULL;
	}
}
