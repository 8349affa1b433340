#!/bin/sh
# run.sh — end-to-end tests of the `welf` command line: exit codes,
# help and version, and error messages with file and byte offset.
# Usage: WELF=build/welf sh tests/cli/run.sh
set -u
welf=${WELF:-build/welf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "cli: FAIL: $*"; }

# expect NAME STATUS PATTERN CMD...: runs CMD, checks its exit status and
# that stdout+stderr match the grep pattern (empty pattern: no check).
expect() {
    name=$1 want=$2 pattern=$3
    shift 3
    "$@" > "$tmp/out" 2>&1
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out"
    elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/out"; then
        bad "$name: output does not match '$pattern'"
        sed 's/^/  | /' "$tmp/out"
    else
        ok
    fi
}

# A valid module: (func (result i32) i32.const 1 i32.const 2 i32.add).
printf '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\12\11\1\7\0\101\1\101\2\152\13' \
    > "$tmp/add.wasm"
# The same with an f64 operand: invalid at the i32.add (offset 0x23).
printf '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\12\20\1\16\0\101\1\104\0\0\0\0\0\0\0\0\152\13' \
    > "$tmp/mismatch.wasm"
head -c 20 "$tmp/add.wasm" > "$tmp/truncated.wasm"
printf 'not wasm at all' > "$tmp/text.wasm"
head -c 4096 /dev/urandom > "$tmp/random.wasm"
: > "$tmp/empty.wasm"

expect "--help" 0 "validate" "$welf" --help
expect "--help lists compile" 0 "compile FILE.wasm" "$welf" --help
expect "--help lists inspect" 0 "inspect FILE.o" "$welf" --help
expect "--version" 0 "^welf [0-9]" "$welf" --version
expect "no arguments" 2 "usage" "$welf"
expect "unknown command" 2 "unknown command" "$welf" frobnicate
expect "validate: no files" 2 "no input files" "$welf" validate
expect "validate: unknown option" 2 "unknown option" "$welf" validate --bogus "$tmp/add.wasm"
expect "validate: bad feature" 2 "unknown feature" "$welf" validate --features=simd2 "$tmp/add.wasm"
expect "validate: valid" 0 "" "$welf" validate "$tmp/add.wasm"
expect "validate: type mismatch" 1 \
    "mismatch.wasm:0x23: error: type mismatch in i32.add: expected i32, got f64" \
    "$welf" validate "$tmp/mismatch.wasm"
expect "validate: truncated" 1 "truncated.wasm:0x[0-9a-f]*: error: unexpected end" \
    "$welf" validate "$tmp/truncated.wasm"
expect "validate: not wasm" 1 "text.wasm:0x0: error: magic header not detected" \
    "$welf" validate "$tmp/text.wasm"
expect "validate: random bytes" 1 "random.wasm:0x[0-9a-f]*: error: " \
    "$welf" validate "$tmp/random.wasm"
expect "validate: empty file" 1 "empty.wasm:0x0: error: magic" \
    "$welf" validate "$tmp/empty.wasm"
expect "validate: missing file" 1 "cannot open" \
    "$welf" validate "$tmp/nonexistent.wasm"
expect "validate: several files, one bad" 1 "mismatch.wasm:0x23" \
    "$welf" validate "$tmp/add.wasm" "$tmp/mismatch.wasm"
expect "validate: -- ends options" 0 "" "$welf" validate -- "$tmp/add.wasm"
expect "compile" 0 "" "$welf" compile "$tmp/add.wasm" -o "$tmp/add.o"
expect "compile --cpu=x86-64-v2" 0 "" \
    "$welf" compile "$tmp/add.wasm" -o "$tmp/add2.o" --cpu=x86-64-v2
expect "compile --cpu=bogus" 1 "unknown CPU 'bogus'" \
    "$welf" compile "$tmp/add.wasm" -o "$tmp/add3.o" --cpu=bogus
expect "compile: invalid module" 1 "mismatch.wasm:0x23: error: type mismatch" \
    "$welf" compile "$tmp/mismatch.wasm" -o "$tmp/bad.o"
expect "inspect" 0 "func   add\\|exports (0)" "$welf" inspect "$tmp/add.o"
expect "inspect: not an object" 1 "error" "$welf" inspect "$tmp/add.wasm"

