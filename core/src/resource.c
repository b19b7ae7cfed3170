/* resource.c - see resource.h. */
#include "resource.h"

#include <string.h>

#include "config.h"
#include "error.h"
#include "log.h"

/* Set key (if not already set by a higher-priority source, unless override). */
static genops_status put(struct resource *r, const char *key, size_t klen, const char *val,
                         size_t vlen, bool override, genops_error *err)
{
    uint32_t hash = attr_hash(key, klen);
    int32_t at = attr_list_find(&r->attrs, key, klen, hash);
    if (at >= 0 && !override)
        return GENOPS_OK;
    struct attr e = {.hash = hash};
    e.key = attr_copy_text(&r->arena, key, klen, &e.key_len);
    uint32_t n = 0;
    const char *v = attr_copy_text(&r->arena, val, vlen, &n);
    if (!e.key || !v)
        return error_set(err, GENOPS_ETOOBIG, "resource attributes are too large");
    e.value = (genops_value){.type = GENOPS_TYPE_STRING, .len = n, .u.s = v};
    if (at >= 0) {
        r->attrs.items[at] = e;
        return GENOPS_OK;
    }
    if (!attr_list_grow(&r->attrs))
        return error_set(err, GENOPS_ENOMEM, "out of memory building the resource");
    r->attrs.items[r->attrs.count++] = e;
    return GENOPS_OK;
}

/* config_kv_list's own checks (key=value, %-escapes) are the whole check. */
static genops_status check_member(const char *key, size_t key_len, const char *value,
                                  size_t value_len, void *ctx, genops_error *err)
{
    (void)key, (void)key_len, (void)value, (void)value_len, (void)ctx, (void)err;
    return GENOPS_OK;
}

/* One OTEL_RESOURCE_ATTRIBUTES member (config_kv_list has trimmed and decoded it). */
static genops_status put_member(const char *key, size_t key_len, const char *value,
                                size_t value_len, void *ctx, genops_error *err)
{
    return put(ctx, key, key_len, value, value_len, false, err);
}

static genops_status put_str(struct resource *r, const char *key, const char *val, bool override,
                             genops_error *err)
{
    return put(r, key, strlen(key), val, strlen(val), override, err);
}

genops_status resource_build(struct resource *r, const genops_pipeline_options *opt,
                             genops_error *err)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->arena, (size_t)16 << 20);
    r->scope_name = "genops-ai";
    r->scope_version = GENOPS_VERSION_STRING;

    genops_status rc = GENOPS_OK;
    /* Highest priority first; put() keeps the first value of a key unless told. */
    if (opt->service_name && *opt->service_name)
        rc = put_str(r, "service.name", opt->service_name, false, err);
    if (!rc && config_str("OTEL_SERVICE_NAME"))
        rc = put_str(r, "service.name", config_str("OTEL_SERVICE_NAME"), false, err);
    if (!rc && opt->service_version && *opt->service_version)
        rc = put_str(r, "service.version", opt->service_version, false, err);
    if (!rc && opt->environment && *opt->environment)
        rc = put_str(r, "deployment.environment", opt->environment, false, err);
    for (size_t i = 0; !rc && i < opt->resource_attribute_count; i++) {
        const genops_attribute *a = &opt->resource_attributes[i];
        if ((rc = attr_check(a->key, &a->value, err)) || a->value.type == GENOPS_TYPE_NULL)
            continue;
        if (a->value.type != GENOPS_TYPE_STRING)
            rc = error_set(err, GENOPS_EINVAL, "resource attribute '%.64s' must be a string",
                           a->key);
        else
            rc = put(r, a->key, strlen(a->key), a->value.u.s, a->value.len, false, err);
    }
    const char *env = config_str("OTEL_RESOURCE_ATTRIBUTES");
    if (!rc && env &&
        (rc = config_kv_list("OTEL_RESOURCE_ATTRIBUTES", env, check_member, NULL, err)) ==
            GENOPS_EINVAL) {
        /* Checked whole first, so a malformed variable is ignored whole: telemetry must
         * never stop an application from starting (as config_u32_soft). */
        log_msg(LOG_WARNING, "%s; the variable is ignored", err->message);
        rc = GENOPS_OK;
    } else if (!rc && env)
        rc = config_kv_list("OTEL_RESOURCE_ATTRIBUTES", env, put_member, r, err);
    if (!rc)
        rc = put_str(r, "service.name", "unknown_service", false, err);
    if (!rc)
        rc = put_str(r, "telemetry.sdk.name", "genops-native", true, err);
    if (!rc)
        rc = put_str(r, "telemetry.sdk.language", "c", true, err);
    if (!rc)
        rc = put_str(r, "telemetry.sdk.version", GENOPS_VERSION_STRING, true, err);
    if (rc)
        resource_free(r);
    return rc;
}

void resource_free(struct resource *r)
{
    attr_list_free(&r->attrs);
    arena_free(&r->arena);
}
