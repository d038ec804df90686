/*
 * Which ELF section names libbpf 1.4 turns into which program types, for
 * programs built by codegen/module: each section gets its own object with
 * one program that counts calls per pid_tgid in a hash map, which must load
 * with its BTF and without libbpf warnings. The runtime attaches by hand,
 * so bare names ("uprobe.multi", "perf_event") are enough; an unknown
 * prefix must fail to load. Finally a "uprobe.multi" program is attached
 * to a function of this test binary and must count its calls. Needs root.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "tests/codegen/cgtest.h"

static const struct {
	const char *sec;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
} cases[] = {
	{ "uprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI },
	{ "uretprobe.multi", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI },
	{ "uprobe.multi/gotrace_probe_3", BPF_PROG_TYPE_KPROBE, BPF_TRACE_UPROBE_MULTI },
	{ "uprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "uretprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ "tracepoint/syscalls/sys_enter_nanosleep", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp/syscalls/sys_exit_nanosleep", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
};

/* hits[pid_tgid] += 1 */
static struct cg_module *build(const char *sec)
{
	char err[256];
	struct cg_module *m = cgm_new("sections", err, sizeof(err));
	LLVMBuilderRef b;
	LLVMTypeRef i64;
	LLVMValueRef map, key, one, args[4];

	if (!m) {
		CHECK(0, "cgm_new: %s", err);
		return NULL;
	}
	b = cgm_builder(m);
	i64 = LLVMInt64TypeInContext(cgm_ctx(m));
	map = cgm_map(m, "hits", BPF_MAP_TYPE_HASH, 8, 8, 64, 0);
	cgm_prog(m, "probe", sec);
	key = cgm_alloca(m, i64, "key");
	one = cgm_alloca(m, i64, "one");
	LLVMBuildStore(b, cgm_helper(m, BPF_FUNC_get_current_pid_tgid, NULL, 0), key);
	LLVMBuildStore(b, LLVMConstInt(i64, 0, 0), one);
	args[0] = map;
	args[1] = key;
	args[2] = one;
	args[3] = LLVMConstInt(i64, BPF_NOEXIST, 0);
	cgm_helper(m, BPF_FUNC_map_update_elem, args, 4);
	args[3] = LLVMConstInt(i64, 0, 0);
	LLVMValueRef v = cgm_helper(m, BPF_FUNC_map_lookup_elem, args, 2);
	LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(b));
	LLVMBasicBlockRef hit = LLVMAppendBasicBlockInContext(cgm_ctx(m), fn, "hit");
	LLVMBasicBlockRef out = LLVMAppendBasicBlockInContext(cgm_ctx(m), fn, "out");
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, v, args[3], ""), hit, out);
	LLVMPositionBuilderAtEnd(b, hit);
	LLVMBuildAtomicRMW(b, LLVMAtomicRMWBinOpAdd,
			   LLVMBuildIntToPtr(b, v, LLVMPointerType(i64, 0), ""),
			   LLVMConstInt(i64, 1, 0), LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(b, out);
	LLVMPositionBuilderAtEnd(b, out);
	LLVMBuildRet(b, LLVMConstInt(i64, 0, 0));
	return m;
}

static void check_section(int i)
{
	struct cg_module *m = build(cases[i].sec);
	struct bpf_object *obj = m ? cgtest_load(m, cases[i].sec, NULL, NULL) : NULL;
	struct bpf_program *p;

	if (obj) {
		p = bpf_object__find_program_by_name(obj, "probe");
		CHECK(bpf_program__type(p) == cases[i].type, "'%s': type %d, want %d",
		      cases[i].sec, bpf_program__type(p), cases[i].type);
		CHECK(bpf_program__expected_attach_type(p) == cases[i].attach,
		      "'%s': attach type %d, want %d", cases[i].sec,
		      bpf_program__expected_attach_type(p), cases[i].attach);
		cgtest_check_prog_btf(p);
		bpf_object__close(obj);
	}
	cgm_free(m);
}

/* A section libbpf does not know has no program type: load must fail. */
static void check_unknown(void)
{
	struct cg_module *m = build("gotrace/x");
	char err[256];
	void *buf;
	size_t len;
	struct bpf_object *obj;

	if (!m || cgm_emit(m, &buf, &len, err, sizeof(err))) {
		CHECK(0, "emit");
		cgm_free(m);
		return;
	}
	obj = bpf_object__open_mem(buf, len, NULL);
	quiet = 1; /* libbpf reports the expected failure */
	CHECK(!obj || bpf_object__load(obj), "unknown section loaded");
	quiet = 0;
	bpf_object__close(obj);
	free(buf);
	cgm_free(m);
}

__attribute__((noinline)) int gotrace_probe_target(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

/* End to end: attach the uprobe.multi program to this binary. */
static void check_uprobe_multi_fires(void)
{
	struct cg_module *m = build("uprobe.multi");
	struct bpf_object *obj = m ? cgtest_load(m, "fires", NULL, NULL) : NULL;
	struct bpf_link *l;
	__u64 key = ((__u64)getpid() << 32) | (__u32)gettid(), val = 0;
	const char *sym = "gotrace_probe_target";
	LIBBPF_OPTS(bpf_uprobe_multi_opts, uo, .syms = &sym, .cnt = 1);

	if (!obj)
		goto out;
	l = bpf_program__attach_uprobe_multi(
		bpf_object__find_program_by_name(obj, "probe"), getpid(),
		"/proc/self/exe", NULL, &uo);
	CHECK(l, "attach_uprobe_multi: %d", -errno);
	for (int i = 0; i < 3; i++)
		gotrace_probe_target(i);
	CHECK(!bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "hits"),
				    &key, 8, &val, 8, 0), "no hits recorded");
	CHECK(val == 3, "uprobe.multi hits %llu, want 3", (unsigned long long)val);
	bpf_link__destroy(l);
	bpf_object__close(obj);
out:
	cgm_free(m);
}

int main(void)
{
	cgtest_init();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_section(i);
	CHECK(bad_warnings == 0, "%d libbpf warnings about BTF or failures",
	      bad_warnings);
	check_unknown();
	check_uprobe_multi_fires();
	CHECK(bad_warnings == 0, "%d libbpf warnings about BTF or failures",
	      bad_warnings);
	printf("%s: %s\n", __FILE__, failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
