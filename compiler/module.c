/*
 * module.c — names of value types and external kinds, for messages.
 */
#include "module.h"

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
    switch (t) {
    case WELF_VT_I32: return "i32";
    case WELF_VT_I64: return "i64";
    case WELF_VT_F32: return "f32";
    case WELF_VT_F64: return "f64";
    case WELF_VT_V128: return "v128";
    case WELF_VT_FUNCREF: return "funcref";
    case WELF_VT_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

const char *welf_externkind_name(welf_externkind k)
{
    static const char *const names[] = {"function", "table", "memory",
                                        "global"};
    return (unsigned)k < 4 ? names[k] : "unknown";
}
