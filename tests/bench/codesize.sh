#!/bin/sh
# codesize.sh BUILD — the code size report: builds codesize_prog.c, a
# WASI text statistics tool, with `clang --target=wasm32-wasi -O2`,
# compiles it with BUILD/welf (default -O2) with and without
# --no-eh-frame, and prints the size of every welf section of both
# objects (readelf -S), the other sections grouped, the whole object
# file, and each code section's share of the code (the .text.* sections).
set -eu
build=$1
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang --target=wasm32-wasi -O2 "$here/codesize_prog.c" -o "$tmp/prog.wasm"
"$build/welf" compile "$tmp/prog.wasm" -o "$tmp/eh.o"
"$build/welf" compile "$tmp/prog.wasm" -o "$tmp/noeh.o" --no-eh-frame

# "NAME SIZE" per section, sizes in decimal.
sections() {
    readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
        awk '{ v = 0
               for (i = 1; i <= length($5); i++)
                   v = v * 16 + index("0123456789abcdef",
                                      substr($5, i, 1)) - 1
               printf "%s %d\n", $1, v }'
}
sections "$tmp/eh.o" > "$tmp/eh.txt"
sections "$tmp/noeh.o" > "$tmp/noeh.txt"
wasm_bytes=$(wc -c < "$tmp/prog.wasm")
# The wasm code section's size and function count (wasm-objdump -h).
wasm_code=$(wasm-objdump -h "$tmp/prog.wasm" |
    sed -n 's/.*Code start=.*(size=\(0x[0-9a-f]*\)) count: \([0-9]*\).*/\1 \2/p')
wasm_code="$(printf '%d' "${wasm_code% *}") ${wasm_code#* }"
eh_bytes=$(wc -c < "$tmp/eh.o")
noeh_bytes=$(wc -c < "$tmp/noeh.o")

awk -v wasm="$wasm_bytes" -v code="$wasm_code" -v eh_total="$eh_bytes" \
    -v noeh_total="$noeh_bytes" '
FNR == 1 { file++ }
{ size[file, $1] = $2; if (file == 1) order[++n] = $1 }
END {
    split(code, c, " ")
    printf "codesize_prog.c (clang --target=wasm32-wasi -O2): %d bytes of " \
           "wasm, code section %d bytes, %d functions\n\n", wasm, c[1],
           c[2]
    m = split(".text.wasm .text.welf.wasm .text.welf.array " \
              ".text.welf.native " \
              ".text.welf.wasm2array .text.welf.wasm2native " \
              ".text.welf.init", code_names, " ")
    for (f = 1; f <= 2; f++)
        for (i = 1; i <= n; i++)
            if (order[i] ~ /^\.text/)
                text[f] += size[f, order[i]]
    printf "%-26s %10s %10s %8s\n", "section", "default", "no-eh", "of code"
    for (i = 1; i <= m; i++) {
        s = code_names[i]
        printf "%-26s %10d %10d %7.1f%%\n", s, size[1, s], size[2, s],
               100 * size[1, s] / text[1]
    }
    printf "%-26s %10d %10d %7.1f%%\n", "code (all .text*)", text[1],
           text[2], 100
    m = split(".eh_frame .rodata.welf.data .welf.module", named, " ")
    for (i = 1; i <= m; i++)
        printf "%-26s %10d %10d\n", named[i], size[1, named[i]],
               size[2, named[i]]
    # everything else, grouped
    for (f = 1; f <= 2; f++)
        for (i = 1; i <= n; i++) {
            s = order[i]
            if (s ~ /^\.text/ || s == ".eh_frame" ||
                s == ".rodata.welf.data" || s == ".welf.module")
                continue
            if (s ~ /^\.rela/) g = "relocations (.rela*)"
            else if (s == ".data.rel.ro") g = "descriptor tables"
            else if (s ~ /^\.rodata/) g = "constants (.rodata*)"
            else if (s ~ /^\.(symtab|strtab|shstrtab)$/)
                g = "symbols and names"
            else g = "other"
            other[f, g] += size[f, s]
        }
    split("descriptor tables|constants (.rodata*)|relocations (.rela*)|" \
          "symbols and names|other", groups, "|")
    for (i = 1; i <= 5; i++)
        if (other[1, groups[i]] || other[2, groups[i]])
            printf "%-26s %10d %10d\n", groups[i], other[1, groups[i]],
                   other[2, groups[i]]
    printf "%-26s %10d %10d\n", "object file", eh_total, noeh_total
    printf "\nnative code / wasm code section: %.2f\n",
           text[1] / c[1]
}' "$tmp/eh.txt" "$tmp/noeh.txt"
