#!/bin/sh
# run.sh MUTATOR TESTSUITE COUNT — converts a selection of spec scripts
# into seed modules and runs the mutation tester over them. The seed is
# printed, so a failure can be replayed with `MUTATOR -s SEED -n COUNT`.
# FUZZ_FLAGS passes options to the mutator, e.g. -c to compile too.
set -eu
mutator=$1 suite=$2 count=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in binary br_table call_indirect data elem global imports \
         memory_copy table_init simd_lane simd_const select; do
    mkdir -p "$tmp/$f"
    wast2json "$suite/core/$f.wast" -o "$tmp/$f/x.json" 2>/dev/null
done
# Only modules that are valid as given: the mutants then start from
# something that exercises the validator, not just the first byte.
ls "$tmp"/*/*.wasm > "$tmp/all"
: > "$tmp/seeds"
while read -r w; do
    if "${WELF:-$(dirname "$mutator")/welf}" validate "$w" 2>/dev/null; then
        echo "$w" >> "$tmp/seeds"
    fi
done < "$tmp/all"
seed=${FUZZ_SEED:-$(date +%s)}
# shellcheck disable=SC2046
"$mutator" ${FUZZ_FLAGS:-} -n "$count" -s "$seed" $(cat "$tmp/seeds")
