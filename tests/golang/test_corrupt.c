/*
 * Bad Go binaries: a corrupt pclntab header, truncated files, and a
 * seeded mutation fuzzer over the pclntab.
 *
 * Each mutated binary is written to a memfd and examined in a forked
 * child, which opens it (through /proc/self/fd) and then symbolizes every
 * function entry and random PCs, matches every name, and asks for the
 * version and offsets. A child killed by a signal is a failure, reported
 * with its seed; any seed that ever crashed belongs in `regressions`.
 * GOTRACE_FUZZ_ITERS=N runs more iterations (the default is quick), e.g.
 * with the library and this test built with -fsanitize=address.
 *
 * A crafted binary whose functions all share one inline tree claiming
 * 32,767 records checks that the index of inline trees refuses it, and
 * that -l, which lists inlined functions from that index, says so.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "binary/binary.h"
#include "golang/gopcln.h"
#include "probes/probes.h"
#include "tests/golang/gotest.h"

struct image {
	uint8_t *data;
	size_t size;
	size_t pcln;		/* file offset of the pclntab */
	size_t pcln_len;
};

static bool load(const char *path, struct image *im)
{
	static const uint8_t magics[2][4] = { { 0xf0, 0xff, 0xff, 0xff }, { 0xf1, 0xff, 0xff, 0xff } };
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	im->size = ftell(f);
	rewind(f);
	im->data = malloc(im->size);
	if (!im->data || fread(im->data, 1, im->size, f) != im->size)
		im->size = 0;
	fclose(f);
	/* the pclntab header: magic, 0, 0, quantum 1, ptrsize 8 */
	for (int i = 0; i < 2 && !p; i++)
		for (p = im->data; (p = memmem(p, im->data + im->size - p, magics[i], 4)); p++)
			if (p[4] == 0 && p[5] == 0 && p[6] == 1 && p[7] == 8)
				break;
	if (!p)
		return false;
	im->pcln = p - im->data;
	im->pcln_len = im->size - im->pcln < 0x60000 ? im->size - im->pcln : 0x60000;
	return im->size > 0;
}

static int to_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("gotrace-fuzz", 0);

	if (fd >= 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int visit(const struct bin_func *f, void *arg)
{
	struct bin_frame fr[8];

	bin_symbolize(arg, f->addr, fr, 8);
	bin_symbolize(arg, f->addr + f->size / 2, fr, 8);
	return 0;
}

/* In the child: use everything; exit 0 unless something is inconsistent. */
static void exercise(int fd, uint64_t seed)
{
	char path[64], err[256] = "";
	struct go_offsets o;
	struct bin_frame fr[8];
	struct bin *b;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	b = bin_open(path, err, sizeof(err));
	if (!b)
		_exit(err[0] && strstr(err, path) ? 0 : 3);	/* errors must be said */
	bin_func_match(b, "*", visit, b);
	bin_func_match(b, "main.*", NULL, NULL);
	bin_func_find(b, "main.main", NULL);
	for (int i = 0; i < 2000; i++)
		bin_symbolize(b, 0x400000 + rnd(&seed) % 0x100000, fr, 8);
	bin_go_version(b);
	bin_go_offsets(b, &o, err, sizeof(err));
	_exit(0);
}

/* Mutates 1-16 bytes of the pclntab (header, function table, anywhere). */
static void mutate(const struct image *im, uint8_t *buf, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	int n = 1 + rnd(&s) % 16;

	memcpy(buf, im->data, im->size);
	for (int i = 0; i < n; i++) {
		uint64_t r = rnd(&s), where = r % 10;
		size_t off = im->pcln + (where < 2 ? rnd(&s) % 72 : rnd(&s) % im->pcln_len);
		uint8_t v = (r >> 8) % 3 == 0 ? 0xff : (r >> 8) % 3 == 1 ? 0 : (uint8_t)(r >> 16);

		buf[off] = v;
	}
}

static int run(const uint8_t *data, size_t size, uint64_t seed)
{
	int fd = to_memfd(data, size), status = 0;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		exercise(fd, seed);
	close(fd);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? 1000 + WEXITSTATUS(status) : 0;
}

static void fuzz(const char *what, const struct image *im, int iters)
{
	static const uint64_t regressions[] = { 0 };	/* seeds that once failed */
	uint8_t *buf = malloc(im->size);
	int bad = 0;

	for (size_t i = 0; i < sizeof(regressions) / sizeof(regressions[0]) + iters; i++) {
		uint64_t seed = i < sizeof(regressions) / sizeof(regressions[0]) ? regressions[i] : i;
		int r;

		mutate(im, buf, seed);
		r = run(buf, im->size, seed);
		CHECK(r == 0, "%s: seed %" PRIu64 ": %s %d", what, seed, r >= 1000 ? "exit" : "signal",
		      r >= 1000 ? r - 1000 : r);
		bad += r != 0;
	}
	printf("%s: %d mutations, %d failed\n", what, iters, bad);
	free(buf);
}

static void check_header(const char *what, const struct image *im)
{
	uint8_t *buf = malloc(im->size);
	char path[64], err[256] = "";
	int fd;

	memcpy(buf, im->data, im->size);
	memset(buf + im->pcln + 8, 0xff, 8);	/* nfunc = 2^64-1 */
	fd = to_memfd(buf, im->size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(!bin_open(path, err, sizeof(err)) && strstr(err, "corrupt Go pclntab"),
	      "%s: huge nfunc: '%s'", what, err);
	close(fd);
	free(buf);
}

/* End of the file-backed part of the last PT_LOAD. */
static size_t load_end(const struct image *im)
{
	const Elf64_Ehdr *eh = (const void *)im->data;
	size_t end = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(im->data + eh->e_phoff + i * eh->e_phentsize);

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > end)
			end = ph->p_offset + ph->p_filesz;
	}
	return end;
}

