/*
 * The pclntab function table and PC -> file:line, against Go's own tools.
 *
 * For each toolchain we can get, the test program is built as-is and with
 * -ldflags='-s -w' (no symbols: the pclntab is the only source). Those two
 * builds have the same code layout, so every text symbol `go tool nm`
 * lists for the first must be found at the same address in the second.
 * Then `go tool addr2line` on the stripped build gives, for every function
 * entry and a few thousand random PCs, the function (the outermost, real
 * one) and the file:line (of the innermost inlined frame), which must be
 * our last frame's name and our first frame's position.
 */
#include <inttypes.h>

#include "binary/binary.h"
#include "tests/golang/gotest.h"

/* Every text symbol of the full build must be in the stripped one. */
static void check_nm(const char *ver, const char *full, struct bin *b)
{
	char args[PATH_MAX + 16], *out, *line, *save = NULL;
	int n = 0, missing = 0;

	snprintf(args, sizeof(args), "tool nm %s", full);
	out = gt_go_tool(ver, args);
	CHECK(out, "go %s tool nm %s failed", ver, full);
	if (!out)
		return;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		char type, *name;
		struct bin_func f;
		struct bin_frame fr;
		int pos = 0;

		/* "  4827c0 T main.leaf"; Go names may contain spaces */
		if (sscanf(line, " %llx %c %n", &addr, &type, &pos) != 2 || !pos ||
		    (type != 'T' && type != 't'))
			continue;
		name = line + pos;
		if (!strcmp(name, "runtime.text") || !strcmp(name, "runtime.etext"))
			continue;	/* linker markers, not functions */
		n++;
		if (bin_func_find(b, name, &f) && strchr(name, '[') &&
		    bin_symbolize(b, addr, &fr, 1) == 1 && fr.func && strstr(fr.func, "[...]"))
			continue;	/* the pclntab elides type arguments as "[...]" */
		if (bin_func_find(b, name, &f)) {
			if (missing++ < 5)
				printf("  go %s: %s (%#llx) not in the stripped build's pclntab\n", ver, name, addr);
			continue;
		}
		CHECK(f.addr == addr, "go %s: %s at %#" PRIx64 ", go tool nm says %#llx", ver, name, f.addr, addr);
	}
	CHECK(n > 1000 && !missing, "go %s: %d of %d nm text symbols missing", ver, missing, n);
	CHECK(bin_go_nfuncs(b) >= (size_t)n, "go %s: pclntab has %zu functions, nm %d", ver,
	      bin_go_nfuncs(b), n);
	free(out);
}

static int collect(const struct bin_func *f, void *arg)
{
	FILE *fp = arg;

	fprintf(fp, "%" PRIx64 "\n", f->addr);
	if (f->size > 1)	/* and one random PC inside, deterministic */
		fprintf(fp, "%" PRIx64 "\n", f->addr + (f->addr * 2654435761u) % f->size);
	return 0;
}

/* Whether our function name is addr2line's (the pclntab's) once written
 * the symbol table's way: "·" as ".", and maybe an ".abi0" suffix. */
static bool same_func(const char *ours, const char *theirs)
{
	char buf[4096], *p = buf;

	for (; *theirs && p < buf + sizeof(buf) - 8; p++) {
		if (!strncmp(theirs, "\xc2\xb7", 2)) {
			*p = '.';
			theirs += 2;
		} else {
			*p = *theirs++;
		}
	}
	*p = 0;
	if (!strcmp(ours, buf))
		return true;
	strcat(buf, ".abi0");
	return !strcmp(ours, buf);
}

/* Our frames for each address against go tool addr2line's answers. */
static void check_addr2line(const char *ver, const char *path, struct bin *b)
	/* ver: the toolchain whose addr2line is the oracle */
{
	char list[PATH_MAX], args[2 * PATH_MAX], *out, *save = NULL, *name, *pos;
	FILE *fp;
	int n = 0, bad = 0;

	snprintf(list, sizeof(list), "%s.addrs", path);
	fp = fopen(list, "w");
	CHECK(fp, "cannot write %s", list);
	if (!fp)
		return;
	bin_func_match(b, "*", collect, fp);
	fclose(fp);
	snprintf(args, sizeof(args), "tool addr2line %s < %s", path, list);
	out = gt_go_tool(ver, args);
	fp = fopen(list, "r");
	CHECK(out && fp, "go %s tool addr2line failed", ver);
	for (name = out ? strtok_r(out, "\n", &save) : NULL; name && fp;
	     name = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		struct bin_frame fr[16];
		char want[PATH_MAX];
		int k;

		pos = strtok_r(NULL, "\n", &save);
		if (!pos || fscanf(fp, "%llx", &addr) != 1)
			break;
		k = bin_symbolize(b, addr, fr, 16);
		/* addr2line prints ":-1" for PCs without line info */
		if (!fr[0].file && !fr[0].line)
			snprintf(want, sizeof(want), ":-1");
		else
			snprintf(want, sizeof(want), "%s:%d", fr[0].file ? fr[0].file : "?", fr[0].line);
		n++;
		if (k < 1 || !fr[k - 1].func || !same_func(fr[k - 1].func, name) || strcmp(want, pos)) {
			if (bad++ < 5)
				printf("  go %s %#llx: ours %s %s, addr2line %s %s\n", ver, addr,
				       k > 0 && fr[k - 1].func ? fr[k - 1].func : "?", want, name, pos);
		}
	}
	CHECK(n > 2000 && !bad, "go %s: %d of %d addresses differ from go tool addr2line", ver, bad, n);
	printf("%s: %d addresses agree with go %s tool addr2line\n", strrchr(path, '/') + 1, n - bad, ver);
	if (fp)
		fclose(fp);
	free(out);
}

static void check_version(const char *ver)
{
	const char *full = gt_build(ver, "default", "");
	const char *stripped = gt_build(ver, "stripped", "-ldflags='-s -w'"), *pie;
	char err[512];
	struct bin *b;

	if (!full || !stripped)
		return;
	b = bin_open(stripped, err, sizeof(err));
	CHECK(b, "bin_open %s: %s", stripped, err);
	if (!b)
		return;
	CHECK(bin_is_go(b) && bin_is_stripped(b), "go %s: stripped build not seen as stripped Go", ver);
	check_nm(ver, full, b);
	check_addr2line(ver, stripped, b);
	printf("go %s: %zu functions, pclntab %s\n", ver, bin_go_nfuncs(b), bin_go_pclntab_format(b));

	/* PIE: the pclntab is in .data.rel.ro.gopclntab, pointers relocated.
	 * addr2line only looks there from go1.20 on, so it comes from 1.26. */
	if (!gt_goroot("1.26")) {
		printf("SKIP: go %s PIE check needs the go 1.26 addr2line\n", ver);
		return;
	}
	pie = gt_build(ver, "pie-stripped", "-buildmode=pie -ldflags='-s -w'");
	if (pie && (b = bin_open(pie, err, sizeof(err))))
		check_addr2line("1.26", pie, b);
	CHECK(!pie || b, "bin_open %s: %s", pie, err);
}

int main(void)
{
	static const char *const vers[] = { "1.19", "1.15", "1.21", "1.26" };

	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++)
		check_version(vers[i]);
	CHECK(gt_goroot("1.19"), "the system Go toolchain is required");
	return gt_done("test_pclntab");
}
