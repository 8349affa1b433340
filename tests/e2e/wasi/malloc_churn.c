/* Many small allocations: 200,000 pseudo-random malloc/free/realloc
 * operations over 1,000 slots, each block filled with its slot's byte and
 * checked before it is freed; then a 100,000-node linked list built and
 * torn down. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 12345;
static uint32_t next(void)
{
    state = state * 1103515245u + 12345u;
    return state >> 8;
}

struct node {
    struct node *next;
    uint32_t value;
};

int main(void)
{
    enum { SLOTS = 1000 };
    unsigned char *slot[SLOTS] = {0};
    size_t size[SLOTS] = {0};
    long bad = 0, allocs = 0, frees = 0, reallocs = 0, misaligned = 0;
    uint64_t bytes = 0;

    for (int op = 0; op < 200000; op++) {
        int k = next() % SLOTS;
        if (slot[k] && next() % 4 == 0) {
            size_t grow = next() % 3000 + 1;
            slot[k] = realloc(slot[k], grow);
            size_t keep = grow < size[k] ? grow : size[k];
            for (size_t i = 0; i < keep; i++)
                bad += slot[k][i] != (unsigned char)k;
            memset(slot[k], (unsigned char)k, grow);
            size[k] = grow;
            reallocs++;
        } else if (slot[k]) {
            for (size_t i = 0; i < size[k]; i++)
                bad += slot[k][i] != (unsigned char)k;
            free(slot[k]);
            slot[k] = NULL;
            frees++;
        } else {
            size[k] = next() % 2000 + 1;
            slot[k] = malloc(size[k]);
            misaligned += ((uintptr_t)slot[k] & 7) != 0;
            memset(slot[k], (unsigned char)k, size[k]);
            bytes += size[k];
            allocs++;
        }
    }
    for (int k = 0; k < SLOTS; k++)
        free(slot[k]);
    printf("allocs=%ld frees=%ld reallocs=%ld bytes=%llu bad=%ld misaligned=%ld\n",
           allocs, frees, reallocs, (unsigned long long)bytes, bad, misaligned);

    struct node *head = NULL;
    for (uint32_t i = 0; i < 100000; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = i * 2654435761u;
        n->next = head;
        head = n;
    }
    uint32_t x = 0;
    long count = 0;
    while (head) {
        struct node *n = head;
        x ^= n->value + (uint32_t)count;
        head = n->next;
        free(n);
        count++;
    }
    printf("list: %ld nodes, xor=%08x\n", count, (unsigned)x);
    return 0;
}
