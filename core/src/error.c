/* error.c - status codes, their descriptions, and the library version. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

genops_status error_set(genops_error *err, genops_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void error_clear(genops_error *err)
{
    if (err) {
        err->code = GENOPS_OK;
        err->message[0] = '\0';
    }
}

/* Each name of status.def is a genops.h enumerator with that value, and the switch
 * (over the enum, no default) is -Wswitch-checked to cover every enumerator: the
 * build fails when genops.h and status.def disagree. */
#define GENOPS_STATUS(name, value, text, cls)                                                      \
    _Static_assert(GENOPS_##name == (value), "status.def: GENOPS_" #name " is not " #value);
#include "status.def"
#undef GENOPS_STATUS

const char *genops_strerror(genops_status code)
{
    switch (code) {
#define GENOPS_STATUS(name, value, text, cls)                                                      \
    case GENOPS_##name:                                                                            \
        return text;
#include "status.def"
#undef GENOPS_STATUS
    }
    return "unknown status code";
}

const char *genops_version(void)
{
    return GENOPS_VERSION_STRING;
}
