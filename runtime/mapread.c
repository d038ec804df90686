/*
 * Reading maps out of the kernel for printing, clearing and zeroing.
 *
 * Deep stacks are kept in BPF as a reference (struct gt_stack_ref: the
 * hash of the frames) into a stack store, since a hash key may not
 * exceed 512 bytes; here they are swapped for the frames themselves, in
 * map entries and in printf() and print() records alike, so the printer
 * only ever sees struct gt_stack.
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

/* Whether values of type t hold references into the stack store of
 * (user, depth). */
static bool uses_store(const struct gt_type *t, bool user, int depth)
{
	if (t->kind == GT_TUPLE) {
		for (int i = 0; i < t->nelems; i++)
			if (uses_store(&t->elems[i], user, depth))
				return true;
		return false;
	}
	return deep(t) && (t->kind == GT_USTACK) == user && t->depth == depth;
}

/* References whose stack was not in the store when printed: see
 * mapread_clear(). */
static uint64_t refs_missing[2];

uint64_t mapread_refs_missing(bool user)
{
	return refs_missing[user];
}

bool mapread_has_ref(const struct gt_type *t)
{
	if (t->kind == GT_TUPLE) {
		for (int i = 0; i < t->nelems; i++)
			if (mapread_has_ref(&t->elems[i]))
				return true;
		return false;
	}
	return deep(t);
}

struct gt_type mapread_type(const struct gt_type *t)
{
	struct gt_type e = *t;

	if (deep(t)) {
		e.by_id = false;
		e.size = 8 + 8 * t->depth;
	} else if (t->kind == GT_TUPLE) {
		e.elems = xcalloc(t->nelems, sizeof(*e.elems));
		e.size = 0;
		for (int i = 0; i < t->nelems; i++) {
			e.elems[i] = mapread_type(&t->elems[i]);
			e.size += gt_align8(e.elems[i].size);
		}
	}
	return e;
}

void mapread_type_free(struct gt_type *t)
{
	if (t->kind != GT_TUPLE)
		return;
	for (int i = 0; i < t->nelems; i++)
		mapread_type_free(&t->elems[i]);
	free(t->elems);
	t->elems = NULL;
}

/* A deep stack: its frames from the store, or none if the store did not
 * keep them (counted in BPF, reported at exit). */
static void expand_ref(struct bpf_object *obj, const struct gt_type *t,
		       const uint8_t *src, struct gt_stack *st)
{
	struct gt_stack_ref ref;
	char name[16];

	memcpy(&ref, src, sizeof(ref));
	memset(st, 0, 8 + 8 * t->depth);
	st->pid = ref.pid;
	plan_stack_map_name(name, sizeof(name), t->kind == GT_USTACK, t->depth);
	if (!ref.hash)
		return;
	if (bpf_map_lookup_elem(map_fd(obj, name), &ref.hash, st->ip)) {
		refs_missing[t->kind == GT_USTACK]++;
		return;
	}
	while (st->nr < (uint32_t)t->depth && st->ip[st->nr])
		st->nr++;
}

void mapread_value(struct bpf_object *obj, const struct gt_type *t,
		   const uint8_t *src, uint8_t *dst)
{
	if (t->kind == GT_TUPLE) {
		unsigned so = 0, dof = 0;
		for (int i = 0; i < t->nelems; i++) {
			struct gt_type e = mapread_type(&t->elems[i]);
			mapread_value(obj, &t->elems[i], src + so, dst + dof);
			so += gt_align8(t->elems[i].size);
			dof += gt_align8(e.size);
			mapread_type_free(&e);
		}
		return;
	}
	if (deep(t))
		expand_ref(obj, t, src, (struct gt_stack *)dst);
	else
		memcpy(dst, src, t->size);
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
	out->desc.key = m->nkeys > 0 ? mapread_type(&m->key) : (struct gt_type){ .kind = GT_NONE };
	out->desc.value = mapread_type(&m->value);
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
			mapread_value(obj, &m->key, key, k);
		else
			memset(k, 0, 8);
		if (hist)
			memcpy(k + ksz - 8, key + m->key_size - 8, 8);
		if (deep(&m->value))
			mapread_value(obj, &m->value, val, v);
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
	mapread_type_free(&d->desc.key);
	mapread_type_free(&d->desc.value);
	free(d->ents);
	free(d->mem);
	memset(d, 0, sizeof(*d));
}

/* Deletes every element of one map. */
static void delete_all(int fd, unsigned key_size)
{
	uint8_t *key = calloc(1, key_size);

	/* deleting while iterating restarts the walk: always ask for the
	 * first key */
	while (key && bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			break;
	free(key);
}

/* The stack stores that only m refers to, emptied (t is m's key or
 * value, or an element of one): the stacks in them are m's, so a long run
 * that prints and clears a map keyed by ustack every second does not fill
 * its store with every stack it ever saw and then lose the new ones. A
 * store another map or a printf also refers to is kept. The store goes
 * before the map: a probe that finds a stack in the store and then adds
 * m's key would have to straddle both. Should one do so, its stack prints
 * empty and is counted with the lost ones (refs_missing). */
static void clear_stores(struct bpf_object *obj, const struct plan *plan,
			 const struct map_info *m, const struct gt_type *t)
{
	bool user = t->kind == GT_USTACK, others = false;
	char name[16];
	int fd;

	if (t->kind == GT_TUPLE) {
		for (int i = 0; i < t->nelems; i++)
			clear_stores(obj, plan, m, &t->elems[i]);
		return;
	}
	if (!deep(t))
		return;
	for (int i = 0; i < plan->nmaps && !others; i++)
		others = plan->maps[i] != m && (uses_store(&plan->maps[i]->key, user, t->depth) ||
						 uses_store(&plan->maps[i]->value, user, t->depth));
	for (int i = 0; i < plan->nasync && !others; i++)
		for (int j = 0; j < plan->async[i].nargs && !others; j++)
			others = uses_store(&plan->async[i].args[j], user, t->depth);
	plan_stack_map_name(name, sizeof(name), user, t->depth);
	if (!others && (fd = map_fd(obj, name)) >= 0)
		delete_all(fd, 8);
}

/* clear(@m) deletes every element; zero(@m) keeps the keys and zeroes
 * the values (all CPUs' slots for per-CPU maps). */
int mapread_clear(struct bpf_object *obj, const struct plan *plan, const struct map_info *m,
		  bool zero, int ncpu)
{
	bool percpu = gt_is_aggregation(m->value.kind);
	unsigned vbytes = percpu ? gt_align8(m->value_size) * ncpu : m->value_size;
	int fd = data_fd(obj, m);
	uint8_t *key, *next, *val;

	if (fd < 0)
		return fd;
	/* An array's slots cannot be deleted: clearing one zeroes it. */
	if (!zero && m->bpf_type != BPF_MAP_TYPE_PERCPU_ARRAY) {
		clear_stores(obj, plan, m, &m->key);
		clear_stores(obj, plan, m, &m->value);
		delete_all(fd, m->key_size);
		return 0;
	}
	key = calloc(1, m->key_size);
	next = calloc(1, m->key_size);
	val = calloc(1, vbytes);
	for (bool first = true; key && next && val &&
	     bpf_map_get_next_key(fd, first ? NULL : key, next) == 0; first = false) {
		memcpy(key, next, m->key_size);
		bpf_map_update_elem(fd, key, val, BPF_EXIST);
	}
	free(key);
	free(next);
	free(val);
	return 0;
}
