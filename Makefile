# welf — an ahead-of-time WebAssembly compiler.
#
#   make deps        install the Debian packages welf needs (root)
#   make             build build/welf, the libraries and the test programs
#   make test        unit tests, CLI tests, end-to-end tests, examples,
#                    spec tests, mutation smoke test
#   make examples    build and run examples/ and check their output
#   make spectest    the spec test suite alone
#   make bench       benchmarks (calls, compile time with -j 1 and -j 2, SIMD)
#   make bench-call  calls between C and wasm, instantiation
#   make bench-suite native, welf, wasm2c and V8 on 18 programs (RUNS=5,
#                    BENCH_COUNT=1 for instruction counts)
#   make fuzz        10,000 random mutations of spec modules (FUZZ_N=...)
#   make install     PREFIX=/usr/local (and DESTDIR) as usual
#   make clean
#
# Variables: CC (gcc or clang), SANITIZE=1 (AddressSanitizer and
# UndefinedBehaviorSanitizer, built apart in build/san), TESTSUITE (the
# spec test suite, default ../shared/wasm-testsuite), PREFIX, DESTDIR.

CC ?= cc
PREFIX ?= /usr/local
TESTSUITE ?= ../shared/wasm-testsuite
FUZZ_N ?= 10000

DEB_PACKAGES = make gcc binutils clang lld pkg-config llvm-19-dev libelf-dev \
               libdwarf-dev libcriterion-dev libcjson-dev wabt \
               wasi-libc libclang-rt-14-dev-wasm32 gdb \
               nodejs time valgrind gnuplot-nox

ifeq ($(SANITIZE),1)
BUILD := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
else
BUILD := build
SAN_FLAGS :=
endif

WARNINGS = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2 \
           -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) \
             -Iinclude -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)
RUNTIME_LDLIBS = -lelf
# Programs that use the compiler library need LLVM; -lpthread for its
# one-time initialisation.
COMPILER_LDLIBS = $(LLVM_LDLIBS) -ldwarf -lelf -lpthread

VERSION := $(shell sed -n 's/^\#define WELF_VERSION_STRING "\(.*\)"/\1/p' include/welf.h)
LLVM_CONFIG ?= /usr/lib/llvm-19/bin/llvm-config
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --cflags 2>/dev/null)
LLVM_LDLIBS := $(shell $(LLVM_CONFIG) --ldflags --libs 2>/dev/null)

COMPILER_SRCS = compiler/arena.c compiler/decode.c compiler/instr.c \
                compiler/module.c compiler/reader.c compiler/validate.c \
                compiler/compile.c compiler/descriptor.c compiler/lower.c \
                compiler/lower_memory.c compiler/lower_numeric.c \
                compiler/lower_table.c compiler/lower_simd.c \
                compiler/elf_merge.c
