/* State the lexer keeps between tokens: the open braces of the current
 * block, so that a missing '}' can be reported "to close '{' at line N";
 * the #define'd macros it substitutes; the C definition being read. */
#ifndef GOTRACE_LEX_EXTRA_H
#define GOTRACE_LEX_EXTRA_H

#include "parser/preprocess.h"

#define LEX_MAX_DEPTH 64

struct lex_extra {
	int depth;
	int open_line[LEX_MAX_DEPTH];
	int open_col[LEX_MAX_DEPTH];
	struct pp pp;
	int cdepth;		/* braces open in the C definition being read */
	char *cbuf;		/* its text so far */
	int clen, ccap;
	struct loc cdef_loc;	/* where it starts */
};

#endif
