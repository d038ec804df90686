/*
 * Programs that came out the same are loaded once.
 *
 * A probe with many attach points ("tracepoint:syscalls:sys_enter_*"),
 * or many probes with the same block, give one program per attach point,
 * each with its own copy of the block (sema/probes.c): the same block can
 * be typed differently at two points. Most of the time it is not, and
 * the copies compile to the same instructions: 200 of them cost LLVM's
 * back end 200 times, the verifier 200 loads and the kernel 200 programs.
 *
 * So before the back end runs, each program whose kind gives every
 * attach point its own BPF cookie (PC_COOKIE: `probe` reads its name
 * from there) is compared with the ones before it. A program whose IR is
 * the same as an earlier one's is deleted, and its attach point is
 * pointed at the earlier program: the runtime attaches that one there,
 * with this point's cookie.
 *
 * "The same" is the printed IR with the function's name and debug
 * locations left out: everything else (the field offsets of the
 * tracepoint it was typed for, the ring-buffer ids of its printfs, the
 * maps it names) is in the text, so two programs that could behave
 * differently never compare equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "common/alloc.h"
#include "probes/probes.h"

struct shape {
	char *text;		/* the normalized IR, or NULL: not shareable */
	uint64_t hash;
};

/* The printed function without its name and its !dbg attachments. */
static char *normalize(LLVMValueRef fn)
{
	char *ir = LLVMPrintValueToString(fn);
	char *out = xcalloc(1, strlen(ir) + 1), *o = out;
	const char *p = ir, *name = strstr(ir, "define ");

	name = name ? strchr(name, '@') : NULL;		/* define i64 @NAME( */
	while (*p) {
		if (p == name) {
			p += strcspn(p, "(");
			continue;
		}
		if (!strncmp(p, ", !dbg !", 8) || !strncmp(p, " !dbg !", 7)) {
			p += *p == ',' ? 8 : 7;
			p += strspn(p, "0123456789");
			continue;
		}
		*o++ = *p++;
	}
	*o = 0;
	LLVMDisposeMessage(ir);
	return out;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

int cg_share_progs(struct cg *c)
{
	struct plan *plan = c->plan;
	struct shape *shapes;
	int shared = 0, candidates = 0;

	for (int i = 0; i < plan->nprogs; i++)
		candidates += !!(plan->progs[i].type->caps & PC_COOKIE);
	if (candidates < 2)	/* printing a long probe's IR is not free */
		return 0;
	shapes = xcalloc(plan->nprogs, sizeof(*shapes));
	for (int i = 0; i < plan->nprogs; i++) {
		struct plan_prog *pp = &plan->progs[i];
		LLVMValueRef fn = LLVMGetNamedFunction(c->mod, pp->name);

		if (!fn || !(pp->type->caps & PC_COOKIE))
			continue;
		shapes[i].text = normalize(fn);
		shapes[i].hash = fnv1a(shapes[i].text);
		for (int j = 0; j < i; j++) {
			if (!shapes[j].text || shapes[j].hash != shapes[i].hash ||
			    plan->progs[j].type != pp->type ||
			    strcmp(shapes[j].text, shapes[i].text))
				continue;
			LLVMDeleteFunction(fn);
			free((char *)pp->ap.prog_name);
			pp->ap.prog_name = xstrdup(plan->progs[j].ap.prog_name);
			free(shapes[i].text);
			shapes[i].text = NULL;
			shared++;
			break;
		}
	}
	for (int i = 0; i < plan->nprogs; i++)
		free(shapes[i].text);
	free(shapes);
	return shared;
}
