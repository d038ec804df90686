/*
 * Process address spaces: which file holds an address, and where.
 *
 * proc_snapshot() reads /proc/PID/maps and keeps the file-backed mappings
 * until the end of the run, so stacks gathered from a process can still be
 * symbolized after it exits. Paths in maps are in the process's mount
 * namespace; when that differs from ours (containers) we reach the file
 * through /proc/PID/root/<path>, and open it right away, since that path
 * dies with the process.
 *
 * An address A in a mapping [start, end) at file offset off is at file
 * offset A - start + off, which the PT_LOAD holding that offset turns into
 * the file's virtual address (+ p_vaddr - p_offset): that covers PIE load
 * bias and shared libraries alike.
 *
 * The snapshots are a cache that system-wide tracing would grow with every
 * process that ever showed up in a stack: at most MAX_PROCS are kept, and
 * a new one replaces the one used least recently. A live process evicted
 * is read again on its next use; a dead one evicted that long ago loses
 * its symbols (its addresses print in hex), which is what a bound costs.
 * Each mapping holds a reference to its binary (bin_get()), let go with
 * the snapshot: the binaries of processes no longer cached are freed by
 * bin_cache_trim() (elf.c).
 *
 * A pid is only a name: once its process ends, the kernel may give it to
 * another, and a process that calls exec() keeps its pid and changes its
 * program. A snapshot records who the pid named, its start time and the
 * file it ran, and a lookup that uses a snapshot older than a second
 * checks again (a read of /proc/PID/stat and a stat() of /proc/PID/exe
 * per pid and second): a pid that names another process or program now
 * gets a fresh snapshot instead of the old program's symbols, and
 * proc_reused() counts it, since a stack recorded under that pid before
 * may now print with the new program's symbols. The start time alone
 * would not do: it counts in clock ticks (10 ms), and a pid can be
 * reused within one.
 *
 * A process that had exited before any of its stacks was looked up has
 * no snapshot to read: its addresses print in hex, and proc_missed()
 * counts it, so that the output can say why. Its failed lookup takes no
 * place in the cache (adopt()): printing the stacks of thousands of
 * processes gone unread must not push out the snapshots of those that
 * were read while they ran (proc_seen()), which are what name theirs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "binary/bin_impl.h"

struct pmap {
	uint64_t start, end, off;
	char *path;		/* openable from our namespace */
	struct bin *bin;	/* opened on first use */
	bool tried;
	bool exec;		/* r-xp: where a stack's frames are */
};

struct proc {
	pid_t pid;
	struct pmap *maps;	/* sorted by start (as in maps) */
	size_t n;
	bool dead;		/* maps unreadable: keep the last snapshot */
	uint64_t when;		/* CLOCK_MONOTONIC ns of the last read */
	struct ident {		/* who the pid named; start 0: nobody yet */
		uint64_t start;	/* start time, clock ticks after boot */
		dev_t dev;	/* its executable; ino 0 when unreadable */
		ino_t ino;	/* (a kernel thread, a zombie) */
	} id;
	uint64_t checked;	/* CLOCK_MONOTONIC ns id was last checked */
	struct proc *next;
};

/* A few thousand mappings' worth of memory (a process maps tens of files),
 * and more processes than a map's stacks usually come from. */
#define MAX_PROCS 1024

/* How old a snapshot may be before a lookup checks that its pid still
 * names the same process. */
#define RECHECK_NS 1000000000ULL

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct proc *procs;
static size_t nprocs, nreused, nmissed;
static uint64_t *missed_pids;	/* a bit per pid counted in nmissed */
#define PID_LIMIT (1 << 22)	/* the kernel's PID_MAX_LIMIT on 64-bit */

/* Whether pid sees the same filesystem root as we do. */
static bool same_root(pid_t pid)
{
	char p[64], a[64] = "", b[64] = "";
	struct stat s1, s2;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	if (readlink(p, a, sizeof(a) - 1) < 0 || readlink("/proc/self/ns/mnt", b, sizeof(b) - 1) < 0)
		return true;
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	if (stat(p, &s1) || stat("/", &s2))
		return true;
	return !strcmp(a, b) && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
}

