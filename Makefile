# gotrace build.
#
# Every .c file under the source folders goes into build/libgotrace.a, and
# driver/main.c links it into ./gotrace. LLVM is linked statically with only
# the components the BPF target needs (bpfcodegen, plus the x86 disassembler
# used to find RET instructions), inside a linker group and with
# --gc-sections, which keeps start-up near 4 ms and RSS near 17 MB instead of
# the 17 ms / 51 MB that libLLVM-14.so costs. libbpf 1.4 is linked statically
# from build/deps (see scripts/deps.sh).
#
# Unit tests: every tests/<dir>/test_*.c is a program linked with the library;
# `make unit` runs them all. `make test` runs the unit tests and then the
# runtime tests (tests/run.sh), which need root, and then `make compat`:
# bpftrace v0.17.0's own runtime suite (tests/compat/).
#
# `make install PREFIX=/usr/local` (DESTDIR honoured) copies gotrace, its
# man page (docs/gotrace.1) and the examples with the workload's sources;
# `make uninstall` with the same PREFIX removes those files and the
# folders that only gotrace uses.

CC      ?= gcc
LLVM_CONFIG ?= llvm-config-14
DEPS    := build/deps/root
SRCDIRS := common lexer parser probes sema codegen runtime golang binary driver arch
GEN     := build/gen/lexer.c build/gen/lexer.h build/gen/parser.c build/gen/parser.h \
           build/gen/profile.pb-c.c build/gen/profile.pb-c.h

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
           -ffunction-sections -fdata-sections -D_GNU_SOURCE \
           -I. -Ibuild/gen -I$(DEPS)/usr/include -I$(DEPS)/usr/include/x86_64-linux-gnu \
           -I$(shell $(LLVM_CONFIG) --includedir 2>/dev/null)
# Start-up (bench/startup): LLVM makes 78,000 relative relocations, which
# packed (DT_RELR, glibc 2.36) cost the loader less, and libstdc++ linked
# in saves the lookups of its symbols: --version goes from 6.5 to 4.6 ms.
# The binary stays PIE, for ASLR: gotrace runs as root on binaries it does
# not control. Sanitizer builds (scripts/santree.sh) link libstdc++ as
# usual, next to their runtimes.
STDCXX  ?= -Wl,-Bstatic -lstdc++ -Wl,-Bdynamic
LDFLAGS += -Wl,--gc-sections -Wl,-z,pack-relative-relocs -static-libgcc
LLVM_LIBS = $(shell $(LLVM_CONFIG) --link-static --libs bpfcodegen bpfdisassembler x86disassembler x86desc x86info 2>/dev/null)
LDLIBS  := -Wl,--start-group $(DEPS)/usr/lib/x86_64-linux-gnu/libbpf.a \
           -L$(shell $(LLVM_CONFIG) --libdir 2>/dev/null) $(LLVM_LIBS) -Wl,--end-group \
           -ldw -lelf -lprotobuf-c -lz -lzstd -ltinfo $(STDCXX) -lm -lpthread -ldl

