/*
 * Go runtime layout knowledge (golang/offsets.c, golang/dwarf.c): where
 * the goroutine id lives, from DWARF or from a table of releases.
 */
#ifndef GOTRACE_GORUNTIME_H
#define GOTRACE_GORUNTIME_H

#include "binary/binary.h"

/* Fills the four offsets from DWARF; 0, or -ENOENT if b has no DWARF or
 * it lacks runtime.g / runtime.m members. */
int go_dwarf_offsets(struct bin *b, struct go_offsets *o);

/* Whether go1.<minor> passes arguments in registers on arch. */
bool go_regabi(int minor, const char *arch);

#endif