static int resolve(pid_t pid, bool same, const char *path, char *buf, size_t len)
{
	int n = same ? snprintf(buf, len, "%s", path)
		     : snprintf(buf, len, "/proc/%d/root%s", (int)pid, path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int proc_exe_path(pid_t pid, char *buf, size_t len, char *err, size_t errlen)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		int e = errno;

		bin_seterr(err, errlen, "pid %d: cannot read %s: %s", (int)pid, link, strerror(e));
		return e == ENOENT ? -ESRCH : -e;
	}
	target[n] = 0;
	if (n > 10 && !strcmp(target + n - 10, " (deleted)")) {
		/* The file is gone from the tree; the process still holds it. */
		return resolve(pid, true, link, buf, len);
	}
	if (resolve(pid, same_root(pid), target, buf, len)) {
		bin_seterr(err, errlen, "pid %d: executable path too long", (int)pid);
		return -ENAMETOOLONG;
	}
	return 0;
}

static void free_maps(struct proc *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->maps[i].path);
		bin_put(p->maps[i].bin);
	}
	free(p->maps);
	p->maps = NULL;
	p->n = 0;
}

static int add_map(struct proc *p, size_t *cap, const struct pmap *m)
{
	if (p->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct pmap *v = realloc(p->maps, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->maps = v;
		*cap = ncap;
	}
	p->maps[p->n++] = *m;
	return 0;
}

/* One line: "start-end perms offset dev inode   path". */
static int parse_line(struct proc *p, size_t *cap, bool same, char *line)
{
	unsigned long long start, end, off;
	char perms[8], buf[PATH_MAX + 64];
	int pos = 0;
	struct pmap m = { 0 };
	char *path;

	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &off, &pos) < 4 || !pos)
		return 0;
	path = line + pos;
	path[strcspn(path, "\n")] = 0;
	if (path[0] != '/' || resolve(p->pid, same, path, buf, sizeof(buf)))
		return 0;	/* anonymous, [heap], [vdso], ... */
	m = (struct pmap){ start, end, off, strdup(buf), NULL, false, perms[2] == 'x' };
	if (!m.path || add_map(p, cap, &m)) {
		free(m.path);
		return -ENOMEM;
	}
	if (!same) {	/* the /proc/PID/root path dies with the process */
		p->maps[p->n - 1].bin = bin_get(buf);
		p->maps[p->n - 1].tried = true;
	}
	return 0;
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Who pid names now: field 22 of /proc/PID/stat, the start time (the
 * fields counted after the last ')', since the command name may hold
 * spaces and parentheses), and its executable's inode. start 0: no such
 * process. */
static struct ident ident_of(pid_t pid)
{
	char path[64], buf[1024], *p, *save = NULL;
	struct ident id = { 0 };
	struct stat st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return id;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')))
		return id;
	p = strtok_r(p + 1, " ", &save);		/* field 3, the state */
	for (int field = 4; p && field <= 22; field++)
		if ((p = strtok_r(NULL, " ", &save)) && field == 22)
			id.start = strtoull(p, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (id.start && stat(path, &st) == 0) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
	}
	return id;
}

/* A process that is gone or a zombie has no executable to compare. */
static bool same_ident(const struct ident *a, const struct ident *b)
{
	return a->start == b->start &&
	       (!a->ino || !b->ino || (a->ino == b->ino && a->dev == b->dev));
}

/* Read the maps again. A process that is gone, or has exited but is not
 * reaped yet (its maps file reads empty), keeps its last snapshot: the
 * stacks gathered while it ran are printed after it ends. */
static int snapshot(struct proc *p)
{
	char path[64], line[PATH_MAX + 256];
	size_t cap = 0;
	bool same = same_root(p->pid);
	struct proc fresh = { .pid = p->pid };
	struct ident id = ident_of(p->pid);
	FILE *f;
	int ret = 0;

	p->checked = now();
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
	f = fopen(path, "re");
	if (!f || !id.start) {
		if (f)
			fclose(f);
		p->dead = true;
		return -ESRCH;
	}
	if (p->id.start && !same_ident(&id, &p->id))
		nreused++;
	p->id = id;
	p->when = p->checked;
	while (!ret && fgets(line, sizeof(line), f))
		ret = parse_line(&fresh, &cap, same, line);
	fclose(f);
	if (ret || !fresh.n) {
		free_maps(&fresh);
		p->dead = !fresh.n;
		return ret ? ret : -ESRCH;
	}
	free_maps(p);
	p->maps = fresh.maps;
	p->n = fresh.n;
	p->dead = false;	/* a pid reused since it died */
	return 0;
}

/* The list is kept in order of use, most recent first: a stack's frames
 * come from one process, so its lookups stop at the head, and the least
 * recently used snapshot is the last. */
