/*
 * attach_all()/detach_all() against the real kernel: uprobe_multi links on
 * a real program (tests/runtime/progs/traced.c) fire the right number of
 * times, pid filtering works, a bad site is named in the error and nothing
 * stays attached after a failure or after detach_all(); tracepoints,
 * interval and profile timers fire; BEGIN-style raw_tp programs run once.
 */
#include "tests/runtime/test_attach_lib.h"

static struct bpf_object *obj;
static char traced[PATH_MAX];
static struct uprobe_site target_site, f_sites[100];

/* One attach point, attached alone; returns the state or NULL. */
static struct attach_state *attach1(const struct attach_point *pt, int want)
{
	struct attach_state *st;
	char err[512] = "";
	int n = attach_all(obj, pt, 1, &st, err, sizeof(err));

	CHECK(n == want, "%s: attach_all = %d (%s)", pt->name, n, err);
	return n < 0 ? NULL : st;
}

static void test_uprobe_one_site(void)
{
	struct attach_point pt = {
		.kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "target",
		.path = traced, .sites = &target_site, .nsites = 1, .pid = -1,
	};
	struct attach_state *st = attach1(&pt, 1);
	long before = hits(obj, "uprobe");

	CHECK(links_of(obj) == 1, "one link while attached, %d", links_of(obj));
	CHECK(run_traced(5) == 0, "traced ran");
	CHECK(hits(obj, "uprobe") - before == 5, "5 hits, got %ld",
	      hits(obj, "uprobe") - before);
	detach_all(st);
	CHECK(links_of(obj) == 0, "no link after detach, %d", links_of(obj));
	before = hits(obj, "uprobe");
	run_traced(3);
	CHECK(hits(obj, "uprobe") == before, "no hits after detach");
}

static void test_uprobe_100_sites(void)
{
	struct attach_point pt = {
		.kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "f*",
		.path = traced, .sites = f_sites, .nsites = 100, .pid = -1,
	};
	struct attach_state *st = attach1(&pt, 100);
	long before = hits(obj, "uprobe");

	CHECK(links_of(obj) == 1, "100 sites share one link, %d", links_of(obj));
	run_traced(0);
	CHECK(hits(obj, "uprobe") - before == 100, "100 hits, got %ld",
	      hits(obj, "uprobe") - before);
	detach_all(st);
	CHECK(links_of(obj) == 0, "no link after detach");
}

/* Each site's cookie reaches the program: f0 carries 10, f1 carries 1000. */
static void test_uprobe_cookies(void)
{
	struct uprobe_site s[2] = { f_sites[0], f_sites[1] };
	s[0].cookie = 10;
	s[1].cookie = 1000;
	struct attach_point pt = {
		.kind = PK_UPROBE, .prog_name = "on_cookie", .name = "f0,f1",
		.path = traced, .sites = s, .nsites = 2, .pid = -1,
	};
	struct attach_state *st = attach1(&pt, 2);
	long before = hits(obj, "cookie");

	run_traced(0);
	CHECK(hits(obj, "cookie") - before == 1010, "cookie sum %ld",
	      hits(obj, "cookie") - before);
	detach_all(st);
}

static void test_uretprobe(void)
{
	struct attach_point pt = {
		.kind = PK_URETPROBE, .prog_name = "on_uretprobe", .name = "target",
		.path = traced, .sites = &target_site, .nsites = 1, .pid = -1,
	};
	struct attach_state *st = attach1(&pt, 1);
	long before = hits(obj, "uretprobe");

	run_traced(4);
	CHECK(hits(obj, "uretprobe") - before == 4, "4 returns, got %ld",
	      hits(obj, "uretprobe") - before);
	detach_all(st);
}

/* Only the process we asked for: a held child with pid filtering, and an
 * unrelated run of the same program at the same time. */
static void test_uprobe_pid_filter(void)
{
	char exe[PATH_MAX], err[512], cmd[PATH_MAX + 8];
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s 4", traced);
	if (child_spawn(cmd, &pid, exe, sizeof(exe), err, sizeof(err)) < 0) {
		CHECK(0, "spawn: %s", err);
		return;
	}
	struct attach_point pt = {
		.kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "target",
		.path = exe, .sites = &target_site, .nsites = 1, .pid = pid,
	};
	struct attach_state *st = attach1(&pt, 1);
	long before = hits(obj, "uprobe");

	CHECK(child_start(pid) == 0, "child started");
	run_traced(7);
	while (proc_exit_status(pid) == -EAGAIN)
		usleep(1000);
	CHECK(hits(obj, "uprobe") - before == 4, "only the child's 4 hits, got %ld",
	      hits(obj, "uprobe") - before);
	detach_all(st);

	/* The process is gone now: attaching to it must say so. */
	char err2[512] = "";
	int n = attach_all(obj, &pt, 1, &st, err2, sizeof(err2));
	CHECK(n == -ESRCH && strstr(err2, "process"), "dead pid: %d %s", n, err2);
}

/* A good point, then a 100-site uprobe whose site 73 is past the end of
 * the file: the error names the probe and the site, nothing stays. */
