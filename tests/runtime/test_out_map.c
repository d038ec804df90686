/*
 * out_map() on scalar maps: count, sum, min, max, avg, stats, int, str and
 * tuple values; sorting, top, div, empty maps; text and JSON.
 *
 * Every expected string below was printed by the real bpftrace 0.17 on this
 * machine (`bpftrace -e PROG` and `bpftrace -f json -e PROG`, stdout), for
 * the program quoted above it; we feed out_map() the bytes the BPF side
 * would hold for the same program. Where bpftrace's order is random (ties),
 * the test says so and checks our documented rule instead.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/runtime/out_test.h"

static char *print_map(const struct map_desc *m, const struct map_entry *e,
		       size_t n, int ncpu, int top, int div,
		       enum out_format fmt)
{
	struct mem_out mo;

	out_map(mem_open(&mo, fmt), m, e, n, ncpu, top, div);
	return mem_close(&mo);
}

static void put64(uint8_t *p, int64_t v)
{
	memcpy(p, &v, 8);
}

static struct gt_type t_int = { .kind = GT_INT, .size = 8, .is_signed = true };
static struct gt_type t_uint = { .kind = GT_INT, .size = 8 };
static struct gt_type t_str = { .kind = GT_STR, .size = 16 };
static struct gt_type k_int = { .kind = GT_TUPLE, .size = 8, .nelems = 1,
				.elems = &t_int };
static struct gt_type k_str = { .kind = GT_TUPLE, .size = 16, .nelems = 1,
				.elems = &t_str };
static struct gt_type int_str[2] = {
	{ .kind = GT_INT, .size = 8, .is_signed = true },
	{ .kind = GT_STR, .size = 16 } };
static struct gt_type k_int_str = { .kind = GT_TUPLE, .size = 24,
				    .nelems = 2, .elems = int_str };

#define MAXE 8
static uint8_t keys[MAXE][32], vals[MAXE][64];
static struct map_entry ents[MAXE];

/* Entry i gets integer key k (or string key s) and values v[0..nv-1],
 * one u64 per CPU slot. */
static void ent(int i, const int64_t *k, const char *s, const int64_t *v,
		int nv)
{
	memset(keys[i], 0, sizeof(keys[i]));
	if (k)
		put64(keys[i], *k);
	if (s)
		strcpy((char *)keys[i] + (k ? 8 : 0), s);
	for (int j = 0; j < nv; j++)
		put64(vals[i] + 8 * j, v[j]);
	ents[i] = (struct map_entry){ keys[i], vals[i] };
}

/* Entry i with a string value. */
static void ent_str(int i, const int64_t *k, const char *s, const char *val)
{
	ent(i, k, s, NULL, 0);
	strcpy((char *)vals[i], val);
}

#define I(...) ((const int64_t[]){ __VA_ARGS__ })

/* The first n entries of ents printed whole, as text ("<what> text") and
 * as JSON ("<what> json"). */
static void expect_both(const char *what, const struct map_desc *m, size_t n,
			int ncpu, const char *text, const char *json)
{
	char label[64];

	snprintf(label, sizeof(label), "%s text", what);
	expect(label, print_map(m, ents, n, ncpu, 0, 0, OUT_TEXT), text);
	snprintf(label, sizeof(label), "%s json", what);
	expect(label, print_map(m, ents, n, ncpu, 0, 0, OUT_JSON), json);
}

/* BEGIN { @a[5]=3; @a[1]=7; @a[3]=1; @a[-1]=2; @a[10]=-5; exit(); } */
static void test_int_values(void)
{
	struct map_desc m = { "@a", k_int, t_int, 8, 8, false };

	ent(0, I(5), NULL, I(3), 1);
	ent(1, I(1), NULL, I(7), 1);
	ent(2, I(3), NULL, I(1), 1);
	ent(3, I(-1), NULL, I(2), 1);
	ent(4, I(10), NULL, I(-5), 1);
	expect_both("int", &m, 5, 2,
		    "@a[10]: -5\n@a[3]: 1\n@a[-1]: 2\n@a[5]: 3\n@a[1]: 7\n",
		    "{\"type\": \"map\", \"data\": {\"@a\": {\"10\": -5, \"3\": 1, "
		    "\"-1\": 2, \"5\": 3, \"1\": 7}}}\n");
}