static void evict(void)
{
	struct proc **pp = &procs, *p;

	if (!*pp)
		return;
	while ((*pp)->next)
		pp = &(*pp)->next;
	p = *pp;
	*pp = NULL;
	free_maps(p);
	free(p);
	nprocs--;
}

static struct proc *get(pid_t pid, bool create)
{
	struct proc **pp, *p;

	for (pp = &procs; (p = *pp); pp = &p->next)
		if (p->pid == pid) {
			*pp = p->next;	/* to the front */
			p->next = procs;
			procs = p;
			return p;
		}
	if (!create)
		return NULL;
	if (nprocs >= MAX_PROCS)
		evict();
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->next = procs;
	procs = p;
	nprocs++;
	return p;
}

static size_t read_locked(const size_t *counter)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = *counter;
	pthread_mutex_unlock(&lock);
	return n;
}

size_t proc_cached(void)
{
	return read_locked(&nprocs);
}

int proc_snapshot(pid_t pid)
{
	struct proc *p;
	int ret = -ENOMEM;

	pthread_mutex_lock(&lock);
	if ((p = get(pid, true)))
		ret = snapshot(p);
	pthread_mutex_unlock(&lock);
	return ret;
}

/* A pid whose process could not be read, counted once (a pid reused by
 * a second such process counts once for both). */
static void count_missed(pid_t pid)
{
	uint64_t bit;

	if (!missed_pids)
		missed_pids = calloc(PID_LIMIT / 64, sizeof(*missed_pids));
	if (!missed_pids || pid <= 0 || pid >= PID_LIMIT) {
		nmissed++;
		return;
	}
	bit = 1ULL << (pid % 64);
	if (!(missed_pids[pid / 64] & bit))
		nmissed++;
	missed_pids[pid / 64] |= bit;
}

/* A snapshot of a pid the cache has none of, made part of it only if the
 * process could be read; else NULL, and (if count) the pid is counted
 * as missed. */
static struct proc *adopt(pid_t pid, bool count)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	if (snapshot(p) || !p->n) {
		free_maps(p);
		free(p);
		if (count)
			count_missed(pid);
		return NULL;
	}
	if (nprocs >= MAX_PROCS)
		evict();
	p->next = procs;
	procs = p;
	nprocs++;
	return p;
}

/* A process whose stack a new map key holds (the BPF side's AS_PID_SEEN):
 * its maps are read now, unless the cached snapshot is of the same
 * process (checked at most once a second, as lookups do: a process with
 * thousands of distinct stacks sends thousands), and the binaries of its
 * executable mappings opened, while the process and its files are
 * there. When its stacks are printed it may be gone, and its binary
 * deleted (go test removes each test binary). */
