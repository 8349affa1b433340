/*
 * module.c — names of value types, external kinds and features.
 */
#include "module.h"

#include <string.h>

bool welf_valtype_is_num(welf_valtype t)
{
    return t == WELF_VT_I32 || t == WELF_VT_I64 || t == WELF_VT_F32 ||
           t == WELF_VT_F64;
}

bool welf_valtype_is_ref(welf_valtype t)
{
    return t == WELF_VT_FUNCREF || t == WELF_VT_EXTERNREF;
}

const char *welf_valtype_name(welf_valtype t)
{
    return welf_valtype_str(t);
}

const char *welf_externkind_name(welf_externkind k)
{
    static const char *const names[] = {"function", "table", "memory",
                                        "global"};
    return (unsigned)k < 4 ? names[k] : "unknown";
}

static const struct {
    const char *name;
    welf_features bits;
} feature_names[] = {
    {"tail-call", WELF_FEATURE_TAIL_CALL},
    {"extended-const", WELF_FEATURE_EXTENDED_CONST},
    {"multi-memory", WELF_FEATURE_MULTI_MEMORY},
    {"all", WELF_FEATURES_ALL},
    {"none", 0},
};

bool welf_features_parse(const char *text, welf_features *out)
{
    welf_features f = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        size_t i;
        for (i = 0; i < WELF_ARRAY_LEN(feature_names); i++) {
            if (strlen(feature_names[i].name) == len &&
                memcmp(feature_names[i].name, p, len) == 0)
                break;
        }
        if (i == WELF_ARRAY_LEN(feature_names))
            return false;
        f |= feature_names[i].bits;
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = f;
    return true;
}
