/*
 * Go runtime struct offsets from DWARF (libdw).
 *
 * When a Go binary keeps its DWARF (no -ldflags=-w, not stripped) the
 * member offsets of runtime.g and runtime.m are authoritative for that
 * exact build, whatever the release or GOEXPERIMENT. Go emits its types as
 * top-level DIEs of the compile units, so only the first level of each CU
 * is walked; libdw decompresses Go's compressed DWARF sections itself.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <string.h>

#include "golang/gopcln.h"
#include "golang/goruntime.h"

struct want {
	const char *name;
	int *off;
};

/* Member offsets of struct die for the names in w (which stay -1 if
 * absent). */
static void members(Dwarf_Die *die, struct want *w, int n)
{
	Dwarf_Die m;

	if (dwarf_child(die, &m))
		return;
	do {
		Dwarf_Attribute a;
		Dwarf_Word v;
		const char *name;

		if (dwarf_tag(&m) != DW_TAG_member || !(name = dwarf_diename(&m)))
			continue;
		for (int i = 0; i < n; i++)
			if (!strcmp(name, w[i].name) &&
			    dwarf_attr(&m, DW_AT_data_member_location, &a) &&
			    !dwarf_formudata(&a, &v))
				*w[i].off = (int)v;
	} while (dwarf_siblingof(&m, &m) == 0);
}

/* Finds runtime.g and runtime.m; returns how many were found. */
static int walk(Dwarf *dw, struct go_offsets *o)
{
	struct want g[] = { { "goid", &o->g_goid }, { "m", &o->g_m } };
	struct want m[] = { { "curg", &o->m_curg }, { "g0", &o->m_g0 } };
	Dwarf_Off off = 0, next;
	size_t hsize;
	int found = 0;

	while (found < 2 && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				const char *name;

				if (dwarf_tag(&d) != DW_TAG_structure_type || !(name = dwarf_diename(&d)))
					continue;
				if (!strcmp(name, "runtime.g") && o->g_goid < 0) {
					members(&d, g, 2);
					found++;
				} else if (!strcmp(name, "runtime.m") && o->m_curg < 0) {
					members(&d, m, 2);
					found++;
				}
			} while (found < 2 && dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	return found;
}

int go_dwarf_offsets(struct bin *b, struct go_offsets *o)
{
	Dwarf *dw;
	int ret = -ENOENT;

	if (!b->has_dwarf)
		return -ENOENT;
	o->g_goid = o->g_m = o->m_curg = o->m_g0 = -1;
	pthread_mutex_lock(&b->lock);	/* libdw may decompress sections in b->elf */
	dw = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	if (dw) {
		walk(dw, o);
		dwarf_end(dw);
		if (o->g_goid >= 0 && o->g_m >= 0 && o->m_curg >= 0 && o->m_g0 >= 0)
			ret = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}
