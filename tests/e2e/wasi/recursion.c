/* Deep recursion without setjmp: a non-tail recursion 10,000 calls deep
 * whose result is used after each call, Ackermann(2, n) and (3, 6),
 * mutual recursion, and a recursively built and summed binary tree.
 * (node:wasi runs out of stack between 15,000 and 20,000 levels of
 * deep().) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static volatile uint32_t sink;

__attribute__((noinline)) static uint32_t deep(uint32_t n)
{
    if (n == 0)
        return 1;
    uint32_t r = deep(n - 1);
    sink = r;
    return r * 2654435761u + n;
}

static unsigned ackermann(unsigned m, unsigned n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

__attribute__((noinline)) static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n)
{
    return n == 0 ? 1 : is_odd(n - 1) ^ (int)(sink & 0);
}
__attribute__((noinline)) static int is_odd(unsigned n)
{
    return n == 0 ? 0 : is_even(n - 1) ^ (int)(sink & 0);
}

struct tree {
    struct tree *left, *right;
    int value;
};

static struct tree *build(int depth, int *counter)
{
    if (depth == 0)
        return NULL;
    struct tree *t = malloc(sizeof *t);
    t->value = (*counter)++;
    t->left = build(depth - 1, counter);
    t->right = build(depth - 1, counter);
    return t;
}

static long long sum(const struct tree *t, int depth)
{
    if (!t)
        return 0;
    return t->value * (long long)depth + sum(t->left, depth + 1) + sum(t->right, depth + 1);
}

static void drop(struct tree *t)
{
    if (t) {
        drop(t->left);
        drop(t->right);
        free(t);
    }
}

int main(void)
{
    printf("deep(10000)=%08x\n", (unsigned)deep(10000));
    printf("ackermann(2, 1000)=%u\n", ackermann(2, 1000));
    printf("ackermann(3, 6)=%u\n", ackermann(3, 6));
    printf("is_even(10001)=%d is_odd(10001)=%d\n", is_even(10001), is_odd(10001));
    int counter = 0;
    struct tree *t = build(16, &counter);
    printf("tree nodes=%d weighted sum=%lld\n", counter, sum(t, 1));
    drop(t);
    return 0;
}
