/* honeycomb_config.c - see honeycomb_config.h. */
#include "honeycomb/honeycomb_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "log.h"

#define OPT_PREFIX "genops_honeycomb_options."

static bool all_of(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(set, s[i]) || !s[i])
            return false;
    return true;
}

#define LOWER_HEX    "0123456789abcdef"
#define LOWER_ALNUM  "0123456789abcdefghijklmnopqrstuvwxyz"
#define LOWER_LETTER "abcdefghijklmnopqrstuvwxyz"

/* 64 characters "hc" [a-z] <two letters> "_" [a-z0-9]*: Honeycomb's v3 key layout. */
static bool v3_key(const char *key, size_t len, const char *kind)
{
    return len == 64 && key[0] == 'h' && key[1] == 'c' && all_of(key + 2, 1, LOWER_LETTER) &&
           key[3] == kind[0] && key[4] == kind[1] && key[5] == '_' &&
           all_of(key + 6, len - 6, LOWER_ALNUM);
}

enum honeycomb_key_kind honeycomb_key_kind(const char *key, size_t len)
{
    if (len == 32 && all_of(key, len, LOWER_HEX))
        return HONEYCOMB_KEY_CLASSIC_CONFIGURATION;
    if (v3_key(key, len, "ic"))
        return HONEYCOMB_KEY_CLASSIC_INGEST;
    if (v3_key(key, len, "ik"))
        return HONEYCOMB_KEY_ENVIRONMENT_INGEST;
    return HONEYCOMB_KEY_ENVIRONMENT_CONFIGURATION;
}

bool honeycomb_key_is_classic(enum honeycomb_key_kind kind)
{
    return kind == HONEYCOMB_KEY_CLASSIC_CONFIGURATION || kind == HONEYCOMB_KEY_CLASSIC_INGEST;
}

const char *honeycomb_key_kind_name(enum honeycomb_key_kind kind)
{
    switch (kind) {
    case HONEYCOMB_KEY_CLASSIC_CONFIGURATION: return "classic configuration key";
    case HONEYCOMB_KEY_CLASSIC_INGEST: return "classic ingest key";
    case HONEYCOMB_KEY_ENVIRONMENT_INGEST: return "environment ingest key";
    default: return "environment configuration key";
    }
}

