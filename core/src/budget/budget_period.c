/* budget_period.c - periods by wall clock in a fixed UTC offset (budget_period.h).
 *
 * Months need the civil calendar: days since 1970-01-01 <-> (year, month) with the
 * era arithmetic of the proleptic Gregorian calendar (400-year eras of 146,097 days,
 * years counted from March so that the leap day ends the year), as described in
 * Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms". */
#include "budget_period.h"

#include <string.h>

static const char *const names[] = {"daily", "weekly", "monthly", "total"};

const char *budget_period_name(enum budget_period p)
{
    return names[p];
}

bool budget_period_parse(const char *s, size_t len, enum budget_period *out)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && memcmp(s, names[i], len) == 0) {
            *out = (enum budget_period)i;
            return true;
        }
    return false;
}

static bool digits(const char *s, size_t n, int *out)
{
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return n > 0;
}

bool budget_tz_parse(const char *s, size_t len, int32_t *offset_s)
{
    *offset_s = 0;
    if (len >= 3 && (memcmp(s, "UTC", 3) == 0 || memcmp(s, "GMT", 3) == 0)) {
        s += 3;
        len -= 3;
    } else if (len == 1 && s[0] == 'Z') {
        return true;
    }
    if (len == 0)
        return true;
    if (s[0] != '+' && s[0] != '-')
        return false;
    int sign = s[0] == '-' ? -1 : 1, hours, minutes = 0;
    const char *colon = memchr(s + 1, ':', len - 1);
    size_t hlen = colon ? (size_t)(colon - s - 1) : len - 1 > 2 ? len - 3 : len - 1;
    if (hlen < 1 || hlen > 2 || !digits(s + 1, hlen, &hours))
        return false;
    size_t rest = len - 1 - hlen - (colon ? 1 : 0);
    const char *m = s + 1 + hlen + (colon ? 1 : 0);
    if ((colon || rest) && (rest != 2 || !digits(m, 2, &minutes)))
        return false;
    if (hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60)
        return false;
    *offset_s = sign * (hours * 3600 + minutes * 60);
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of the first day of month m (1..12) of year y. */
static int64_t days_from_civil(int64_t y, int m)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                           /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5; /* day 1 of the month */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* The year and month (1..12) of day z since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, int *m)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 1970-01-01 was a Thursday: the Monday that starts week 0 is day -3. */
enum { WEEK0_DAY = -3 };

int64_t budget_period_index(enum budget_period p, int32_t offset_s, int64_t unix_s)
{
    int64_t day = floor_div(unix_s + offset_s, 86400);
    switch (p) {
    case PERIOD_DAILY: return day;
    case PERIOD_WEEKLY: return floor_div(day - WEEK0_DAY, 7);
    case PERIOD_MONTHLY: {
        int64_t y;
        int m;
        civil_from_days(day, &y, &m);
        return (y - 1970) * 12 + (m - 1);
    }
    case PERIOD_TOTAL: break;
    }
    return 0;
}

void budget_period_bounds(enum budget_period p, int32_t offset_s, int64_t index, int64_t *start,
                          int64_t *end)
{
    int64_t first, next;
    switch (p) {
    case PERIOD_DAILY:
        first = index;
        next = index + 1;
        break;
    case PERIOD_WEEKLY:
        first = index * 7 + WEEK0_DAY;
        next = first + 7;
        break;
    case PERIOD_MONTHLY: {
        int64_t y = 1970 + floor_div(index, 12);
        int m = (int)(index - floor_div(index, 12) * 12) + 1;
        first = days_from_civil(y, m);
        next = m == 12 ? days_from_civil(y + 1, 1) : days_from_civil(y, m + 1);
        break;
    }
    default: *start = *end = 0; return;
    }
    *start = first * 86400 - offset_s;
    *end = next * 86400 - offset_s;
}
