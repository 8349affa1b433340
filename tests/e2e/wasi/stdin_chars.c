/* Character input: getchar to the end, counting bytes, lines, words,
 * digits and letters, with a checksum of every byte; ungetc pushes one
 * character back at the start. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    long bytes = 0, lines = 0, words = 0, digits = 0, high = 0;
    long letters[26] = {0};
    uint32_t sum = 0;
    int in_word = 0, c;

    c = getchar();
    printf("first byte: '%c'\n", c);
    ungetc(c, stdin);
    while ((c = getchar()) != EOF) {
        bytes++;
        sum = sum * 31 + (unsigned char)c;
        if (c == '\n')
            lines++;
        if (c >= 0x80)
            high++;
        else if (isdigit(c))
            digits++;
        else if (isalpha(c))
            letters[tolower(c) - 'a']++;
        if (c == ' ' || c == '\t' || c == '\n') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    printf("bytes=%ld lines=%ld words=%ld digits=%ld high=%ld sum=%08x\n",
           bytes, lines, words, digits, high, (unsigned)sum);
    for (int i = 0; i < 26; i++)
        if (letters[i])
            printf("%c:%ld%s", 'a' + i, letters[i], i == 25 ? "" : " ");
    printf("\n");
    printf("getchar after EOF: %d\n", getchar() == EOF);
    return 0;
}
