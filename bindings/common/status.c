/* status.c - the status codes' names and exception classes for the bindings, from
 * core/src/status.def (the list genops_strerror comes from too). */
#include "genops_bindings.h"

struct status_row {
    genops_status code;
    const char *name, *cls;
};

static const struct status_row statuses[] = {
#define GENOPS_STATUS(name, value, text, cls) {GENOPS_##name, #name, #cls},
#include "status.def"
#undef GENOPS_STATUS
};

static const struct status_row *row(genops_status code)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].code == code)
            return &statuses[i];
    return NULL;
}

const char *genops_bind_status_name(genops_status code)
{
    const struct status_row *r = row(code);
    return r ? r->name : NULL;
}

const char *genops_bind_status_class(genops_status code)
{
    const struct status_row *r = row(code);
    return r ? r->cls : NULL;
}
