/* genops.h - the public C API of genops-native, the native core of GenOps AI.
 *
 * GenOps records governance telemetry for AI work (cost, tokens, policy decisions,
 * budgets, evaluations, team/project/customer attribution) as OpenTelemetry-shaped
 * spans, buffers them without locks, batches them on a background thread and ships
 * them to OTLP, Splunk HEC or Honeycomb.
 *
 * Conventions, for every function below:
 *  - Handles are opaque. Whoever creates an object frees it with the matching _free
 *    (or _unref) unless a function says it takes ownership.
 *  - Every string handed in is copied before the call returns; no pointer the caller
 *    passes is kept. Strings are UTF-8: invalid sequences are replaced with U+FFFD.
 *  - Fallible functions return a genops_status (0 = GENOPS_OK) or NULL / 0 and, when
 *    err is not NULL, fill *err with the code and a readable message. err may be NULL.
 *  - No function aborts or crashes the process on bad input.
 */
#ifndef GENOPS_H
#define GENOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GENOPS_BUILDING) && defined(__GNUC__)
#define GENOPS_API __attribute__((visibility("default")))
#else
#define GENOPS_API
#endif

/* ---- Version ------------------------------------------------------------------ */

#define GENOPS_VERSION_MAJOR  0
#define GENOPS_VERSION_MINOR  1
#define GENOPS_VERSION_PATCH  0
#define GENOPS_VERSION_STRING "0.1.0"
/* 0xMMmmpp: compare with < and >. */
#define GENOPS_VERSION_NUM                                                                         \
    ((GENOPS_VERSION_MAJOR << 16) | (GENOPS_VERSION_MINOR << 8) | GENOPS_VERSION_PATCH)

/* The version of the library actually loaded, as "MAJOR.MINOR.PATCH". Never NULL. */
GENOPS_API const char *genops_version(void);

/* ---- Durations ---------------------------------------------------------------- */

/* Every timeout, delay and interval of the API, in milliseconds. In an options struct,
 * 0 means "the default" and a negative value is GENOPS_EINVAL naming the field (except
 * exit_flush_timeout_ms, where GENOPS_NO_EXIT_FLUSH, -1, skips the exit flush). In a
 * call that waits (flush, shutdown, genops_log_next, genops_log_wait), 0 and negative
 * values mean "do not wait". */
typedef int32_t genops_duration_ms;

/* ---- Errors ------------------------------------------------------------------- */

/* Status codes: append only; never renumber or reuse a value. */
typedef enum genops_status {
    GENOPS_OK = 0,
    GENOPS_EINVAL = 1,    /* NULL, empty key, NaN/inf, unknown option, malformed value */
    GENOPS_ENOMEM = 2,    /* malloc failed */
    GENOPS_ETOOBIG = 3,   /* a configured limit was reached */
    GENOPS_ETIMEDOUT = 4, /* a flush or shutdown deadline passed */
    GENOPS_ESTALE = 5,    /* a span handle that has already ended (or never existed) */
    GENOPS_ESHUTDOWN = 6, /* the pipeline has been shut down */
    GENOPS_EIO = 7,       /* transport failure: connect, TLS, reset, timeout */
    GENOPS_EREJECTED = 8, /* the backend refused the data and retrying cannot help */
    GENOPS_EINTERNAL = 9  /* a bug in genops; please report it */
} genops_status;

#define GENOPS_ERROR_MESSAGE_SIZE 256

/* Detail of a failure, filled by the call that failed. Caller-owned; no global state. */
typedef struct genops_error {
    genops_status code;
    char message[GENOPS_ERROR_MESSAGE_SIZE];
} genops_error;

/* A short, static description of a status code. Never NULL, even for unknown codes. */
GENOPS_API const char *genops_strerror(genops_status code);

/* ---- Values and attributes ---------------------------------------------------- */

typedef enum genops_type {
    GENOPS_TYPE_NULL = 0, /* "no value": dropped wherever attributes are set */
    GENOPS_TYPE_STRING = 1,
    GENOPS_TYPE_INT = 2,
    GENOPS_TYPE_DOUBLE = 3,
    GENOPS_TYPE_BOOL = 4,
    GENOPS_TYPE_STRING_ARRAY = 5,
    GENOPS_TYPE_INT_ARRAY = 6,
    GENOPS_TYPE_DOUBLE_ARRAY = 7,
    GENOPS_TYPE_BOOL_ARRAY = 8
} genops_type;

/* A typed value. For STRING, len is the byte length of s (s need not be
 * NUL-terminated); for arrays, len is the number of items, and string items are
 * NUL-terminated. Doubles must be finite: NaN and +-inf are rejected (GENOPS_EINVAL)
 * because no backend can aggregate them and JSON cannot carry them. */
typedef struct genops_value {
    genops_type type;
    size_t len;
    union {
        const char *s;
        int64_t i;
        double d;
        bool b;
        const char *const *sa;
        const int64_t *ia;
        const double *da;
        const bool *ba;
    } u;
} genops_value;

/* One key/value pair. key is a NUL-terminated, non-empty UTF-8 string. */
typedef struct genops_attribute {
    const char *key;
    genops_value value;
} genops_attribute;

/* ---- Context: immutable attribute snapshots ----------------------------------- */

/* A context is an immutable, reference-counted set of attributes: the process-wide
 * defaults are one, and bindings hold scoped ones (Python keeps one in a ContextVar).
 * Any thread may read or reference a context at any time. */
typedef struct genops_context genops_context;

/* A new context: base's attributes (base may be NULL) overridden by attrs. An
 * attribute whose value is GENOPS_TYPE_NULL removes that key. The caller owns the
 * result (genops_context_unref). Returns NULL and fills *err on bad input. */
GENOPS_API genops_context *genops_context_new(const genops_context *base,
                                              const genops_attribute *attrs, size_t count,
                                              genops_error *err);
/* Take another reference; returns ctx. NULL-safe. */
GENOPS_API genops_context *genops_context_ref(const genops_context *ctx);
/* Drop a reference; frees the context with the last one. NULL-safe. */
GENOPS_API void genops_context_unref(genops_context *ctx);
/* Number of attributes (0 for NULL). */
GENOPS_API size_t genops_context_count(const genops_context *ctx);
/* The index-th attribute, in insertion order. The pointers in *out stay valid while
 * the caller holds a reference to ctx. Returns GENOPS_EINVAL when out of range. */
GENOPS_API genops_status genops_context_get(const genops_context *ctx, size_t index,
                                            genops_attribute *out, genops_error *err);
/* Find a key; returns false when absent. *out as for genops_context_get. */
GENOPS_API bool genops_context_find(const genops_context *ctx, const char *key, genops_value *out);

/* The process-wide default attributes (genops-ai's set_default_attributes). Readers
 * never take a lock: a new snapshot is published atomically. Writers serialise. */
GENOPS_API genops_status genops_defaults_set(const genops_attribute *attrs, size_t count,
                                             genops_error *err);
/* Merge attrs into the current defaults (a GENOPS_TYPE_NULL value removes its key). */
GENOPS_API genops_status genops_defaults_update(const genops_attribute *attrs, size_t count,
                                                genops_error *err);
/* Remove every default attribute. */
GENOPS_API void genops_defaults_clear(void);
/* A reference to the current defaults (never NULL; release with genops_context_unref). */
GENOPS_API genops_context *genops_defaults_get(void);

/* Effective attributes: defaults, overridden by ctx (may be NULL), overridden by attrs.
 * The caller owns the result. */
GENOPS_API genops_context *genops_effective_context(const genops_context *ctx,
                                                    const genops_attribute *attrs, size_t count,
                                                    genops_error *err);

/* ---- Exporters ---------------------------------------------------------------- */

/* An exporter turns batches of finished spans into bytes somewhere. Create one with a
 * genops_*_exporter_new function, then hand it to genops_pipeline_add_exporter, which
 * takes ownership. An exporter never added is freed with genops_exporter_free. */
typedef struct genops_exporter genops_exporter;

/* Free an exporter that was never added to a pipeline (one that was is freed with its
 * pipeline, and this call leaves it alone). NULL-safe. */
GENOPS_API void genops_exporter_free(genops_exporter *exporter);

/* What exporter this is, for a status display: "otlp", "splunk-hec", "console",
 * "memory"; for one that genops_exporter_for_endpoint chose instead of OTLP, also why,
 * e.g. "splunk-hec (chosen for an OTLP endpoint at /services/collector/raw)". Valid as
 * long as the exporter; "" for NULL. */
GENOPS_API const char *genops_exporter_description(const genops_exporter *exporter);

/* Collects finished spans in memory, for tests and embedders. Read it with the
 * genops_memory_exporter_* functions; it stays readable after being added to a
 * pipeline, until that pipeline is freed. */
