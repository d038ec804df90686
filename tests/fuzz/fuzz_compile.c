/*
 * libFuzzer harness for the front end: one input is a program's text,
 * compiled as `gotrace --dry-run` compiles it (lexer, preprocessor,
 * parser, sema with the probe kinds' resolve hooks, codegen through LLVM
 * to a BPF object), and nothing is loaded. Every input must end in an
 * object or in diagnostics: a crash, a sanitizer report, an abort inside
 * LLVM or a hang is a bug.
 *
 * The compiler is written to run once per process and keeps its AST and
 * plan until exit, so a long run grows slowly; libFuzzer's -rss_limit_mb
 * and the per-input -malloc_limit_mb still catch an input that makes it
 * grow without bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen.h"
#include "common/diag.h"
#include "parser/ast.h"
#include "sema/sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *params[] = { "1", "hello" };
	struct sema_opts so = { .params = params, .nparams = 2 };
	struct cg_opts co = { 0 };
	struct program prog;
	struct plan plan;
	void *elf = NULL;
	size_t len = 0;
	char *text;

	/* The driver reads a program as a C string: it ends at a NUL. */
	if (memchr(data, 0, size))
		return -1;
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	diag_reset();
	diag_set_source("fuzz.bt", text);
	if (!parse_program(text, &prog) && !sema_run(&so, &prog, &plan) &&
	    !codegen_run(&plan, &co, &elf, &len))
		free(elf);
	free(text);
	return 0;
}
