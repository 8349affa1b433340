#!/bin/sh
# gdb.sh BUILD CC — source-level debugging of compiled wasm
# (docs/debugging.md), driven through `gdb -batch`:
#
#   - tests/e2e/gdb/prog.c and scale.c, built with
#     `clang --target=wasm32-wasi -g -O0` (compile and link apart, so
#     wasm-opt leaves the DWARF alone), compiled by `welf compile -g` at
#     -O0 and -O2 and linked statically with libwelf's main: a source
#     breakpoint three calls deep stops at the right file:line, the
#     backtrace names the source functions with their files and lines,
#     finish returns to the caller, next/step follow the source (exactly
#     at -O0; breakpoint, backtrace and finish at -O2);
#   - the same objects loaded at run time by `welf run FILE.o`, which
#     gdb sees through the JIT interface: breakpoint and backtrace;
#   - a module without DWARF: -g gives lines of PROG.wasm.lst numbered
#     by byte offset, and function names from the name section;
#   - trap backtraces: tests/e2e/gdb/crash.c traps three ways (memory
#     fault, division by zero, abort) under `welf run` and as a static
#     binary, at welf -O0 and -O2 (where LLVM inlines): every frame names
#     its function and source line, inlined ones included; without -g
#     the frames have names and no lines;
#   - without -g, nm and addr2line name a wasm function;
#   - -g changes no code: the disassembly of every text section is the
#     same with and without it, and the object is the same for -j 1 and
#     -j 2 (the module is big enough to be compiled in chunks).
#
# The gdb scripts in tests/e2e/gdb/ name lines by markers: @NAME@ becomes
# the number of the line holding /* @NAME */ in prog.c or scale.c.
# Prints "e2e gdb: FAIL: ..." per failure with gdb's output, then a
# summary; exits 1 on any failure.
set -u
build=$1 cc=$2
welf=$build/welf
here=$(dirname "$0")
src=$here/gdb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WELF_CACHE_DIR="$tmp/cache"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "e2e gdb: FAIL: $*"; }

for tool in gdb clang wat2wasm wasm-objdump nm addr2line objdump; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        echo "e2e gdb: FAIL: $tool is not installed"
        exit 1
    fi
done

# ---- build ----

wasm_cc() { clang --target=wasm32-wasi "$@"; }
wasm_cc -g -O0 -c "$src/prog.c" -o "$tmp/prog.wasm.o" &&
wasm_cc -g -O0 -c "$src/scale.c" -o "$tmp/scale.wasm.o" &&
wasm_cc -g "$tmp/prog.wasm.o" "$tmp/scale.wasm.o" -o "$tmp/prog.wasm" ||
    exit 1

link() {
    out=$1
    shift
    if $cc ${E2E_CFLAGS:-} "$@" -L"$build" -lwelf -lelf -lpthread \
        -o "$out" 2> "$tmp/link.err"; then
        return 0
    fi
    bad "link $out failed"; sed 's/^/  | /' "$tmp/link.err"
    return 1
}

for opt in O0 O2; do
    "$welf" compile -g -$opt "$tmp/prog.wasm" -o "$tmp/prog-g$opt.o" ||
        exit 1
    link "$tmp/prog-g$opt" "$tmp/prog-g$opt.o" || exit 1
done

# ---- the gdb scripts ----

