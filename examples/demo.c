/* demo.c - records a few AI operations through the native core and prints them. */
#include <stdio.h>

#include "genops.h"

int main(void)
{
    genops_error err;
    genops_options opt;
    genops_options_init(&opt);
    opt.service_name = "genops-demo";
    genops_pipeline *p = genops_pipeline_new(&opt, &err);
    if (!p) {
        fprintf(stderr, "demo: %s\n", err.message);
        return 1;
    }
    genops_pipeline_add_exporter(p, genops_console_exporter_new(1, NULL), NULL);
    genops_span s = genops_operation_start(p, "chat.completion", NULL, NULL, NULL, NULL, 0, &err);
    genops_span_end(s, NULL);
    genops_pipeline_free(p);
    return 0;
}