genops_status honeycomb_dataset_check(const char *name, const char *source, genops_error *err)
{
    size_t n = strlen(name);
    if (!n)
        return error_set(err, GENOPS_EINVAL, "%s is empty; name a dataset, e.g. genops-ai", source);
    if (n > HONEYCOMB_DATASET_MAX)
        return error_set(err, GENOPS_EINVAL, "%s is %zu bytes long; Honeycomb takes at most %d",
                         source, n, HONEYCOMB_DATASET_MAX);
    if (name[0] == ' ' || name[n - 1] == ' ')
        return error_set(err, GENOPS_EINVAL,
                         "%s='%.60s' has spaces around it, which Honeycomb trims: the data "
                         "would go to another dataset than the one named",
                         source, name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return error_set(err, GENOPS_EINVAL, "%s has a control character at byte %zu", source,
                             i);
    return GENOPS_OK;
}

/* The option when given, else the variable; *source names where it came from. */
static const char *pick(const char *explicit_value, const char *option, const char *variable,
                        const char **source)
{
    if (explicit_value && *explicit_value) {
        *source = option;
        return explicit_value;
    }
    *source = variable;
    return config_str(variable);
}

static genops_status resolve_key(const genops_honeycomb_options *o, struct honeycomb_config *c,
                                 genops_error *err)
{
    const char *source;
    const char *key = pick(o->api_key, OPT_PREFIX "api_key", "HONEYCOMB_API_KEY", &source);
    if (!key)
        return error_set(err, GENOPS_EINVAL,
                         "HONEYCOMB_API_KEY not set: create a key under Environment Settings > "
                         "API Keys (with Send Events), then export HONEYCOMB_API_KEY=\"<key>\"");
    /* A key pasted with a newline or spaces is refused by Honeycomb as unknown (401); say
     * so here, without showing the key. */
    for (size_t i = 0; key[i]; i++)
        if ((unsigned char)key[i] <= ' ' || key[i] == 0x7f)
            return error_set(err, GENOPS_EINVAL,
                             "%s has a space or control character at position %zu; trim "
                             "the key (it must be exactly one line, no spaces)",
                             source, i);
    if (!(c->api_key = strdup(key)))
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the Honeycomb key");
    c->key_kind = honeycomb_key_kind(key, strlen(key));
    return GENOPS_OK;
}

static genops_status resolve_endpoint(const genops_honeycomb_options *o, struct honeycomb_config *c,
                                      genops_error *err)
{
    const char *source;
    const char *v =
        pick(o->api_endpoint, OPT_PREFIX "api_endpoint", "HONEYCOMB_API_ENDPOINT", &source);
    if (!v) {
        v = HONEYCOMB_DEFAULT_ENDPOINT;
        source = "the default endpoint";
    }
    genops_status rc = http_url_check(v, source, err);
    if (rc)
        return rc;
    size_t n = strlen(v);
    if (strpbrk(v, "?#"))
        return error_set(err, GENOPS_EINVAL,
                         "%s must be Honeycomb's base URL (https://api.honeycomb.io), "
                         "without a query or fragment",
                         source);
    while (n && v[n - 1] == '/')
        n--;
    if (!(c->api_endpoint = strndup(v, n)))
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the Honeycomb endpoint");
    return GENOPS_OK;
}

static genops_status resolve_dataset(const genops_honeycomb_options *o, struct honeycomb_config *c,
                                     genops_error *err)
{
    const char *source;
    const char *v = pick(o->dataset, OPT_PREFIX "dataset", "HONEYCOMB_DATASET", &source);
    if (!v)
        v = HONEYCOMB_DEFAULT_DATASET;
    genops_status rc = honeycomb_dataset_check(v, source, err);
    if (!rc && !(c->dataset = strdup(v)))
        rc = error_set(err, GENOPS_ENOMEM, "out of memory reading the Honeycomb dataset");
    return rc;
}

static genops_status resolve_tls(const genops_honeycomb_options *o, struct honeycomb_config *c,
                                 genops_error *err)
{
    struct http_tls tls = {.insecure = o->insecure};
    if (o->certificate && *o->certificate) {
        if (access(o->certificate, R_OK) != 0)
            return error_set(err, GENOPS_EINVAL,
                             OPT_PREFIX "certificate='%.120s' cannot be read: %s", o->certificate,
                             strerror(errno));
        tls.ca_file = o->certificate;
    }
    return http_tls_copy(&c->tls, &tls, err);
}

genops_status honeycomb_config_resolve(const genops_honeycomb_options *opt,
                                       struct honeycomb_config *c, genops_error *err)
{
    genops_honeycomb_options o;
    memset(c, 0, sizeof *c);
    genops_status rc = config_options_copy(&o, sizeof o, opt, "genops_honeycomb_options", err);
    if (rc)
        return rc;
    if ((unsigned)o.compression > GENOPS_COMPRESSION_ZSTD)
        return error_set(err, GENOPS_EINVAL,
                         OPT_PREFIX "compression is %d, which is not none, gzip or zstd",
                         (int)o.compression);
    if ((rc = resolve_key(&o, c, err)) || (rc = resolve_endpoint(&o, c, err)) ||
        (rc = resolve_dataset(&o, c, err)) ||
        (rc = config_ms(o.timeout_ms, OPT_PREFIX "timeout_ms", HONEYCOMB_DEFAULT_TIMEOUT_MS,
                        24u * 3600 * 1000, &c->timeout_ms, err)) ||
        (rc = resolve_tls(&o, c, err))) {
        honeycomb_config_free(c);
        return rc;
    }
    if (o.api && o.api != GENOPS_HONEYCOMB_API_OTLP && o.api != GENOPS_HONEYCOMB_API_EVENTS) {
        honeycomb_config_free(c);
        return error_set(err, GENOPS_EINVAL, OPT_PREFIX "api is %d, which is not otlp or events",
                         (int)o.api);
    }
    c->events = o.api == GENOPS_HONEYCOMB_API_EVENTS;
    /* The Events API's default is zstd, as libhoney-go's: at level 1 it is both cheaper
     * and smaller than gzip (benchmarks/README.md, "Honeycomb Events API"). OTLP's is
     * none, as OpenTelemetry's exporters. */
    c->compression = o.compression == GENOPS_COMPRESSION_GZIP                   ? COMPRESS_GZIP
                     : o.compression == GENOPS_COMPRESSION_ZSTD                 ? COMPRESS_ZSTD
                     : o.compression == GENOPS_COMPRESSION_DEFAULT && c->events ? COMPRESS_ZSTD
                                                                                : COMPRESS_NONE;
    if (c->compression == COMPRESS_ZSTD && !c->events) {
        honeycomb_config_free(c);
        return error_set(err, GENOPS_EINVAL,
                         OPT_PREFIX "compression is zstd, which only the Events API takes "
                                    "(api=events); OTLP/HTTP defines gzip alone");
    }
    return GENOPS_OK;
}

void honeycomb_config_free(struct honeycomb_config *c)
{
    free(c->api_endpoint);
    free(c->api_key);
    free(c->dataset);
    http_tls_free(&c->tls);
    memset(c, 0, sizeof *c);
}

char *honeycomb_url(const struct honeycomb_config *c, const char *path, const char *dataset)
{
    size_t base = strlen(c->api_endpoint), plen = strlen(path);
    size_t dlen = dataset ? strlen(dataset) : 0;
    char *out = malloc(base + plen + 3 * dlen + 1);
    if (!out)
        return NULL;
    memcpy(out, c->api_endpoint, base);
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the NUL follows the dataset */
    memcpy(out + base, path, plen);
    char *p = out + base + plen;
    for (size_t i = 0; i < dlen; i++) {
        unsigned char ch = (unsigned char)dataset[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch)) {
            *p++ = (char)ch;
        } else {
            *p++ = '%';
            *p++ = "0123456789ABCDEF"[ch >> 4];
            *p++ = "0123456789ABCDEF"[ch & 15];
        }
    }
    *p = 0;
    return out;
}

