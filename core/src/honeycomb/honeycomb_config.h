/* honeycomb_config.h - Honeycomb's settings: explicit options over the HONEYCOMB_*
 * variables over the defaults, and what the key is.
 *
 * Key kinds, as Honeycomb's own SDKs tell them apart (honeycombio/honeycomb-opentelemetry-go,
 * honeycomb.go, isClassicKey; the same rule in libhoney-go's libhoney.go and in
 * honeycomb-opentelemetry-web): a key is Classic when it is 32 characters of [a-f0-9]
 * (a Classic configuration key) or 64 characters matching ^hc[a-z]ic_[a-z0-9]*$ (a
 * Classic ingest key). Everything else belongs to an environment: 64 characters with
 * hc?ik_ is an environment ingest key, anything else an environment configuration key.
 * Only Classic keys need x-honeycomb-dataset: environments route by service.name.
 * Pure apart from reading the environment; any thread. */
#ifndef GENOPS_HONEYCOMB_CONFIG_H
#define GENOPS_HONEYCOMB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "compress.h"
#include "genops.h"
#include "http.h"

#define HONEYCOMB_DEFAULT_ENDPOINT   "https://api.honeycomb.io"
#define HONEYCOMB_DEFAULT_DATASET    "genops-ai"
#define HONEYCOMB_DEFAULT_TIMEOUT_MS 10000u
#define HONEYCOMB_TEAM_HEADER        "x-honeycomb-team"
#define HONEYCOMB_DATASET_HEADER     "x-honeycomb-dataset"
#define HONEYCOMB_DATASET_MAX        255 /* bytes; longer names are refused up front */

enum honeycomb_key_kind {
    HONEYCOMB_KEY_CLASSIC_CONFIGURATION,
    HONEYCOMB_KEY_CLASSIC_INGEST,
    HONEYCOMB_KEY_ENVIRONMENT_INGEST,
    HONEYCOMB_KEY_ENVIRONMENT_CONFIGURATION
};

enum honeycomb_key_kind honeycomb_key_kind(const char *key, size_t len);
bool honeycomb_key_is_classic(enum honeycomb_key_kind kind);
/* "classic configuration key", ...: for log lines and validation. */
const char *honeycomb_key_kind_name(enum honeycomb_key_kind kind);

/* A dataset name Honeycomb can take: not empty, at most HONEYCOMB_DATASET_MAX bytes, no
 * control characters, no surrounding spaces (Honeycomb trims them, so the data would land
 * in another dataset than the one named). GENOPS_EINVAL naming source otherwise. */
genops_status honeycomb_dataset_check(const char *name, const char *source, genops_error *err);

struct honeycomb_config {
    char *api_endpoint; /* checked, without a trailing '/' */
    char *api_key;
    char *dataset;
    enum honeycomb_key_kind key_kind;
    enum compress_format compression;
    bool events; /* the Events API, else OTLP */
    uint32_t timeout_ms;
    struct http_tls tls; /* strings owned */
};

/* Fill *c from opt (may be NULL) and the environment. GENOPS_EINVAL names the option or
 * variable (never the key's value), GENOPS_ENOMEM; on failure *c holds nothing to free.
 * Otherwise free with honeycomb_config_free. */
genops_status honeycomb_config_resolve(const genops_honeycomb_options *opt,
                                       struct honeycomb_config *c, genops_error *err);
void honeycomb_config_free(struct honeycomb_config *c);

/* The Events API exporter for c, which it takes over (honeycomb_events.c). NULL with *err
 * filled on failure, c freed all the same. */
genops_exporter *honeycomb_events_exporter_new(struct honeycomb_config *c, genops_error *err);

/* api_endpoint + path + (dataset percent-encoded, RFC 3986 unreserved characters kept;
 * NULL for none). NULL when out of memory. */
char *honeycomb_url(const struct honeycomb_config *c, const char *path, const char *dataset);

/* The headers every request carries (the key, and the dataset for a Classic key). */
size_t honeycomb_headers(const struct honeycomb_config *c, struct http_header out[2]);

/* For the OTLP exporter given Honeycomb's header by hand (the guide's
 * configure_otlp_exporter(headers={"X-Honeycomb-Team": key})): the dataset to add as
 * x-honeycomb-dataset when the key is Classic, HONEYCOMB_DATASET is set and no dataset
 * header was given; else NULL. Borrowed from the environment. */
const char *honeycomb_dataset_for_headers(const struct http_header *headers, size_t count);

#endif
