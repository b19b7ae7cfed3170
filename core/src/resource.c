/* resource.c - see resource.h. */
#include "resource.h"

#include <string.h>

#include "config.h"
#include "error.h"

/* Set key (if not already set by a higher-priority source, unless override). */
static genops_status put(struct resource *r, const char *key, size_t klen, const char *val,
                         size_t vlen, bool override, genops_error *err)
{
    uint32_t hash = attr_hash(key, klen);
    int32_t at = attr_list_find(&r->attrs, "", 0, key, klen, hash);
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

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Percent-decode s[0..len) into out (at least len bytes); -1 on a bad escape. */
static long percent_decode(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[n++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (lo < 0)
            return -1;
        out[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    return (long)n;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value pairs (W3C Baggage octets). */
static genops_status put_env_attributes(struct resource *r, const char *env, genops_error *err)
{
    const char *p = env;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        const char *k = p, *v = eq ? eq + 1 : NULL;
        size_t klen = eq ? (size_t)(eq - p) : len, vlen = eq ? len - klen - 1 : 0;
        trim(&k, &klen);
        if (v)
            trim(&v, &vlen);
        if (len && (!eq || !klen))
            return error_set(err, GENOPS_EINVAL,
                             "OTEL_RESOURCE_ATTRIBUTES: '%.*s' is not key=value", (int)(len > 60 ? 60 : len), p);
        if (len) {
            char *decoded = arena_alloc(&r->arena, vlen + 1);
            long n = decoded ? percent_decode(v, vlen, decoded) : -1;
            if (n < 0)
                return error_set(err, GENOPS_EINVAL,
                                 "OTEL_RESOURCE_ATTRIBUTES: bad percent-encoding in the value of '%.*s'",
                                 (int)(klen > 60 ? 60 : klen), k);
            genops_status rc = put(r, k, klen, decoded, (size_t)n, false, err);
            if (rc)
                return rc;
        }
        p += len + (end ? 1 : 0);
    }
    return GENOPS_OK;
}

static genops_status put_str(struct resource *r, const char *key, const char *val, bool override,
                             genops_error *err)
{
    return put(r, key, strlen(key), val, strlen(val), override, err);
}

genops_status resource_build(struct resource *r, const genops_options *opt, genops_error *err)
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
    if (!rc && config_str("OTEL_RESOURCE_ATTRIBUTES"))
        rc = put_env_attributes(r, config_str("OTEL_RESOURCE_ATTRIBUTES"), err);
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
