/* qsort with comparators called through function pointers: integers,
 * strings, and records by two keys with a final tie-break so the order is
 * total (qsort is not stable and the libcs differ on ties); then bsearch
 * on the sorted integers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 2024;
static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static int by_int(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int by_int_desc(const void *a, const void *b) { return by_int(b, a); }

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct person {
    char name[8];
    int age;
    int id;
};

static int by_age_then_name(const void *a, const void *b)
{
    const struct person *p = a, *q = b;
    if (p->age != q->age)
        return p->age - q->age;
    int c = strcmp(q->name, p->name); /* names descending */
    return c ? c : p->id - q->id;
}

int main(void)
{
    enum { N = 2000 };
    static int32_t v[N];
    for (int i = 0; i < N; i++)
        v[i] = (int32_t)(next() % 100000) - 50000;
    qsort(v, N, sizeof v[0], by_int);
    int sorted = 1;
    uint32_t h = 0;
    for (int i = 0; i < N; i++) {
        if (i && v[i - 1] > v[i])
            sorted = 0;
        h = h * 31 + (uint32_t)v[i];
    }
    printf("ints sorted=%d hash=%08x first=%d %d %d last=%d\n", sorted, (unsigned)h, v[0],
           v[1], v[2], v[N - 1]);
    int32_t key = v[777];
    int32_t *hit = bsearch(&key, v, N, sizeof v[0], by_int);
    printf("bsearch present: %s\n", hit && *hit == key ? "found" : "missing");
    key = 60000;
    printf("bsearch absent: %s\n", bsearch(&key, v, N, sizeof v[0], by_int) ? "found" : "missing");
    qsort(v, N, sizeof v[0], by_int_desc);
    printf("descending first=%d last=%d\n", v[0], v[N - 1]);

    const char *words[] = {"pear", "apple", "fig", "Banana", "apricot", "cherry", "date",
                           "", "apple pie", "Zebra", "zebra", "éclair"};
    int nw = sizeof words / sizeof words[0];
    qsort(words, nw, sizeof words[0], by_string);
    for (int i = 0; i < nw; i++)
        printf("[%s]%s", words[i], i + 1 < nw ? " " : "\n");

    struct person people[40];
    const char *names[] = {"ann", "bob", "cy", "dee", "eve"};
    for (int i = 0; i < 40; i++) {
        snprintf(people[i].name, sizeof people[i].name, "%s", names[next() % 5]);
        people[i].age = 20 + next() % 6;
        people[i].id = i;
    }
    qsort(people, 40, sizeof people[0], by_age_then_name);
    for (int i = 0; i < 40; i++)
        printf("%d:%s:%d%s", people[i].age, people[i].name, people[i].id,
               i % 8 == 7 ? "\n" : " ");
    qsort(people, 0, sizeof people[0], by_age_then_name);
    qsort(people, 1, sizeof people[0], by_age_then_name);
    printf("empty and single sorts ok\n");
    return 0;
}
