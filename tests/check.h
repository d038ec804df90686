/*
 * CHECK() for unit tests: report a failed condition with its file and
 * line and a printf-style explanation, and count it; main() returns
 * failures != 0. Header-only: each tests/<dir>/test_*.c is its own
 * program.
 */
#ifndef GOTRACE_TESTS_CHECK_H
#define GOTRACE_TESTS_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			failures++;                                         \
		}                                                           \
	} while (0)

#endif
