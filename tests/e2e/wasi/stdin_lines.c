/* Line input: fgets with a small buffer, so long lines arrive in pieces;
 * each line is printed back with its length and reversed. The last line
 * of the input has no newline. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char piece[16];
    char line[1024];
    size_t len = 0;
    int lines = 0, pieces = 0;
    size_t longest = 0;

    line[0] = '\0';
    while (fgets(piece, sizeof piece, stdin)) {
        size_t n = strlen(piece);
        pieces++;
        if (len + n < sizeof line) {
            memcpy(line + len, piece, n + 1);
            len += n;
        }
        if (n > 0 && piece[n - 1] != '\n' && !feof(stdin))
            continue;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        lines++;
        if (len > longest)
            longest = len;
        printf("%2d len=%3zu [%s]\n", lines, len, line);
        printf("   rev [");
        for (size_t i = len; i > 0; i--)
            putchar(line[i - 1]);
        printf("]\n");
        len = 0;
        line[0] = '\0';
    }
    printf("lines=%d pieces=%d longest=%zu eof=%d error=%d\n", lines, pieces,
           longest, feof(stdin) != 0, ferror(stdin) != 0);
    return 0;
}
