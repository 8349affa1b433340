#!/bin/sh
# simd.sh BUILD CC — the SIMD benchmark: simd_kernel.c built for wasm32
# with and without -msimd128 (clang, wasm-ld), compiled by welf at -O2,
# run by simd_bench.c.
set -eu
build=$1 cc=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in scalar simd; do
    flag=""
    [ "$v" = simd ] && flag=-msimd128
    clang --target=wasm32 -O2 $flag -nostdlib -Wl,--no-entry \
        "$here/simd_kernel.c" -o "$tmp/$v.wasm"
    "$build/welf" compile "$tmp/$v.wasm" -o "$tmp/$v.o"
done
$cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude "$here/simd_bench.c" "$build/libwelf.a" -lelf \
    -o "$tmp/simd_bench"
"$tmp/simd_bench" "$tmp/scalar.o" "$tmp/simd.o"
