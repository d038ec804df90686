/*
 * bpftrace's environment variables (bpftrace 0.17's list, from its
 * --help and main.cpp), and gotrace's own GOTRACE_RB_PAGES.
 *
 * Each variable is a row: honoured (read into struct env, or by the code
 * that uses it), of no effect
 * in gotrace (it tunes something gotrace does another way; documented,
 * not warned about), or ignored (a feature gotrace lacks: one warning,
 * since a script that sets it expects something that will not happen).
 * Any other BPFTRACE_ variable is not one 0.17 has, and is warned
 * about too, so that no setting is dropped silently. (Newer bpftrace's
 * config blocks set these same variables.)
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/diag.h"
#include "driver/driver.h"

extern char **environ;

enum env_kind { ENV_NUMBER, ENV_FLAG, ENV_ELSEWHERE, ENV_NO_EFFECT, ENV_IGNORED };

struct env_var {
	const char *name;
	enum env_kind kind;
	long max;		/* ENV_NUMBER: 1 to max */
	const char *what;	/* ENV_NUMBER: what it counts; ENV_ELSEWHERE:
				   where; ENV_NO_EFFECT, ENV_IGNORED: why */
	size_t field;		/* ENV_NUMBER, ENV_FLAG (0 or 1): offset in
				   struct env */
};

#define NUM(name, max, what, f) { name, ENV_NUMBER, max, what, offsetof(struct env, f) }
#define FLAG(name, f) { name, ENV_FLAG, 1, NULL, offsetof(struct env, f) }

static const struct env_var vars[] = {
	/* strings are not on the BPF stack here, so 1024 (bpftrace: 200) */
	NUM("BPFTRACE_STRLEN", 1024, "bytes", strlen),
	NUM("BPFTRACE_MAP_KEYS_MAX", 1l << 30, "keys", max_keys),
	/* newer bpftrace's names for those two (its config keys max_strlen,
	 * max_map_keys) */
	NUM("BPFTRACE_MAX_STRLEN", 1024, "bytes", strlen),
	NUM("BPFTRACE_MAX_MAP_KEYS", 1l << 30, "keys", max_keys),
	NUM("BPFTRACE_CAT_BYTES_MAX", 1l << 30, "bytes", cat_bytes),
	NUM("BPFTRACE_MAX_CAT_BYTES", 1l << 30, "bytes", cat_bytes),	/* newer name */
	NUM("BPFTRACE_MAX_PROBES", 1l << 30, "probes", max_probes),
	NUM("BPFTRACE_MAX_BPF_PROGS", 1l << 30, "programs", max_progs),
	NUM("BPFTRACE_PERF_RB_PAGES", 65536, "pages", rb_pages),
	NUM("GOTRACE_RB_PAGES", 65536, "pages", gotrace_rb_pages),
	{ "BPFTRACE_LOG_SIZE", ENV_NO_EFFECT, 0, "libbpf grows the verifier log as needed" },
	{ "BPFTRACE_CACHE_USER_SYMBOLS", ENV_NO_EFFECT, 0,
	  "each binary's symbols are read once per run" },
	{ "BPFTRACE_MAX_TYPE_RES_ITERATIONS", ENV_NO_EFFECT, 0, "types are resolved in two passes" },
	/* newer bpftrace's (its config key lazy_symbolication) */
	{ "BPFTRACE_LAZY_SYMBOLICATION", ENV_NO_EFFECT, 0, "each binary's symbols are read once per run" },
	/* honoured where it is used */
	{ "BPFTRACE_NO_CPP_DEMANGLE", ENV_ELSEWHERE, 0, "binary/demangle.c" },
	FLAG("BPFTRACE_NO_USER_SYMBOLS", no_user_symbols),
	{ "BPFTRACE_VMLINUX", ENV_IGNORED, 0, "kernel symbols come from /proc/kallsyms" },
	{ "BPFTRACE_BTF", ENV_IGNORED, 0, "the kernel's own BTF is used" },
	{ "BPFTRACE_KERNEL_SOURCE", ENV_IGNORED, 0, "#include reads /usr/include only" },
	{ "BPFTRACE_KERNEL_BUILD", ENV_IGNORED, 0, "#include reads /usr/include only" },
	{ "BPFTRACE_NODE_MAX", ENV_IGNORED, 0, "programs are limited by nesting depth instead" },
	{ "BPFTRACE_VERIFY_LLVM_IR", ENV_NO_EFFECT, 0, "the IR is always verified" },
};

