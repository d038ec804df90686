/*
 * ELF reading against binutils: function symbols of libc (dynsym only),
 * of this test and of a Go program (symtab: two address-ordered runs,
 * merged rather than sorted) against readelf, vaddr -> file offset against
 * readelf's program headers, the cache, and clear errors for files that
 * are missing, not ELF, or truncated. Pages: the pages of a Go binary
 * that lookups read are let go of after a sweep period without use, all
 * but the section headers that libelf wrote to (a private copy, which
 * letting go would lose), and lookups after give the same answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "binary/bin_impl.h"
#include "tests/golang/gotest.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static int count(const char *s, const char *pat)
{
	int n = 0;

	for (; (s = strstr(s, pat)); s++)
		n++;
	return n;
}

/* Every defined FUNC of `readelf -Ws` must be found, at one of the
 * addresses readelf gives for that name (versioned names repeat). */
static void check_symbols(const char *path, const char *readelf_opt)
{
	char *out = gt_run("readelf -W %s %s", readelf_opt, path), *line, *save = NULL;
	char *all = out ? strdup(out) : NULL;
	char err[256];
	struct bin *b = bin_open(path, err, sizeof(err));
	int n = 0, bad = 0;

	CHECK(out && b, "%s: readelf or bin_open failed: %s", path, b ? "" : err);
	if (!out || !b)
		return;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		char type[16], ndx[16], name[512], pat[600], *at;
		struct bin_func f;
		struct bin_frame fr;
		int pos = 0;

		/* the name is the rest of the line: Go's may hold spaces
		 * ("type..eq.struct { a int }") */
		if (sscanf(line, "%*d: %llx %*s %15s %*s %*s %15s %n", &addr, type, ndx, &pos) != 3 ||
		    !pos || strcmp(type, "FUNC") || !strcmp(ndx, "UND") || !addr)
			continue;
		snprintf(name, sizeof(name), "%s", line + pos);
		if ((at = strchr(name, '@')))
			*at = 0;
		n++;
		/* by address: the function there is this one or an alias; by
		 * name, one of its addresses (versions and static functions of
		 * different files share names) */
		snprintf(pat, sizeof(pat), " %s%s", name, at ? "@" : "\n");
		/* frames show C++ names demangled (the runtime of a clang
		 * -fsanitize build is C++): those are not found by name */
		if (bin_symbolize(b, addr, &fr, 1) != 1 || !fr.func || fr.offset ||
		    (!bin_is_mangled(name) &&
		     (bin_func_find(b, fr.func, &f) || (f.addr != addr && count(all, pat) < 2 && !at)))) {
			if (bad++ < 5)
				printf("  %s: %s at %#llx: symbolized as %s+%#" PRIx64 "\n", path, name, addr,
				       fr.func ? fr.func : "?", fr.offset);
		}
		if (bin_func_find(b, name, &f) && bad++ < 5)
			printf("  %s: %s not found by name\n", path, name);
	}
	CHECK(n > 10 && !bad, "%s: %d of %d readelf functions wrong", path, bad, n);
	printf("%s: %d functions agree with readelf %s\n", path, n - bad, readelf_opt);
	free(out);
	free(all);
}

