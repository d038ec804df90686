/*
 * Go version and runtime offsets.
 *
 * The version we read must be what `go version <binary>` prints, for
 * every toolchain and variant (go1.15 writes the build info as pointers,
 * relocated in PIE; go1.18+ inline), and also once the section headers
 * are wiped, when both the pclntab and the build info are found by
 * scanning. Offsets from DWARF (full builds) must agree with the
 * compiled-in table used for stripped builds of the same release, and a
 * non-Go ELF must get clear errors.
 */
#include <errno.h>
#include <fcntl.h>

#include "binary/binary.h"
#include "tests/golang/gotest.h"

/* `go version FILE` -> "go1.19.8" */
static bool go_version_of(const char *path, char *buf, size_t len)
{
	char *out = gt_run("go version %s 2>/dev/null", path), *p;

	if (!out)
		return false;
	p = strstr(out, ": ");
	if (p) {
		p += 2;
		p[strcspn(p, " \n")] = 0;
		snprintf(buf, len, "%s", p);
	}
	free(out);
	return p != NULL;
}

/* A copy of path without section headers (as sstrip would leave it). */
static const char *wipe_shdrs(const char *path)
{
	static char copy[PATH_MAX];
	char *out;
	int fd;

	snprintf(copy, sizeof(copy), "%s.noshdr", path);
	out = gt_run("cp %s %s && echo ok", path, copy);
	free(out);
	fd = open(copy, O_RDWR);
	if (fd < 0)
		return NULL;
	/* e_shoff (8 bytes at 0x28), e_shnum (0x3c), e_shstrndx (0x3e) */
	static const uint8_t zero[8];
	bool ok = pwrite(fd, zero, 8, 0x28) == 8 && pwrite(fd, zero, 2, 0x3c) == 2 &&
		  pwrite(fd, zero, 2, 0x3e) == 2;
	close(fd);
	return ok ? copy : NULL;
}

static void check_offsets(const char *what, struct bin *b, int minor, bool dwarf)
{
	struct go_offsets o;
	char err[256] = "";
	int ret = bin_go_offsets(b, &o, err, sizeof(err));

	if (minor < 17 || minor > 27) {	/* outside the table */
		CHECK(dwarf ? ret == 0 : ret == -ENOENT && strstr(err, "table"),
		      "%s: offsets ret %d (%s)", what, ret, err);
		return;
	}
	CHECK(ret == 0, "%s: bin_go_offsets: %s", what, err);
	if (ret)
		return;
	CHECK(!strcmp(o.source, "DWARF") == dwarf, "%s: source %s", what, o.source);
	CHECK(o.g_goid == (minor == 23 || minor == 24 ? 160 : 152) && o.g_m == 48 &&
	      o.m_curg == (minor >= 25 ? 184 : 192) && o.m_g0 == 0 && o.regabi,
	      "%s: offsets goid %d m %d curg %d g0 %d regabi %d (%s)", what, o.g_goid, o.g_m,
	      o.m_curg, o.m_g0, o.regabi, o.source);
}

static void check_variant(const char *ver, const char *tag, const char *flags, bool dwarf)
{
	const char *path = gt_build(ver, tag, flags), *noshdr;
	char want[64] = "", err[256], what[128];
	struct bin *b;

	if (!path)
		return;
	snprintf(what, sizeof(what), "go %s %s", ver, tag);
	CHECK(go_version_of(path, want, sizeof(want)), "%s: go version failed", what);
	b = bin_open(path, err, sizeof(err));
	CHECK(b, "%s: %s", what, err);
	if (!b)
		return;
	CHECK(bin_go_version(b) && !strcmp(bin_go_version(b), want), "%s: version %s, go version says %s",
	      what, bin_go_version(b) ? bin_go_version(b) : "NULL", want);
	CHECK(bin_go_minor(b) == atoi(want + 4), "%s: minor %d for %s", what, bin_go_minor(b), want);
	CHECK(bin_has_dwarf(b) == dwarf, "%s: has_dwarf %d", what, bin_has_dwarf(b));
	check_offsets(what, b, bin_go_minor(b), dwarf);

	noshdr = wipe_shdrs(path);
	b = noshdr ? bin_open(noshdr, err, sizeof(err)) : NULL;
	CHECK(b, "%s without section headers: %s", what, noshdr ? err : "copy failed");
	if (!b)
		return;
	CHECK(bin_is_go(b) && bin_go_version(b) && !strcmp(bin_go_version(b), want),
	      "%s without section headers: go %d version %s", what, bin_is_go(b),
	      bin_go_version(b) ? bin_go_version(b) : "NULL");
	CHECK(bin_nfuncs(b) > 1000 && !bin_func_find(b, "main.outer", NULL),
	      "%s without section headers: %zu functions", what, bin_nfuncs(b));
}

static void check_not_go(void)
{
	struct go_offsets o;
	char err[256] = "";
	struct bin *b = bin_open("/bin/true", err, sizeof(err));

	CHECK(b, "/bin/true: %s", err);
	if (!b)
		return;
	CHECK(!bin_is_go(b) && !bin_go_version(b) && bin_go_minor(b) == -1 &&
	      !bin_go_pclntab_format(b) && !bin_go_nfuncs(b), "/bin/true seen as Go");
	CHECK(bin_go_offsets(b, &o, err, sizeof(err)) == -ENOEXEC && strstr(err, "/bin/true: not a Go"),
	      "/bin/true offsets: '%s'", err);
}

int main(void)
{
	static const char *const vers[] = { "1.19", "1.15", "1.21", "1.23", "1.26" };

	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		if (!gt_goroot(vers[i]))
			continue;
		check_variant(vers[i], "default", "", true);
		check_variant(vers[i], "stripped", "-ldflags='-s -w'", false);
		check_variant(vers[i], "pie-stripped", "-buildmode=pie -ldflags='-s -w'", false);
	}
	check_not_go();
	return gt_done("test_buildinfo");
}