GENOPS_API genops_exporter *genops_memory_exporter_new(genops_error *err);

/* Writes a human-readable block per span to the file descriptor fd (e.g. 1). */
GENOPS_API genops_exporter *genops_console_exporter_new(int fd, genops_error *err);

/* ---- OTLP exporter ------------------------------------------------------------ */

/* Sends batches as OTLP ExportTraceServiceRequests (OpenTelemetry Collector,
 * Honeycomb, Cribl, any OTLP backend), over HTTP (OTLP/HTTP) or gRPC (OTLP/gRPC, HTTP/2).
 * docs/exporters/otlp.md has the details. */

typedef enum genops_otlp_protocol {
    GENOPS_OTLP_PROTOCOL_DEFAULT = 0,  /* the environment, else http/protobuf */
    GENOPS_OTLP_PROTOCOL_PROTOBUF = 1, /* http/protobuf: application/x-protobuf */
    GENOPS_OTLP_PROTOCOL_JSON = 2,     /* http/json: application/json */
    GENOPS_OTLP_PROTOCOL_GRPC = 3      /* grpc: TraceService/Export over HTTP/2 */
} genops_otlp_protocol;

typedef enum genops_compression {
    GENOPS_COMPRESSION_DEFAULT = 0, /* the environment, else none */
    GENOPS_COMPRESSION_NONE = 1,
    GENOPS_COMPRESSION_GZIP = 2,
    /* zstd (RFC 8878): Honeycomb's Events API only; the OTLP and HEC exporters refuse it
     * (OTLP/HTTP defines gzip alone) */
    GENOPS_COMPRESSION_ZSTD = 3
} genops_compression;

/* Options; NULL or zero means "the OTEL_EXPORTER_OTLP_* environment, else the
 * default" for every field. Initialise with genops_otlp_options_init so that
 * struct_size is right: fields are only ever appended. */
typedef struct genops_otlp_options {
    size_t struct_size;
    /* The full URL to POST to. A URL without a path (or with "/") gets "/v1/traces"
     * appended; any other path is used as is. Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
     * (as is), else OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces", else
     * http://localhost:4318/v1/traces. Only http:// and https://. With grpc, only the
     * scheme and authority count (http:// is cleartext HTTP/2, https:// TLS); the path
     * is the gRPC method's; default http://localhost:4317. */
    const char *endpoint;
    genops_otlp_protocol protocol;
    /* Extra request headers, as string-valued attributes (key = header name); they win
     * over headers_string, which wins over OTEL_EXPORTER_OTLP_(TRACES_)HEADERS. */
    const genops_attribute *headers;
    size_t header_count;
    const char *headers_string; /* "k1=v1,k2=v2", values percent-encoded, as the env */
    genops_compression compression;
    genops_duration_ms timeout_ms;  /* for one batch, retries included; default 10000 */
    const char *certificate;        /* PEM CA bundle that verifies the server */
    const char *client_key;         /* PEM private key for mutual TLS */
    const char *client_certificate; /* PEM certificate for mutual TLS */
    /* Skip verification of the server's TLS certificate. Never read from the
     * environment; logs a warning. For test setups only. */
    bool insecure;
} genops_otlp_options;

/* Zero *opt and set its struct_size. */
GENOPS_API void genops_otlp_options_init(genops_otlp_options *opt);

/* Create an OTLP exporter from opt (NULL: the environment alone): OTLP/HTTP, or
 * OTLP/gRPC when the protocol is grpc (the option, or OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL
 * =grpc). Everything is checked here: a malformed endpoint, header, timeout, compression
 * or protocol value, or an unreadable certificate file, is GENOPS_EINVAL naming
 * the option or variable. The caller owns the result until it is added to a pipeline
 * (genops_pipeline_add_exporter) or freed (genops_exporter_free). Makes no connection.
 * Always OTLP, even at a Splunk HEC endpoint (then a warning is logged once);
 * genops_exporter_for_endpoint is the call that sends HEC events there instead. */
GENOPS_API genops_exporter *genops_otlp_exporter_new(const genops_otlp_options *opt,
                                                     genops_error *err);

/* ---- Splunk HEC exporter ------------------------------------------------------ */

/* Sends batches to a Splunk HTTP Event Collector: one event per span whose body is a
 * flat JSON object with every attribute under its dotted name (genops.cost.total,
 * genops.team, ...), so the Splunk guide's SPL aggregates it as is. Indexer
 * acknowledgement, gzip, size-bounded requests and HEC's error codes are handled.
 * docs/exporters/splunk.md has the details. */

typedef enum genops_hec_format {
    GENOPS_HEC_FORMAT_DEFAULT = 0, /* from the endpoint's path (.../raw = raw), else event */
    GENOPS_HEC_FORMAT_EVENT = 1,   /* /services/collector/event: JSON event envelopes */
    GENOPS_HEC_FORMAT_RAW = 2      /* /services/collector/raw: one JSON line per span */
} genops_hec_format;

/* Options; NULL or zero means "the SPLUNK_* environment, else the default" for every
 * field. Initialise with genops_hec_options_init so that struct_size is right: fields
 * are only ever appended. */
typedef struct genops_hec_options {
    size_t struct_size;
    /* Splunk's HEC address, "https://splunk.example.com:8088", or a full collector URL
     * (.../services/collector/event or .../services/collector/raw). A URL without a
     * path gets the format's path. Default: SPLUNK_HEC_ENDPOINT. http(s) only. */
    const char *endpoint;
    const char *token;      /* sent as "Authorization: Splunk <token>"; SPLUNK_HEC_TOKEN */
    const char *index;      /* SPLUNK_INDEX; unset: the token's default index */
    const char *source;     /* SPLUNK_SOURCE; unset: the token's default */
    const char *sourcetype; /* SPLUNK_SOURCETYPE, else "genops:telemetry" */
    /* SPLUNK_HOST, else the resource's host.name (or host), else this machine's name */
    const char *host;
    genops_hec_format format;
    /* Attribute (or resource attribute) keys also sent as indexed fields, for tstats;
     * event format only. Values are sent as strings, as HEC requires. */
    const char *const *indexed_fields;
    size_t indexed_field_count;
    /* Indexer acknowledgement (the token's useACK): count a request as delivered only
     * once /services/collector/ack confirms it; re-send it after ack_timeout_ms
     * (default 10000) without one. Polls back off up to ack_poll_interval_ms (default
     * 1000). Off by default. */
    bool use_ack;
    genops_duration_ms ack_timeout_ms;
    genops_duration_ms ack_poll_interval_ms;
    genops_compression compression; /* default none; GZIP sends Content-Encoding: gzip */
    /* Bytes one request may put on the wire (after gzip); larger batches go out as
     * several requests, and a 413 answer halves them. Default 900000: under the 1 MB
     * max_content_length of Splunk Cloud and of Splunk Enterprise before 7.x. */
    uint32_t max_request_bytes;
    uint32_t max_request_events;   /* events per request; default: no limit of its own */
    genops_duration_ms timeout_ms; /* for one batch: retries and ack waits; default 30000 */
    /* X-Splunk-Request-Channel, a GUID. Default: a random one per exporter, new in a
     * forked child. */
    const char *channel;
    const char *certificate;        /* PEM CA bundle that verifies the server */
    const char *client_key;         /* PEM private key for mutual TLS */
    const char *client_certificate; /* PEM certificate for mutual TLS */
    /* Skip verification of the server's TLS certificate. Never read from the
     * environment; logs a warning at creation. For test setups only. */
    bool insecure;
} genops_hec_options;

/* Zero *opt and set its struct_size. */
GENOPS_API void genops_hec_options_init(genops_hec_options *opt);

/* Create a Splunk HEC exporter from opt (NULL: the environment alone). Everything is
 * checked here: a missing or malformed endpoint, a missing token or one with a line
 * break, a malformed index name or channel, a format that contradicts the endpoint's
 * path, or an unreadable certificate file is GENOPS_EINVAL naming the option or
 * variable (never the token's value). The caller owns the result until it is added to
 * a pipeline (genops_pipeline_add_exporter) or freed (genops_exporter_free). Makes no
 * connection. */
GENOPS_API genops_exporter *genops_hec_exporter_new(const genops_hec_options *opt,
                                                    genops_error *err);

/* What a HEC exporter has done, beyond the pipeline's genops_stats. Counters only grow.
 * Every span the exporter did not deliver is counted in exactly one dropped_* field. */
