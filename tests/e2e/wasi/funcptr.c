/* Function pointers, which become call_indirect in wasm: a table of
 * arithmetic callbacks, a small stack machine dispatching through a
 * handler table, a struct of methods, higher-order fold/map, and a
 * function that returns a function. */
#include <stdint.h>
#include <stdio.h>

typedef int32_t (*binop)(int32_t, int32_t);

static int32_t add(int32_t a, int32_t b) { return a + b; }
static int32_t sub(int32_t a, int32_t b) { return a - b; }
static int32_t mul(int32_t a, int32_t b) { return a * b; }
static int32_t quo(int32_t a, int32_t b) { return b ? a / b : 0; }
static int32_t rem_(int32_t a, int32_t b) { return b ? a % b : 0; }
static int32_t max_(int32_t a, int32_t b) { return a > b ? a : b; }

static const struct { const char *name; binop fn; } ops[] = {
    {"add", add}, {"sub", sub}, {"mul", mul}, {"quo", quo}, {"rem", rem_}, {"max", max_},
};

/* The stack machine: each instruction is an opcode and an operand. */
struct vm {
    int32_t stack[32];
    int sp;
    int pc;
};
typedef void (*handler)(struct vm *, int32_t);
static void op_push(struct vm *m, int32_t v) { m->stack[m->sp++] = v; }
static void op_binop(struct vm *m, int32_t k)
{
    int32_t b = m->stack[--m->sp], a = m->stack[--m->sp];
    m->stack[m->sp++] = ops[k].fn(a, b);
}
static void op_dup(struct vm *m, int32_t v) { (void)v; m->stack[m->sp] = m->stack[m->sp - 1]; m->sp++; }
static void op_jnz(struct vm *m, int32_t target)
{
    if (m->stack[--m->sp] != 0)
        m->pc = target - 1;
}
static const handler handlers[] = {op_push, op_binop, op_dup, op_jnz};

struct shape {
    const char *name;
    double (*area)(const double *);
    double (*perimeter)(const double *);
    double dims[2];
};
static double rect_area(const double *d) { return d[0] * d[1]; }
static double rect_perim(const double *d) { return 2 * (d[0] + d[1]); }
static double square_area(const double *d) { return d[0] * d[0]; }
static double square_perim(const double *d) { return 4 * d[0]; }

static int32_t fold(binop f, int32_t init, const int32_t *v, int n)
{
    for (int i = 0; i < n; i++)
        init = f(init, v[i]);
    return init;
}

static binop pick(const char *name)
{
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].name[0] == name[0] && ops[i].name[1] == name[1])
            return ops[i].fn;
    return NULL;
}

int main(void)
{
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        printf("%s(17, -5)=%d\n", ops[i].name, ops[i].fn(17, -5));

    /* Counts down from 10: the stack holds [1, counter]; the loop
     * subtracts 1, duplicates the counter and jumps back while it is not
     * zero. */
    struct vm m = {.sp = 0, .pc = 0};
    static const int32_t prog[][2] = {
        {0, 1},  /* 0: push 1 */
        {0, 10}, /* 1: push the counter */
        {0, 1},  /* 2: push 1 */
        {1, 1},  /* 3: counter - 1 */
        {2, 0},  /* 4: dup */
        {3, 2},  /* 5: jnz 2 */
    };
    int steps = 0;
    for (m.pc = 0; m.pc < (int)(sizeof prog / sizeof prog[0]); m.pc++, steps++)
        handlers[prog[m.pc][0]](&m, prog[m.pc][1]);
    printf("vm: %d steps, sp=%d, top=%d, bottom=%d\n", steps, m.sp, m.stack[m.sp - 1],
           m.stack[0]);

    struct shape shapes[] = {
        {"rect", rect_area, rect_perim, {3, 4.5}},
        {"square", square_area, square_perim, {2.5, 0}},
    };
    for (int i = 0; i < 2; i++)
        printf("%s: area=%g perimeter=%g\n", shapes[i].name,
               shapes[i].area(shapes[i].dims), shapes[i].perimeter(shapes[i].dims));

    int32_t v[] = {3, -1, 4, -1, 5, 9, -2, 6};
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        printf("fold %s: %d\n", ops[i].name, fold(ops[i].fn, 1, v, 8));
    binop f = pick("mu");
    printf("picked mul: %s, 6*7=%d\n", f == mul ? "yes" : "no", f(6, 7));
    printf("pick unknown is NULL: %s\n", pick("zz") == NULL ? "yes" : "no");
    volatile binop g = add;
    printf("same function compares equal: %s\n", g == add ? "yes" : "no");
    printf("different functions differ: %s\n", (binop)g != sub ? "yes" : "no");
    return 0;
}