/* vaddr -> offset for each LOAD's start and middle, against readelf -l. */
static void check_offsets(const char *path)
{
	char *out = gt_run("readelf -lW %s", path), *line, *save = NULL, err[256];
	struct bin *b = bin_open(path, err, sizeof(err));
	uint64_t off;
	int n = 0;

	CHECK(out && b, "%s: readelf or bin_open failed", path);
	for (line = out && b ? strtok_r(out, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long o, va, pa, fsz, msz;

		if (sscanf(line, " LOAD %llx %llx %llx %llx %llx", &o, &va, &pa, &fsz, &msz) != 5 || !fsz)
			continue;
		n++;
		CHECK(!bin_vaddr_to_offset(b, va, &off) && off == o, "%s: %#llx -> %#" PRIx64 ", want %#llx",
		      path, va, off, o);
		CHECK(!bin_vaddr_to_offset(b, va + fsz / 2, &off) && off == o + fsz / 2,
		      "%s: middle of LOAD at %#llx", path, va);
	}
	CHECK(n >= 2, "%s: %d LOAD segments", path, n);
	CHECK(!b || bin_vaddr_to_offset(b, 0xffffffffff000000ULL, &off) == -ERANGE,
	      "%s: an address in no segment was translated", path);
	free(out);
}

static void expect_error(const char *path, const char *want, int want_errno)
{
	char err[512] = "";
	struct bin *b;

	errno = 0;
	b = bin_open(path, err, sizeof(err));
	CHECK(!b && strstr(err, path) && strstr(err, want) && (!want_errno || errno == want_errno),
	      "%s: got %p, errno %d, '%s'; want '%s'", path, (void *)b, errno, err, want);
}

static void check_errors(void)
{
	char tmp[] = "/tmp/gotrace-elf-XXXXXX", path[PATH_MAX], *out;

	CHECK(mkdtemp(tmp), "mkdtemp");
	expect_error("/nonexistent/gotrace", "No such file", ENOENT);
	expect_error("/tmp", "not a regular file", 0);
	snprintf(path, sizeof(path), "%s/text", tmp);
	out = gt_run("echo 'hello world' > %s && echo ok", path);
	free(out);
	expect_error(path, "not an ELF file", 0);
	snprintf(path, sizeof(path), "%s/empty", tmp);
	out = gt_run(": > %s && echo ok", path);
	free(out);
	expect_error(path, "not an ELF file", 0);
	for (int cut = 0; cut < 4; cut++) {
		static const char *const sizes[] = { "20", "63", "100", "4000" };

		snprintf(path, sizeof(path), "%s/true-%s", tmp, sizes[cut]);
		out = gt_run("head -c %s /bin/true > %s && echo ok", sizes[cut], path);
		free(out);
		expect_error(path, cut < 2 ? "truncated or corrupt ELF header" : "truncated", 0);
	}
	out = gt_run("rm -rf %s", tmp);
	free(out);
}

static void check_cache(void)
{
	char path[] = "/tmp/gotrace-cache-XXXXXX", err[256], *out;
	struct bin *a, *b, *c;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
	int fd = mkstemp(path);

	close(fd);
	out = gt_run("cp /bin/true %s && echo ok", path);
	free(out);
	a = bin_open(path, err, sizeof(err));
	b = bin_open(path, err, sizeof(err));
	CHECK(a && a == b, "same file opened twice gave two objects");
	utimensat(AT_FDCWD, path, ts, 0);	/* "rebuilt": new mtime */
	c = bin_open(path, err, sizeof(err));
	CHECK(c && c != a, "a changed file came from the cache");
	CHECK(a && !strcmp(bin_path(a), path), "bin_path");
	unlink(path);
}

/* Pages of [start, end) of our address space: present, and of those the
 * anonymous ones (copies made by a write), from /proc/self/pagemap. */
static void pages(uintptr_t start, uintptr_t end, int *present, int *anon)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e;

	*present = *anon = 0;
	for (uintptr_t a = start; fd >= 0 && a < end; a += 4096)
		if (pread(fd, &e, 8, (off_t)(a / 4096 * 8)) == 8 && (e >> 63)) {
			(*present)++;
			*anon += !((e >> 61) & 1);	/* not file-backed */
		}
	if (fd >= 0)
		close(fd);
}