typedef struct genops_hec_stats {
    size_t struct_size;             /* set by the caller: sizeof(genops_hec_stats) */
    uint64_t requests;              /* event/raw POSTs, retries and re-sends included */
    uint64_t events_delivered;      /* accepted by HEC (with use_ack: acknowledged) */
    uint64_t acked;                 /* requests the indexers acknowledged */
    uint64_t ack_pending;           /* requests waiting for an acknowledgement now */
    uint64_t resent;                /* requests sent again after ack_timeout_ms */
    uint64_t ack_polls;             /* requests to /services/collector/ack */
    uint64_t retries;               /* server busy (503), 5xx or transport failures retried */
    uint64_t splits;                /* 413 answers that halved a request */
    uint64_t dropped_invalid_event; /* an event HEC named invalid (invalid-event-number) */
    uint64_t dropped_too_large;     /* an event larger than a request may be */
    uint64_t dropped_auth;          /* 401/403: token missing, invalid or disabled */
    uint64_t dropped_index;         /* incorrect index (HEC code 7) */
    uint64_t dropped_rejected;      /* any other refusal: retrying cannot help */
    uint64_t dropped_unavailable;   /* busy, 5xx or unreachable until the deadline */
    uint64_t dropped_unacked;       /* sent, never acknowledged before the deadline */
    int32_t last_status;            /* HTTP status of the last failure; 0 = none */
    int32_t last_code;              /* its HEC code; -1 = none */
    char last_error[GENOPS_ERROR_MESSAGE_SIZE]; /* that failure in words; never the token */
} genops_hec_stats;

/* Fill *out (out->struct_size must be set; a smaller, older struct gets its prefix).
 * exporter must come from genops_hec_exporter_new (else GENOPS_EINVAL); it stays
 * readable after being added to a pipeline, until that pipeline is freed. Any thread. */
GENOPS_API genops_status genops_hec_exporter_stats(genops_exporter *exporter, genops_hec_stats *out,
                                                   genops_error *err);

#define GENOPS_HEC_VALIDATION_ITEMS 12 /* errors, warnings and details kept, each */
#define GENOPS_HEC_VALIDATION_TEXT  256

/* The outcome of genops_hec_validate, ready to become a dict in a binding: read it
 * with the accessors below, or directly. Every text is NUL-terminated UTF-8 without
 * the token. */
typedef struct genops_hec_validation {
    size_t struct_size;                 /* set by the caller: sizeof(genops_hec_validation) */
    bool valid;                         /* no errors */
    bool config_ok;                     /* endpoint, token, index and options are well-formed */
    bool connectivity;                  /* /services/collector/health answered "healthy" */
    bool token_ok;                      /* the token sent a test event that HEC accepted */
    bool index_accessible;              /* ... into the configured index (or the token's default) */
    int32_t health_status, health_code; /* HTTP status and HEC code; 0 / -1 = none */
    int32_t event_status, event_code;
    uint32_t health_ms, event_ms; /* round trips */
    size_t error_count, warning_count, detail_count;
    char errors[GENOPS_HEC_VALIDATION_ITEMS][GENOPS_HEC_VALIDATION_TEXT];
    char warnings[GENOPS_HEC_VALIDATION_ITEMS][GENOPS_HEC_VALIDATION_TEXT];
    char detail_names[GENOPS_HEC_VALIDATION_ITEMS][32];
    char detail_values[GENOPS_HEC_VALIDATION_ITEMS][GENOPS_HEC_VALIDATION_TEXT];
} genops_hec_validation;

/* Check a HEC setup, as GenOps' Splunk guide describes: the configuration (opt, else
 * the SPLUNK_* environment: endpoint URL shape, token present, index name), then, with
 * check_connectivity, GET /services/collector/health and one small test event
 * ({"genops.validation": true, ...}, sourcetype and index as configured) that proves
 * the token may write. Waits at most timeout_ms (opt's, else 10000) in all. Fills *out
 * and returns GENOPS_OK whether or not the setup is valid; GENOPS_EINVAL for a NULL
 * out or a wrong struct_size, GENOPS_ENOMEM. Any thread; blocks. */
GENOPS_API genops_status genops_hec_validate(const genops_hec_options *opt, bool check_connectivity,
                                             genops_hec_validation *out, genops_error *err);

/* The index-th error of *v; NULL past the end. Valid as long as *v is. */
GENOPS_API const char *genops_hec_validation_error(const genops_hec_validation *v, size_t index);
/* The index-th warning of *v; NULL past the end. Valid as long as *v is. */
GENOPS_API const char *genops_hec_validation_warning(const genops_hec_validation *v, size_t index);
/* The index-th detail of *v (its name in *name when name is not NULL); NULL past the
 * end. Valid as long as *v is. */
GENOPS_API const char *genops_hec_validation_detail(const genops_hec_validation *v, size_t index,
                                                    const char **name);

/* Render v for a person, as the guide's print_validation_result does: a verdict line,
 * the details, then each error and warning with its fix. Writes at most size bytes
 * (NUL-terminated when size > 0) and returns the length the whole text needs, like
 * snprintf. */
GENOPS_API size_t genops_hec_validation_format(const genops_hec_validation *v, char *out,
                                               size_t size);

/* ---- Choosing the exporter for an endpoint ------------------------------------ */

/* The exporter for an OTLP configuration, as GenOps' guides mean it: an OTLP exporter
 * (genops_otlp_exporter_new(opt)), except when the resolved endpoint's path contains
 * "/services/collector" or a header reads "Authorization: Splunk <token>". That is a
 * Splunk HTTP Event Collector, which cannot index OTLP, so a Splunk HEC exporter is
 * built instead from the same endpoint (a bare base URL gets /services/collector/event),
 * headers (the token from Authorization, the channel from X-Splunk-Request-Channel),
 * TLS, compression and timeout; the SPLUNK_* variables fill in the rest. The choice is
 * logged once as a warning and named by genops_exporter_description. This is the only
 * place that switches protocols, and never for grpc: genops_otlp_exporter_new always
 * builds OTLP. Errors as genops_otlp_exporter_new's or genops_hec_exporter_new's. */
GENOPS_API genops_exporter *genops_exporter_for_endpoint(const genops_otlp_options *opt,
                                                         genops_error *err);

/* ---- Honeycomb ---------------------------------------------------------------- */

/* Honeycomb (docs/exporters/honeycomb.md). The exporter sends OTLP/HTTP protobuf to
 * <api_endpoint>/v1/traces with the key as x-honeycomb-team and, only for a Classic key
 * (which has no environment to route by), the dataset as x-honeycomb-dataset. Keys are
 * told apart as Honeycomb's own SDKs do it; the kind seen is logged once at info level,
 * never the key. Markers and the key check speak Honeycomb's REST API (/1/markers,
 * /1/auth) through the same transport. */

/* Which of Honeycomb's intakes the exporter sends to. */
typedef enum genops_honeycomb_api {
    GENOPS_HONEYCOMB_API_DEFAULT = 0, /* OTLP */
    GENOPS_HONEYCOMB_API_OTLP = 1,    /* OTLP/HTTP protobuf to /v1/traces */
    /* the Events API: msgpack batches to /1/batch/<dataset>, one status per event (each
     * refused event counted with Honeycomb's words, 429/5xx ones sent again, accepted
     * ones never); batches over 5 MB are split */
    GENOPS_HONEYCOMB_API_EVENTS = 2
} genops_honeycomb_api;

/* Options; NULL or zero means "the HONEYCOMB_* environment, else the default" for
 * every field. Initialise with genops_honeycomb_options_init so that struct_size is
 * right: fields are only ever appended. */
typedef struct genops_honeycomb_options {
    size_t struct_size;
    /* Honeycomb's API, scheme://host[:port] (a path is kept as a prefix, for a proxy).
     * Default HONEYCOMB_API_ENDPOINT, else https://api.honeycomb.io (the EU region is
     * https://api.eu1.honeycomb.io). http(s) only. */
    const char *api_endpoint;
    const char *api_key; /* HONEYCOMB_API_KEY; required */
    /* HONEYCOMB_DATASET, else "genops-ai". Sent with Classic keys only (environment keys
     * route by service.name); markers go to it unless the marker names one. */
    const char *dataset;
    /* default: zstd with api = EVENTS (as Honeycomb's libhoney-go; cheaper and smaller than
     * gzip, benchmarks/README.md), none with OTLP; ZSTD only with api = EVENTS */
    genops_compression compression;
    genops_duration_ms timeout_ms; /* one batch, retries included; one API call; 10000 */
    const char *certificate;       /* PEM CA bundle that verifies the server */
    /* Skip verification of the server's TLS certificate. Never read from the
     * environment; logs a warning. For test setups only. */
    bool insecure;
    genops_honeycomb_api api;
} genops_honeycomb_options;

/* Zero *opt and set its struct_size. */
GENOPS_API void genops_honeycomb_options_init(genops_honeycomb_options *opt);

