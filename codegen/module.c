/*
 * One LLVM module that becomes one BPF ELF object for libbpf.
 *
 * The BPF backend turns debug info into .BTF/.BTF.ext, and libbpf reads map
 * definitions from BTF, so most of this file is debug info bookkeeping:
 * every map global gets a DIGlobalVariableExpression describing the struct
 * libbpf expects, every program gets a subprogram with a named ctx
 * parameter (the kernel rejects BTF whose FUNC has an unnamed argument, and
 * libbpf then silently loads without BTF), and the DIBuilder is finalized
 * before emission. Programs are nounwind so that no .eh_frame appears.
 *
 * Before code generation a short function pass pipeline promotes allocas to
 * registers and folds the obvious: the codegen layer is free to spill
 * everything to the stack, and the verifier copes much better with values
 * in registers and with null checks that sit right after the helper call.
 * Measurements and choices are in the comments of cgm_emit().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/IPO.h>
#include <llvm-c/Transforms/Scalar.h>
#include <llvm-c/Transforms/Utils.h>

#include <llvm/Config/llvm-config.h>

#include "codegen/module.h"

const char *codegen_llvm_version(void)
{
	return LLVM_VERSION_STRING;
}

#define BPF_TRIPLE "bpfel"
#define MAP_RINGBUF 27 /* BPF_MAP_TYPE_RINGBUF */

struct cg_module {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMDIBuilderRef dib;
	LLVMTargetMachineRef tm;
	LLVMMetadataRef file, cu;
	LLVMMetadataRef di_int, di_u8, di_u32, di_long, di_ctx, di_progty;
	unsigned dbg_kind;
	char diag[256];  /* first LLVM error diagnostic of the emission */
	int opt;         /* run the IR pass pipeline before codegen */
	int finalized;   /* LLVMDIBuilderFinalize may run only once */
};

static void fail(char *err, size_t errlen, const char *what, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "codegen: %s%s%s", what, msg ? ": " : "",
			 msg ? msg : "");
}

/*
 * Two machine passes of LLVM's -O2 back end are left out: they cost more
 * compile time than the BPF they save. Measured with callgrind on
 * bench/compile's 1,000 statements (679M instructions with both) and with
 * bench/bpfsize over the 278 programs of the tests and examples/:
 *   machine CSE         29M fewer instructions; BPF +0.26% (a constant
 *                       such as `r1 = 0` is set again in a later block
 *                       instead of kept in a register); bench/bpfstats'
 *                       programs unchanged but go_ustack's, +1
 *   copy propagation    21M fewer; BPF +2 instructions in all
 * The options are LLVM's own, parsed once; they exist in LLVM 14, which
 * the build pins. Without these passes LLVM still folds, combines and
 * allocates registers as at -O2.
 */
static const char *const llvm_args[] = {
	"gotrace",
	"-disable-machine-cse",
	"-disable-copyprop",
};

/* Only the BPF target is initialized: initializing all targets would cost
 * start-up time and pull every backend into the static link. */
static void init_bpf(void)
{
	static int done;

	if (done)
		return;
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	LLVMParseCommandLineOptions(sizeof(llvm_args) / sizeof(llvm_args[0]),
				    llvm_args, NULL);
	done = 1;
}

/* Target machine for triple bpfel. CPU v3 (ALU32, JMP32, atomics) is what
 * current clang defaults to and what kernels since 5.1 accept. */
static LLVMTargetMachineRef make_tm(char *err, size_t errlen)
{
	LLVMTargetRef t;
	char *msg = NULL;

	if (LLVMGetTargetFromTriple(BPF_TRIPLE, &t, &msg)) {
		fail(err, errlen, "no BPF target in LLVM", msg);
		LLVMDisposeMessage(msg);
		return NULL;
	}
	return LLVMCreateTargetMachine(t, BPF_TRIPLE, "v3", "",
				       LLVMCodeGenLevelDefault, LLVMRelocStatic,
				       LLVMCodeModelDefault);
}

static void add_flag(struct cg_module *m, const char *key, unsigned val)
{
	LLVMValueRef v = LLVMConstInt(LLVMInt32TypeInContext(m->ctx), val, 0);

	LLVMAddModuleFlag(m->mod, LLVMModuleFlagBehaviorWarning, key,
			  strlen(key), LLVMValueAsMetadata(v));
}

