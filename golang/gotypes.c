/*
 * Go types from the runtime's own type descriptors, which every Go binary
 * keeps, stripped or not: what struct layouts, element types and type
 * names stripped binaries have, and what `go_typename` prints.
 *
 * A descriptor (runtime._type, internal/abi.Type since go1.21) is, on
 * 64-bit targets, 48 bytes, unchanged from go1.17 to go1.26:
 *
 *   0 size uintptr   8 ptrdata   16 hash u32   20 tflag u8   21 align u8
 *   22 fieldAlign u8   23 kind u8 (& 0x1f: reflect.Kind)   24 equal ptr
 *   32 gcdata ptr   40 str nameOff i32   44 ptrToThis typeOff i32
 *
 * followed by the kind's own part: elem *_type at 48 for pointers, slices
 * and chans; elem, slice, len at 48, 56, 64 for arrays; key, elem at 48,
 * 56 for maps (old and swiss alike); pkgPath name at 48 and methods
 * []imethod at 56 for interfaces; pkgPath name at 48 and fields
 * []structField at 56 for structs, each field { name *byte, typ *_type,
 * offset uintptr } (before go1.19 offsetAnon: offset << 1 | embedded).
 * With tflag & 1, an uncommonType { pkgPath nameOff, ... } follows.
 *
 * A nameOff or typeOff is an offset from moduledata.types. A name is a
 * flags byte (bit 3: embedded field, go1.19+), then the length as a
 * uvarint (go1.17+; before, two bytes big-endian), then the bytes. With
 * tflag & 2 (extraStar) the stored string has a '*' to drop.
 *
 * Types are decoded on first use, cached by address for the life of the
 * binary, and filled in after they enter the cache, so recursive types
 * (type List struct { next *List }) end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/diag.h"
#include "golang/gopcln.h"

#define TYPE_SIZE 48
#define TFLAG_UNCOMMON 1
#define TFLAG_EXTRA_STAR 2
#define KIND_MASK 0x1f
#define MAX_FIELDS 4096

/* Decoded types by descriptor address: an open-addressing hash, and the
 * order they were decoded in. */
struct rt_cache {
	uint64_t *slot_addr;
	struct go_type **slot_type;
	size_t nslots;
	struct go_type **all;
	size_t n, cap;
};

/* The module's types section and typelinks (moduledata words, which move
 * from release to release: we take the first layout whose values make
 * sense). */
struct rt_module {
	bool done, ok;
	uint64_t types, etypes;
	uint64_t typelinks, ntypelinks;
	int minor;
	struct rt_cache cache;
};

static bool u8_at(struct bin *b, uint64_t a, uint8_t *v);
static bool u32_at(struct bin *b, uint64_t a, uint32_t *v);

/* Do the first typelinks of a candidate layout lead to descriptors that
 * look like types (a known kind, a name inside the types section)? */
static bool plausible(struct bin *b, uint64_t types, uint64_t etypes, uint64_t tl, uint64_t n)
{
	for (uint64_t i = 0; i < n && i < 8; i++) {
		uint32_t off, str;
		uint8_t kind;

		if (!u32_at(b, tl + 4 * i, &off) || off >= etypes - types ||
		    !u8_at(b, types + off + 23, &kind) || (kind & KIND_MASK) == 0 ||
		    (kind & KIND_MASK) > GO_UNSAFEPOINTER || !u32_at(b, types + off + 40, &str) ||
		    !str || str >= etypes - types)
			return false;
	}
	return n > 0;
}

