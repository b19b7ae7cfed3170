/* http.h - the libcurl transport that every HTTP exporter shares.
 *
 * One http_client per exporter holds one reused CURL easy handle, so consecutive
 * requests ride one kept-alive connection (and one TLS session). A request is sent once:
 * retry decisions belong to each protocol's exporter (OTLP and Splunk HEC disagree on
 * what may be retried); this file only reports what happened, including whether a
 * transport failure is the kind a retry can cure and the server's Retry-After.
 *
 * Secrets: header values whose names look like credentials (http_header_is_secret) and
 * the user:password and query parts of URLs never reach a log line or an error message;
 * http_client_redact scrubs any text that is about to be printed.
 *
 * Threads: an http_client is used by one thread at a time (the export thread). Creating
 * clients is safe from any thread: libcurl's global initialisation runs once. */
#ifndef GENOPS_HTTP_H
#define GENOPS_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "genops.h"

struct http_header {
    const char *name;
    const char *value;
};

struct http_tls {
    const char *ca_file;     /* PEM bundle that verifies the server; NULL = system store */
    const char *ca_path;     /* directory of hashed CA certificates; NULL = none */
    const char *client_cert; /* PEM certificate for mutual TLS; NULL = none */
    const char *client_key;  /* its PEM private key; NULL = in client_cert or none */
    bool insecure; /* do not verify the server's certificate or name (logged as a warning) */
};

/* Owned copies of src's strings in *dst ("" becomes NULL), for a configuration that
 * keeps its TLS settings (the exporters' do). GENOPS_ENOMEM (err may be NULL) leaves *dst
 * zeroed. Free with http_tls_free. */
genops_status http_tls_copy(struct http_tls *dst, const struct http_tls *src, genops_error *err);
/* Free the strings of an http_tls filled by http_tls_copy and zero it. */
void http_tls_free(struct http_tls *tls);
/* Free the names and values of headers[0..count), owned copies (as the exporters'
 * configurations keep them), and set them NULL. */
void http_headers_free(struct http_header *headers, size_t count);

struct http_config {
    const char *url;                   /* the default request target; must pass http_url_check */
    const struct http_header *headers; /* sent with every request */
    size_t header_count;
    struct http_tls tls;
    const char *what; /* names the client in log lines, e.g. "OTLP exporter" */
    /* HTTP/2 only, as gRPC needs: cleartext http:// with prior knowledge (h2c, RFC 9113
     * section 3.3), https:// by ALPN. Else HTTP/1.1. */
    bool http2;
};

struct http_request {
    const char *url;              /* NULL = the client's url */
    bool get;                     /* GET instead of POST (health checks) */
    const char *content_type;     /* POST body's type, e.g. "application/x-protobuf" */
    const char *content_encoding; /* "gzip" when body is compressed, else NULL */
    const void *body;
    size_t len;
    uint64_t deadline_ns; /* CLOCK_MONOTONIC: the request is abandoned at this time */
    /* When set, called with every response header line as libcurl delivers it: the
     * status line, each field ("name: value\r\n", not NUL-terminated), the blank line
     * that ends them, and then the trailer fields (gRPC's status travels there). */
    void (*on_header)(void *ctx, const char *line, size_t len);
    void *header_ctx;
    /* Send gRPC's grpc-timeout header: the time left before deadline_ns, in ms, so that
     * the server gives up (DEADLINE_EXCEEDED) when the client does. */
    bool grpc_timeout;
};

#define HTTP_BODY_KEEP 16384 /* bytes of a response body kept; the rest is discarded */

struct http_response {
    long status;     /* HTTP status of the final response; 0 when none arrived */
    bool retryable;  /* no response, and trying again later might work (refused, reset) */
    char error[256]; /* the transport failure in words; "" when a response arrived */
    char content_type[96];
    int64_t retry_after_ms; /* from Retry-After, -1 when absent or unreadable */
    uint64_t bytes_sent;    /* request body bytes that went out */
    struct buf body;        /* the first HTTP_BODY_KEEP bytes of the response body */
};

