/*
 * C types (binary/ctypes.c, binary/cdwarf.c) against the compiler and
 * the kernel: a C program built here with gcc -g prints its own sizeof
 * and offsetof, which the types read from its DWARF must match; its
 * functions' parameters get the argument registers the System V ABI
 * gives them; the kernel's BTF gives struct list_head and an enum
 * constant as the kernel headers define them.
 */
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "tests/golang/gotest.h"

static const char src[] =
	"#include <stdio.h>\n"
	"#include <stddef.h>\n"
	"struct inner { char c; long l; };\n"
	"struct outer { int a; char name[12]; struct inner in; union { short s; int i; };"
	" unsigned char bytes[3]; struct outer *next; unsigned bf : 3; };\n"
	"struct big { long x[4]; };\n"
	"__attribute__((noinline)) int f(int a, const char *s, struct outer *o) { return a + s[0] + o->a; }\n"
	"__attribute__((noinline)) int g(long a, struct big b, int c) { return a + b.x[0] + c; }\n"
	"int main(void) {\n"
	"  struct outer o = {0}; struct big b = {{0}};\n"
	"  printf(\"%zu %zu %zu %zu %zu %zu %zu\\n\", sizeof(struct outer), offsetof(struct outer, name),\n"
	"         offsetof(struct outer, in), offsetof(struct outer, s), offsetof(struct outer, bytes),\n"
	"         offsetof(struct outer, next), sizeof(struct inner));\n"
	"  return f(1, \"x\", &o) + g(1, b, 2) == 0;\n"
	"}\n";

static const struct go_field *field(const struct go_type *t, const char *name)
{
	for (int i = 0; t && i < t->nfields; i++)
		if (!strcmp(t->fields[i].name, name))
			return &t->fields[i];
	return NULL;
}

static void test_dwarf(const char *dir)
{
	char path[512], err[512];
	const struct bin_param *ps;
	const struct go_type *t;
	const struct go_field *fl;
	unsigned long want[7];
	struct bin *b;
	char *out;
	int n;

	snprintf(path, sizeof(path), "%s/ctypes.c", dir);
	FILE *f = fopen(path, "w");
	CHECK(f, "cannot write %s", path);
	if (!f)
		return;
	fputs(src, f);
	fclose(f);
	out = gt_run("gcc -O0 -g -o %s/ctypes %s && %s/ctypes", dir, path, dir);
	CHECK(out && sscanf(out, "%lu %lu %lu %lu %lu %lu %lu", &want[0], &want[1], &want[2],
			    &want[3], &want[4], &want[5], &want[6]) == 7,
	      "the test program did not build or run: %s", out ? out : "(null)");
	free(out);
	snprintf(path, sizeof(path), "%s/ctypes", dir);
	b = bin_open(path, err, sizeof(err));
	CHECK(b, "%s", err);
	if (!b)
		return;

	t = bin_c_dwarf_type(b, "struct outer");
	CHECK(t && t->is_c && t->kind == GO_STRUCT && t->size == want[0],
	      "struct outer: size %llu, gcc says %lu", t ? (unsigned long long)t->size : 0ULL,
	      want[0]);
	fl = field(t, "name");
	CHECK(fl && fl->offset == want[1] && bin_c_is_chars(fl->type), "name: a char[12] at %lu",
	      want[1]);
	fl = field(t, "in");
	CHECK(fl && fl->offset == want[2] && fl->type->size == want[6],
	      "in: a struct inner of %lu bytes at %lu", want[6], want[2]);
	fl = field(t, "");	/* the anonymous union, embedded */
	CHECK(fl && fl->embedded && fl->offset == want[3] && field(fl->type, "i"),
	      "the anonymous union at %lu, with its field i", want[3]);
	fl = field(t, "bytes");
	CHECK(fl && fl->offset == want[4] && !bin_c_is_chars(fl->type) && fl->type->len == 3,
	      "bytes: an unsigned char[3] (not a string) at %lu", want[4]);
	fl = field(t, "next");
	CHECK(fl && fl->offset == want[5] && fl->type->kind == GO_POINTER && fl->type->elem == t,
	      "next: a pointer back to struct outer at %lu", want[5]);
	fl = field(t, "bf");
	CHECK(fl && fl->type && fl->type->bitfield == 3, "bf: a 3-bit bit-field");

	n = bin_c_params(b, "f", &ps, err, sizeof(err));
	CHECK(n == 3, "f has 3 parameters, got %d: %s", n, err);
	if (n == 3) {
		CHECK(!strcmp(ps[0].type, "int") && ps[0].word == 0, "f's a: int, arg0");
		CHECK(!strcmp(ps[1].type, "const char*") && ps[1].word == 1, "f's s: %s, arg1",
		      ps[1].type);
		CHECK(!strcmp(ps[2].type, "struct outer*") && ps[2].word == 2 &&
		      ps[2].gotype->elem == t, "f's o: struct outer*, arg2, typed");
	}
	/* a struct of 32 bytes goes on the stack: c's register is unknown */
	n = bin_c_params(b, "g", &ps, err, sizeof(err));
	CHECK(n == 3 && ps[0].word == 0 && ps[1].on_stack && ps[2].word == -1,
	      "g: a in arg0, b on the stack, c unknown");
	CHECK(bin_c_params(b, "nosuch", &ps, err, sizeof(err)) < 0 && strstr(err, "nosuch"),
	      "an unknown function is an error naming it: %s", err);
}

static void test_kernel(void)
{
	char err[512];
	const struct go_type *t = bin_kernel_type("struct list_head", err, sizeof(err));
	const struct go_field *fl;
	int64_t v = -1;

	CHECK(t && t->size == 16 && t->nfields == 2, "struct list_head: 16 bytes, 2 fields: %s",
	      t ? "" : err);
	fl = field(t, "prev");
	CHECK(fl && fl->offset == 8 && fl->type->kind == GO_POINTER && fl->type->elem == t,
	      "list_head.prev: at 8, a struct list_head *");
	t = bin_kernel_type("struct task_struct", err, sizeof(err));
	fl = field(t, "comm");
	CHECK(fl && bin_c_is_chars(fl->type) && fl->type->len == 16, "task_struct.comm: char[16]");
	fl = field(t, "pid");
	CHECK(fl && fl->type->kind == GO_INT32, "task_struct.pid: a pid_t, int32");
	CHECK(bin_kernel_type("u32", err, sizeof(err))->kind == GO_UINT32, "u32 is a typedef");
	CHECK(!bin_kernel_type("struct gotrace_nosuch", err, sizeof(err)) &&
	      strstr(err, "gotrace_nosuch"), "an unknown type is an error naming it: %s", err);
	CHECK(bin_kernel_enum_value("SKB_DROP_REASON_NOT_SPECIFIED", &v) == 0 && v == 2,
	      "SKB_DROP_REASON_NOT_SPECIFIED is 2, got %lld", (long long)v);
}

int main(void)
{
	char dir[] = "/tmp/gotrace-ctypes-XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	test_dwarf(dir);
	test_kernel();
	free(gt_run("rm -rf %s", dir));
	return gt_failures != 0;
}
