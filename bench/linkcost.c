/*
 * What a BPF program costs per run under each kind of uprobe link: the
 * same object, attached once as a perf-event uprobe (what bpftrace 0.17
 * makes) and once through a uprobe_multi link (what gotrace makes), in
 * turn, with kernel.bpf_stats_enabled on. bench/bpfstats compares the two
 * tools, whose link kinds differ; this holds the program fixed.
 *
 *   make build/bench/linkcost
 *   gotrace --dry-run --emit-elf /tmp/p.o -e 'uprobe:BIN:FUNC { @ = count(); }'
 *   build/bench/linkcost /tmp/p.o BIN FILE_OFFSET PID [RUNS]
 *
 * FILE_OFFSET is the probed instruction's offset in BIN (gotrace -v shows
 * its address; for a Go binary linked at 0x400000 subtract that). Each
 * run attaches program p0 to PID's BIN, waits 1 s, then reads run_time_ns
 * and run_cnt 3 s apart; it prints ns per run for each link kind, runs
 * interleaved (default 3). Exit status 1 if the object cannot be loaded
 * or attached.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ns per run of the object's p0 attached with one kind of link, or < 0 */
static double measure(const char *obj, const char *bin, unsigned long off, int pid, bool multi)
{
	struct bpf_object *o = bpf_object__open_file(obj, NULL);
	struct bpf_prog_info a = { 0 }, b = { 0 };
	struct bpf_program *p;
	struct bpf_link *l = NULL;
	__u32 len = sizeof(a);
	double ns = -1;

	if (!o || !(p = bpf_object__find_program_by_name(o, "p0")))
		goto out;
	/* the object says uprobe.multi; a perf-event uprobe wants a plain kprobe-type program */
	if (!multi)
		bpf_program__set_expected_attach_type(p, 0);
	if (bpf_object__load(o))
		goto out;
	if (multi) {
		LIBBPF_OPTS(bpf_uprobe_multi_opts, mo);
		unsigned long offs[1] = { off };

		mo.offsets = offs;
		mo.cnt = 1;
		l = bpf_program__attach_uprobe_multi(p, pid, bin, NULL, &mo);
	} else {
		l = bpf_program__attach_uprobe(p, false, pid, bin, off);
	}
	if (!l)
		goto out;
	sleep(1);
	bpf_obj_get_info_by_fd(bpf_program__fd(p), &a, &len);
	sleep(3);
	len = sizeof(b);
	bpf_obj_get_info_by_fd(bpf_program__fd(p), &b, &len);
	if (b.run_cnt > a.run_cnt)
		ns = (double)(b.run_time_ns - a.run_time_ns) / (double)(b.run_cnt - a.run_cnt);
out:
	bpf_link__destroy(l);
	bpf_object__close(o);
	return ns;
}

int main(int argc, char **argv)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r+");
	int old = 0, runs = argc > 5 ? atoi(argv[5]) : 3, status = 0;

	if (argc < 5 || !f) {
		fprintf(stderr, "usage: linkcost OBJ BIN FILE_OFFSET PID [RUNS] (as root)\n");
		return 1;
	}
	if (fscanf(f, "%d", &old) != 1)
		old = 0;
	rewind(f);
	fprintf(f, "1\n");
	fflush(f);
	for (int i = 0; i < runs && !status; i++)
		for (int multi = 0; multi < 2 && !status; multi++) {
			double ns = measure(argv[1], argv[2], strtoul(argv[3], NULL, 0),
					    atoi(argv[4]), multi);

			if (ns < 0) {
				fprintf(stderr, "linkcost: cannot load or attach %s, or it never ran\n",
					argv[1]);
				status = 1;
				continue;
			}
			printf("run %d  %-12s %6.0f ns/run\n", i + 1,
			       multi ? "uprobe_multi" : "perf-event", ns);
			fflush(stdout);
		}
	rewind(f);
	fprintf(f, "%d\n", old);
	fclose(f);
	return status;
}
