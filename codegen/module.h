/*
 * The LLVM side of codegen: one LLVM module that becomes one BPF ELF object
 * that libbpf can open.
 *
 * What libbpf needs from the object, as measured with LLVM 14, libbpf and
 * kernel 6.18 when the project started: BTF-described maps in ".maps"
 * made with the DIBuilder, a subprogram and a named ctx parameter for
 * every function (without the name the kernel rejects the BTF and libbpf
 * quietly loads without it), nounwind functions (else an .eh_frame
 * appears), a "license" section (for GPL-only helpers), and
 * LLVMDIBuilderFinalize before emission. This file hides all of that, so
 * the rest of codegen only asks for "a hash map of these sizes" and "a
 * program in this section".
 *
 * Only codegen/ includes llvm-c.
 */
#ifndef GOTRACE_CG_MODULE_H
#define GOTRACE_CG_MODULE_H

#include <stddef.h>
#include <stdio.h>

#include <llvm-c/Core.h>

struct cg_module;

struct cg_module *cgm_new(const char *name, char *err, size_t errlen);
void cgm_free(struct cg_module *m);

LLVMContextRef cgm_ctx(struct cg_module *m);
LLVMModuleRef cgm_mod(struct cg_module *m);
LLVMBuilderRef cgm_builder(struct cg_module *m);

/*
 * Define a map global named `name` in ".maps" with BTF for libbpf.
 * type is a BPF_MAP_TYPE_* value. Key and value are described to BTF as
 * u8 arrays of the given sizes, except a 4-byte key, which is a u32 (the
 * kernel insists on that for array maps). For BPF_MAP_TYPE_RINGBUF
 * key_size and value_size are 0 and max_entries is the buffer size in
 * bytes (a power-of-2 multiple of the page size). flags are BPF_F_* map
 * flags (BPF_F_NO_PREALLOC), 0 for none.
 * Returns the global; its address is what map helpers take. NULL if name
 * is not a C identifier (BTF requires one) or already in use.
 */
LLVMValueRef cgm_map(struct cg_module *m, const char *name, int type,
		     unsigned key_size, unsigned value_size, unsigned max_entries,
		     unsigned flags);

/*
 * Start a BPF program: a function `name(i8 *ctx)` returning i64, in ELF
 * section `section`, with its debug info. The builder is left at the end
 * of the entry block. The ctx parameter is LLVMGetParam(fn, 0). NULL if
 * name is not a C identifier or already used by another program.
 */
LLVMValueRef cgm_prog(struct cg_module *m, const char *name, const char *section);
/* A static callback for bpf_for_each_map_elem() or bpf_loop(), in .text. */
LLVMValueRef cgm_callback(struct cg_module *m, const char *name);
/* A global function `long name(long arg)` in .text, which the verifier
 * checks once rather than at every call. */
LLVMValueRef cgm_global_fn(struct cg_module *m, const char *name, const char *arg);
/* A global function `long name(mem, x)`, mem pointing at size bytes or
 * NULL (cg_mem_fn() in codegen/emit.c). */
LLVMValueRef cgm_mem_fn(struct cg_module *m, const char *name, unsigned size);
/* A direct call of fn (a function made by cgm_callback) where the builder
 * is, with the debug location LLVM requires of a call between functions
 * that have debug info. */
LLVMValueRef cgm_call(struct cg_module *m, LLVMValueRef fn, LLVMValueRef *args,
		      unsigned nargs);

/* A stack slot of type t at the top of the entry block of the current
 * function, whatever block the builder is in. The BPF backend aborts the
 * process ("Unsupported dynamic stack allocation") on an alloca outside
 * the entry block, so every stack slot comes from here (codegen's own
 * slots through cg_alloca() in emit.c). */
LLVMValueRef cgm_alloca(struct cg_module *m, LLVMTypeRef t, const char *name);

/* Run the IR cleanup pipeline (mem2reg, instcombine, simplifycfg, early-cse,
 * dse) before code generation; on by default. Off keeps the IR as built,
 * which is handy when reading -d output next to the IR; the BPF backend
 * at -O2 still produces loadable code, only longer (59 vs 52 insns on a
 * sample where every variable lives in an alloca). */
void cgm_set_opt(struct cg_module *m, int on);

/* Call BPF helper `id` (BPF_FUNC_*) at the builder. Arguments are passed
 * as given (pointers as pointers: a map is its global, a stack buffer its
 * alloca); the result is i64. NULL if nargs is not 0..5. */
LLVMValueRef cgm_helper(struct cg_module *m, int id, LLVMValueRef *args, int nargs);

/* Write the IR as text (for --emit-llvm and -d ir). */
int cgm_print_ir(struct cg_module *m, FILE *f);

/* Add the "license" section, finalize debug info, verify the module, run
 * the cleanup pipeline and emit the BPF ELF object into a malloc'd buffer
 * (free() it). Call once per module. Returns 0, or -EINVAL (invalid IR, an
 * alloca outside an entry block, an LLVM error such as the 512-byte stack
 * limit) or -ENOMEM with err filled; LLVM never exits the process. */
int cgm_emit(struct cg_module *m, void **buf, size_t *len, char *err, size_t errlen);

/* Print the BPF instructions of every program section of an ELF object,
 * like llvm-objdump -dr (for -d bpf): instruction indexes in decimal as in
 * verifier logs, relocations (map names) under the instructions. Needs
 * LLVM's bpfdisassembler component. Returns 0 or -EINVAL/-ENOMEM. */
int cgm_dump_bpf(const void *elf, size_t len, FILE *f);

#endif