static void test_uprobe_bad_site(void)
{
	static struct uprobe_site sites[100];
	memcpy(sites, f_sites, sizeof(sites));
	sites[73] = (struct uprobe_site){ .func = "f_bogus", .offset = 1ull << 40 };
	struct attach_point pts[2] = {
		{ .kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "target",
		  .path = traced, .sites = &target_site, .nsites = 1, .pid = -1 },
		{ .kind = PK_UPROBE, .prog_name = "on_uprobe", .name = "f*",
		  .path = traced, .sites = sites, .nsites = 100, .pid = -1 },
	};
	struct attach_state *st = (void *)1;
	char err[512] = "";
	int n = attach_all(obj, pts, 2, &st, err, sizeof(err));

	CHECK(n < 0 && st == NULL, "attach_all fails: %d", n);
	if (getenv("V"))
		fprintf(stderr, "bad site: %s\n", err);
	CHECK(strstr(err, "uprobe 'f*'") && strstr(err, "f_bogus"),
	      "error names probe and site: %s", err);
	CHECK(links_of(obj) == 0, "first point detached, %d", links_of(obj));

	pts[0].path = "/nonexistent/binary";
	n = attach_all(obj, pts, 1, &st, err, sizeof(err));
	CHECK(n < 0 && strstr(err, "uprobe 'target'"), "missing binary: %s", err);
	pts[0].prog_name = "no_such_prog";
	n = attach_all(obj, pts, 1, &st, err, sizeof(err));
	CHECK(n < 0 && strstr(err, "no_such_prog"), "missing program: %s", err);
}

static void test_tracepoint(void)
{
	char err[256] = "";
	struct attach_point pt = {
		.kind = PK_TRACEPOINT, .prog_name = "on_tp",
		.name = "tracepoint:sched:sched_process_exec",
		.tp_category = "sched", .tp_name = "sched_process_exec",
	};

	/* tracefs itself is tested in tests/probes/test_tracefs.c */
	CHECK(tracefs_dir(err, sizeof(err)) != NULL, "tracefs: %s", err);

	struct attach_state *st = attach1(&pt, 1);
	long before = hits(obj, "tp");
	run_traced(0);
	CHECK(hits(obj, "tp") > before, "exec seen");
	detach_all(st);
	CHECK(links_of(obj) == 0, "no link after detach");

	pt.tp_name = "no_such_tp";
	int n = attach_all(obj, &pt, 1, &st, err, sizeof(err));
	CHECK(n == -ENOENT && strstr(err, "tracepoint 'tracepoint:sched:sched_process_exec'"),
	      "missing tracepoint: %d %s", n, err);
}

static void test_timers(void)
{
	struct attach_point pts[2] = {
		{ .kind = PK_INTERVAL, .prog_name = "on_interval",
		  .name = "interval:ms:10", .period_ns = 10000000 },
		{ .kind = PK_PROFILE, .prog_name = "on_profile",
		  .name = "profile:hz:99", .freq_hz = 99 },
	};
	struct attach_state *st;
	char err[256] = "";
	long i0 = hits(obj, "interval"), p0 = hits(obj, "profile");
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = attach_all(obj, pts, 2, &st, err, sizeof(err));

	CHECK(n == 2, "interval + profile count 2: %d %s", n, err);
	if (n < 0)
		return;
	CHECK(links_of(obj) == 1 + ncpu, "1 + %d links: %d", ncpu, links_of(obj));
	usleep(300000);
	detach_all(st);
	long di = hits(obj, "interval") - i0, dp = hits(obj, "profile") - p0;
	/* 300 ms at 10 ms: ~30 ticks; allow a loaded machine its slack. */
	CHECK(di >= 10 && di <= 40, "interval ticks %ld", di);
	CHECK(dp >= 10, "profile ticks %ld", dp);
	CHECK(links_of(obj) == 0, "no link after detach");
	usleep(50000);
	CHECK(hits(obj, "interval") - i0 == di, "stopped after detach");

	pts[0].period_ns = 0;
	n = attach_all(obj, pts, 1, &st, err, sizeof(err));
	CHECK(n == -EINVAL && strstr(err, "interval 'interval:ms:10'"), "%s", err);
}

static void test_run_once(void)
{
	char err[256] = "";
	long before = hits(obj, "begin");
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "on_begin");

	CHECK(run_prog_once(p, err, sizeof(err)) == 0, "run: %s", err);
	CHECK(run_prog_once(p, err, sizeof(err)) == 0, "run: %s", err);
	CHECK(hits(obj, "begin") - before == 2, "ran twice");
	CHECK(run_prog_once(NULL, err, sizeof(err)) < 0, "NULL program");
}

int main(void)
{
	setup();
	obj = load_probes();
	snprintf(traced, sizeof(traced), "%s/traced", tdir);
	target_site = (struct uprobe_site){ .func = "target",
					    .offset = traced_offset("target") };
	for (int i = 0; i < 100; i++) {
		static char names[100][8];

		snprintf(names[i], sizeof(names[i]), "f%d", i);
		f_sites[i] = (struct uprobe_site){ .func = names[i],
						    .offset = traced_offset(names[i]) };
	}
	test_uprobe_one_site();
	test_uprobe_100_sites();
	test_uprobe_cookies();
	test_uretprobe();
	test_uprobe_pid_filter();
	test_uprobe_bad_site();
	test_tracepoint();
	test_timers();
	test_run_once();

	bpf_object__close(obj);
	cleanup();
	if (failures)
		fprintf(stderr, "test_attach: %d failures\n", failures);
	return failures != 0;
}
