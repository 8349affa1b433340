/* Command-line arguments: argc, and every argument after the sandbox
 * directory (argv[1], whose value differs between runs) with its length,
 * including an empty one, one with spaces and one in UTF-8. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    printf("argv[0] non-empty: %s\n", argv[0] && argv[0][0] ? "yes" : "no");
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    for (int i = 2; i < argc; i++)
        printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    return 0;
}
