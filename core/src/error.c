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

const char *genops_strerror(genops_status code)
{
    switch (code) {
    case GENOPS_OK: return "success";
    case GENOPS_EINVAL: return "invalid argument";
    case GENOPS_ENOMEM: return "out of memory";
    case GENOPS_ETOOBIG: return "a configured limit was reached";
    case GENOPS_ETIMEDOUT: return "deadline passed";
    case GENOPS_ESTALE: return "span has already ended";
    case GENOPS_ESHUTDOWN: return "pipeline is shut down";
    case GENOPS_EIO: return "transport failure";
    case GENOPS_EREJECTED: return "rejected by the backend";
    case GENOPS_EINTERNAL: return "internal error";
    }
    return "unknown status code";
}

const char *genops_version(void)
{
    return GENOPS_VERSION_STRING;
}
