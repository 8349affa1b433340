/* Reads the seeded data file from the sandbox in odd-sized chunks and
 * prints its size, CRC-32, Adler-32 and 64-bit FNV-1a, plus a histogram
 * summary. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }

    int fd = open(in_dir(dir, "data.bin"), O_RDONLY);
    if (fd < 0) {
        printf("open data.bin: %s\n", errno_name(errno));
        return 1;
    }
    unsigned char buf[333];
    uint32_t crc = 0xffffffffu, a = 1, b = 0;
    uint64_t fnv = 0xcbf29ce484222325ull;
    long size = 0, counts[256] = {0};
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            crc = table[(crc ^ c) & 0xff] ^ (crc >> 8);
            a = (a + c) % 65521;
            b = (b + a) % 65521;
            fnv = (fnv ^ c) * 0x100000001b3ull;
            counts[c]++;
        }
        size += n;
    }
    close(fd);
    int distinct = 0;
    long most = 0;
    int most_byte = 0;
    for (int i = 0; i < 256; i++) {
        distinct += counts[i] != 0;
        if (counts[i] > most)
            most = counts[i], most_byte = i;
    }
    printf("size=%ld\n", size);
    printf("crc32=%08x\n", (unsigned)(crc ^ 0xffffffffu));
    printf("adler32=%08x\n", (unsigned)(b << 16 | a));
    printf("fnv1a64=%016llx\n", (unsigned long long)fnv);
    printf("distinct=%d most=0x%02x x%ld\n", distinct, most_byte, most);
    return 0;
}
