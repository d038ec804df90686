/* Go types from DWARF DIEs (golang/dwtypes.c) and the DWARF handle they
 * come from (golang/params.c). */
#ifndef GOTRACE_GODWARF_H
#define GOTRACE_GODWARF_H

#include <elfutils/libdw.h>

#include "binary/binary.h"

/* golang/params.c: the binary's DWARF, opened on first use, or NULL.
 * Callers hold b->lock: libdw may decompress sections of b->elf. */
Dwarf *go_dwarf(struct bin *b);
/* The top-level DIE of the type DWARF names `name` ("main.Pair"), from the
 * index go_dwarf() built. Callers hold b->lock. */
bool go_dwarf_type_die(struct bin *b, const char *name, Dwarf_Die *die);

/* The Go type a DWARF type DIE describes, or NULL. */
const struct go_type *go_dwarf_type(struct bin *b, Dwarf_Die *die);

#endif
