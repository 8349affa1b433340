/*
 * run.c — running a WASI command (run.h): the runner options shared by
 * `welf run` and static binaries, instantiation with WASI through a
 * linker, the call of _start or of an --invoke'd export, and the exit
 * status, with a trap's message and wasm backtrace on stderr.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char welf_run_usage[] =
    "        --dir HOST[::GUEST]  give the program the host directory HOST,\n"
    "                             under the name GUEST (default: HOST)\n"
    "        --env KEY=VALUE      set an environment variable of the\n"
    "                             program (none are passed by default)\n"
    "        --invoke NAME        call the export NAME instead of _start,\n"
    "                             with ARGS as its parameters, and print\n"
    "                             its results\n"
    "        --                   end of the runner's options: what\n"
    "                             follows goes to the program\n";

void welf_run_options_free(welf_run_options *opts)
{
    welf_free(opts->dirs);
    welf_free(opts->env);
    welf_free(opts->args);
    memset(opts, 0, sizeof *opts);
}

/* Grows *arr (of elem-byte items, count *n) by one; false when out of
 * memory. */
static bool push(void *arr, size_t *n, size_t elem)
{
    void **p = arr;
    void *grown = welf_realloc(*p, (*n + 1) * elem);
    if (!grown)
        return false;
    *p = grown;
    (*n)++;
    return true;
}

bool welf_run_parse(int argc, char **argv, const char *program,
                    const char *who, welf_run_options *out)
{
    memset(out, 0, sizeof *out);
    out->program = program;
    int i = 0;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strncmp(arg, "--", 2) != 0)
            break;
        if (i + 1 >= argc && (strcmp(arg, "--dir") == 0 ||
                              strcmp(arg, "--env") == 0 ||
                              strcmp(arg, "--invoke") == 0)) {
            fprintf(stderr, "%s: %s needs a value\n", who, arg);
            goto fail;
        }
        if (strcmp(arg, "--dir") == 0) {
            char *spec = argv[++i];
            if (!push(&out->dirs, &out->dir_count, sizeof *out->dirs))
                goto nomem;
            welf_wasi_dir *d = &out->dirs[out->dir_count - 1];
            char *sep = strstr(spec, "::");
            if (sep) {
                /* argv strings are writable: split in place. */
                *sep = '\0';
                d->host_path = spec;
                d->guest_path = sep + 2;
            } else {
                d->host_path = spec;
                d->guest_path = spec;
            }
            if (!*d->host_path || !*d->guest_path) {
                fprintf(stderr, "%s: --dir needs HOST or HOST::GUEST, "
                                "both non-empty\n", who);
                goto fail;
            }
        } else if (strcmp(arg, "--env") == 0) {
            const char *kv = argv[++i];
            const char *eq = strchr(kv, '=');
            if (!eq || eq == kv) {
                fprintf(stderr, "%s: --env needs KEY=VALUE, not '%s'\n", who,
                        kv);
                goto fail;
            }
            if (!push(&out->env, &out->env_count, sizeof *out->env))
                goto nomem;
            out->env[out->env_count - 1] = kv;
        } else if (strcmp(arg, "--invoke") == 0) {
            out->invoke = argv[++i];
        } else {
            fprintf(stderr, "%s: unknown option '%s' (put the program's own "
                            "options after --)\n", who, arg);
            goto fail;
        }
    }
    for (; i < argc; i++) {
        if (!push(&out->args, &out->arg_count, sizeof *out->args))
            goto nomem;
        out->args[out->arg_count - 1] = argv[i];
    }
    return true;

nomem:
    fprintf(stderr, "%s: out of memory\n", who);
fail:
    welf_run_options_free(out);
    return false;
}

/* ---- reporting ---- */

/* Prints a name from a module, escaping what a terminal should not see. */
static void put_name(FILE *f, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x20 && c != 0x7f)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", c);
    }
}

static void print_backtrace(welf_engine *engine)
{
    welf_frame frames[32];
    size_t n = welf_trap_backtrace(engine, frames, 32);
    if (n == 0)
        return;
    fprintf(stderr, "wasm backtrace:\n");
    for (size_t i = 0; i < n && i < 32; i++) {
        const welf_frame *f = &frames[i];
        fprintf(stderr, "  %2zu: ", i);
        if (f->module_name_len) {
            put_name(stderr, f->module_name, f->module_name_len);
            fputc('!', stderr);
        }
        if (f->func_name)
            put_name(stderr, f->func_name, f->func_name_len);
        else if (f->inlined)
            fputs("?", stderr);
        else
            fprintf(stderr, "wasm_function_%" PRIu32, f->func_index);
        if (f->inlined)
            fputs(" (inlined)", stderr);
        else
            fprintf(stderr, " (function %" PRIu32 ")", f->func_index);
        if (f->file) {
            fputs(" at ", stderr);
            put_name(stderr, f->file, strlen(f->file));
            fprintf(stderr, ":%" PRIu32, f->line);
        }
        fputc('\n', stderr);
    }
    if (n > 32)
        fprintf(stderr, "  ... %zu more frames\n", n - 32);
}

/* The exit status for the outcome of a call or instantiation. */
static int outcome(welf_engine *engine, welf_status st,
                   const welf_error *err, const char *who)
{
    switch (st) {
    case WELF_OK:
        return 0;
    case WELF_ERR_EXIT:
        /* WASI exit statuses are 0..125 by convention; pass the low
         * byte as the OS would. */
        return err->exit_code & 0xff;
    case WELF_ERR_TRAP:
        fflush(stdout);
        fprintf(stderr, "%s: trap: %s\n", who, err->message);
        print_backtrace(engine);
        return WELF_RUN_TRAP_STATUS;
    default:
        fprintf(stderr, "%s: %s\n", who, err->message);
        return WELF_RUN_ERROR_STATUS;
    }
}

