/*
 * Symbols in output: stacks, usym (`func`) and probe names.
 *
 * bpftrace 0.17 prints a stack as a newline followed by one line per frame,
 * each indented (8 spaces in values and printf, 4 inside map keys) and
 * reading "func+off" with a decimal offset, or "0x7f0b45b994e0" when no
 * symbol covers the address. A stack with no frames prints as "". A usym
 * prints the function name alone, or the hex address.
 *
 * Go binaries have inlining, which bpftrace knows nothing about. The binary
 * module reports inlined callees as extra frames before the real function;
 * we print each as its own line "        main.inner (inline)", without an
 * offset (the offset belongs to the outer function), then the real function
 * as "main.outer+42". "(inline)" is the marker pprof prints for inlined
 * functions, so it reads the way Go engineers expect.
 *
 * Frames point into binaries that the process cache may let go of: after
 * a whole stack is written, none is in use, and bin_cache_trim() may free
 * the binaries of processes no longer cached.
 */
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"
#include "runtime/out_int.h"

#define MAX_INLINE 16

static int usym_default(uint32_t pid, uint64_t addr, struct bin_frame *frames,
			int max)
{
	return proc_symbolize((pid_t)pid, addr, frames, max);
}

static out_usym_fn usym_fn = usym_default;
static out_ksym_fn ksym_fn = ksym_lookup;

void out_set_symbolizers(out_usym_fn usym, out_ksym_fn ksym)
{
	usym_fn = usym ? usym : usym_default;
	ksym_fn = ksym ? ksym : ksym_lookup;
}

/* Symbolize one user address; returns the number of usable frames (0 when
 * the address is unknown). */
static int usym_frames(uint32_t pid, uint64_t addr, struct bin_frame *frames)
{
	int n = usym_fn(pid, addr, frames, MAX_INLINE);

	if (n <= 0 || n > MAX_INLINE || !frames[n - 1].func)
		return 0;
	return n;
}

/* Frames after the first hold return addresses, which point after the
 * call: symbolize the byte before, so that a call at the very end of a
 * function (or inside inlined code) is attributed to the right place,
 * and print the offset of the return address itself, as bpftrace does. */
static void write_line(FILE *f, const struct bin_frame *fr, bool lines)
{
	if (lines && fr->file)
		fprintf(f, " (%s:%d)", fr->file, fr->line);
	fputc('\n', f);
}

static void write_user_frame(FILE *f, uint32_t pid, uint64_t ip, int indent,
			     bool is_return, bool lines)
{
	struct bin_frame frames[MAX_INLINE];
	int n = usym_frames(pid, is_return ? ip - 1 : ip, frames);

	if (n == 0) {
		fprintf(f, "%*s0x%llx\n", indent, "", (unsigned long long)ip);
		return;
	}
	for (int i = 0; i < n - 1; i++) {
		fprintf(f, "%*s%s (inline)", indent, "",
			frames[i].func ? frames[i].func : "??");
		write_line(f, &frames[i], lines);
	}
	fprintf(f, "%*s%s+%llu", indent, "", frames[n - 1].func,
		(unsigned long long)frames[n - 1].offset + is_return);
	write_line(f, &frames[n - 1], lines);
}

static void write_kernel_frame(FILE *f, uint64_t ip, int indent)
{
	uint64_t off = 0;
	const char *name = ksym_fn(ip, &off);

	if (name)
		fprintf(f, "%*s%s+%llu\n", indent, "", name,
			(unsigned long long)off);
	else
		fprintf(f, "%*s0x%llx\n", indent, "", (unsigned long long)ip);
}

/* ustack(perf), kstack(perf): a tab, the address in hex, the symbol and
 * offset, and for user frames the binary's path, as bpftrace 0.17 prints
 * them ("0x... ([unknown])" for an address in no symbol). */
static void write_perf_frame(FILE *f, const struct gt_type *t, uint32_t pid, uint64_t ip,
			     bool is_return)
{
	struct bin_frame frames[MAX_INLINE];
	const char *name;
	struct bin *b;
	uint64_t off = 0, vaddr;
	int n;

	fprintf(f, "\t%llx ", (unsigned long long)ip);
	if (t->kind == GT_KSTACK) {
		if ((name = ksym_fn(ip, &off)))
			fprintf(f, "%s+%llu\n", name, (unsigned long long)off);
		else
			fprintf(f, "0x%llx\n", (unsigned long long)ip);
		return;
	}
	n = usym_frames(pid, is_return ? ip - 1 : ip, frames);
	if (n == 0 || proc_locate((pid_t)pid, ip, &b, &vaddr) != 0) {
		fprintf(f, "0x%llx ([unknown])\n", (unsigned long long)ip);
		return;
	}
	fprintf(f, "%s+%llu (%s)\n", frames[n - 1].func,
		(unsigned long long)frames[n - 1].offset + is_return, bin_path(b));
}

