/*
 * Shared by the attach tests: builds the test programs (progs/probes.ll
 * with llc-14, progs/traced.c with gcc) into a temporary directory, loads
 * the BPF object, reads the per-program hit counters from .bss, finds
 * function file offsets in the traced ELF, and lists the kernel's links so
 * tests can prove that detaching left nothing behind. test_child.c uses
 * only CHECK() and now_ms() from here.
 *
 * Header-only (static functions) because every tests/<dir>/test_*.c is
 * linked as its own program.
 */
#ifndef TEST_ATTACH_LIB_H
#define TEST_ATTACH_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/attach.h"
#include "runtime/child.h"

/* Every helper is static: unused ones must not warn. */
#define TLIB static __attribute__((unused))

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__,      \
				__LINE__, #cond);                          \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static char tdir[64];	/* build output: /tmp/gotrace-attach-XXXXXX */
static char progs[PATH_MAX];	/* tests/runtime/progs in the source tree */

TLIB double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

TLIB int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
TLIB int run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The source tree from the test binary: build/tests/runtime/test_x. */
TLIB int find_progs(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (access("tests/runtime/progs/probes.ll", R_OK) == 0)
		return !realpath("tests/runtime/progs", progs);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(progs, sizeof(progs), "%s/../../../tests/runtime/progs", dirname(exe));
	return access(progs, R_OK) ? -1 : 0;
}

/* Root, llc-14 and gcc are needed; without them the test says SKIP. */
TLIB int setup(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: attach tests need root\n");
		exit(0);
	}
	snprintf(tdir, sizeof(tdir), "/tmp/gotrace-attach-XXXXXX");
	if (!mkdtemp(tdir) || find_progs() < 0) {
		fprintf(stderr, "cannot set up (tmp dir or tests/runtime/progs)\n");
		exit(1);
	}
	if (run("llc-14 -march=bpf -filetype=obj -o %s/probes.o %s/probes.ll",
		tdir, progs) || run("gcc -O0 -o %s/traced %s/traced.c", tdir, progs)) {
		fprintf(stderr, "cannot build the test programs\n");
		exit(1);
	}
	return 0;
}

TLIB void cleanup(void)
{
	run("rm -rf %s", tdir);
}

TLIB int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return l == LIBBPF_WARN && getenv("V") ? vfprintf(stderr, f, ap) : 0;
}

TLIB struct bpf_object *load_probes(void)
{
	char p[PATH_MAX];

	libbpf_set_print(quiet);
	snprintf(p, sizeof(p), "%s/probes.o", tdir);
	struct bpf_object *o = bpf_object__open_file(p, NULL);
	if (!o || bpf_object__load(o)) {
		fprintf(stderr, "cannot load %s: %s\n", p, strerror(errno));
		exit(1);
	}
	return o;
}

/* Symbol value and file offset of name in an ELF file; 0 or -1. */
TLIB int elf_sym(const char *path, const char *name, uint64_t *value,
		   uint64_t *offset)
{
	int fd = open(path, O_RDONLY), ret = -1;
	Elf *e;
	Elf_Scn *s = NULL;

	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)))
		return -1;
	while (ret && (s = elf_nextscn(e, s))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(d = elf_getdata(s, NULL)))
			continue;
		for (size_t i = 0; ret && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			GElf_Shdr tsh;

			if (!gelf_getsym(d, i, &sym) ||
			    strcmp(elf_strptr(e, sh.sh_link, sym.st_name), name))
				continue;
			*value = sym.st_value;
			*offset = sym.st_value;
			if (sym.st_shndx && gelf_getshdr(elf_getscn(e, sym.st_shndx), &tsh) &&
			    tsh.sh_type != SHT_NOBITS && tsh.sh_addr)
				*offset = sym.st_value - tsh.sh_addr + tsh.sh_offset;
			ret = 0;
		}
	}
	elf_end(e);
	close(fd);
	return ret;
}

/* The hit counter of a program in probes.ll (hits_<what>). */
TLIB long hits(struct bpf_object *o, const char *what)
{
	char p[PATH_MAX], sym[64];
	uint64_t val, off;
	long buf[64] = { 0 };
	int zero = 0;
	struct bpf_map *m = bpf_object__find_map_by_name(o, ".bss");

	snprintf(p, sizeof(p), "%s/probes.o", tdir);
	snprintf(sym, sizeof(sym), "hits_%s", what);
	if (!m || bpf_map__value_size(m) > sizeof(buf) || elf_sym(p, sym, &val, &off) ||
	    bpf_map_lookup_elem(bpf_map__fd(m), &zero, buf))
		return -1;
	return buf[val / sizeof(long)];
}

TLIB uint64_t traced_offset(const char *func)
{
	char p[PATH_MAX];
	uint64_t val, off;

	snprintf(p, sizeof(p), "%s/traced", tdir);
	if (elf_sym(p, func, &val, &off)) {
		fprintf(stderr, "no %s in %s\n", func, p);
		exit(1);
	}
	return off;
}

/* How many kernel links run one of the object's programs. */
TLIB int links_of(struct bpf_object *o)
{
	__u32 id = 0, ours[32];
	int n = 0, count = 0;
	struct bpf_program *p;

	bpf_object__for_each_program(p, o) {
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(pi);

		if (n < 32 && !bpf_prog_get_info_by_fd(bpf_program__fd(p), &pi, &len))
			ours[n++] = pi.id;
	}
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li = { 0 };
		__u32 len = sizeof(li);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_link_get_info_by_fd(fd, &li, &len))
			for (int i = 0; i < n; i++)
				count += li.prog_id == ours[i];
		close(fd);
	}
	return count;
}

/* Run the traced program to completion: `traced n`. */
TLIB int run_traced(int n)
{
	return run("%s/traced %d", tdir, n);
}

#endif
