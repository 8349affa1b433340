/* stdio on files: fprintf then fscanf of mixed values, fgetc/ungetc,
 * fread/fwrite of a fixed-layout record array, feof and ferror, and a
 * file reopened with freopen. */
#include <stdint.h>
#include <string.h>
#include "common.h"

struct record {
    int32_t id;
    uint16_t flags;
    char name[10];
    double value;
};

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    const char *text = in_dir(dir, "values.txt");
    FILE *f = fopen(text, "w");
    for (int i = 0; i < 6; i++)
        fprintf(f, "%d %s %.2f\n", i * i - 5, i % 2 ? "odd" : "even", i / 4.0);
    fclose(f);

    f = fopen(text, "r");
    int v, n = 0;
    char word[16];
    double d;
    while (fscanf(f, "%d %15s %lf", &v, word, &d) == 3)
        printf("scanned %d %s %.2f\n", v, word, d), n++;
    printf("scanned %d records, eof=%d error=%d\n", n, feof(f) != 0, ferror(f) != 0);
    rewind(f);
    int c = fgetc(f);
    ungetc('#', f);
    printf("fgetc '%c', after ungetc '%c', then '%c'\n", c, fgetc(f), fgetc(f));
    fclose(f);

    struct record out[4], in[5];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 4; i++) {
        out[i].id = -1000 * i;
        out[i].flags = (uint16_t)(0xf00f >> i);
        snprintf(out[i].name, sizeof out[i].name, "rec%d", i);
        out[i].value = i * 1.5;
    }
    const char *bin = in_dir(dir, "records.bin");
    f = fopen(bin, "wb");
    printf("fwrite: %zu\n", fwrite(out, sizeof out[0], 4, f));
    fclose(f);
    f = fopen(bin, "rb");
    size_t got = fread(in, sizeof in[0], 5, f);
    printf("fread: %zu, eof=%d\n", got, feof(f) != 0);
    for (size_t i = 0; i < got; i++)
        printf("  %d %04x %s %.1f\n", in[i].id, in[i].flags, in[i].name, in[i].value);
    printf("records equal: %s\n", memcmp(in, out, sizeof out) == 0 ? "yes" : "no");
    fclose(f);

    f = fopen(text, "r");
    f = freopen(bin, "rb", f);
    printf("freopen: %s, first id %d\n", f ? "ok" : "failed",
           f && fread(in, sizeof in[0], 1, f) == 1 ? in[0].id : -1);
    fputc('x', f);
    printf("write to read-only stream: error=%d\n", ferror(f) != 0);
    fclose(f);
    printf("fopen missing for reading: %s\n",
           fopen(in_dir(dir, "nope.txt"), "r") ? "opened" : errno_name(errno));
    return 0;
}
