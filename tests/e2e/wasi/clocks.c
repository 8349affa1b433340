/* Clocks, printed only as booleans so the output does not depend on the
 * time: the monotonic clock never goes back and advances across a sleep,
 * the wall clock is plausible and agrees with time() and gettimeofday(),
 * and clock_getres reports a sane resolution. */
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static int64_t ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *yes(int b) { return b ? "yes" : "no"; }

int main(void)
{
    int64_t prev = ns(CLOCK_MONOTONIC), first = prev;
    int backwards = 0;
    for (int i = 0; i < 10000; i++) {
        int64_t t = ns(CLOCK_MONOTONIC);
        if (t < prev)
            backwards++;
        prev = t;
    }
    printf("monotonic never goes back: %s\n", yes(backwards == 0));
    printf("monotonic non-negative: %s\n", yes(first >= 0));

    struct timespec nap = {0, 20 * 1000 * 1000};
    int64_t before = ns(CLOCK_MONOTONIC);
    printf("nanosleep: %d\n", nanosleep(&nap, NULL));
    int64_t slept = ns(CLOCK_MONOTONIC) - before;
    printf("slept at least 20 ms: %s\n", yes(slept >= 20 * 1000 * 1000));
    printf("slept less than 10 s: %s\n", yes(slept < 10ll * 1000 * 1000 * 1000));

    time_t now = time(NULL);
    printf("time() after 2020: %s\n", yes(now > 1577836800));
    printf("time() before 2100: %s\n", yes(now < 4102444800ll));
    int64_t real = ns(CLOCK_REALTIME);
    printf("CLOCK_REALTIME within 2 s of time(): %s\n",
           yes(real / 1000000000 - now <= 2 && now - real / 1000000000 <= 2));
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday within 2 s of time(): %s\n",
           yes(tv.tv_sec - now <= 2 && now - tv.tv_sec <= 2));
    printf("gettimeofday usec in range: %s\n", yes(tv.tv_usec >= 0 && tv.tv_usec < 1000000));

    struct timespec res;
    int r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution in (0, 1 s]: %s\n",
           yes(r == 0 && (res.tv_sec > 0 || res.tv_nsec > 0) && res.tv_sec <= 1 &&
               !(res.tv_sec == 1 && res.tv_nsec > 0)));
    r = clock_getres(CLOCK_REALTIME, &res);
    printf("realtime resolution in (0, 1 s]: %s\n",
           yes(r == 0 && (res.tv_sec > 0 || res.tv_nsec > 0) && res.tv_sec <= 1));
    int64_t cpu = ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("process CPU clock readable: %s\n", yes(cpu >= 0));
    return 0;
}