/* BEGIN { @c[1,"b"]=count(); 3 x @c[1,"a"]=count(); 2 x @c[0,"z"]=count();
 * exit(); } -- here spread over two CPUs, which must be summed. */
static void test_count_tuple_keys(void)
{
	struct map_desc m = { "@c", k_int_str,
			      { .kind = GT_COUNT, .size = 8 }, 24, 8, true };

	ent(0, I(1), "b", I(1, 0), 2);
	ent(1, I(1), "a", I(2, 1), 2);
	ent(2, I(0), "z", I(0, 2), 2);
	expect_both("count", &m, 3, 2,
		    "@c[1, b]: 1\n@c[0, z]: 2\n@c[1, a]: 3\n",
		    "{\"type\": \"map\", \"data\": {\"@c\": {\"1,b\": 1, "
		    "\"0,z\": 2, \"1,a\": 3}}}\n");
}

/* BEGIN { @s["zz"]="q"; @s["a"]="b"; @s["m"]="a"; @s["ab"]="c";
 *         @k[256]="x"; @k[-1]="y"; @k[5]="z";
 *         @t[5,"b"]="x"; @t[5,"a"]="y"; @t[256,"a"]="z"; @t[1,"c"]="w";
 *         exit(); }
 * Maps of strings sort by key; integer keys as unsigned (-1 last). */
static void test_sorted_by_key(void)
{
	struct map_desc s = { "@s", k_str, t_str, 16, 16, false };
	struct map_desc k = { "@k", k_int, t_str, 8, 16, false };
	struct map_desc t = { "@t", k_int_str, t_str, 24, 16, false };

	ent_str(0, NULL, "zz", "q");
	ent_str(1, NULL, "a", "b");
	ent_str(2, NULL, "m", "a");
	ent_str(3, NULL, "ab", "c");
	expect_both("str", &s, 4, 1,
		    "@s[a]: b\n@s[ab]: c\n@s[m]: a\n@s[zz]: q\n",
		    "{\"type\": \"map\", \"data\": {\"@s\": {\"a\": \"b\", "
		    "\"ab\": \"c\", \"m\": \"a\", \"zz\": \"q\"}}}\n");

	ent_str(0, I(256), NULL, "x");
	ent_str(1, I(-1), NULL, "y");
	ent_str(2, I(5), NULL, "z");
	expect("int key text", print_map(&k, ents, 3, 1, 0, 0, OUT_TEXT),
	       "@k[5]: z\n@k[256]: x\n@k[-1]: y\n");

	ent_str(0, I(5), "b", "x");
	ent_str(1, I(5), "a", "y");
	ent_str(2, I(256), "a", "z");
	ent_str(3, I(1), "c", "w");
	expect_both("tuple key", &t, 4, 1,
		    "@t[1, c]: w\n@t[5, a]: y\n@t[5, b]: x\n@t[256, a]: z\n",
		    "{\"type\": \"map\", \"data\": {\"@t\": {\"1,c\": \"w\", "
		    "\"5,a\": \"y\", \"5,b\": \"x\", \"256,a\": \"z\"}}}\n");
}

/* BEGIN { @b[5]=stats(3); @b[1]=stats(9); @b[1]=stats(9); @b[3]=stats(-4);
 *         @b[2]=stats(7); @b[2]=stats(-7); @b[2]=stats(7);
 *         @v[1]=avg(-7); @v[1]=avg(0); @v[2]=avg(10); @v[3]=avg(4);
 *         exit(); }
 * Both sort by average; stats ignores top and div (print(@b, 1, 2) printed
 * all four entries unchanged). Values are struct gt_avg {count, total}
 * per CPU. */