/* moduledata word indexes of types and typelinks for a release. */
static bool layout_of(int minor, int i, int *types, int *typelinks)
{
	static const struct { int from, types, typelinks; } layouts[] = {
		{ 26, 37, 45 },	/* go1.26: epclntab added */
		{ 20, 37, 44 },	/* go1.20-1.25: covctrs added */
		{ 18, 35, 42 },	/* go1.18-1.19: rodata and gofunc added */
		{ 16, 35, 40 },	/* go1.16-1.17: pcHeader, funcnametab, cutab */
		{ 0, 25, 30 },	/* go1.15 and a few releases before */
	};
	int n = (int)(sizeof(layouts) / sizeof(*layouts)), k = 0;

	/* the release's own layout first, then the others */
	while (k < n && minor >= 0 && minor < layouts[k].from)
		k++;
	if (i > 0)
		k = (k + i) % n;
	if (i >= n)
		return false;
	*types = layouts[k].types;
	*typelinks = layouts[k].typelinks;
	return true;
}

static struct rt_module *module(struct bin *b)
{
	struct go_pcln *g = b->go;
	struct rt_module *m;
	int tw, lw;

	if (!g)
		return NULL;
	if (!g->types)
		g->types = xcalloc(1, sizeof(struct rt_module));
	m = g->types;
	if (m->done)
		return m->ok ? m : NULL;
	m->done = true;
	m->minor = bin_go_minor(b);
	for (int i = 0; !m->ok && layout_of(m->minor, i, &tw, &lw); i++) {
		uint64_t t, e, tl, n, cap;

		if (!go_moduledata_word(b, tw, &t) || !go_moduledata_word(b, tw + 1, &e) ||
		    !go_moduledata_word(b, lw, &tl) || !go_moduledata_word(b, lw + 1, &n) ||
		    !go_moduledata_word(b, lw + 2, &cap))
			continue;
		if (!t || e <= t || e - t > (1ull << 31) || n != cap || n > (1u << 24) ||
		    !bin_at_vaddr(b, tl, n * 4) || !plausible(b, t, e, tl, n))
			continue;
		m->ok = true;
		m->types = t;
		m->etypes = e;
		m->typelinks = tl;
		m->ntypelinks = n;
	}
	return m->ok ? m : NULL;
}

static bool u8_at(struct bin *b, uint64_t a, uint8_t *v)
{
	const uint8_t *p = bin_at_vaddr(b, a, 1);

	return p && (*v = *p, true);
}

static bool u32_at(struct bin *b, uint64_t a, uint32_t *v)
{
	const uint8_t *p = bin_at_vaddr(b, a, 4);

	return p && (memcpy(v, p, 4), true);
}

static bool ptr_at(struct bin *b, uint64_t a, uint64_t *v)
{
	return bin_read_ptr(b, a, 8, v) == 0;
}

/* A name at address a: its string (malloc'd) and flags, or NULL. */
static char *name_at(struct bin *b, struct rt_module *m, uint64_t a, uint8_t *flags)
{
	uint64_t len = 0;
	unsigned shift = 0, hdr = 1;
	const uint8_t *p;
	uint8_t c;

	if (!u8_at(b, a, flags))
		return NULL;
	if (m->minor >= 0 && m->minor < 17) {
		const uint8_t *l = bin_at_vaddr(b, a + 1, 2);

		if (!l)
			return NULL;
		len = (uint64_t)l[0] << 8 | l[1];
		hdr = 3;
	} else {
		do {
			if (!u8_at(b, a + hdr++, &c) || shift > 28)
				return NULL;
			len |= (uint64_t)(c & 0x7f) << shift;
			shift += 7;
		} while (c & 0x80);
	}
	if (len > 65536 || !(p = bin_at_vaddr(b, a + hdr, len)))
		return NULL;
	return strndup((const char *)p, len);
}

static char *name_off(struct bin *b, struct rt_module *m, int32_t off)
{
	uint8_t flags;

	return off <= 0 || m->types + (uint64_t)off >= m->etypes ? NULL :
	       name_at(b, m, m->types + (uint64_t)off, &flags);
}

static size_t slot_of(const struct rt_cache *c, uint64_t a)
{
	size_t i = (size_t)((a * 0x9e3779b97f4a7c15ull) >> 20) & (c->nslots - 1);

	while (c->slot_addr[i] && c->slot_addr[i] != a)
		i = (i + 1) & (c->nslots - 1);
	return i;
}