/* The compile unit and the basic types every map and program uses. The
 * DIFile name is deliberately not a real path: LLVM's BTF writer reads the
 * named file from disk to fill line_info text, and a module called
 * "gotrace" would otherwise slurp the 18 MB binary from the cwd. */
static void init_debug(struct cg_module *m, const char *name)
{
	char fname[256];
	LLVMMetadataRef params[2];

	snprintf(fname, sizeof(fname), "<%s>", name);
	add_flag(m, "Dwarf Version", 4);
	add_flag(m, "Debug Info Version", LLVMDebugMetadataVersion());
	m->dib = LLVMCreateDIBuilder(m->mod);
	m->file = LLVMDIBuilderCreateFile(m->dib, fname, strlen(fname), "", 0);
	m->cu = LLVMDIBuilderCreateCompileUnit(m->dib, LLVMDWARFSourceLanguageC,
		m->file, "gotrace", 7, 1, "", 0, 0, "", 0,
		LLVMDWARFEmissionFull, 0, 0, 0, "", 0, "", 0);
	m->di_int = LLVMDIBuilderCreateBasicType(m->dib, "int", 3, 32,
						 0x05 /* DW_ATE_signed */, 0);
	m->di_u8 = LLVMDIBuilderCreateBasicType(m->dib, "unsigned char", 13, 8,
						0x08 /* DW_ATE_unsigned_char */, 0);
	m->di_u32 = LLVMDIBuilderCreateBasicType(m->dib, "unsigned int", 12, 32,
						 0x07 /* DW_ATE_unsigned */, 0);
	m->di_long = LLVMDIBuilderCreateBasicType(m->dib, "long", 4, 64,
						  0x05 /* DW_ATE_signed */, 0);
	m->di_ctx = LLVMDIBuilderCreatePointerType(m->dib, NULL, 64, 0, 0, "", 0);
	params[0] = m->di_long;
	params[1] = m->di_ctx;
	m->di_progty = LLVMDIBuilderCreateSubroutineType(m->dib, m->file,
							 params, 2, 0);
}

/* Without a handler, LLVMContext::diagnose() prints an error diagnostic
 * (e.g. "BPF stack limit of 512 bytes is exceeded") and calls exit(1).
 * Keep the first error for cgm_emit to return instead. */
static void on_diag(LLVMDiagnosticInfoRef di, void *arg)
{
	static const char noloc[] = "<unknown>:0:0: ";
	struct cg_module *m = arg;
	char *msg;

	if (LLVMGetDiagInfoSeverity(di) != LLVMDSError || m->diag[0])
		return;
	msg = LLVMGetDiagInfoDescription(di);
	snprintf(m->diag, sizeof(m->diag), "%s",
		 strncmp(msg, noloc, sizeof(noloc) - 1) ? msg : msg + sizeof(noloc) - 1);
	LLVMDisposeMessage(msg);
}

struct cg_module *cgm_new(const char *name, char *err, size_t errlen)
{
	struct cg_module *m = calloc(1, sizeof(*m));
	char *dl;

	if (!m) {
		fail(err, errlen, "out of memory", NULL);
		return NULL;
	}
	init_bpf();
	m->tm = make_tm(err, errlen);
	if (!m->tm) {
		free(m);
		return NULL;
	}
	m->ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(m->ctx, on_diag, m);
	m->mod = LLVMModuleCreateWithNameInContext(name, m->ctx);
	m->b = LLVMCreateBuilderInContext(m->ctx);
	LLVMSetTarget(m->mod, BPF_TRIPLE);
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(m->tm);
	dl = LLVMCopyStringRepOfTargetData(td);
	LLVMSetDataLayout(m->mod, dl);
	LLVMDisposeMessage(dl);
	LLVMDisposeTargetData(td);
	m->dbg_kind = LLVMGetMDKindIDInContext(m->ctx, "dbg", 3);
	m->opt = 1;
	init_debug(m, name);
	return m;
}

void cgm_free(struct cg_module *m)
{
	if (!m)
		return;
	LLVMDisposeDIBuilder(m->dib);
	LLVMDisposeBuilder(m->b);
	LLVMDisposeModule(m->mod);
	LLVMContextDispose(m->ctx);
	LLVMDisposeTargetMachine(m->tm);
	free(m);
}

LLVMContextRef cgm_ctx(struct cg_module *m) { return m->ctx; }
LLVMModuleRef cgm_mod(struct cg_module *m) { return m->mod; }
LLVMBuilderRef cgm_builder(struct cg_module *m) { return m->b; }

