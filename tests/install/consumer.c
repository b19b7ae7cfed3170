/* consumer.c - a program of someone who uses the installed library: it sees only
 * <genops.h> and links what `pkg-config --libs genops` says. It records one span with
 * the console exporter on stdout; check_install.sh looks for it in the output. */
#include <genops.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    if (strcmp(genops_version(), GENOPS_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s, library %s\n", GENOPS_VERSION_STRING, genops_version());
        return 1;
    }
    genops_error err;
    genops_pipeline *p = genops_pipeline_new(NULL, &err);
    if (!p || genops_pipeline_add_exporter(p, genops_console_exporter_new(1, &err), &err)) {
        fprintf(stderr, "set-up failed: %s\n", err.message);
        return 1;
    }
    genops_attribute team[] = {
        {"team", {.type = GENOPS_TYPE_STRING, .len = 9, .u.s = "consumers"}}};
    genops_span s =
        genops_operation_start(p, "installed.consumer", NULL, NULL, NULL, team, 1, &err);
    if (genops_span_end(s, &err)) {
        fprintf(stderr, "recording failed: %s\n", err.message);
        return 1;
    }
    genops_pipeline_free(p); /* flushes: the console exporter prints the span */
    return 0;
}
