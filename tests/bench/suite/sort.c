/*
 * sort.c — sorting 32-bit keys three ways: an introsort-like quicksort
 * (median of three, insertion sort for short ranges), a bottom-up merge
 * sort with a scratch buffer, and a heap sort; the results must agree.
 */
#include <stdlib.h>

#include "bench.h"

#define N 1500000

static void insertion(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quick(uint32_t *a, int n)
{
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1], p;
        p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* Recurse into the smaller half, loop on the larger. */
        if (j + 1 < n - j - 1) {
            quick(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quick(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion(a, n);
}

static void merge_sort(uint32_t *a, uint32_t *tmp, int n)
{
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n;
            int hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        uint32_t *t = a;
        a = tmp;
        tmp = t;
        memcpy(tmp, a, (size_t)n * sizeof *a);
    }
}

static void sift(uint32_t *a, int i, int n)
{
    uint32_t v = a[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && a[c + 1] > a[c])
            c++;
        if (a[c] <= v)
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = v;
}

static void heap_sort(uint32_t *a, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--)
        sift(a, i, n);
    for (int end = n - 1; end > 0; end--) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(a, 0, end);
    }
}

int main(void)
{
    bench_rng rng = {8675309};
    bench_sum sum;
    bench_sum_init(&sum);
    uint32_t *src = malloc(N * sizeof *src), *a = malloc(N * sizeof *a);
    uint32_t *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
    uint32_t *tmp = malloc(N * sizeof *tmp);
    for (int i = 0; i < N; i++)
        src[i] = (uint32_t)bench_rand(&rng) % (N * 4u);
    memcpy(a, src, N * sizeof *a);
    memcpy(b, src, N * sizeof *b);
    memcpy(c, src, N * sizeof *c);
    quick(a, N);
    merge_sort(b, tmp, N);
    heap_sort(c, N);
    if (memcmp(a, b, N * sizeof *a) != 0 || memcmp(a, c, N * sizeof *a) != 0) {
        printf("sort: results differ\n");
        return 1;
    }
    for (int i = 0; i < N; i += 1009)
        bench_sum_u64(&sum, a[i]);
    free(src);
    free(a);
    free(b);
    free(c);
    free(tmp);
    bench_sum_print("sort", &sum);
    return 0;
}