# line NAME [FILE...]: the line of the /* @NAME */ marker in the files of
# tests/e2e/gdb (prog.c and scale.c by default).
line() {
    l_marker=$1
    shift
    [ $# -gt 0 ] || set -- prog.c scale.c
    n=$(cd "$src" && grep -Hn "/\* @$l_marker \*/" "$@" | cut -d: -f2)
    [ -n "$n" ] || { echo "e2e gdb: no marker @$l_marker in $*" >&2; exit 1; }
    echo "$n"
}
L_scale=$(line scale)
L_scale_ret=$(line scale_ret)
L_leaf_call=$(line leaf_call)
L_leaf_ret=$(line leaf_ret)
L_middle_first=$(line middle_first)
L_middle_loop=$(line middle_loop)
L_middle_call=$(line middle_call)
L_main_call=$(line main_call)
for s in break step; do
    sed -e "s/@scale@/$L_scale/g" -e "s/@main_call@/$L_main_call/g" \
        "$src/$s.gdb" > "$tmp/$s.gdb"
done

# run_gdb SCRIPT OUT PROGRAM ARGS...: gdb's output (both streams) in OUT.
run_gdb() {
    script=$1 out=$2
    shift 2
    timeout 120 gdb -nx -batch -x "$tmp/$script.gdb" --args "$@" \
        > "$out" 2>&1 < /dev/null
}

# section NAME OUT: what gdb printed between ==NAME== and the next ==.
section() {
    sed -n "/^==$1==\$/,/^==/p" "$2" | sed '1d;$d'
}

# expect WHAT OUT SECTION REGEX: SECTION of OUT (or all of it for "-")
# has a line matching the extended REGEX. (Its variables are its own:
# the callers' stay as they were.)
expect() {
    e_sec=$3 e_re=$4
    if [ "$e_sec" = - ]; then
        cat "$2"
    else
        section "$e_sec" "$2"
    fi > "$tmp/section"
    if grep -Eq -- "$e_re" "$tmp/section"; then
        ok
    else
        [ "$e_sec" = - ] && e_sec=output
        bad "$1: no line matching '$e_re' in $e_sec"
        sed 's/^/  | /' "$2"
    fi
}

# The breakpoint in scale, the backtrace through leaf, middle and main,
# finish back into leaf, next to leaf's return.
check_break() {
    what=$1 out=$2
    expect "$what: breakpoint" "$out" - \
        "^Breakpoint 1[.0-9]*, scale \(.*\) at .*scale\.c:$L_scale\$"
    expect "$what: bt #0" "$out" bt \
        "^#0 +scale \(.*\) at .*scale\.c:$L_scale\$"
    expect "$what: bt #1" "$out" bt \
        "^#1 +(0x[0-9a-f]+ in )?leaf \(.*\) at .*prog\.c:$L_leaf_call\$"
    expect "$what: bt #2" "$out" bt \
        "^#2 +(0x[0-9a-f]+ in )?middle \(.*\) at .*prog\.c:$L_middle_call\$"
    expect "$what: bt #3" "$out" bt \
        "^#3 +(0x[0-9a-f]+ in )?main \(.*\) at .*prog\.c:$L_main_call\$"
    expect "$what: finish" "$out" finish \
        "leaf \(.*\) at .*prog\.c:$L_leaf_call\$"
    expect "$what: next" "$out" next "^$L_leaf_ret[[:space:]]"
}

for opt in O0 O2; do
    run_gdb break "$tmp/out" "$tmp/prog-g$opt"
    check_break "static -$opt" "$tmp/out"
done

# Stepping at -O0 follows the source line by line, as with native code.
run_gdb step "$tmp/out" "$tmp/prog-gO0"
w="static -O0 stepping"
expect "$w: step into middle" "$tmp/out" step1 \
    "middle \(.*\) at .*prog\.c:$L_middle_first\$"
expect "$w: next" "$tmp/out" next1 "^$L_middle_loop[[:space:]]"
expect "$w: next" "$tmp/out" next2 "^$L_middle_loop[[:space:]]"
expect "$w: next" "$tmp/out" next3 "^$L_middle_call[[:space:]]"
expect "$w: step into leaf" "$tmp/out" step2 \
    "leaf \(.*\) at .*prog\.c:$L_leaf_call\$"
expect "$w: step into scale" "$tmp/out" step3 \
    "scale \(.*\) at .*scale\.c:$L_scale\$"
expect "$w: next in scale" "$tmp/out" next4 "^$L_scale_ret[[:space:]]"
expect "$w: finish to leaf" "$tmp/out" finish1 \
    "leaf \(.*\) at .*prog\.c:$L_leaf_call\$"
expect "$w: finish to middle" "$tmp/out" finish2 \
    "middle \(.*\) at .*prog\.c:$L_middle_call\$"

# ---- run-time loading: gdb's JIT interface ----

for opt in O0 O2; do
    run_gdb break "$tmp/out" "$welf" run "$tmp/prog-g$opt.o"
    check_break "welf run (JIT) -$opt" "$tmp/out"
done

# ---- no DWARF: the byte-offset listing ----

cat > "$tmp/plain.wat" <<'WAT'
(module
  (func $c (param i32) (result i32)
    local.get 0
    i32.const 3
    i32.mul)
  (func $b (param i32) (result i32)
    local.get 0
    call $c
    i32.const 1
    i32.add)
  (func $a (result i32)
    i32.const 5
    call $b)
  (func (export "_start")
    call $a
    drop))
WAT
wat2wasm --debug-names "$tmp/plain.wat" -o "$tmp/plain.wasm" || exit 1
"$welf" compile -g -O0 "$tmp/plain.wasm" -o "$tmp/plain.o" || exit 1
link "$tmp/plain" "$tmp/plain.o" || exit 1
cat > "$tmp/plain.gdb" <<'GDB'
set pagination off
set confirm off
break c
run
echo ==bt==\n
bt 3
echo ==end==\n
kill
GDB
# The module offsets of c's first and last instructions, as wasm-objdump
# shows them.
wasm-objdump -d "$tmp/plain.wasm" | sed -n '/<c>:/,/| end$/p' |
    sed -n 's/^ *\([0-9a-f]*\):.*/\1/p' > "$tmp/offsets"
c_first=$(printf '%d' "0x$(head -n 1 "$tmp/offsets")")
c_last=$(printf '%d' "0x$(tail -n 1 "$tmp/offsets")")
run_gdb plain "$tmp/out" "$tmp/plain"
w="no DWARF"
stop=$(sed -n 's/^Breakpoint 1, c () at plain\.wasm\.lst:\([0-9]*\)$/\1/p' \
       "$tmp/out")
if [ -n "$stop" ] && [ "$stop" -ge "$c_first" ] && [ "$stop" -le "$c_last" ]
then
    ok
else
    bad "$w: breakpoint: no stop in c at a line in $c_first..$c_last"
    sed 's/^/  | /' "$tmp/out"
fi
# Callers stop at their call instructions.
call_line() {
    printf '%d' "0x$(wasm-objdump -d "$tmp/plain.wasm" |
                     sed -n "s/^ *\([0-9a-f]*\):.*| call [0-9]* <$1>\$/\1/p")"
}
expect "$w: bt #1" "$tmp/out" bt \
    "^#1 +0x[0-9a-f]+ in b \(\) at plain\.wasm\.lst:$(call_line c)\$"