/* A GT_USTACK/GT_KSTACK value: struct gt_stack with t->depth slots. */
void out_stack_write(FILE *f, const struct gt_type *t, const uint8_t *p,
		     int indent)
{
	struct gt_stack hdr;
	uint32_t nr;

	memcpy(&hdr, p, sizeof(hdr));
	nr = hdr.nr;
	if (t->depth >= 0 && nr > (uint32_t)t->depth)
		nr = t->depth;
	if (nr == 0)
		return;
	fputc('\n', f);
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t ip = out_u64(p + sizeof(hdr) + 8 * i);

		if (t->perf)
			write_perf_frame(f, t, hdr.pid, ip, i > 0);
		else if (t->kind == GT_KSTACK)
			write_kernel_frame(f, ip, indent);
		else
			write_user_frame(f, hdr.pid, ip, indent, i > 0, t->lines);
	}
	bin_cache_trim();
}

int out_stack_names(const struct gt_type *t, const uint8_t *p,
		    void (*cb)(const char *name, void *arg), void *arg)
{
	struct bin_frame frames[MAX_INLINE];
	struct gt_stack hdr;
	char hex[32];
	uint32_t nr;
	int count = 0;

	memcpy(&hdr, p, sizeof(hdr));
	nr = t->depth >= 0 && hdr.nr > (uint32_t)t->depth ? (uint32_t)t->depth : hdr.nr;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t ip = out_u64(p + sizeof(hdr) + 8 * i), off;
		const char *name = NULL;
		int n = 0;

		if (t->kind == GT_KSTACK)
			name = ksym_fn(ip, &off);
		else
			n = usym_frames(hdr.pid, i > 0 ? ip - 1 : ip, frames);
		for (int k = 0; k < n; k++, count++)
			cb(frames[k].func ? frames[k].func : "??", arg);
		if (n == 0) {
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ip);
			cb(name ? name : hex, arg);
			count++;
		}
	}
	bin_cache_trim();	/* cb copied the names */
	return count;
}

/* `func` names the real (outermost) function holding the address, as
 * bpftrace's usym does with the ELF symbol, even inside inlined code. */
char *out_usym_str(uint64_t addr, uint32_t pid)
{
	struct bin_frame frames[MAX_INLINE];
	int n = usym_frames(pid, addr, frames);
	char *s = NULL;

	/* bpftrace writes an unknown address as a C++ stream writes a
	 * void *: "0" for null, "0x..." else. */
	if (n == 0) {
		if (asprintf(&s, addr ? "0x%llx" : "0", (unsigned long long)addr) < 0)
			return NULL;
		return s;
	}
	return strdup(frames[n - 1].func);
}

/* A GT_GOTYPE value: the name of the Go type whose runtime descriptor is
 * at addr in process pid, read from the binary ("<nil>" for none). */
void out_gotype_write(FILE *f, uint64_t addr, uint32_t pid)
{
	const struct go_type *t;
	struct bin *b;
	uint64_t vaddr;

	if (!addr) {
		fputs("<nil>", f);
		return;
	}
	if (proc_locate((pid_t)pid, addr, &b, &vaddr) == 0 && (t = bin_go_type_at(b, vaddr)))
		fputs(t->name, f);
	else
		fprintf(f, "0x%llx", (unsigned long long)addr);
}

static char **probe_names;
static int nprobe_names;

void out_set_probe_names(const char *const *names, int n)
{
	for (int i = 0; i < nprobe_names; i++)
		free(probe_names[i]);
	free(probe_names);
	probe_names = NULL;
	nprobe_names = 0;
	if (n <= 0 || !(probe_names = calloc(n, sizeof(*probe_names))))
		return;
	for (int i = 0; i < n; i++)
		probe_names[i] = strdup(names[i] ? names[i] : "");
	nprobe_names = n;
}

/* A GT_PROBE value; an index outside the table (a bug elsewhere) prints as
 * "probe#N" rather than crashing. */
void out_probe_write(FILE *f, uint64_t idx)
{
	if (idx < (uint64_t)nprobe_names && probe_names[idx])
		fputs(probe_names[idx], f);
	else
		fprintf(f, "probe#%llu", (unsigned long long)idx);
}
