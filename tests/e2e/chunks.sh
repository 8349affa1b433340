#!/bin/sh
# chunks.sh BUILD CC — a module big enough to be compiled in several
# chunks and merged: the object must be the same with -j 1 and -j 2, and
# running its call chain must give what wabt's interpreter gives.
set -eu
build=$1 cc=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/../bench/gen_funcs.sh" 300 main > "$tmp/m.wat"
wat2wasm "$tmp/m.wat" -o "$tmp/m.wasm"
"$build/welf" compile "$tmp/m.wasm" -O1 -j 1 -o "$tmp/m1.o"
"$build/welf" compile "$tmp/m.wasm" -O1 -j 2 -o "$tmp/m2.o"
failed=0
if ! cmp -s "$tmp/m1.o" "$tmp/m2.o"; then
    echo "chunks: objects differ between -j 1 and -j 2"
    failed=1
fi
$cc ${E2E_CFLAGS:-} -std=c11 -Iinclude "$here/run_main.c" "$build/libwelf.a" \
    -lelf -o "$tmp/run_main"
"$tmp/run_main" "$tmp/m2.o" > "$tmp/welf.out"
wasm-interp "$tmp/m.wasm" --run-all-exports | grep '^main()' > "$tmp/interp.out"
if ! diff -u "$tmp/interp.out" "$tmp/welf.out"; then
    echo "chunks: result differs from wasm-interp's"
    failed=1
fi
if [ "$failed" -eq 0 ]; then
    echo "chunks: 1 passed, 0 failed"
else
    echo "chunks: 0 passed, 1 failed"
    exit 1
fi