void cgm_set_opt(struct cg_module *m, int on)
{
	m->opt = on;
}

/* Map and program names become BTF VAR and FUNC names, which the kernel
 * requires to be C identifiers: a name like "@x" makes it reject the
 * whole object's BTF, and libbpf then loads without it. */
static int valid_name(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

/* A struct member of pointer type at pointer slot `slot`. */
static LLVMMetadataRef member(struct cg_module *m, const char *name,
			      unsigned slot, LLVMMetadataRef pointee)
{
	LLVMMetadataRef p;

	p = LLVMDIBuilderCreatePointerType(m->dib, pointee, 64, 0, 0, "", 0);
	return LLVMDIBuilderCreateMemberType(m->dib, m->file, name, strlen(name),
					     m->file, 0, 64, 0, slot * 64, 0, p);
}

/* elem[n] as a DWARF array; the element count is what libbpf reads for
 * __uint() attributes, the total size what it reads for key/value types. */
static LLVMMetadataRef array(struct cg_module *m, LLVMMetadataRef elem,
			     unsigned bits, uint64_t n)
{
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(m->dib, 0, n);

	return LLVMDIBuilderCreateArrayType(m->dib, n * bits, bits, elem, &sub, 1);
}

/* `int (*name)[val]`: how clang's __uint(name, val) looks in BTF. */
static LLVMMetadataRef uint_attr(struct cg_module *m, const char *name,
				 unsigned slot, uint64_t val)
{
	return member(m, name, slot, array(m, m->di_int, 32, val));
}

/* Key type: u8[size], except that a 4-byte key is a u32, because the
 * kernel's array_map_check_btf() insists on a 32-bit int key for
 * (per-CPU) arrays and libbpf then retries map creation without BTF. */
static LLVMMetadataRef key_type(struct cg_module *m, unsigned size)
{
	if (size == 4)
		return m->di_u32;
	return array(m, m->di_u8, 8, size);
}

LLVMValueRef cgm_map(struct cg_module *m, const char *name, int type,
		     unsigned key_size, unsigned value_size, unsigned max_entries,
		     unsigned flags)
{
	LLVMMetadataRef mem[5], st, gve, expr;
	LLVMTypeRef i8p = LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0);
	LLVMTypeRef fields[5] = { i8p, i8p, i8p, i8p, i8p };
	LLVMTypeRef sty;
	LLVMValueRef g;
	unsigned n = 2;

	if (!valid_name(name) || LLVMGetNamedGlobal(m->mod, name))
		return NULL;
	mem[0] = uint_attr(m, "type", 0, type);
	mem[1] = uint_attr(m, "max_entries", 1, max_entries);
	if (flags) {
		mem[n] = uint_attr(m, "map_flags", n, flags);
		n++;
	}
	if (type != MAP_RINGBUF) {
		mem[n] = member(m, "key", n, key_type(m, key_size));
		n++;
		mem[n] = member(m, "value", n, array(m, m->di_u8, 8, value_size));
		n++;
	}
	st = LLVMDIBuilderCreateStructType(m->dib, m->file, "", 0, m->file, 0,
					   n * 64, 0, 0, NULL, mem, n, 0, NULL,
					   "", 0);
	sty = LLVMStructTypeInContext(m->ctx, fields, n, 0);
	g = LLVMAddGlobal(m->mod, sty, name);
	LLVMSetInitializer(g, LLVMConstNull(sty));
	LLVMSetSection(g, ".maps");
	LLVMSetLinkage(g, LLVMExternalLinkage); /* libbpf rejects static maps */
	LLVMSetAlignment(g, 8);
	expr = LLVMDIBuilderCreateExpression(m->dib, NULL, 0);
	gve = LLVMDIBuilderCreateGlobalVariableExpression(m->dib, m->cu, name,
		strlen(name), name, strlen(name), m->file, 0, st, 0, expr, NULL, 64);
	LLVMGlobalSetMetadata(g, m->dbg_kind, gve);
	return g;
}

static void add_attr(struct cg_module *m, LLVMValueRef fn, const char *attr)
{
	unsigned kind = LLVMGetEnumAttributeKindForName(attr, strlen(attr));

	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
				LLVMCreateEnumAttribute(m->ctx, kind, 0));
}

