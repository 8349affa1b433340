#!/bin/sh
# static.sh BUILD CC — static WASI binaries with libwelf's own main():
# `welf compile prog.wasm -o prog.o && cc prog.o -lwelf -lelf -lpthread`
# with GNU ld and lld, PIE and -static, with and without --gc-sections
# and linker-scripts/welf.ld. Each binary must behave as `welf run
# prog.wasm` does: same stdout, same exit status, and a trap's message
# and wasm backtrace. A program that links two modules is refused.
set -u
build=$1 cc=$2
welf=$build/welf
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export WELF_CACHE_DIR="$tmp/cache"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "e2e static: FAIL: $*"; }

cat > "$tmp/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) static int check(int x)
{
    if (x == 42)
        __builtin_trap();
    return x * 2;
}
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("arg %d %s -> %d\n", i, argv[i], check(atoi(argv[i])));
    const char *e = getenv("MODE");
    printf("mode %s\n", e ? e : "(none)");
    return argc > 3 ? 9 : 0;
}
C
clang --target=wasm32-wasi -O2 "$tmp/prog.c" -o "$tmp/prog.wasm" || exit 1
"$welf" compile "$tmp/prog.wasm" -o "$tmp/prog.o" || exit 1

# run_both NAME BIN ARGS...: BIN and `welf run` must agree.
run_both() {
    name=$1 bin=$2
    shift 2
    "$bin" "$@" > "$tmp/out.bin" 2> "$tmp/err.bin"
    s1=$?
    "$welf" run "$tmp/prog.wasm" "$@" > "$tmp/out.run" 2> "$tmp/err.run"
    s2=$?
    # The trap message names the program: compare what follows it.
    sed 's/^[^:]*: trap:/trap:/' "$tmp/err.bin" > "$tmp/err.bin2"
    sed 's/^[^:]*: trap:/trap:/' "$tmp/err.run" > "$tmp/err.run2"
    if [ "$s1" -ne "$s2" ]; then
        bad "$name $*: exit $s1, welf run exits $s2"
    elif ! cmp -s "$tmp/out.bin" "$tmp/out.run"; then
        bad "$name $*: stdout differs"; diff "$tmp/out.bin" "$tmp/out.run"
    elif ! cmp -s "$tmp/err.bin2" "$tmp/err.run2"; then
        bad "$name $*: stderr differs"; diff "$tmp/err.bin2" "$tmp/err.run2"
    else
        ok
    fi
}

link() {
    name=$1
    shift
    if $cc ${E2E_CFLAGS:-} "$@" "$tmp/prog.o" -L"$build" -lwelf -lelf \
        -lpthread -o "$tmp/$name" 2> "$tmp/link.err"; then
        return 0
    fi
    bad "$name: link failed: $*"; sed 's/^/  | /' "$tmp/link.err"
    return 1
}

script=$here/../../linker-scripts/welf.ld
i=0
for flags in "" "-Wl,--gc-sections" "-static" "-Wl,-T,$script" \
             "-static -Wl,--gc-sections -Wl,-T,$script" \
             "-fuse-ld=lld" "-fuse-ld=lld -static -Wl,--gc-sections" \
             "-fuse-ld=lld -Wl,-T,$script"; do
    i=$((i + 1))
    # Sanitizer runtimes do not link with -static.
    case "$flags ${E2E_CFLAGS:-}" in *-static*-fsanitize*) continue ;; esac
    link "prog$i" $flags || continue
    run_both "prog$i [$flags]" "$tmp/prog$i"
    run_both "prog$i [$flags]" "$tmp/prog$i" 1 2
    run_both "prog$i [$flags]" "$tmp/prog$i" --env MODE=x -- 5 6 7
    run_both "prog$i [$flags] trap" "$tmp/prog$i" 3 42
    if grep -q "prog!check\|prog!main\|prog!__main_void" "$tmp/err.bin"; then
        ok
    else
        bad "prog$i [$flags]: the trap backtrace names no function"
        sed 's/^/  | /' "$tmp/err.bin"
    fi
done

# Two modules and libwelf's main: refused with a message.
"$welf" compile "$tmp/prog.wasm" -o "$tmp/other.o" --name other || exit 1
if $cc ${E2E_CFLAGS:-} "$tmp/prog.o" "$tmp/other.o" -L"$build" -lwelf \
    -lelf -lpthread -o "$tmp/two" 2> "$tmp/link.err"; then
    "$tmp/two" > "$tmp/out" 2>&1
    s=$?
    if [ "$s" -eq 125 ] && grep -q "2 WebAssembly modules" "$tmp/out"; then
        ok
    else
        bad "two modules: exit $s"; sed 's/^/  | /' "$tmp/out"
    fi
else
    bad "two modules: link failed"; sed 's/^/  | /' "$tmp/link.err"
fi

echo "e2e static: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