/* ---- --invoke ---- */

static bool parse_value(const char *s, uint8_t type, welf_val *out)
{
    char *end;
    errno = 0;
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case WELF_TYPE_I32: {
        long long v = strtoll(s, &end, 0);
        if (v < INT32_MIN || v > UINT32_MAX)
            return false;
        out->of.i32 = (int32_t)(uint32_t)v;
        break;
    }
    case WELF_TYPE_I64:
        if (*s == '-')
            out->of.i64 = strtoll(s, &end, 0);
        else
            out->of.i64 = (int64_t)strtoull(s, &end, 0);
        break;
    case WELF_TYPE_F32: out->of.f32 = strtof(s, &end); break;
    case WELF_TYPE_F64: out->of.f64 = strtod(s, &end); break;
    default: return false;
    }
    return errno == 0 && end != s && *end == '\0';
}

static void print_value(const welf_val *v)
{
    switch (v->type) {
    case WELF_TYPE_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case WELF_TYPE_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case WELF_TYPE_F32: printf("%.9g\n", (double)v->of.f32); break;
    case WELF_TYPE_F64: printf("%.17g\n", v->of.f64); break;
    case WELF_TYPE_V128: {
        for (int i = 0; i < 16; i++)
            printf("%s%02x", i ? " " : "", v->of.v128[i]);
        printf("\n");
        break;
    }
    default:
        printf("%s:%p\n", welf_valtype_str(v->type),
               v->type == WELF_TYPE_FUNCREF ? (void *)v->of.func
                                            : v->of.extern_ref);
        break;
    }
}

static int invoke(welf_engine *engine, welf_instance *inst,
                  const welf_run_options *opts, const char *who)
{
    welf_error err;
    welf_extern ext;
    const char *name = opts->invoke ? opts->invoke : "_start";
    if (welf_instance_export(inst, name, strlen(name), &ext, &err) !=
            WELF_OK ||
        ext.kind != WELF_EXTERN_FUNC) {
        fprintf(stderr, "%s: the module exports no function '%s'\n", who,
                name);
        return WELF_RUN_ERROR_STATUS;
    }
    welf_functype_info t;
    welf_func_type(ext.u.func, &t);
    size_t want = opts->invoke ? opts->arg_count : 0;
    if (t.param_count != want) {
        fprintf(stderr, "%s: '%s' takes %u arguments, not %zu\n", who, name,
                t.param_count, want);
        return WELF_RUN_ERROR_STATUS;
    }
    welf_val *vals = welf_malloc(((size_t)t.param_count + t.result_count + 1) *
                                 sizeof *vals);
    if (!vals) {
        fprintf(stderr, "%s: out of memory\n", who);
        return WELF_RUN_ERROR_STATUS;
    }
    for (uint32_t i = 0; i < t.param_count; i++)
        if (!parse_value(opts->args[i], t.params[i], &vals[i])) {
            fprintf(stderr, "%s: argument %u of '%s': '%s' is not a %s\n",
                    who, i + 1, name, opts->args[i],
                    welf_valtype_str(t.params[i]));
            welf_free(vals);
            return WELF_RUN_ERROR_STATUS;
        }
    welf_val *results = vals + t.param_count;
    welf_status st = welf_func_call(ext.u.func, vals, t.param_count, results,
                                    t.result_count, &err);
    if (st == WELF_OK && opts->invoke)
        for (uint32_t i = 0; i < t.result_count; i++)
            print_value(&results[i]);
    welf_free(vals);
    return outcome(engine, st, &err, who);
}

/* ---- running ---- */

int welf_run_module(welf_engine *engine, welf_module *module,
                    const welf_run_options *opts, const char *who)
{
    welf_error err;
    int status = WELF_RUN_ERROR_STATUS;
    welf_wasi *wasi = NULL;
    const char **argv = welf_malloc((opts->arg_count + 1) * sizeof *argv);
    if (!argv) {
        fprintf(stderr, "%s: out of memory\n", who);
        return status;
    }
    argv[0] = opts->program;
    for (size_t i = 0; i < opts->arg_count; i++)
        argv[i + 1] = opts->args[i];
    welf_wasi_config cfg = {
        .argc = opts->arg_count + 1,
        .argv = argv,
        .envc = opts->env_count,
        .env = opts->env,
        .dir_count = opts->dir_count,
        .dirs = opts->dirs,
        .stdin_fd = 0,
        .stdout_fd = 1,
        .stderr_fd = 2,
    };
    welf_linker *linker;
    welf_instance_pre *pre;
    welf_instance *inst;
    welf_status st;
    if ((st = welf_wasi_new(engine, &cfg, &wasi, &err)) != WELF_OK ||
        (st = welf_linker_new(engine, &linker, &err)) != WELF_OK ||
        (st = welf_wasi_define(wasi, linker, &err)) != WELF_OK ||
        (st = welf_instance_pre_new(linker, module, &pre, &err)) !=
            WELF_OK) {
        fprintf(stderr, "%s: %s\n", who, err.message);
        goto out;
    }
    /* The start function runs here: it may trap or exit. */
    st = welf_instance_pre_instantiate(pre, &inst, &err);
    if (st != WELF_OK) {
        status = outcome(engine, st, &err, who);
        goto out;
    }
    status = invoke(engine, inst, opts, who);

out:
    fflush(stdout);
    if (wasi)
        welf_wasi_free(wasi);
    welf_free(argv);
    return status;
}
