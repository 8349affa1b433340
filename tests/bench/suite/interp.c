/*
 * interp.c — a small register-machine interpreter: a switch in a loop
 * decodes fixed-size instructions (the shape of most bytecode VMs) and
 * runs two programs written in its instruction set, a Collatz step count
 * over a range and a sieve of Eratosthenes in the machine's own memory.
 */
#include <stdlib.h>

#include "bench.h"

#define COLLATZ_LIMIT 300000
#define SIEVE_SIZE 2000000
#define SIEVE_REPS 4

enum op {
    OP_LI,   /* r[a] = imm */
    OP_MOV,  /* r[a] = r[b] */
    OP_ADD,  /* r[a] = r[b] + r[c] */
    OP_ADDI, /* r[a] = r[b] + imm */
    OP_MUL,  /* r[a] = r[b] * r[c] */
    OP_AND,  /* r[a] = r[b] & r[c] */
    OP_SHRI, /* r[a] = r[b] >> imm */
    OP_LD,   /* r[a] = mem[r[b]] */
    OP_ST,   /* mem[r[b]] = r[a] */
    OP_JMP,  /* pc = imm */
    OP_JZ,   /* if r[a] == 0: pc = imm */
    OP_JNZ,  /* if r[a] != 0: pc = imm */
    OP_JEQ,  /* if r[a] == r[b]: pc = imm */
    OP_JLT,  /* if r[a] < r[b]: pc = imm */
    OP_HALT,
};

typedef struct {
    uint8_t op, a, b, c;
    int32_t imm;
} insn;

static int64_t run(const insn *code, int64_t *r, uint8_t *mem, uint64_t *steps)
{
    uint32_t pc = 0;
    uint64_t n = 0;
    for (;;) {
        const insn *i = &code[pc++];
        n++;
        switch (i->op) {
        case OP_LI: r[i->a] = i->imm; break;
        case OP_MOV: r[i->a] = r[i->b]; break;
        case OP_ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case OP_ADDI: r[i->a] = r[i->b] + i->imm; break;
        case OP_MUL: r[i->a] = r[i->b] * r[i->c]; break;
        case OP_AND: r[i->a] = r[i->b] & r[i->c]; break;
        case OP_SHRI: r[i->a] = r[i->b] >> i->imm; break;
        case OP_LD: r[i->a] = mem[r[i->b]]; break;
        case OP_ST: mem[r[i->b]] = (uint8_t)r[i->a]; break;
        case OP_JMP: pc = (uint32_t)i->imm; break;
        case OP_JZ: if (r[i->a] == 0) pc = (uint32_t)i->imm; break;
        case OP_JNZ: if (r[i->a] != 0) pc = (uint32_t)i->imm; break;
        case OP_JEQ: if (r[i->a] == r[i->b]) pc = (uint32_t)i->imm; break;
        case OP_JLT: if (r[i->a] < r[i->b]) pc = (uint32_t)i->imm; break;
        case OP_HALT: *steps += n; return r[0];
        default: abort();
        }
    }
}

/* Total Collatz steps for 1..limit; r0 = total at the end. */
static const insn collatz[] = {
    /* 0 */ {OP_LI, 1, 0, 0, 1},     /* n = 1 */
    /* 1 */ {OP_LI, 2, 0, 0, COLLATZ_LIMIT + 1},
    /* 2 */ {OP_LI, 0, 0, 0, 0},     /* total */
    /* 3 */ {OP_LI, 3, 0, 0, 1},     /* one */
    /* 4 */ {OP_LI, 5, 0, 0, 3},     /* three */
    /* 5 */ {OP_MOV, 6, 1, 0, 0},    /* x = n */
    /* 6 */ {OP_JEQ, 6, 3, 0, 15},   /* while x != 1 */
    /* 7 */ {OP_AND, 7, 6, 3, 0},
    /* 8 */ {OP_JNZ, 7, 0, 0, 12},
    /* 9 */ {OP_SHRI, 6, 6, 0, 1},   /* x /= 2 */
    /* 10 */ {OP_ADDI, 0, 0, 0, 1},
    /* 11 */ {OP_JMP, 0, 0, 0, 6},
    /* 12 */ {OP_MUL, 6, 6, 5, 0},   /* x = 3x + 1 */
    /* 13 */ {OP_ADDI, 6, 6, 0, 1},
    /* 14 */ {OP_JMP, 0, 0, 0, 10},  /* count the step */
    /* 15 */ {OP_ADDI, 1, 1, 0, 1},  /* n++ */
    /* 16 */ {OP_JLT, 1, 2, 0, 5},
    /* 17 */ {OP_HALT, 0, 0, 0, 0},
};

/* Sieve of Eratosthenes over mem[0..size); r0 = number of primes. */
static const insn sieve[] = {
    /* 0 */ {OP_LI, 1, 0, 0, 2},          /* i = 2 */
    /* 1 */ {OP_LI, 2, 0, 0, SIEVE_SIZE}, /* size */
    /* 2 */ {OP_LI, 0, 0, 0, 0},          /* count */
    /* 3 */ {OP_LI, 9, 0, 0, 1},          /* one, the composite mark */
    /* 4 */ {OP_LD, 4, 1, 0, 0},          /* loop: if mem[i] */
    /* 5 */ {OP_JNZ, 4, 0, 0, 13},        /*   skip */
    /* 6 */ {OP_ADDI, 0, 0, 0, 1},        /* count++ */
    /* 7 */ {OP_MUL, 5, 1, 1, 0},         /* j = i * i */
    /* 8 */ {OP_JLT, 5, 2, 0, 10},        /* while j < size */
    /* 9 */ {OP_JMP, 0, 0, 0, 13},
    /* 10 */ {OP_ST, 9, 5, 0, 0},         /* mem[j] = 1 */
    /* 11 */ {OP_ADD, 5, 5, 1, 0},        /* j += i */
    /* 12 */ {OP_JMP, 0, 0, 0, 8},
    /* 13 */ {OP_ADDI, 1, 1, 0, 1},       /* i++ */
    /* 14 */ {OP_JLT, 1, 2, 0, 4},
    /* 15 */ {OP_HALT, 0, 0, 0, 0},
};

int main(void)
{
    bench_sum sum;
    bench_sum_init(&sum);
    int64_t r[16] = {0};
    uint64_t steps = 0;
    uint8_t *mem = malloc(SIEVE_SIZE);
    bench_sum_u64(&sum, (uint64_t)run(collatz, r, mem, &steps));
    for (int k = 0; k < SIEVE_REPS; k++) {
        memset(mem, 0, SIEVE_SIZE);
        memset(r, 0, sizeof r);
        bench_sum_u64(&sum, (uint64_t)run(sieve, r, mem, &steps));
    }
    bench_sum_u64(&sum, steps);
    printf("steps %llu\n", (unsigned long long)steps);
    free(mem);
    bench_sum_print("interp", &sum);
    return 0;
}
