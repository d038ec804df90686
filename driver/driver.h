/* The driver's helpers beside main(): reading programs, -l and --info. */
#ifndef GOTRACE_DRIVER_H
#define GOTRACE_DRIVER_H

#include <stdbool.h>
#include <sys/types.h>

/* The whole file as a string, or NULL after a message. */
char *driver_read_file(const char *path);

/* -l [PATTERN]: print matching probes, sorted. Returns 0 or -errno. */
int driver_list(const char *pattern, pid_t pid, bool verbose);

/* --info BINARY */
int driver_info(const char *path);
/* --info alone (sysinfo.c): the machine's BPF features, as bpftrace's. */
int driver_sysinfo(void);
/* "0.1.0" */
const char *driver_version(void);

#endif
