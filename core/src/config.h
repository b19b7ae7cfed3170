/* config.h - reading options from the environment, with errors that name the variable.
 * Options given explicitly win over the environment; the environment wins over the
 * defaults. Any thread (getenv is only read). */
#ifndef GENOPS_CONFIG_H
#define GENOPS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "genops.h"

/* *out = explicit when it is not 0; else the integer in variable name when set (it
 * must be a whole number in [min, max]); else fallback. GENOPS_EINVAL names the
 * variable and what is wrong. */
genops_status config_u32(uint32_t explicit_value, const char *name, uint32_t fallback, uint32_t min,
                         uint32_t max, uint32_t *out, genops_error *err);

/* config_u32 for a genops_duration_ms option (minimum 1 ms): a negative value is
 * GENOPS_EINVAL naming the option, 0 reads the variable as config_u32 does. */
genops_status config_ms(genops_duration_ms explicit_value, const char *name, uint32_t fallback,
                        uint32_t max, uint32_t *out, genops_error *err);

/* config_u32 and config_ms for a setting that must never stop a pipeline from starting
 * (OpenTelemetry's environment specification: a value that cannot be parsed SHOULD
 * produce a warning and be ignored): a malformed variable is a WARNING naming it and
 * fallback is used. A bad explicit option is still GENOPS_EINVAL. */
genops_status config_u32_soft(uint32_t explicit_value, const char *name, uint32_t fallback,
                              uint32_t min, uint32_t max, uint32_t *out, genops_error *err);
genops_status config_ms_soft(genops_duration_ms explicit_value, const char *name, uint32_t fallback,
                             uint32_t max, uint32_t *out, genops_error *err);

/* Copy a caller's versioned options struct (its first member is size_t struct_size) into
 * dst, which is size bytes and is zeroed first: an older, shorter struct leaves the newer
 * fields 0, and a NULL opt leaves all of dst 0. GENOPS_EINVAL when struct_size is out of
 * range, naming type (e.g. "genops_otlp_options") and its _init function. */
genops_status config_options_copy(void *dst, size_t size, const void *opt, const char *type,
                                  genops_error *err);

/* Read s, a whole non-negative decimal number ("0.25", "1", ".5", "1e-3", surrounding
 * blanks allowed), into *out without the locale (strtod would read "0,25" in some).
 * Correctly rounded up to 15 significant digits; false for anything else. */
bool config_decimal(const char *s, double *out);

/* The value of variable name, or NULL when unset or empty. */
const char *config_str(const char *name);

/* The value of one hex digit (either case), or -1: what %-escapes are made of. */
int config_hex_digit(unsigned char c);

/* Called by config_kv_list for each member: key and value are trimmed, value is
 * percent-decoded and NUL-terminated (key is not). A non-OK return stops the walk. */
typedef genops_status (*config_kv_fn)(const char *key, size_t key_len, const char *value,
                                      size_t value_len, void *ctx, genops_error *err);

/* Walk list, a comma-separated list of key=value members in the W3C Baggage form that
 * OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES use: spaces and tabs around
 * keys and values are ignored, values are percent-decoded ('+' stays a plus), empty
 * members are skipped. A member without '=' or with an empty key, or a bad %-escape, is
 * GENOPS_EINVAL naming `name` and the member's position; values are never quoted in the
 * message because they often hold credentials. */
genops_status config_kv_list(const char *name, const char *list, config_kv_fn fn, void *ctx,
                             genops_error *err);

#endif