static void check_truncated(const char *what, const struct image *im)
{
	const size_t cuts[] = { 0, 3, 40, 63, 100, im->pcln + 4, im->pcln + im->pcln_len / 2,
				load_end(im) - 1 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char path[64], err[256] = "";
		int fd = to_memfd(im->data, cuts[i]);

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		CHECK(!bin_open(path, err, sizeof(err)) &&
		      (strstr(err, "truncated") || strstr(err, "not an ELF")),
		      "%s cut at %zu: '%s'", what, cuts[i], err);
		close(fd);
	}
}

/* A Go binary whose DWARF has no readable unit (the first unit's length
 * is one of DWARF's reserved values): its parameters are unknown, said
 * with an error. Found by tests/fuzz/fuzz_reader.c: with no subprogram
 * indexed, qsort() was handed a NULL array, which UBSan reports (make
 * check-asan). */
static void check_no_units(const char *ver)
{
	const char *path = gt_build(ver, "rawdwarf", "-ldflags=-compressdwarf=false");
	const struct bin_param *ps;
	struct image im = { 0 };
	char mpath[64], err[256] = "";
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	struct bin *b;
	int fd, n;
	bool found = false;

	if (!path || !load(path, &im)) {
		CHECK(0, "go %s: cannot build or read a binary with DWARF", ver);
		return;
	}
	eh = (const void *)im.data;
	sh = (const void *)(im.data + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const char *name = (const char *)im.data + sh[eh->e_shstrndx].sh_offset + sh[i].sh_name;

		if (!strcmp(name, ".debug_info") && sh[i].sh_size >= 4) {
			memset(im.data + sh[i].sh_offset, 0xff, 4);
			im.data[sh[i].sh_offset] = 0xf0;	/* 0xfffffff0: reserved */
			found = true;
		}
	}
	CHECK(found, "go %s: no uncompressed .debug_info in %s", ver, path);
	fd = to_memfd(im.data, im.size);
	snprintf(mpath, sizeof(mpath), "/proc/self/fd/%d", fd);
	b = bin_open(mpath, err, sizeof(err));
	CHECK(b, "go %s: DWARF without units: %s", ver, err);
	if (b) {
		n = bin_func_params(b, "main.main", &ps, err, sizeof(err));
		CHECK(n < 0 && strstr(err, "no DWARF for function main.main"),
		      "go %s: DWARF without units: params of main.main: %d '%s'", ver, n, err);
	}
	close(fd);
	free(im.data);
}

/* Reads f from its start into buf (NUL-terminated). */
static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
}

/* `gotrace -l 'uprobe:PATH:main.*'` on a binary whose inline trees are
 * refused still lists the functions, and warns, once, that the ones that
 * exist only inlined are missing. The binary is written to a file: -l
 * resolves its path, and a memfd's resolves to nothing. */
static void check_list_warns(const char *ver, const struct image *im)
{
	char file[] = "/tmp/gotrace-overlap-XXXXXX", glob[] = "main.*", kind[] = "uprobe";
	char out[8192], errs[2048], *parts[3] = { kind, file, glob };
	int fd = mkstemp(file), so, se, rc;
	FILE *fo, *fe;
	const char *w;

	if (fd < 0 || write(fd, im->data, im->size) != (ssize_t)im->size) {
		CHECK(0, "go %s: cannot write the crafted binary to %s", ver, file);
		if (fd >= 0)
			close(fd), unlink(file);
		return;
	}
	close(fd);
	fo = tmpfile();
	fe = tmpfile();
	so = dup(1);
	se = dup(2);
	if (!fo || !fe || so < 0 || se < 0) {
		CHECK(0, "go %s: no temporary files for -l's output", ver);
		unlink(file);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = probe_type_find("uprobe")->list(parts, 3, 0, false);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, out, sizeof(out));
	slurp(fe, errs, sizeof(errs));
	fclose(fo);
	fclose(fe);
	unlink(file);
	w = strstr(errs, "gotrace: warning: ");
	CHECK(rc == 0 && strstr(out, ":main.main\n"), "go %s: -l listed no main.main (%d): %s",
	      ver, rc, out);
	CHECK(w && strstr(w, "the Go inline trees overlap") &&
	      strstr(w, "; functions that exist only inlined are not listed\n") &&
	      !strstr(w + 1, "gotrace: warning: "),
	      "go %s: -l on overlapping inline trees warned '%s'", ver, errs);
}

