/* The preprocessor lines of bpftrace scripts (see preprocess.c). */
#ifndef GOTRACE_PREPROCESS_H
#define GOTRACE_PREPROCESS_H

#include <stdbool.h>

#include "common/diag.h"

struct macro {
	char *name, *value;
	int line;		/* of its #define; 0 for the predefined ones
				   and those of header files */
	bool undefined;		/* #undef'd since */
	bool header;		/* from an #include'd header file */
	bool ambiguous;		/* headers define it to different values */
	struct macro *next;
};

struct pp {
	struct macro *macros;
	char **seen;		/* header files read, each once */
	int nseen;
};

/* Blank text's directive lines (and the lines false conditionals skip)
 * in place, recording the #defines. 0, or -EINVAL after diagnostics. */
int pp_run(struct pp *pp, char *text);
/* The macro the lexer substitutes for name, or NULL. */
const struct macro *pp_find(const struct pp *pp, const char *name);

/* What name stands for, following macros that name other macros:
 * PP_NONE (no macro: a header's macro that is no integer counts as
 * none), PP_INT (*num), PP_STRING (*str, *len: the text between the
 * quotes), or PP_BAD (*m: the program's macro that is neither, or a
 * header's defined differently in two places). */
enum pp_kind { PP_NONE, PP_INT, PP_STRING, PP_BAD };
enum pp_kind pp_value(const struct pp *pp, const char *name, int64_t *num,
		      const char **str, int *len, const struct macro **m);

#endif