/* Create a Honeycomb exporter (OTLP/HTTP protobuf, or the Events API as opt->api says)
 * from opt (NULL: the environment alone). A missing key, a key with spaces or control characters, a
 * malformed endpoint or dataset name is GENOPS_EINVAL naming the option or variable, never the
 * key's value. Ownership as for genops_otlp_exporter_new. Makes no connection. */
GENOPS_API genops_exporter *genops_honeycomb_exporter_new(const genops_honeycomb_options *opt,
                                                          genops_error *err);

/* A marker (Honeycomb's POST /1/markers/<dataset>). */
typedef struct genops_honeycomb_marker_options {
    size_t struct_size;
    const char *message; /* shown on the marker */
    const char *type;    /* groups markers; NULL or "" = "deploy" */
    const char *url;     /* a link from the marker; NULL = none */
    /* NULL or "" = the options' dataset; "__all__" = every dataset of the environment
     * (environment keys only) */
    const char *dataset;
    uint64_t start_time; /* Unix seconds; 0 = now (Honeycomb's default) */
    uint64_t end_time;   /* Unix seconds, for a marker that spans a range; 0 = none */
} genops_honeycomb_marker_options;

#define GENOPS_HONEYCOMB_TEXT 256

/* What Honeycomb answered to a marker or a key check. Texts are NUL-terminated UTF-8,
 * made printable, never the key. */
typedef struct genops_honeycomb_answer {
    size_t struct_size; /* set by the caller: sizeof(genops_honeycomb_answer) */
    int32_t status;     /* HTTP status; 0 = no answer (message says why) */
    uint32_t ms;        /* round trip */
    char key_kind[48];  /* "classic configuration key", "environment ingest key", ... */
    char message[GENOPS_HONEYCOMB_TEXT]; /* Honeycomb's error text or the transport's */
    char marker_id[64];                  /* a created marker's id */
    /* GET /1/auth: the key's team and environment (a Classic key has none) and what it
     * may do (api_key_access.events / .markers) */
    char team_name[128], team_slug[128];
    char environment_name[128], environment_slug[128];
    bool may_send_events, may_create_markers;
} genops_honeycomb_answer;

/* Create a marker; on success fills out->marker_id with Honeycomb's id. A message that
 * is NULL, an end before the start, or the options' errors are GENOPS_EINVAL; a key
 * Honeycomb does not accept (401) or an unknown dataset (404) is GENOPS_EREJECTED with
 * a message that says which; no answer is GENOPS_EIO or GENOPS_ETIMEDOUT. out is filled
 * in every case. Any thread; blocks up to the options' timeout. */
GENOPS_API genops_status genops_honeycomb_marker_create(
    const genops_honeycomb_options *opt, const genops_honeycomb_marker_options *marker,
    genops_honeycomb_answer *out, genops_error *err);

/* Check the key with GET /1/auth: fills *out (status 200 with the team, environment and
 * permissions; 401 for a key Honeycomb does not know; 0 when nothing answered) and
 * returns GENOPS_OK whatever Honeycomb said; GENOPS_EINVAL for the options' errors or
 * a wrong struct_size. Any thread; blocks up to the options' timeout. */
GENOPS_API genops_status genops_honeycomb_auth(const genops_honeycomb_options *opt,
                                               genops_honeycomb_answer *out, genops_error *err);

/* The router's internal attribute and its dataset count limit (below). */
#define GENOPS_HONEYCOMB_DATASETS_KEY "genops.internal.datasets"
#define GENOPS_HONEYCOMB_DATASETS_MAX 64

/* Several datasets from one pipeline (GenOps' Honeycomb guide, "Export to Multiple
 * Datasets"): a router holding one Events API exporter per dataset, each built from opt
 * with its dataset replaced (so every kind of key can route; opt->api must be DEFAULT or
 * EVENTS). Each span goes to every dataset that accepts it, decided on the export thread.
 *
 * routes_json is a JSON array of rules, each an object naming a "dataset" and at most one
 * of these tests of the span's attribute "attribute" (its own attributes, then the
 * resource's):
 *   {"dataset": "pii", "attribute": "genops.data.classification", "equals": "pii"}
 *   {"dataset": "pii", "attribute": "genops.data.classification", "in": ["pii", "phi"]}
 *   {"dataset": "pii", "attribute": "genops.data.classification", "prefix": "pii"}
 *   {"dataset": "audit", "attribute": "genops.policy.result", "exists": true}
 *   {"dataset": "general", "default": true}   (the spans no other rule took)
 *   {"dataset": "named"}                      (only spans that name it, below)
 * equals / in / prefix test string values (any element of a string array); exists any
 * value. A span carrying GENOPS_HONEYCOMB_DATASETS_KEY (a string array: a binding's
 * predicates decided on the application thread) goes to exactly the datasets it names,
 * and the rules are not consulted; the attribute itself is never sent. A span no dataset
 * takes is dropped and counted as rejected, logged once. Up to GENOPS_HONEYCOMB_DATASETS_MAX
 * datasets. Malformed JSON, an unknown member, a rule without a dataset or with two
 * tests, two defaults, or the options' errors are GENOPS_EINVAL naming the rule. The
 * exporter's counts are per span: a span sent to several datasets counts as exported
 * when each copy was (when copies fail, as many spans as failed copies are counted
 * failed). The datasets are sent to one after another on the exporter's lane. Ownership
 * as for genops_otlp_exporter_new. docs/exporters/honeycomb.md. */
GENOPS_API genops_exporter *genops_honeycomb_router_new(const genops_honeycomb_options *opt,
                                                        const char *routes_json, genops_error *err);

/* ---- Log ---------------------------------------------------------------------- */

/* The library's own messages: a span drop, an export failure, a TLS warning... By
 * default each is one line on stderr, "genops: LEVEL: text". A binding with a logging
 * system of its own turns capture on and reads them from a bounded queue (256 lines;
 * when it is full the oldest line is dropped and counted) on a thread of its own.
 * The thread that logs never waits for the reader. */

/* Severities, most severe first: a line is kept when its level <= the threshold. */
typedef enum genops_log_level {
    GENOPS_LOG_ERROR = 0,
    GENOPS_LOG_WARNING = 1,
    GENOPS_LOG_INFO = 2,
    GENOPS_LOG_DEBUG = 3
} genops_log_level;

#define GENOPS_LOG_MESSAGE_SIZE 1024 /* bytes with the NUL; a longer line is cut */

/* One captured line. */
typedef struct genops_log_record {
    size_t struct_size; /* set by the caller: sizeof(genops_log_record) */
    genops_log_level level;
    uint64_t time_unix_nano; /* when it was logged */
    uint64_t lost;           /* lines dropped (queue full) since the previous record read */
    char message[GENOPS_LOG_MESSAGE_SIZE]; /* UTF-8, NUL-terminated; no prefix, no newline */
} genops_log_record;

/* on: lines go to the queue instead of stderr. off (the default): stderr again; lines
 * already queued stay readable, and a waiting genops_log_next / genops_log_wait
 * returns at once. Capture survives fork; the child's queue starts empty. Any thread. */
GENOPS_API void genops_log_capture(bool on);

/* The threshold: lines less severe than level are neither written nor queued. The
 * GENOPS_LOG_LEVEL environment variable (error, warning, info, debug), when set,
 * wins. Default GENOPS_LOG_WARNING. GENOPS_EINVAL for an unknown level. Any thread. */
GENOPS_API genops_status genops_log_set_level(genops_log_level level, genops_error *err);

/* Move the oldest queued line into *out, waiting at most timeout_ms (0: not at all)
 * for one. Returns false when none came in time, at once when capture is off and the
 * queue is empty, and for a NULL out or a too small out->struct_size. Each line goes
 * to one reader, oldest first. Any thread; blocks (release interpreter locks). */
GENOPS_API bool genops_log_next(genops_log_record *out, genops_duration_ms timeout_ms);

/* Wait at most timeout_ms until a line is queued, without taking it: true when one
 * is. Returns at once when capture is off. For a reader that waits here and then
 * takes lines with genops_log_next(out, 0) under a lock of its own, so that a second
 * reader (a flush that drains) keeps the lines in order. Any thread; blocks. */
GENOPS_API bool genops_log_wait(genops_duration_ms timeout_ms);

/* ---- Pipelines ---------------------------------------------------------------- */

/* A pipeline owns the buffering, batching, export thread and exporters. */
typedef struct genops_pipeline genops_pipeline;

#define GENOPS_NO_EXIT_FLUSH (-1)

