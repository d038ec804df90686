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

#endif
