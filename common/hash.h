/*
 * A hash of byte strings for the tables that index a binary's names.
 *
 * Go's names are long and share long prefixes ("github.com/org/repo/..."),
 * so the hash reads eight bytes at a step, not one: FNV-1a's byte loop was
 * 350 instructions a name on hugo's 47,000 functions.
 *
 * The names come from binaries gotrace does not control. A fixed hash
 * would let such a binary pick names that all collide, and turn every
 * lookup into a scan of the table; the seed comes from the 16 random
 * bytes the kernel gives each process (AT_RANDOM), so the collisions
 * cannot be computed in advance.
 */
#ifndef GOTRACE_HASH_H
#define GOTRACE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

static inline uint64_t hash_seed(void)
{
	static uint64_t seed;	/* threads that race here store the same value */
	uint64_t s = __atomic_load_n(&seed, __ATOMIC_RELAXED);

	if (!s) {
		const void *r = (const void *)getauxval(AT_RANDOM);

		if (r)
			memcpy(&s, r, sizeof(s));
		s |= 1;
		__atomic_store_n(&seed, s, __ATOMIC_RELAXED);
	}
	return s;
}

/* The finalizer of splitmix64: every input bit moves every output bit. */
static inline uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static inline uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = hash_seed() ^ (n * 0x9e3779b97f4a7c15ull), w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	return hash_mix(h ^ w);
}

#endif