/* A client for cfg (everything is copied). Returns NULL and fills *err: GENOPS_EINVAL
 * for a bad URL or an unreadable certificate file (naming it), GENOPS_ENOMEM. Logs a
 * warning when cfg->tls.insecure is set. The caller owns it (http_client_free). */
struct http_client *http_client_new(const struct http_config *cfg, genops_error *err);
/* Close the connection and free everything. NULL-safe. */
void http_client_free(struct http_client *c);
/* In a forked child: forget the parent's connection without writing a byte to it (its
 * socket is shared with the parent); the next request connects afresh. */
void http_client_after_fork(struct http_client *c);

void http_response_init(struct http_response *r);
void http_response_free(struct http_response *r);

/* Send one request and wait for its response, at most until req->deadline_ns. Fills *r
 * (previous contents are replaced). Returns GENOPS_OK when an HTTP response arrived,
 * whatever its status; GENOPS_EIO when none did (r->error, r->retryable say why);
 * GENOPS_ETIMEDOUT when the deadline passed first (also before anything was sent);
 * GENOPS_ENOMEM. */
genops_status http_send(struct http_client *c, const struct http_request *req,
                        struct http_response *r);

/* True the first time key (an HTTP status, or a negative transport code) is seen by
 * this client: exporters log the first failure of each kind per endpoint at error
 * level and stay quiet after that. */
bool http_client_first(struct http_client *c, long key);

/* Replace, in the NUL-terminated text, every occurrence of a secret header value this
 * client sends with "[REDACTED]" (a backend may echo a request back); also turns
 * control characters into spaces so that one message stays one log line. */
void http_client_redact(const struct http_client *c, char *text, size_t size);

/* Room for a backend's text before redaction. Texts from outside are read into this
 * much, redacted, and only then cut to what a message shows (http_client_redact_cut):
 * a secret that starts just before the cut is matched whole, never cut first. */
#define HTTP_TEXT_ROOM 2048

/* http_client_redact over text's size bytes, then cut it to fewer than max bytes at a
 * character boundary. */
void http_client_redact_cut(const struct http_client *c, char *text, size_t size, size_t max);

/* The client's URL as it may be printed (see http_url_for_log). */
const char *http_client_url_for_log(const struct http_client *c);

/* ---- pure helpers, exposed for tests ---------------------------------------------- */

/* True when a header with this name carries a credential (Authorization, API keys,
 * tokens, Honeycomb's x-honeycomb-team, cookies, ...), so its value must be hidden. */
bool http_header_is_secret(const char *name);

/* Check that url is an absolute http:// or https:// URL with a host (RFC 3986, as
 * libcurl parses it). On failure returns GENOPS_EINVAL with a message that names
 * source (the option or variable it came from) and what is wrong. */
genops_status http_url_check(const char *url, const char *source, genops_error *err);

/* Where url's path starts (after scheme://authority) and, in *path_len, how long it is
 * (up to '?' or '#'). */
size_t http_url_path(const char *url, size_t *path_len);

/* url without its user:password and with its query replaced by "?[REDACTED]", for log
 * lines; truncated to fit out[size]. */
void http_url_for_log(const char *url, char *out, size_t size);

/* When the header line[0..len) (as libcurl delivers it, not NUL-terminated) is field
 * `name` (case-insensitively): its value, trimmed and cut to fit, NUL-terminated in
 * out[size], and true. */
bool http_header_value(const char *line, size_t len, const char *name, char *out, size_t size);

/* Parse a Retry-After value (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date,
 * which is turned into a delay from now_unix (seconds since the epoch; a date in the
 * past is a delay of 0). Surrounding spaces are allowed. False when the value is
 * neither. */
bool http_parse_retry_after(const char *value, time_t now_unix, int64_t *delay_ms);

#endif
