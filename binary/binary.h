/*
 * Executable files and process address spaces, as the compiler and the
 * runtime see them.
 *
 * A struct bin is an opened ELF file with its function table: the ELF
 * .symtab/.dynsym where present, and for Go binaries the pclntab (which
 * survives stripping) with its inline tree. The compiler uses it to resolve
 * uprobe functions and wildcards, `-l` to list them, and the runtime to
 * symbolize addresses. Opened binaries are cached by path, inode and mtime,
 * so symbolizing many stacks never reparses. A binary bin_open() returns
 * stays for the whole run, and callers never free it; the binaries the
 * process snapshots open are let go with the snapshot (see
 * bin_cache_trim()).
 *
 * Errors: functions returning int return 0 or a negative errno; functions
 * returning a pointer return NULL. Both fill `err` (when not NULL) with one
 * clear sentence that names the file, e.g. "/bin/x: not an ELF file".
 */
#ifndef GOTRACE_BINARY_H
#define GOTRACE_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bin;

struct bin_func {
	const char *name;	/* owned by the struct bin */
	uint64_t addr;		/* virtual address of the entry */
	uint64_t size;		/* bytes; 0 if unknown */
	uint8_t rank;		/* among names at one address, lower is
				   preferred: GLOBAL, WEAK, LOCAL, versioned */
	bool alias;		/* a second name for a function (Go's
				   "runtime.goexit" for the symbol table's
				   "runtime.goexit.abi0"): found by exact name
				   and printed in stacks, never matched by a
				   wildcard, so nothing is probed twice */
};

struct bin_frame {
	const char *func;	/* NULL if the address is in no known function */
	uint64_t offset;	/* address - entry of the outermost function */
	const char *file;	/* NULL when unknown */
	int line;		/* 0 when unknown */
	bool inlined;		/* this frame was inlined into the next one */
};

/* Open (or return the cached) binary at path; it stays for the run. */
struct bin *bin_open(const char *path, char *err, size_t errlen);
/* Frees binaries that only process snapshots had opened, and that none
 * holds now, beyond the 16 let go of last. Frames, names and types that
 * proc_symbolize(), proc_locate() and proc_mapping() gave point into
 * those binaries: call it only where none is in use any more (between
 * records, after a row is printed). */
void bin_cache_trim(void);
/* How many binaries the cache holds (for tests). */
size_t bin_cached(void);
const char *bin_path(const struct bin *b);
/* The build ID, as pprof's mappings want it: the GNU build ID in hex,
 * else Go's build ID string. -ENOENT (and "") if it has neither. */
int bin_build_id(const struct bin *b, char *buf, size_t len);
/* The inode number of the file it was opened from. */
uint64_t bin_inode(const struct bin *b);
bool bin_is_go(const struct bin *b);

/* C++ (demangle.c): is name mangled ("_Z...")? Its demangled form,
 * malloc'd, or NULL when it is not a C++ name. */
bool bin_is_mangled(const char *name);
char *bin_demangle(const char *name);

/* The function whose code holds vaddr (its name as stacks print it).
 * 0, or -ENOENT. */
int bin_func_containing(struct bin *b, uint64_t vaddr, struct bin_func *out);

/* Exact name lookup. Returns 0, or -ENOENT. */
int bin_func_find(struct bin *b, const char *name, struct bin_func *out);

/* Calls cb for each function whose name matches the glob (`*`, `?`),
 * in name order, each name once. Stops and returns cb's value if it is
 * non-zero. Returns the number of matches otherwise. */
int bin_func_match(struct bin *b, const char *glob,
		   int (*cb)(const struct bin_func *f, void *arg), void *arg);

/* The address and size of the global variable (STT_OBJECT) called name,
 * for uaddr(). Returns 0; -ENOENT, or -EINVAL for a PIE binary, whose
 * addresses are known only at run time, with a message in err. */
int bin_data_symbol(struct bin *b, const char *name, uint64_t *addr, uint64_t *size,
		    char *err, size_t errlen);

/* Virtual address -> file offset through the PT_LOAD headers (what a uprobe
 * needs). Returns 0, or -ERANGE when no segment holds the address. */
int bin_vaddr_to_offset(struct bin *b, uint64_t vaddr, uint64_t *off);

/* Symbolize a virtual address of this file. Fills up to max frames,
 * innermost first: for a PC inside inlined code, the inlined callees come
 * first with inlined = true, and the last frame is the real function.
 * Returns the number of frames (>= 1; one frame with func NULL if unknown). */