SRCS    := $(filter-out driver/main.c,$(sort $(foreach d,$(SRCDIRS),$(wildcard $(d)/*.c))))
OBJS    := $(patsubst %.c,build/obj/%.o,$(SRCS)) build/obj/gen/lexer.o build/obj/gen/parser.o \
           build/obj/gen/profile.pb-c.o
UNIT_SRCS := $(sort $(wildcard tests/*/test_*.c))
UNIT_BINS := $(patsubst %.c,build/%,$(UNIT_SRCS))

PREFIX  ?= /usr/local
BINDIR  := $(DESTDIR)$(PREFIX)/bin
MAN1DIR := $(DESTDIR)$(PREFIX)/share/man/man1
EXDIR   := $(DESTDIR)$(PREFIX)/share/gotrace/examples
EXAMPLES := $(sort $(wildcard examples/*.gt examples/*.sh)) examples/README.md
WORKLOAD := $(sort $(wildcard examples/workload/*.go examples/workload/*.sh)) examples/workload/go.mod

.PHONY: all deps test unit runtime-test compat harm demo clean install uninstall
all: deps
	@$(MAKE) --no-print-directory gotrace
	@examples/workload/build.sh build/workload

deps:
	@scripts/deps.sh

gotrace: build/obj/driver/main.o build/libgotrace.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/libgotrace.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

build/gen/lexer.c build/gen/lexer.h &: lexer/lexer.l build/gen/parser.h
	@mkdir -p $(dir $@)
	flex --header-file=build/gen/lexer.h -o $@ $<

build/gen/parser.c build/gen/parser.h &: parser/parser.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=build/gen/parser.h -o build/gen/parser.c $<

# pprof's profile.proto, for --pprof (runtime/pprof.c).
build/gen/profile.pb-c.c build/gen/profile.pb-c.h &: runtime/profile.proto
	@mkdir -p $(dir $@)
	protoc-c --proto_path=runtime --c_out=build/gen $<

# -MMD: the generated lexer and parser include our headers (parser/ast.h)
# and must be rebuilt when those change, like every other object.
build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-unused-function -MMD -MP -c -o $@ $<

build/obj/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

build/tests/%: tests/%.c build/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< build/libgotrace.a $(LDLIBS)

# Benchmark programs (bench/*.c), linked like the tests.
build/bench/%: bench/%.c build/libgotrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< build/libgotrace.a $(LDLIBS)

unit: all $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

test: all
	@$(MAKE) --no-print-directory unit
	@tests/run.sh
	@tests/compat/run.sh --check

# bpftrace v0.17.0's own runtime suite through ./gotrace (tests/compat/):
# fails if a test listed in tests/compat/expected-pass.txt fails.
compat: all
	@tests/compat/run.sh --check

# The traced program is never harmed: Go's own strconv, strings and
# encoding/json tests and tests/progs/goharm.go pass on go1.19, 1.23 and
# 1.26 under a uprobe and a uretprobe on every function of the package
# (tests/harm/run.sh; long, so not in make test, which runs --quick).
harm: all
	@nice -n 19 tests/harm/run.sh

demo: all
	@scripts/demo.sh

install: all
	install -D -m 755 gotrace $(BINDIR)/gotrace
	install -d $(MAN1DIR)
	sed 's|/usr/local/share/gotrace|$(PREFIX)/share/gotrace|g' docs/gotrace.1 > $(MAN1DIR)/gotrace.1
	chmod 644 $(MAN1DIR)/gotrace.1
	install -d $(EXDIR)/workload
	install -m 644 $(filter-out %.sh,$(EXAMPLES)) $(EXDIR)
	install -m 755 $(filter %.sh,$(EXAMPLES)) $(EXDIR)
	install -m 644 $(filter-out %.sh,$(WORKLOAD)) $(EXDIR)/workload
	install -m 755 $(filter %.sh,$(WORKLOAD)) $(EXDIR)/workload

# bin/ and man1/ are shared with other programs and stay; share/gotrace is
# gotrace's alone, and goes once empty.
uninstall:
	rm -f $(BINDIR)/gotrace $(MAN1DIR)/gotrace.1
	rm -f $(addprefix $(EXDIR)/,$(notdir $(EXAMPLES))) \
	      $(addprefix $(EXDIR)/workload/,$(notdir $(WORKLOAD)))
	rmdir $(EXDIR)/workload $(EXDIR) $(dir $(EXDIR)) 2>/dev/null || true

# Long runs, not part of `make test` (tests/fuzz/README.md): libFuzzer
# on the front end and the binary reader for FUZZ_SECONDS (default 1800)
# each, and the unit and runtime tests with AddressSanitizer and UBSan.
# Both build in their own trees (build/fuzz, build/asan).
.PHONY: fuzz check-asan
fuzz:
	@scripts/fuzz.sh

check-asan: all
	@scripts/check-asan.sh

clean:
	rm -rf build/obj build/gen build/tests build/libgotrace.a gotrace

-include $(shell find build/obj -name '*.d' 2>/dev/null)