# --header: a C header with typed wrappers. The module exports
# add (i32 i32) -> i32, "a-b" () -> (i32 i64) and a memory "m".
printf '\0\141\163\155\1\0\0\0\1\14\2\140\2\177\177\1\177\140\0\2\177\176\3\3\2\0\1\5\3\1\0\1\7\21\3\3\141\144\144\0\0\3\141\55\142\0\1\1\155\2\0\12\20\2\7\0\40\0\40\1\152\13\6\0\101\1\102\2\13' \
    > "$tmp/exp.wasm"
include=$(dirname "$0")/../../include
cc=${CC:-cc}
expect "--help lists --header" 0 "--header FILE.h" "$welf" compile --help
expect "compile --header" 0 "" \
    "$welf" compile "$tmp/exp.wasm" -o "$tmp/exp.o" --header "$tmp/exp.h"
expect "header: descriptor from the file name" 0 \
    "^extern const welf_desc_module welf_module_exp;" cat "$tmp/exp.h"
expect "header: typed wrapper" 0 \
    "^static inline int32_t exp_add(welf_instance \*inst, int32_t a1, int32_t a2)" \
    cat "$tmp/exp.h"
expect "header: check function" 0 \
    "^static inline welf_status exp_check(welf_instance \*inst, welf_error \*err)" \
    cat "$tmp/exp.h"
expect "header: two results listed, not wrapped" 0 '"a-b": func 1' \
    cat "$tmp/exp.h"
expect "header: memory listed" 0 '"m": memory 0, 1 pages' cat "$tmp/exp.h"
# header_compiles NAME: a C file that includes NAME.h must compile cleanly.
header_compiles() {
    printf '#include "%s.h"\nint main(void) { return 0; }\n' "$1" \
        > "$tmp/use_$1.c"
    $cc -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
        -I"$include" -I"$tmp" "$tmp/use_$1.c"
}
expect "header: compiles" 0 "" header_compiles exp
expect "compile --header --name" 0 "" "$welf" compile "$tmp/exp.wasm" \
    -o "$tmp/exp2.o" --name my-mod --header "$tmp/exp2.h"
expect "header: --name" 0 "welf_module_my_mod;" cat "$tmp/exp2.h"
expect "header: --name prefixes wrappers" 0 "my_mod_add(" cat "$tmp/exp2.h"
expect "header: no exports" 0 "" \
    "$welf" compile "$tmp/add.wasm" -o "$tmp/add4.o" --header "$tmp/add4.h"
expect "header: no exports compiles" 0 "" header_compiles add4
expect "header: missing directory" 1 "cannot create $tmp/nodir/x.h: " \
    "$welf" compile "$tmp/exp.wasm" -o "$tmp/exp3.o" --header "$tmp/nodir/x.h"
mkdir "$tmp/dir.h"
expect "header: path is a directory" 1 "cannot write $tmp/dir.h: " \
    "$welf" compile "$tmp/exp.wasm" -o "$tmp/exp4.o" --header "$tmp/dir.h"
if ls "$tmp" | grep -q '\.tmp'; then
    bad "header: a temporary file was left behind"; ls "$tmp"
else
    ok
fi
expect "header: same file as -o" 2 "same file" \
    "$welf" compile "$tmp/exp.wasm" -o "$tmp/exp5" --header "$tmp/exp5"
expect "header: no file name" 2 "incomplete option '--header'" \
    "$welf" compile "$tmp/exp.wasm" --header

# ---- welf run ----
export WELF_CACHE_DIR="$tmp/cache"
cat > "$tmp/calc.wat" <<'WAT'
(module
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "outer") (param i32) (result i32)
    (i32.add (call $div (i32.const 100) (local.get 0)) (i32.const 1)))
  (func (export "f64") (param f64 i64) (result f64)
    (f64.add (local.get 0) (f64.convert_i64_s (local.get 1))))
  (func $inner (param i32) (result i32)
    (i32.div_u (i32.const 7) (local.get 0)))
  (func $middle (export "middle") (param i32) (result i32)
    (i32.add (call $inner (local.get 0)) (i32.const 1))))
WAT
wat2wasm --debug-names "$tmp/calc.wat" -o "$tmp/calc.wasm"
expect "run --invoke" 0 "^26$" "$welf" run "$tmp/calc.wasm" --invoke outer 4
expect "run --invoke f64" 0 "^3.75$" \
    "$welf" run "$tmp/calc.wasm" --invoke f64 -- 1.75 2
expect "run: trap status and message" 134 \
    "^welf run: trap: integer divide by zero$" \
    "$welf" run "$tmp/calc.wasm" --invoke outer 0
expect "run: trap backtrace names the function" 134 "0: calc!div (function 0)" \
    "$welf" run -O0 "$tmp/calc.wasm" --invoke outer 0
