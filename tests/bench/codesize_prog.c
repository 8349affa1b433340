/*
 * codesize_prog.c — a small but real WASI program for the code size
 * report (tests/bench/codesize.sh): `wordstat`, a text statistics tool.
 *
 *   wordstat [-n TOP] [-m MINLEN] [FILE...]     (stdin without FILE)
 *
 * Reads text, counts words (letters, digits and apostrophes, folded to
 * lower case) in a hash table, and prints: totals, the mean and standard
 * deviation of word and line lengths, a histogram of word lengths, the
 * TOP most frequent words with their share, and the longest words.
 * Uses stdio, malloc/realloc, qsort, strtol and printf with floats, the
 * usual diet of a C program built for wasm32-wasi.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable string ---- */

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fprintf(stderr, "wordstat: out of memory\n");
        exit(2);
    }
    return q;
}

static void buf_push(buf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->data = xrealloc(b->data, b->cap);
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

/* ---- the word table: open addressing, FNV-1a ---- */

typedef struct word {
    char *text;
    size_t len;
    unsigned long count;
    unsigned long first_line;
} word;

typedef struct table {
    word *slots;
    size_t cap;    /* a power of two */
    size_t used;
} table;

static unsigned long hash(const char *s, size_t len)
{
    unsigned long h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void table_grow(table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    word *slots = xrealloc(NULL, cap * sizeof *slots);
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < t->cap; i++) {
        word *w = &t->slots[i];
        if (!w->text)
            continue;
        size_t j = hash(w->text, w->len) & (cap - 1);
        while (slots[j].text)
            j = (j + 1) & (cap - 1);
        slots[j] = *w;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

static word *table_add(table *t, const char *s, size_t len,
                       unsigned long line)
{
    if ((t->used + 1) * 4 > t->cap * 3)
        table_grow(t);
    size_t j = hash(s, len) & (t->cap - 1);
    while (t->slots[j].text) {
        word *w = &t->slots[j];
        if (w->len == len && memcmp(w->text, s, len) == 0) {
            w->count++;
            return w;
        }
        j = (j + 1) & (t->cap - 1);
    }
    word *w = &t->slots[j];
    w->text = xrealloc(NULL, len + 1);
    memcpy(w->text, s, len);
    w->text[len] = '\0';
    w->len = len;
    w->count = 1;
    w->first_line = line;
    t->used++;
    return w;
}

/* ---- running statistics (Welford) ---- */

typedef struct stats {
    unsigned long n;
    double mean, m2;
    double min, max;
} stats;

static void stats_add(stats *s, double x)
{
    if (s->n == 0 || x < s->min)
        s->min = x;
    if (s->n == 0 || x > s->max)
        s->max = x;
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
}

static double stats_stddev(const stats *s)
{
    return s->n > 1 ? sqrt(s->m2 / (double)(s->n - 1)) : 0.0;
}

/* ---- reading ---- */

#define HIST_MAX 20

typedef struct counts {
    table words;
    stats word_len;
    stats line_len;
    unsigned long lines, chars, letters, digits, spaces, punct;
    unsigned long hist[HIST_MAX + 1];   /* the last bucket: longer */
    unsigned long min_len;
    unsigned long skipped;              /* words shorter than min_len */
} counts;

static int is_word_char(int c)
{
    return isalnum(c) || c == '\'';
}

static void end_word(counts *c, buf *w, unsigned long line)
{
    /* apostrophes only at the edges are quotes, not part of the word */
    size_t start = 0, len = w->len;
    while (start < len && w->data[start] == '\'')
        start++;
    while (len > start && w->data[len - 1] == '\'')
        len--;
    if (len > start) {
        size_t n = len - start;
        if (n < c->min_len) {
            c->skipped++;
        } else {
            table_add(&c->words, w->data + start, n, line);
            stats_add(&c->word_len, (double)n);
            c->hist[n < HIST_MAX ? n : HIST_MAX]++;
        }
    }
    w->len = 0;
}

static void count_stream(counts *c, FILE *f)
{
    buf w = {0};
    unsigned long line_chars = 0;
    int ch, last = '\n';
    while ((ch = getc(f)) != EOF) {
        c->chars++;
        last = ch;
        if (ch == '\n') {
            c->lines++;
            stats_add(&c->line_len, (double)line_chars);
            line_chars = 0;
        } else {
            line_chars++;
        }
        if (isalpha(ch))
            c->letters++;
        else if (isdigit(ch))
            c->digits++;
        else if (isspace(ch))
            c->spaces++;
        else if (ispunct(ch))
            c->punct++;
        if (is_word_char(ch))
            buf_push(&w, (char)tolower(ch));
        else if (w.len)
            end_word(c, &w, c->lines + 1);
    }
    if (w.len)
        end_word(c, &w, c->lines + 1);
    if (last != '\n') {
        c->lines++;
        stats_add(&c->line_len, (double)line_chars);
    }
    free(w.data);
}

/* ---- reporting ---- */

static int by_count(const void *a, const void *b)
{
    const word *x = *(const word *const *)a, *y = *(const word *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->text, y->text);
}

static int by_length(const void *a, const void *b)
{
    const word *x = *(const word *const *)a, *y = *(const word *const *)b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return strcmp(x->text, y->text);
}

static void print_bar(double share, int width)
{
    int n = (int)lround(share * width);
    for (int i = 0; i < n; i++)
        putchar('#');
}

static void report(counts *c, int top)
{
    table *t = &c->words;
    word **all = xrealloc(NULL, (t->used ? t->used : 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].text)
            all[n++] = &t->slots[i];

    printf("lines %lu, characters %lu, words %lu (%zu different",
           c->lines, c->chars, c->word_len.n, n);
    if (c->skipped)
        printf(", %lu shorter than %lu skipped", c->skipped, c->min_len);
    printf(")\n");
    if (c->chars) {
        double total = (double)c->chars;
        printf("letters %.1f%%, digits %.1f%%, spaces %.1f%%, "
               "punctuation %.1f%%\n", 100.0 * c->letters / total,
               100.0 * c->digits / total, 100.0 * c->spaces / total,
               100.0 * c->punct / total);
    }
    if (c->word_len.n)
        printf("word length: mean %.3f, sd %.3f, min %.0f, max %.0f\n",
               c->word_len.mean, stats_stddev(&c->word_len),
               c->word_len.min, c->word_len.max);
    if (c->line_len.n)
        printf("line length: mean %.3f, sd %.3f, max %.0f\n",
               c->line_len.mean, stats_stddev(&c->line_len),
               c->line_len.max);
    if (n) {
        double richness = (double)n / (double)c->word_len.n;
        printf("type/token ratio %.4f, log2 of vocabulary %.2f\n",
               richness, log2((double)n));
    }

    if (c->word_len.n) {
        unsigned long most = 0;
        for (int i = 0; i <= HIST_MAX; i++)
            if (c->hist[i] > most)
                most = c->hist[i];
        printf("\nword lengths:\n");
        for (int i = 1; i <= HIST_MAX; i++) {
            if (!c->hist[i])
                continue;
            printf("%s%2d %7lu %6.2f%% ", i == HIST_MAX ? ">=" : "  ", i,
                   c->hist[i], 100.0 * c->hist[i] / c->word_len.n);
            print_bar((double)c->hist[i] / (double)most, 40);
            putchar('\n');
        }
    }

    if (n) {
        qsort(all, n, sizeof *all, by_count);
        size_t shown = (size_t)top < n ? (size_t)top : n;
        double cumulative = 0;
        printf("\n%zu most frequent words:\n", shown);
        for (size_t i = 0; i < shown; i++) {
            double share = (double)all[i]->count / (double)c->word_len.n;
            cumulative += share;
            printf("%4zu. %-20s %7lu %6.2f%% (cumulative %6.2f%%, first on "
                   "line %lu)\n", i + 1, all[i]->text, all[i]->count,
                   100.0 * share, 100.0 * cumulative, all[i]->first_line);
        }

        /* Zipf's law: rank times frequency, roughly constant */
        double zipf = 0;
        for (size_t i = 0; i < shown; i++)
            zipf += (double)(i + 1) * (double)all[i]->count;
        if (shown)
            printf("mean rank x count over the top %zu: %.1f\n", shown,
                   zipf / (double)shown);

        qsort(all, n, sizeof *all, by_length);
        size_t longest = n < 5 ? n : 5;
        printf("\nlongest words:");
        for (size_t i = 0; i < longest; i++)
            printf(" %s (%zu)", all[i]->text, all[i]->len);
        putchar('\n');
    }
    free(all);
}

static void counts_free(counts *c)
{
    for (size_t i = 0; i < c->words.cap; i++)
        free(c->words.slots[i].text);
    free(c->words.slots);
}

/* ---- the command line ---- */

static long number_arg(const char *opt, const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max) {
        fprintf(stderr, "wordstat: %s wants a number from %ld to %ld, not "
                "'%s'\n", opt, min, max, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    counts c;
    memset(&c, 0, sizeof c);
    int top = 10;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            top = (int)number_arg("-n", argv[++i], 0, 100000);
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            c.min_len = (unsigned long)number_arg("-m", argv[++i], 0, 1000);
        } else {
            fprintf(stderr, "usage: wordstat [-n TOP] [-m MINLEN] "
                    "[FILE...]\n");
            return 2;
        }
    }
    int status = 0;
    if (i == argc) {
        count_stream(&c, stdin);
    } else {
        for (; i < argc; i++) {
            FILE *f = fopen(argv[i], "r");
            if (!f) {
                fprintf(stderr, "wordstat: %s: %s\n", argv[i],
                        strerror(errno));
                status = 1;
                continue;
            }
            count_stream(&c, f);
            fclose(f);
        }
    }
    report(&c, top);
    counts_free(&c);
    return status;
}
