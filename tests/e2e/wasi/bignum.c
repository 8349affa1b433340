/* A tiny bignum in base 10^9 on 32-bit limbs with 64-bit products:
 * factorials, powers of two, Fibonacci numbers and the digit sum of
 * 1000!. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BASE 1000000000u
#define LIMBS 400

struct big {
    uint32_t d[LIMBS]; /* least significant first */
    int n;
};

static void set(struct big *a, uint32_t v)
{
    a->d[0] = v % BASE;
    a->d[1] = v / BASE;
    a->n = a->d[1] ? 2 : 1;
}

static void mul_small(struct big *a, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)(t % BASE);
        carry = t / BASE;
    }
    while (carry) {
        a->d[a->n++] = (uint32_t)(carry % BASE);
        carry /= BASE;
    }
}

static void add(struct big *r, const struct big *a, const struct big *b)
{
    uint32_t carry = 0;
    int n = a->n > b->n ? a->n : b->n;
    for (int i = 0; i < n; i++) {
        uint32_t t = (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        carry = t >= BASE;
        r->d[i] = carry ? t - BASE : t;
    }
    r->n = n;
    if (carry)
        r->d[r->n++] = 1;
}

static void mul(struct big *r, const struct big *a, const struct big *b)
{
    uint64_t acc[2 * LIMBS] = {0};
    for (int i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < b->n || carry; j++) {
            uint64_t t = acc[i + j] + carry + (j < b->n ? (uint64_t)a->d[i] * b->d[j] : 0);
            acc[i + j] = t % BASE;
            carry = t / BASE;
        }
    }
    r->n = a->n + b->n;
    for (int i = 0; i < r->n; i++)
        r->d[i] = (uint32_t)acc[i];
    while (r->n > 1 && r->d[r->n - 1] == 0)
        r->n--;
}

static int digits(const struct big *a, char *out)
{
    int len = sprintf(out, "%u", a->d[a->n - 1]);
    for (int i = a->n - 2; i >= 0; i--)
        len += sprintf(out + len, "%09u", a->d[i]);
    return len;
}

static void print(const char *label, const struct big *a)
{
    static char buf[LIMBS * 9 + 1];
    int len = digits(a, buf);
    if (len > 80)
        printf("%s = %.30s...%s (%d digits)\n", label, buf, buf + len - 30, len);
    else
        printf("%s = %s\n", label, buf);
}

int main(void)
{
    static struct big f, p, a, b, c, sq;
    char label[32];
    set(&f, 1);
    for (uint32_t i = 1; i <= 100; i++) {
        mul_small(&f, i);
        if (i == 20 || i == 25 || i == 50 || i == 100) {
            snprintf(label, sizeof label, "%u!", i);
            print(label, &f);
        }
    }
    set(&p, 1);
    for (int i = 1; i <= 256; i++) {
        mul_small(&p, 2);
        if (i == 64 || i == 128 || i == 256) {
            snprintf(label, sizeof label, "2^%d", i);
            print(label, &p);
        }
    }
    set(&a, 0);
    set(&b, 1);
    for (int i = 2; i <= 500; i++) {
        add(&c, &a, &b);
        a = b;
        b = c;
    }
    print("fib(500)", &b);
    mul(&sq, &b, &b);
    print("fib(500)^2", &sq);
    set(&f, 1);
    for (uint32_t i = 2; i <= 1000; i++)
        mul_small(&f, i);
    static char buf[LIMBS * 9 + 1];
    int len = digits(&f, buf), sum = 0, zeros = 0;
    for (int i = 0; i < len; i++)
        sum += buf[i] - '0';
    for (int i = len - 1; i >= 0 && buf[i] == '0'; i--)
        zeros++;
    printf("1000! has %d digits, digit sum %d, %d trailing zeros\n", len, sum, zeros);
    return 0;
}