int proc_seen(pid_t pid)
{
	struct proc *p;
	struct ident id;
	int ret = 0;

	pthread_mutex_lock(&lock);
	p = get(pid, false);
	if (p && !p->dead) {
		if (now() - p->checked < RECHECK_NS)
			goto out;
		id = ident_of(pid);
		p->checked = now();
		if (!id.start || same_ident(&id, &p->id))
			goto out;
	}
	if (p ? snapshot(p) : !(p = adopt(pid, false))) {
		ret = -ESRCH;
		goto out;
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->maps[i].exec && !p->maps[i].tried) {
			p->maps[i].bin = bin_get(p->maps[i].path);
			p->maps[i].tried = true;
		}
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

/* Binary search: /proc/PID/maps lists mappings in address order. */
static struct pmap *find(struct proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < p->maps[lo - 1].end ? &p->maps[lo - 1] : NULL;
}

/* An address in no mapping may be in a library loaded since the last
 * snapshot: re-read the maps, but at most every 10 ms, so a stream of
 * JIT or [vdso] addresses does not re-read them for each one. */
static bool stale(const struct proc *p)
{
	return !p->dead && now() - p->when > 10 * 1000000ULL;
}

/* Whether p's pid names another process than when p was read (or, for
 * a pid that had none, any process): then it is read again, and
 * snapshot() counts a reuse. At most once a second per pid; a process
 * gone since keeps its snapshot. */
static bool reborn(struct proc *p)
{
	uint64_t t = now();
	struct ident id;

	if (t - p->checked < RECHECK_NS)
		return false;
	p->checked = t;
	id = ident_of(p->pid);
	return id.start && !same_ident(&id, &p->id);
}

size_t proc_reused(void)
{
	return read_locked(&nreused);
}

size_t proc_missed(void)
{
	return read_locked(&nmissed);
}

/* File offset -> virtual address of that file, through its PT_LOADs. */
static bool off_to_vaddr(const struct bin *b, uint64_t off, uint64_t *vaddr)
{
	for (int i = 0; i < b->nsegs; i++) {
		const struct bin_seg *s = &b->segs[i];

		if (off >= s->off && off - s->off < (s->filesz ? s->filesz : s->memsz)) {
			*vaddr = off - s->off + s->vaddr;
			return true;
		}
	}
	return false;
}

/* Whether a mapping of pid holds addr (looked for again in a fresh
 * snapshot of the maps if the cached one has none); its binary, opened on
 * first use, in *b (NULL if it could not be), and addr as a file offset
 * in *off. */
static bool locate(pid_t pid, uint64_t addr, struct bin **b, uint64_t *off)
{
	struct proc *p;
	struct pmap *m = NULL;
	bool reread;

	pthread_mutex_lock(&lock);
	p = get(pid, false);
	reread = !p || reborn(p);
	if (!reread)
		reread = !(m = find(p, addr)) && stale(p);
	if (reread && (p ? snapshot(p) == 0 : (p = adopt(pid, true)) != NULL))
		m = find(p, addr);
	if (p && !p->n)		/* an explicit proc_snapshot() that found none */
		count_missed(pid);
	if (m && !m->tried) {
		m->bin = bin_get(m->path);
		m->tried = true;
	}
	*b = m ? m->bin : NULL;
	*off = m ? addr - m->start + m->off : 0;
	if (*b)
		bin_touch(*b);
	pthread_mutex_unlock(&lock);
	return m != NULL;
}

int proc_mapping(pid_t pid, uint64_t addr, struct proc_map *out)
{
	struct proc *p;
	struct pmap *m = NULL;
	uint64_t off;
	struct bin *b;

	if (!locate(pid, addr, &b, &off))
		return -ENOENT;
	pthread_mutex_lock(&lock);
	if ((p = get(pid, false)))
		m = find(p, addr);
	if (m)
		*out = (struct proc_map){ m->start, m->end, m->off, m->path, m->bin };
	pthread_mutex_unlock(&lock);
	return m ? 0 : -ENOENT;
}

int proc_locate(pid_t pid, uint64_t addr, struct bin **out, uint64_t *vaddr)
{
	struct bin *b;

	*out = NULL;
	locate(pid, addr, &b, vaddr);
	if (!b || !off_to_vaddr(b, *vaddr, vaddr))
		return -ENOENT;
	*out = b;
	return 0;
}

int proc_symbolize(pid_t pid, uint64_t addr, struct bin_frame *frames, int max)
{
	struct bin *b;
	uint64_t vaddr;

	if (max < 1 || !locate(pid, addr, &b, &vaddr))
		return 0;
	if (!b || !off_to_vaddr(b, vaddr, &vaddr)) {
		frames[0] = (struct bin_frame){ .func = NULL, .offset = 0 };
		return 1;
	}
	return bin_symbolize(b, vaddr, frames, max);
}

/* The last part of a path, up to any " (deleted)" the kernel appends. */
static size_t base_of(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	return strcspn(*base, " \n");
}

/*
 * Whether the process maps the file at path. A mapping is that file if its
 * device and inode are the file's. Under overlayfs, kernels before 6.8 show
 * the layer's inode in maps rather than the one stat() sees; a mapping of
 * a file with the same name also counts, so that a file we cannot tell
 * apart is never reported as missing. A mapping whose file was deleted or
 * replaced since (" (deleted)", another inode) does not count: a probe on
 * the file now at that path does not reach it.
 */
int proc_maps_file(pid_t pid, const char *path)
{
	char maps[64], line[PATH_MAX + 256];
	const char *want, *base;
	size_t nwant;
	struct stat st;
	int found = 0;
	FILE *f;

	if (stat(path, &st))
		return -errno;
	nwant = base_of(path, &want);
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(maps, "re")))
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int major, minor;
		unsigned long long ino;
		int pos = 0;

		if (sscanf(line, "%*s %*s %*s %x:%x %llu %n", &major, &minor, &ino, &pos) < 3 ||
		    !pos || line[pos] != '/')
			continue;
		if (strstr(line + pos, " (deleted)"))
			continue;
		if (ino == st.st_ino && makedev(major, minor) == st.st_dev)
			found = 1;
		else if (base_of(line + pos, &base) == nwant && !memcmp(base, want, nwant))
			found = 1;
	}
	fclose(f);
	return found;
}