/* When the disk spool makes what it wrote durable (docs/reliability.md, "Disk spool"). */
typedef enum genops_spool_fsync {
    GENOPS_SPOOL_FSYNC_DEFAULT = 0, /* GENOPS_SPOOL_FSYNC, else SEGMENT */
    GENOPS_SPOOL_FSYNC_NEVER = 1,   /* leave it to the kernel: survives a crash, not a power cut */
    GENOPS_SPOOL_FSYNC_SEGMENT = 2, /* fdatasync each segment when it is closed */
    GENOPS_SPOOL_FSYNC_ALWAYS = 3   /* fdatasync after every record */
} genops_spool_fsync;

/* Head sampling: which spans a pipeline samples, decided when each starts, as the
 * OpenTelemetry SDKs' built-in samplers decide (docs/sampling.md). A sampled span is
 * exported with the W3C sampled flag; one that is not is still recorded (its
 * children inherit the flag) and, at its end, counted as sampled_out instead of
 * exported. The ratio samplers keep a trace when the low 8 bytes of its id, big-endian,
 * are below ratio * 2^64 (OpenTelemetry's TraceIdRatioBased), so every process that
 * samples one trace id at one ratio keeps or drops it whole. */
typedef enum genops_sampler {
    GENOPS_SAMPLER_DEFAULT = 0,                /* OTEL_TRACES_SAMPLER, else PARENTBASED_ALWAYS_ON */
    GENOPS_SAMPLER_ALWAYS_ON = 1,              /* every span */
    GENOPS_SAMPLER_ALWAYS_OFF = 2,             /* no span */
    GENOPS_SAMPLER_TRACEIDRATIO = 3,           /* by trace id, parent or not */
    GENOPS_SAMPLER_PARENTBASED_ALWAYS_ON = 4,  /* a child as its parent; a root: sampled */
    GENOPS_SAMPLER_PARENTBASED_ALWAYS_OFF = 5, /* a child as its parent; a root: not */
    GENOPS_SAMPLER_PARENTBASED_TRACEIDRATIO = 6 /* a child as its parent; a root: by id */
} genops_sampler;

/* Options; zero means "the default" for every numeric field. Initialise with
 * genops_pipeline_options_init so that struct_size is right: fields are only ever appended. */
typedef struct genops_pipeline_options {
    size_t struct_size;
    const char *service_name;    /* default: OTEL_SERVICE_NAME, else "unknown_service" */
    const char *service_version; /* resource service.version, when set */
    const char *environment;     /* resource deployment.environment, when set */
    const genops_attribute *resource_attributes; /* extra resource attributes */
    size_t resource_attribute_count;
    uint32_t attribute_count_limit;        /* per span; default 128 */
    uint32_t attribute_value_length_limit; /* characters; default unlimited */
    uint32_t event_count_limit;            /* per span; default 128 */
    /* Spans, a hard cap (OTEL_BSP_MAX_QUEUE_SIZE). Unset, the queue holds 8192 and
     * grows past that within max_buffer_bytes instead of dropping. */
    uint32_t max_queue_size;
    genops_duration_ms schedule_delay_ms;     /* default 5000 (OTEL_BSP_SCHEDULE_DELAY) */
    genops_duration_ms export_timeout_ms;     /* default 30000 (OTEL_BSP_EXPORT_TIMEOUT) */
    uint32_t max_export_batch_size;           /* default 512 (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) */
    uint64_t max_buffer_bytes;                /* everything the pipeline holds; default 64 MiB */
    genops_duration_ms exit_flush_timeout_ms; /* default 5000; GENOPS_NO_EXIT_FLUSH skips it */
    /* true: leave out the names GenOps' guides query that are derived from the
     * recorded ones (semconv.def's GENOPS_DERIVED rows), for lean payloads; so does
     * GENOPS_DERIVED_ATTRIBUTES=false. Default: every exporter writes them. */
    bool no_derived_attributes;
    /* A directory for the disk spool (default GENOPS_SPOOL_DIR; unset: no spool). What
     * an exporter cannot deliver (retries spent) is written there, encoded, and sent
     * again, in order, once the backend answers, also by the next process. One
     * pipeline per directory: adding the first exporter that spools locks it, and
     * genops_pipeline_add_exporter fails (GENOPS_EINVAL) while another process or
     * pipeline holds it. OTLP and Honeycomb exporters spool; others count failures. */
    const char *spool_dir;
    uint64_t spool_max_bytes;       /* per exporter; default GENOPS_SPOOL_MAX_MB, else 256 MiB */
    genops_spool_fsync spool_fsync; /* default GENOPS_SPOOL_FSYNC, else SEGMENT */
    /* Head sampling (genops_sampler). DEFAULT reads OTEL_TRACES_SAMPLER and, for the
     * ratio samplers, OTEL_TRACES_SAMPLER_ARG (default 1.0), as the OpenTelemetry
     * specification defines them; an unknown or malformed value is a warning and the
     * default. A sampled span of a ratio sampler below 1 carries SampleRate (an int,
     * round(1 / ratio)), the weight Honeycomb and re-weighted sums read. */
    genops_sampler sampler;
    /* The ratio of TRACEIDRATIO and PARENTBASED_TRACEIDRATIO given as sampler, in
     * [0, 1] (0 samples no root); ignored by the other samplers. */
    double sampler_ratio;
} genops_pipeline_options;

/* Zero *opt and set its struct_size. */
GENOPS_API void genops_pipeline_options_init(genops_pipeline_options *opt);

/* Create a pipeline (opt may be NULL for every default). Options override the
 * OTEL_* environment. With OTEL_SDK_DISABLED=true nothing is ever exported: exporters
 * are accepted and freed, and spans are counted as dropped_no_exporter. The caller
 * owns the result: genops_pipeline_free. */
GENOPS_API genops_pipeline *genops_pipeline_new(const genops_pipeline_options *opt,
                                                genops_error *err);

/* Add an exporter; on success the pipeline owns it, on failure the caller still does.
 * Every exporter receives every span. */
GENOPS_API genops_status genops_pipeline_add_exporter(genops_pipeline *pipeline,
                                                      genops_exporter *exporter, genops_error *err);

/* Export everything ended before the call; wait at most timeout_ms. Returns
 * GENOPS_ETIMEDOUT when the deadline passed first. Safe from any thread. */
GENOPS_API genops_status genops_pipeline_flush(genops_pipeline *pipeline,
                                               genops_duration_ms timeout_ms, genops_error *err);

/* Flush within timeout_ms, then stop the export thread and the exporters. Spans ended
 * afterwards are counted as dropped. Idempotent. */
GENOPS_API genops_status genops_pipeline_shutdown(genops_pipeline *pipeline,
                                                  genops_duration_ms timeout_ms, genops_error *err);

/* Shut down (with the exit-flush deadline) and release the pipeline. Spans still open
 * stay valid handles: ending them later drops them, counted in every pipeline's
 * dropped_pipeline_freed and logged once. NULL-safe. */
GENOPS_API void genops_pipeline_free(genops_pipeline *pipeline);

/* Self-metrics. Every span that ended is, in the end, exactly one of: exported,
 * dropped (by one of the reasons below), or still queued / in flight. */
typedef struct genops_stats {
    size_t struct_size; /* set by the caller: sizeof(genops_stats) */
    uint64_t spans_started;
    uint64_t spans_ended;
    uint64_t spans_exported;        /* delivered by every exporter */
    uint64_t dropped_queue_full;    /* the queue was full when the span ended */
    uint64_t dropped_buffer_full;   /* max_buffer_bytes would have been passed */
    uint64_t dropped_shutdown;      /* ended after shutdown, or still queued at its deadline */
    uint64_t dropped_export_failed; /* transport failure or timeout, retries spent */
    uint64_t dropped_rejected;      /* the backend refused them */
    uint64_t dropped_no_exporter;   /* the pipeline has no exporter */
    uint64_t start_failures;        /* span_start refused: shut down or too many open */
    uint64_t batches;
    uint64_t bytes_sent;
    uint64_t retries;
    uint64_t queue_depth;              /* spans queued now */
    uint64_t buffered_bytes;           /* bytes held by queued and in-flight spans now */
    uint64_t dropped_attribute_values; /* values a binding could not represent, dropped
                                          (genops_span_count_dropped_attributes) */
    /* The disk spool, summed over exporters (docs/reliability.md, "Disk spool"). */
    uint64_t spans_spooled;       /* not delivered by every exporter, written to a spool */
    uint64_t spool_replayed;      /* spans sent from a spool and accepted */
    uint64_t spool_rejected;      /* spans sent from a spool and refused (4xx) */
    uint64_t spool_dropped;       /* spans of the oldest segments dropped for spool_max_bytes */
    uint64_t spool_corrupt;       /* spans lost to a torn or corrupt segment */
    uint64_t spool_corrupt_tails; /* segments cut short by a torn or corrupt record */
    uint64_t spool_write_failed;  /* spans that could not be written (disk full), dropped */
    uint64_t spool_bytes;         /* on disk now */
    uint64_t spool_pending;       /* spans on disk now, not yet sent */
    /* Process-wide, the same in every pipeline's stats: spans that ended after the
     * pipeline they started on was freed (Python: init() again replaced it), dropped. Each
     * is also that freed pipeline's dropped_shutdown; the first is logged. */
    uint64_t dropped_pipeline_freed;
    /* Ended spans that head sampling left out (genops_sampler): never exported. With
     * them, spans_ended = exported + every dropped_* + sampled_out once the queue is
     * empty. */
    uint64_t sampled_out;
    /* Ended spans cheaper than genops_pipeline_set_sampling_thresholds' min_cost (and no
     * governance event): never exported. */
    uint64_t below_cost_threshold;
    /* Times an application thread woke the export thread (a futex syscall on its time):
     * once per burst; none while spans flow steadily (docs/architecture.md). */
    uint64_t thread_wakeups;
} genops_stats;