int bin_symbolize(struct bin *b, uint64_t vaddr, struct bin_frame *frames, int max);

/*
 * Facts about a binary, e.g. for `--info`. bin_arch() gives Go's name for
 * the ELF machine ("amd64", "arm64", "386", "arm", or NULL).
 */
bool bin_has_dwarf(const struct bin *b);
bool bin_is_stripped(const struct bin *b);	/* no .symtab */
size_t bin_nfuncs(const struct bin *b);		/* ELF and Go functions, deduplicated */
const char *bin_arch(const struct bin *b);

/*
 * Go binaries (golang/). The pclntab format is named by the first release
 * that used it, e.g. "go1.20 (0xfffffff1)"; NULL if not Go.
 */
const char *bin_go_pclntab_format(const struct bin *b);
size_t bin_go_nfuncs(const struct bin *b);	/* functions in the pclntab */
uint64_t bin_go_text_start(const struct bin *b);

/* The Go release that built b, e.g. "go1.19.8", from the build info (or
 * the runtime.buildVersion string); NULL if not Go or not found. */
const char *bin_go_version(const struct bin *b);
/* The N of go1.N, or -1 when unknown. */
int bin_go_minor(const struct bin *b);

/* Offsets in the Go runtime's g and m structs needed to read the current
 * goroutine id from a probe (g->goid, or g->m->curg->goid on g0). */
struct go_offsets {
	int g_goid, g_m, m_curg, m_g0;
	bool regabi;		/* Go functions take arguments in registers */
	const char *source;	/* "DWARF", or the table row used */
};

/* From the binary's DWARF when it has runtime.g and runtime.m, else from a
 * table of released Go versions keyed by bin_go_minor() and bin_arch().
 * Returns 0, -ENOEXEC if b is not Go, or -ENOENT with a message naming
 * what is missing. */
int bin_go_offsets(struct bin *b, struct go_offsets *o, char *err, size_t errlen);

/*
 * Processes. The runtime sees raw addresses of a process; these map them to
 * a binary and a file virtual address, accounting for PIE load bias. Maps
 * are snapshotted and kept after the process exits, so stacks can be
 * symbolized at END even if the process is gone; the cache keeps the 1024
 * processes used most recently.
 */

/* Path of the process's executable as seen from our mount namespace
 * (through /proc/PID/root for processes in other mount namespaces). */
int proc_exe_path(pid_t pid, char *buf, size_t len, char *err, size_t errlen);

/* 1 if the process maps the file at path (a mapping of a file of the same
 * name counts too), 0 if not, -errno if its maps or the file cannot be
 * read. Reads /proc/PID/maps afresh, not the cache. */
int proc_maps_file(pid_t pid, const char *path);

/* Read (or re-read) /proc/PID/maps into the cache. Returns 0, or -ESRCH if
 * the process does not exist. Calling it again for a live process refreshes
 * the snapshot; for a dead one it keeps the last snapshot. */
int proc_snapshot(pid_t pid);
/* A process first seen by the BPF side: read its maps and open the
 * binaries it executes now, unless its snapshot is cached (proc.c). */
int proc_seen(pid_t pid);

/* Symbolize an address of process pid (snapshotting it first if needed).
 * Returns the number of frames as bin_symbolize() does; 0 if the address is
 * in no known mapping. */
int proc_symbolize(pid_t pid, uint64_t addr, struct bin_frame *frames, int max);

/* How many processes' snapshots the cache holds (for tests). */
size_t proc_cached(void);

/* How many times a pid looked up named another process or program than
 * when its snapshot was read (the first had ended and the kernel reused
 * its pid, or it called exec()): a stack is symbolized by pid, so one
 * recorded before may print with the later program's symbols. */
size_t proc_reused(void);

/* How many processes had exited before a stack of theirs was looked up,
 * with no snapshot read while they ran: their addresses print in hex. */
size_t proc_missed(void);

/* The binary that holds address addr of process pid, and the address's
 * virtual address in that file. 0, or -ENOENT. */
int proc_locate(pid_t pid, uint64_t addr, struct bin **b, uint64_t *vaddr);

/* The file mapping of process pid that holds addr: its range, file
 * offset, path (valid until the process is evicted from the cache: copy
 * it before the next proc_* call) and binary (NULL if it
 * could not be opened). 0, or -ENOENT. */
