/* The preprocessor lines of bpftrace scripts (see preprocess.c). */
#ifndef GOTRACE_PREPROCESS_H
#define GOTRACE_PREPROCESS_H

#include <stdbool.h>

#include "common/diag.h"

struct macro {
	char *name, *value;
	int line;		/* of its #define; 0 for the predefined ones */
	bool undefined;		/* #undef'd since */
	struct macro *next;
};

struct pp {
	struct macro *macros;
};

/* Blank text's directive lines (and the lines false conditionals skip)
 * in place, recording the #defines. 0, or -EINVAL after diagnostics. */
int pp_run(struct pp *pp, char *text);
/* The macro the lexer substitutes for name, or NULL. */
const struct macro *pp_find(const struct pp *pp, const char *name);

#endif