/* Fill *out (out->struct_size must be set; a smaller, older struct gets its prefix).
 * Any thread; never blocks the export thread. */
GENOPS_API genops_status genops_pipeline_stats(genops_pipeline *pipeline, genops_stats *out,
                                               genops_error *err);

/* One exporter's own figures, beside the pipeline's totals (docs/reliability.md, "What
 * exported means"). Counters only grow. Every span handed to this exporter is, in the
 * end, exactly one of: exported, spooled, dropped (by one of the reasons below), or
 * still in queue_depth. The texts are NUL-terminated UTF-8 and never hold a secret: the
 * endpoint's user:password and query are masked, the error text is redacted. */
typedef struct genops_exporter_stats {
    size_t struct_size;             /* set by the caller: sizeof(genops_exporter_stats) */
    char type[32];                  /* the exporter's kind: "otlp", "splunk-hec", "console" */
    char name[160];                 /* genops_exporter_description */
    char endpoint[256];             /* where it sends, masked; "" for a local exporter */
    uint64_t exported;              /* spans this exporter delivered */
    uint64_t spooled;               /* spans it could not deliver, written to its disk spool */
    uint64_t dropped_export_failed; /* transport failure or timeout, retries spent */
    uint64_t dropped_rejected;      /* the backend refused them */
    uint64_t dropped_share;         /* oldest batches dropped: over its share of the buffer */
    uint64_t dropped_shutdown;      /* still queued for it at shutdown's deadline */
    uint64_t retries;
    uint64_t bytes_sent;
    uint64_t batches;            /* export calls */
    uint64_t queue_depth;        /* spans waiting for it now, in flight included */
    int32_t last_status;         /* genops_status of its last failed export; 0 none */
    uint64_t last_error_unix_ns; /* when that was (wall clock); 0 none */
    char last_error[GENOPS_ERROR_MESSAGE_SIZE]; /* that failure in words */
} genops_exporter_stats;

/* How many exporters the pipeline has (the indexes genops_pipeline_exporter_stats
 * takes, in the order they were added). 0 for NULL. */
GENOPS_API size_t genops_pipeline_exporter_count(genops_pipeline *pipeline);

/* Fill *out with the figures of the pipeline's exporter number index (from 0, in the
 * order added; out->struct_size must be set; a smaller, older struct gets its prefix).
 * GENOPS_EINVAL when index is not below genops_pipeline_exporter_count. Any thread;
 * never waits for an export. */
GENOPS_API genops_status genops_pipeline_exporter_stats(genops_pipeline *pipeline, size_t index,
                                                        genops_exporter_stats *out,
                                                        genops_error *err);

/* A Honeycomb router's datasets (genops_honeycomb_router_new), each with its own
 * figures: the pipeline's exporter stats count the router's spans once, these count
 * each dataset's copies. How many datasets router has, in the order its rules first
 * name them; 0 for anything that is not a router. */
GENOPS_API size_t genops_honeycomb_router_dataset_count(genops_exporter *router);

/* Fill *out with dataset number index's figures: type (its exporter's kind), name (the
 * dataset), endpoint, and of the copies routed to it exported, dropped_rejected,
 * dropped_export_failed, retries, bytes_sent, batches, last_status, last_error and when;
 * the spool, share, shutdown and queue fields stay 0. out->struct_size must be set (a
 * smaller, older struct gets its prefix). GENOPS_EINVAL for a handle that is not a
 * router or an index past genops_honeycomb_router_dataset_count. Any thread, while the
 * router exists (it is freed with its pipeline); never waits for an export. */
GENOPS_API genops_status genops_honeycomb_router_dataset_stats(genops_exporter *router,
                                                               size_t index,
                                                               genops_exporter_stats *out,
                                                               genops_error *err);

/* Governance events are never sampled away: decided when a span ends, a span whose
 * policy result (genops.policy.result) is blocked or warning, whose status is ERROR,
 * whose budget utilization (genops.budget.utilization_percent) is at least
 * keep_budget_utilization (percent; default 100), or whose cost (genops.cost.total) is
 * at least keep_cost (default 1.0) is exported even when head sampling left its trace
 * out, and carries no SampleRate (every such span is exported: each stands for itself).
 * A span with a cost below min_cost (default 0: off) and no such event is left out and
 * counted as below_cost_threshold; a span without a cost is never. INFINITY turns a keep_
 * threshold off; a negative or NaN value is GENOPS_EINVAL. Any thread; takes effect for
 * spans that end afterwards; never blocks. docs/sampling.md. */
GENOPS_API genops_status genops_pipeline_set_sampling_thresholds(genops_pipeline *pipeline,
                                                                 double keep_budget_utilization,
                                                                 double keep_cost, double min_cost,
                                                                 genops_error *err);

/* Per-attribute sampling ratios for operation spans (GenOps' Honeycomb guide:
 * set_sampling_rate(customer_tier="enterprise", rate=1.0)), replacing the previous set.
 * rules_json is a JSON array, first match wins, e.g.
 *   [{"attributes": ["customer_tier"], "equals": ["enterprise"], "ratio": 1.0},
 *    {"attributes": ["customer_tier", "feature"], "equals": ["free", "chat"], "ratio": 0.01},
 *    {"ratio": 0.1}]      (no attributes: every operation no rule before it took)
 * Decided when genops_operation_start starts the span, from its effective attributes
 * (its own, then the context's, then the defaults'; names as the call gives them, a
 * "genops." prefix is ignored; string values, compared exactly): the first rule whose
 * every attribute has its value decides the span by trace id at its ratio, as
 * TRACEIDRATIO does, in place of the pipeline's sampler (and of a parent's flag); a
 * sampled span of a ratio below 1 carries SampleRate. Attributes set after the start
 * are not seen; spans of genops_span_start are not ruled. NULL or "[]" removes every
 * rule. Malformed JSON, a rule without a ratio in [0, 1], attributes and equals of
 * different lengths, more than 8 attributes or 256 rules are GENOPS_EINVAL naming the
 * rule. Any thread; never blocks an operation start (it waits for starts that read
 * the old set). docs/sampling.md. */
GENOPS_API genops_status genops_pipeline_set_sampling_rules(genops_pipeline *pipeline,
                                                            const char *rules_json,
                                                            genops_error *err);

/* Write one line of the stats to the log (at info level) every interval_ms; 0 turns it off,
 * which is the default. */
GENOPS_API genops_status genops_pipeline_log_stats(genops_pipeline *pipeline,
                                                   genops_duration_ms interval_ms,
                                                   genops_error *err);

/* ---- Spans -------------------------------------------------------------------- */

/* A span handle: a generation-checked integer, not a pointer. 0 is never a valid
 * span. Once a span has ended, its handle is stale: every call with it returns
 * GENOPS_ESTALE and touches nothing, even after the slot has been reused (a handle
 * carries a 44-bit generation: it could match again only after 2^43 reuses of its
 * slot). A span is
 * used by one thread at a time; different spans may be used from any threads. */
typedef uint64_t genops_span;
#define GENOPS_SPAN_NONE ((genops_span)0)

/* W3C trace context of a span: enough to parent a child, even a remote one. */
typedef struct genops_span_context {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    /* W3C trace flags: bit 0 (GENOPS_TRACE_FLAG_SAMPLED) = the trace is sampled. A
     * child started from this context inherits the sampled decision under the
     * parent-based samplers (the default; genops_sampler). */
    uint8_t trace_flags;
} genops_span_context;

#define GENOPS_TRACE_FLAG_SAMPLED 0x01

typedef enum genops_span_kind {
    GENOPS_SPAN_KIND_INTERNAL = 1,
    GENOPS_SPAN_KIND_SERVER = 2,
    GENOPS_SPAN_KIND_CLIENT = 3,
    GENOPS_SPAN_KIND_PRODUCER = 4,
    GENOPS_SPAN_KIND_CONSUMER = 5
} genops_span_kind;

