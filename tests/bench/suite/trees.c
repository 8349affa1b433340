/*
 * trees.c — allocation-heavy recursion: binary trees built node by node
 * with malloc, walked, and freed, many at a time, beside one long-lived
 * tree, so the allocator's fast paths and call overhead dominate.
 */
#include <stdlib.h>

#include "bench.h"

#define MAX_DEPTH 18
#define LONG_DEPTH 18

typedef struct node {
    struct node *left, *right;
    int32_t value;
} node;

static node *build(int depth, int32_t value)
{
    node *n = malloc(sizeof *n);
    if (n == NULL)
        abort();
    n->value = value;
    if (depth > 0) {
        n->left = build(depth - 1, 2 * value - 1);
        n->right = build(depth - 1, 2 * value);
    } else {
        n->left = n->right = NULL;
    }
    return n;
}

static int64_t walk(const node *n)
{
    if (n->left == NULL)
        return n->value;
    return n->value + walk(n->left) - walk(n->right);
}

static uint32_t count(const node *n)
{
    return n->left == NULL ? 1 : 1 + count(n->left) + count(n->right);
}

static void release(node *n)
{
    if (n->left != NULL) {
        release(n->left);
        release(n->right);
    }
    free(n);
}

int main(void)
{
    bench_sum sum;
    bench_sum_init(&sum);
    node *keep = build(LONG_DEPTH, 1);
    for (int depth = 4; depth <= MAX_DEPTH; depth += 2) {
        int iterations = 1 << (MAX_DEPTH - depth + 2);
        int64_t check = 0;
        for (int i = 0; i < iterations; i++) {
            node *t = build(depth, i);
            check += walk(t) + count(t);
            release(t);
        }
        printf("depth %d: %d trees, check %lld\n", depth, iterations, (long long)check);
        bench_sum_u64(&sum, (uint64_t)check);
    }
    bench_sum_u64(&sum, (uint64_t)walk(keep));
    bench_sum_u64(&sum, count(keep));
    release(keep);
    bench_sum_print("trees", &sum);
    return 0;
}
