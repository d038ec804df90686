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
#include "sema/sema.h"

/* "-" is standard input, as in bpftrace. */
char *driver_read_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "gotrace: cannot read %s: %s\n", path, strerror(errno));
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

static int print_func(const struct bin_func *f, void *arg)
{
	printf("%s:%s\n", (const char *)arg, f->name);
	return 0;
}

static int list_uprobes(const char *kind, const char *file, const char *glob)
{
	char err[512], prefix[4200], *path = realpath(file, NULL);
	struct bin *b;

	if (!path) {
		fprintf(stderr, "gotrace: binary '%s' not found\n", file);
		return -ENOENT;
	}
	b = bin_open(path, err, sizeof(err));
	if (!b) {
		fprintf(stderr, "gotrace: %s\n", err);
		free(path);
		return -EINVAL;
	}
	snprintf(prefix, sizeof(prefix), "%s:%s", kind, path);
	bin_func_match(b, glob, print_func, prefix);
	free(path);
	return 0;
}

/* With -v, a tracepoint's fields follow it, as bpftrace -lv shows them. */
static int print_tp(const char *cat, const char *name, void *arg)
{
	bool verbose = arg != NULL;
	struct tp_field *f;
	int n;

	printf("tracepoint:%s:%s\n", cat, name);
	if (!verbose || tracepoint_fields(cat, name, &f, &n))
		return 0;
	for (int i = 0; i < n; i++)
		if (strncmp(f[i].name, "common_", 7) != 0)
			printf("    %s\n", f[i].decl);
	return 0;
}

/* Split at ':' outside double quotes. */
static int split(char *s, char **parts, int max)
{
	int n = 1;
	bool quoted = false;
	char *o = s;

	parts[0] = s;
	for (char *p = s; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (*p == ':' && !quoted && n < max) {
			*o++ = 0;
			parts[n++] = o;
			continue;
		}
		*o++ = *p;
	}
	*o = 0;
	return n;
}

int driver_list(const char *pattern, pid_t pid, bool verbose)
{
	char *text = strdup(pattern ? pattern : "*"), *parts[3];
	char exe[4096], err[512];
	int n = split(text, parts, 3), rc = 0;

	if (strcmp(parts[0], "uprobe") == 0 || strcmp(parts[0], "u") == 0 ||
	    strcmp(parts[0], "uretprobe") == 0 || strcmp(parts[0], "ur") == 0) {
		const char *kind = parts[0][1] == 'r' || strcmp(parts[0], "ur") == 0 ?
				   "uretprobe" : "uprobe";
		if (n == 3) {
			rc = list_uprobes(kind, parts[1], parts[2]);
		} else if (n == 2 && pid > 0) {
			if (proc_exe_path(pid, exe, sizeof(exe), err, sizeof(err)) < 0) {
				fprintf(stderr, "gotrace: %s\n", err);
				rc = -ESRCH;
			} else {
				rc = list_uprobes(kind, exe, parts[1]);
			}
		} else {
			fprintf(stderr, "gotrace: -l needs uprobe:BINARY:PATTERN "
				"(or -p PID with uprobe:PATTERN)\n");
			rc = -EINVAL;
		}
	} else if (strcmp(parts[0], "tracepoint") == 0 || strcmp(parts[0], "t") == 0) {
		rc = tracepoint_expand(n > 1 ? parts[1] : "*", n > 2 ? parts[2] : "*",
				       print_tp, verbose ? (void *)1 : NULL);
	} else if (n == 1) {
		/* A bare pattern matches tracepoint names, as bpftrace -l does. */
		char *colon = strchr(parts[0], ':');
		rc = tracepoint_expand(colon ? parts[0] : "*", "*", print_tp, verbose ? (void *)1 : NULL);
	} else {
		fprintf(stderr, "gotrace: cannot list '%s' probes\n", parts[0]);
		rc = -EINVAL;
	}
	if (rc == -EACCES)
		fprintf(stderr, "gotrace: cannot read tracefs at /sys/kernel/tracing "
			"(run as root)\n");
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
	if (bin_go_offsets(b, &go, err, sizeof(err)) == 0) {
		printf("ABI:       %s\n", go.regabi ? "register (ABIInternal)" : "stack (ABI0)");
		printf("goid:      g.goid at %d, g.m at %d, m.curg at %d, m.g0 at %d (from %s)\n",
		       go.g_goid, go.g_m, go.m_curg, go.m_g0, go.source);
	} else {
		printf("goid:      unavailable: %s\n", err);
	}
	return 0;
}
