/*
 * codegen/module must turn LLVM's fatal paths into error returns: the BPF
 * backend reports an oversized stack through the context's diagnostic
 * handler (whose default calls exit(1)), aborts on an alloca outside the
 * entry block, and the verifier catches malformed IR. Each case must come
 * back from cgm_emit as -EINVAL with a message naming the problem, and the
 * process must carry on. Names BTF cannot hold are refused by cgm_map and
 * cgm_prog. No root needed.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/module.h"
#include "tests/check.h"

enum bad { BIG_STACK, LATE_ALLOCA, NO_TERMINATOR, FINE };

static struct cg_module *build(enum bad what)
{
	char err[256];
	struct cg_module *m = cgm_new("errors", err, sizeof(err));
	LLVMBuilderRef b;
	LLVMContextRef c;
	LLVMTypeRef i64, i8;
	LLVMValueRef fn, buf, args[4], rb;

	if (!m)
		return NULL;
	b = cgm_builder(m);
	c = cgm_ctx(m);
	i64 = LLVMInt64TypeInContext(c);
	i8 = LLVMInt8TypeInContext(c);
	rb = cgm_map(m, "rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	fn = cgm_prog(m, "p", "raw_tp");
	if (what == LATE_ALLOCA) {
		LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c, fn, "next");
		LLVMBuildBr(b, next);
		LLVMPositionBuilderAtEnd(b, next);
		buf = LLVMBuildAlloca(b, LLVMArrayType(i8, 16), "late");
	} else {
		buf = cgm_alloca(m, LLVMArrayType(i8, what == BIG_STACK ? 600 : 16),
				 "buf");
	}
	LLVMBuildMemSet(b, buf, LLVMConstInt(i8, 0, 0),
			LLVMConstInt(i64, what == BIG_STACK ? 600 : 16, 0), 8);
	args[0] = rb;
	args[1] = buf;
	args[2] = LLVMConstInt(i64, 16, 0);
	args[3] = LLVMConstInt(i64, 0, 0);
	cgm_helper(m, BPF_FUNC_ringbuf_output, args, 4);
	if (what != NO_TERMINATOR)
		LLVMBuildRet(b, LLVMConstInt(i64, 0, 0));
	return m;
}

static void expect(enum bad what, int want, const char *msg)
{
	struct cg_module *m = build(what);
	char err[512] = "";
	void *obj = NULL;
	size_t len = 0;
	int ret;

	CHECK(m, "cgm_new");
	if (!m)
		return;
	ret = cgm_emit(m, &obj, &len, err, sizeof(err));
	CHECK(ret == want, "case %d: cgm_emit returned %d, want %d (%s)", what,
	      ret, want, err);
	if (msg)
		CHECK(strstr(err, msg), "case %d: error '%s' lacks '%s'", what, err, msg);
	if (!ret)
		CHECK(obj && len > 64 && !memcmp(obj, "\177ELF", 4), "no ELF object");
	free(obj);
	cgm_free(m);
}

/* Names that would break the object's BTF are refused up front. */
static void check_names(void)
{
	char err[256];
	struct cg_module *m = cgm_new("names", err, sizeof(err));

	CHECK(m, "cgm_new: %s", err);
	if (!m)
		return;
	CHECK(!cgm_map(m, "@x", BPF_MAP_TYPE_HASH, 8, 8, 1, 0), "map '@x' accepted");
	CHECK(!cgm_map(m, "1x", BPF_MAP_TYPE_HASH, 8, 8, 1, 0), "map '1x' accepted");
	CHECK(cgm_map(m, "AT_x", BPF_MAP_TYPE_HASH, 8, 8, 1, 0), "map 'AT_x' refused");
	CHECK(!cgm_map(m, "AT_x", BPF_MAP_TYPE_HASH, 8, 8, 1, 0), "duplicate map");
	CHECK(!cgm_prog(m, "uprobe:main.f", "uprobe"), "prog name with ':'");
	CHECK(cgm_prog(m, "p0", "uprobe"), "prog 'p0' refused");
	CHECK(!cgm_prog(m, "p0", "uprobe"), "duplicate prog");
	LLVMBuildRet(cgm_builder(m), LLVMConstInt(LLVMInt64TypeInContext(cgm_ctx(m)), 0, 0));
	cgm_free(m);
}

int main(void)
{
	check_names();
	expect(BIG_STACK, -EINVAL, "stack limit of 512 bytes");
	expect(LATE_ALLOCA, -EINVAL, "p: alloca outside the entry block");
	expect(NO_TERMINATOR, -EINVAL, "invalid LLVM IR");
	expect(FINE, 0, NULL);
	printf("%s: %s\n", __FILE__, failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
