/* fuzz_kv_list.c - the "k1=v1,k2=v2" lists of OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_EXPORTER_OTLP_HEADERS (config_kv_list) on any text, and the resource built from
 * such a variable.
 *
 * Checks: no crash or sanitizer report; every member handed out has a non-empty key with
 * no '=' or ',' and a value no longer than the input; an error always has a message that
 * names the variable; the resource, when it builds, has a service.name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    size_t input_len;
};

static genops_status check_member(const char *key, size_t key_len, const char *value,
                                  size_t value_len, void *ctx, genops_error *err)
{
    const struct seen *s = ctx;
    (void)err;
    if (key_len == 0 || memchr(key, '=', key_len) || memchr(key, ',', key_len) ||
        value_len > s->input_len || value[value_len] != '\0')
        abort();
    return GENOPS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0'; /* environment values are C strings */

    struct seen s = {size};
    genops_error err = {0};
    if (config_kv_list("FUZZ_LIST", text, check_member, &s, &err) != GENOPS_OK &&
        !strstr(err.message, "FUZZ_LIST"))
        abort();

    if (*text) {
        setenv("OTEL_RESOURCE_ATTRIBUTES", text, 1);
        genops_pipeline_options opt;
        genops_pipeline_options_init(&opt);
        struct resource r;
        if (resource_build(&r, &opt, &err) == GENOPS_OK) {
            bool named = false;
            for (uint32_t i = 0; i < r.attrs.count; i++)
                named |= strcmp(r.attrs.items[i].key, "service.name") == 0;
            if (!named)
                abort();
            resource_free(&r);
        } else if (!strstr(err.message, "OTEL_RESOURCE_ATTRIBUTES")) {
            abort();
        }
    }
    free(text);
    return 0;
}
