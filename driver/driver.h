/* The driver's helpers beside main(): reading programs, -l and --info. */
#ifndef GOTRACE_DRIVER_H
#define GOTRACE_DRIVER_H

#include <stdbool.h>
#include <sys/types.h>

/* The whole file as a string, or NULL after a message. */
char *driver_read_file(const char *path);

/* -l [PATTERN]: print matching probes, sorted. Returns 0 or -errno. */
int driver_list(const char *pattern, pid_t pid, bool verbose);

struct node;

/* config = { ... }: the N_CONFIG list of the program. Sets the
 * environment variables its keys stand for (the environment wins).
 * Returns 0, or -1 after diagnostics. */
int driver_config(const struct node *list);

/* --info BINARY */
int driver_info(const char *path);
/* --info alone (sysinfo.c): the machine's BPF features, as bpftrace's. */
int driver_sysinfo(void);
/* "0.1.0" */
const char *driver_version(void);

/* The BPFTRACE_* (and GOTRACE_RB_PAGES) settings; 0 means unset. */
struct env {
	unsigned long strlen;		/* BPFTRACE_STRLEN */
	unsigned long max_keys;		/* BPFTRACE_MAP_KEYS_MAX */
	unsigned long cat_bytes;	/* BPFTRACE_CAT_BYTES_MAX */
	unsigned long max_probes;	/* BPFTRACE_MAX_PROBES */
	unsigned long max_progs;	/* BPFTRACE_MAX_BPF_PROGS */
	unsigned long rb_pages;		/* BPFTRACE_PERF_RB_PAGES (per CPU) */
	unsigned long gotrace_rb_pages;	/* GOTRACE_RB_PAGES (in all) */
	unsigned long no_user_symbols;	/* BPFTRACE_NO_USER_SYMBOLS=1 */
};

/* Reads the environment, warns once about each variable it ignores, and
 * returns 0, or -EINVAL after a message about a bad value. */
int env_read(struct env *out);

/* A config block's `KEY = value` (KEY as newer bpftrace writes it,
 * max_map_keys, or as a variable, BPFTRACE_MAX_MAP_KEYS): sets the
 * variable KEY stands for, unless the environment has it (the environment
 * wins), for env_read() to read and check. 0, -ENOENT for a KEY that is no
 * variable of env.c's table, or -errno. */
int env_config(const char *key, const char *value);

/* The ring buffer's bytes those settings ask for; 0 for the default. */
unsigned long env_events_size(const struct env *e);

#endif
