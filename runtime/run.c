/*
 * The run loop:
 *
 *   load -> "Attaching N probes..." -> BEGIN -> attach -> start -c child
 *   -> poll the ring buffer until exit(), Ctrl-C or the target's end
 *   -> detach -> END -> drain -> print maps -> close
 *
 * Every way out goes through the same teardown, so no link, program or
 * map outlives gotrace (closing the object releases maps and programs;
 * detach_all releases links), and a -c child never outlives it either.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "binary/binary.h"
#include "common/alloc.h"
#include "common/diag.h"
#include "runtime/attach.h"
#include "runtime/child.h"
#include "runtime/report.h"
#include "runtime/pprof.h"
#include "runtime/run.h"

/* Records handled between two looks at signals and exit(). */
#define RUN_BATCH 4096
#define RUN_BATCH_CUT (-EAGAIN)	/* on_event's "stop here, more to come" */

struct run {
	struct plan *plan;
	const struct run_opts *opts;
	struct bpf_object *obj;
	struct report report;	/* losses the BPF side counted */
	struct attach_state *attached;
	struct ring_buffer *rb;
	unsigned batch;		/* records handled in this drain() */
	int ncpu;
	bool done;		/* exit()'s record was handled: later ones are not */
	bool exit_flagged;	/* exit()'s flag was seen: stop waiting, but its
				   record, and the records before it, may still
				   be in the ring buffer */
	int exit_code;
	bool interrupted;	/* stopped by a signal (Ctrl-C, SIGTERM) */
	unsigned long systems_not_run;	/* system() records read after it */
	struct pprof *pprof;	/* --pprof: what the stack maps held */
};

/* libbpf's messages are kept, not printed: a verifier rejection is
 * reported by us with the part of the log that matters. */
static char *libbpf_log;
static size_t libbpf_log_len;
static bool libbpf_verbose;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *line = NULL;
	int n = vasprintf(&line, fmt, ap);

	if (n < 0)
		return 0;
	if (libbpf_verbose && level != LIBBPF_DEBUG)
		fputs(line, stderr);
	if (level != LIBBPF_DEBUG) {
		libbpf_log = xrealloc(libbpf_log, libbpf_log_len + n + 1);
		memcpy(libbpf_log + libbpf_log_len, line, n + 1);
		libbpf_log_len += n;
	}
	free(line);
	return 0;
}

/* Print the verifier's verdict on the program that failed: which probe
 * it is, and the last lines of the log, where the reason is. */
static void report_load_error(struct run *r, int err)
{
	const char *log = libbpf_log ? libbpf_log : "", *p, *begin, *end;
	char prog[64] = "";
	int lines = 0;

	p = strstr(log, "prog '");
	if (p)
		sscanf(p, "prog '%63[^']'", prog);
	for (int i = 0; i < r->plan->nprogs && prog[0]; i++)
		if (strcmp(r->plan->progs[i].name, prog) == 0)
			fprintf(stderr, "gotrace: the kernel rejected probe %s:\n",
				r->plan->progs[i].ap.name);
	if (!prog[0])
		fprintf(stderr, "gotrace: loading the BPF object failed: %s\n", strerror(-err));
	begin = strstr(log, "-- BEGIN PROG LOAD LOG --");
	if (!begin) {
		fputs(log, stderr);
		return;
	}
	begin = strchr(begin, '\n') + 1;
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	/* Back up from the end over the last 12 lines. */
	p = end;
	while (p > begin && lines < 13)
		if (*--p == '\n')
			lines++;
	if (p > begin)
		fprintf(stderr, "  ...\n");
	fprintf(stderr, "%.*s", (int)(end - p), p);
}

static struct map_info *map_by_id(struct run *r, int id)
{
	return r->plan->maps[id];
}

static void print_map(struct run *r, struct map_info *m, int top, int div)
{
	struct map_dump d;

	if (mapread_dump(r->obj, m, r->ncpu, &d))
		return;
	out_map(r->opts->out, &d.desc, d.ents, d.n, r->ncpu, top, div);
	mapread_free(&d);
}

