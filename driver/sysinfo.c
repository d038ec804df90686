/*
 * --info with no binary: what this machine offers gotrace, on stderr
 * as bpftrace prints it, in bpftrace
 * 0.17's --info layout (sections, "  name: yes|no" lines), so that
 * scripts that grep bpftrace --info work. Every "yes" is asked of the
 * running kernel through libbpf's feature probes (a tiny program or map
 * loaded and dropped), never assumed; the lists are bpftrace's names
 * (less dpath, which only fentry programs may call and libbpf's probe
 * of a kprobe program cannot tell), with the ring buffer gotrace prints
 * through added.
 */
#include <stdio.h>
#include <sys/utsname.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "codegen/codegen.h"
#include "driver/driver.h"

static const char *yes(int probe)
{
	return probe == 1 ? "yes" : "no";
}

static void helpers(void)
{
	static const struct { const char *name; enum bpf_func_id id; } h[] = {
		{ "probe_read", BPF_FUNC_probe_read },
		{ "probe_read_str", BPF_FUNC_probe_read_str },
		{ "probe_read_user", BPF_FUNC_probe_read_user },
		{ "probe_read_user_str", BPF_FUNC_probe_read_user_str },
		{ "probe_read_kernel", BPF_FUNC_probe_read_kernel },
		{ "probe_read_kernel_str", BPF_FUNC_probe_read_kernel_str },
		{ "get_current_cgroup_id", BPF_FUNC_get_current_cgroup_id },
		{ "send_signal", BPF_FUNC_send_signal },
		{ "override_return", BPF_FUNC_override_return },
		{ "get_boot_ns", BPF_FUNC_ktime_get_boot_ns },
		{ "ringbuf_output", BPF_FUNC_ringbuf_output },
	};

	fprintf(stderr, "Kernel helpers\n");
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		fprintf(stderr, "  %s: %s\n", h[i].name,
		       yes(libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, h[i].id, NULL)));
	fprintf(stderr, "\n");
}

static void maps(void)
{
	static const struct { const char *name; enum bpf_map_type t; } m[] = {
		{ "hash", BPF_MAP_TYPE_HASH },
		{ "percpu hash", BPF_MAP_TYPE_PERCPU_HASH },
		{ "array", BPF_MAP_TYPE_ARRAY },
		{ "percpu array", BPF_MAP_TYPE_PERCPU_ARRAY },
		{ "stack_trace", BPF_MAP_TYPE_STACK_TRACE },
		{ "perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY },
		{ "ringbuf", BPF_MAP_TYPE_RINGBUF },
	};

	fprintf(stderr, "Map types\n");
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		fprintf(stderr, "  %s: %s\n", m[i].name, yes(libbpf_probe_bpf_map_type(m[i].t, NULL)));
	fprintf(stderr, "\n");
}

static void progs(void)
{
	static const struct { const char *name; enum bpf_prog_type t; } p[] = {
		{ "kprobe", BPF_PROG_TYPE_KPROBE },
		{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT },
		{ "perf_event", BPF_PROG_TYPE_PERF_EVENT },
		{ "raw_tp_special", BPF_PROG_TYPE_RAW_TRACEPOINT },
	};

	fprintf(stderr, "Probe types\n");
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		fprintf(stderr, "  %s: %s\n", p[i].name, yes(libbpf_probe_bpf_prog_type(p[i].t, NULL)));
}

int driver_sysinfo(void)
{
	struct utsname u;
	struct btf *vmlinux;

	if (uname(&u) == 0)
		fprintf(stderr, "System\n  OS: %s %s %s\n  Arch: %s\n\n", u.sysname, u.release,
		       u.version, u.machine);
	fprintf(stderr, "Build\n  version: v%s\n  LLVM: %s\n  libdw (DWARF support): yes\n\n",
	       driver_version(), codegen_llvm_version());
	helpers();
	vmlinux = btf__load_vmlinux_btf();
	fprintf(stderr, "Kernel features\n  btf: %s\n\n", yes(vmlinux != NULL));
	btf__free(vmlinux);
	maps();
	progs();
	fflush(stderr);
	return 0;
}
