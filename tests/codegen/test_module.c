/*
 * End-to-end test of codegen/module: build a raw_tp program with the LLVM
 * C API that counts into a hash map and a per-CPU array and writes two
 * ring buffer records (one reserved and submitted, one copied from the
 * stack with bpf_ringbuf_output), emit it, load it into the real kernel,
 * run it with BPF_PROG_TEST_RUN and check every map and record. Needs root.
 */
#include <linux/bpf.h>
#include <unistd.h>

#include "tests/codegen/cgtest.h"

#define RUNS 5
#define KEY 42
#define MAGIC 0x676f7472616365ULL /* "gotrace" */

struct rec {
	__u64 magic;
	__u64 kind;       /* 1: reserve/submit, 2: ringbuf_output */
	__u64 pid_tgid;
};

struct ir {
	struct cg_module *m;
	LLVMBuilderRef b;
	LLVMContextRef c;
	LLVMValueRef fn;
	LLVMTypeRef i64, i32;
};

static LLVMValueRef k64(struct ir *x, unsigned long long v)
{
	return LLVMConstInt(x->i64, v, 0);
}

/* A stack slot holding `v`, as the lookup/update helpers want. */
static LLVMValueRef slot(struct ir *x, LLVMTypeRef t, LLVMValueRef v)
{
	LLVMValueRef a = cgm_alloca(x->m, t, "");

	LLVMBuildStore(x->b, v, a);
	return a;
}

/* if (p != NULL) { then... } -- leaves the builder in the then block and
 * returns the join block for the caller to branch to. */
static LLVMBasicBlockRef if_nonnull(struct ir *x, LLVMValueRef p,
				    LLVMBasicBlockRef *other)
{
	LLVMBasicBlockRef t = LLVMAppendBasicBlockInContext(x->c, x->fn, "");
	LLVMBasicBlockRef e = LLVMAppendBasicBlockInContext(x->c, x->fn, "");
	LLVMBasicBlockRef j = LLVMAppendBasicBlockInContext(x->c, x->fn, "");

	LLVMBuildCondBr(x->b, LLVMBuildICmp(x->b, LLVMIntNE, p, k64(x, 0), ""),
			t, e);
	LLVMPositionBuilderAtEnd(x->b, t);
	*other = e;
	return j;
}

/* counts[KEY] += 1, creating the entry on first use. */
static void gen_hash_count(struct ir *x, LLVMValueRef counts)
{
	LLVMValueRef key = slot(x, x->i64, k64(x, KEY));
	LLVMValueRef args[4] = { counts, key };
	LLVMValueRef v = cgm_helper(x->m, BPF_FUNC_map_lookup_elem, args, 2);
	LLVMBasicBlockRef other, join = if_nonnull(x, v, &other);
	LLVMValueRef p = LLVMBuildIntToPtr(x->b, v, LLVMPointerType(x->i64, 0), "");

	LLVMBuildAtomicRMW(x->b, LLVMAtomicRMWBinOpAdd, p, k64(x, 1),
			   LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, other);
	args[2] = slot(x, x->i64, k64(x, 1));
	args[3] = k64(x, BPF_ANY);
	cgm_helper(x->m, BPF_FUNC_map_update_elem, args, 4);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, join);
}

/* pcpu[0] += 1 with a plain load/add/store: the slot is per CPU. */
static void gen_percpu_count(struct ir *x, LLVMValueRef pcpu)
{
	LLVMValueRef args[2] = { pcpu, slot(x, x->i32, LLVMConstInt(x->i32, 0, 0)) };
	LLVMValueRef v = cgm_helper(x->m, BPF_FUNC_map_lookup_elem, args, 2);
	LLVMBasicBlockRef other, join = if_nonnull(x, v, &other);
	LLVMValueRef p = LLVMBuildIntToPtr(x->b, v, LLVMPointerType(x->i64, 0), "");

	LLVMBuildStore(x->b, LLVMBuildAdd(x->b, LLVMBuildLoad2(x->b, x->i64, p, ""),
					  k64(x, 1), ""), p);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, other);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, join);
}

