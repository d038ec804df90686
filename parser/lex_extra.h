/* State the lexer keeps between tokens: the open braces of the current
 * block, so that a missing '}' can be reported "to close '{' at line N". */
#ifndef GOTRACE_LEX_EXTRA_H
#define GOTRACE_LEX_EXTRA_H

#define LEX_MAX_DEPTH 64

struct lex_extra {
	int depth;
	int open_line[LEX_MAX_DEPTH];
	int open_col[LEX_MAX_DEPTH];
};

#endif