LLVMValueRef cgm_prog(struct cg_module *m, const char *name, const char *section)
{
	LLVMTypeRef i8p = LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0);
	LLVMTypeRef fty = LLVMFunctionType(LLVMInt64TypeInContext(m->ctx), &i8p,
					   1, 0);
	LLVMValueRef fn;
	LLVMMetadataRef sp;

	if (!valid_name(name) || !section || !*section ||
	    LLVMGetNamedFunction(m->mod, name))
		return NULL;
	fn = LLVMAddFunction(m->mod, name, fty);

	LLVMSetSection(fn, section);
	LLVMSetLinkage(fn, LLVMExternalLinkage);
	add_attr(m, fn, "nounwind");
	LLVMSetValueName2(LLVMGetParam(fn, 0), "ctx", 3);
	sp = LLVMDIBuilderCreateFunction(m->dib, m->file, name, strlen(name),
					 name, strlen(name), m->file, 1,
					 m->di_progty, 0, 1, 1,
					 LLVMDIFlagPrototyped, 1);
	LLVMDIBuilderCreateParameterVariable(m->dib, sp, "ctx", 3, 1, m->file,
					     1, m->di_ctx, 1, 0);
	LLVMSetSubprogram(fn, sp);
	LLVMPositionBuilderAtEnd(m->b,
		LLVMAppendBasicBlockInContext(m->ctx, fn, "entry"));
	return fn;
}

LLVMValueRef cgm_helper(struct cg_module *m, int id, LLVMValueRef *args, int nargs)
{
	LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
	LLVMTypeRef types[8], fty;
	LLVMValueRef fp;

	if (nargs < 0 || nargs > 5)
		return NULL; /* BPF helpers take at most five arguments */
	for (int i = 0; i < nargs; i++)
		types[i] = LLVMTypeOf(args[i]);
	fty = LLVMFunctionType(i64, types, nargs, 0);
	fp = LLVMConstIntToPtr(LLVMConstInt(i64, id, 0), LLVMPointerType(fty, 0));
	return LLVMBuildCall2(m->b, fty, fp, args, nargs, "");
}

/* A function `long name(params)` in .text (where libbpf looks for
 * subprograms), with the debug info that gives it its BTF func_info, as
 * every function of a program with func_info needs. di_params are the
 * parameters' debug types; the builder is left in its entry block. */
static LLVMValueRef text_fn(struct cg_module *m, const char *name, LLVMTypeRef *params,
			    LLVMMetadataRef *di_params, const char *const *names,
			    unsigned n, LLVMLinkage linkage)
{
	LLVMMetadataRef di[5] = { m->di_long }, ty, sp;
	LLVMValueRef fn;

	if (n > 4 || !valid_name(name) || LLVMGetNamedFunction(m->mod, name))
		return NULL;
	fn = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMInt64TypeInContext(m->ctx),
							     params, n, 0));
	LLVMSetSection(fn, ".text");
	LLVMSetLinkage(fn, linkage);
	add_attr(m, fn, "nounwind");
	add_attr(m, fn, "noinline");
	memcpy(di + 1, di_params, n * sizeof(*di_params));
	ty = LLVMDIBuilderCreateSubroutineType(m->dib, m->file, di, n + 1, 0);
	sp = LLVMDIBuilderCreateFunction(m->dib, m->file, name, strlen(name), name,
					 strlen(name), m->file, 1, ty,
					 linkage == LLVMInternalLinkage, 1, 1,
					 LLVMDIFlagPrototyped, 1);
	for (unsigned i = 0; i < n; i++) {
		LLVMSetValueName2(LLVMGetParam(fn, i), names[i], strlen(names[i]));
		LLVMDIBuilderCreateParameterVariable(m->dib, sp, names[i], strlen(names[i]),
						     i + 1, m->file, 1, di_params[i], 1, 0);
	}
	LLVMSetSubprogram(fn, sp);
	LLVMPositionBuilderAtEnd(m->b, LLVMAppendBasicBlockInContext(m->ctx, fn, "entry"));
	return fn;
}

/* A callback of bpf_for_each_map_elem() or bpf_loop(): a static
 * long name(map, key, value, ctx). */
LLVMValueRef cgm_callback(struct cg_module *m, const char *name)
{
	LLVMTypeRef i8p = LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0);
	LLVMTypeRef params[4] = { i8p, i8p, i8p, i8p };
	LLVMMetadataRef di[4] = { m->di_ctx, m->di_ctx, m->di_ctx, m->di_ctx };
	static const char *const names[4] = { "map", "key", "value", "ctx" };

	return text_fn(m, name, params, di, names, 4, LLVMInternalLinkage);
}