/* go_ustack in profile and tracepoint probes: the target's frameless Go
 * functions, which the BPF side searches (see codegen/golang.c). */
static void fill_frameless(struct run *r)
{
	struct bpf_map *m = bpf_object__find_map_by_name(r->obj, PLAN_FRAMELESS_MAP);

	for (uint32_t i = 0; m && i < r->plan->nframeless; i++)
		bpf_map_update_elem(bpf_map__fd(m), &i, &r->plan->frameless[2 * i], BPF_ANY);
}

/* printf() and print(value) records carry deep stacks as references into
 * their stack store: expand them, as map entries are, for the printers. */
static void print_record(struct run *r, const struct async_action *a,
			 const uint8_t *payload)
{
	struct gt_type *types;
	unsigned size = 0, so = 0, dof = 0;
	bool refs = false;
	uint8_t *data;

	for (int i = 0; i < a->nargs; i++)
		refs |= mapread_has_ref(&a->args[i]);
	if (refs) {
		types = xcalloc(a->nargs, sizeof(*types));
		for (int i = 0; i < a->nargs; i++) {
			types[i] = mapread_type(&a->args[i]);
			size += gt_align8(types[i].size);
		}
		data = xcalloc(1, size);
		for (int i = 0; i < a->nargs; i++) {
			mapread_value(r->obj, &a->args[i], payload + so, data + dof);
			so += gt_align8(a->args[i].size);
			dof += gt_align8(types[i].size);
		}
	} else {
		types = a->args;
		data = (uint8_t *)payload;
	}
	if (a->kind == AS_PRINTF)
		out_printf(r->opts->out, a->fmt, types, a->nargs, data);
	else if (a->kind == AS_CAT)
		out_cat(r->opts->out, a->fmt, types, a->nargs, data);
	else if (a->kind == AS_SYSTEM)
		out_system(r->opts->out, a->fmt, types, a->nargs, data);
	else
		out_value(r->opts->out, &types[0], data);
	if (refs) {
		for (int i = 0; i < a->nargs; i++)
			mapread_type_free(&types[i]);
		free(types);
		free(data);
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	uint64_t id;
	const uint8_t *payload = (const uint8_t *)data + 8;
	struct async_action *a;
	uint64_t arg[2];

	if (size < 8 || r->done)
		return 0;
	memcpy(&id, data, 8);
	if (id >= (uint64_t)r->plan->nasync)
		return 0;
	a = &r->plan->async[id];
	switch (a->kind) {
	case AS_PRINTF:
	case AS_PRINT_VALUE:
		print_record(r, a, payload);
		break;
	case AS_EXIT:
		memcpy(arg, payload, 8);
		r->exit_code = (int)arg[0];
		r->done = true;
		return 1; /* stop consuming: nothing after exit() is shown */
	case AS_PRINT_MAP:
		memcpy(arg, payload, 16);
		print_map(r, map_by_id(r, a->map_id), (int)arg[0], (int)arg[1]);
		report_map(&r->report, map_by_id(r, a->map_id));
		break;
	case AS_CLEAR:
	case AS_ZERO:
		if (r->pprof)
			pprof_add(r->pprof, r->obj, map_by_id(r, a->map_id), r->ncpu);
		mapread_clear(r->obj, r->plan, map_by_id(r, a->map_id), a->kind == AS_ZERO,
			      r->ncpu);
		break;
	case AS_TIME:
		out_time(r->opts->out, a->fmt);
		break;
	case AS_JOIN:
		out_join(r->opts->out, a->fmt, payload, PLAN_JOIN_ARGS, PLAN_JOIN_ARGSIZE);
		break;
	case AS_CAT:
	case AS_SYSTEM:
		/* After Ctrl-C, the commands still queued are not run: a
		 * stream of them (system() from sched_switch) could keep us
		 * busy for minutes after the user asked to stop. Counted. */
		if (a->kind == AS_SYSTEM && r->interrupted) {
			r->systems_not_run++;
			break;
		}
		print_record(r, a, payload);
		/* A command or a file read takes milliseconds: end the batch
		 * after each, so that Ctrl-C is seen within one of them and
		 * not after thousands (system() from sched_switch). */
		r->batch = RUN_BATCH - 1;
		break;
	case AS_HELPER_ERROR:
		memcpy(arg, payload, 8);
		out_helper_error(r->opts->out, a->fmt, (int)(int64_t)arg[0], &a->loc);
		break;
	case AS_PID_SEEN:
		memcpy(arg, payload, 8);
		if (arg[0])
			proc_seen((pid_t)arg[0]);
		break;
	}
	/* A bounded batch, so that a stream faster than we are still lets
	 * the loop flush, see signals and notice exit(). */
	return ++r->batch >= RUN_BATCH ? RUN_BATCH_CUT : 0;
}

/* Handle one batch of records, and write out what they printed: with
 * -B line (the default) the output stream is fully buffered and flushed
 * here, so that a burst costs one write(2) per buffer, not per line,
 * and no line waits while the consumer sleeps. True if records remain. */
static bool drain(struct run *r)
{
	int rc;

	r->batch = 0;
	rc = ring_buffer__consume(r->rb);
	if (!r->opts->buffered)
		fflush(r->opts->out->f);
	return rc == RUN_BATCH_CUT;
}

/* Everything the ring buffer holds, until it is empty: at once when
 * nothing writes to it (before attaching, after detaching), and soon
 * after exit(), since the records after it are dropped unread. */
static void drain_all(struct run *r)
{
	while (drain(r))
		;
}

static int run_special(struct run *r, enum probe_kind kind)
{
	char err[256];

	for (int i = 0; i < r->plan->nprogs; i++) {
		struct plan_prog *pp = &r->plan->progs[i];
		if (pp->ap.kind != kind)
			continue;
		if (run_prog_once(bpf_object__find_program_by_name(r->obj, pp->name),
				  err, sizeof(err))) {
			fprintf(stderr, "gotrace: %s: %s\n", pp->ap.name, err);
			return -EINVAL;
		}
		drain_all(r);
	}
	return 0;
}

static int setup(struct run *r, const void *elf, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "gotrace");
	struct bpf_map *cfg;
	struct timespec ts;
	uint64_t start;
	uint32_t key = PLAN_CFG_START_NS;
	int err;

	libbpf_verbose = r->opts->verbose;
	libbpf_set_print(on_libbpf_print);
	r->obj = bpf_object__open_mem(elf, len, &oo);
	if (!r->obj) {
		fprintf(stderr, "gotrace: cannot open the BPF object: %s\n", strerror(errno));
		return -EINVAL;
	}
	err = bpf_object__load(r->obj);
	if (err) {
		if (err == -EPERM && geteuid() != 0)
			fprintf(stderr, "gotrace: loading BPF programs needs root\n");
		else
			report_load_error(r, err);
		return err;
	}
	cfg = bpf_object__find_map_by_name(r->obj, PLAN_CFG_MAP);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	bpf_map_update_elem(bpf_map__fd(cfg), &key, &start, BPF_ANY);
	fill_frameless(r);
	report_init(&r->report, r->obj, r->plan, r->opts->out, r->ncpu);
	r->rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(r->obj,
		PLAN_EVENTS_MAP)), on_event, r, NULL);
	return r->rb ? 0 : -errno;
}