COMPILER_SRCS += compiler/debuginfo.c compiler/linetable.c
RUNTIME_SRCS = $(wildcard runtime/*.c runtime/wasi/*.c)
# The conversions between calling conventions C cannot express.
RUNTIME_ASM = runtime/x86_64.S
CLI_SRCS = compiler/main.c compiler/inspect.c compiler/header.c \
           compiler/run_cmd.c
UNIT_SRCS = $(wildcard tests/compiler/*.c tests/runtime/*.c)
# Hand-written objects that follow runtime/abi.h, for runtime tests: built
# as a compiled module would be (PIC, hidden, no sanitizer, so they have
# no undefined symbols), linked into the unit tests and loaded from disk.
FIXTURE_SRCS = $(wildcard tests/runtime/fixtures/*.c)
FIXTURES = $(patsubst tests/runtime/fixtures/%.c,$(BUILD)/fixtures/%.o,$(FIXTURE_SRCS))
SPECTEST_SRCS = tests/spectest/spectest.c
MUTATE_SRCS = tests/fuzz/mutate.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_COMPILER = $(BUILD)/libwelf_compiler.a
LIB_RUNTIME = $(BUILD)/libwelf.a
# The compiler library uses the runtime's: link both, in this order.
LIBS = $(LIB_COMPILER) $(LIB_RUNTIME)
WELF = $(BUILD)/welf
SPECTEST = $(BUILD)/welf-spectest
UNIT = $(BUILD)/welf-unit
MUTATE = $(BUILD)/welf-mutate

.PHONY: all deps test unit-test cli-test e2e-test examples spectest bench \
        bench-call bench-suite fuzz fuzz-smoke install clean

all: $(WELF) $(LIBS) $(SPECTEST) $(UNIT) $(MUTATE)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The LLVM-C headers, for the files that lower and emit.
$(BUILD)/obj/compiler/compile.o $(BUILD)/obj/compiler/descriptor.o \
$(BUILD)/obj/compiler/lower.o $(BUILD)/obj/compiler/lower_memory.o \
$(BUILD)/obj/compiler/lower_numeric.o $(BUILD)/obj/compiler/lower_table.o \
$(BUILD)/obj/compiler/lower_simd.o $(BUILD)/obj/compiler/debuginfo.o \
$(BUILD)/obj/compiler/linetable.o: \
	ALL_CFLAGS += $(filter -I%,$(LLVM_CFLAGS))

# Traps walk the frame-pointer chain from where they are raised.
$(BUILD)/obj/runtime/trap.o $(BUILD)/obj/runtime/builtins.o: \
	ALL_CFLAGS += -fno-omit-frame-pointer

# Library objects: internal functions are hidden, so only welf_* public
# symbols are visible to programs that link the archive.
$(LIB_COMPILER): $(call obj,$(COMPILER_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -c $< -o $@

$(LIB_RUNTIME): $(call obj,$(RUNTIME_SRCS)) \
                $(patsubst %.S,$(BUILD)/obj/%.o,$(RUNTIME_ASM))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(WELF): $(call obj,$(CLI_SRCS)) $(LIBS)
	$(CC) $(ALL_LDFLAGS) $^ $(COMPILER_LDLIBS) $(RUNTIME_LDLIBS) -o $@

$(SPECTEST): $(call obj,$(SPECTEST_SRCS)) $(LIBS)
	$(CC) $(ALL_LDFLAGS) $^ -lcjson $(COMPILER_LDLIBS) $(RUNTIME_LDLIBS) -o $@

# Unit tests see the libraries' internal headers.
$(BUILD)/obj/tests/compiler/%.o: ALL_CFLAGS += -Icompiler
$(BUILD)/obj/tests/runtime/%.o: ALL_CFLAGS += -Iruntime
$(BUILD)/fixtures/%.o: tests/runtime/fixtures/%.c runtime/abi.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -fPIC -fvisibility=hidden -fno-stack-protector \
	  -Iinclude -Iruntime -c $< -o $@

$(BUILD)/obj/tests/runtime/%.o: ALL_CFLAGS += \
	-DWELF_FIXTURE_DIR='"$(BUILD)/fixtures"'
# Criterion's main comes first: libwelf.a has one too (static_main.c),
# which the linker takes when main is still undefined at the archive.
$(UNIT): $(call obj,$(UNIT_SRCS)) $(FIXTURES) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -lcriterion $^ $(COMPILER_LDLIBS) $(RUNTIME_LDLIBS) -o $@

$(MUTATE): $(call obj,$(MUTATE_SRCS)) $(LIBS)
	$(CC) $(ALL_LDFLAGS) $^ $(COMPILER_LDLIBS) $(RUNTIME_LDLIBS) -o $@

# AddressSanitizer must not take over SIGSEGV from the runtime's trap
# handler; see docs/testing.md.
export ASAN_OPTIONS = detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1

test: unit-test cli-test e2e-test examples fuzz-smoke spectest

unit-test: $(UNIT)
	$(UNIT) -j2

cli-test: $(WELF)
	WELF=$(WELF) sh tests/cli/run.sh

# Compile a module to an object, link it into a C program, run it.
e2e-test: $(WELF) $(LIB_RUNTIME)
	E2E_CFLAGS="$(SAN_FLAGS)" sh tests/e2e/run.sh $(BUILD) $(CC)
	E2E_CFLAGS="$(SAN_FLAGS)" sh tests/e2e/chunks.sh $(BUILD) $(CC)
	E2E_CFLAGS="$(SAN_FLAGS)" sh tests/e2e/header.sh $(BUILD) $(CC)
	E2E_CFLAGS="$(SAN_FLAGS)" sh tests/e2e/static.sh $(BUILD) $(CC)
	E2E_CFLAGS="$(SAN_FLAGS)" sh tests/e2e/gdb.sh $(BUILD) $(CC)
	WELF=$(WELF) WELF_LIB_DIR=$(BUILD) CC=$(CC) E2E_CFLAGS="$(SAN_FLAGS)" \
	  sh tests/e2e/wasi.sh $(BUILD)/wasi-e2e welf-run static

# Build and run examples/ as their READMEs say; check what they print.
examples: $(WELF) $(LIB_RUNTIME)
	E2E_CFLAGS="$(SAN_FLAGS)" sh examples/run.sh $(BUILD) $(CC)

SPEC_FILES = $(sort $(wildcard $(TESTSUITE)/core/*.wast)) \
             $(sort $(wildcard $(TESTSUITE)/proposals/*/*.wast))

