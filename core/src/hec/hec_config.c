/* hec_config.c - see hec_config.h. */
#include "hec/hec_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "ids.h"
#include "log.h"

#define OPT            "genops_hec_options."
#define COLLECTOR      "/services/collector"
#define AUTH_SCHEME    "Splunk "
#define CHANNEL_HEADER "X-Splunk-Request-Channel"

/* *dst = a copy of the option, else of the variable env (may be NULL), else NULL;
 * *source names where it came from, for messages. */
static genops_status pick(char **dst, const char *option, const char *opt_name, const char *env,
                          const char **source, genops_error *err)
{
    const char *v = option && *option ? option : NULL;
    const char *from = opt_name;
    if (!v && env && (v = config_str(env)))
        from = env;
    if (source)
        *source = from;
    *dst = v ? strdup(v) : NULL;
    if (v && !*dst)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    return GENOPS_OK;
}

genops_status hec_index_check(const char *index, const char *source, genops_error *err)
{
    size_t n = strlen(index);
    if (!n || index[0] == '_' || index[0] == '-')
        return error_set(err, GENOPS_EINVAL,
                         "%s='%.80s' is not a Splunk index name: it must start with a "
                         "lowercase letter or digit",
                         source, index);
    for (size_t i = 0; i < n; i++) {
        char ch = index[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return error_set(err, GENOPS_EINVAL,
                             "%s='%.80s' is not a Splunk index name: only lowercase "
                             "letters, digits, '_' and '-' are allowed",
                             source, index);
    }
    if (strstr(index, "kvstore"))
        return error_set(err, GENOPS_EINVAL,
                         "%s='%.80s' is not a Splunk index name: it may not contain "
                         "\"kvstore\"",
                         source, index);
    return GENOPS_OK;
}

bool hec_channel_valid(const char *ch)
{
    static const int dashes[] = {8, 13, 18, 23};
    if (strlen(ch) != HEC_CHANNEL_LEN)
        return false;
    for (int i = 0, d = 0; i < HEC_CHANNEL_LEN; i++) {
        if (d < 4 && i == dashes[d]) {
            if (ch[i] != '-')
                return false;
            d++;
        } else if (!((ch[i] >= '0' && ch[i] <= '9') ||
                     ((ch[i] | 0x20) >= 'a' && (ch[i] | 0x20) <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* The path of url contains /services/collector (case as Splunk serves it). */
static const char *collector_in(const char *url)
{
    size_t len, start = http_url_path(url, &len);
    const char *p = strstr(url + start, COLLECTOR);
    return p && p < url + start + len ? p : NULL;
}

static char *join(const char *a, size_t a_len, const char *b)
{
    size_t n = a_len + strlen(b) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s", (int)a_len, a, b);
    return out;
}

/* The three URLs from the endpoint (url, named source in messages) and the format. */
static genops_status resolve_urls(struct hec_config *c, const char *url, const char *source,
                                  genops_hec_format format, genops_error *err)
{
    genops_status rc = http_url_check(url, source, err);
    if (rc)
        return rc;
    size_t path_len, start = http_url_path(url, &path_len);
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): http_url_check refused NULL */
    if (url[start + path_len])
        return error_set(err, GENOPS_EINVAL,
                         "%s has a query or fragment; give HEC options (index, sourcetype, "
                         "channel, ...) as options instead",
                         source);
    const char *collector = collector_in(url);
    size_t prefix_len;
    bool path_raw = false, path_event = false;
    if (collector) {
        prefix_len = (size_t)(collector - url);
        const char *rest = collector + sizeof COLLECTOR - 1;
        path_raw = strncmp(rest, "/raw", 4) == 0;
        path_event = !path_raw; /* /services/collector itself is the event endpoint */
    } else {
        prefix_len = start; /* no collector path to go by: ack and health at the root */
    }
    if ((format == GENOPS_HEC_FORMAT_RAW && path_event) ||
        (format == GENOPS_HEC_FORMAT_EVENT && path_raw))
        return error_set(
            err, GENOPS_EINVAL, "%s's path (%s endpoint) contradicts " OPT "format (%s)", source,
            path_raw ? "raw" : "event", format == GENOPS_HEC_FORMAT_RAW ? "raw" : "event");
    c->raw = path_raw || format == GENOPS_HEC_FORMAT_RAW;
    if (collector || path_len > 1) {
        /* A trailing '/' after a bare host is dropped below; any other path is kept. */
        c->event_url = strdup(url);
    } else {
        c->event_url = join(url, start, c->raw ? COLLECTOR "/raw" : COLLECTOR "/event");
    }
    c->ack_url = join(url, prefix_len, COLLECTOR "/ack");
    c->health_url = join(url, prefix_len, COLLECTOR "/health");
    c->https = strncasecmp(url, "https:", 6) == 0;
    if (!c->event_url || !c->ack_url || !c->health_url)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    return GENOPS_OK;
}

static genops_status add_header(struct hec_config *c, const char *name, const char *value,
                                genops_error *err)
{
    if (c->header_count == HEC_MAX_HEADERS)
        return error_set(err, GENOPS_EINVAL, "more than %d HEC request headers", HEC_MAX_HEADERS);
    struct http_header *h = &c->headers[c->header_count];
    h->name = strdup(name);
    h->value = strdup(value);
    c->header_count++; /* counted before the check: hec_config_free frees what exists */
    if (!h->name || !h->value)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    return GENOPS_OK;
}

/* 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/) from basis. */
static uint64_t fnv1a(const char *s, uint64_t basis)
{
    uint64_t h = basis;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

static void guid_format(uint8_t b[16], char out[HEC_CHANNEL_LEN + 1], unsigned version)
{
    b[6] = (uint8_t)((b[6] & 0x0f) | (version << 4));
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* the RFC 9562 variant */
    snprintf(out, HEC_CHANNEL_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void hec_channel_from_name(const char *name, char out[HEC_CHANNEL_LEN + 1])
{
    uint64_t h[2] = {fnv1a(name, 0xcbf29ce484222325ULL), fnv1a(name, 0x84222325cbf29ce4ULL)};
    uint8_t b[16];
    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
    guid_format(b, out, 8); /* version 8: RFC 9562's custom (here: a hash of the name) */
}

void hec_config_new_channel(struct hec_config *c)
{
    uint8_t b[16];
    ids_trace_id(b);
    guid_format(b, c->channel, 4); /* version 4: random */
    for (size_t i = 0; i < c->header_count; i++)
        if (strcasecmp(c->headers[i].name, CHANNEL_HEADER) == 0)
            memcpy((char *)c->headers[i].value, c->channel, sizeof c->channel);
}

static genops_status resolve(const genops_hec_options *o, struct hec_config *c, genops_error *err)
{
    const char *src = NULL, *tok_src = NULL;
    char *endpoint = NULL;
    genops_status rc =
        pick(&endpoint, o->endpoint, OPT "endpoint", "SPLUNK_HEC_ENDPOINT", &src, err);
    if (!rc && !endpoint)
        rc = error_set(err, GENOPS_EINVAL,
                       "SPLUNK_HEC_ENDPOINT not set (nor " OPT "endpoint); it is Splunk's HEC "
                       "address, e.g. https://splunk.example.com:8088");
    if (!rc && (unsigned)o->format > GENOPS_HEC_FORMAT_RAW)
        rc = error_set(err, GENOPS_EINVAL, OPT "format is %d; it must be a genops_hec_format",
                       (int)o->format);
    if (!rc)
        rc = resolve_urls(c, endpoint, src, o->format, err);
    free(endpoint);
    if (!rc)
        rc = pick(&c->token, o->token, OPT "token", "SPLUNK_HEC_TOKEN", &tok_src, err);
    if (!rc && !c->token)
        rc = error_set(err, GENOPS_EINVAL,
                       "SPLUNK_HEC_TOKEN not set (nor " OPT "token); create a token under "
                       "Settings > Data Inputs > HTTP Event Collector");
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): error_set returns nonzero */
    if (!rc && strcspn(c->token, "\r\n\t ") != strlen(c->token))
        rc = error_set(err, GENOPS_EINVAL, "%s has a space or line break in it", tok_src);
    if (!rc)
        rc = pick(&c->index, o->index, OPT "index", "SPLUNK_INDEX", &src, err);
    if (!rc && c->index)
        rc = hec_index_check(c->index, src, err);
    if (!rc)
        rc = pick(&c->source, o->source, OPT "source", "SPLUNK_SOURCE", NULL, err);
    if (!rc)
        rc = pick(&c->sourcetype, o->sourcetype, OPT "sourcetype", "SPLUNK_SOURCETYPE", NULL, err);
    if (!rc)
        rc = pick(&c->host, o->host, OPT "host", "SPLUNK_HOST", NULL, err);
    if (rc)
        return rc;

    char name[256];
    if (gethostname(name, sizeof name) == 0 && (name[sizeof name - 1] = 0, *name) &&
        !(c->default_host = strdup(name)))
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");

    if (o->indexed_field_count && !o->indexed_fields)
        return error_set(err, GENOPS_EINVAL, OPT "indexed_fields is NULL with a count of %zu",
                         o->indexed_field_count);
    if (o->indexed_field_count && c->raw)
        return error_set(err, GENOPS_EINVAL,
                         OPT "indexed_fields needs the event format: /raw has no fields");
    c->fields = calloc(o->indexed_field_count + 1, sizeof *c->fields);
    if (!c->fields)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    for (size_t i = 0; i < o->indexed_field_count; i++) {
        const char *k = o->indexed_fields[i];
        if (!k || !*k)
            return error_set(err, GENOPS_EINVAL, OPT "indexed_fields[%zu] is empty", i);
        if (!(c->fields[c->field_count++] = strdup(k)))
            return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    }

    c->use_ack = o->use_ack;
    if ((unsigned)o->compression > GENOPS_COMPRESSION_GZIP)
        return error_set(err, GENOPS_EINVAL, OPT "compression is %d, which is not none or gzip",
                         (int)o->compression);
    c->gzip = o->compression == GENOPS_COMPRESSION_GZIP;
    if (o->ack_timeout_ms < 0 || o->ack_poll_interval_ms < 0 || o->timeout_ms < 0)
        return error_set(err, GENOPS_EINVAL, OPT "%s is negative",
                         o->timeout_ms < 0       ? "timeout_ms"
                         : o->ack_timeout_ms < 0 ? "ack_timeout_ms"
                                                 : "ack_poll_interval_ms");
    c->ack_timeout_ms =
        o->ack_timeout_ms ? (uint32_t)o->ack_timeout_ms : HEC_DEFAULT_ACK_TIMEOUT_MS;
    c->ack_poll_ms =
        o->ack_poll_interval_ms ? (uint32_t)o->ack_poll_interval_ms : HEC_DEFAULT_ACK_POLL_MS;
    c->timeout_ms = o->timeout_ms ? (uint32_t)o->timeout_ms : HEC_DEFAULT_TIMEOUT_MS;
    c->max_request_events = o->max_request_events;
    c->max_request_bytes =
        o->max_request_bytes ? o->max_request_bytes : HEC_DEFAULT_MAX_REQUEST_BYTES;
    if (c->max_request_bytes < HEC_MIN_REQUEST_BYTES)
        return error_set(err, GENOPS_EINVAL, OPT "max_request_bytes is %u; the least is %u",
                         c->max_request_bytes, HEC_MIN_REQUEST_BYTES);

    const struct http_tls tls = {.ca_file = o->certificate,
                                 .client_cert = o->client_certificate,
                                 .client_key = o->client_key,
                                 .insecure = o->insecure};
    if ((rc = http_tls_copy(&c->tls, &tls, err)))
        return rc;

    size_t auth_size = strlen(c->token) + sizeof AUTH_SCHEME;
    char *auth = malloc(auth_size);
    if (!auth)
        return error_set(err, GENOPS_ENOMEM, "out of memory reading the HEC options");
    snprintf(auth, auth_size, AUTH_SCHEME "%s", c->token);
    rc = add_header(c, "Authorization", auth, err);
    free(auth);
    if (rc)
        return rc;
    if (o->channel && *o->channel) {
        if (!hec_channel_valid(o->channel))
            return error_set(err, GENOPS_EINVAL,
                             OPT "channel '%.60s' is not a GUID "
                                 "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                             o->channel);
        snprintf(c->channel, sizeof c->channel, "%s", o->channel);
        c->channel_given = true;
        return add_header(c, CHANNEL_HEADER, c->channel, err);
    }
    if ((rc = add_header(c, CHANNEL_HEADER, "00000000-0000-0000-0000-000000000000", err)))
        return rc;
    hec_config_new_channel(c);
    return GENOPS_OK;
}

genops_status hec_config_resolve(const genops_hec_options *opt, struct hec_config *c,
                                 genops_error *err)
{
    genops_hec_options o;
    memset(c, 0, sizeof *c);
    genops_status rc = config_options_copy(&o, sizeof o, opt, "genops_hec_options", err);
    if (!rc)
        rc = resolve(&o, c, err);
    if (rc)
        hec_config_free(c);
    return rc;
}

/* "Splunk <token>" (scheme case-insensitive, RFC 9110 section 11.1): the token, else NULL. */
static const char *splunk_token(const char *value)
{
    if (!value || strncasecmp(value, AUTH_SCHEME, sizeof AUTH_SCHEME - 1) != 0)
        return NULL;
    value += sizeof AUTH_SCHEME - 1;
    while (*value == ' ')
        value++;
    return *value ? value : NULL;
}

genops_status hec_config_from_endpoint(const char *url, const struct http_header *headers,
                                       size_t header_count, const genops_hec_options *base,
                                       struct hec_config *c, genops_error *err)
{
    genops_hec_options o;
    memset(c, 0, sizeof *c);
    genops_status rc = config_options_copy(&o, sizeof o, base, "genops_hec_options", err);
    if (rc)
        return rc;
    o.endpoint = url;
    for (size_t i = 0; i < header_count; i++) {
        const char *name = headers[i].name ? headers[i].name : "";
        if (strcasecmp(name, "Authorization") == 0 && splunk_token(headers[i].value))
            o.token = splunk_token(headers[i].value);
        else if (strcasecmp(name, CHANNEL_HEADER) == 0 && headers[i].value && *headers[i].value)
            o.channel = headers[i].value;
    }
    char mapped[HEC_CHANNEL_LEN + 1];
    if (o.channel && !hec_channel_valid(o.channel)) {
        /* GenOps' Splunk guide sends "channel-1": HEC wants a GUID, so the name is
         * mapped to one derived from it (the same name, the same channel). */
        hec_channel_from_name(o.channel, mapped);
        log_msg(LOG_WARNING,
                "HEC options: " CHANNEL_HEADER " '%.60s' is not a GUID; using %s, derived from it",
                o.channel, mapped);
        o.channel = mapped;
    }
    rc = resolve(&o, c, err);
    for (size_t i = 0; !rc && i < header_count; i++) {
        const char *name = headers[i].name ? headers[i].name : "";
        if (strcasecmp(name, CHANNEL_HEADER) == 0 ||
            (strcasecmp(name, "Authorization") == 0 && splunk_token(headers[i].value)))
            continue;
        rc = add_header(c, name, headers[i].value ? headers[i].value : "", err);
    }
    if (rc)
        hec_config_free(c);
    return rc;
}

void hec_config_free(struct hec_config *c)
{
    free(c->event_url);
    free(c->ack_url);
    free(c->health_url);
    free(c->token);
    free(c->index);
    free(c->source);
    free(c->sourcetype);
    free(c->host);
    free(c->default_host);
    for (size_t i = 0; i < c->field_count; i++)
        free(c->fields[i]);
    free(c->fields);
    http_tls_free(&c->tls);
    http_headers_free(c->headers, c->header_count);
    memset(c, 0, sizeof *c);
}

struct http_config hec_config_http(const struct hec_config *c, const char *what)
{
    return (struct http_config){.url = c->event_url,
                                .headers = c->headers,
                                .header_count = c->header_count,
                                .tls = c->tls,
                                .what = what};
}

struct hec_encoding hec_config_encoding(const struct hec_config *c)
{
    return (struct hec_encoding){
        .raw = c->raw,
        .host = c->host,
        .default_host = c->default_host,
        .source = c->source,
        .sourcetype = c->sourcetype,
        .index = c->index,
        .fields = (const char *const *)c->fields,
        .field_count = c->field_count,
    };
}

enum hec_splunk_sign hec_endpoint_splunk_sign(const char *url, const struct http_header *headers,
                                              size_t header_count)
{
    if (url && collector_in(url))
        return HEC_SPLUNK_PATH;
    for (size_t i = 0; i < header_count; i++)
        if (headers[i].name && strcasecmp(headers[i].name, "Authorization") == 0 &&
            splunk_token(headers[i].value))
            return HEC_SPLUNK_AUTHORIZATION;
    return HEC_NOT_SPLUNK;
}