/* The number bpftrace prints: every function a uprobe names (once,
 * whatever its number of RETs or inlined copies), and every other probe
 * once, BEGIN and END included. */

static int attach(struct run *r)
{
	struct attach_point *pts = calloc(r->plan->nprogs + 1, sizeof(*pts));
	char err[512] = "";
	int rc;

	for (int i = 0; i < r->plan->nprogs; i++)
		pts[i] = r->plan->progs[i].ap;
	if (!r->opts->quiet)
		out_attached(r->opts->out, plan_probe_count(r->plan));
	/* -v: how each probe is attached. */
	if (r->opts->verbose)
		for (int i = 0; i < r->plan->nprogs; i++)
			r->plan->progs[i].type->describe(&r->plan->progs[i].ap, stderr);
	/* BEGIN runs before anything is attached, as in bpftrace: an
	 * interval:s:1 then first fires a full second after BEGIN. */
	rc = run_special(r, PK_BEGIN);
	if (!rc)
		rc = attach_all(r->obj, pts, r->plan->nprogs, &r->attached, err,
				sizeof(err));
	free(pts);
	if (rc < 0) {
		if (*err)
			fprintf(stderr, "gotrace: %s\n", err);
		return rc;
	}
	return 0;
}

/* exit() also leaves its code in cfg, in case its record was lost. */
static void check_exit_flag(struct run *r)
{
	struct bpf_map *cfg = bpf_object__find_map_by_name(r->obj, PLAN_CFG_MAP);
	uint32_t key = PLAN_CFG_EXIT;
	uint64_t v = 0;

	if (!r->done && cfg && bpf_map_lookup_elem(bpf_map__fd(cfg), &key, &v) == 0 && v) {
		r->exit_code = (int)(v - 1);
		r->exit_flagged = true;
	}
}

