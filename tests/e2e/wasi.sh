#!/bin/sh
# wasi.sh WORKDIR MODE... — end-to-end tests of WASI programs.
#
# Each tests/e2e/wasi/NAME.c is built natively and for wasm32-wasi (both
# cached in WORKDIR), run natively to get the reference, then run as wasm
# by every MODE given:
#
#   node      node --single-threaded-gc tests/e2e/wasi_node.mjs, a reference
#             runtime (node:wasi) that takes the flags of welf run
#   welf-run  $WELF run FILE.wasm --dir HOST::GUEST --env K=V -- ARGS
#             (see welf_run below)
#   static    $WELF compile, linked into a program of its own (see
#             static_link and static_run below)
#
# Every run gets a fresh copy of the same sandbox directory (preopened as
# /sandbox under WASI), the same arguments (the sandbox directory first:
# its host path natively, /sandbox under WASI), exactly the same
# environment variables, and stdin from wasi/stdin.txt. A wasm run passes
# when its stdout, stderr, exit code and the sandbox's files afterwards
# (names, types, sizes, checksums) are those of the native run.
#
# sandbox_*.c are wasm-only (they call <wasi/api.h> directly): their stdout
# must equal wasi/NAME.expected and their exit code must be 0. node:wasi
# makes no sandboxing promises, so in mode node they are not run, and the
# script says so; they never count as passed there.
#
# Environment: WELF (default build/welf), WELF_LIB_DIR (holds libwelf.a,
# default build), CC (links static programs, default cc), WASI_CC (default
# clang), NATIVE_CC (default clang), WASI_E2E_JOBS (programs tested at
# once, default: the number of processors), WASI_E2E_TIMEOUT (seconds per
# run, default 120; needs timeout(1)).
#
# Prints one "wasi-e2e: FAIL: NAME (MODE): WHAT" block per failure and the
# summary "wasi-e2e: N passed, M failed"; exits 1 on any failure.
set -u

usage() {
    echo "usage: sh tests/e2e/wasi.sh WORKDIR MODE...  (MODE: node, welf-run, static)" >&2
    exit 2
}

[ $# -ge 2 ] || usage
work=$1
shift
for mode do
    case $mode in
    node | welf-run | static) ;;
    *) usage ;;
    esac
done
modes=$*

WELF=${WELF:-build/welf}
WELF_LIB_DIR=${WELF_LIB_DIR:-build}
CC=${CC:-cc}
WASI_CC=${WASI_CC:-clang}
NATIVE_CC=${NATIVE_CC:-clang}
jobs=${WASI_E2E_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}