expect "$w: bt #2" "$tmp/out" bt \
    "^#2 +0x[0-9a-f]+ in a \(\) at plain\.wasm\.lst:$(call_line b)\$"

# ---- trap backtraces with source lines ----

# crash.c at clang -O0 keeps its functions apart in the wasm; welf -O0
# keeps them apart too, welf -O2 inlines poke, divide and main, whose
# frames then come from the line table's inline records.
wasm_cc -g -O0 -c "$src/crash.c" -o "$tmp/crash.wasm.o" &&
wasm_cc -g "$tmp/crash.wasm.o" -o "$tmp/crash.wasm" || exit 1
C_poke=$(line poke crash.c)
C_divide=$(line divide crash.c)
C_call_poke=$(line call_poke crash.c)
C_call_divide=$(line call_divide crash.c)
C_call_abort=$(line call_abort crash.c)
C_main_call=$(line main_call crash.c)
# frame OUT N NAME LINE: frame N of the backtrace is NAME at crash.c:LINE.
frame() {
    expect "$what: frame $2" "$1" - \
        "^ +$2: [^ ]*!$3 \((inlined|function [0-9]+)\) at .*/crash\.c:$4\$"
}
# check_trap WHAT HOW: the backtrace of `crash HOW` in $tmp/trap.err.
check_trap() {
    what="$1 $2"
    case $2 in
    oob) frame "$tmp/trap.err" 0 poke "$C_poke"
         frame "$tmp/trap.err" 1 dispatch "$C_call_poke" ;;
    div) frame "$tmp/trap.err" 0 divide "$C_divide"
         frame "$tmp/trap.err" 1 dispatch "$C_call_divide" ;;
    abort) expect "$what: frame 0" "$tmp/trap.err" - "^ +0: [^ ]*!abort "
           frame "$tmp/trap.err" 1 dispatch "$C_call_abort" ;;
    esac
    frame "$tmp/trap.err" "[0-9]+" main "$C_main_call"
}
for opt in O0 O2; do
    "$welf" compile -g -$opt "$tmp/crash.wasm" -o "$tmp/crash-g$opt.o" ||
        exit 1
    link "$tmp/crash-g$opt" "$tmp/crash-g$opt.o" || exit 1
    for how in oob div abort; do
        "$tmp/crash-g$opt" "$how" 2> "$tmp/trap.err"
        check_trap "static -$opt" "$how"
        "$welf" run "$tmp/crash-g$opt.o" "$how" 2> "$tmp/trap.err"
        check_trap "welf run .o -$opt" "$how"
    done
