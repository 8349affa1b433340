/* A small open-addressing hash map from strings to counts: word
 * frequencies of a built-in text, growth by rehashing, deletions with
 * tombstones, and lookups; printed sorted by count, then word. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *key; /* NULL: empty; TOMB: deleted */
    int count;
};

static char tomb_marker;
#define TOMB (&tomb_marker)

struct map {
    struct entry *slots;
    uint32_t cap, used, live;
};

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static struct entry *find(struct map *m, const char *key, int insert);

static void grow(struct map *m)
{
    struct map old = *m;
    m->cap = old.cap ? old.cap * 2 : 8;
    m->slots = calloc(m->cap, sizeof *m->slots);
    m->used = m->live = 0;
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.slots[i].key && old.slots[i].key != TOMB) {
            struct entry *e = find(m, old.slots[i].key, 1);
            e->count = old.slots[i].count;
            free(old.slots[i].key);
        }
    free(old.slots);
}

static struct entry *find(struct map *m, const char *key, int insert)
{
    if (insert && (m->used + 1) * 4 > m->cap * 3)
        grow(m);
    if (m->cap == 0)
        return NULL;
    struct entry *tomb = NULL;
    for (uint32_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct entry *e = &m->slots[i];
        if (e->key == NULL) {
            if (!insert)
                return NULL;
            if (tomb)
                e = tomb;
            else
                m->used++;
            e->key = strdup(key);
            e->count = 0;
            m->live++;
            return e;
        }
        if (e->key == TOMB) {
            if (!tomb)
                tomb = e;
        } else if (strcmp(e->key, key) == 0) {
            return e;
        }
    }
}

static int erase(struct map *m, const char *key)
{
    struct entry *e = find(m, key, 0);
    if (!e)
        return 0;
    free(e->key);
    e->key = TOMB;
    m->live--;
    return 1;
}

static int by_count(const void *a, const void *b)
{
    const struct entry *p = *(const struct entry *const *)a, *q = *(const struct entry *const *)b;
    if (p->count != q->count)
        return q->count - p->count;
    return strcmp(p->key, q->key);
}

static const char text[] =
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness, it was the "
    "spring of hope, it was the winter of despair, we had everything before us, we had "
    "nothing before us, we were all going direct to Heaven, we were all going direct "
    "the other way.";

int main(void)
{
    struct map m = {0};
    char word[32];
    int len = 0, words = 0;
    for (const char *p = text;; p++) {
        if (isalpha((unsigned char)*p)) {
            if (len < 31)
                word[len++] = (char)tolower((unsigned char)*p);
            continue;
        }
        if (len) {
            word[len] = '\0';
            find(&m, word, 1)->count++;
            words++;
            len = 0;
        }
        if (!*p)
            break;
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(word, sizeof word, "k%d", i);
        find(&m, word, 1)->count = i;
    }
    int erased = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(word, sizeof word, "k%d", i);
        erased += erase(&m, word);
    }
    printf("words=%d live=%u cap=%u erased=%d\n", words, m.live, m.cap, erased);
    printf("lookup 'times': %d, 'absent': %s, erase twice: %d\n", find(&m, "times", 0)->count,
           find(&m, "absent", 0) ? "found" : "missing", erase(&m, "k5"));

    struct entry **all = malloc(m.live * sizeof *all);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m.cap; i++)
        if (m.slots[i].key && m.slots[i].key != TOMB)
            all[n++] = &m.slots[i];
    qsort(all, n, sizeof *all, by_count);
    for (uint32_t i = 0; i < n; i++)
        printf("%s:%d%s", all[i]->key, all[i]->count, i % 8 == 7 || i + 1 == n ? "\n" : " ");
    return 0;
}