static void check_pages(const char *go)
{
	char err[256];
	struct bin *b = bin_get(go);
	const struct bin_param *ps;
	struct bin_frame fr[4], again[4];
	struct bin_func f;
	uintptr_t map, shdrs, shdrs_end;
	int n, k, present, anon, p2, a2, sp, sa;

	CHECK(b && !bin_func_find(b, "main.outer", &f), "pages: %s: no main.outer", go);
	if (!b || bin_func_find(b, "main.outer", &f))
		return;
	map = (uintptr_t)b->map;
	shdrs = (map + b->ehdr.e_shoff) & ~4095UL;
	shdrs_end = map + b->ehdr.e_shoff + (uint64_t)b->ehdr.e_shnum * b->ehdr.e_shentsize;
	n = bin_symbolize(b, f.addr + 4, fr, 4);
	k = bin_func_params(b, "main.outer", &ps, err, sizeof(err));	/* libdw */
	pages(map, map + b->size, &present, &anon);
	pages(shdrs, shdrs_end, &sp, &sa);
	CHECK(n >= 1 && fr[0].func && !strcmp(fr[0].func, "main.outer") && k >= 1,
	      "pages: %d frames (%s), %d params: %s", n, n ? fr[0].func : "", k, err);
	/* Go 1.19 compresses DWARF (.zdebug): libdw's decompression wrote
	 * to the section headers, so they are a private copy */
	CHECK(present > 16 && sa >= 1 && anon == sa, "pages: %d present, %d anonymous, %d of "
	      "them section headers, after a lookup", present, anon, sa);

	bin_cache_sweep();	/* the period it was used in */
	pages(map, map + b->size, &p2, &a2);
	CHECK(p2 >= present, "pages: %d of %d let go of in the period they were used", present - p2,
	      present);
	bin_cache_sweep();	/* a period without use */
	pages(map, map + b->size, &p2, &a2);
	CHECK(p2 == sp && a2 == sa, "pages: %d present (%d anonymous) after a period without "
	      "use; the section headers' are %d (%d)", p2, a2, sp, sa);

	k = bin_symbolize(b, f.addr + 4, again, 4);
	CHECK(k == n && again[0].func == fr[0].func && again[k - 1].offset == fr[n - 1].offset,
	      "pages: symbolized again, %d frames against %d", k, n);
	CHECK(bin_func_params(b, "main.outer", &ps, err, sizeof(err)) >= 1, "pages: params again: %s",
	      err);
	CHECK(bin_go_dwarf_type(b, "main.layout"), "pages: no DWARF type after the sweep");
	pages(map, map + b->size, &p2, &a2);
	CHECK(p2 > sp, "pages: none present after lookups again");
	bin_cache_sweep();
	bin_cache_sweep();	/* let go of again: the lookups counted as use */
	pages(map, map + b->size, &p2, &a2);
	CHECK(p2 == sp, "pages: %d present after a second period without use", p2);
	bin_put(b);
}

__attribute__((noinline)) void elf_test_function(void)
{
	__asm__ volatile("");
}

int main(void)
{
	char link[64], self[PATH_MAX], err[256];
	struct bin_func f;
	const char *go;
	struct bin *b;

	check_symbols(LIBC, "--dyn-syms");
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)getpid());
	CHECK(realpath(link, self), "realpath");
	check_symbols(self, "--syms");
	if ((go = gt_build("1.19", "default", ""))) {
		check_symbols(go, "--syms");
		check_pages(go);
	}
	check_offsets("/bin/true");	/* PIE */
	check_offsets(LIBC);
	check_errors();
	check_cache();

	b = bin_open(self, err, sizeof(err));
	CHECK(b && !bin_is_go(b) && !bin_is_stripped(b) && bin_arch(b) && !strcmp(bin_arch(b), "amd64"),
	      "%s: facts", self);
	CHECK(b && !bin_func_find(b, "elf_test_function", &f) && f.addr, "elf_test_function not found");
	b = bin_open("/bin/true", err, sizeof(err));
	CHECK(b && bin_is_stripped(b) && !bin_has_dwarf(b), "/bin/true: stripped %d", b && bin_is_stripped(b));
	elf_test_function();
	return gt_done("test_elf");
}