struct proc_map {
	uint64_t start, end, off;
	const char *path;
	struct bin *bin;
};
int proc_mapping(pid_t pid, uint64_t addr, struct proc_map *out);

/* USDT probes (<sys/sdt.h>), from the .note.stapsdt notes (usdt.c). */
#define USDT_MAX_ARGS 12
enum usdt_arg_kind {
	USDT_CONST,		/* val */
	USDT_REG,		/* the register */
	USDT_MEM,		/* size bytes at the register + val */
};
struct usdt_arg {
	enum usdt_arg_kind kind;
	int size;		/* 1, 2, 4 or 8 bytes */
	bool is_signed;
	const char *reg;	/* pt_regs name: "ax", "bp", "r8", "ip" */
	const char *index;	/* USDT_MEM: an index register, or NULL */
	int scale;		/* ... times 1, 2, 4 or 8 */
	int64_t val;		/* a constant, or the displacement */
};
struct usdt_probe {
	const char *provider, *name;	/* point into the binary */
	uint64_t pc;		/* virtual address of the site */
	uint64_t semaphore;	/* virtual address of its semaphore, or 0 */
	int nargs;
	struct usdt_arg args[USDT_MAX_ARGS];
	int bad_arg;		/* 1 + index of an argument we cannot read
				   (bad_spec), or 0 */
	char *bad_spec;
};
/* Every site, in note order: a count (0 if none) with *out malloc'd, for
 * bin_usdt_free(). */
int bin_usdt_probes(struct bin *b, struct usdt_probe **out);
void bin_usdt_free(struct usdt_probe *p, int n);

/* A shared library named the short way ("libc", "libssl"), as bpftrace
 * finds it: among the libraries process pid (if > 0) has mapped, then in
 * /etc/ld.so.cache. Its path (malloc'd), or NULL: not such a name, or not
 * found. (ldcache.c) */
char *bin_find_library(const char *name, pid_t pid);

/* Kernel addresses, from /proc/kallsyms (read once). Returns the name and
 * sets *offset, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
/* The address of the first kernel symbol called name: 0, or -ENOENT. */
int ksym_addr(const char *name, uint64_t *addr);

/*
 * Return sites (binary/retsites.c), for return probes that are plain
 * uprobes on each RET instead of kernel uretprobes (which break Go: the
 * runtime moves stacks and finds the trampoline's return address). x86-64
 * only; code is decoded instruction by instruction from the entry with
 * LLVM's disassembler. Errors: -ENOENT (no such function), -ENODATA (size
 * unknown), -ERANGE (not executable file-backed code), -EILSEQ (bytes that
 * do not decode: not code, or a wrong size), -ENOTSUP (not x86-64).
 */

/* Virtual addresses of every RET in [addr, addr+size), in address order.
 * Returns the count (>= 0) or a negative errno; *out is malloc'd (NULL
 * when the count is 0). */
int bin_ret_sites(struct bin *b, uint64_t addr, uint64_t size, uint64_t **out,
		  char *err, size_t errlen);
/* The same for a function by exact name (bin_func_find). */
int bin_ret_sites_func(struct bin *b, const char *func, uint64_t **out,
		       char *err, size_t errlen);

/* How a function can leave other than through its own RETs. A direct JMP
 * or Jcc to outside [addr, addr+size) is a tail call: the callee returns
 * straight to our caller, so RET probes miss that return. Go's
 * morestack JMP back to the entry stays inside and is not counted. An
 * indirect JMP is a jump table or a tail call through a pointer. */
struct bin_exits {
	uint64_t *rets;		/* RET addresses, ascending */
	size_t nrets;
	uint64_t *tail_jumps;	/* addresses of jumps out of the function */
	size_t ntail_jumps;
	size_t indirect_jumps;	/* JMP *reg / JMP *mem: cannot tell */
};

/* Fills x (free with bin_exits_free). Returns 0 or a negative errno. */
int bin_func_exits(struct bin *b, uint64_t addr, uint64_t size, struct bin_exits *x,
		   char *err, size_t errlen);
void bin_exits_free(struct bin_exits *x);
/* Only the tail jumps: count, or a negative errno; *out is malloc'd. */
int bin_tail_jumps(struct bin *b, uint64_t addr, uint64_t size, uint64_t **out,
		   char *err, size_t errlen);

/* golang/prologue.c: where a Go function's body starts, after the
 * prologue's stack check, whose failure makes the function run again from
 * its entry (runtime.morestack); the entry itself if it has no check.
 * 0, or a negative errno with err filled when its code does not decode. */
