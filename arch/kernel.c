/*
 * Kernel struct offsets, read from the running kernel's BTF
 * (/sys/kernel/btf/vmlinux), for the few fields a probe reads by hand:
 * task_struct.thread.fsbase, where x86-64 keeps the thread pointer that
 * Go's TLS slot for g hangs off, and the path from a task to the inode of
 * its executable. Loaded once, and only by programs that need it: loading
 * vmlinux BTF costs milliseconds.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arch/arch.h"

/* Byte offset of member `name` in struct or union type id `id`, and its
 * type; also inside anonymous members (mm_struct keeps its fields in one). */
static int member(const struct btf *btf, int id, const char *name, int *type)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	const struct btf_member *m;

	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return -ENOENT;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		int off;

		if (n && strcmp(n, name) == 0) {
			*type = m->type;
			return btf_member_bit_offset(t, i) / 8;
		}
		if ((!n || !*n) && (off = member(btf, m->type, name, type)) >= 0)
			return btf_member_bit_offset(t, i) / 8 + off;
	}
	return -ENOENT;
}

/* The running kernel's BTF, loaded once. */
static const struct btf *vmlinux(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
	}
	return btf;
}

int arch_kernel_offset(const char *strct, const char *path)
{
	const struct btf *btf = vmlinux();
	char buf[128], *save = NULL, *name;
	int id, off = 0, m;

	if (!btf || (id = btf__find_by_name_kind(btf, strct, BTF_KIND_STRUCT)) <= 0)
		return -ENOENT;
	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ".", &save); name; name = strtok_r(NULL, ".", &save)) {
		if ((m = member(btf, id, name, &id)) < 0)
			return -ENOENT;
		off += m;
	}
	return off;
}

int arch_task_fsbase_offset(void)
{
	return arch_kernel_offset("task_struct", "thread.fsbase");
}