static int cmp_maps(const void *a, const void *b)
{
	return strcmp((*(struct map_info *const *)a)->name,
		      (*(struct map_info *const *)b)->name);
}

/* Every map, in name order, as at exit (without its two newlines). */
static void print_all_maps(struct run *r)
{
	struct map_info **sorted = calloc(r->plan->nmaps + 1, sizeof(*sorted));

	if (!sorted)
		return;
	if (r->plan->nmaps) {	/* maps is NULL when there are none */
		memcpy(sorted, r->plan->maps, r->plan->nmaps * sizeof(*sorted));
		qsort(sorted, r->plan->nmaps, sizeof(*sorted), cmp_maps);
	}
	for (int i = 0; i < r->plan->nmaps; i++)
		print_map(r, sorted[i], 0, 0);
	free(sorted);
	fflush(r->opts->out->f);
}

/* Wait for events until exit(), a signal, or the target's end. */
static void loop(struct run *r, int sigfd, int target_fd)
{
	struct pollfd fds[3] = {
		{ .fd = ring_buffer__epoll_fd(r->rb), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
		{ .fd = target_fd, .events = POLLIN },
	};

	int timeout = 200, behind = 0;

	while (!r->done && !r->exit_flagged) {
		int n = poll(fds, target_fd >= 0 ? 3 : 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		/* The BPF side wakes us at most once per PLAN_WAKE_NS
		 * (codegen/emit.c): after a batch, or a wakeup that found
		 * its records taken already, look again soon; only a quiet
		 * short wait means the stream has stopped. */
		bin_cache_trim();	/* between records: no frame in use */
		if (drain(r)) {
			timeout = 0;
			/* exit()'s flag once the records before it are out,
			 * or if its own record was lost in a stream we never
			 * catch up with (1M records behind). */
			if (++behind % 256 == 0)
				check_exit_flag(r);
		} else {
			timeout = r->batch || n != 0 ? PLAN_LINGER_MS : 200;
			behind = 0;
			check_exit_flag(r);
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			/* Take it off the queue, or it would kill us when the
			 * mask is lifted on the way out. */
			if (read(sigfd, &si, sizeof(si)) < 0)
				break;
			/* SIGUSR1: print every map now, and go on, as bpftrace */
			if (si.ssi_signo == SIGUSR1) {
				print_all_maps(r);
				continue;
			}
			r->interrupted = true;
			break;
		}
		if (target_fd >= 0 && (fds[2].revents & POLLIN))
			break;	/* finish() drains what is left */
	}
}

/* The maps --pprof takes, as "@a, @b" in buf; how many. */
static int pprof_maps(const struct plan *plan, char *buf, size_t len)
{
	size_t o = 0;
	int n = 0;

	buf[0] = 0;
	for (int i = 0; i < plan->nmaps; i++) {
		if (!pprof_wants(plan->maps[i]) || o + 1 >= len)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", n++ ? ", " : "",
				      plan->maps[i]->name);
	}
	return n;
}

/* --pprof FILE, after the maps were printed; a line on stderr says what
 * went into it. */
static int write_pprof(struct run *r)
{
	char err[512], names[256];

	pprof_maps(r->plan, names, sizeof(names));
	if (pprof_write(r->pprof, err, sizeof(err))) {
		fprintf(stderr, "gotrace: %s\n", err);
		return -EIO;
	}
	fprintf(stderr, "gotrace: --pprof: %zu samples of %s written to %s\n",
		pprof_nsamples(r->pprof), names, r->opts->pprof);
	return 0;
}

static void finish(struct run *r)
{

	detach_all(r->attached);
	r->attached = NULL;
	drain_all(r);
	r->done = false;
	run_special(r, PK_END);
	r->done = true;
	for (int i = 0; r->pprof && i < r->plan->nmaps; i++)
		pprof_add(r->pprof, r->obj, r->plan->maps[i], r->ncpu);
	out_exit_header(r->opts->out);
	print_all_maps(r);
	report_exit(&r->report, r->opts->verbose);
	if (r->systems_not_run)
		diag_warn("%lu system() commands not run: they were queued when the "
			  "run was interrupted", r->systems_not_run);
}

int run_program(struct plan *plan, const void *elf, size_t len, const struct run_opts *opts)
{
	struct run r = { .plan = plan, .opts = opts };
	pid_t target = opts->child > 0 ? opts->child : opts->pid;
	int sigfd = -1, target_fd = -1, status = 1;
	sigset_t mask;

	r.ncpu = libbpf_num_possible_cpus();
	out_set_probe_names((const char *const *)plan->probe_names, plan->nprobe_names);

	/* Signals arrive through a file descriptor, so the loop never misses
	 * one between a check and a poll. The -c child was forked already and
	 * resets its own mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);

	if (opts->pprof) {
		char err[512];

		for (int i = 0; i < plan->nmaps; i++)
			if (pprof_keyed_by_stack(plan->maps[i]) && !pprof_wants(plan->maps[i]))
				diag_warn("--pprof: %s is keyed by a "
					"stack, but a profile takes count(), sum() or integer "
					"values, not its own: it is not written",
					plan->maps[i]->name);
		if (!pprof_maps(plan, err, sizeof(err))) {
			fprintf(stderr, "gotrace: --pprof: no map is keyed by a user stack "
				"(ustack, go_ustack) with count(), sum() or an integer value\n");
			goto out;
		}
		if (!(r.pprof = pprof_new(plan, opts->pprof, err, sizeof(err)))) {
			fprintf(stderr, "gotrace: %s\n", err);
			goto out;
		}
	}
	if (setup(&r, elf, len) || attach(&r))
		goto out;
	/* A busy probe may have run printf(); exit() already, while the others
	 * attached: its records come before the flag stops the loop. */
	drain_all(&r);
	check_exit_flag(&r);
	if (target > 0) {
		target_fd = proc_watch(target);
		if (target_fd < 0) {
			fprintf(stderr, "gotrace: process %d does not exist\n", target);
			goto out;
		}
	}
	if (opts->child > 0 && !r.done && !r.exit_flagged) {
		if (child_start(opts->child)) {
			fprintf(stderr, "gotrace: could not start the -c command\n");
			goto out;
		}
	}
	loop(&r, sigfd, target_fd);
	finish(&r);
	status = r.exit_code;
	if (r.pprof && write_pprof(&r))
		status = 1;
out:
	pprof_discard(r.pprof);
	detach_all(r.attached);
	child_kill_all();
	ring_buffer__free(r.rb);
	report_free(&r.report);
	bpf_object__close(r.obj);
	if (target_fd >= 0)
		close(target_fd);
	if (sigfd >= 0)
		close(sigfd);
	/* A SIGUSR1 still queued would kill us once unblocked: it stays
	 * blocked, its job (print the maps) is moot now. */
	sigdelset(&mask, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return status;
}
