#!/bin/sh
# suite.sh BUILD [RUNS] — the benchmark suite: every program in
# tests/bench/suite/ built four ways and timed side by side.
#
#   native  clang -O2 for the host
#   welf    clang --target=wasm32-wasi -O2, BUILD/welf compile (its
#           default level), linked statically with BUILD/libwelf.a
#   wasm2c  the same .wasm through wabt's wasm2c, clang -O2, wasm2c's
#           runtime from /usr/src/wasm2c and tests/bench/wasm2c/wasi_shim.c
#   v8      the same .wasm under node:wasi (tests/bench/suite/run_v8.mjs)
#
# Each repetition (RUNS, default 5) runs every program once on every
# runtime in turn, so that a slow spell of the machine hits them all; the
# table gives the median wall time of each, process start included, and
# its ratio to native. Every run's output must equal native's, byte for
# byte, or the suite stops with an error. Before the table come the
# compile-time figures: `welf compile` at -O0 and -O2 with -j 1 and -j 2,
# against wasm2c + clang -O2 of the same module, wall time and peak
# resident memory, one run each. The output ends with one line per
# runtime, `geomean RUNTIME RATIO`, the geometric mean of the ratios.
#
# Environment:
#   BENCH_DEBUG=1       one more runtime, welf-g: the program built with
#                       -g (compiled and linked apart, so the .wasm keeps
#                       its DWARF) and `welf compile -g`, to show what -g
#                       costs at run time, with a check that the two
#                       objects' code is the same
#   BENCH_COUNT=1       count instructions under valgrind's callgrind
#                       instead of timing, one run each, net of each
#                       runtime's start-up (an empty program's count,
#                       printed); skips the compile-time figures
#   BENCH_PROGRAMS=...  the programs to run (default: all)
#   BENCH_REPORT=DIR    also write DIR/results.tsv, DIR/compile.tsv and,
#                       with gnuplot, the chart DIR/benchmarks.png
#   BENCH_WORK=DIR      build in DIR and keep it (default: a temporary
#                       directory, removed at the end)
#   V8_FLAGS=...        node's flags (default
#                       --experimental-wasi-unstable-preview1 --no-liftoff
#                       --single-threaded-gc: node:wasi without a warning
#                       gate on Debian's node 18, V8's optimizing compiler
#                       from the first call, since a loop in a function
#                       called once, such as main, would otherwise stay
#                       in its baseline tier; node 20 sometimes crashes
#                       at exit after a large wasm memory without the
#                       second flag)
set -eu

