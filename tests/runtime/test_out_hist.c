/*
 * out_map() on hist() and lhist() maps: bucket labels (K/M/G suffixes,
 * lhist ranges), bars, sorting by total count, top, div, zeroed and empty
 * maps; text and JSON.
 *
 * Every expected string was printed by the real bpftrace 0.17 on this
 * machine for the program quoted above it (`bpftrace -e` and
 * `bpftrace -f json -e`, stdout). We feed out_map() what the BPF side holds
 * for the same program: key (k, bucket index) -> count per CPU, with the
 * bucket index computed by gt_hist_bucket()/gt_lhist_bucket().
 */
#include <stdlib.h>
#include <string.h>

#include "tests/runtime/out_test.h"

static struct gt_type t_int = { .kind = GT_INT, .size = 8, .is_signed = true };
static struct gt_type k_int = { .kind = GT_TUPLE, .size = 8, .nelems = 1,
				.elems = &t_int };
static struct gt_type t_none = { .kind = GT_NONE };

/* The map as the kernel holds it, built by recording values. */
#define MAXE 64
struct hmap {
	struct map_desc m;
	uint8_t keys[MAXE][16];
	uint64_t vals[MAXE][2];	/* two CPUs */
	struct map_entry ents[MAXE];
	size_t n;
};

static void hmap_init(struct hmap *h, const char *name, bool keyed,
		      struct gt_type value)
{
	memset(h, 0, sizeof(*h));
	h->m = (struct map_desc){ name, keyed ? k_int : t_none, value,
				  keyed ? 16 : 8, 8, true };
}

/* @name[k] = hist(v) or lhist(v, ...), counted on CPU (n & 1). */
static void record(struct hmap *h, int64_t k, int64_t v)
{
	const struct gt_type *t = &h->m.value;
	uint64_t b = t->kind == GT_HIST ? (uint64_t)gt_hist_bucket(v)
					: (uint64_t)gt_lhist_bucket(t, v);
	uint8_t key[16];
	unsigned ks = h->m.key_size;
	size_t i;

	memcpy(key, &k, 8);
	memcpy(key + ks - 8, &b, 8);
	for (i = 0; i < h->n; i++)
		if (!memcmp(h->keys[i], key, ks))
			break;
	if (i == h->n && h->n < MAXE) {
		memcpy(h->keys[h->n], key, ks);
		h->ents[h->n].key = h->keys[h->n];
		h->ents[h->n].value = (const uint8_t *)h->vals[h->n];
		h->n++;
	}
	h->vals[i][(h->n + v) & 1]++;
}

static char *print(struct hmap *h, int top, int div, enum out_format fmt)
{
	struct mem_out mo;

	out_map(mem_open(&mo, fmt), &h->m, h->ents, h->n, 2, top, div);
	return mem_close(&mo);
}

#define ROW(label, n, bar) label n " |" bar "|\n"
#define BAR52 "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"
#define BAR26 "@@@@@@@@@@@@@@@@@@@@@@@@@@                          "
#define BAR17 "@@@@@@@@@@@@@@@@@                                   "
#define BAR0 "                                                    "

/* @h[3] below: the empty buckets between its two counted ones, the same
 * with and without div. */
#define H3_EMPTY                                                            \
	ROW("[8, 16)         ", "       0", BAR0) \
	ROW("[16, 32)        ", "       0", BAR0) \
	ROW("[32, 64)        ", "       0", BAR0) \
	ROW("[64, 128)       ", "       0", BAR0) \
	ROW("[128, 256)      ", "       0", BAR0) \
	ROW("[256, 512)      ", "       0", BAR0) \
	ROW("[512, 1K)       ", "       0", BAR0) \
	ROW("[1K, 2K)        ", "       0", BAR0) \
	ROW("[2K, 4K)        ", "       0", BAR0)

/* BEGIN { @h[1]=hist(1) x3; @h[1]=hist(2); @h[2]=hist(100);
 *         @h[3]=hist(5); @h[3]=hist(5000) x2; print(@h, 2, 2); exit(); }
 * The exit dump is the full map; print(@h, 2, 2) keeps the two largest and
 * halves the counts but not the bars. */
