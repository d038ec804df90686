/*
 * cstruct: a C target for reading C structs (tests/runtime/cdata.test).
 *
 * Usage: cstruct [N]
 * N times (default 1): visit(&a, i) then visit(&b, i), where a and b are
 * struct gnodes (below) and a.next == &b. Built twice: cstruct with DWARF,
 * cstruct-nodwarf without (bpftrace 0.17 aborts on casts to script
 * structs in a binary with DWARF, so the tests bpftrace checks use it).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
struct gpoint { int x; int y; };
struct gnode {
	long id;
	char name[16];
	struct gpoint pos;
	struct gnode *next;
	unsigned short vals[4];
	union { int i; unsigned char b[4]; } u;
	int *data;
};
__attribute__((noinline)) long visit(struct gnode *n, int depth)
{
	__asm__ volatile("" ::: "memory");
	return n->id + depth;
}
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	static int data[3] = { 11, 22, 33 };
	struct gnode b = { 2, "second", { 3, -4 }, NULL, { 5, 6, 7, 8 }, { .i = 0x01020304 }, data };
	struct gnode a = { 1, "first", { 10, 20 }, &b, { 1, 2, 3, 4 }, { .i = -1 }, data + 1 };
	long sum = 0;
	for (int i = 0; i < n; i++) {
		sum += visit(&a, i);
		sum += visit(&b, i);
	}
	return sum == 0;
}