[ $# -ge 1 ] || { echo "usage: suite.sh BUILD [RUNS]" >&2; exit 2; }
build=$1 runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
suite=$here/suite
count=${BENCH_COUNT:-0}
v8_flags=${V8_FLAGS---experimental-wasi-unstable-preview1 --no-liftoff --single-threaded-gc}
rt_src=/usr/src/wasm2c
runtimes="native welf wasm2c v8"
debug=${BENCH_DEBUG:-0}
[ "$debug" = 0 ] || runtimes="$runtimes welf-g"

die() {
    echo "suite.sh: $*" >&2
    exit 1
}
note() {
    echo "$*" >&2
}

for tool in clang cc wasm2c node awk; do
    command -v "$tool" > /dev/null || die "$tool not found (make deps)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (package time)"
[ -f "$rt_src/wasm-rt-impl.c" ] || die "$rt_src/wasm-rt-impl.c not found (package wabt)"
if [ ! -x "$build/welf" ] || [ ! -f "$build/libwelf.a" ]; then
    die "no welf in $build (make)"
fi
[ "$count" = 0 ] || command -v valgrind > /dev/null || die "valgrind not found"
build=$(cd "$build" && pwd)

if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
programs=${BENCH_PROGRAMS:-$(cd "$suite" && ls -- *.c | sed 's/\.c$//')}
: > "$work/times"
[ -z "${BENCH_REPORT:-}" ] || mkdir -p "$BENCH_REPORT"
: > "$work/compile"
: > "$work/same"

# ---- Building, with the compile-time figures ----

# measure FILE COMMAND... — runs COMMAND under /usr/bin/time and appends
# "SECONDS PEAK_KB" to FILE; fails with COMMAND's output if it fails.
measure() {
    out=$1
    shift
    if ! /usr/bin/time -f "%e %M" -o "$work/time.tmp" "$@" > "$work/cmd.log" 2>&1; then
        cat "$work/cmd.log" >&2
        die "failed: $*"
    fi
    tail -n 1 "$work/time.tmp" >> "$out"
}

# build_welf_g DIR SOURCE — DIR/welf-g: SOURCE built with -g, compiled
# and linked apart (one step at -O2 would let the link drop the DWARF
# or run wasm-opt), then `welf compile -g`, linked statically.
build_welf_g() {
    clang --target=wasm32-wasi -g -O2 -std=c11 -c "$2" -o "$1/prog-g.o"
    clang --target=wasm32-wasi -g "$1/prog-g.o" -o "$1/prog-g.wasm"
    "$build/welf" compile -g "$1/prog-g.wasm" -o "$1/welf-g.o"
    cc "$1/welf-g.o" -L"$build" -lwelf -lelf -lpthread -o "$1/welf-g"
}

note "building wasm2c's runtime"
clang -O2 -c -I"$rt_src" "$rt_src/wasm-rt-impl.c" -o "$work/wasm-rt-impl.o"

for p in $programs; do
    [ -f "$suite/$p.c" ] || die "no program $suite/$p.c"
    note "building $p"
    d=$work/$p
    mkdir -p "$d/w2c"
    clang -O2 -std=c11 -Wall -Wextra -Werror "$suite/$p.c" -lm -o "$d/native"
    clang --target=wasm32-wasi -O2 -std=c11 -Wall -Wextra -Werror \
        -Wl,--strip-debug "$suite/$p.c" -o "$d/prog.wasm"
    size=$(wc -c < "$d/prog.wasm")
    if [ "$count" = 0 ]; then
        : > "$d/ct"
        for o in 0 2; do
            for j in 1 2; do
                measure "$d/ct" "$build/welf" compile "$d/prog.wasm" \
                    -o "$d/welf-O$o-j$j.o" -O$o -j $j
            done
        done
        measure "$d/ct" sh -c "wasm2c -n bench '$d/prog.wasm' -o '$d/w2c/bench.c' &&
            clang -O2 -c -I'$rt_src' '$d/w2c/bench.c' -o '$d/w2c/bench.o'"
        echo "$p $size $(tr '\n' ' ' < "$d/ct")" >> "$work/compile"
    else
        wasm2c -n bench "$d/prog.wasm" -o "$d/w2c/bench.c"
        clang -O2 -c -I"$rt_src" "$d/w2c/bench.c" -o "$d/w2c/bench.o"
    fi
    # The run's object: welf's default level and thread count.
    "$build/welf" compile "$d/prog.wasm" -o "$d/welf.o"
    cc "$d/welf.o" -L"$build" -lwelf -lelf -lpthread -o "$d/welf"
    clang -O2 -c -I"$d/w2c" -I"$rt_src" "$here/wasm2c/wasi_shim.c" -o "$d/w2c/shim.o"
    clang "$d/w2c/bench.o" "$d/w2c/shim.o" "$work/wasm-rt-impl.o" -lm -o "$d/wasm2c"
    if [ "$debug" != 0 ]; then
        build_welf_g "$d" "$suite/$p.c"
        # -g must not change the code: compare the disassembly.
        for o in welf welf-g; do
            objdump -d "$d/$o.o" | sed -n '/^Disassembly/,$p' > "$d/$o.dis"
        done
        if cmp -s "$d/welf.dis" "$d/welf-g.dis"; then
            echo "$p: welf and welf-g have the same code" >> "$work/same"
        else
            echo "$p: welf and welf-g have DIFFERENT code" >> "$work/same"
        fi
    fi
done

# ---- Running ----

# run RUNTIME PROGRAM — runs PROGRAM on RUNTIME, output in the work dir.
# $wrap (valgrind or nothing) and $v8_flags are lists of words.
# shellcheck disable=SC2086
run() {
    d=$work/$2
    case $1 in
    native) $wrap "$d/native" ;;
    welf) $wrap "$d/welf" ;;
    welf-g) $wrap "$d/welf-g" ;;
    wasm2c) $wrap "$d/wasm2c" ;;
    v8) $wrap node $v8_flags "$suite/run_v8.mjs" "$d/prog.wasm" ;;
    esac > "$work/out" 2> "$work/err"
}