static void test_keyed_hist(void)
{
	struct hmap h;
	const char *h3 =
		"@h[3]: \n"
		ROW("[4, 8)          ", "       1", BAR26)
		H3_EMPTY
		ROW("[4K, 8K)        ", "       2", BAR52) "\n";

	hmap_init(&h, "@h", true, (struct gt_type){ .kind = GT_HIST, .size = 8 });
	record(&h, 1, 1), record(&h, 1, 1), record(&h, 1, 1), record(&h, 1, 2);
	record(&h, 2, 100);
	record(&h, 3, 5), record(&h, 3, 5000), record(&h, 3, 5000);
	char *want;
	if (asprintf(&want, "%s%s%s",
		     "@h[2]: \n" ROW("[64, 128)       ", "       1", BAR52) "\n",
		     h3,
		     "@h[1]: \n" ROW("[1]             ", "       3", BAR52)
		     ROW("[2, 4)          ", "       1", BAR17) "\n") < 0)
		return;
	expect("keyed hist", print(&h, 0, 0, OUT_TEXT), want);
	free(want);
	expect("hist top div", print(&h, 2, 2, OUT_TEXT),
	       "@h[3]: \n"
	       ROW("[4, 8)          ", "       0", BAR26)
	       H3_EMPTY
	       ROW("[4K, 8K)        ", "       1", BAR52) "\n"
	       "@h[1]: \n"
	       ROW("[1]             ", "       1", BAR52)
	       ROW("[2, 4)          ", "       0", BAR17) "\n");
	expect("keyed hist json", print(&h, 0, 0, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@h\": {\"2\": [{\"min\": 64, "
	       "\"max\": 127, \"count\": 1}], \"3\": [{\"min\": 4, \"max\": 7, "
	       "\"count\": 1}, {\"min\": 8, \"max\": 15, \"count\": 0}, "
	       "{\"min\": 16, \"max\": 31, \"count\": 0}, {\"min\": 32, "
	       "\"max\": 63, \"count\": 0}, {\"min\": 64, \"max\": 127, "
	       "\"count\": 0}, {\"min\": 128, \"max\": 255, \"count\": 0}, "
	       "{\"min\": 256, \"max\": 511, \"count\": 0}, {\"min\": 512, "
	       "\"max\": 1023, \"count\": 0}, {\"min\": 1024, \"max\": 2047, "
	       "\"count\": 0}, {\"min\": 2048, \"max\": 4095, \"count\": 0}, "
	       "{\"min\": 4096, \"max\": 8191, \"count\": 2}], \"1\": "
	       "[{\"min\": 1, \"max\": 1, \"count\": 3}, {\"min\": 2, "
	       "\"max\": 3, \"count\": 1}]}}}\n");
}

/* BEGIN { $x=(uint64)1; @g=hist(-5); @g=hist(0) x2; @g=hist($x<<10);
 *         @g=hist($x<<20) x2; @g=hist(3*($x<<29)); exit(); }
 * Negative and zero buckets, K/M/G labels. */
static void test_labels(void)
{
	struct hmap h;
	char *want = NULL, *json = NULL;
	size_t wl = 0, jl = 0;
	FILE *w = open_memstream(&want, &wl), *j = open_memstream(&json, &jl);
	static const char *lab[] = { "(..., 0)", "[0]", "[1]", "[2, 4)", "[4, 8)",
		"[8, 16)", "[16, 32)", "[32, 64)", "[64, 128)", "[128, 256)",
		"[256, 512)", "[512, 1K)", "[1K, 2K)", "[2K, 4K)", "[4K, 8K)",
		"[8K, 16K)", "[16K, 32K)", "[32K, 64K)", "[64K, 128K)",
		"[128K, 256K)", "[256K, 512K)", "[512K, 1M)", "[1M, 2M)",
		"[2M, 4M)", "[4M, 8M)", "[8M, 16M)", "[16M, 32M)", "[32M, 64M)",
		"[64M, 128M)", "[128M, 256M)", "[256M, 512M)", "[512M, 1G)",
		"[1G, 2G)" };
	static const int cnt[33] = { [0] = 1, [1] = 2, [12] = 1, [22] = 2,
				     [32] = 1 };

	hmap_init(&h, "@g", false, (struct gt_type){ .kind = GT_HIST, .size = 8 });
	record(&h, 0, -5), record(&h, 0, 0), record(&h, 0, 0);
	record(&h, 0, 1 << 10), record(&h, 0, 1 << 20), record(&h, 0, 1 << 20);
	record(&h, 0, 3LL << 29);
	fputs("@g: \n", w);
	fputs("{\"type\": \"hist\", \"data\": {\"@g\": [", j);
	for (int i = 0; i < 33; i++) {
		fprintf(w, "%-16s%8d |%s|\n", lab[i], cnt[i],
			cnt[i] == 2 ? BAR52 : cnt[i] ? BAR26 : BAR0);
		if (i == 0)
			fprintf(j, "{\"max\": -1, \"count\": %d}", cnt[i]);
		else
			fprintf(j, ", {\"min\": %lld, \"max\": %lld, \"count\": %d}",
				i == 1 ? 0LL : 1LL << (i - 2),
				i == 1 ? 0LL : (1LL << (i - 1)) - 1, cnt[i]);
	}
	fputs("\n", w);
	fputs("]}}\n", j);
	fclose(w);
	fclose(j);
	expect("hist labels", print(&h, 0, 0, OUT_TEXT), want);
	expect("hist labels json", print(&h, 0, 0, OUT_JSON), json);
	free(want);
	free(json);
}

static struct gt_type lhist(int64_t min, int64_t max, int64_t step)
{
	return (struct gt_type){ .kind = GT_LHIST, .size = 8, .lhist_min = min,
				 .lhist_max = max, .lhist_step = step };
}

/* BEGIN { @m=lhist(5000, 1000, 10240, 1024); @m=lhist(1000, ...);
 *         @m=lhist(20000, ...); @l=lhist(3145728,0,4194304,524288);
 *         @l=lhist(0,0,4194304,524288); @p=lhist(7,0,10,3);
 *         @p=lhist(12,0,10,3); exit(); }
 * lhist labels: K/M only for exact multiples, "[max, ...)" for the last
 * bucket even when the range does not divide by the step. */
static void test_lhist_labels(void)
{
	struct hmap h;

	hmap_init(&h, "@m", false, lhist(1000, 10240, 1024));
	record(&h, 0, 5000), record(&h, 0, 1000), record(&h, 0, 20000);
	expect("lhist m", print(&h, 0, 0, OUT_TEXT),
	       "@m: \n"
	       ROW("[1000, 2024)    ", "       1", BAR52)
	       ROW("[2024, 3048)    ", "       0", BAR0)
	       ROW("[3048, 4072)    ", "       0", BAR0)
	       ROW("[4072, 5096)    ", "       1", BAR52)
	       ROW("[5096, 6120)    ", "       0", BAR0)
	       ROW("[6120, 7144)    ", "       0", BAR0)
	       ROW("[7144, 8168)    ", "       0", BAR0)
	       ROW("[8168, 9192)    ", "       0", BAR0)
	       ROW("[9192, 10216)   ", "       0", BAR0)
	       ROW("[10K, ...)      ", "       1", BAR52) "\n");
	expect("lhist m json", print(&h, 0, 0, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@m\": [{\"min\": 1000, "
	       "\"max\": 2023, \"count\": 1}, {\"min\": 2024, \"max\": 3047, "
	       "\"count\": 0}, {\"min\": 3048, \"max\": 4071, \"count\": 0}, "
	       "{\"min\": 4072, \"max\": 5095, \"count\": 1}, {\"min\": 5096, "
	       "\"max\": 6119, \"count\": 0}, {\"min\": 6120, \"max\": 7143, "
	       "\"count\": 0}, {\"min\": 7144, \"max\": 8167, \"count\": 0}, "
	       "{\"min\": 8168, \"max\": 9191, \"count\": 0}, {\"min\": 9192, "
	       "\"max\": 10215, \"count\": 0}, {\"min\": 10240, "
	       "\"count\": 1}]}}\n");

	hmap_init(&h, "@l", false, lhist(0, 4194304, 524288));
	record(&h, 0, 3145728), record(&h, 0, 0);
	expect("lhist l", print(&h, 0, 0, OUT_TEXT),
	       "@l: \n"
	       ROW("[0, 512K)       ", "       1", BAR52)
	       ROW("[512K, 1M)      ", "       0", BAR0)
	       ROW("[1M, 1536K)     ", "       0", BAR0)
	       ROW("[1536K, 2M)     ", "       0", BAR0)
	       ROW("[2M, 2560K)     ", "       0", BAR0)
	       ROW("[2560K, 3M)     ", "       0", BAR0)
	       ROW("[3M, 3584K)     ", "       1", BAR52) "\n");

	hmap_init(&h, "@p", false, lhist(0, 10, 3));
	record(&h, 0, 7), record(&h, 0, 12);
	expect("lhist p", print(&h, 0, 0, OUT_TEXT),
	       "@p: \n"
	       ROW("[6, 9)          ", "       1", BAR52)
	       ROW("[10, ...)       ", "       1", BAR52) "\n");
	expect("lhist p json", print(&h, 0, 0, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@p\": [{\"min\": 6, \"max\": 8, "
	       "\"count\": 1}, {\"min\": 10, \"count\": 1}]}}\n");
}

/* BEGIN { @q[1]=lhist(2,5,10,1) x2; @q[2]=lhist(6,5,10,1) x2;
 *         @q[2]=lhist(9,5,10,1); @q[3]=lhist(7,5,10,1); print(@q, 2, 5);
 *         exit(); }
 * lhist ignores div; top keeps the two largest. */
static void test_lhist_keyed(void)
{
	struct hmap h;
	const char *q1 = "@q[1]: \n" ROW("(..., 5)        ", "       2", BAR52)
			 "\n";
	const char *q2 = "@q[2]: \n"
			 ROW("[6, 7)          ", "       2", BAR52)
			 ROW("[7, 8)          ", "       0", BAR0)
			 ROW("[8, 9)          ", "       0", BAR0)
			 ROW("[9, 10)         ", "       1", BAR26) "\n";
	char *want;

	hmap_init(&h, "@q", true, lhist(5, 10, 1));
	record(&h, 1, 2), record(&h, 1, 2);
	record(&h, 2, 6), record(&h, 2, 6), record(&h, 2, 9);
	record(&h, 3, 7);
	if (asprintf(&want, "%s%s", q1, q2) < 0)
		return;
	expect("lhist top div", print(&h, 2, 5, OUT_TEXT), want);
	free(want);
	if (asprintf(&want, "@q[3]: \n" ROW("[7, 8)          ", "       1", BAR52)
		     "\n%s%s", q1, q2) < 0)
		return;
	expect("lhist keyed", print(&h, 0, 0, OUT_TEXT), want);
	free(want);
	expect("lhist keyed json", print(&h, 2, 5, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@q\": {\"1\": [{\"max\": 4, "
	       "\"count\": 2}], \"2\": [{\"min\": 6, \"max\": 6, \"count\": 2}, "
	       "{\"min\": 7, \"max\": 7, \"count\": 0}, {\"min\": 8, \"max\": 8, "
	       "\"count\": 0}, {\"min\": 9, \"max\": 9, \"count\": 1}]}}}\n");
}

/* BEGIN { @h=hist(3); zero(@h); @z[1]=lhist(3,0,10,1); zero(@z); exit(); }
 * and clear(@h) (no entries): a zeroed hist prints its header only. */
static void test_zero_empty(void)
{
	struct hmap h;

	hmap_init(&h, "@h", false, (struct gt_type){ .kind = GT_HIST, .size = 8 });
	record(&h, 0, 3);
	memset(h.vals, 0, sizeof(h.vals));
	expect("zeroed", print(&h, 0, 0, OUT_TEXT), "@h: \n\n");
	expect("zeroed json", print(&h, 0, 0, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@h\": []}}\n");
	hmap_init(&h, "@z", true, lhist(0, 10, 1));
	record(&h, 1, 3);
	memset(h.vals, 0, sizeof(h.vals));
	expect("zeroed keyed json", print(&h, 0, 0, OUT_JSON),
	       "{\"type\": \"hist\", \"data\": {\"@z\": {\"1\": []}}}\n");
	h.n = 0;
	expect("empty", print(&h, 0, 0, OUT_TEXT), "\n");
	expect("empty json", print(&h, 0, 0, OUT_JSON), "");
}

int main(void)
{
	test_keyed_hist();
	test_labels();
	test_lhist_labels();
	test_lhist_keyed();
	test_zero_empty();
	return report();
}
