/* otlp_config.c - see otlp_config.h. */
#include "otlp/otlp_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "honeycomb/honeycomb_config.h"

#define ENV_PREFIX  "OTEL_EXPORTER_OTLP_"
#define OPT_PREFIX  "genops_otlp_options."
#define SIGNAL_PATH "v1/traces"

/* The value of OTEL_EXPORTER_OTLP_TRACES_<what>, else of OTEL_EXPORTER_OTLP_<what>: the
 * signal-specific variable wins (specification, "Configuration Options"). *name gets
 * the variable's name for error messages. NULL when neither is set. */
static const char *env_value(const char *what, char name[64])
{
    snprintf(name, 64, ENV_PREFIX "TRACES_%s", what);
    const char *v = config_str(name);
    if (!v) {
        snprintf(name, 64, ENV_PREFIX "%s", what);
        v = config_str(name);
    }
    return v;
}

/* url with "v1/traces" appended to its path, a '/' between them unless the path already
 * ends with one (specification: "http://host:4318/mypath" + "/v1/traces"); a query or
 * fragment stays at the end. NULL when out of memory. */
static char *with_signal_path(const char *url)
{
    size_t path_len, start = http_url_path(url, &path_len);
    size_t head = start + path_len;
    bool slash = path_len && url[head - 1] == '/';
    size_t n = strlen(url) + sizeof SIGNAL_PATH + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s%s%s", (int)head, url, slash ? "" : "/", SIGNAL_PATH, url + head);
    return out;
}

/* OTLP/gRPC's URL: scheme://authority of url (checked) with the method's path; a path
 * url has is not used (a gRPC endpoint is a host and port). NULL when out of memory. */
static char *with_grpc_path(const char *url)
{
    size_t path_len, start = http_url_path(url, &path_len);
    size_t n = start + sizeof OTLP_GRPC_PATH;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s", (int)start, url, OTLP_GRPC_PATH);
    return out;
}

/* c->endpoint from the option, the TRACES variable (as is) or the generic one (plus
 * the signal path), checked; errors name the source. With grpc every source gives only
 * its scheme and authority (with_grpc_path). */
static genops_status resolve_endpoint(const genops_otlp_options *o, struct otlp_config *c,
                                      genops_error *err)
{
    const char *source = OPT_PREFIX "endpoint";
    const char *v = NULL;
    bool as_is = false, generic = false;
    size_t path_len;
    if (o->endpoint && *o->endpoint)
        v = o->endpoint;
    else if ((as_is = (v = config_str(ENV_PREFIX "TRACES_ENDPOINT")) != NULL))
        source = ENV_PREFIX "TRACES_ENDPOINT";
    else if ((generic = (v = config_str(ENV_PREFIX "ENDPOINT")) != NULL))
        source = ENV_PREFIX "ENDPOINT";
    if (c->grpc) {
        genops_status rc = v ? http_url_check(v, source, err) : GENOPS_OK;
        if (rc)
            return rc;
        c->endpoint = with_grpc_path(v ? v : OTLP_GRPC_DEFAULT);
    } else if (!v) {
        c->endpoint = strdup(OTLP_DEFAULT_ENDPOINT);
    } else if (as_is) {
        c->endpoint = strdup(v); /* the TRACES variable is used as is (specification) */
    } else if (generic) {
        c->endpoint = with_signal_path(v);
    } else {
        /* The option is used as is, except that a bare scheme://host[:port] (or one
         * ending in "/") gets the traces path: no OTLP receiver serves traces at "/", and
         * GenOps' own guides pass base URLs such as http://cribl-stream:4318. */
        http_url_path(v, &path_len);
        c->endpoint = path_len <= 1 ? with_signal_path(v) : strdup(v);
    }
    if (!c->endpoint)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the OTLP endpoint");
    return http_url_check(c->endpoint, source, err);
}

/* One accepted spelling of an enumerated setting. */
struct choice {
    const char *text;
    int value;
};

static const struct choice protocols[] = {{"http/protobuf", GENOPS_OTLP_PROTOCOL_PROTOBUF},
                                          {"http/json", GENOPS_OTLP_PROTOCOL_JSON},
                                          {"grpc", GENOPS_OTLP_PROTOCOL_GRPC},
                                          {NULL, 0}};

