/*
 * What attaching and detaching cost, per link kind, because gotrace's
 * start-up and exit time is dominated by them: prints a table and checks
 * the one claim the design rests on, that a uprobe_multi link with 100
 * sites detaches faster than a handful of perf-event uprobe links.
 *
 * `test_attach_timing N` compares against N perf-event uprobes (default
 * 10; 100 takes ~10 s on this kernel).
 */
#include "tests/runtime/test_attach_lib.h"

static struct bpf_object *obj;
static char traced[PATH_MAX];
static struct uprobe_site sites[100];

/* Attach pts with attach_all and detach, reps times; mean ms of each. */
static void time_api(const char *what, const struct attach_point *pts, int n,
		     int reps)
{
	double ta = 0, td = 0;

	for (int r = 0; r < reps; r++) {
		struct attach_state *st;
		char err[512] = "";
		double t0 = now_ms();
		int c = attach_all(obj, pts, n, &st, err, sizeof(err));
		double t1 = now_ms();

		CHECK(c > 0, "%s: %s", what, err);
		detach_all(st);
		ta += t1 - t0;
		td += now_ms() - t1;
	}
	printf("%-34s attach %8.2f ms   detach %8.2f ms\n", what, ta / reps, td / reps);
}

/* n perf-event uprobe links (one per site, the bpftrace 0.17 way). */
static double time_perf_uprobes(int n)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "on_legacy");
	struct bpf_link *links[100];
	int ok = 0;
	double t0 = now_ms();

	for (int i = 0; i < n; i++) {
		links[i] = bpf_program__attach_uprobe_opts(p, -1, traced,
							   sites[i].offset, NULL);
		ok += links[i] != NULL;
	}
	double t1 = now_ms();
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	double t2 = now_ms();
	CHECK(ok == n, "%d of %d perf-event uprobes attached", ok, n);
	printf("perf-event uprobe x%-3d              attach %8.2f ms   detach %8.2f ms\n",
	       n, t1 - t0, t2 - t1);
	return t2 - t1;
}

int main(int argc, char **argv)
{
	int nperf = argc > 1 ? atoi(argv[1]) : 10;
	char err[256];

	if (nperf < 1 || nperf > 100)
		nperf = 10;
	setup();
	obj = load_probes();
	tracefs_dir(err, sizeof(err));
	snprintf(traced, sizeof(traced), "%s/traced", tdir);
	for (int i = 0; i < 100; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		sites[i] = (struct uprobe_site){ .func = "f", .offset = traced_offset(name) };
	}
	struct attach_point up = {
		.kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "f",
		.path = traced, .sites = sites, .nsites = 1, .pid = -1,
	};
	struct attach_point tp = {
		.kind = PK_TRACEPOINT, .prog_name = "on_tp", .name = "tp",
		.tp_category = "syscalls", .tp_name = "sys_enter_nanosleep",
	};
	struct attach_point iv = {
		.kind = PK_INTERVAL, .prog_name = "on_interval", .name = "interval",
		.period_ns = 10000000,
	};
	struct attach_point pf = {
		.kind = PK_PROFILE, .prog_name = "on_profile", .name = "profile",
		.freq_hz = 99,
	};

	time_api("uprobe_multi, 1 site", &up, 1, 5);
	up.nsites = 100;
	time_api("uprobe_multi, 100 sites", &up, 1, 5);
	double t0 = now_ms();
	struct attach_state *st;
	attach_all(obj, &up, 1, &st, err, sizeof(err));
	detach_all(st);
	double multi100 = now_ms() - t0;
	struct attach_point ups[8];
	for (int i = 0; i < 8; i++) {
		ups[i] = up;
		ups[i].sites = &sites[i];
		ups[i].nsites = 1;
	}
	time_api("uprobe_multi, 8 links of 1 site", ups, 8, 3);
	time_api("tracepoint", &tp, 1, 5);
	static const char *tps[] = { "sys_enter_nanosleep", "sys_enter_read",
				     "sys_enter_write", "sys_enter_close" };
	struct attach_point tps4[4];
	for (int i = 0; i < 4; i++) {
		tps4[i] = tp;
		tps4[i].tp_name = tps[i];
	}
	time_api("tracepoint x4", tps4, 4, 3);
	time_api("interval (CPU 0)", &iv, 1, 5);
	time_api("profile (every CPU)", &pf, 1, 5);
	time_perf_uprobes(1);
	double perf = time_perf_uprobes(nperf);
	CHECK(multi100 < perf, "100-site uprobe_multi (%.1f ms) beats %d perf-event "
	      "uprobes (%.1f ms)", multi100, nperf, perf);

	t0 = now_ms();
	bpf_object__close(obj);
	printf("%-34s %8.2f ms\n", "bpf_object__close", now_ms() - t0);
	cleanup();
	return failures != 0;
}
