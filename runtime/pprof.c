/*
 * --pprof FILE: the maps keyed by a user stack (go_ustack or ustack, alone
 * or with other keys), as one gzipped profile in pprof's format
 * (runtime/profile.proto, encoded by protobuf-c), for `go tool pprof`.
 *
 * A map's contents go into the profile whenever they would be lost:
 * before clear() or zero() empties it, and at exit. So a script that
 * prints and clears a window every few seconds (examples/mallocgc_stack.gt)
 * gives a profile of the whole run, and nothing is counted twice.
 *
 * - Each map gives a sample type named after it and its aggregation:
 *   @allocs = count() is allocs/count, @bytes = sum(x) is bytes/bytes
 *   (the map's name is the unit), an unnamed map is samples. A map a
 *   profile:hz:N probe fills gives samples/count and cpu/nanoseconds
 *   (count times the period), with the period set, so that pprof shows
 *   CPU time. Other aggregations (avg, min, max, stats, hist) are left
 *   out.
 * - The map's other keys become labels, named as the key was written
 *   (goid, comm, $x, a Go field's name): numbers as numeric labels,
 *   everything else as text.
 * - A frame is a Location with one Line per function inlined there,
 *   innermost first, as pprof represents inlining; function names, files
 *   and lines come from the binary (the pclntab for Go), and Mappings
 *   name the file and its build ID.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "common/alloc.h"
#include "profile.pb-c.h"
#include "runtime/out_int.h"
#include "runtime/pprof.h"
#include "runtime/run.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;

#define MAX_INLINE 16

/* A growable array of pointers. */
struct vec {
	void **v;
	size_t n, cap;
};

static void push(struct vec *a, void *p)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = p;
}

/* Interned keys (a string, or bytes such as a pid and an address) to
 * 1-based ids, in one open-addressing table per kind. */
struct intern {
	char **keys;
	size_t *lens;
	uint64_t *ids;
	size_t nslots, n;
};

