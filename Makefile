# welf — an ahead-of-time WebAssembly compiler.
#
#   make deps        install the Debian packages welf needs (root)
#   make             build build/welf, the libraries and the test programs
#   make test        unit tests, CLI tests, spec tests, mutation smoke test
#   make spectest    the spec test suite alone
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

DEB_PACKAGES = make gcc clang pkg-config llvm-19-dev libelf-dev \
               libdwarf-dev libcriterion-dev libcjson-dev wabt

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

COMPILER_SRCS = compiler/arena.c compiler/decode.c compiler/instr.c \
                compiler/module.c compiler/reader.c compiler/util.c \
                compiler/validate.c
CLI_SRCS = compiler/main.c
UNIT_SRCS = $(wildcard tests/compiler/*.c)
SPECTEST_SRCS = tests/spectest/spectest.c
MUTATE_SRCS = tests/fuzz/mutate.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_COMPILER = $(BUILD)/libwelf_compiler.a
WELF = $(BUILD)/welf
SPECTEST = $(BUILD)/welf-spectest
UNIT = $(BUILD)/welf-unit
MUTATE = $(BUILD)/welf-mutate

.PHONY: all deps test unit-test cli-test spectest fuzz fuzz-smoke install \
        clean

all: $(WELF) $(LIB_COMPILER) $(SPECTEST) $(UNIT) $(MUTATE)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Library objects: internal functions are hidden, so only welf_* public
# symbols are visible to programs that link the archive.
$(LIB_COMPILER): $(call obj,$(COMPILER_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(WELF): $(call obj,$(CLI_SRCS)) $(LIB_COMPILER)
	$(CC) $(ALL_LDFLAGS) $^ -o $@

$(SPECTEST): $(call obj,$(SPECTEST_SRCS)) $(LIB_COMPILER)
	$(CC) $(ALL_LDFLAGS) $^ -lcjson -o $@

# Unit tests see the library's internal headers.
$(BUILD)/obj/tests/compiler/%.o: ALL_CFLAGS += -Icompiler
$(UNIT): $(call obj,$(UNIT_SRCS)) $(LIB_COMPILER)
	$(CC) $(ALL_LDFLAGS) $^ -lcriterion -o $@

$(MUTATE): $(call obj,$(MUTATE_SRCS)) $(LIB_COMPILER)
	$(CC) $(ALL_LDFLAGS) $^ -o $@

# AddressSanitizer must not take over SIGSEGV from the runtime's trap
# handler; see docs/testing.md.
export ASAN_OPTIONS = detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1

test: unit-test cli-test fuzz-smoke spectest

unit-test: $(UNIT)
	$(UNIT) -j2

cli-test: $(WELF)
	WELF=$(WELF) sh tests/cli/run.sh

SPEC_FILES = $(sort $(wildcard $(TESTSUITE)/core/*.wast)) \
             $(sort $(wildcard $(TESTSUITE)/proposals/*/*.wast))

spectest: $(SPECTEST)
	@test -d $(TESTSUITE)/core || \
	  { echo "spec test suite not found in $(TESTSUITE)"; exit 1; }
	$(SPECTEST) --time $(SPEC_FILES)

# A quick pass of the mutation test in every `make test`; `make fuzz`
# runs the full count.
fuzz-smoke: $(MUTATE) $(WELF)
	sh tests/fuzz/run.sh $(MUTATE) $(TESTSUITE) 1000

fuzz: $(MUTATE) $(WELF)
	sh tests/fuzz/run.sh $(MUTATE) $(TESTSUITE) $(FUZZ_N)

deps:
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "make deps installs Debian packages: run it as root"; exit 1; fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
	  --no-install-recommends $(DEB_PACKAGES)

install: $(WELF) $(LIB_COMPILER)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(WELF) $(DESTDIR)$(PREFIX)/bin/welf
	install -m 644 include/welf_compiler.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIB_COMPILER) $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@VERSION@|$(shell sed -n 's/^#define WELF_VERSION_STRING "\(.*\)"/\1/p' include/welf_compiler.h)|g' \
	    welf_compiler.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/welf_compiler.pc

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
