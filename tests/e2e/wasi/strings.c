/* String handling: strstr, strchr/strrchr, strtok and strtok_r, snprintf
 * truncation and its return value, memmove on overlapping buffers,
 * strcmp/strncmp/memcmp ordering signs, strspn/strcspn, and case
 * conversion. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int sign(int x) { return (x > 0) - (x < 0); }

int main(void)
{
    const char *hay = "the quick brown fox jumps over the lazy dog";
    const char *needles[] = {"fox", "the", "dog", "cat", "", "lazy dog", "o"};
    for (unsigned i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("strstr \"%s\": %ld\n", needles[i], p ? (long)(p - hay) : -1L);
    }
    printf("strchr o: %ld, strrchr o: %ld, strchr NUL: %ld\n", (long)(strchr(hay, 'o') - hay),
           (long)(strrchr(hay, 'o') - hay), (long)(strchr(hay, '\0') - hay));

    char csv[] = "alpha,,beta;gamma , delta;;epsilon,";
    int n = 0;
    for (char *t = strtok(csv, ",;"); t; t = strtok(NULL, ",;"))
        printf("token %d: [%s]\n", n++, t);
    char pairs[] = "a=1&b=22&ccc=333";
    char *outer, *inner;
    for (char *kv = strtok_r(pairs, "&", &outer); kv; kv = strtok_r(NULL, "&", &outer)) {
        char *k = strtok_r(kv, "=", &inner);
        char *v = strtok_r(NULL, "=", &inner);
        printf("pair %s -> %s\n", k, v);
    }

    char small[8];
    int want = snprintf(small, sizeof small, "%s-%d", "truncate", 12345);
    printf("snprintf wanted %d, got [%s] (%zu)\n", want, small, strlen(small));
    printf("snprintf to NULL: %d\n", snprintf(NULL, 0, "%d%s", 42, "abc"));
    printf("snprintf size 1: %d [%s]\n", snprintf(small, 1, "xyz"), small);

    char buf[32] = "0123456789abcdef";
    memmove(buf + 4, buf, 10);
    printf("memmove right: %s\n", buf);
    memmove(buf, buf + 6, 11);
    printf("memmove left: %s\n", buf);
    memset(buf + 3, '-', 4);
    printf("memset: %s\n", buf);

    const char *cmp[][2] = {{"abc", "abd"}, {"abc", "abc"}, {"abc", "ab"}, {"", "a"},
                            {"a\xff", "a\x01"}, {"Apple", "apple"}};
    for (unsigned i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
        printf("strcmp(%u)=%d strncmp2=%d memcmp=%d\n", i, sign(strcmp(cmp[i][0], cmp[i][1])),
               sign(strncmp(cmp[i][0], cmp[i][1], 2)), sign(memcmp(cmp[i][0], cmp[i][1], 2)));

    printf("strspn=%zu strcspn=%zu\n", strspn("aabbcxyz", "abc"), strcspn("hello, world", ",!"));
    char up[] = "Mixed Case 123 text!";
    for (char *p = up; *p; p++)
        *p = islower((unsigned char)*p) ? toupper((unsigned char)*p) : tolower((unsigned char)*p);
    printf("swapped case: %s\n", up);
    char cat[32] = "con";
    strcat(cat, "cat");
    strncat(cat, "enation!!!", 7);
    printf("strcat: %s len=%zu\n", cat, strlen(cat));
    char copy[16];
    memset(copy, 'x', sizeof copy);
    strncpy(copy, "ab", 6);
    printf("strncpy pads: %d %d %d %c\n", copy[2], copy[4], copy[5], copy[6]);
    char *dup = strndup("duplicate me", 9);
    printf("strndup: [%s]\n", dup);
    return 0;
}
