#!/bin/sh
# gen_funcs.sh N [main] — prints a WebAssembly text module with N
# functions of mixed integer and float work (loops, branches, calls to
# neighbours, memory traffic), for compile-time measurements and for
# testing objects compiled in several chunks. With "main", adds an export
# main () -> i64 that runs the whole call chain. Deterministic.
n=${1:-1500}
awk -v n="$n" -v main="${2:-}" 'BEGIN {
    print "(module"
    print "  (memory 1)"
    print "  (global $g (mut i64) (i64.const 0))"
    for (i = 0; i < n; i++) {
        printf "  (func $f%d (export \"f%d\") (param $x i32) (param $y f64) (result i64)\n", i, i
        print "    (local $i i32) (local $acc i64) (local $t f64)"
        print "    (local.set $t (local.get $y))"
        print "    (block $done (loop $top"
        print "      (br_if $done (i32.ge_u (local.get $i) (local.get $x)))"
        printf "      (local.set $acc (i64.add (local.get $acc) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const %d))))\n", i * 7 + 3
        print "      (local.set $t (f64.add (f64.mul (local.get $t) (f64.const 1.0001)) (f64.convert_i32_u (local.get $i))))"
        printf "      (i32.store offset=%d (i32.and (local.get $i) (i32.const 1023)) (i32.wrap_i64 (local.get $acc)))\n", (i % 64) * 4
        print "      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 7)))"
        print "        (then (local.set $acc (i64.xor (local.get $acc) (i64.trunc_sat_f64_s (local.get $t))))))"
        print "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
        print "      (br $top)))"
        if (i > 0)
            printf "    (local.set $acc (i64.add (local.get $acc) (call $f%d (i32.shr_u (local.get $x) (i32.const 1)) (local.get $t))))\n", i - 1
        print "    (global.set $g (i64.add (global.get $g) (local.get $acc)))"
        print "    (i64.add (local.get $acc) (i64.load (i32.const 64))))"
    }
    if (main == "main")
        printf "  (func (export \"main\") (result i64) (call $f%d (i32.const 40) (f64.const 1.5)))\n", n - 1
    print ")"
}'