typedef enum genops_span_status {
    GENOPS_SPAN_STATUS_UNSET = 0,
    GENOPS_SPAN_STATUS_OK = 1,
    GENOPS_SPAN_STATUS_ERROR = 2
} genops_span_status;

/* Start a span named name. parent (may be NULL) makes it a child: same trace id,
 * parent span id = parent->span_id; otherwise a new trace. Returns GENOPS_SPAN_NONE and
 * fills *err on failure (the failure is counted in the pipeline's stats). */
GENOPS_API genops_span genops_span_start(genops_pipeline *pipeline, const char *name,
                                         const genops_span_context *parent, genops_error *err);

/* Start a GenOps operation span, as genops-ai's trace_operation does: span name =
 * name, genops.operation.name, genops.operation.type (NULL or "" = "ai.inference"),
 * genops.timestamp (epoch seconds), and every effective attribute k (defaults,
 * overridden by ctx, overridden by attrs; NULL values dropped) as genops.k. */
GENOPS_API genops_span genops_operation_start(genops_pipeline *pipeline, const char *name,
                                              const char *type, const genops_span_context *parent,
                                              const genops_context *ctx,
                                              const genops_attribute *attrs, size_t count,
                                              genops_error *err);

/* Start a span that was recorded elsewhere and is handed over whole (a binding's
 * converter for another SDK's finished spans, such as the Python package's
 * OpenTelemetry processor): its own trace id, span id and trace flags from *ids, its
 * parent span id (NULL or all zero: a root of ids->trace_id) and its start time
 * (nanoseconds since the epoch). Set the rest with the calls below and end it with
 * genops_span_end_at. GENOPS_EINVAL when ids is NULL or has an all-zero trace or span
 * id (W3C: invalid); otherwise as genops_span_start. */
GENOPS_API genops_span genops_span_start_with_ids(genops_pipeline *pipeline, const char *name,
                                                  const genops_span_context *ids,
                                                  const uint8_t *parent_span_id,
                                                  uint64_t start_unix_ns, genops_error *err);

/* Set one attribute; setting a key again keeps the last value. A NULL value is
 * ignored. Past the count limit new keys are dropped (counted on the span); strings
 * past the length limit are truncated (counted). */
GENOPS_API genops_status genops_span_set(genops_span span, const char *key,
                                         const genops_value *value, genops_error *err);
/* genops_span_set for each, in order: EINVAL sets none; one too big is dropped (counted). */
GENOPS_API genops_status genops_span_set_attributes(genops_span span, const genops_attribute *attrs,
                                                    size_t count, genops_error *err);
/* Count n attribute values that a binding dropped before they reached the span (a
 * value it cannot represent: an object, a mixed list, an int past 64 bits, NaN): on
 * the span's dropped-attributes count, as if the limit had dropped them, and in the
 * pipeline's dropped_attribute_values. A stale handle or n == 0 does nothing. Any
 * thread that owns the span; never blocks. */
GENOPS_API void genops_span_count_dropped_attributes(genops_span span, uint32_t n);
/* Set key to the NUL-terminated string value. */
GENOPS_API genops_status genops_span_set_str(genops_span span, const char *key, const char *value,
                                             genops_error *err);
/* Set key to a 64-bit integer. */
GENOPS_API genops_status genops_span_set_int(genops_span span, const char *key, int64_t value,
                                             genops_error *err);
/* Set key to a finite double (NaN and +-inf are GENOPS_EINVAL). */
GENOPS_API genops_status genops_span_set_double(genops_span span, const char *key, double value,
                                                genops_error *err);
/* Set key to a boolean. */
GENOPS_API genops_status genops_span_set_bool(genops_span span, const char *key, bool value,
                                              genops_error *err);

/* The span kind (default INTERNAL); GENOPS_EINVAL for a value outside the enum. */
GENOPS_API genops_status genops_span_set_kind(genops_span span, genops_span_kind kind,
                                              genops_error *err);
/* Status: message is kept only for GENOPS_SPAN_STATUS_ERROR, as OpenTelemetry says. */
GENOPS_API genops_status genops_span_set_status(genops_span span, genops_span_status code,
                                                const char *message, genops_error *err);
/* Add an event named name at the current time with the given attributes. */
GENOPS_API genops_status genops_span_add_event(genops_span span, const char *name,
                                               const genops_attribute *attrs, size_t count,
                                               genops_error *err);
/* genops_span_add_event with the event's time given (nanoseconds since the epoch). */
GENOPS_API genops_status genops_span_add_event_at(genops_span span, const char *name,
                                                  uint64_t time_unix_ns,
                                                  const genops_attribute *attrs, size_t count,
                                                  genops_error *err);
/* Add an "exception" event with exception.type, exception.message and
 * exception.stacktrace (each may be NULL). Does not change the status. */
GENOPS_API genops_status genops_span_record_exception(genops_span span, const char *type,
                                                      const char *message, const char *stacktrace,
                                                      genops_error *err);

/* The governance recorders, with genops-ai's GenOpsTelemetry rules. Each takes the
 * keyword arguments of the Python call as an attribute list (aliases included), e.g.
 * {cost: 0.02, provider: "openai", tokens_input: 150}. A map argument (metadata=...)
 * is passed flattened as "metadata.<key>". Arguments are checked first: on a bad one
 * nothing is recorded and GENOPS_EINVAL names it. docs/semantic-conventions.md lists
 * the attributes each one writes.
 *
 * genops-ai's record_cost: cost, currency, provider, model, tokens_input, tokens_output,
 * ..., as genops.cost.* and genops.tokens.*. */
GENOPS_API genops_status genops_span_record_cost(genops_span span, const genops_attribute *kv,
                                                 size_t count, genops_error *err);
/* genops-ai's record_policy: policy_name, policy_result (allowed, blocked, warning, ...),
 * policy_reason, metadata, as genops.policy.*. */
GENOPS_API genops_status genops_span_record_policy(genops_span span, const genops_attribute *kv,
                                                   size_t count, genops_error *err);
/* genops-ai's record_budget: budget_name, budget_limit, budget_used, budget_remaining
 * (derived when absent) and the utilisation, as genops.budget.*. */
GENOPS_API genops_status genops_span_record_budget(genops_span span, const genops_attribute *kv,
                                                   size_t count, genops_error *err);
/* genops-ai's record_evaluation: evaluation_name, score, threshold, passed, evaluator,
 * metadata, as genops.eval.*. */
GENOPS_API genops_status genops_span_record_evaluation(genops_span span, const genops_attribute *kv,
                                                       size_t count, genops_error *err);

/* ---- Budgets: spend enforced natively (docs/governance.md) ----------------------- */

/* A budget's state in its current period (genops_budget_get). */
typedef struct genops_budget_state {
    size_t struct_size;
    double spend;                /* this period, in the budget's currency */
    double limit;                /* the budget's limit */
    double utilization;          /* spend / limit (0.5 = half spent); 0 when the limit is 0 */
    int64_t period_start_unix;   /* the period's first second (Unix time); 0 for "total" */
    int64_t period_end_unix;     /* the first second after it; 0 for "total" */
    uint32_t thresholds_crossed; /* bit i: thresholds[i] was crossed in this period */
    char period[8];              /* "daily", "weekly", "monthly" or "total" */
    char enforcement[8];         /* "block", "warn" or "record" */
    char store[8];               /* "process" or "host" */
    char currency[16];
} genops_budget_state;

/* Define (or replace) a budget, from an option list like the recorders' arguments:
 *   name        (required) at most 200 bytes
 *   limit       (required) a number >= 0, in currency
 *   period      "daily" (default), "weekly" (ISO, from Monday), "monthly" or "total"
 *   time_zone   where periods roll over: "UTC" (default) or a fixed offset, "UTC+05:30"
 *   currency    default "USD": only costs recorded in it count
 *   thresholds  fractions of the limit, default {0.8, 1.0}: crossing one emits one
 *               genops.budget.threshold span per period (a child of the span whose cost
 *               crossed it) with the genops.budget.* names
 *   enforcement "block" (default: genops_span_budget_blocked refuses operations at the
 *               limit, as genops-ai's policies block by default), "warn" (log once per
 *               period at the limit) or "record"
 *   store       "process" (default), "host" (a file under state_dir shared by every
 *               process of the machine, kept across restarts) or
 *               "redis://host[:port][/db]" (a key per period in Redis, shared by a
 *               fleet: costs are counted locally at once and sent every 100 ms; while
 *               Redis is unreachable they wait, a warning is logged once)
 *   state_dir   default GENOPS_STATE_DIR, else $XDG_CACHE_HOME/genops, else ~/.cache/genops
 *   scope.<k>   strings: the budget counts the costs of spans whose effective attribute k
 *               (genops.k) is that value; no scope counts every cost
 * Every cost recorded with genops_span_record_cost in a budget's scope and currency is
 * added to its spend with one atomic addition, exactly (spend is counted in 1e-9 units).
 * Defining a name again replaces the budget ("process" spend starts from zero, "host"
 * spend is the file's). At most 64 budgets; GENOPS_EINVAL names a bad option. */