int bin_go_body_site(struct bin *b, const struct bin_func *f, bool regabi,
		     uint64_t *site, char *err, size_t errlen);

/* golang/prologue.c: how far SP is below its value at the entry of the Go
 * function holding pc, from the pclntab's pcsp table: the return address
 * into its caller is at SP + delta. -1 if unknown. */
int bin_go_sp_delta(struct bin *b, uint64_t pc);
/* The Go functions without a frame (their SP delta is 0 everywhere: a
 * sample inside one finds its caller's return address at [SP], and BP
 * still belongs to the caller), as [entry, end) pairs in *ranges
 * (malloc'd, sorted by entry). Returns how many. */
size_t bin_go_frameless(struct bin *b, uint64_t **ranges);
/* The lowest virtual address of an executable PT_LOAD: where the kernel's
 * mm->start_code points, less the load bias. */
uint64_t bin_exec_vaddr(const struct bin *b);

/* golang/inlsites.c: the places the compiler inlined a Go function into
 * its callers (or, with glob, every function name matches), one per
 * inlined call in the binary, with the first instruction of each copy.
 * A copy that no single instruction enters exactly once per call has
 * `skipped` set to why. Returns the count with *out malloc'd (strings
 * owned by the binary), or a negative errno with err filled. */
struct bin_inline_site {
	const char *func;	/* the inlined function */
	const char *caller;	/* the function it was inlined into */
	uint64_t addr;		/* the copy's entry (its parentPc if skipped) */
	const char *skipped;	/* NULL, or why it cannot be probed exactly */
};
int bin_go_inline_sites(struct bin *b, const char *name, bool glob,
			struct bin_inline_site **out, char *err, size_t errlen);
/* The names of the inlined functions that glob matches, each once, for
 * -l. Returns the count (*out is malloc'd, its strings owned by the
 * binary), or a negative errno with err filled if the binary's inline
 * trees cannot be read. */
int bin_go_inlined_names(struct bin *b, const char *glob, char ***out, char *err,
			 size_t errlen);

/*
 * Go types (golang/gotypes.c from the runtime's type descriptors, which
 * stripped binaries keep; golang/dwtypes.c from DWARF). Kinds are
 * reflect.Kind's. A type lives as long as its binary.
 */
enum go_kind {
	GO_INVALID, GO_BOOL, GO_INT, GO_INT8, GO_INT16, GO_INT32, GO_INT64,
	GO_UINT, GO_UINT8, GO_UINT16, GO_UINT32, GO_UINT64, GO_UINTPTR,
	GO_FLOAT32, GO_FLOAT64, GO_COMPLEX64, GO_COMPLEX128, GO_ARRAY, GO_CHAN,
	GO_FUNC, GO_INTERFACE, GO_MAP, GO_POINTER, GO_SLICE, GO_STRING,
	GO_STRUCT, GO_UNSAFEPOINTER,
};

struct go_type;

struct go_field {
	char *name;
	uint64_t offset;
	const struct go_type *type;	/* NULL if unknown */
	bool embedded;
};

struct go_type {
	enum go_kind kind;
	char *name;		/* as reflect.Type.String() prints it: "*http.Request" */
	char *pkgpath;		/* a named type's import path: "net/http"; NULL */
	uint64_t size;
	const struct go_type *elem;	/* pointer, slice, array, chan, map value */
	const struct go_type *key;	/* map */
	uint64_t len;			/* array */
	struct go_field *fields;	/* struct */
	int nfields;
	bool empty_iface;	/* interface {}: (type, data), not (itab, data) */
	bool is_c;		/* a C type (binary/ctypes.c): no implicit
				   dereference, char arrays are strings */
	int bitfield;		/* a C bit-field's width in bits: not readable */
	uint64_t rtype;		/* its runtime descriptor's address, 0 if none */
};

/* The type whose runtime descriptor is at vaddr (a file address), or NULL. */
const struct go_type *bin_go_type_at(struct bin *b, uint64_t vaddr);
/* A named type by import path and name ("net/http", "Request"), or with
 * pkg NULL a type by its reflect string ("*http.Request"); *count says
 * how many matched (more than 1: ambiguous). NULL if none. */
const struct go_type *bin_go_named_type(struct bin *b, const char *pkg, const char *name,
					int *count);
/* Up to 4 named types whose names are near `want`, as "path.Name, ..."
 * in out; returns how many. */
