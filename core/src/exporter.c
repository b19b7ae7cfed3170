/* exporter.c - what all exporters share. */
#include "exporter.h"

void genops_exporter_free(genops_exporter *e)
{
    /* An exporter a pipeline owns is freed with the pipeline, never here. */
    if (e && !e->owned)
        e->ops->destroy(e);
}

const char *genops_exporter_description(const genops_exporter *e)
{
    if (!e)
        return "";
    return e->description[0] ? e->description : e->ops->kind;
}
