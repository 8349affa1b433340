/*
 * recursion.c — call-heavy recursion: the Ackermann function, Takeuchi's
 * tak and a naive Fibonacci, whose cost is almost all call and return.
 */
#include "bench.h"

static uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static int32_t tak(int32_t x, int32_t y, int32_t z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
    (void)argv;
    bench_sum sum;
    bench_sum_init(&sum);
    /* argc keeps the arguments unknown to the compiler. */
    uint32_t base = (uint32_t)argc - 1;
    uint32_t a = ack(3, 11 + base);
    int32_t t = tak(30 + (int32_t)base, 20, 10);
    uint32_t f = fib(35 + base);
    printf("ack %u tak %d fib %u\n", a, t, f);
    bench_sum_u64(&sum, a);
    bench_sum_u64(&sum, (uint64_t)t);
    bench_sum_u64(&sum, f);
    bench_sum_print("recursion", &sum);
    return 0;
}