int bin_go_type_suggest(struct bin *b, const char *want, char *out, size_t len);
/* golang/dwtypes.c: a named type by its full Go name ("main.Pair") from
 * DWARF, for types with no runtime descriptor; NULL if none. */
const struct go_type *bin_go_dwarf_type(struct bin *b, const char *name);
/* How many types the module's typelinks list (the named and composite
 * types the program may reflect on; each reaches more), -1 if the type
 * descriptors could not be found. Reads moduledata only: cheap. */
long bin_go_ntypelinks(struct bin *b);
/* Whether the binary's type descriptors could be found. */
bool bin_go_has_types(struct bin *b);
/* A Go type name with import paths shortened to package names, as
 * reflect prints it: "map[string]*net/http.Request" ->
 * "map[string]*http.Request" (malloc'd). */
char *bin_go_reflect_name(const char *full);

/* golang/tls.c: offset of g from the thread pointer (fsbase) in a Go
 * binary: -8 except in statically linked cgo binaries, where it is read
 * from runtime.stackcheck's first instruction. */
int bin_go_tls_g_offset(struct bin *b);

/* golang/params.c: a function's parameters and results from DWARF, in
 * declaration order, read once and kept with the binary (*out is its).
 * Go's register ABI gives each argument (and, counting again from 0, each
 * result) the next integer registers it needs, or puts it on the stack
 * whole when it does not fit: word is its first integer register and
 * words how many it takes (a string 2, a slice 3, a struct the sum of its
 * fields, a float 0), word -1 when it is on the stack or its type is
 * unknown. Returns the count, or a negative errno with err filled (no
 * DWARF, no such function). */
struct go_type;
struct bin_param {
	char *name, *type;
	uint64_t size;
	int word, words;
	bool is_result;
	bool is_float;		/* in an X register, 0 integer words */
	bool on_stack;		/* too big for the registers left, or an array */
	const struct go_type *gotype;	/* its Go type, NULL if unknown */
};
int bin_func_params(struct bin *b, const char *func, const struct bin_param **out,
		    char *err, size_t errlen);
/* The integer and float registers a value of type t takes in Go's
 * register ABI, added to *ints and *floats; false if it never goes in
 * registers (an array of more than one element). */
bool bin_go_regs(const struct go_type *t, int *ints, int *floats);

/*
 * C types, in the same struct go_type (with is_c set, names as C writes
 * them: "struct task_struct", "unsigned int"), so that the Go-value
 * machinery reads C memory too: binary/ctypes.c builds them, and reads
 * the kernel's from its BTF (/sys/kernel/btf/vmlinux), loaded on the
 * first lookup only. They live as long as the process.
 */
const struct go_type *bin_c_int(const char *name, unsigned size, bool is_signed);
const struct go_type *bin_c_pointer(const struct go_type *elem);
const struct go_type *bin_c_array(const struct go_type *elem, uint64_t len);
/* A C char array, read as a string. */
bool bin_c_is_chars(const struct go_type *t);
/* A kernel type by name: "struct task_struct", "union x", "enum x", or a
 * typedef or base type ("u32", "pid_t", "int"). NULL with err filled if
 * the kernel has no such type or no BTF. */
const struct go_type *bin_kernel_type(const char *name, char *err, size_t errlen);
/* binary/cdwarf.c: a C function's parameters from DWARF, as
 * bin_func_params() gives a Go function's: word is the argument register
 * (arg0..arg5) of an integer or pointer, -1 for anything else and what
 * follows it; type is the name bpftrace's -lv prints ("const char*"). */
int bin_c_params(struct bin *b, const char *func, const struct bin_param **out,
		 char *err, size_t errlen);
/* A type a C binary's DWARF defines, by its C name ("struct gnode",
 * "myint_t"); NULL if none (or no DWARF). */
const struct go_type *bin_c_dwarf_type(struct bin *b, const char *name);
/* The value of a kernel enum's constant ("SKB_DROP_REASON_NOT_SPECIFIED");
 * -ENOENT if no enum has it (or there is no BTF). */
int bin_kernel_enum_value(const char *name, int64_t *value);

/* binary/retsites.c: 0 if an instruction of the function at [addr,
 * addr+size) starts at probe; -EINVAL (with err) if probe is inside one. */
int bin_insn_boundary(struct bin *b, uint64_t addr, uint64_t size, uint64_t probe,
		      char *err, size_t errlen);

#endif
