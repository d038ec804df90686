/*
 * Reading maps out of the kernel for printing, clearing and zeroing.
 *
 * Deep stacks are kept in BPF as an id into a stack-trace map (a hash key
 * may not exceed 512 bytes); here they are swapped for the frames
 * themselves, so the printer only ever sees struct gt_stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/alloc.h"
#include "runtime/run.h"

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

static int data_fd(struct bpf_object *obj, const struct map_info *m)
{
	char name[16];

	plan_map_name(name, sizeof(name), m->id);
	return map_fd(obj, name);
}

static bool deep(const struct gt_type *t)
{
	return (t->kind == GT_USTACK || t->kind == GT_KSTACK) && t->by_id;
}

/* The type the printer sees: deep stacks expanded to their frames. */
static struct gt_type expanded(const struct gt_type *t)
{
	struct gt_type e = *t;

	if (deep(t)) {
		e.by_id = false;
		e.size = 8 + 8 * t->depth;
	} else if (t->kind == GT_TUPLE) {
		e.elems = calloc(t->nelems, sizeof(*e.elems));
		e.size = 0;
		for (int i = 0; i < t->nelems; i++) {
			e.elems[i] = expanded(&t->elems[i]);
			e.size += gt_align8(e.elems[i].size);
		}
	}
	return e;
}

/* Write the expanded form of `src` (of type t) at dst. */
static void expand(struct bpf_object *obj, const struct gt_type *t,
		   const uint8_t *src, uint8_t *dst)
{
	char name[16];
	uint32_t id, pid;
	struct gt_stack *st = (struct gt_stack *)dst;

	if (t->kind == GT_TUPLE) {
		unsigned so = 0, dof = 0;
		for (int i = 0; i < t->nelems; i++) {
			struct gt_type e = expanded(&t->elems[i]);
			expand(obj, &t->elems[i], src + so, dst + dof);
			so += gt_align8(t->elems[i].size);
			dof += gt_align8(e.size);
			free(e.elems);
		}
		return;
	}
	if (!deep(t)) {
		memcpy(dst, src, t->size);
		return;
	}
	memcpy(&id, src, 4);
	memcpy(&pid, src + 4, 4);
	memset(dst, 0, 8 + 8 * t->depth);
	st->pid = pid;
	plan_stack_map_name(name, sizeof(name), t->kind == GT_USTACK, t->depth);
	if ((int32_t)id < 0 || bpf_map_lookup_elem(map_fd(obj, name), &id, st->ip))
		return; /* the kernel could not take the stack: print none */
	while (st->nr < (uint32_t)t->depth && st->ip[st->nr])
		st->nr++;
}

int mapread_dump(struct bpf_object *obj, const struct map_info *m, int ncpu,
		 struct map_dump *out)
{
	bool hist = m->value.kind == GT_HIST || m->value.kind == GT_LHIST;
	bool percpu = gt_is_aggregation(m->value.kind);
	unsigned vslot = gt_align8(m->value_size);
	unsigned vbytes = percpu ? vslot * ncpu : m->value_size;
	int fd = data_fd(obj, m);
	uint8_t *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	uint8_t *val = calloc(1, vbytes);
	size_t cap = 0;
	void *prev = NULL;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return fd;
	out->desc.name = m->name;
	out->desc.key = m->nkeys > 0 ? expanded(&m->key) : (struct gt_type){ .kind = GT_NONE };
	out->desc.value = expanded(&m->value);
	out->desc.key_size = (m->nkeys > 0 ? out->desc.key.size : 8) + (hist ? 8 : 0);
	out->desc.value_size = deep(&m->value) ? out->desc.value.size : m->value_size;
	out->desc.percpu = percpu;
	unsigned ksz = out->desc.key_size, vsz = percpu ? vbytes : out->desc.value_size;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, m->key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue; /* deleted meanwhile */
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->mem = xrealloc(out->mem, cap * (ksz + vsz));
		}
		uint8_t *k = out->mem + out->n * (ksz + vsz), *v = k + ksz;
		if (m->nkeys > 0)
			expand(obj, &m->key, key, k);
		else
			memset(k, 0, 8);
		if (hist)
			memcpy(k + ksz - 8, key + m->key_size - 8, 8);
		if (deep(&m->value))
			expand(obj, &m->value, val, v);
		else
			memcpy(v, val, vsz);
		out->n++;
	}
	out->ents = calloc(out->n ? out->n : 1, sizeof(*out->ents));
	for (size_t i = 0; i < out->n; i++) {
		out->ents[i].key = out->mem + i * (ksz + vsz);
		out->ents[i].value = out->ents[i].key + ksz;
	}
	free(key);
	free(next);
	free(val);
	return 0;
}

void mapread_free(struct map_dump *d)
{
	free(d->ents);
	free(d->mem);
	memset(d, 0, sizeof(*d));
}

/* clear(@m) deletes every element; zero(@m) keeps the keys and zeroes
 * the values (all CPUs' slots for per-CPU maps). */
int mapread_clear(struct bpf_object *obj, const struct map_info *m, bool zero, int ncpu)
{
	bool percpu = gt_is_aggregation(m->value.kind);
	unsigned vbytes = percpu ? gt_align8(m->value_size) * ncpu : m->value_size;
	int fd = data_fd(obj, m);
	uint8_t *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	uint8_t *val = calloc(1, vbytes);
	bool first = true;

	if (fd < 0)
		return fd;
	/* An array's slots cannot be deleted: clearing one zeroes it. */
	if (m->bpf_type == BPF_MAP_TYPE_PERCPU_ARRAY)
		zero = true;
	/* Deleting while iterating restarts the walk, so always ask for the
	 * first key when clearing. */
	while (bpf_map_get_next_key(fd, first || !zero ? NULL : key, next) == 0) {
		first = false;
		memcpy(key, next, m->key_size);
		if (zero)
			bpf_map_update_elem(fd, key, val, BPF_EXIST);
		else if (bpf_map_delete_elem(fd, key))
			break;
	}
	free(key);
	free(next);
	free(val);
	return 0;
}
