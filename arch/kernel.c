/*
 * Kernel struct offsets, read from the running kernel's BTF
 * (/sys/kernel/btf/vmlinux), for the few fields a probe reads by hand:
 * task_struct.thread.fsbase, where x86-64 keeps the thread pointer that
 * Go's TLS slot for g hangs off. Read once, and only by programs that need
 * it: loading vmlinux BTF costs milliseconds.
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arch/arch.h"

/* Byte offset of member `name` in struct type id `id`, and its type. */
static int member(const struct btf *btf, int id, const char *name, int *type)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name) == 0) {
			*type = m->type;
			return btf_member_bit_offset(t, i) / 8;
		}
	}
	return -ENOENT;
}

int arch_task_fsbase_offset(void)
{
	static int cached = -1;
	struct btf *btf;
	int id, type, thread, fsbase;

	if (cached >= 0)
		return cached;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	thread = id > 0 ? member(btf, id, "thread", &type) : -ENOENT;
	fsbase = thread >= 0 ? member(btf, type, "fsbase", &type) : -ENOENT;
	btf__free(btf);
	if (thread < 0 || fsbase < 0)
		return -ENOENT;
	cached = thread + fsbase;
	return cached;
}
