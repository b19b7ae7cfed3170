/* budget_period.h - a budget's period (daily, weekly, monthly, total) by wall clock in
 * a fixed UTC offset: the period a moment falls in, as an index, and its bounds.
 *
 * Indexes count whole periods since 1970-01-01 in the offset's local time: days; ISO
 * weeks (Monday to Sunday) since the Monday before it; months since January 1970.
 * "total" is one period, index 0, that never rolls over. */
#ifndef GENOPS_BUDGET_PERIOD_H
#define GENOPS_BUDGET_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum budget_period { PERIOD_DAILY, PERIOD_WEEKLY, PERIOD_MONTHLY, PERIOD_TOTAL };

/* The period's name ("daily", ...). */
const char *budget_period_name(enum budget_period p);
/* The period named s (len bytes); false when s names none. */
bool budget_period_parse(const char *s, size_t len, enum budget_period *out);

/* A time zone as a fixed offset from UTC in seconds: "UTC" (also "Z", "GMT", ""),
 * "UTC+05:30", "UTC-8", "+05:30", "-0800". false for anything else: named zones with
 * daylight saving time are not supported (their offset changes within a period). */
bool budget_tz_parse(const char *s, size_t len, int32_t *offset_s);

/* The index of the period p that unix_s (seconds since the epoch) falls in. */
int64_t budget_period_index(enum budget_period p, int32_t offset_s, int64_t unix_s);
/* The first second of period index and the first second after it, as Unix seconds;
 * both 0 for "total". */
void budget_period_bounds(enum budget_period p, int32_t offset_s, int64_t index, int64_t *start,
                          int64_t *end);

#endif