# check RUNTIME PROGRAM — the last run's output must equal native's.
check() {
    if ! cmp -s "$work/out" "$work/$2/expected"; then
        {
            echo "suite.sh: CHECKSUM MISMATCH: $2 on $1 differs from native"
            diff "$work/$2/expected" "$work/out" | head -n 20
            cat "$work/err"
        } >&2
        exit 1
    fi
}

# once RUNTIME PROGRAM — one measurement: nanoseconds, or instructions.
once() {
    if [ "$count" = 0 ]; then
        t0=$(date +%s%N)
        run "$1" "$2" || { cat "$work/err" >&2; die "$2 failed on $1"; }
        t1=$(date +%s%N)
        echo $((t1 - t0))
    else
        run "$1" "$2" || { cat "$work/err" >&2; die "$2 failed on $1"; }
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/err"
    fi
}

wrap=
for p in $programs; do
    note "checking $p"
    run native "$p" || die "$p failed natively"
    cp "$work/out" "$work/$p/expected"
    for rt in $runtimes; do
        [ "$rt" != native ] || continue
        run "$rt" "$p" || { cat "$work/err" >&2; die "$p failed on $rt"; }
        check "$rt" "$p"
    done
done

if [ "$count" = 0 ]; then
    for r in $(seq "$runs"); do
        note "repetition $r of $runs"
        for p in $programs; do
            for rt in $runtimes; do
                t=$(once "$rt" "$p") || exit 1
                check "$rt" "$p"
                echo "$p $rt $t" >> "$work/times"
            done
        done
    done
else
    wrap="valgrind --tool=callgrind --callgrind-out-file=/dev/null"
    # Start-up: an empty program, subtracted from every count.
    d=$work/startup
    mkdir -p "$d/w2c"
    printf '#include <stdio.h>\nint main(void) { puts("startup"); return 0; }\n' > "$d/startup.c"
    clang -O2 "$d/startup.c" -o "$d/native"
    clang --target=wasm32-wasi -O2 "$d/startup.c" -o "$d/prog.wasm"
    "$build/welf" compile "$d/prog.wasm" -o "$d/welf.o"
    cc "$d/welf.o" -L"$build" -lwelf -lelf -lpthread -o "$d/welf"
    wasm2c -n bench "$d/prog.wasm" -o "$d/w2c/bench.c"
    clang -O2 -I"$d/w2c" -I"$rt_src" "$d/w2c/bench.c" "$here/wasm2c/wasi_shim.c" \
        "$work/wasm-rt-impl.o" -lm -o "$d/wasm2c"
    [ "$debug" = 0 ] || build_welf_g "$d" "$d/startup.c"
    for rt in $runtimes; do
        n=$(once "$rt" startup) || exit 1
        [ -n "$n" ] || { cat "$work/err" >&2; die "no count for start-up on $rt"; }
        echo "startup $rt $n" >> "$work/startup.counts"
    done
    for p in $programs; do
        for rt in $runtimes; do
            note "counting $p on $rt"
            n=$(once "$rt" "$p") || exit 1
            [ -n "$n" ] || { cat "$work/err" >&2; die "no count for $p on $rt"; }
            check "$rt" "$p"
            s=$(awk -v rt="$rt" '$2 == rt { print $3 }' "$work/startup.counts")
            echo "$p $rt $((n - s))" >> "$work/times"
        done
    done
fi

# ---- Reporting ----

[ ! -s "$work/same" ] || { cat "$work/same"; echo; }