static void store_rec(struct ir *x, LLVMValueRef base, unsigned kind)
{
	LLVMValueRef f[3] = { k64(x, MAGIC), k64(x, kind),
			      cgm_helper(x->m, BPF_FUNC_get_current_pid_tgid, NULL, 0) };

	for (unsigned i = 0; i < 3; i++) {
		LLVMValueRef idx = k64(x, i);
		LLVMBuildStore(x->b, f[i], LLVMBuildGEP2(x->b, x->i64, base, &idx, 1, ""));
	}
}

static void gen_ringbuf(struct ir *x, LLVMValueRef events)
{
	LLVMValueRef args[4] = { events, k64(x, sizeof(struct rec)), k64(x, 0) };
	LLVMValueRef r = cgm_helper(x->m, BPF_FUNC_ringbuf_reserve, args, 3);
	LLVMBasicBlockRef other, join = if_nonnull(x, r, &other);
	LLVMTypeRef rt = LLVMArrayType(x->i64, 3);
	LLVMValueRef p = LLVMBuildIntToPtr(x->b, r, LLVMPointerType(x->i64, 0), "");
	LLVMValueRef buf;

	store_rec(x, p, 1);
	args[0] = p;
	args[1] = k64(x, 0);
	cgm_helper(x->m, BPF_FUNC_ringbuf_submit, args, 2);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, other);
	LLVMBuildBr(x->b, join);
	LLVMPositionBuilderAtEnd(x->b, join);

	buf = cgm_alloca(x->m, rt, "rec");
	store_rec(x, LLVMBuildBitCast(x->b, buf, LLVMPointerType(x->i64, 0), ""), 2);
	args[0] = events;
	args[1] = buf;
	args[2] = k64(x, sizeof(struct rec));
	args[3] = k64(x, 0);
	cgm_helper(x->m, BPF_FUNC_ringbuf_output, args, 4);
}

static struct cg_module *build(void)
{
	char err[256];
	struct ir x = { .m = cgm_new("test_module", err, sizeof(err)) };
	LLVMValueRef counts, pcpu, events;

	if (!x.m) {
		CHECK(0, "cgm_new: %s", err);
		return NULL;
	}
	x.c = cgm_ctx(x.m);
	x.b = cgm_builder(x.m);
	x.i64 = LLVMInt64TypeInContext(x.c);
	x.i32 = LLVMInt32TypeInContext(x.c);
	counts = cgm_map(x.m, "counts", BPF_MAP_TYPE_HASH, 8, 8, 16, BPF_F_NO_PREALLOC);
	pcpu = cgm_map(x.m, "pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0);
	events = cgm_map(x.m, "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	x.fn = cgm_prog(x.m, "count", "raw_tp");
	gen_hash_count(&x, counts);
	gen_percpu_count(&x, pcpu);
	gen_ringbuf(&x, events);
	LLVMBuildRet(x.b, k64(&x, 0));
	return x.m;
}

static int nrecs[3];

static int on_rec(void *ctx, void *data, size_t size)
{
	struct rec *r = data;
	__u64 want = ((__u64)getpid() << 32) | (__u32)gettid();

	CHECK(size == sizeof(*r), "record size %zu", size);
	CHECK(r->magic == MAGIC, "record magic %llx", (unsigned long long)r->magic);
	CHECK(r->pid_tgid == want, "record pid_tgid %llx want %llx",
	      (unsigned long long)r->pid_tgid, (unsigned long long)want);
	if (r->kind == 1 || r->kind == 2)
		nrecs[r->kind]++;
	else
		CHECK(0, "record kind %llu", (unsigned long long)r->kind);
	return 0;
}

static void check_maps(struct bpf_object *obj)
{
	__u64 key = KEY, val = 0, per[256] = {0}, sum = 0;
	__u32 zero = 0;
	int ncpu = libbpf_num_possible_cpus();
	struct ring_buffer *rb;

	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info);

	CHECK(!bpf_map_get_info_by_fd(bpf_map__fd(bpf_object__find_map_by_name(obj, "counts")),
				      &info, &info_len) &&
	      info.map_flags == BPF_F_NO_PREALLOC, "map_flags reach the kernel from BTF: %x",
	      info.map_flags);
	CHECK(!bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "counts"),
				    &key, 8, &val, 8, 0), "lookup counts");
	CHECK(val == RUNS, "counts[%d] = %llu, want %d", KEY,
	      (unsigned long long)val, RUNS);
	CHECK(ncpu > 0 && ncpu <= 256, "ncpu %d", ncpu);
	CHECK(!bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "pcpu"),
				    &zero, 4, per, 8 * ncpu, 0), "lookup pcpu");
	for (int i = 0; i < ncpu; i++)
		sum += per[i];
	CHECK(sum == RUNS, "pcpu sum %llu, want %d", (unsigned long long)sum, RUNS);
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")),
			      on_rec, NULL, NULL);
	CHECK(rb, "ring_buffer__new");
	if (rb) {
		CHECK(ring_buffer__consume(rb) == 2 * RUNS, "ring buffer records");
		ring_buffer__free(rb);
	}
	CHECK(nrecs[1] == RUNS && nrecs[2] == RUNS, "records: %d reserved, %d output",
	      nrecs[1], nrecs[2]);
}

