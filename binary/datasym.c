/*
 * Data symbols (STT_OBJECT) by name, for uaddr(): the address and size
 * of a global variable in .symtab or .dynsym, found when compiling.
 */
#include <errno.h>
#include <string.h>

#include "binary/bin_impl.h"

static int find_in(struct bin *b, Elf_Scn *scn, const char *name, uint64_t *addr,
		   uint64_t *size)
{
	GElf_Shdr sh;
	Elf_Data *d;
	GElf_Sym sym;
	const char *s;

	if (!gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
		return -ENOENT;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
		    !sym.st_value)
			continue;
		s = elf_strptr(b->elf, sh.sh_link, sym.st_name);
		if (s && strcmp(s, name) == 0) {
			*addr = sym.st_value;
			*size = sym.st_size;
			return 0;
		}
	}
	return -ENOENT;
}

int bin_data_symbol(struct bin *b, const char *name, uint64_t *addr, uint64_t *size,
		    char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (b->ehdr.e_type == ET_DYN) {
		bin_seterr(err, errlen, "%s is position-independent (PIE), so where its "
			   "variables are is only known at run time", b->path);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(b->elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) &&
		    find_in(b, scn, name, addr, size) == 0)
			return 0;
	bin_seterr(err, errlen, "Could not resolve symbol: %s:%s", b->path, name);
	return -ENOENT;
}
