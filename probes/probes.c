/*
 * The probe-kind table, and what the kinds share: splitting an attach
 * point, recording links, naming a failure, finding a binary.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "probes/probes_int.h"

/* ORDER PROBE_KIND */
static const struct probe_type *const types[] = {
	[PK_BEGIN] = &probe_begin,
	[PK_END] = &probe_end,
	[PK_UPROBE] = &probe_uprobe,
	[PK_URETPROBE] = &probe_uretprobe,
	[PK_TRACEPOINT] = &probe_tracepoint,
	[PK_INTERVAL] = &probe_interval,
	[PK_PROFILE] = &probe_profile,
	[PK_SOFTWARE] = &probe_software,
	[PK_USDT] = &probe_usdt,
	[PK_KPROBE] = &probe_kprobe,
	[PK_KRETPROBE] = &probe_kretprobe,
	[PK_KFUNC] = &probe_kfunc,
	[PK_KRETFUNC] = &probe_kretfunc,
	[PK_HARDWARE] = &probe_hardware,
	[PK_WATCHPOINT] = &probe_watchpoint,
	[PK_ASYNCWATCHPOINT] = &probe_asyncwatchpoint,
	[PK_ITER] = &probe_iter,
};
_Static_assert(sizeof(types) / sizeof(types[0]) == PK__COUNT,
	       "every probe kind needs a row");

const struct probe_type *probe_type_of(enum probe_kind k)
{
	return (unsigned)k < PK__COUNT ? types[k] : NULL;
}

const struct probe_type *probe_type_find(const char *name)
{
	for (int k = 0; k < PK__COUNT; k++)
		if (strcmp(types[k]->name, name) == 0 ||
		    (types[k]->alias && strcmp(types[k]->alias, name) == 0))
			return types[k];
	return NULL;
}

int probe_split(char *s, char **parts, int max, bool rest)
{
	bool quoted = false;
	char *o = s;
	int n = 1;

	parts[0] = s;
	for (char *p = s; *p; p++) {
		if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\')) {
			*o++ = *++p;	/* "\"probe1\"": a quote in a name */
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (*p == ':' && !quoted && (n < max || !rest)) {
			if (n == max)
				return -1;
			*o++ = 0;
			parts[n++] = o;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return n;
}

int probe_links_add(struct probe_links *l, struct bpf_link *link)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct bpf_link **p = realloc(l->links, cap * sizeof(*p));

		if (!p) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		l->links = p;
		l->cap = cap;
	}
	l->links[l->n++] = link;
	return 0;
}

int probe_fail(const struct attach_point *ap, int err, char *buf, size_t len,
	       const char *fmt, ...)
{
	const struct probe_type *t = probe_type_of(ap->kind);
	char what[256] = "";
	const char *why;
	va_list va;

	va_start(va, fmt);
	vsnprintf(what, sizeof(what), fmt, va);
	va_end(va);
	if (err < 0)
		err = -err;
	why = strerror(err);
	if (err == EPERM || err == EACCES)
		why = "permission denied (gotrace must run as root)";
	/* ENOTSUPP (524) is the kernel's own, unknown to strerror(); from a
	 * uprobe it means x86 cannot single-step the instruction at the site
	 * (a trap, an invalid opcode: data or hand-written code). */
	if (err == ENOTSUPP_KERNEL)
		why = ap->kind == PK_UPROBE || ap->kind == PK_URETPROBE || ap->kind == PK_USDT
			      ? "the kernel cannot probe the instruction there (ENOTSUPP)"
			      : "not supported by this kernel (ENOTSUPP)";
	snprintf(buf, len, "%s '%s': %s%s%s", t ? t->name : "probe",
		 ap->name ? ap->name : "?", what, *what ? ": " : "", why);
	return -err;
}

int probe_error(const struct probe_request *rq, const char *fmt, ...)
{
	char msg[512];
	va_list va;

	va_start(va, fmt);
	vsnprintf(msg, sizeof(msg), fmt, va);
	va_end(va);
	diag_error(rq->loc, "%s", msg);
	return -EINVAL;
}

/* With -p, an absolute path names the process's file, which may be in
 * another mount namespace (a container): as bpftrace does, it is looked
 * up through /proc/PID/root. NULL when that is the file we see anyway,
 * so that the usual, canonical path is kept. */
static char *pid_root_path(pid_t pid, const char *file)
{
	char buf[4096];
	struct stat in, out;

	if (pid <= 0 || file[0] != '/')
		return NULL;
	snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)pid, file);
	if (stat(buf, &in))
		return NULL;
	if (stat(file, &out) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
		return NULL;
	return xstrdup(buf);
}

char *probe_find_binary(const char *name, pid_t pid)
{
	char *path, *dir, *save = NULL, buf[4096];

	if (!*name)
		return NULL;
	if ((path = pid_root_path(pid, name)))
		return path;
	if ((path = bin_find_library(name, pid))) {
		if (access(path, F_OK) == 0)
			return path;
		free(path);
	}
	if (strchr(name, '/'))
		return access(name, F_OK) == 0 ? realpath(name, NULL) : NULL;
	path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		if (access(buf, X_OK) == 0) {
			free(path);
			return realpath(buf, NULL);
		}
	}
	free(path);
	return NULL;
}

void probe_point_free(struct attach_point *ap)
{
	for (int i = 0; i < ap->nsites; i++) {
		free(ap->sites[i].func);
		free(ap->sites[i].probe);
	}
	free(ap->sites);
	for (int i = 0; i < ap->nfields; i++) {
		free(ap->fields[i].name);
		free(ap->fields[i].decl);
	}
	free(ap->fields);
	free(ap->usdt_args);
	free((char *)ap->name);
	free((char *)ap->path);
	free((char *)ap->tp_category);
	free((char *)ap->tp_name);
	memset(ap, 0, sizeof(*ap));
}