GENOPS_API genops_status genops_budget_define(const genops_attribute *kv, size_t count,
                                              genops_error *err);
/* The state of the budget named name (out->struct_size set by the caller). */
GENOPS_API genops_status genops_budget_get(const char *name, genops_budget_state *out,
                                           genops_error *err);
/* Set the current period's spend of name to zero (and its thresholds to not crossed). */
GENOPS_API genops_status genops_budget_reset(const char *name, genops_error *err);
/* Remove the budget named name; a "host" budget's file stays. */
GENOPS_API genops_status genops_budget_remove(const char *name, genops_error *err);
/* The check at an operation's start: true when a budget with enforcement "block" whose
 * scope matches span has reached its limit in this period. Then the blocked decision is
 * recorded on span (record_policy: policy_name = the budget, policy_result "blocked",
 * the reason; record_budget: its limit and spend), and the budget's name and the reason
 * are copied into budget and reason (cap bytes each, NUL-terminated; either may be
 * NULL). A "warn" budget at its limit is logged once per period and gives false. The
 * caller decides what a refusal means (the Python package raises PolicyViolationError
 * before the caller's code runs). One relaxed load when no budget is defined. */
GENOPS_API bool genops_span_budget_blocked(genops_span span, char *budget, size_t budget_cap,
                                           char *reason, size_t reason_cap);

/* ---- Rate limits: token buckets per scope key (docs/governance.md) --------------- */

/* A rate limit's bucket for one key (genops_rate_limit_get). */
typedef struct genops_rate_limit_state {
    size_t struct_size;
    double requests_per_minute; /* the limit; 0 when it limits tokens only */
    double tokens_per_minute;   /* the limit; 0 when it limits requests only */
    double requests_available;  /* what the key's bucket holds now */
    double tokens_available;    /* may be negative: tokens recorded past the limit */
    uint32_t keys;              /* keys with a bucket of their own */
    uint64_t refused;           /* operations refused (or, "warn"/"record", over the limit) */
    char enforcement[8];        /* "block", "warn" or "record" */
} genops_rate_limit_state;

/* Define (or replace) a rate limit, from an option list:
 *   name                 (required) at most 200 bytes
 *   requests_per_minute  operations per minute per key (a burst of up to as many)
 *   tokens_per_minute    tokens per minute per key, as genops_span_record_cost records
 *                        them (tokens_total, else input + output): an operation starts
 *                        while the key's bucket holds a token
 *   key                  the attribute whose effective value keys the buckets ("team",
 *                        "customer_id"); absent: one bucket for every operation.
 *                        Operations without a string value for it are not limited
 *   enforcement          "block" (default), "warn" (log at most once a minute) or "record"
 *   max_keys             buckets of their own (default 1024, at most 65536); further
 *                        keys share one bucket, logged once
 * At least one of the two rates; each a number in (0, 1e12]. The buckets are token
 * buckets (GCRA, one compare-and-swap per operation) of capacity one minute's rate,
 * refilled continuously by the monotonic clock; they live in the process. At most 16
 * rate limits. */
GENOPS_API genops_status genops_rate_limit_define(const genops_attribute *kv, size_t count,
                                                  genops_error *err);
/* The bucket of key (NULL: the unkeyed one) of the limit named name. */
GENOPS_API genops_status genops_rate_limit_get(const char *name, const char *key,
                                               genops_rate_limit_state *out, genops_error *err);
/* Remove the rate limit named name. */
GENOPS_API genops_status genops_rate_limit_remove(const char *name, genops_error *err);
/* The check at an operation's start: takes one request from the span's bucket of every
 * rate limit. true when a limit with enforcement "block" refuses it (its bucket holds no
 * request, or its tokens are spent): the decision is recorded on span (record_policy:
 * policy_name = the limit, policy_result "rate_limited", the reason) and the limit's
 * name and the reason are copied out as genops_span_budget_blocked does. One relaxed
 * load when no rate limit is defined. */
GENOPS_API bool genops_span_rate_limited(genops_span span, char *limit, size_t limit_cap,
                                         char *reason, size_t reason_cap);

/* The span's trace context, for parenting children (also after it ended, if the
 * caller copied it before). */
GENOPS_API genops_status genops_span_get_context(genops_span span, genops_span_context *out,
                                                 genops_error *err);
/* The live span as read-only span data (the genops_span_data_* accessors), for a
 * binding that decides something from its attributes just before ending it (the
 * Python package's dataset predicates). NULL for a stale handle. Only on the thread that
 * owns the span; valid until the span is next changed or ended. */
GENOPS_API const struct genops_span_data *genops_span_view(genops_span span);
/* True while the span has not ended. */
GENOPS_API bool genops_span_is_recording(genops_span span);

/* End the span now (or at end_unix_ns, nanoseconds since the epoch) and hand it to its
 * pipeline. Never blocks: a full queue drops the span and counts it. The handle is
 * stale afterwards. */
GENOPS_API genops_status genops_span_end(genops_span span, genops_error *err);
/* genops_span_end with an end time of end_unix_ns (nanoseconds since the epoch); a time
 * before the start is the start. */
GENOPS_API genops_status genops_span_end_at(genops_span span, uint64_t end_unix_ns,
                                            genops_error *err);

/* ---- Finished spans, as exporters see them ------------------------------------ */

/* A read-only finished span held by the memory exporter. */
typedef struct genops_span_data genops_span_data;

/* Number of spans collected so far. */
GENOPS_API size_t genops_memory_exporter_count(genops_exporter *exporter);
/* The index-th collected span, or NULL when out of range or exporter is not a memory
 * exporter. Valid until genops_memory_exporter_clear or the owner is freed. */
GENOPS_API const genops_span_data *genops_memory_exporter_get(genops_exporter *exporter,
                                                              size_t index);
/* Forget every collected span. */
GENOPS_API void genops_memory_exporter_clear(genops_exporter *exporter);

/* The accessors below read one field each; every one is NULL-safe (a NULL span reads
 * as empty) and returns pointers valid as long as the span data is. */
GENOPS_API const char *genops_span_data_name(const genops_span_data *span);
/* The span's trace and span ids into *out (zeroes for a NULL span). */
GENOPS_API void genops_span_data_context(const genops_span_data *span, genops_span_context *out);
/* False for a root span; otherwise copies the parent span id into parent_span_id. */
GENOPS_API bool genops_span_data_parent(const genops_span_data *span, uint8_t parent_span_id[8]);
/* Start time, nanoseconds since the epoch. */
GENOPS_API uint64_t genops_span_data_start_ns(const genops_span_data *span);
/* End time, nanoseconds since the epoch. */
GENOPS_API uint64_t genops_span_data_end_ns(const genops_span_data *span);
/* The span kind (INTERNAL for a NULL span). */
GENOPS_API genops_span_kind genops_span_data_kind(const genops_span_data *span);
/* The status code; *message (when not NULL) gets the message or "". */
GENOPS_API genops_span_status genops_span_data_status(const genops_span_data *span,
                                                      const char **message);
/* Number of attributes, inherited ones merged. */
GENOPS_API size_t genops_span_data_attribute_count(const genops_span_data *span);
/* The index-th attribute into *out; false when out of range. */
GENOPS_API bool genops_span_data_attribute(const genops_span_data *span, size_t index,
                                           genops_attribute *out);
/* The value of key into *out; false when the span has no such key. */
GENOPS_API bool genops_span_data_find(const genops_span_data *span, const char *key,
                                      genops_value *out);
/* Attributes dropped by the count limit. */
GENOPS_API uint32_t genops_span_data_dropped_attributes(const genops_span_data *span);
/* Values truncated by the length limit. */
GENOPS_API uint32_t genops_span_data_truncated_values(const genops_span_data *span);
/* Number of events. */
GENOPS_API size_t genops_span_data_event_count(const genops_span_data *span);
/* The index-th event's name and time; NULL when out of range. */
GENOPS_API const char *genops_span_data_event(const genops_span_data *span, size_t index,
                                              uint64_t *time_ns);
/* The value of key in the index-th event's attributes; false when absent. */
GENOPS_API bool genops_span_data_event_find(const genops_span_data *span, size_t index,
                                            const char *key, genops_value *out);

#ifdef __cplusplus
}
#endif
#endif /* GENOPS_H */
