#!/bin/sh
# run.sh BUILD CC — the static-link test: welf compile a module to an
# object on disk, link it with cc, a C main and libwelf.a, run it and
# compare its output with expected.txt.
set -eu
build=$1 cc=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wat2wasm "$here/calc.wat" -o "$tmp/calc.wasm"
"$build/welf" compile "$tmp/calc.wasm" -o "$tmp/calc.o" --name calc
# The sanitizer flags, when set, must reach the link of a sanitized
# runtime library. --gc-sections: the descriptor must keep itself and
# everything it points to alive.
$cc ${E2E_CFLAGS:-} -std=c11 -Iinclude -ffunction-sections -fdata-sections \
    "$here/main.c" "$tmp/calc.o" "$build/libwelf.a" -lelf \
    -Wl,--gc-sections -o "$tmp/calc"
"$tmp/calc" > "$tmp/out"
if diff -u "$here/expected.txt" "$tmp/out"; then
    echo "e2e: 1 passed, 0 failed"
else
    echo "e2e: 0 passed, 1 failed"
    exit 1
fi