/* A Go 1.20+ binary whose functions all point at one inline tree, and
 * whose index table claims 32,767 records: more than the file has room
 * for, so the index of inline trees (golang/inlindex.c) must refuse it
 * with an error, not grow with it. */
static void check_overlapping_trees(const char *ver)
{
	const char *path = gt_build(ver, "default", "");
	/* index +32767 from -1 (zigzag 65534), over 127 bytes of code */
	static const uint8_t claim[] = { 0xfe, 0xff, 0x03, 0x7f };
	uint32_t f_tab = 0, f_tree = 0, np, tab, ninl = 0;
	struct bin_inline_site *sites;
	char **names;
	struct image im = { 0 };
	char mpath[64], err[512] = "";
	struct bin *b0, *b;
	int fd, n, shared = 0;

	if (!path || !load(path, &im) || !(b0 = bin_open(path, err, sizeof(err)))) {
		CHECK(0, "go %s: cannot build or open the test program: %s", ver, err);
		free(im.data);
		return;
	}
	/* two passes: find the largest tree, then point every tree at it */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < b0->go->nfunc; i++) {
			uint64_t fixed = go_func_fixed(b0->go), tree, at;
			const struct go_fcache *c;
			struct go_func f;
			const char *name;

			if (go_pcln_func(b0->go, i, &f, &name) || !name ||
			    !go_inline_tree(b0, &f, &tree, &tab) || !go_func_field(b0->go, &f, 7, &np) ||
			    f.p[fixed - 1] <= 3)
				continue;
			at = (uint64_t)(f.p - b0->map) + fixed;
			if (pass == 0 && (c = go_fcache_get(b0, i, &f, name)) && c->ninl > ninl) {
				ninl = c->ninl;
				memcpy(&f_tab, im.data + at + 8, 4);
				memcpy(&f_tree, im.data + at + 4 * np + 12, 4);
			} else if (pass == 1) {
				memcpy(im.data + at + 8, &f_tab, 4);
				memcpy(im.data + at + 4 * np + 12, &f_tree, 4);
				shared++;
			}
		}
	}
	memcpy(im.data + (b0->go->pctab.p - b0->map) + f_tab, claim, sizeof(claim));
	CHECK(shared > 10, "go %s: only %d functions with inline trees", ver, shared);
	fd = to_memfd(im.data, im.size);
	snprintf(mpath, sizeof(mpath), "/proc/self/fd/%d", fd);
	b = bin_open(mpath, err, sizeof(err));
	CHECK(b, "go %s: shared trees: %s", ver, err);
	if (b) {
		n = bin_go_inline_sites(b, "runtime.mallocgc", false, &sites, err, sizeof(err));
		CHECK(n == -EINVAL && strstr(err, "the Go inline trees overlap"),
		      "go %s: %d functions sharing a tree of 32,767 records: %d, '%s'", ver,
		      shared, n, err);
		err[0] = 0;
		n = bin_go_inlined_names(b, "*", &names, err, sizeof(err));
		CHECK(n == -EINVAL && strstr(err, "the Go inline trees overlap"),
		      "go %s: inlined names of overlapping trees: %d, '%s'", ver, n, err);
		check_list_warns(ver, &im);
	}
	close(fd);
	free(im.data);
}

int main(void)
{
	static const char *const vers[] = { "1.19", "1.26" };
	const char *env = getenv("GOTRACE_FUZZ_ITERS");
	int iters = env ? atoi(env) : 150;

	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		const char *path;
		struct image im;
		char what[64];

		if (!gt_goroot(vers[i]) || !(path = gt_build(vers[i], "stripped", "-ldflags='-s -w'")))
			continue;
		snprintf(what, sizeof(what), "go %s stripped", vers[i]);
		if (!load(path, &im)) {
			CHECK(0, "%s: cannot read %s or find its pclntab", what, path);
			continue;
		}
		check_no_units(vers[i]);
		if (strcmp(vers[i], "1.19"))	/* funcdata are offsets from 1.18 */
			check_overlapping_trees(vers[i]);
		check_header(what, &im);
		check_truncated(what, &im);
		fuzz(what, &im, iters);
		free(im.data);
	}
	return gt_done("test_corrupt");
}