if [ "$count" = 0 ]; then
    cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
    echo "compile time: wall seconds / peak resident MB, one run each ($cpu, $(nproc) cores)"
    awk '
    BEGIN {
        printf "%-10s %7s %13s %13s %13s %13s %17s\n", "program", "wasm KB",
               "welf -O0 -j1", "welf -O0 -j2", "welf -O2 -j1", "welf -O2 -j2",
               "wasm2c+clang -O2"
    }
    {
        printf "%-10s %7.1f", $1, $2 / 1024
        for (i = 3; i < 13; i += 2) {
            printf " %*.2f / %4.0f", i == 11 ? 8 : 4, $i, $(i + 1) / 1024
            t[i] += $i
            if ($(i + 1) > m[i])
                m[i] = $(i + 1)
        }
        printf "\n"
    }
    END {
        if (NR == 0)
            exit
        printf "%-10s %7s", "total/max", ""
        for (i = 3; i < 13; i += 2)
            printf " %*.2f / %4.0f", i == 11 ? 8 : 4, t[i], m[i] / 1024
        printf "\n\n"
    }' "$work/compile"
    unit="s" scale=1e9 fmt="%8.3f"
else
    echo "start-up instructions subtracted below (an empty program):"
    awk '{ printf "  %-7s %14d\n", $2, $3 }' "$work/startup.counts"
    echo
    unit="Minstr" scale=1e6 fmt="%8.0f"
fi

# Medians per program and runtime, then ratios to native and geomeans.
awk -v runtimes="$runtimes" -v unit="$unit" -v scale="$scale" -v fmt="$fmt" \
    -v report="${BENCH_REPORT:-}" '
function median(p, rt,    n, i, j, tmp, a) {
    n = cnt[p, rt]
    for (i = 1; i <= n; i++)
        a[i] = val[p, rt, i]
    for (i = 2; i <= n; i++)                 # insertion sort, n is small
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            tmp = a[j]; a[j] = a[j - 1]; a[j - 1] = tmp
        }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    if (!($1 in seen)) {
        seen[$1] = 1
        order[++np] = $1
    }
    val[$1, $2, ++cnt[$1, $2]] = $3
}
END {
    nr = split(runtimes, rts, " ")
    if (unit == "s")
        printf "run time: median wall seconds, process start included\n"
    else
        printf "millions of instructions, net of start-up\n"
    printf "%-10s", "program"
    for (r = 1; r <= nr; r++)
        printf " %8s", rts[r]
    printf " |"
    for (r = 2; r <= nr; r++)
        printf " %8s", rts[r] "/n"
    printf "\n"
    if (report != "") {
        line = "program"
        for (r = 1; r <= nr; r++)
            line = line " " rts[r]
        for (r = 2; r <= nr; r++)
            line = line " r_" rts[r]
        print line > (report "/results.tsv")
    }
    for (i = 1; i <= np; i++) {
        p = order[i]
        printf "%-10s", p
        for (r = 1; r <= nr; r++) {
            med[r] = median(p, rts[r]) / scale
            printf " " fmt, med[r]
        }
        printf " |"
        line = p
        for (r = 1; r <= nr; r++)
            line = line " " med[r]
        for (r = 2; r <= nr; r++) {
            ratio = med[r] / med[1]
            logsum[r] += log(ratio)
            printf " %8.2f", ratio
            line = line " " ratio
        }
        printf "\n"
        if (report != "")
            print line > (report "/results.tsv")
    }
    printf "\n"
    if (report != "") {
        line = "geomean 1"
        for (r = 2; r <= nr; r++)
            line = line " -"
        for (r = 2; r <= nr; r++)
            line = line " " exp(logsum[r] / np)
        print line > (report "/results.tsv")
    }
    printf "geomean native 1.00\n"
    for (r = 2; r <= nr; r++)
        printf "geomean %s %.2f\n", rts[r], exp(logsum[r] / np)
}' "$work/times"

if [ -n "${BENCH_REPORT:-}" ]; then
    cp "$work/compile" "$BENCH_REPORT/compile.tsv"
    # The chart shows welf, wasm2c and v8 (chart.gp names the columns).
    if command -v gnuplot > /dev/null && [ "$count" = 0 ]; then
        gnuplot -e "data='$BENCH_REPORT/results.tsv'; out='$BENCH_REPORT/benchmarks.png'" \
            "$suite/chart.gp"
    fi
fi