static void test_stats_avg(void)
{
	struct gt_type st = { .kind = GT_STATS, .size = 16, .is_signed = true };
	struct gt_type av = { .kind = GT_AVG, .size = 16, .is_signed = true };
	struct map_desc b = { "@b", k_int, st, 8, 16, true };
	struct map_desc v = { "@v", k_int, av, 8, 16, true };
	const char *btext =
		"@b[3]: count 1, average -4, total -4\n"
		"@b[2]: count 3, average 2, total 7\n"
		"@b[5]: count 1, average 3, total 3\n"
		"@b[1]: count 2, average 9, total 18\n\n";

	ent(0, I(5), NULL, I(1, 3, 0, 0), 4);
	ent(1, I(1), NULL, I(1, 9, 1, 9), 4);
	ent(2, I(3), NULL, I(0, 0, 1, -4), 4);
	ent(3, I(2), NULL, I(2, 0, 1, 7), 4);
	expect_both("stats", &b, 4, 2, btext,
		    "{\"type\": \"stats\", \"data\": {\"@b\": {\"3\": {\"count\": 1, "
		    "\"average\": -4, \"total\": -4}, \"2\": {\"count\": 3, "
		    "\"average\": 2, \"total\": 7}, \"5\": {\"count\": 1, "
		    "\"average\": 3, \"total\": 3}, \"1\": {\"count\": 2, "
		    "\"average\": 9, \"total\": 18}}}}\n");
	expect("stats top div", print_map(&b, ents, 4, 2, 1, 2, OUT_TEXT),
	       btext);

	ent(0, I(1), NULL, I(1, -7, 1, 0), 4);
	ent(1, I(2), NULL, I(1, 10, 0, 0), 4);
	ent(2, I(3), NULL, I(0, 0, 1, 4), 4);
	expect_both("avg", &v, 3, 2,
		    "@v[1]: -3\n@v[3]: 4\n@v[2]: 10\n\n",
		    "{\"type\": \"stats\", \"data\": {\"@v\": {\"1\": -3, \"3\": 4, "
		    "\"2\": 10}}}\n");
}

/* BEGIN { @mn=min(-2); @mx=max(9); @y=sum(-3); @x=5; @u=(uint64)-1;
 *         @q="a\"b\\c\n"; exit(); }
 * min/max values are struct gt_minmax {value, seen} per CPU; a CPU that
 * never saw a value (seen 0) must not count. */