/* A global function long name(long arg). The verifier checks a global
 * function once, on its own, where it checks a static one again at every
 * call with the caller's state. */
LLVMValueRef cgm_global_fn(struct cg_module *m, const char *name, const char *arg)
{
	LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);

	return text_fn(m, name, &i64, &m->di_long, &arg, 1, LLVMExternalLinkage);
}

/* A global function long name(u8 (*mem)[size], long x). mem's debug type
 * is an array of its size: the verifier takes that size from the BTF and
 * checks that every caller passes that much readable memory. It also lets
 * a caller pass NULL, so the function must check. */
LLVMValueRef cgm_mem_fn(struct cg_module *m, const char *name, unsigned size)
{
	LLVMTypeRef params[2] = { LLVMPointerType(LLVMInt8TypeInContext(m->ctx), 0),
				  LLVMInt64TypeInContext(m->ctx) };
	LLVMMetadataRef range = LLVMDIBuilderGetOrCreateSubrange(m->dib, 0, size);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(m->dib, (uint64_t)size * 8,
							   8, m->di_u8, &range, 1);
	LLVMMetadataRef di[2] = { LLVMDIBuilderCreatePointerType(m->dib, arr, 64, 0, 0, "", 0),
				  m->di_long };
	static const char *const names[2] = { "mem", "x" };

	return text_fn(m, name, params, di, names, 2, LLVMExternalLinkage);
}

LLVMValueRef cgm_call(struct cg_module *m, LLVMValueRef fn, LLVMValueRef *args,
		      unsigned nargs)
{
	LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInsertBlock(m->b));
	LLVMValueRef call = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(fn), fn, args,
					   nargs, "");

	LLVMInstructionSetDebugLoc(call, LLVMDIBuilderCreateDebugLocation(
		m->ctx, 1, 0, LLVMGetSubprogram(caller), NULL));
	return call;
}

LLVMValueRef cgm_alloca(struct cg_module *m, LLVMTypeRef t, const char *name)
{
	LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(m->b));
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
	LLVMValueRef first = LLVMGetFirstInstruction(entry), a;
	LLVMBuilderRef tmp = LLVMCreateBuilderInContext(m->ctx);

	if (first)
		LLVMPositionBuilderBefore(tmp, first);
	else
		LLVMPositionBuilderAtEnd(tmp, entry);
	a = LLVMBuildAlloca(tmp, t, name);
	LLVMDisposeBuilder(tmp);
	return a;
}

/* The "license" section: GPL-only helpers (bpf_probe_read_user, ...) need
 * it, and it costs nothing for the others. */
static void add_license(struct cg_module *m)
{
	LLVMValueRef s, g;

	if (LLVMGetNamedGlobal(m->mod, "_license"))
		return;
	s = LLVMConstStringInContext(m->ctx, "GPL", 3, 0);
	g = LLVMAddGlobal(m->mod, LLVMTypeOf(s), "_license");
	LLVMSetInitializer(g, s);
	LLVMSetSection(g, "license");
	LLVMSetLinkage(g, LLVMExternalLinkage);
}

/* What the module needs before it is printed or emitted: the license, and
 * the debug info resolved (until then it holds temporary nodes, which
 * print as `<temporary!>` and which llc and opt refuse to read). */
static void finish(struct cg_module *m)
{
	add_license(m);
	if (!m->finalized) {
		LLVMDIBuilderFinalize(m->dib);
		m->finalized = 1;
	}
}

int cgm_print_ir(struct cg_module *m, FILE *f)
{
	char *s;
	int ok;

	finish(m);
	s = LLVMPrintModuleToString(m->mod);
	ok = fputs(s, f) >= 0;
	LLVMDisposeMessage(s);
	return ok ? 0 : -EIO;
}

/* mem2reg first, then cleanups that make null checks and bounds checks
 * sit next to their uses.
 *
 * No InstCombine: it revisits every alloca each time one of its users
 * changes, and a reused temporary has a use in every statement, so its
 * time grew with the square of the probe's size (1,000 statements: 0.44 s
 * of 1.1 s; 2,000: 2.2 s of 4.6 s). The BPF it made was no better: the
 * examples/ programs are within 2% in size either way, and bench/bpfstats'
 * per-event costs are unchanged. No InstSimplify either: EarlyCSE
 * simplifies each instruction it visits, and the pass on its own saved 1
 * BPF instruction over bench/bpfsize's 278 programs for 6M instructions
 * of compile time at 1,000 statements. */
