#!/bin/sh
# simd.sh BUILD CC — the SIMD benchmark: two kernels, simd_kernel.c
# (elementwise) and simd_dot.c (a reduction), each built for wasm32 with
# and without -msimd128 (clang, wasm-ld), compiled by welf at -O2, run by
# simd_bench.c.
set -eu
build=$1 cc=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# kernel NAME FILE TOLERANCE CFLAGS: build FILE both ways and run them.
kernel() {
    name=$1 src=$2 tol=$3 cflags=$4
    for v in scalar simd; do
        flag=""
        [ "$v" = simd ] && flag=-msimd128
        clang --target=wasm32 -O2 $cflags $flag -nostdlib -Wl,--no-entry \
            "$src" -o "$tmp/$name-$v.wasm"
        "$build/welf" compile "$tmp/$name-$v.wasm" -o "$tmp/$name-$v.o"
    done
    "$tmp/simd_bench" "$tmp/$name-scalar.o" "$tmp/$name-simd.o" "$name" $tol
}
$cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude "$here/simd_bench.c" \
    "$build/libwelf.a" -lelf -o "$tmp/simd_bench"
# Elementwise: welf vectorizes the scalar build too, so the two are close.
kernel elementwise "$here/simd_kernel.c" "" ""
# A reduction: only the -msimd128 build can be vectorized.
kernel dot "$here/simd_dot.c" 1e-3 -ffast-math
