/*
 * tracefs (probes/tracefs.c) on the real kernel: it is found (or
 * mounted), tracepoints are looked up without escaping events/, globs
 * expand, and a tracepoint's format file gives its fields.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probes/probes_int.h"
#include "tests/check.h"

static int count(const char *cat, const char *name, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

int main(void)
{
	char err[256] = "";
	struct tp_field *f;
	int n = 0, found = -1;

	CHECK(tracefs_dir(err, sizeof(err)) != NULL, "tracefs: %s", err);
	CHECK(tracefs_exists("sched", "sched_process_exec") == 0, "exists");
	CHECK(tracefs_exists("sched", "no_such_tp") == -ENOENT, "missing tp");
	CHECK(tracefs_exists("..", "sched") == -ENOENT, "no path escape");

	CHECK(tracefs_expand("syscalls", "sys_enter_nanosl*", count, &n) == 0 && n == 1,
	      "one sys_enter_nanosl*: %d", n);
	n = 0;
	CHECK(tracefs_expand("no_such_category", "*", count, &n) == 0 && n == 0,
	      "no such category: %d", n);

	CHECK(tracefs_fields("sched", "sched_process_exec", &f, &n) == 0, "fields");
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, "old_pid") == 0)
			found = i;
	CHECK(found >= 0 && f[found].size == 4 && f[found].is_signed &&
	      !f[found].is_string && strcmp(f[found].decl, "pid_t old_pid") == 0,
	      "old_pid is a signed 4-byte integer");
	found = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, "filename") == 0)
			found = i;
	CHECK(found >= 0 && f[found].data_loc && !f[found].is_string &&
	      f[found].size == 4, "filename is a __data_loc, named after its brackets");
	CHECK(tracefs_fields("sched", "sched_switch", &f, &n) == 0, "fields");
	found = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, "prev_comm") == 0)
			found = i;
	CHECK(found >= 0 && f[found].is_string && !f[found].data_loc &&
	      f[found].size == 16, "prev_comm is a char[16] string");
	CHECK(tracefs_fields("sched", "no_such_tp", &f, &n) == -ENOENT, "no fields");
	if (failures)
		fprintf(stderr, "test_tracefs: %d failures\n", failures);
	return failures != 0;
}
