#!/bin/sh
# call.sh BUILD CC [REPS [FILTER]] — the call and instantiation
# benchmark: makes calls.wasm, imports10.wasm and empty.wasm with
# wat2wasm, compiles them with BUILD/welf (default -O2), links them
# statically with call_bench.c and BUILD/libwelf.a, and runs it with REPS
# repetitions (default 11) and FILTER (see call_bench.c). With
# CALL_BENCH_KEEP=DIR the program is left in DIR/call_bench, for perf.
set -eu
build=$1 cc=$2
shift 2
[ $# -gt 0 ] || set -- 11
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for m in calls imports10 empty; do
    wat2wasm "$here/$m.wat" -o "$tmp/$m.wasm"
    "$build/welf" compile "$tmp/$m.wasm" -o "$tmp/$m.o" --name "$m"
done
$cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude \
    "$here/call_bench.c" "$tmp/calls.o" "$tmp/imports10.o" "$tmp/empty.o" \
    "$build/libwelf.a" -lelf -lpthread -o "$tmp/call_bench"
if [ -n "${CALL_BENCH_KEEP:-}" ]; then
    mkdir -p "$CALL_BENCH_KEEP"
    cp "$tmp/call_bench" "$CALL_BENCH_KEEP/call_bench"
fi
"$tmp/call_bench" "$@"
