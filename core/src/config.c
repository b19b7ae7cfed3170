/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

genops_status config_options_copy(void *dst, size_t size, const void *opt, const char *type,
                                  genops_error *err)
{
    memset(dst, 0, size);
    if (!opt)
        return GENOPS_OK;
    size_t given;
    memcpy(&given, opt, sizeof given); /* struct_size, the first member of every one */
    if (given < sizeof(size_t) || given > size)
        return error_set(err, GENOPS_EINVAL, "%s.struct_size is %zu; initialise it with %s_init",
                         type, given, type);
    memcpy(dst, opt, given);
    return GENOPS_OK;
}

const char *config_str(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

genops_status config_u32(uint32_t explicit_value, const char *name, uint32_t fallback, uint32_t min,
                         uint32_t max, uint32_t *out, genops_error *err)
{
    if (explicit_value) {
        if (explicit_value < min || explicit_value > max)
            return error_set(err, GENOPS_EINVAL, "option for %s is %u; it must be in [%u, %u]",
                             name, explicit_value, min, max);
        *out = explicit_value;
        return GENOPS_OK;
    }
    const char *v = config_str(name);
    if (!v) {
        *out = fallback;
        return GENOPS_OK;
    }
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || end == v || *end || n < (long long)min || n > (long long)max)
        return error_set(err, GENOPS_EINVAL,
                         "environment variable %s='%.40s' is not a whole number in [%u, %u]", name,
                         v, min, max);
    *out = (uint32_t)n;
    return GENOPS_OK;
}

genops_status config_ms(genops_duration_ms explicit_value, const char *name, uint32_t fallback,
                        uint32_t max, uint32_t *out, genops_error *err)
{
    if (explicit_value < 0)
        return error_set(err, GENOPS_EINVAL,
                         "option for %s is %d ms; a duration cannot be negative", name,
                         (int)explicit_value);
    return config_u32((uint32_t)explicit_value, name, fallback, 1, max, out, err);
}

genops_status config_u32_soft(uint32_t explicit_value, const char *name, uint32_t fallback,
                              uint32_t min, uint32_t max, uint32_t *out, genops_error *err)
{
    genops_status rc = config_u32(explicit_value, name, fallback, min, max, out, err);
    if (rc != GENOPS_EINVAL || explicit_value)
        return rc;
    log_msg(LOG_WARNING, "%s; using the default %u", err->message, fallback);
    *out = fallback;
    return GENOPS_OK;
}

genops_status config_ms_soft(genops_duration_ms explicit_value, const char *name, uint32_t fallback,
                             uint32_t max, uint32_t *out, genops_error *err)
{
    if (explicit_value < 0)
        return config_ms(explicit_value, name, fallback, max, out, err);
    return config_u32_soft((uint32_t)explicit_value, name, fallback, 1, max, out, err);
}

bool config_decimal(const char *s, double *out)
{
    static const double tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int digits = 0, scale = 0, exp = 0;
    bool any = false;

    while (*s == ' ' || *s == '\t')
        s++;
    for (bool frac = false;; s++) {
        if (*s == '.' && !frac) {
            frac = true;
        } else if (*s >= '0' && *s <= '9') {
            any = true;
            if (m || *s != '0')
                digits++;
            if (digits > 15)
                return false;
            m = m * 10 + (uint64_t)(*s - '0');
            scale += frac;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    if (*s == 'e' || *s == 'E') {
        bool neg = *++s == '-';
        s += *s == '-' || *s == '+';
        if (*s < '0' || *s > '9')
            return false;
        for (; *s >= '0' && *s <= '9'; s++)
            if ((exp = exp * 10 + (*s - '0')) > 400)
                return false;
        exp = neg ? -exp : exp;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s)
        return false;
    scale -= exp; /* the value is m / 10^scale */
    if (m == 0)
        *out = 0.0;
    else if (scale <= 0)
        *out = -scale <= 22 ? (double)m * tens[-scale]
                            : 1e308; /* above 1e22: too big is all that matters */
    else if (scale <= 22)
        *out = (double)m / tens[scale]; /* both exact: one correctly rounded division */
    else
        *out = scale - 22 <= 22 ? (double)m / tens[22] / tens[scale - 22] : 0.0;
    return true;
}

/* The value of one hex digit, or -1. */
int config_hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20; /* ASCII letters to lower case */
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Shrink [*s, *s + *n) past leading and trailing blanks. */
static void strip_blanks(const char **s, size_t *n)
{
    for (; *n && (**s == ' ' || **s == '\t'); (*s)++, (*n)--)
        ;
    for (; *n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'); (*n)--)
        ;
}

genops_status config_kv_list(const char *name, const char *list, config_kv_fn fn, void *ctx,
                             genops_error *err)
{
    char *value = malloc(strlen(list) + 1); /* a decoded value is never longer */
    if (!value)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading %s", name);
    genops_status rc = GENOPS_OK;
    unsigned member = 0;
    for (const char *at = list; rc == GENOPS_OK && *at;) {
        size_t len = strcspn(at, ",");
        const char *next = at[len] ? at + len + 1 : at + len;
        const char *eq = memchr(at, '=', len);
        const char *key = at, *raw = eq ? eq + 1 : at + len;
        size_t key_len = eq ? (size_t)(eq - at) : len, raw_len = eq ? len - key_len - 1 : 0;
        member++;
        strip_blanks(&key, &key_len);
        strip_blanks(&raw, &raw_len);
        at = next;
        if (!eq && !key_len)
            continue; /* an empty member, e.g. a trailing comma */
        if (!eq || !key_len) {
            rc = error_set(err, GENOPS_EINVAL, "%s: member %u is not key=value", name, member);
            break;
        }
        size_t n = 0;
        for (size_t i = 0; i < raw_len; i++, n++) {
            int hi = 0, lo = 0;
            if (raw[i] == '%' &&
                (i + 2 >= raw_len || (hi = config_hex_digit((unsigned char)raw[i + 1])) < 0 ||
                 (lo = config_hex_digit((unsigned char)raw[i + 2])) < 0)) {
                rc = error_set(err, GENOPS_EINVAL, "%s: the value of '%.*s' has a bad %%-escape",
                               name, (int)(key_len > 60 ? 60 : key_len), key);
                break;
            }
            value[n] = raw[i] == '%' ? (char)(hi * 16 + lo) : raw[i];
            i += raw[i] == '%' ? 2 : 0;
        }
        value[n] = 0;
        if (rc == GENOPS_OK)
            rc = fn(key, key_len, value, n, ctx, err);
    }
    free(value);
    return rc;
}