static struct go_type *cached(struct rt_cache *c, uint64_t a)
{
	return c->nslots ? c->slot_type[slot_of(c, a)] : NULL;
}

static void remember(struct rt_cache *c, uint64_t a, struct go_type *t)
{
	if (2 * (c->n + 1) > c->nslots) {
		struct rt_cache old = *c;

		c->nslots = c->nslots ? 2 * c->nslots : 1024;
		c->slot_addr = xcalloc(c->nslots, sizeof(*c->slot_addr));
		c->slot_type = xcalloc(c->nslots, sizeof(*c->slot_type));
		for (size_t i = 0; i < old.nslots; i++) {
			if (old.slot_addr[i]) {
				size_t j = slot_of(c, old.slot_addr[i]);

				c->slot_addr[j] = old.slot_addr[i];
				c->slot_type[j] = old.slot_type[i];
			}
		}
		free(old.slot_addr);
		free(old.slot_type);
	}
	size_t j = slot_of(c, a);
	c->slot_addr[j] = a;
	c->slot_type[j] = t;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->all = xrealloc(c->all, c->cap * sizeof(*c->all));
	}
	c->all[c->n++] = t;
}

static const struct go_type *decode(struct bin *b, struct rt_module *m, uint64_t a, int depth);

static const struct go_type *type_ptr(struct bin *b, struct rt_module *m, uint64_t at, int depth)
{
	uint64_t a;

	return ptr_at(b, at, &a) && a ? decode(b, m, a, depth + 1) : NULL;
}

/* A struct's fields: []structField at a + 56. */
static void fields(struct bin *b, struct rt_module *m, uint64_t a, struct go_type *t, int depth)
{
	uint64_t arr, n;
	struct go_field *f;

	if (!ptr_at(b, a + 56, &arr) || !ptr_at(b, a + 64, &n) || n > MAX_FIELDS)
		return;
	f = xcalloc(n, sizeof(*f));
	for (uint64_t i = 0; i < n; i++) {
		uint64_t fa = arr + 24 * i, np, off;
		uint8_t flags = 0;

		if (!ptr_at(b, fa, &np) || !ptr_at(b, fa + 16, &off))
			break;
		f[i].name = np ? name_at(b, m, np, &flags) : NULL;
		f[i].type = type_ptr(b, m, fa + 8, depth);
		if (m->minor >= 0 && m->minor < 19) {
			f[i].embedded = off & 1;
			off >>= 1;
		} else {
			f[i].embedded = flags & 8;
		}
		f[i].offset = off;
		if (!f[i].name)
			f[i].name = xstrdup("?");
		t->nfields = (int)i + 1;
	}
	t->fields = f;
}

/* The import path of a named type, from its uncommonType, which follows
 * the kind's own part. */
static char *pkgpath(struct bin *b, struct rt_module *m, uint64_t a, uint8_t tflag,
		     enum go_kind k)
{
	static const uint8_t extra[32] = {
		[GO_ARRAY] = 24, [GO_CHAN] = 16, [GO_FUNC] = 8, [GO_INTERFACE] = 32,
		[GO_MAP] = 48, [GO_POINTER] = 8, [GO_SLICE] = 8, [GO_STRUCT] = 32,
	};
	uint32_t off;

	if (!(tflag & TFLAG_UNCOMMON))
		return NULL;
	if (k == GO_MAP && m->minor >= 24)
		return NULL;	/* swiss map types: a different size; not needed */
	if (!u32_at(b, a + TYPE_SIZE + extra[k], &off))
		return NULL;
	return name_off(b, m, (int32_t)off);
}