size_t honeycomb_headers(const struct honeycomb_config *c, struct http_header out[2])
{
    out[0] = (struct http_header){HONEYCOMB_TEAM_HEADER, c->api_key};
    if (!honeycomb_key_is_classic(c->key_kind))
        return 1;
    out[1] = (struct http_header){HONEYCOMB_DATASET_HEADER, c->dataset};
    return 2;
}

const char *honeycomb_dataset_for_headers(const struct http_header *headers, size_t count)
{
    const char *key = NULL;
    bool has_dataset = false;
    for (size_t i = 0; i < count; i++) {
        if (!strcasecmp(headers[i].name, HONEYCOMB_DATASET_HEADER))
            has_dataset = true;
        else if (!strcasecmp(headers[i].name, HONEYCOMB_TEAM_HEADER))
            key = headers[i].value;
    }
    if (!key)
        return NULL;
    enum honeycomb_key_kind kind = honeycomb_key_kind(key, strlen(key));
    const char *dataset = config_str("HONEYCOMB_DATASET");
    bool add = !has_dataset && honeycomb_key_is_classic(kind) && dataset &&
               !honeycomb_dataset_check(dataset, "HONEYCOMB_DATASET", NULL);
    /* Once per exporter, at creation; the kind only, never the key. */
    log_msg(LOG_INFO, "OTLP exporter: the x-honeycomb-team header holds a Honeycomb %s%s",
            honeycomb_key_kind_name(kind),
            add                              ? "; x-honeycomb-dataset from HONEYCOMB_DATASET"
            : has_dataset                    ? ", with x-honeycomb-dataset"
            : honeycomb_key_is_classic(kind) ? ", without a dataset header (set HONEYCOMB_DATASET)"
                                             : " (routed by service.name)");
    return add ? dataset : NULL;
}