static uint64_t hash(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* The id of key, and whether it is new (*fresh), numbered from `first`. */
static uint64_t intern(struct intern *t, const void *key, size_t len, uint64_t first, bool *fresh)
{
	size_t i;

	if (2 * (t->n + 1) > t->nslots) {
		struct intern old = *t;

		t->nslots = t->nslots ? 2 * t->nslots : 1024;
		t->keys = xcalloc(t->nslots, sizeof(*t->keys));
		t->lens = xcalloc(t->nslots, sizeof(*t->lens));
		t->ids = xcalloc(t->nslots, sizeof(*t->ids));
		for (size_t j = 0; j < old.nslots; j++) {
			if (!old.keys[j])
				continue;
			for (i = hash(old.keys[j], old.lens[j]) & (t->nslots - 1); t->keys[i];
			     i = (i + 1) & (t->nslots - 1))
				;
			t->keys[i] = old.keys[j];
			t->lens[i] = old.lens[j];
			t->ids[i] = old.ids[j];
		}
		free(old.keys);
		free(old.lens);
		free(old.ids);
	}
	for (i = hash(key, len) & (t->nslots - 1); t->keys[i]; i = (i + 1) & (t->nslots - 1)) {
		if (t->lens[i] == len && !memcmp(t->keys[i], key, len)) {
			*fresh = false;
			return t->ids[i];
		}
	}
	t->keys[i] = xcalloc(1, len + 1);
	memcpy(t->keys[i], key, len);
	t->lens[i] = len;
	t->ids[i] = first + t->n++;
	*fresh = true;
	return t->ids[i];
}

struct pprof {
	const struct plan *plan;
	int *first_type;	/* per map id: its first sample type, -1 none */
	struct vec types;	/* ValueType * */
	struct vec strings;	/* char * */
	struct intern string_ids, location_ids, function_ids, mapping_ids;
	struct vec samples, locations, functions, mappings;
	uint64_t period_ns;	/* of the first profile-probe map */
	uint64_t start_ns;
	const char *path;
	gzFile gz;		/* opened at the start: a bad path fails first */
};

static int64_t str(struct pprof *p, const char *s)
{
	bool fresh;
	uint64_t id = intern(&p->string_ids, s, strlen(s), 0, &fresh);

	if (fresh)
		push(&p->strings, xstrdup(s));
	return (int64_t)id;
}

static ValueType *value_type(struct pprof *p, const char *type, const char *unit)
{
	ValueType *v = xcalloc(1, sizeof(*v));

	perftools__profiles__value_type__init(v);
	v->type = str(p, type);
	v->unit = str(p, unit);
	return v;
}

struct pprof *pprof_new(const struct plan *plan, const char *path, char *err, size_t errlen)
{
	struct pprof *p;
	struct timespec ts;
	gzFile gz = gzopen(path, "wb");

	if (!gz) {
		snprintf(err, errlen, "--pprof: cannot write %s: %s", path,
			 errno ? strerror(errno) : "gzopen failed");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->path = path;
	p->gz = gz;
	p->plan = plan;
	p->first_type = xcalloc(plan->nmaps ? plan->nmaps : 1, sizeof(*p->first_type));
	for (int i = 0; i < plan->nmaps; i++)
		p->first_type[i] = -1;
	str(p, "");	/* string 0 */
	clock_gettime(CLOCK_REALTIME, &ts);
	p->start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return p;
}

/* The index of the first user stack among a map's keys, or -1. */
static int stack_key(const struct gt_type *key)
{
	if (key->kind != GT_TUPLE)
		return -1;
	for (int i = 0; i < key->nelems; i++)
		if (key->elems[i].kind == GT_USTACK)
			return i;
	return -1;
}

bool pprof_keyed_by_stack(const struct map_info *m)
{
	return m->nkeys > 0 && stack_key(&m->key) >= 0;
}

bool pprof_wants(const struct map_info *m)
{
	enum gt_kind v = m->value.kind;

	return pprof_keyed_by_stack(m) && (v == GT_COUNT || v == GT_SUM || v == GT_INT);
}

/* The sample types of map m, made on first use. */
static int types_of(struct pprof *p, const struct map_info *m)
{
	const char *name = m->name[1] ? m->name + 1 : "samples";
	bool sum = m->value.kind == GT_SUM || m->value.kind == GT_INT;

	if (p->first_type[m->id] >= 0)
		return p->first_type[m->id];
	p->first_type[m->id] = (int)p->types.n;
	push(&p->types, value_type(p, name, sum ? name : "count"));
	if (m->sample_period_ns && !sum) {
		push(&p->types, value_type(p, "cpu", "nanoseconds"));
		if (!p->period_ns)
			p->period_ns = m->sample_period_ns;
	}
	return p->first_type[m->id];
}

static uint64_t mapping_id(struct pprof *p, uint32_t pid, uint64_t addr)
{
	struct proc_map pm;
	struct { uint32_t pid; uint64_t start; } key = { 0 };
	char build_id[128];
	bool fresh;
	uint64_t id;
	Mapping *m;

	if (proc_mapping((pid_t)pid, addr, &pm))
		return 0;
	key.pid = pid;
	key.start = pm.start;
	id = intern(&p->mapping_ids, &key, sizeof(key), 1, &fresh);
	if (!fresh)
		return id;
	m = xcalloc(1, sizeof(*m));
	perftools__profiles__mapping__init(m);
	m->id = id;
	m->memory_start = pm.start;
	m->memory_limit = pm.end;
	m->file_offset = pm.off;
	m->filename = str(p, pm.path);
	if (pm.bin && bin_build_id(pm.bin, build_id, sizeof(build_id)) == 0)
		m->build_id = str(p, build_id);
	m->has_functions = m->has_filenames = m->has_line_numbers = m->has_inline_frames =
		pm.bin != NULL;
	push(&p->mappings, m);
	return id;
}

static uint64_t function_id(struct pprof *p, const struct bin_frame *f)
{
	char key[1024];
	bool fresh;
	uint64_t id;
	Function *fn;
	int n = snprintf(key, sizeof(key), "%s%c%s", f->func, 0, f->file ? f->file : "");

	id = intern(&p->function_ids, key, n < (int)sizeof(key) ? (size_t)n : sizeof(key), 1,
		    &fresh);
	if (!fresh)
		return id;
	fn = xcalloc(1, sizeof(*fn));
	perftools__profiles__function__init(fn);
	fn->id = id;
	fn->name = fn->system_name = str(p, f->func);
	fn->filename = str(p, f->file ? f->file : "");
	push(&p->functions, fn);
	return id;
}

/* The Location of one frame: the first holds the sampled instruction,
 * the others return addresses, which are symbolized one byte back so a
 * call at the very end of a function, or inlined, is its own. */
static uint64_t location_id(struct pprof *p, uint32_t pid, uint64_t addr, bool is_return)
{
	struct { uint32_t pid, ret; uint64_t addr; } key = { pid, is_return, addr };
	struct bin_frame frames[MAX_INLINE];
	bool fresh;
	uint64_t id = intern(&p->location_ids, &key, sizeof(key), 1, &fresh), pc;
	Location *l;
	int n;

	if (!fresh)
		return id;
	pc = is_return ? addr - 1 : addr;
	l = xcalloc(1, sizeof(*l));
	perftools__profiles__location__init(l);
	l->id = id;
	l->address = pc;
	l->mapping_id = mapping_id(p, pid, addr);
	n = proc_symbolize((pid_t)pid, pc, frames, MAX_INLINE);
	if (n > 0 && n <= MAX_INLINE && frames[n - 1].func) {
		l->n_line = (size_t)n;
		l->line = xcalloc((size_t)n, sizeof(*l->line));
		for (int i = 0; i < n; i++) {
			Line *ln = xcalloc(1, sizeof(*ln));

			perftools__profiles__line__init(ln);
			if (frames[i].func)
				ln->function_id = function_id(p, &frames[i]);
			ln->line = frames[i].line;
			l->line[i] = ln;
		}
	}
	push(&p->locations, l);
	return id;
}

/* An empty stack (a thread of another process, a kernel thread): one
 * pseudo-function, so that pprof shows where those samples went, and its
 * totals are the ones gotrace printed. */
static uint64_t no_stack(struct pprof *p)
{
	static const struct bin_frame f = { .func = "[no user stack]" };
	struct { uint32_t pid, ret; uint64_t addr; } key = { 0, 2, 0 };
	bool fresh;
	uint64_t id = intern(&p->location_ids, &key, sizeof(key), 1, &fresh);
	Location *l;

	if (!fresh)
		return id;
	l = xcalloc(1, sizeof(*l));
	perftools__profiles__location__init(l);
	l->id = id;
	l->n_line = 1;
	l->line = xcalloc(1, sizeof(*l->line));
	l->line[0] = xcalloc(1, sizeof(**l->line));
	perftools__profiles__line__init(l->line[0]);
	l->line[0]->function_id = function_id(p, &f);
	push(&p->locations, l);
	return id;
}

/* Key element i (not the stack) as a label. */
static Label *label(struct pprof *p, const struct map_info *m, int i, const uint8_t *key)
{
	const struct gt_type *t = &m->key.elems[i];
	const uint8_t *v = key + out_tuple_offset(&m->key, i);
	Label *l = xcalloc(1, sizeof(*l));
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	perftools__profiles__label__init(l);
	l->key = str(p, m->key_names && m->key_names[i] ? m->key_names[i] : "key");
	if (t->kind == GT_INT && !t->hex) {
		l->num = out_int_read(t, v);
		return l;
	}
	if ((f = open_memstream(&buf, &len))) {
		out_text_write(f, t, v, 0);
		fclose(f);
	}
	l->str = str(p, buf ? buf : "");
	free(buf);
	return l;
}

void pprof_add(struct pprof *p, struct bpf_object *obj, const struct map_info *m, int ncpu)
{
	struct map_dump d;
	int first, si;

	if (!pprof_wants(m) || mapread_dump(obj, m, ncpu, &d))
		return;
	first = types_of(p, m);
	si = stack_key(&m->key);
	for (size_t e = 0; e < d.n; e++) {
		const uint8_t *key = d.ents[e].key, *v = d.ents[e].value;
		const struct gt_stack *st = (const void *)(key + out_tuple_offset(&d.desc.key, si));
		int64_t value = 0;
		Sample *s;

		for (int c = 0; c < (d.desc.percpu ? ncpu : 1); c++, v += out_cpu_stride(&d.desc))
			value += out_int_read(&d.desc.value, v);
		if (!value)
			continue;
		s = xcalloc(1, sizeof(*s));
		perftools__profiles__sample__init(s);
		/* values are filled in when the number of types is final */
		s->n_value = (size_t)first;
		s->value = xcalloc(2, sizeof(*s->value));
		s->value[0] = value;
		s->value[1] = m->sample_period_ns && m->value.kind == GT_COUNT ?
			      value * (int64_t)m->sample_period_ns : 0;
		s->location_id = xcalloc(st->nr ? st->nr : 1, sizeof(*s->location_id));
		for (uint32_t k = 0; k < st->nr && (int)k < d.desc.key.elems[si].depth; k++)
			s->location_id[s->n_location_id++] = location_id(p, st->pid, st->ip[k], k > 0);
		if (!s->n_location_id)
			s->location_id[s->n_location_id++] = no_stack(p);
		s->label = xcalloc((size_t)m->nkeys, sizeof(*s->label));
		for (int k = 0; k < m->nkeys; k++)
			if (k != si)
				s->label[s->n_label++] = label(p, m, k, key);
		push(&p->samples, s);
		bin_cache_trim();	/* the sample's strings are copies */
	}
	mapread_free(&d);
}

/* Each sample's values: zeros except its own map's types. */
static void spread_values(struct pprof *p)
{
	for (size_t i = 0; i < p->samples.n; i++) {
		Sample *s = p->samples.v[i];
		int first = (int)s->n_value;
		int64_t *v = xcalloc(p->types.n, sizeof(*v));

		v[first] = s->value[0];
		if (s->value[1] && (size_t)first + 1 < p->types.n)
			v[first + 1] = s->value[1];
		free(s->value);
		s->value = v;
		s->n_value = p->types.n;
	}
}

int pprof_write(struct pprof *p, char *err, size_t errlen)
{
	Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct timespec ts;
	uint8_t *buf;
	size_t len;
	gzFile gz;
	int n;

	spread_values(p);
	prof.sample_type = (ValueType **)p->types.v;
	prof.n_sample_type = p->types.n;
	prof.sample = (Sample **)p->samples.v;
	prof.n_sample = p->samples.n;
	prof.mapping = (Mapping **)p->mappings.v;
	prof.n_mapping = p->mappings.n;
	prof.location = (Location **)p->locations.v;
	prof.n_location = p->locations.n;
	prof.function = (Function **)p->functions.v;
	prof.n_function = p->functions.n;
	if (p->period_ns) {
		prof.period_type = value_type(p, "cpu", "nanoseconds");
		prof.period = (int64_t)p->period_ns;
	}
	prof.string_table = (char **)p->strings.v;
	prof.n_string_table = p->strings.n;
	prof.time_nanos = (int64_t)p->start_ns;
	clock_gettime(CLOCK_REALTIME, &ts);
	prof.duration_nanos = (int64_t)((uint64_t)ts.tv_sec * 1000000000ull +
					(uint64_t)ts.tv_nsec - p->start_ns);
	len = perftools__profiles__profile__get_packed_size(&prof);
	buf = xcalloc(1, len ? len : 1);
	perftools__profiles__profile__pack(&prof, buf);
	gz = p->gz;
	p->gz = NULL;
	n = len ? gzwrite(gz, buf, (unsigned)len) : 0;
	free(buf);
	if (gzclose(gz) != Z_OK || (size_t)n != len) {
		snprintf(err, errlen, "--pprof: cannot write %s", p->path);
		return -EIO;
	}
	return 0;
}

void pprof_discard(struct pprof *p)
{
	if (p && p->gz) {
		gzclose(p->gz);
		p->gz = NULL;
		unlink(p->path);
	}
}

size_t pprof_nsamples(const struct pprof *p)
{
	return p->samples.n;
}