static void fill(struct bin *b, struct rt_module *m, uint64_t a, struct go_type *t, int depth)
{
	uint8_t tflag, kind;
	uint32_t str;
	uint64_t size, v;
	char *name;

	if (!ptr_at(b, a, &size) || !u8_at(b, a + 20, &tflag) || !u8_at(b, a + 23, &kind) ||
	    !u32_at(b, a + 40, &str))
		return;
	t->kind = (enum go_kind)(kind & KIND_MASK);
	t->size = size;
	name = name_off(b, m, (int32_t)str);
	if (name && (tflag & TFLAG_EXTRA_STAR) && name[0] == '*')
		memmove(name, name + 1, strlen(name));
	t->name = name ? name : xstrdup("?");
	t->pkgpath = pkgpath(b, m, a, tflag, t->kind);
	switch (t->kind) {
	case GO_POINTER: case GO_SLICE: case GO_CHAN:
		t->elem = type_ptr(b, m, a + 48, depth);
		break;
	case GO_ARRAY:
		t->elem = type_ptr(b, m, a + 48, depth);
		if (ptr_at(b, a + 64, &v))
			t->len = v;
		break;
	case GO_MAP:
		t->key = type_ptr(b, m, a + 48, depth);
		t->elem = type_ptr(b, m, a + 56, depth);
		break;
	case GO_INTERFACE:
		t->empty_iface = ptr_at(b, a + 64, &v) && v == 0;
		break;
	case GO_STRUCT:
		fields(b, m, a, t, depth);
		break;
	default:
		break;
	}
}

static const struct go_type *decode(struct bin *b, struct rt_module *m, uint64_t a, int depth)
{
	struct go_type *t;

	if (a < m->types || a >= m->etypes || depth > 64)
		return NULL;
	if ((t = cached(&m->cache, a)))
		return t;
	t = xcalloc(1, sizeof(*t));
	t->rtype = a;
	remember(&m->cache, a, t);
	fill(b, m, a, t, depth);
	return t;
}

const struct go_type *bin_go_type_at(struct bin *b, uint64_t vaddr)
{
	struct rt_module *m;
	const struct go_type *t;

	pthread_mutex_lock(&b->types_lock);
	m = module(b);
	t = m ? decode(b, m, vaddr, 0) : NULL;
	pthread_mutex_unlock(&b->types_lock);
	return t;
}

void bin_type_free(struct go_type *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nfields; i++)
		free(t->fields[i].name);
	free(t->fields);
	free(t->name);
	free(t->pkgpath);
	free(t);
}

void go_types_free(struct go_pcln *g)
{
	struct rt_module *m = g->types;

	if (!m)
		return;
	for (size_t i = 0; i < m->cache.n; i++)
		bin_type_free(m->cache.all[i]);
	free(m->cache.all);
	free(m->cache.slot_addr);
	free(m->cache.slot_type);
	free(m);
	g->types = NULL;
}

/* Calls cb for every type the typelinks name and every type they reach
 * (elements, fields, keys), each once, until it returns true. */
static const struct go_type *walk(struct bin *b, struct rt_module *m,
				  bool (*cb)(const struct go_type *t, void *arg), void *arg)
{
	for (uint64_t i = 0; i < m->ntypelinks; i++) {
		uint32_t off;

		if (u32_at(b, m->typelinks + 4 * i, &off))
			decode(b, m, m->types + off, 0);
	}
	/* decode() grew the cache with everything reachable */
	for (size_t i = 0; i < m->cache.n; i++)
		if (cb(m->cache.all[i], arg))
			return m->cache.all[i];
	return NULL;
}

struct by_name {
	const char *pkg;	/* "net/http", or NULL for a name without one */
	const char *name;	/* "Request", or a whole reflect string */
	const struct go_type *found;
	int count;
};

