/*
 * `config = { KEY = value; ... }` at the top of a script (newer bpftrace):
 * each KEY sets what an environment variable sets. As in bpftrace, KEY may
 * be written "max_map_keys", "MAX_MAP_KEYS" or "BPFTRACE_MAX_MAP_KEYS", and
 * the environment wins over the script.
 *
 * A row maps a key onto the variable gotrace reads; the block sets that
 * variable unless the environment has it, so whatever reads the
 * environment (driver/main.c and any newer reader) honours the script too,
 * with no hook of its own. A key gotrace has no use for is an error, not
 * silently ignored, unless its row says it changes nothing we print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/diag.h"
#include "parser/ast.h"
#include "driver/driver.h"

struct config_var {
	const char *key;	/* lower case, without BPFTRACE_ */
	const char *env;	/* the variable it sets; NULL: accepted, no effect */
	bool number;		/* the value must be an integer */
};

static const struct config_var vars[] = {
	{ "max_map_keys", "BPFTRACE_MAP_KEYS_MAX", true },
	{ "map_keys_max", "BPFTRACE_MAP_KEYS_MAX", true },	/* 0.17's name */
	{ "max_strlen", "BPFTRACE_STRLEN", true },
	{ "strlen", "BPFTRACE_STRLEN", true },			/* 0.17's name */
	/* a row per variable the driver reads: perf_rb_pages and
	 * max_probes belong here once BPFTRACE_PERF_RB_PAGES and
	 * BPFTRACE_MAX_PROBES are read */
	/* symbolization knobs of bcc's cache, which gotrace does not use */
	{ "cache_user_symbols", NULL, false },
	{ "lazy_symbolication", NULL, false },
	{ "cpp_demangle", NULL, false },
	{ "log_size", NULL, true },
};

/* "max_map_keys", "MAX_MAP_KEYS" or "BPFTRACE_MAX_MAP_KEYS" */
static const struct config_var *find(const char *key)
{
	if (strncasecmp(key, "BPFTRACE_", 9) == 0)
		key += 9;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strcasecmp(vars[i].key, key) == 0)
			return &vars[i];
	return NULL;
}

int driver_config(const struct node *list)
{
	enum { NVARS = sizeof(vars) / sizeof(vars[0]) };
	bool from_env[NVARS];
	int rc = 0;

	/* what the environment sets wins; within the block, the last key */
	for (size_t i = 0; i < NVARS; i++)
		from_env[i] = vars[i].env && getenv(vars[i].env);

	for (const struct node *n = list; n; n = n->next) {
		const struct config_var *v = find(n->str);
		char num[32];
		const char *value = n->lhs->str;

		if (!v) {
			diag_error(&n->loc, "config variable '%s' is unknown or not "
				   "supported by gotrace (it has max_map_keys, max_strlen, "
				   "and ignores cache_user_symbols, lazy_symbolication, "
				   "cpp_demangle, log_size)", n->str);
			rc = -1;
			continue;
		}
		if (v->number != (n->lhs->kind == N_INT)) {
			diag_error(&n->lhs->loc, "%s takes %s", n->str,
				   v->number ? "a number" : "a name or a string");
			rc = -1;
			continue;
		}
		if (!v->env || from_env[v - vars])
			continue;
		if (n->lhs->kind == N_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)n->lhs->ival);
			value = num;
		}
		if (setenv(v->env, value, 1) != 0) {
			diag_error(&n->loc, "cannot set %s", v->env);
			rc = -1;
		}
	}
	return rc;
}
