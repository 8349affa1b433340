/* Calendar conversions at fixed instants, all in UTC (no time zone is
 * involved): gmtime_r, strftime with numeric and English fields, timegm
 * back, and difftime. */
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void)
{
    const long long stamps[] = {0, 86399, 951782400, 951868800, 1234567890, 2147483647,
                                2147483648ll, 4102444800ll, -1, -86400 * 365ll};
    char buf[128];
    for (unsigned i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
        time_t t = (time_t)stamps[i];
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        if (!gmtime_r(&t, &tm)) {
            printf("%lld: gmtime failed\n", stamps[i]);
            continue;
        }
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %A %b %B %j %U %W %w %y %%", &tm);
        time_t back = timegm(&tm);
        printf("%lld: %s yday=%d back=%s\n", stamps[i], buf, tm.tm_yday,
               (long long)back == stamps[i] ? "same" : "differs");
    }
    struct tm tm = {.tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_hour = 12};
    time_t t = timegm(&tm);
    printf("2024-02-29 12:00 UTC = %lld, weekday %d\n", (long long)t, tm.tm_wday);
    tm.tm_mday += 1;
    t = timegm(&tm);
    printf("one day later normalises to %04d-%02d-%02d\n", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday);
    printf("difftime: %.1f\n", difftime((time_t)1000, (time_t)250));
    printf("strftime too small: %zu\n", strftime(buf, 4, "%Y-%m-%d", &tm));
    return 0;
}
