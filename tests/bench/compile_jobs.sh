#!/bin/sh
# compile_jobs.sh WELF [N] — times `welf compile` of a generated module of
# N functions (default 1500) at -O2 with -j 1 and -j 2, five runs each,
# alternating, and prints the medians, their ratio, and whether the
# objects are byte-identical.
set -eu
welf=$1 n=${2:-1500}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/gen_funcs.sh" "$n" > "$tmp/m.wat"
wat2wasm "$tmp/m.wat" -o "$tmp/m.wasm"
for run in 1 2 3 4 5; do
    for j in 1 2; do
        start=$(date +%s.%N)
        "$welf" compile "$tmp/m.wasm" -o "$tmp/m$j.o" -j "$j"
        end=$(date +%s.%N)
        echo "$j $start $end" | awk '{ printf "%s %.3f\n", $1, $3 - $2 }' \
            >> "$tmp/times"
    done
done
median() { grep "^$1 " "$tmp/times" | cut -d' ' -f2 | sort -n | sed -n 3p; }
t1=$(median 1) t2=$(median 2)
same=no
cmp -s "$tmp/m1.o" "$tmp/m2.o" && same=yes
awk -v n="$n" -v t1="$t1" -v t2="$t2" -v same="$same" 'BEGIN {
    printf "compile %d functions at -O2: -j 1 %.2f s, -j 2 %.2f s " \
           "(median of 5), speed-up %.2fx, identical objects: %s\n",
           n, t1, t2, t1 / t2, same }'
