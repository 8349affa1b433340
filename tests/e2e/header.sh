#!/bin/sh
# header.sh BUILD CC — `welf compile --header`: compile the module below
# (every value type, a function with two results, a trap, export names
# that need mangling) and generate its header, with the module name
# taken from the file name; link the object and three variants of the
# module into header_main.c, which checks the instances with demo_check
# and calls every wrapper; compare its output with the expected text at
# the end of this file.
set -eu
build=$1 cc=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/demo.wat" <<'WAT'
(module
  (global $count (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param i32 i64) (result f32)
    (f32.add (f32.convert_i32_s (local.get 0))
             (f32.convert_i64_s (local.get 1))))
  (func (export "nop")
    (global.set $count (i32.add (global.get $count) (i32.const 1))))
  (func (export "get-count") (result i32) (global.get $count))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1))
    (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "1st") (param f64) (result f64)
    (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "wide") (param i64) (result i64)
    (i64.shl (local.get 0) (i64.const 40)))
  (func (export "hello world") (result i32) (i32.const 1))
  (func (export "hello_world") (result i32) (i32.const 2))
  (func (export "check") (result i32) (i32.const 3))
  (func (export "caf\c3\a9") (result i32) (i32.const 4))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "get-add") (result funcref) (ref.func $add))
  (func (export "splat") (param i32) (result v128)
    (i32x4.splat (local.get 0)))
  (func (export "lane2") (param v128) (result i32)
    (i32x4.extract_lane 2 (local.get 0))))
WAT
cat > "$tmp/missing.wat" <<'WAT'
(module
  (func (export "add") (param i32 i32) (result i32) (local.get 0)))
WAT
cat > "$tmp/moved.wat" <<'WAT'
(module
  (func)
  (func (export "add") (param i32 i32) (result i32) (local.get 0)))
WAT
cat > "$tmp/retyped.wat" <<'WAT'
(module
  (func (export "add") (param i64 i64) (result i64) (local.get 0)))
WAT

for m in demo missing moved retyped; do
    wat2wasm "$tmp/$m.wat" -o "$tmp/$m.wasm"
done
"$build/welf" compile "$tmp/demo.wasm" -o "$tmp/demo.o" --header "$tmp/demo.h"
for m in missing moved retyped; do
    "$build/welf" compile "$tmp/$m.wasm" -o "$tmp/$m.o"
done
# The generated header must compile without a warning.
$cc ${E2E_CFLAGS:-} -std=c11 -Wall -Wextra -Werror -Iinclude -I"$tmp" \
    "$here/header_main.c" "$tmp/demo.o" "$tmp/missing.o" "$tmp/moved.o" \
    "$tmp/retyped.o" "$build/libwelf.a" -lelf -o "$tmp/header"
"$tmp/header" > "$tmp/out"

cat > "$tmp/expected" <<'OUT'
demo_check: ok
add(2, 3) = 5
mix(3, -10) = -7.0
mix(1, 2^33) = 8589934592.0
get-count = 2 after two nops
1st(5) = 2.50
wide(3) = 3298534883328
hello world = 1, hello_world = 2
check = 3, café = 4
id(&marker) is &marker: yes
id(NULL) is NULL: yes
get-add is function 0: yes
splat(7) = 7 7 7 7
lane2(10 20 30 40) = 30
div(7, 2) = 3
div(1, 0) trapped: integer divide by zero
div(-2147483648, -1) trapped: integer overflow
add(40, 2) = 42 after the traps
divmod(17, 5) = 3 2
demo_check(missing): WELF_ERR_LINK: unknown export "mix"
demo_check(moved): WELF_ERR_LINK: export "add" is not function 0 of module demo
demo_check(retyped): WELF_ERR_USAGE: function type mismatch: expected (i32, i32) -> i32, the function is (i64, i64) -> i64
OUT
if diff -u "$tmp/expected" "$tmp/out"; then
    echo "e2e header: 1 passed, 0 failed"
else
    echo "e2e header: 0 passed, 1 failed"
    exit 1
fi