static const struct choice compressions[] = {
    {"none", GENOPS_COMPRESSION_NONE}, {"gzip", GENOPS_COMPRESSION_GZIP}, {NULL, 0}};

/* *out = explicit_value when not 0 (it must be a value of table), else the value of the
 * variable for `what` (its text must be in table, case-insensitively), else fallback. */
static genops_status resolve_choice(int explicit_value, const char *option, const char *what,
                                    const struct choice *table, int fallback, int *out,
                                    genops_error *err)
{
    char name[64], allowed[96] = "";
    size_t n = 0;
    for (const struct choice *c = table; c->text && n < sizeof allowed; c++)
        n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s", n ? " or " : "", c->text);
    if (explicit_value) {
        for (const struct choice *c = table; c->text; c++)
            if (c->value == explicit_value) {
                *out = explicit_value;
                return GENOPS_OK;
            }
        return error_set(err, GENOPS_EINVAL, "%s is %d, which is not %s", option, explicit_value,
                         allowed);
    }
    const char *v = env_value(what, name);
    *out = fallback;
    if (!v)
        return GENOPS_OK;
    for (const struct choice *c = table; c->text; c++) {
        if (strcasecmp(v, c->text) == 0) {
            *out = c->value;
            return GENOPS_OK;
        }
    }
    return error_set(err, GENOPS_EINVAL, "%s='%.40s' is not a %s; use %s", name, v,
                     strcmp(what, "PROTOCOL") == 0 ? "protocol" : "compression", allowed);
}

/* c->timeout_ms from the option, else the TRACES variable, else the generic one. */
static genops_status resolve_timeout(const genops_otlp_options *o, struct otlp_config *c,
                                     genops_error *err)
{
    const uint32_t max = 24u * 3600 * 1000;
    if (o->timeout_ms)
        return config_ms(o->timeout_ms, OPT_PREFIX "timeout_ms", 0, max, &c->timeout_ms, err);
    /* A fallback of 0 means "unset" here: the minimum of 1 keeps it from being a value. */
    genops_status rc = config_u32(0, ENV_PREFIX "TRACES_TIMEOUT", 0, 1, max, &c->timeout_ms, err);
    if (!rc && !c->timeout_ms)
        rc = config_u32(0, ENV_PREFIX "TIMEOUT", OTLP_DEFAULT_TIMEOUT_MS, 1, max, &c->timeout_ms,
                        err);
    return rc;
}

/* A certificate or key path: *path = the option, else the variable (NULL when neither;
 * borrowed). A file that cannot be read is an error now, naming where the path came from,
 * rather than a TLS failure later. */
static genops_status resolve_file(const char *explicit_value, const char *option, const char *what,
                                  const char **path, genops_error *err)
{
    char name[64];
    const char *v = explicit_value && *explicit_value ? explicit_value : env_value(what, name);
    const char *source = explicit_value && *explicit_value ? option : name;
    if (v && access(v, R_OK) != 0)
        return error_set(err, GENOPS_EINVAL, "%s='%.120s' cannot be read: %s", source, v,
                         strerror(errno));
    *path = v;
    return GENOPS_OK;
}

/* Set header key to value, replacing a header of the same name (names are
 * case-insensitive, RFC 9110 section 5.1): later sources override earlier ones. */
static genops_status put_header(const char *key, size_t key_len, const char *value,
                                size_t value_len, void *ctx, genops_error *err)
{
    struct otlp_config *c = ctx;
    char *k = strndup(key, key_len), *v = strndup(value, value_len);
    if (!k || !v) {
        free(k);
        free(v);
        return error_set(err, GENOPS_ENOMEM, "out of memory reading OTLP headers");
    }
    for (size_t i = 0; i < c->header_count; i++) {
        if (strcasecmp(c->headers[i].name, k) == 0) {
            free((char *)c->headers[i].name);
            free((char *)c->headers[i].value);
            c->headers[i] = (struct http_header){k, v};
            return GENOPS_OK;
        }
    }
    if (c->header_count == OTLP_MAX_HEADERS) {
        free(k);
        free(v);
        return error_set(err, GENOPS_EINVAL, "more than %d OTLP headers", OTLP_MAX_HEADERS);
    }
    c->headers[c->header_count++] = (struct http_header){k, v};
    return GENOPS_OK;
}

