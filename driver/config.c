/*
 * `config = { KEY = value; ... }` at the top of a script (newer bpftrace):
 * each KEY sets what an environment variable sets. As in bpftrace, KEY may
 * be written "max_map_keys", "MAX_MAP_KEYS" or "BPFTRACE_MAX_MAP_KEYS", and
 * the environment wins over the script.
 *
 * The variables are driver/env.c's table, the one list of settings: the
 * block sets a variable (unless the environment has it) and env_read()
 * then reads and checks it like any other, so a key is honoured, of no
 * effect or warned about exactly as its variable is. A key that is no
 * variable there is an error, not silently ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/diag.h"
#include "parser/ast.h"
#include "driver/driver.h"

int driver_config(const struct node *list)
{
	int rc = 0;

	for (const struct node *n = list; n; n = n->next) {
		char num[32];
		const char *value = n->lhs->str;
		int err;

		if (n->lhs->kind == N_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)n->lhs->ival);
			value = num;
		}
		err = env_config(n->str, value);
		if (err == -ENOENT) {
			diag_error(&n->loc, "config variable '%s' is unknown or not "
				   "supported by gotrace (the keys are the BPFTRACE_* "
				   "variables of gotrace(1), such as max_map_keys)", n->str);
			rc = -1;
		} else if (err) {
			diag_error(&n->loc, "cannot set %s: %s", n->str, strerror(-err));
			rc = -1;
		}
	}
	return rc;
}
