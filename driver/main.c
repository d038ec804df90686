/*
 * gotrace's command line, and the pipeline it drives:
 *
 *   read -> parse -> sema -> codegen -> (emit/dump) -> load/attach/run
 *
 * Each step returns an error instead of exiting; main() stops at the first
 * one that failed and returns 1, after killing a -c child if one was
 * started. The options are bpftrace's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/binary.h"
#include "codegen/codegen.h"
#include "codegen/module.h"
#include "common/diag.h"
#include "driver/driver.h"
#include "runtime/child.h"
#include "runtime/run.h"
#include "sema/sema.h"

#define GOTRACE_VERSION "0.1.0"

const char *driver_version(void)
{
	return GOTRACE_VERSION;
}

struct opts {
	const char *prog_text, *prog_file;
	char **params;
	int nparams;
	pid_t pid;
	const char *cmd;
	const char *out_file;
	enum out_format format;
	bool list, verbose, dry_run, quiet;
	const char *buffer_mode;	/* -B line|full|none; NULL: line */
	int helper_checks;	/* -k, -kk */
	const char *dump;	/* ast, ir, bpf */
	const char *emit_elf, *emit_llvm;
	const char *info;
	bool info_system;	/* --info alone */
	const char *pprof;	/* --pprof FILE */
	struct env env;		/* BPFTRACE_* settings */
	bool unsafe;		/* --unsafe: system() and signal() */
};

static const char synopsis[] =
"usage: gotrace [options] FILE [ARGS...]\n"
"       gotrace [options] -e 'PROGRAM' [ARGS...]\n"
"       gotrace -l [PATTERN]\n";

/* After a bad option the error is what matters: getopt has named it, so
 * only the synopsis follows, not the whole help. */
static void usage_short(void)
{
	fprintf(stderr, "%sTry 'gotrace --help' for more.\n", synopsis);
}

static void usage(FILE *f)
{
	fputs(synopsis, f);
	fprintf(f,
"\n"
"options:\n"
"  -e PROGRAM       trace the program given on the command line\n"
"  -p PID           trace process PID; uprobe:FUNC probes its binary\n"
"  -c 'CMD'         run CMD with every probe attached, stop when it exits\n"
"  -o FILE          write program output to FILE\n"
"  -f FORMAT        text (default), json, or folded (stack maps for flame graphs)\n"
"  -l [PATTERN]     list probes, e.g. -l 'uprobe:/bin/app:main.*'\n"
"  -v               verbose: say what is attached and how\n"
"  -q               quiet: no \"Attaching N probes...\"\n"
"  -B MODE          output buffering: line (default), full or none\n"
"  -k, -kk          warn when a BPF helper call fails (-kk: reads and lookups too)\n"
"  --no-warnings    print no warnings\n"
"  -d ast|ir|bpf    print the AST, the LLVM IR or the BPF code\n"
"  --emit-elf FILE  write the BPF ELF object to FILE\n"
"  --emit-llvm FILE write the LLVM IR to FILE\n"
"  --dry-run        compile, but do not load or attach\n"
"  --pprof FILE     also write the maps keyed by a stack as a pprof profile\n"
"  --unsafe         allow unsafe builtin functions (system, signal)\n"
"  --usdt-file-activation  accepted: usdt semaphores are always raised in\n"
"                   every process that maps the file\n"
"  --info [BINARY]  what gotrace knows of a binary (Go version, tables);\n"
"                   alone, the kernel's BPF features, as bpftrace --info\n"
"  -h, --help       this help\n"
"  -V, --version    print the version\n"
"\n"
"ARGS are the program's positional parameters $1, $2, ...\n");
}

/* -p PID, with bpftrace 0.17's checks and messages (its parse_pid()):
 * scripts and wrappers around bpftrace see the same errors. */
