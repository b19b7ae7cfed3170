/* exporter.c - what all exporters share. */
#include "exporter.h"

void genops_exporter_free(genops_exporter *e)
{
    /* An exporter a pipeline owns is freed with the pipeline, never here. */
    if (e && !e->owned)
        e->ops->destroy(e);
}
