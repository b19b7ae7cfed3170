/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "error.h"

const char *config_str(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

genops_status config_u32(uint32_t explicit_value, const char *name, uint32_t fallback,
                         uint32_t min, uint32_t max, uint32_t *out, genops_error *err)
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
                         "environment variable %s='%.40s' is not a whole number in [%u, %u]",
                         name, v, min, max);
    *out = (uint32_t)n;
    return GENOPS_OK;
}