done
"$welf" run -g "$tmp/crash.wasm" div 2> "$tmp/trap.err"
check_trap "welf run -g .wasm" div
# Without -g the frames have names but no lines.
"$welf" run "$tmp/crash.wasm" div 2> "$tmp/trap.err"
what="welf run without -g"
expect "$what: frame" "$tmp/trap.err" - "^ +[0-9]+: [^ ]*!dispatch \(function"
if grep -q " at " "$tmp/trap.err"; then
    bad "$what: a frame has a source line"
    sed 's/^/  | /' "$tmp/trap.err"
else
    ok
fi

# ---- without -g: symbols from the name section ----

"$welf" compile "$tmp/prog.wasm" -o "$tmp/prog.o" || exit 1
link "$tmp/prog" "$tmp/prog.o" || exit 1
addr=$(nm "$tmp/prog" | awk '$3 == "scale" { print $1 }')
if [ -z "$addr" ]; then
    bad "no -g: nm finds no symbol scale"
elif [ "$(addr2line -f -e "$tmp/prog" "0x$addr" | head -n 1)" = scale ]
then
    ok
else
    bad "no -g: addr2line does not name scale at 0x$addr"
    addr2line -f -e "$tmp/prog" "0x$addr" | sed 's/^/  | /'
fi

# ---- -g changes no code ----

for opt in O0 O2; do
    "$welf" compile -$opt "$tmp/prog.wasm" -o "$tmp/plain$opt.o" || exit 1
    for sec in .text.wasm .text.welf.wasm .text.welf.array .text.welf.native \
               .text.welf.wasm2array .text.welf.wasm2native .text.welf.init
    do
        objdump -d -j "$sec" "$tmp/plain$opt.o" | tail -n +4 > "$tmp/a.dis"
        objdump -d -j "$sec" "$tmp/prog-g$opt.o" | tail -n +4 > "$tmp/b.dis"
        if [ -s "$tmp/a.dis" ] && cmp -s "$tmp/a.dis" "$tmp/b.dis"; then
            ok
        else
            bad "-$opt: -g changes the code in $sec"
            diff "$tmp/a.dis" "$tmp/b.dis" | head -n 20
        fi
    done
done
"$welf" compile -g -j 1 "$tmp/prog.wasm" -o "$tmp/j1.o" &&
"$welf" compile -g -j 2 "$tmp/prog.wasm" -o "$tmp/j2.o" || exit 1
if cmp -s "$tmp/j1.o" "$tmp/j2.o"; then ok; else bad "-g: -j 1 and -j 2 differ"; fi

echo "e2e gdb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