spectest: $(SPECTEST)
	@test -d $(TESTSUITE)/core || \
	  { echo "spec test suite not found in $(TESTSUITE)"; exit 1; }
	$(SPECTEST) --time $(SPEC_FILES)

# A quick pass of the mutation test in every `make test`; `make fuzz`
# runs the full count.
fuzz-smoke: $(MUTATE) $(WELF)
	FUZZ_FLAGS=-c sh tests/fuzz/run.sh $(MUTATE) $(TESTSUITE) 1000

# Benchmarks: bench-call first, then compile time with -j 1 against -j 2,
# the SIMD kernels built for wasm32 without and with -msimd128, and the
# suite against native code, wasm2c and V8.
bench: $(WELF) $(LIB_RUNTIME) bench-call
	sh tests/bench/compile_jobs.sh $(WELF) 1500
	sh tests/bench/simd.sh $(BUILD) $(CC)
	sh tests/bench/suite.sh $(BUILD) $(or $(RUNS),5)

# Calls between C and wasm against a C indirect call, and instantiation
# from an instance_pre (docs/performance.md).
bench-call: $(WELF) $(LIB_RUNTIME)
	sh tests/bench/call.sh $(BUILD) $(CC)

# The benchmark suite: every program of tests/bench/suite/ natively, with
# welf, wasm2c and V8, RUNS repetitions (default 5); BENCH_COUNT=1 counts
# instructions under callgrind instead (docs/benchmarks.md).
bench-suite: $(WELF) $(LIB_RUNTIME)
	sh tests/bench/suite.sh $(BUILD) $(or $(RUNS),5)

fuzz: $(MUTATE) $(WELF)
	FUZZ_FLAGS=-c sh tests/fuzz/run.sh $(MUTATE) $(TESTSUITE) $(FUZZ_N)

deps:
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "make deps installs Debian packages: run it as root"; exit 1; fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
	  --no-install-recommends $(DEB_PACKAGES)

install: $(WELF) $(LIBS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(WELF) $(DESTDIR)$(PREFIX)/bin/welf
	install -m 644 include/welf.h include/welf_compiler.h \
	  $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIBS) $(DESTDIR)$(PREFIX)/lib/
	install -d $(DESTDIR)$(PREFIX)/share/welf
	install -m 644 linker-scripts/welf.ld $(DESTDIR)$(PREFIX)/share/welf/
	for pc in welf welf_compiler; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	      -e 's|@LLVM_LIBS@|$(LLVM_LDLIBS)|g' \
	      $$pc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$pc.pc; \
	done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