# Every run happens in its own directory, so make the paths absolute.
absolute() {
    case $1 in
    /*) echo "$1" ;;
    */*) echo "$PWD/$1" ;;
    *) echo "$1" ;; # a command found in PATH
    esac
}
WELF=$(absolute "$WELF")
case $WELF_LIB_DIR in /*) ;; *) WELF_LIB_DIR=$PWD/$WELF_LIB_DIR ;; esac
here=$(cd "$(dirname "$0")" && pwd)
src=$here/wasi
mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)
build=$work/build
rm -rf "$work/run" "$work/result" "$work/seed"
mkdir -p "$build" "$work/run" "$work/result" || exit 2

# node 20 sometimes crashes on allocation-heavy wasm programs unless its
# garbage collector runs on one thread.
node_flags=--single-threaded-gc

guard=
if command -v timeout >/dev/null 2>&1; then
    guard="timeout ${WASI_E2E_TIMEOUT:-120}"
fi

# What every program gets: the environment (exactly these variables) and
# the arguments after the sandbox directory, one per line.
guest_env='WELF_E2E_A=1
WELF_E2E_B=two words
WELF_E2E_EMPTY=
WELF_E2E_EQ=a=b=c'
guest_args='alpha
two words

--opt=3
ünï'

# welf_run FILE.wasm [--dir HOST::GUEST]... [--env K=V]... -- ARGS... — run
# a module with `welf run`, its compiled code cached inside WORKDIR.
welf_run() {
    wasm=$1
    shift
    WELF_CACHE_DIR=$work/cache $guard "$WELF" run "$wasm" "$@"
}

# static_link OBJ BIN — link the object `welf compile` made into a program
# of its own. libwelf.a provides its main, which runs the module's _start
# under the WASI runtime and takes the same flags as `welf run` (see
# static_run). Adjust this one command if how that main gets linked in
# changes.
static_link() {
    $CC ${E2E_CFLAGS:-} "$1" -L"$WELF_LIB_DIR" -lwelf -lelf -lpthread \
        -o "$2"
}

# static_run BIN [--dir HOST::GUEST]... [--env K=V]... -- ARGS... — run a
# program made by static_link; the flags are those of `welf run`, without
# FILE.wasm.
static_run() {
    bin=$1
    shift
    $guard "$bin" "$@"
}

# fresh OUT SRC... — whether OUT exists and is newer than every SRC.
fresh() {
    out=$1
    shift
    [ -e "$out" ] || return 1
    for dep do
        [ -n "$(find "$dep" -prune -newer "$out")" ] && return 1
    done
    return 0
}

# The sandbox every run starts from: a text file, an empty file, a binary
# data file, and a subdirectory with a file and an empty directory.
make_seed() {
    seed=$work/seed
    mkdir -p "$seed/sub/deeper"
    printf 'Hello from the sandbox.\nSecond line.\n' > "$seed/hello.txt"
    : > "$seed/empty.txt"
    printf 'nested file\n' > "$seed/sub/nested.txt"
    # data.bin: all 256 byte values, then 16 blocks of text and bytes.
    esc='' i=0
    while [ $i -lt 256 ]; do
        esc=$esc\\0$((i / 64))$((i / 8 % 8))$((i % 8))
        i=$((i + 1))
    done
    {
        printf '%b' "$esc"
        i=0
        while [ $i -lt 16 ]; do
            printf 'record %d of 16\n' $i
            printf '%b' "$esc" | tail -c $((i * 16 + 1))
            i=$((i + 1))
        done
    } > "$seed/data.bin"
}

# fresh_sandbox NAME DIR — a new copy of the seed at DIR; the sandbox
# programs also get the links they try to escape through.
fresh_sandbox() {
    rm -rf "$2"
    cp -R "$work/seed" "$2"
    case $1 in
    sandbox_*)
        ln -s /etc "$2/escape"
        ln -s .. "$2/up"
        ln -s hello.txt "$2/inside"
        ;;
    esac
}

# listing DIR — every directory, symbolic link and file under DIR, files
# with their size and CRC, in sorted order.
listing() (
    cd "$1" || exit 1
    {
        find . -type d | sed 's/^/dir  /'
        find . -type l | sed 's/^/link /'
        find . -type f -exec cksum {} + |
            sed 's/^\([0-9]*\) \([0-9]*\) \(.*\)$/file \3 size=\2 crc=\1/'
        find . ! -type d ! -type l ! -type f | sed 's/^/???? /'
    } | LC_ALL=C sort
)

# run_one MODE NAME — run NAME's native binary (MODE native) or wasm in
# run/MODE/NAME/: stdout, stderr, rc (exit code) and files (listing).
run_one() {
    mode=$1 name=$2
    dir=$work/run/$mode/$name
    sb=$dir/sandbox
    mkdir -p "$dir"
    fresh_sandbox "$name" "$sb"
    case $mode in
    native) set -- $guard env -i ;;
    node) set -- $guard node $node_flags "$here/wasi_node.mjs" --dir "$sb::/sandbox" ;;
    welf-run) set -- welf_run "$build/$name.wasm" --dir "$sb::/sandbox" ;;
    static) set -- static_run "$build/$name.bin" --dir "$sb::/sandbox" ;;
    esac
    while IFS= read -r kv; do
        if [ "$mode" = native ]; then
            set -- "$@" "$kv"
        else
            set -- "$@" --env "$kv"
        fi
    done <<EOF
$guest_env
EOF
    case $mode in
    native) set -- "$@" "$build/$name" "$sb" ;;
    node) set -- "$@" -- "$build/$name.wasm" /sandbox ;;
    welf-run | static) set -- "$@" -- /sandbox ;;
    esac
    while IFS= read -r arg; do
        set -- "$@" "$arg"
    done <<EOF
$guest_args
EOF
    # The outer subshell's stderr takes the shell's own report of a
    # program killed by a signal ("Segmentation fault").
    ( (cd "$dir" && "$@" < "$src/stdin.txt" > "$dir/stdout" 2> "$dir/stderr")
        echo $? > "$dir/rc") 2> /dev/null
    listing "$sb" > "$dir/files"
}

# excerpt FILE1 FILE2 — the start of their differences.
excerpt() {
    diff -u "$1" "$2" | sed -n '3,14p'
}

# result MODE NAME LINE [FILE] — record NAME's outcome in MODE: "pass", or
# what failed followed by the start of FILE (diff excerpts or a log),
# indented.
result() {
    {
        echo "$3"
        if [ $# -ge 4 ]; then
            sed -n '1,40s/^/    /p' "$4"
        fi
    } > "$work/result/$1.$2"
}

# build_mode MODE NAME — what MODE needs beyond the .wasm; on failure,
# records it and returns 1.
build_mode() {
    mode=$1 name=$2 b=$build/$2
    case $mode in
    node | welf-run) return 0 ;;
    esac
    if ! fresh "$b.o" "$b.wasm" "$WELF" &&
        ! "$WELF" compile "$b.wasm" -o "$b.o" > "$b.compile.log" 2>&1; then
        rm -f "$b.o"
        result "$mode" "$name" "welf compile failed" "$b.compile.log"
        return 1
    fi
    if ! fresh "$b.bin" "$b.o" "$WELF_LIB_DIR/libwelf.a" &&
        ! static_link "$b.o" "$b.bin" > "$b.link.log" 2>&1; then
        rm -f "$b.bin"
        result "$mode" "$name" "static link failed" "$b.link.log"
        return 1
    fi
}

# compare MODE NAME — record whether NAME's run in MODE matches the
# native run (or, for sandbox programs, NAME.expected and exit code 0).
compare() {
    mode=$1 name=$2
    got=$work/run/$mode/$name
    what='' log=$got/excerpt
    : > "$log"
    case $name in
    sandbox_*)
        if [ "$(cat "$got/rc")" != 0 ]; then
            what="exit code $(cat "$got/rc"), expected 0"
            sed -n '1,5s/^/stderr: /p' "$got/stderr" >> "$log"
        fi
        if ! cmp -s "$src/$name.expected" "$got/stdout"; then
            what="${what:+$what, }stdout differs from $name.expected"
            excerpt "$src/$name.expected" "$got/stdout" >> "$log"
        fi
        ;;
    *)
        ref=$work/run/native/$name
        if ! cmp -s "$ref/rc" "$got/rc"; then
            what="exit code $(cat "$got/rc"), native $(cat "$ref/rc")"
        fi
        for f in stdout stderr files; do
            if ! cmp -s "$ref/$f" "$got/$f"; then
                what="${what:+$what, }$f differs"
                excerpt "$ref/$f" "$got/$f" >> "$log"
            fi
        done
        ;;
    esac
    if [ -z "$what" ]; then
        result "$mode" "$name" pass
    else
        result "$mode" "$name" "$what" "$log"
    fi
}

# test_program NAME — build NAME, run it natively and in every mode, and
# record one result per mode.
test_program() {
    name=$1 b=$build/$1
    case $name in
    sandbox_*) ;;
    *)
        if ! fresh "$b" "$src/$name.c" "$src/common.h" &&
            ! $NATIVE_CC -O2 -w "$src/$name.c" -o "$b" -lm > "$b.native.log" 2>&1; then
            rm -f "$b"
            for mode in $modes; do
                result "$mode" "$name" "native build failed" "$b.native.log"
            done
            return
        fi
        ;;
    esac
    if ! fresh "$b.wasm" "$src/$name.c" "$src/common.h" "$src/sandbox.h" &&
        ! $WASI_CC --target=wasm32-wasi -O2 "$src/$name.c" -o "$b.wasm" > "$b.wasm.log" 2>&1; then
        rm -f "$b.wasm"
        for mode in $modes; do
            result "$mode" "$name" "wasm build failed" "$b.wasm.log"
        done
        return
    fi
    case $name in
    sandbox_*) ;;
    *) run_one native "$name" ;;
    esac
    for mode in $modes; do
        case $mode.$name in
        node.sandbox_*)
            result "$mode" "$name" "not checked"
            continue
            ;;
        esac
        build_mode "$mode" "$name" || continue
        run_one "$mode" "$name"
        compare "$mode" "$name"
    done
}

make_seed
programs=
for f in "$src"/*.c; do
    programs="$programs $(basename "$f" .c)"
done

# $jobs lanes, each testing every $jobs-th program in turn.
lane=0
while [ "$lane" -lt "$jobs" ]; do
    (
        i=0
        for name in $programs; do
            [ $((i % jobs)) -eq "$lane" ] && test_program "$name"
            i=$((i + 1))
        done
    ) &
    lane=$((lane + 1))
done
wait

passed=0 failed=0 unchecked=
for mode in $modes; do
    for name in $programs; do
        r=$work/result/$mode.$name
        if [ ! -f "$r" ]; then
            echo "wasi-e2e: FAIL: $name ($mode): no result (the harness itself failed)"
            failed=$((failed + 1))
            continue
        fi
        line=$(sed -n 1p "$r")
        case $line in
        pass) passed=$((passed + 1)) ;;
        "not checked") unchecked="$unchecked $name" ;;
        *)
            echo "wasi-e2e: FAIL: $name ($mode): $line"
            sed 1d "$r"
            failed=$((failed + 1))
            ;;
        esac
    done
done
if [ -n "$unchecked" ]; then
    echo "wasi-e2e: not checked in mode node (node:wasi does not sandbox):$unchecked"
fi
echo "wasi-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
