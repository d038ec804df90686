/*
 * -lv: a function's parameters under its probe name.
 *
 * A C function's are listed as bpftrace 0.17 lists them, one
 * "    TYPE NAME" line each, from DWARF. A Go function's are listed with
 * what go_arg() needs, the register words each takes in Go's register
 * ABI: "    NAME TYPE (word N)", "(words N-M)", "(result, word N)", or
 * "(X register)" and "(stack)" for those a uprobe cannot read there.
 * Without DWARF nothing is listed, as bpftrace does.
 */
#include <stdio.h>

#include "binary/binary.h"
#include "probes/probes_int.h"

static void print_go(const struct bin_param *p, FILE *f)
{
	fprintf(f, "    %s %s (", p->name, p->type ? p->type : "?");
	if (p->is_result)
		fprintf(f, "result, ");
	if (p->is_float)
		fprintf(f, "X register)\n");
	else if (p->on_stack)
		fprintf(f, "stack)\n");
	else if (p->word < 0)
		fprintf(f, "unknown)\n");
	else if (p->words <= 1)
		fprintf(f, "word %d)\n", p->word);
	else
		fprintf(f, "words %d-%d)\n", p->word, p->word + p->words - 1);
}

void probe_print_params(struct bin *b, const char *func, FILE *f)
{
	const struct bin_param *ps;
	char err[512];
	int n;

	if (!bin_has_dwarf(b))
		return;
	if (bin_is_go(b)) {
		n = bin_func_params(b, func, &ps, err, sizeof(err));
		for (int i = 0; i < n; i++)
			print_go(&ps[i], f);
		return;
	}
	n = bin_c_params(b, func, &ps, err, sizeof(err));
	for (int i = 0; i < n; i++)
		fprintf(f, "    %s %s\n", ps[i].type, ps[i].name);
}
