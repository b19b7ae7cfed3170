/* hec_config.h - the Splunk HEC exporter's settings: explicit options over the SPLUNK_*
 * variables of GenOps' Splunk guide over the defaults, checked once, with the URLs
 * every request needs worked out from the one endpoint the user gives.
 *
 * Endpoint forms (HEC's REST endpoints, Splunk "HTTP Event Collector REST API
 * endpoints"): a base URL ("https://splunk:8088") gets /services/collector/event (or
 * /raw); a URL whose path contains /services/collector keeps what precedes it (a proxy
 * prefix) for /services/collector/ack and /health; any other path is POSTed to as is.
 * Pure apart from reading the environment and the host name; any thread. */
#ifndef GENOPS_HEC_CONFIG_H
#define GENOPS_HEC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "hec/hec_encode.h"
#include "genops.h"
#include "http.h"

#define HEC_DEFAULT_MAX_REQUEST_BYTES 900000u /* under Splunk Cloud's 1 MB */
#define HEC_DEFAULT_TIMEOUT_MS        30000u
#define HEC_DEFAULT_ACK_TIMEOUT_MS    10000u
#define HEC_DEFAULT_ACK_POLL_MS       1000u
#define HEC_MIN_REQUEST_BYTES         1024u
#define HEC_MAX_HEADERS               32
#define HEC_CHANNEL_LEN               36 /* 8-4-4-4-12 hex digits */

struct hec_config {
    char *event_url;  /* where event batches (or raw lines, before the query) go */
    char *ack_url;    /* .../services/collector/ack */
    char *health_url; /* .../services/collector/health */
    char *token;
    char *index, *source, *sourcetype, *host; /* NULL when not configured */
    char *default_host;                       /* this machine's name, or NULL */
    char **fields;                            /* indexed field keys */
    size_t field_count;
    bool raw, use_ack, gzip, https;
    bool channel_given; /* the user chose the channel: keep it after fork */
    char channel[HEC_CHANNEL_LEN + 1];
    uint32_t ack_timeout_ms, ack_poll_ms, max_request_bytes, max_request_events, timeout_ms;
    struct http_tls tls; /* the strings owned (http_tls_copy) */
    /* Every request's headers: Authorization, X-Splunk-Request-Channel, then any extra
     * ones (hec_config_from_endpoint). Names and values owned. */
    struct http_header headers[HEC_MAX_HEADERS];
    size_t header_count;
};

/* Fill *c from opt (may be NULL) and the environment. On failure returns GENOPS_EINVAL
 * (the message names the option or variable and what is wrong, never the token) or
 * GENOPS_ENOMEM, and *c holds nothing to free. Otherwise free with hec_config_free. */
genops_status hec_config_resolve(const genops_hec_options *opt, struct hec_config *c,
                                 genops_error *err);
void hec_config_free(struct hec_config *c);

/* What an HTTP client for c's event URL is created with (http_client_new); `what` names
 * it in log lines. Borrows from c. */
struct http_config hec_config_http(const struct hec_config *c, const char *what);

/* The encoder's settings from c (encode_hec, encode_hec_meta). Borrows from c. */
struct hec_encoding hec_config_encoding(const struct hec_config *c);

/* The same for the OTLP exporter's view of a Splunk endpoint: the token from an
 * "Authorization: Splunk <token>" header, the channel from a non-empty
 * X-Splunk-Request-Channel, every other header passed through; base (may be NULL)
 * supplies the remaining options (TLS, compression, timeout). */
genops_status hec_config_from_endpoint(const char *url, const struct http_header *headers,
                                       size_t header_count, const genops_hec_options *base,
                                       struct hec_config *c, genops_error *err);

/* Write a new random channel GUID (version 4, RFC 9562) into c->channel and its header.
 * In a forked child this gives a channel of the child's own (ids.h re-seeds). */
void hec_config_new_channel(struct hec_config *c);

/* Splunk's rule for index names ("Create custom indexes"): lowercase letters, digits,
 * '_' and '-', not starting with '_' or '-', and not containing "kvstore".
 * GENOPS_EINVAL names source and the problem. */
genops_status hec_index_check(const char *index, const char *source, genops_error *err);

/* The channel GUID (version 8, RFC 9562) derived from a name that is not a GUID, e.g.
 * the guide's "channel-1": the same name always gives the same GUID. */
void hec_channel_from_name(const char *name, char out[HEC_CHANNEL_LEN + 1]);

/* A channel must be a GUID: 8-4-4-4-12 hex digits. */
bool hec_channel_valid(const char *channel);

/* What says that an endpoint is Splunk HEC, which cannot read OTLP. */
enum hec_splunk_sign {
    HEC_NOT_SPLUNK = 0,
    HEC_SPLUNK_PATH,         /* url's path contains /services/collector */
    HEC_SPLUNK_AUTHORIZATION /* a header is "Authorization: Splunk <token>" */
};
enum hec_splunk_sign hec_endpoint_splunk_sign(const char *url, const struct http_header *headers,
                                              size_t header_count);

#endif