static const struct env_var *find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static int number(const struct env_var *v, const char *text, struct env *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (!*text || *end || errno || n < 1 || n > v->max) {
		fprintf(stderr, "gotrace: %s must be a number of %s from 1 to %ld, not '%s'\n",
			v->name, v->what, v->max, text);
		return -EINVAL;
	}
	if (v->field == offsetof(struct env, gotrace_rb_pages) && (n & (n - 1))) {
		fprintf(stderr, "gotrace: %s must be a power of 2 from 1 to %ld, not '%s'\n",
			v->name, v->max, text);
		return -EINVAL;
	}
	*(unsigned long *)((char *)out + v->field) = (unsigned long)n;
	return 0;
}

/* One variable, by its name (name[0..len)). */
static int env_set(struct env *e, const char *name, size_t len, const char *value)
{
	const struct env_var *v = find(name, len);

	if (!v) {
		diag_warn("%.*s is not a bpftrace 0.17 setting: ignored", (int)len, name);
		return 0;
	}
	if (v->kind == ENV_NUMBER)
		return *value ? number(v, value, e) : 0;
	if (v->kind == ENV_FLAG) {
		if (strcmp(value, "0") && strcmp(value, "1")) {
			fprintf(stderr, "gotrace: %s must be 0 or 1, not '%s'\n", v->name, value);
			return -EINVAL;
		}
		*(unsigned long *)((char *)e + v->field) = value[0] == '1';
		return 0;
	}
	if (v->kind == ENV_IGNORED)
		diag_warn("%s is ignored: %s", v->name, v->what);
	return 0;
}

/* Config keys whose variable is not BPFTRACE_<KEY>: newer bpftrace turned
 * NO_CPP_DEMANGLE=1 into cpp_demangle = 0. */
static const struct {
	const char *key, *var;
	bool negate;
} config_keys[] = {
	{ "cpp_demangle", "BPFTRACE_NO_CPP_DEMANGLE", true },
};

/* Is the setting of row v (or of another name for it) in the environment? */
static bool in_environ(const struct env_var *v)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const struct env_var *w = &vars[i];
		bool stored = v->kind == ENV_NUMBER || v->kind == ENV_FLAG;
		bool same = w == v || (stored && w->kind == v->kind && w->field == v->field);

		if (same && getenv(w->name))
			return true;
	}
	return false;
}

int env_config(const char *key, const char *value)
{
	char name[64] = "BPFTRACE_";
	const struct env_var *v;

	if (strncasecmp(key, "BPFTRACE_", 9) == 0)
		key += 9;
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		if (strcasecmp(key, config_keys[i].key))
			continue;
		if (config_keys[i].negate)
			value = strcmp(value, "0") && strcasecmp(value, "false") ? "0" : "1";
		key = config_keys[i].var + 9;
		break;
	}
	if (strlen(key) + 10 > sizeof(name))
		return -ENOENT;
	for (size_t i = 0; key[i]; i++)
		name[9 + i] = (char)toupper((unsigned char)key[i]);
	v = find(name, strlen(name));
	if (!v)
		return -ENOENT;
	if (in_environ(v))
		return 0;	/* the environment wins over the script */
	return setenv(v->name, value, 1) ? -errno : 0;
}

/* Ring buffer pages must be a power of two. bpftrace's are per CPU, and
 * gotrace has one ring buffer for all of them: BPFTRACE_PERF_RB_PAGES
 * becomes that many pages times the CPUs, rounded up. */
unsigned long env_events_size(const struct env *e)
{
	unsigned long pages = e->gotrace_rb_pages, page = (unsigned long)sysconf(_SC_PAGESIZE);
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (!pages && e->rb_pages) {
		pages = 1;
		while (pages < e->rb_pages * (unsigned long)(ncpu > 0 ? ncpu : 1) &&
		       pages < 65536)
			pages <<= 1;
	}
	return pages * page;
}

int env_read(struct env *out)
{
	memset(out, 0, sizeof(*out));
	for (char **p = environ; *p; p++) {
		const char *eq = strchr(*p, '=');

		if (!eq || (strncmp(*p, "BPFTRACE_", 9) &&
			    strncmp(*p, "GOTRACE_RB_PAGES=", 17)))
			continue;
		if (env_set(out, *p, eq - *p, eq + 1))
			return -EINVAL;
	}
	return 0;
}
