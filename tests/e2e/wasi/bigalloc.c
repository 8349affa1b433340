/* Large allocations and memory growth: 64 MiB malloc'd and touched on
 * every page, a buffer grown by realloc from 16 bytes to 32 MiB keeping
 * its contents, a zeroed calloc of 16 MiB, and a second 64 MiB block
 * after freeing the first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024u * 1024u)

static uint32_t touch(unsigned char *p, size_t size, unsigned seed)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < size; i += 4096)
        p[i] = (unsigned char)(i / 4096 * seed);
    p[size - 1] = 0x5a;
    for (size_t i = 0; i < size; i += 4096)
        sum += p[i];
    return sum + p[size - 1];
}

int main(void)
{
    unsigned char *big = malloc(64 * MIB);
    printf("malloc 64 MiB: %s\n", big ? "ok" : "failed");
    if (!big)
        return 1;
    printf("touched sum: %u\n", touch(big, 64 * MIB, 7));
    memset(big, 0xab, 64 * MIB);
    printf("memset end byte: %02x\n", big[64 * MIB - 1]);

    size_t size = 16;
    unsigned char *p = malloc(size);
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i * 13);
    int grows = 0, broken = 0;
    while (size < 32 * MIB) {
        size_t bigger = size * 2;
        p = realloc(p, bigger);
        if (!p) {
            printf("realloc to %zu failed\n", bigger);
            return 1;
        }
        for (size_t i = 0; i < size; i += size / 16 + 1)
            broken += p[i] != (unsigned char)(i * 13);
        for (size_t i = size; i < bigger; i++)
            p[i] = (unsigned char)(i * 13);
        size = bigger;
        grows++;
    }
    printf("realloc grew %d times to %zu, broken=%d\n", grows, size, broken);
    p = realloc(p, 100);
    int head = 0;
    for (size_t i = 0; i < 100; i++)
        head += p[i] == (unsigned char)(i * 13);
    printf("shrunk to 100, intact %d\n", head);
    free(p);

    unsigned char *z = calloc(16, MIB);
    size_t nonzero = 0;
    for (size_t i = 0; i < 16 * MIB; i += 512)
        nonzero += z[i] != 0;
    printf("calloc 16 MiB nonzero samples: %zu\n", nonzero);
    free(z);
    free(big);

    big = malloc(64 * MIB);
    printf("second malloc 64 MiB: %s, sum %u\n", big ? "ok" : "failed",
           big ? touch(big, 64 * MIB, 3) : 0);
    free(big);
    /* volatile: the compiler may otherwise assume the allocation works. */
    volatile size_t huge = SIZE_MAX;
    printf("malloc SIZE_MAX fails: %s\n", malloc(huge) == NULL ? "yes" : "no");
    return 0;
}