# $inner is not exported: its body is not its wasm entry (docs/abi.md).
expect "run: trap backtrace names a function that does not escape" 134 \
    "0: calc!inner (function 3)" \
    "$welf" run -O0 "$tmp/calc.wasm" --invoke middle 0
expect "run: trap backtrace names its caller" 134 "1: calc!middle (function 4)" \
    "$welf" run -O0 "$tmp/calc.wasm" --invoke middle 0
expect "run: bad argument" 125 "'x' is not a i32" \
    "$welf" run "$tmp/calc.wasm" --invoke outer x
expect "run: wrong argument count" 125 "takes 1 arguments, not 2" \
    "$welf" run "$tmp/calc.wasm" --invoke outer 1 2
expect "run: no such export" 125 "exports no function '_start'" \
    "$welf" run "$tmp/calc.wasm"
expect "run: missing file" 125 "cannot open" "$welf" run "$tmp/none.wasm"
expect "run: unknown runner option" 125 "unknown option '--bogus'" \
    "$welf" run "$tmp/calc.wasm" --bogus
expect "run: --dir needs a value" 125 "needs a value" \
    "$welf" run "$tmp/calc.wasm" --dir
expect "run: --env needs KEY=VALUE" 125 "KEY=VALUE" \
    "$welf" run "$tmp/calc.wasm" --env novalue
printf '\0asm\1\0\0\0\1' > "$tmp/trunc.wasm"
expect "run: invalid module" 125 "trunc.wasm:0x9: error: " \
    "$welf" run "$tmp/trunc.wasm"
# The cache: one object after two runs, reused (not rewritten).
export WELF_CACHE_DIR="$tmp/cache2"
"$welf" run "$tmp/calc.wasm" --invoke outer 4 > /dev/null
"$welf" run "$tmp/calc.wasm" --invoke outer 4 > /dev/null
n=$(ls "$tmp/cache2" | wc -l)
if [ "$n" -eq 1 ]; then ok; else bad "run: cache holds $n objects, expected 1"; fi
obj=$(ls "$tmp/cache2"/*.o)
before=$(stat -c %Y.%s "$obj")
sleep 1
"$welf" run "$tmp/calc.wasm" --invoke outer 4 > /dev/null
if [ "$(stat -c %Y.%s "$obj")" = "$before" ]; then ok
else bad "run: the cached object was rewritten"; fi
# WELF_PERFMAP=1: function symbols of loaded code in /tmp/perf-PID.map.
sh -c 'echo $$ > "$1"; exec env WELF_PERFMAP=1 "$2" run "$3" --invoke outer 4' \
    sh "$tmp/pid" "$welf" "$tmp/calc.wasm" > /dev/null
map=/tmp/perf-$(cat "$tmp/pid").map
if grep -q '^[0-9a-f]* [0-9a-f]* div$' "$map" 2> /dev/null; then ok
else bad "run: WELF_PERFMAP=1 wrote no entry for div in $map"; fi
rm -f "$map"
expect "run --no-cache" 0 "^26$" \
    "$welf" run --no-cache "$tmp/calc.wasm" --invoke outer 4
expect "run: a compiled object" 0 "^26$" \
    sh -c "'$welf' compile '$tmp/calc.wasm' -o '$tmp/calc.o' && '$welf' run '$tmp/calc.o' --invoke outer 4"
# A WASI command: arguments, environment, exit status, stdout.
if command -v clang > /dev/null && [ -d /usr/lib/wasm32-wasi ] ||
   [ -d /usr/include/wasm32-wasi ]; then
    cat > "$tmp/hello.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("arg %s\n", argv[i]);
    const char *g = getenv("GREETING");
    printf("greeting %s\n", g ? g : "(none)");
    return argc > 2 ? 3 : 0;
}
C
    clang --target=wasm32-wasi -O2 "$tmp/hello.c" -o "$tmp/hello.wasm"
    expect "run: WASI args and env" 0 "^arg a$" \
        "$welf" run "$tmp/hello.wasm" --env GREETING=hi -- a
    expect "run: WASI env" 0 "^greeting hi$" \
        "$welf" run "$tmp/hello.wasm" --env GREETING=hi -- a
    expect "run: WASI exit status" 3 "" "$welf" run "$tmp/hello.wasm" a b
    expect "run: program options after --" 0 "^arg --dir$" \
        "$welf" run "$tmp/hello.wasm" -- --dir
else
    bad "run: clang --target=wasm32-wasi is not available (make deps)"
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
