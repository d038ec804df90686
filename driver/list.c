/*
 * The driver's non-tracing commands: reading a program file, `-l` to list
 * probes, and `--info` to show what gotrace knows of a binary.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "driver/driver.h"
#include "probes/probes.h"

/* "-" is standard input, as in bpftrace. */
char *driver_read_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		/* bpftrace 0.17's words */
		fprintf(stderr, "ERROR: failed to open file '%s': %s\n", path,
			strerror(errno));
		return NULL;
	}
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = 0;
	if (f != stdin)
		fclose(f);
	return buf;
}

static int by_kind_name(const void *a, const void *b)
{
	const struct probe_type *x = *(const struct probe_type *const *)a;
	const struct probe_type *y = *(const struct probe_type *const *)b;

	return strcmp(x->name, y->name);
}

/* A pattern whose kind is a wildcard ("*:*", "*sleep*", "t*:sched:*")
 * lists every kind of its group that the kind matches, sorted by kind
 * name, as bpftrace does: each gets the rest of the pattern, or the whole
 * pattern when it has no ':'. User-space kinds when there is a pid or the
 * second part is a path, kernel kinds otherwise. */
static int list_kinds(char **parts, int n, pid_t pid, bool verbose)
{
	const struct probe_type *kinds[PK__COUNT];
	enum probe_group g = pid > 0 || (n > 1 && strchr(parts[1], '/')) ? PG_USER : PG_KERNEL;
	const char *glob = n == 1 ? "*" : parts[0];
	char *sub[3];
	int nk = 0, subn = n == 1 ? 2 : n, rc = 0;

	for (int k = 0; k < PK__COUNT; k++) {
		const struct probe_type *t = probe_type_of(k);

		if (t->group == g && t->list && fnmatch(glob, t->name, 0) == 0)
			kinds[nk++] = t;
	}
	if (!nk) {
		fprintf(stderr, "gotrace: no probe type matched for %s\n", parts[0]);
		return -EINVAL;
	}
	qsort(kinds, nk, sizeof(kinds[0]), by_kind_name);
	for (int i = 1; i < subn; i++)
		sub[i] = n == 1 ? parts[0] : parts[i];
	for (int i = 0; i < nk; i++) {
		sub[0] = (char *)kinds[i]->name;
		/* a kind that cannot list this shape says so, and the others
		 * still list theirs, as bpftrace skips such kinds */
		if (kinds[i]->list(sub, subn, pid, verbose) < 0)
			rc = -EINVAL;
	}
	return rc;
}

/* The kind named by the pattern's first part lists what the rest matches;
 * a wildcard kind (or a pattern with no ':') lists across kinds. */
int driver_list(const char *pattern, pid_t pid, bool verbose)
{
	char *text = xstrdup(pattern && strcmp(pattern, "*") ? pattern : "*:*"), *parts[3];
	int n = probe_split(text, parts, 3, true), rc;
	const struct probe_type *t = probe_type_find(parts[0]);

	if (strchr(parts[0], '*') || strchr(parts[0], '?')) {
		rc = list_kinds(parts, n, pid, verbose);
	} else if (!t) {
		fprintf(stderr, "gotrace: invalid probe type: %s\n", parts[0]);
		rc = -EINVAL;
	} else if (t->list) {
		parts[0] = (char *)t->name;
		rc = t->list(parts, n, pid, verbose);
	} else {
		fprintf(stderr, "gotrace: cannot list '%s' probes\n", parts[0]);
		rc = -EINVAL;
	}
	free(text);
	return rc < 0 ? rc : 0;
}

int driver_info(const char *path)
{
	char err[512];
	struct bin *b = bin_open(path, err, sizeof(err));
	struct go_offsets go;

	if (!b) {
		fprintf(stderr, "gotrace: %s\n", err);
		return -EINVAL;
	}
	printf("binary:    %s\n", bin_path(b));
	printf("arch:      %s\n", bin_arch(b) ? bin_arch(b) : "unknown");
	printf("symbols:   %s\n", bin_is_stripped(b) ? "stripped (no .symtab)" : ".symtab");
	printf("DWARF:     %s\n", bin_has_dwarf(b) ? "yes" : "no");
	printf("functions: %zu\n", bin_nfuncs(b));
	if (!bin_is_go(b)) {
		printf("Go:        no\n");
		return 0;
	}
	printf("Go:        %s\n", bin_go_version(b) ? bin_go_version(b) : "yes, version unknown");
	printf("pclntab:   %s, %zu functions, text start 0x%llx\n",
	       bin_go_pclntab_format(b), bin_go_nfuncs(b),
	       (unsigned long long)bin_go_text_start(b));
	if (bin_go_ntypelinks(b) >= 0)
		printf("types:     %ld in typelinks (runtime type descriptors, read when used)\n",
		       bin_go_ntypelinks(b));
	else
		printf("types:     no runtime type descriptors found: go_cast needs DWARF\n");
	if (bin_go_offsets(b, &go, err, sizeof(err)) == 0) {
		printf("ABI:       %s\n", go.regabi ? "register (ABIInternal)" : "stack (ABI0)");
		printf("goid:      g.goid at %d, g.m at %d, m.curg at %d, m.g0 at %d (from %s)\n",
		       go.g_goid, go.g_m, go.m_curg, go.m_g0, go.source);
	} else {
		printf("goid:      unavailable: %s\n", err);
	}
	return 0;
}