static int parse_pid(const char *s, pid_t *pid)
{
	const long pid_max = 4 * 1024 * 1024;
	const char *why = NULL;
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end)
		why = "is not a valid decimal number";
	else if (errno == ERANGE)
		why = "outside of integer range";
	else if (v < 1 || v > pid_max)
		why = "out of valid pid range [1,4194304]";
	if (why) {
		fprintf(stderr, "ERROR: pid '%s' %s\n", s, why);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

enum { OPT_EMIT_ELF = 256, OPT_EMIT_LLVM, OPT_DRY_RUN, OPT_VERSION, OPT_INFO,
       OPT_INFO_SYSTEM, OPT_PPROF, OPT_NO_WARNINGS, OPT_UNSAFE, OPT_USDT_FILE };

/* The output stream's buffer: a pipe's capacity, so that one write(2)
 * fills a pipe whose reader keeps up. */
#define OUT_BUFFER_SIZE (64 * 1024)

/* -B's modes, as setvbuf() takes them. */
static int buffering(const char *mode)
{
	return !strcmp(mode, "line") ? _IOLBF : !strcmp(mode, "full") ? _IOFBF :
	       !strcmp(mode, "none") ? _IONBF : -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "emit-elf", required_argument, NULL, OPT_EMIT_ELF },
		{ "emit-llvm", required_argument, NULL, OPT_EMIT_LLVM },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "info", required_argument, NULL, OPT_INFO },
		{ "info-system", no_argument, NULL, OPT_INFO_SYSTEM },
		{ "pprof", required_argument, NULL, OPT_PPROF },
		{ "no-warnings", no_argument, NULL, OPT_NO_WARNINGS },
		{ "unsafe", no_argument, NULL, OPT_UNSAFE },
		{ "usdt-file-activation", no_argument, NULL, OPT_USDT_FILE },
		{ 0 },
	};
	int c;

	/* --info with no BINARY after it (bpftrace's --info) is the
	 * machine's report: getopt cannot take an argument that may be
	 * absent unless it is written --info=X, so it is told here. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--info") && (i + 1 == argc || argv[i + 1][0] == '-'))
			argv[i] = "--info-system";
	/* Options may follow the program file (`gotrace script.gt -p PID`), as
	 * getopt's argument permutation gives bpftrace; "--" ends them. */
	while ((c = getopt_long(argc, argv, "e:p:c:o:f:lvd:hqB:kV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': o->prog_text = optarg; break;
		case 'p':
			if (parse_pid(optarg, &o->pid))
				return -EINVAL;
			break;
		case 'c': o->cmd = optarg; break;
		case 'o': o->out_file = optarg; break;
		case 'f':
			if (out_format_parse(optarg, &o->format)) {
				fprintf(stderr, "gotrace: -f takes text, json or folded, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'l': o->list = true; break;
		case 'v': o->verbose = true; break;
		case 'q': o->quiet = true; break;
		case 'B':
			o->buffer_mode = optarg;
			if (buffering(optarg) < 0) {
				fprintf(stderr, "gotrace: -B takes line, full or none, not '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'k':
			if (++o->helper_checks > 2) {
				fprintf(stderr, "gotrace: -k can be given at most twice (-kk)\n");
				return -EINVAL;
			}
			break;
		case OPT_NO_WARNINGS: diag_set_warnings(false); break;
		case 'd':
			if (strcmp(optarg, "ast") && strcmp(optarg, "ir") && strcmp(optarg, "bpf")) {
				fprintf(stderr, "gotrace: -d takes ast, ir or bpf, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->dump = optarg;
			break;
		case OPT_EMIT_ELF: o->emit_elf = optarg; break;
		case OPT_EMIT_LLVM: o->emit_llvm = optarg; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_INFO: o->info = optarg; break;
		case OPT_INFO_SYSTEM: o->info_system = true; break;
		case OPT_PPROF: o->pprof = optarg; break;
		case OPT_UNSAFE: o->unsafe = true; break;
		/* what gotrace always does: the kernel raises a usdt probe's
		 * semaphore in every process that maps its file */
		case OPT_USDT_FILE: break;
		case 'V':
		case OPT_VERSION: printf("gotrace v%s\n", GOTRACE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage_short(); return -EINVAL;
		}
	}
	if (!o->prog_text && !o->list && !o->info && !o->info_system) {
		if (optind >= argc) {
			usage(stderr);
			return -EINVAL;
		}
		o->prog_file = argv[optind++];
	}
	o->params = argv + optind;
	o->nparams = argc - optind;
	if (o->pid && o->cmd) {
		fprintf(stderr, "gotrace: -p and -c cannot be used together\n");
		return -EINVAL;
	}
	return 0;
}

/* The target of -p or -c: its pid and executable, for uprobe:FUNC. */
static int find_target(struct opts *o, struct sema_opts *so, pid_t *child,
		       char *exe, size_t exelen)
{
	char err[512];

	if (o->pid) {
		if (proc_exe_path(o->pid, exe, exelen, err, sizeof(err)) < 0) {
			fprintf(stderr, "gotrace: %s\n", err);
			return -ESRCH;
		}
		so->pid = o->pid;
		so->target = exe;
		proc_snapshot(o->pid);
	}
	if (o->cmd) {
		if (child_spawn(o->cmd, child, exe, exelen, err, sizeof(err)) < 0) {
			fprintf(stderr, "gotrace: %s\n", err);
			return -ENOENT;
		}
		so->pid = *child;
		so->target = exe;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len) {
		fprintf(stderr, "gotrace: cannot write %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -EIO;
	}
	return fclose(f) ? -EIO : 0;
}

/* BPFTRACE_NO_USER_SYMBOLS=1: every user address prints as a number. */
static int no_symbols(uint32_t pid, uint64_t addr, struct bin_frame *frames, int max)
{
	return 0;
}

/* BPFTRACE_MAX_PROBES and BPFTRACE_MAX_BPF_PROGS, when set: bpftrace's
 * guard against attaching more than one meant to. */
static int check_limits(const struct env *e, const struct plan *plan)
{
	int probes = plan_probe_count(plan), progs = 0;

	/* bpftrace counts neither BEGIN nor END among its programs. */
	for (int i = 0; i < plan->nprogs; i++)
		progs += plan->progs[i].ap.kind != PK_BEGIN && plan->progs[i].ap.kind != PK_END;

	if (e->max_probes && (unsigned long)probes > e->max_probes) {
		fprintf(stderr, "gotrace: can't attach to %d probes because it exceeds the "
			"limit of %lu (BPFTRACE_MAX_PROBES)\n", probes, e->max_probes);
		return -E2BIG;
	}
	if (e->max_progs && (unsigned long)progs > e->max_progs) {
		fprintf(stderr, "gotrace: the program makes %d BPF programs, more than the "
			"limit of %lu (BPFTRACE_MAX_BPF_PROGS)\n", progs, e->max_progs);
		return -E2BIG;
	}
	return 0;
}

static int compile(struct opts *o, struct plan *plan, void **elf, size_t *len)
{
	struct cg_opts co = { 0 };
	FILE *ir = NULL;
	int rc;

	if (o->emit_llvm && !(ir = fopen(o->emit_llvm, "w"))) {
		fprintf(stderr, "gotrace: cannot write %s: %s\n", o->emit_llvm, strerror(errno));
		return -EIO;
	}
	co.ir = ir ? ir : (o->dump && strcmp(o->dump, "ir") == 0 ? stdout : NULL);
	co.events_size = (unsigned)env_events_size(&o->env);
	co.helper_checks = o->helper_checks;
	rc = codegen_run(plan, &co, elf, len);
	/* A full disk shows in the stream's error flag (whose errno is long
	 * gone), or only when fclose writes the buffered rest. */
	if (ir) {
		int failed = ferror(ir), e = 0;

		if (fclose(ir))
			failed = 1, e = errno;
		if (failed && !rc) {
			fprintf(stderr, "gotrace: cannot write %s%s%s\n", o->emit_llvm,
				e ? ": " : "", e ? strerror(e) : "");
			rc = -EIO;
		}
	}
	if (rc)
		return rc;
	if (o->emit_elf && write_file(o->emit_elf, *elf, *len))
		return -EIO;
	if (o->dump && strcmp(o->dump, "bpf") == 0)
		cgm_dump_bpf(*elf, *len, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct sema_opts so = { 0 };
	struct program prog;
	struct plan plan;
	struct out out = { .f = stdout };
	char *text = NULL, exe[4096];
	pid_t child = 0;
	void *elf = NULL;
	size_t len = 0;
	int status = 1, mode;

	if (parse_args(argc, argv, &o))
		return 1;
	if (o.info)
		return driver_info(o.info) ? 1 : 0;
	if (o.info_system)
		return driver_sysinfo() ? 1 : 0;
	if (o.list)
		return driver_list(o.nparams ? o.params[0] : NULL, o.pid, o.verbose) ? 1 : 0;
	text = o.prog_text ? strdup(o.prog_text) : driver_read_file(o.prog_file);
	if (!text)
		return 1;
	diag_set_source(o.prog_file ? o.prog_file : "stdin", text);
	if (o.format == OUT_JSON)
		diag_set_json(stdout);
	if (parse_program(text, &prog))
		goto out;
	if (o.dump && strcmp(o.dump, "ast") == 0)
		ast_dump(&prog, stdout);
	if (driver_config(prog.config))
		goto out;
	so.params = o.params;
	so.nparams = o.nparams;
	so.verbose = o.verbose;
	so.unsafe = o.unsafe;
	if (env_read(&o.env))
		goto out;
	so.max_keys = (unsigned)o.env.max_keys;
	so.strlen = (unsigned)o.env.strlen;
	if (find_target(&o, &so, &child, exe, sizeof(exe)))
		goto out;
	so.child = child;
	if (sema_run(&so, &prog, &plan) || check_limits(&o.env, &plan) ||
	    compile(&o, &plan, &elf, &len))
		goto out;
	if (o.dry_run || o.dump || o.emit_elf || o.emit_llvm) {
		status = 0;
		goto out;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "gotrace: tracing needs root (BPF programs and uprobes)\n");
		goto out;
	}
	out.format = o.format;
	out.cat_bytes = o.env.cat_bytes;
	if (o.env.no_user_symbols)
		out_set_symbolizers(no_symbols, NULL);
	if (o.out_file && !(out.f = fopen(o.out_file, "w"))) {
		fprintf(stderr, "gotrace: cannot write %s: %s\n", o.out_file, strerror(errno));
		goto out;
	}
	/* -B line is kept by the run loop, which flushes after each batch of
	 * records and before it sleeps: a line-buffered stream would make one
	 * write(2) per line, which caps a stream at a few hundred thousand
	 * lines a second. */
	mode = buffering(o.buffer_mode ? o.buffer_mode : "line");
	setvbuf(out.f, NULL, mode == _IOLBF ? _IOFBF : mode, OUT_BUFFER_SIZE);
	{
		struct run_opts ro = { .out = &out, .verbose = o.verbose, .pid = o.pid,
				       .child = child, .pprof = o.pprof, .quiet = o.quiet,
				       .buffered = o.buffer_mode && !strcmp(o.buffer_mode, "full") };
		status = run_program(&plan, elf, len, &ro);
	}
	if (out.f != stdout)
		fclose(out.f);
out:
	child_kill_all();
	free(elf);
	free(text);
	return status;
}