/* Map BTF: key and value types must have reached the kernel. (libbpf
 * strips BTF from ring buffers, stack trace and perf event arrays.) */
static void check_map_btf(struct bpf_object *obj, const char *name)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	CHECK(map && !bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len),
	      "map info %s", name);
	CHECK(info.btf_id != 0, "map %s has no BTF", name);
	CHECK(info.btf_key_type_id && info.btf_value_type_id,
	      "map %s: key/value BTF ids %u/%u", name,
	      info.btf_key_type_id, info.btf_value_type_id);
}

static char *capture(struct cg_module *m, const void *elf, size_t len)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	CHECK(m ? !cgm_print_ir(m, f) : !cgm_dump_bpf(elf, len, f), "print");
	fclose(f);
	return s;
}

static void check_ir(struct cg_module *m)
{
	char *ir = capture(m, NULL, 0);

	CHECK(strstr(ir, "define i64 @count(i8* %ctx)"), "IR has no program:\n%s", ir);
	CHECK(strstr(ir, "section \".maps\""), "IR has no .maps");
	CHECK(strstr(ir, "!DISubprogram(name: \"count\""), "IR has no subprogram");
	free(ir);
}

static void check_dump(const void *buf, size_t len)
{
	char *dis = capture(NULL, buf, len);

	CHECK(strstr(dis, "Disassembly of section raw_tp:"), "dump header:\n%s", dis);
	CHECK(strstr(dis, "<count>:"), "dump label");
	CHECK(strstr(dis, "call 1\n"), "dump call map_lookup_elem:\n%s", dis);
	CHECK(strstr(dis, "R_BPF_64_64\tcounts"), "dump map reloc");
	CHECK(strstr(dis, "exit"), "dump exit");
	if (getenv("CGTEST_VERBOSE"))
		fputs(dis, stderr);
	free(dis);
}

int main(void)
{
	struct cg_module *m;
	struct bpf_object *obj;
	struct bpf_program *p;
	void *elf = NULL;
	size_t len = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cgtest_init();
	m = build();
	if (m)
		check_ir(m);
	obj = m ? cgtest_load(m, "test_module", &elf, &len) : NULL;
	if (obj) {
		p = bpf_object__find_program_by_name(obj, "count");
		CHECK(bpf_program__type(p) == BPF_PROG_TYPE_RAW_TRACEPOINT,
		      "prog type %d", bpf_program__type(p));
		cgtest_check_prog_btf(p);
		check_map_btf(obj, "counts");
		check_map_btf(obj, "pcpu");
		for (int i = 0; i < RUNS; i++) {
			CHECK(!bpf_prog_test_run_opts(bpf_program__fd(p), &topts),
			      "test run %d", i);
			CHECK(topts.retval == 0, "retval %u", topts.retval);
		}
		check_maps(obj);
		bpf_object__close(obj);
	}
	if (elf)
		check_dump(elf, len);
	free(elf);
	cgm_free(m);
	CHECK(bad_warnings == 0, "%d libbpf warnings about BTF or failures",
	      bad_warnings);
	printf("%s: %s\n", __FILE__, failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