static void test_no_key(void)
{
	struct gt_type none = { .kind = GT_NONE };
	struct map_desc mn = { "@mn", none, { .kind = GT_MIN, .size = 16,
			       .is_signed = true }, 0, 16, true };
	struct map_desc mx = { "@mx", none, { .kind = GT_MAX, .size = 16,
			       .is_signed = true }, 0, 16, true };
	struct map_desc y = { "@y", none, { .kind = GT_SUM, .size = 8,
			      .is_signed = true }, 0, 8, true };
	struct map_desc x = { "@x", none, t_int, 0, 8, false };
	struct map_desc u = { "@u", none, t_uint, 0, 8, false };
	struct map_desc q = { "@q", none, t_str, 0, 16, false };

	ent(0, NULL, NULL, I(-2, 1, -50, 0), 4);
	expect("min", print_map(&mn, ents, 1, 2, 0, 0, OUT_TEXT), "@mn: -2\n");
	ent(0, NULL, NULL, I(9, 1, 100, 0), 4);
	expect("max", print_map(&mx, ents, 1, 2, 0, 0, OUT_TEXT), "@mx: 9\n");
	ent(0, NULL, NULL, I(-5, 2), 2);
	expect("sum", print_map(&y, ents, 1, 2, 0, 0, OUT_TEXT), "@y: -3\n");
	expect("sum json", print_map(&y, ents, 1, 2, 0, 0, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@y\": -3}}\n");
	ent(0, NULL, NULL, I(5), 1);
	expect("int", print_map(&x, ents, 1, 2, 0, 0, OUT_TEXT), "@x: 5\n");
	ent(0, NULL, NULL, I(-1), 1);
	expect("uint", print_map(&u, ents, 1, 2, 0, 0, OUT_TEXT),
	       "@u: 18446744073709551615\n");
	expect("uint json", print_map(&u, ents, 1, 2, 0, 0, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@u\": 18446744073709551615}}\n");
	ent_str(0, NULL, NULL, "a\"b\\c\n");
	expect("str", print_map(&q, ents, 1, 2, 0, 0, OUT_TEXT),
	       "@q: a\"b\\c\n\n");
	expect("str json", print_map(&q, ents, 1, 2, 0, 0, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@q\": \"a\\\"b\\\\c\\n\"}}\n");
}

/* BEGIN { @a[1]=10; @a[2]=-7; @a[3]=30; @a[4]=45; print(@a, 2);
 *         print(@a, 0, 2); print(@a, 3, 4); ... } */
static void test_top_div(void)
{
	struct map_desc m = { "@a", k_int, t_int, 8, 8, false };

	ent(0, I(1), NULL, I(10), 1);
	ent(1, I(2), NULL, I(-7), 1);
	ent(2, I(3), NULL, I(30), 1);
	ent(3, I(4), NULL, I(45), 1);
	expect("top", print_map(&m, ents, 4, 1, 2, 0, OUT_TEXT),
	       "@a[3]: 30\n@a[4]: 45\n");
	expect("div", print_map(&m, ents, 4, 1, 0, 2, OUT_TEXT),
	       "@a[2]: -3\n@a[1]: 5\n@a[3]: 15\n@a[4]: 22\n");
	expect("top div", print_map(&m, ents, 4, 1, 3, 4, OUT_TEXT),
	       "@a[1]: 2\n@a[3]: 7\n@a[4]: 11\n");
	expect("top json", print_map(&m, ents, 4, 1, 2, 0, OUT_JSON),
	       "{\"type\": \"map\", \"data\": {\"@a\": {\"3\": 30, \"4\": 45}}}\n");
}

/* BEGIN { @x=1; @s=stats(1); @v=avg(2); @k[1]="a"; clear(...) each; exit(); }
 * Empty maps still print a newline in text (two for avg/stats); nothing in
 * JSON. */
static void test_empty(void)
{
	struct gt_type none = { .kind = GT_NONE };
	struct map_desc x = { "@x", none, t_int, 0, 8, false };
	struct map_desc s = { "@s", none, { .kind = GT_STATS, .size = 16 },
			      0, 16, true };
	struct map_desc k = { "@k", k_int, t_str, 8, 16, false };

	expect("empty int", print_map(&x, ents, 0, 2, 0, 0, OUT_TEXT), "\n");
	expect("empty stats", print_map(&s, ents, 0, 2, 0, 0, OUT_TEXT), "\n\n");
	expect("empty str", print_map(&k, ents, 0, 2, 0, 0, OUT_TEXT), "\n");
	expect("empty json", print_map(&k, ents, 0, 2, 0, 0, OUT_JSON), "");
}

/* Not from bpftrace: it leaves equal values in the kernel's hash order,
 * which changes from run to run. We break ties by key. */
static void test_ties(void)
{
	struct map_desc m = { "@a", k_int, t_int, 8, 8, false };

	ent(0, I(5), NULL, I(3), 1);
	ent(1, I(1), NULL, I(3), 1);
	ent(2, I(9), NULL, I(1), 1);
	ent(3, I(2), NULL, I(3), 1);
	expect("ties", print_map(&m, ents, 4, 1, 0, 0, OUT_TEXT),
	       "@a[9]: 1\n@a[1]: 3\n@a[2]: 3\n@a[5]: 3\n");
}

int main(void)
{
	test_int_values();
	test_count_tuple_keys();
	test_sorted_by_key();
	test_stats_avg();
	test_no_key();
	test_top_div();
	test_empty();
	test_ties();
	return report();
}