static void optimize(struct cg_module *m)
{
	LLVMPassManagerRef pm = LLVMCreateFunctionPassManagerForModule(m->mod);

	LLVMAddPromoteMemoryToRegisterPass(pm);
	LLVMAddCFGSimplificationPass(pm);
	LLVMAddEarlyCSEPass(pm);
	LLVMAddDeadStoreEliminationPass(pm);
	LLVMInitializeFunctionPassManager(pm);
	for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn;
	     fn = LLVMGetNextFunction(fn))
		if (LLVMCountBasicBlocks(fn))
			LLVMRunFunctionPassManager(pm, fn);
	LLVMFinalizeFunctionPassManager(pm);
	LLVMDisposePassManager(pm);
}

/*
 * A global function that code shares (cgm_global_fn(), cgm_mem_fn()) pays
 * off from its second caller. One that a single call site uses, as in a
 * script that updates a map in one place, is inlined there: LLVM's back
 * end has a cost per function (about a millisecond at start-up), and the
 * call a cost per event. Callbacks are not called directly, and stay.
 */
static void inline_single_calls(struct cg_module *m)
{
	unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
	LLVMPassManagerRef pm;
	bool any = false;

	for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn; fn = LLVMGetNextFunction(fn)) {
		LLVMUseRef use = LLVMGetFirstUse(fn);
		LLVMValueRef call = use ? LLVMGetUser(use) : NULL;

		if (!LLVMCountBasicBlocks(fn) || LLVMGetLinkage(fn) != LLVMExternalLinkage ||
		    !call || LLVMGetNextUse(use) || !LLVMIsACallInst(call) ||
		    LLVMGetCalledValue(call) != fn)
			continue;
		LLVMRemoveEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, noinline);
		add_attr(m, fn, "alwaysinline");
		LLVMSetLinkage(fn, LLVMInternalLinkage);	/* deleted once inlined */
		any = true;
	}
	if (!any)
		return;
	pm = LLVMCreatePassManager();
	LLVMAddAlwaysInlinerPass(pm);
	LLVMRunPassManager(pm, m->mod);
	LLVMDisposePassManager(pm);
}

/* LLVM's BPF backend calls report_fatal_error (which exits) on allocas
 * outside the entry block; catch them here and fail cleanly instead. */
static int check_allocas(struct cg_module *m, char *err, size_t errlen)
{
	for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn;
	     fn = LLVMGetNextFunction(fn)) {
		if (!LLVMCountBasicBlocks(fn))
			continue;
		LLVMBasicBlockRef bb = LLVMGetEntryBasicBlock(fn);
		while ((bb = LLVMGetNextBasicBlock(bb)))
			for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
			     i = LLVMGetNextInstruction(i))
				if (LLVMIsAAllocaInst(i)) {
					fail(err, errlen, LLVMGetValueName(fn),
					     "alloca outside the entry block");
					return -EINVAL;
				}
	}
	return 0;
}

int cgm_emit(struct cg_module *m, void **buf, size_t *len, char *err, size_t errlen)
{
	LLVMMemoryBufferRef mb;
	char *msg = NULL;

	finish(m);
	if (LLVMVerifyModule(m->mod, LLVMReturnStatusAction, &msg)) {
		fail(err, errlen, "invalid LLVM IR", msg);
		LLVMDisposeMessage(msg);
		return -EINVAL;
	}
	LLVMDisposeMessage(msg);
	if (check_allocas(m, err, errlen))
		return -EINVAL;
	if (m->opt) {
		inline_single_calls(m);
		optimize(m);
	}
	if (LLVMTargetMachineEmitToMemoryBuffer(m->tm, m->mod, LLVMObjectFile,
						&msg, &mb)) {
		fail(err, errlen, "BPF code generation failed", msg);
		LLVMDisposeMessage(msg);
		return -EINVAL;
	}
	if (m->diag[0]) {
		LLVMDisposeMemoryBuffer(mb);
		fail(err, errlen, "BPF code generation failed", m->diag);
		return -EINVAL;
	}
	*len = LLVMGetBufferSize(mb);
	*buf = malloc(*len);
	if (*buf)
		memcpy(*buf, LLVMGetBufferStart(mb), *len);
	LLVMDisposeMemoryBuffer(mb);
	if (!*buf) {
		fail(err, errlen, "out of memory", NULL);
		return -ENOMEM;
	}
	return 0;
}