/* Headers in rising priority: a variable (TRACES wins whole), then headers_string,
 * then the headers attribute list; a later one replaces a header of the same name. */
static genops_status resolve_headers(const genops_otlp_options *o, struct otlp_config *c,
                                     genops_error *err)
{
    char name[64];
    genops_status rc = GENOPS_OK;
    const char *v = env_value("HEADERS", name);
    if (v)
        rc = config_kv_list(name, v, put_header, c, err);
    if (!rc && o->headers_string)
        rc = config_kv_list(OPT_PREFIX "headers_string", o->headers_string, put_header, c, err);
    if (!rc && o->header_count && !o->headers)
        return error_set(err, GENOPS_EINVAL, OPT_PREFIX "headers is NULL but header_count is %zu",
                         o->header_count);
    for (size_t i = 0; !rc && i < o->header_count; i++) {
        const genops_attribute *a = &o->headers[i];
        /* The name is not echoed: a malformed one is often a pasted credential. */
        if (!a->key || !*a->key || a->value.type != GENOPS_TYPE_STRING || !a->value.u.s ||
            memchr(a->value.u.s, '\0', a->value.len))
            return error_set(err, GENOPS_EINVAL,
                             OPT_PREFIX "headers[%zu] must have a name and a string value "
                                        "without NUL characters",
                             i);
        rc = put_header(a->key, strlen(a->key), a->value.u.s, a->value.len, c, err);
    }
    /* Honeycomb's key given by hand: a Classic key also needs the dataset header. */
    const char *dataset = rc ? NULL : honeycomb_dataset_for_headers(c->headers, c->header_count);
    if (dataset)
        rc = put_header(HONEYCOMB_DATASET_HEADER, sizeof HONEYCOMB_DATASET_HEADER - 1, dataset,
                        strlen(dataset), c, err);
    return rc;
}

genops_status otlp_config_resolve(const genops_otlp_options *opt, struct otlp_config *c,
                                  genops_error *err)
{
    genops_otlp_options o;
    memset(c, 0, sizeof *c);
    genops_status rc = config_options_copy(&o, sizeof o, opt, "genops_otlp_options", err);
    if (rc)
        return rc;
    int protocol = 0, compression = 0;
    struct http_tls tls = {.insecure = o.insecure};
    rc = resolve_choice((int)o.protocol, OPT_PREFIX "protocol", "PROTOCOL", protocols,
                        GENOPS_OTLP_PROTOCOL_PROTOBUF, &protocol, err);
    c->grpc = protocol == GENOPS_OTLP_PROTOCOL_GRPC; /* the endpoint's form depends on it */
    if (rc || (rc = resolve_endpoint(&o, c, err)) ||
        (rc = resolve_choice((int)o.compression, OPT_PREFIX "compression", "COMPRESSION",
                             compressions, GENOPS_COMPRESSION_NONE, &compression, err)) ||
        (rc = resolve_timeout(&o, c, err)) ||
        (rc = resolve_file(o.certificate, OPT_PREFIX "certificate", "CERTIFICATE", &tls.ca_file,
                           err)) ||
        (rc = resolve_file(o.client_key, OPT_PREFIX "client_key", "CLIENT_KEY", &tls.client_key,
                           err)) ||
        (rc = resolve_file(o.client_certificate, OPT_PREFIX "client_certificate",
                           "CLIENT_CERTIFICATE", &tls.client_cert, err)) ||
        (rc = http_tls_copy(&c->tls, &tls, err)) || (rc = resolve_headers(&o, c, err))) {
        otlp_config_free(c);
        return rc;
    }
    c->json = protocol == GENOPS_OTLP_PROTOCOL_JSON;
    c->gzip = compression == GENOPS_COMPRESSION_GZIP;
    return GENOPS_OK;
}

void otlp_config_free(struct otlp_config *c)
{
    free(c->endpoint);
    http_tls_free(&c->tls);
    http_headers_free(c->headers, c->header_count);
    memset(c, 0, sizeof *c);
}

void genops_otlp_options_init(genops_otlp_options *opt)
{
    if (opt) {
        memset(opt, 0, sizeof *opt);
        opt->struct_size = sizeof *opt;
    }
}