/* The name after the package qualifier: "http.Request" -> "Request". */
static const char *bare(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static bool match(const struct go_type *t, void *arg)
{
	struct by_name *q = arg;

	/* a named type's string is "pkg.Name"; "*pkg.Name" is its pointer
	 * type, whose uncommonType carries the same import path */
	if (q->pkg) {
		if (!t->pkgpath || t->name[0] == '*' || strcmp(t->pkgpath, q->pkg) ||
		    strcmp(bare(t->name), q->name))
			return false;
	} else if (strcmp(t->name, q->name)) {
		return false;
	}
	q->found = t;
	q->count++;
	return false;
}

const struct go_type *bin_go_named_type(struct bin *b, const char *pkg, const char *name,
					int *count)
{
	struct rt_module *m;
	struct by_name q = { pkg, name, NULL, 0 };

	pthread_mutex_lock(&b->types_lock);
	if ((m = module(b)))
		walk(b, m, match, &q);
	pthread_mutex_unlock(&b->types_lock);
	*count = q.count;
	return q.found;
}

/* The best few near matches so far, by score (lower is nearer). */
#define NEAR_MAX 4
struct near {
	const char *want;
	int n;
	int score[NEAR_MAX];
	const struct go_type *type[NEAR_MAX];
};

/* Is t in the package want names ("net/http.X" or "http.X"), or does
 * want name none? */
static bool same_pkg(const char *want, const struct go_type *t)
{
	const char *dot = strrchr(want, '.'), *last = strrchr(t->pkgpath, '/');
	size_t n = dot ? (size_t)(dot - want) : 0;

	last = last ? last + 1 : t->pkgpath;
	return !dot || (strlen(t->pkgpath) == n && !strncmp(t->pkgpath, want, n)) ||
	       (strlen(last) == n && !strncmp(last, want, n));
}

/* Score: the edit distance of the names without packages, plus 2 for
 * another package than the one asked for; a name containing the one asked
 * for counts as near. Keeps the NEAR_MAX best, best first. */
static bool near_cb(const struct go_type *t, void *arg)
{
	struct near *q = arg;
	const char *want = bare(q->want);
	int d, i;

	if (!t->pkgpath || t->name[0] == '*')
		return false;
	d = diag_distance(want, bare(t->name));
	if (d > (int)(strlen(want) / 3 + 1) && !strstr(t->name, want))
		return false;
	d += same_pkg(q->want, t) ? 0 : 2;
	for (i = 0; i < q->n; i++)
		if (!strcmp(q->type[i]->name, t->name) && !strcmp(q->type[i]->pkgpath, t->pkgpath))
			return false;
	if (q->n == NEAR_MAX && q->score[NEAR_MAX - 1] <= d)
		return false;
	for (i = q->n < NEAR_MAX ? q->n++ : NEAR_MAX - 1; i > 0 && q->score[i - 1] > d; i--) {
		q->score[i] = q->score[i - 1];
		q->type[i] = q->type[i - 1];
	}
	q->score[i] = d;
	q->type[i] = t;
	return false;
}

int bin_go_type_suggest(struct bin *b, const char *want, char *out, size_t len)
{
	struct rt_module *m;
	struct near q = { .want = want };
	size_t used = 0;

	if (!len)
		return 0;
	*out = 0;
	pthread_mutex_lock(&b->types_lock);
	if ((m = module(b)))
		walk(b, m, near_cb, &q);
	for (int i = 0; i < q.n && used + 1 < len; i++)
		used += snprintf(out + used, len - used, "%s%s.%s", i ? ", " : "",
				 q.type[i]->pkgpath, bare(q.type[i]->name));
	pthread_mutex_unlock(&b->types_lock);
	return q.n;
}

uint64_t go_types_base(struct bin *b)
{
	struct rt_module *m;

	pthread_mutex_lock(&b->types_lock);
	m = module(b);
	pthread_mutex_unlock(&b->types_lock);
	return m ? m->types : 0;
}

long bin_go_ntypelinks(struct bin *b)
{
	struct rt_module *m;
	long n;

	pthread_mutex_lock(&b->types_lock);
	m = module(b);
	n = m ? (long)m->ntypelinks : -1;
	pthread_mutex_unlock(&b->types_lock);
	return n;
}

bool bin_go_has_types(struct bin *b)
{
	bool ok;

	pthread_mutex_lock(&b->types_lock);
	ok = module(b) != NULL;
	pthread_mutex_unlock(&b->types_lock);
	return ok;
}
