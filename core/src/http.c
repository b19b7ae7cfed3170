/* http.c - see http.h.
 *
 * libcurl facts this file relies on (libcurl 7.85+, docs of each option):
 *  - An easy handle keeps its connection cache between curl_easy_perform calls, so
 *    reusing one handle is what gives keep-alive.
 *  - CURLOPT_NOSIGNAL must be set in multi-threaded programs (no SIGALRM for timeouts).
 *  - Custom headers are a curl_slist that libcurl only reads during the transfer, so a
 *    request's own headers can be list nodes on the stack chained in front of the
 *    client's fixed ones: no allocation per request.
 *  - "Expect:" with no value stops libcurl from sending Expect: 100-continue for large
 *    bodies, which costs a round trip (or a one-second wait on servers that ignore it).
 *  - Proxies: libcurl reads http_proxy / https_proxy / no_proxy itself; nothing here
 *    overrides that.
 *  - CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE (CURLOPT_HTTP_VERSION(3)): "Issue non-TLS HTTP
 *    requests using HTTP/2 without HTTP/1.1 Upgrade"; HTTPS still negotiates HTTP/2 in
 *    the TLS handshake (ALPN). Debian's libcurl is built with nghttp2.
 *  - Trailers reach the header callback too (CURLOPT_HEADERFUNCTION(3): a trailer "is
 *    passed to the application using this callback as well", after the body and the
 *    blank line that ends the headers); libcurl's HTTP/2 code does the same with the
 *    trailing HEADERS frame, which is where gRPC puts grpc-status. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"

/* A connect that has not finished in 10 s will not; the rest of the deadline is better
 * spent on a retry. */
#define CONNECT_TIMEOUT_MAX_MS 10000
/* libcurl copies a POST body through its upload buffer; the default 64 KiB means a
 * 400 KB batch goes out in many small send() calls. 1 MiB (libcurl's ceiling is 2 MiB)
 * cut client CPU per batch by about 30 % in measurements here. */
#define UPLOAD_BUFFER_SIZE (1L << 20)
#define MAX_SOCKETS        4  /* connections one handle may hold (CURLOPT_MAXCONNECTS) */
#define MAX_FIRSTS         32 /* distinct failure kinds remembered for http_client_first */
#define REDACTED           "[REDACTED]"
/* A credential after an auth scheme is redacted on its own only from this length on:
 * a short one would blank out ordinary words. */
#define MIN_BARE_SECRET 8

struct http_client {
    CURL *curl;  /* NULL until the first request (and again after fork) */
    CURL *stale; /* the parent's handle in a forked child, cleaned up on first use */
    char *url;
    char url_for_log[256];
    char *what;
    struct curl_slist *headers; /* the configured headers, plus "Expect:" */
    char **secrets;             /* values of secret headers, for http_client_redact */
    size_t secret_count;
    struct http_tls tls; /* strings owned */
    int sockets[MAX_SOCKETS];
    size_t socket_count;
    bool http2;
    bool h2c_workaround; /* http2 on a libcurl with the h2c reuse bug (h2c_reuse_broken) */
    bool h2c_live;       /* the last request left an HTTP/2 connection (h2c_version) */
    long firsts[MAX_FIRSTS];
    size_t first_count;
    char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;
/* The trust store used when an exporter names none (see find_trust_store). */
static char default_ca_file[4096];
static char default_ca_path[4096];

static bool readable(const char *path)
{
    return path && *path && access(path, R_OK) == 0;
}

static void keep(char *out, size_t size, const char *path)
{
    if (strlen(path) < size)
        memcpy(out, path, strlen(path) + 1);
}

/* SSL_CERT_FILE / SSL_CERT_DIR (OpenSSL's and the curl tool's convention) win. Else
 * libcurl's built-in bundle, when it exists: a wheel carries a libcurl built on another
 * distribution, whose bundle path may be missing here, so then the first bundle of the
 * well-known locations that exists (Debian/Ubuntu, Fedora/RHEL, openSUSE, Alpine). */
static void find_trust_store(void)
{
    static const char *const bundles[] = {"/etc/ssl/certs/ca-certificates.crt",
                                          "/etc/pki/tls/certs/ca-bundle.crt",
                                          "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                                          "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"};
    const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
    if (readable(file) || readable(dir)) {
        if (readable(file))
            keep(default_ca_file, sizeof default_ca_file, file);
        if (readable(dir))
            keep(default_ca_path, sizeof default_ca_path, dir);
        return;
    }
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (readable(v->cainfo) || readable(v->capath))
        return;
    for (size_t i = 0; i < sizeof bundles / sizeof *bundles; i++)
        if (readable(bundles[i])) {
            keep(default_ca_file, sizeof default_ca_file, bundles[i]);
            return;
        }
}

/* libcurl's global state is set up once per process and never torn down:
 * curl_global_cleanup is not thread-safe and the host program may use libcurl too. */
static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    find_trust_store();
}

/* ---- pure helpers ------------------------------------------------------------------ */

bool http_header_is_secret(const char *name)
{
    static const char *const words[] = {
        "auth",   "key",        "token",     "secret",  "passw",
        "cookie", "credential", "signature", "session", "x-honeycomb-team"};
    char lower[128];
    size_t n = 0;
    for (; n < sizeof lower - 1 && name[n]; n++)
        lower[n] = (char)tolower((unsigned char)name[n]);
    lower[n] = 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(lower, words[i]))
            return true;
    return false;
}

genops_status http_url_check(const char *url, const char *source, genops_error *err)
{
    pthread_once(&global_once, global_init);
    if (!url || !*url)
        return error_set(err, GENOPS_EINVAL, "%s is empty; it must be an http:// or https:// URL",
                         source);
    char shown[160];
    http_url_for_log(url, shown, sizeof shown);
    CURLU *u = curl_url();
    if (!u)
        return error_set(err, GENOPS_ENOMEM, "out of memory checking %s", source);
    char *scheme = NULL, *host = NULL;
    genops_status rc = GENOPS_OK;
    /* Without CURLU_GUESS_SCHEME a URL without a scheme is an error, as it must be. */
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (uc)
        rc = error_set(err, GENOPS_EINVAL,
                       "%s='%s' is not a valid URL (%s); it must look like "
                       "http://host:port/path",
                       source, shown, curl_url_strerror(uc));
    else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
             (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        rc = error_set(err, GENOPS_EINVAL,
                       "%s='%s' has scheme '%s'; only http and https are "
                       "supported",
                       source, shown, scheme ? scheme : "");
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) || !*host ||
             strncmp(strstr(url, "://") ? strstr(url, "://") + 3 : "", "/", 1) == 0)
        /* libcurl reads "http:///v1/traces" as host "v1": an empty authority is no host. */
        rc = error_set(err, GENOPS_EINVAL, "%s='%s' has no host", source, shown);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

size_t http_url_path(const char *url, size_t *path_len)
{
    const char *s = strstr(url, "://");
    size_t start = s ? (size_t)(s - url) + 3 : 0;
    start += strcspn(url + start, "/?#");
    *path_len = strcspn(url + start, "?#");
    return start;
}

void http_url_for_log(const char *url, char *out, size_t size)
{
    /* By hand rather than with curl_url: this must also work on URLs curl rejects. */
    const char *scheme_end = strstr(url, "://");
    const char *authority = scheme_end ? scheme_end + 3 : url;
    size_t auth_len = strcspn(authority, "/?#");
    const char *at = memchr(authority, '@', auth_len);
    const char *host = at ? at + 1 : authority;
    const char *query = strpbrk(host, "?#");
    size_t n = (size_t)snprintf(out, size, "%.*s%s%.*s%s", (int)(authority - url), url,
                                at ? REDACTED "@" : "",
                                (int)(query ? (size_t)(query - host) : strlen(host)), host,
                                query && *query == '?' ? "?" REDACTED : "");
    (void)n;
}

bool http_parse_retry_after(const char *value, time_t now_unix, int64_t *delay_ms)
{
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
                   value[len - 1] == '\n'))
        len--;
    if (!len || len > 64)
        return false;
    char v[65];
    memcpy(v, value, len);
    v[len] = 0;
    if (isdigit((unsigned char)v[0])) {
        /* delay-seconds = 1*DIGIT; capped at a day, far past any export deadline. */
        int64_t s = 0;
        for (size_t i = 0; i < len; i++) {
            if (!isdigit((unsigned char)v[i]))
                return false;
            if (s < 86400)
                s = s * 10 + (v[i] - '0');
        }
        *delay_ms = (s > 86400 ? 86400 : s) * 1000;
        return true;
    }
    /* HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms, which
     * curl_getdate also reads). */
    time_t t = curl_getdate(v, NULL);
    if (t == (time_t)-1)
        return false;
    *delay_ms = t > now_unix ? (int64_t)(t - now_unix) * 1000 : 0;
    return true;
}

/* ---- the client -------------------------------------------------------------------- */

/* A copy of s, or NULL for NULL or ""; sets *oom when the copy fails. */
static char *dup_or_null(const char *s, bool *oom)
{
    if (!s || !*s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

genops_status http_tls_copy(struct http_tls *dst, const struct http_tls *src, genops_error *err)
{
    bool oom = false;
    struct http_tls t = {.ca_file = dup_or_null(src->ca_file, &oom),
                         .ca_path = dup_or_null(src->ca_path, &oom),
                         .client_cert = dup_or_null(src->client_cert, &oom),
                         .client_key = dup_or_null(src->client_key, &oom),
                         .insecure = src->insecure};
    if (oom) {
        http_tls_free(&t);
        memset(dst, 0, sizeof *dst);
        return error_set(err, GENOPS_ENOMEM, "out of memory copying the TLS settings");
    }
    *dst = t;
    return GENOPS_OK;
}

void http_tls_free(struct http_tls *tls)
{
    free((char *)tls->ca_file);
    free((char *)tls->ca_path);
    free((char *)tls->client_cert);
    free((char *)tls->client_key);
    memset(tls, 0, sizeof *tls);
}

void http_headers_free(struct http_header *headers, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free((char *)headers[i].name);
        free((char *)headers[i].value);
        headers[i] = (struct http_header){NULL, NULL};
    }
}

/* Sockets are opened here so that after fork the child knows which descriptors are the
 * parent's connections (see http_client_after_fork). CLOEXEC: a child that execs must
 * not keep our connections open. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct http_client *c = clientp;
    (void)purpose;
    if (c->socket_count == MAX_SOCKETS)
        return CURL_SOCKET_BAD;
    int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd >= 0)
        c->sockets[c->socket_count++] = fd;
    return fd >= 0 ? fd : CURL_SOCKET_BAD;
}

/* libcurl closes a connection: forget its descriptor (see open_socket). */
static int close_socket(void *clientp, curl_socket_t fd)
{
    struct http_client *c = clientp;
    for (size_t i = 0; i < c->socket_count; i++) {
        if (c->sockets[i] == fd) {
            c->sockets[i] = c->sockets[--c->socket_count];
            break;
        }
    }
    return close(fd);
}

/* libcurl hands over response body bytes: keep the first HTTP_BODY_KEEP. */
static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    struct http_response *r = userp;
    size_t len = size * n;
    size_t room = HTTP_BODY_KEEP - r->body.len;
    buf_append(&r->body, data, len < room ? len : room);
    return len; /* the rest is read and dropped: a huge error page must not fail us */
}

bool http_header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return false;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    if (vl >= size)
        vl = size - 1;
    memcpy(out, v, vl);
    out[vl] = 0;
    return true;
}

/* What the header callback writes to: the response, and the request's own hook. */
struct header_sink {
    struct http_response *r;
    const struct http_request *req;
};

/* libcurl hands over one response header line: note Retry-After and Content-Type, and
 * pass it to the request's hook. */
static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
    const struct header_sink *sink = userp;
    struct http_response *r = sink->r;
    size_t len = size * n;
    if (sink->req->on_header)
        sink->req->on_header(sink->req->header_ctx, line, len);
    char v[96];
    /* A new status line starts a new response (after a redirect or 100 Continue):
     * forget what the previous one said. */
    if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
        r->retry_after_ms = -1;
        r->content_type[0] = 0;
        buf_truncate(&r->body, 0);
    } else if (http_header_value(line, len, "Retry-After", v, sizeof v)) {
        int64_t ms;
        if (http_parse_retry_after(v, time(NULL), &ms))
            r->retry_after_ms = ms;
    } else {
        http_header_value(line, len, "Content-Type", r->content_type, sizeof r->content_type);
    }
    return len;
}

/* libcurl before 8.0.0 fails the second request on a reused prior-knowledge HTTP/2
 * connection ("Error in the HTTP2 framing layer": it layers HTTP/2 onto the connection
 * again; curl/curl issue 10634, fixed by pull request 10643 in 8.0.0), which Debian 12's
 * 7.88.1 still does. There a cleartext HTTP/2 client asks for prior knowledge only when
 * a new connection is to be made, and for plain HTTP/2 (CURL_HTTP_VERSION_2_0, which
 * reuses the live HTTP/2 connection as it is) otherwise: see h2c_version. TLS negotiates
 * HTTP/2 by ALPN, which is not affected. */
static bool h2c_reuse_broken(const char *url)
{
    return curl_version_info(CURLVERSION_NOW)->version_num < 0x080000 &&
           strncasecmp(url, "http://", 7) == 0;
}

/* True when every connection libcurl holds for c is still open as far as the kernel
 * knows (the peer has not closed or reset it). */
static bool sockets_open(const struct http_client *c)
{
    for (size_t i = 0; i < c->socket_count; i++) {
        struct pollfd p = {.fd = c->sockets[i], .events = POLLRDHUP};
        if (poll(&p, 1, 0) != 0)
            return false;
    }
    return c->socket_count > 0;
}

/* The HTTP version to ask for, on a libcurl with the reuse bug: prior knowledge unless
 * the last request left a live HTTP/2 connection, which is then reused as HTTP/2. (Were
 * that connection gone after all, libcurl would try an HTTP/1.1 upgrade, which a gRPC
 * server refuses: a transport failure, retried with prior knowledge.) */
static long h2c_version(const struct http_client *c)
{
    return c->h2c_live && sockets_open(c) ? (long)CURL_HTTP_VERSION_2_0
                                          : (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
}

/* Set the options that never change on a handle. False when libcurl refuses one (an
 * option this libcurl lacks, or a TLS backend without CA path support). */
static bool setup_handle(struct http_client *c, CURL *h)
{
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
    SET(CURLOPT_HTTPHEADER, c->headers);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
    SET(CURLOPT_OPENSOCKETDATA, c);
    SET(CURLOPT_CLOSESOCKETFUNCTION, close_socket);
    SET(CURLOPT_CLOSESOCKETDATA, c);
    SET(CURLOPT_MAXCONNECTS, (long)MAX_SOCKETS);
    SET(CURLOPT_UPLOAD_BUFFERSIZE, UPLOAD_BUFFER_SIZE);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_TCP_NODELAY, 1L);
    SET(CURLOPT_USERAGENT, "genops-native/" GENOPS_VERSION_STRING);
    if (c->http2)
        SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    /* Only http(s), also after a redirect: a URL must never turn into file:// or smtp. */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    /* Redirects are never followed (docs/reliability.md, "Redirects"): libcurl drops
     * only Authorization on a cross-origin hop, so x-honeycomb-team, X-Api-Key and
     * DD-API-KEY would go to the new host, and https may redirect to cleartext http.
     * A 3xx is a failed export, logged with its Location-free status. */
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_SSL_VERIFYPEER, c->tls.insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, c->tls.insecure ? 0L : 2L);
    if (c->tls.ca_file || c->tls.ca_path) {
        if (c->tls.ca_file)
            SET(CURLOPT_CAINFO, c->tls.ca_file);
        if (c->tls.ca_path)
            SET(CURLOPT_CAPATH, c->tls.ca_path);
    } else {
        if (*default_ca_file)
            SET(CURLOPT_CAINFO, default_ca_file);
        if (*default_ca_path)
            SET(CURLOPT_CAPATH, default_ca_path);
    }
    if (c->tls.client_cert)
        SET(CURLOPT_SSLCERT, c->tls.client_cert);
    if (c->tls.client_key)
        SET(CURLOPT_SSLKEY, c->tls.client_key);
#undef SET
    if (rc != CURLE_OK)
        log_msg(LOG_ERROR, "%s: libcurl refused an option: %s", c->what, curl_easy_strerror(rc));
    return rc == CURLE_OK;
}

/* The client's easy handle, created and set up on first use (and after fork); NULL
 * when libcurl cannot provide one. */
static CURL *handle(struct http_client *c)
{
    if (c->stale) { /* here, on the exporting thread, not in the atfork handler */
        curl_easy_cleanup(c->stale);
        c->stale = NULL;
    }
    if (!c->curl) {
        CURL *h = curl_easy_init();
        if (h && !setup_handle(c, h)) {
            curl_easy_cleanup(h);
            h = NULL;
        }
        c->curl = h;
    }
    return c->curl;
}

/* GENOPS_EINVAL naming what and path when path is set but cannot be read. */
static genops_status check_readable(const char *path, const char *what, genops_error *err)
{
    if (path && access(path, R_OK) != 0)
        return error_set(err, GENOPS_EINVAL, "%s '%.120s' cannot be read", what, path);
    return GENOPS_OK;
}

/* How a message names header number i (from 0): by name when it reads as one (letters
 * and '-' only, at most 64 bytes; no token looks like that), else by position, so that a
 * token pasted as a name is never echoed. python/genops/_runtime.py has the same rule. */
static void header_ref(const char *name, size_t index, char *out, size_t size)
{
    size_t n = strlen(name);
    bool plain = n && n <= 64;
    for (size_t k = 0; plain && k < n; k++)
        plain = name[k] == '-' || ((name[k] | 0x20) >= 'a' && (name[k] | 0x20) <= 'z');
    if (plain)
        snprintf(out, size, "'%s'", name);
    else
        snprintf(out, size, "number %zu (its name is not shown)", index + 1);
}

/* Append "name: value" (header number index) to the client's headers and remember a secret
 * value for redaction. GENOPS_EINVAL for a name or value that would break the request. */
static genops_status add_header(struct http_client *c, const struct http_header *h, size_t index,
                                genops_error *err)
{
    const char *name = h->name ? h->name : "";
    size_t nl = strlen(name);
    /* The name is not echoed: a malformed one is often a pasted "name: token" line. */
    if (!nl || strcspn(name, ": \t\r\n") != nl)
        return error_set(err, GENOPS_EINVAL,
                         "a header name (%zu bytes) is empty or has a colon, space or "
                         "line break",
                         nl);
    const char *value = h->value ? h->value : "";
    /* RFC 9110, 5.5: field values are visible characters, spaces and tabs. A control
     * character (a line break, VT, DEL) would break or smuggle a request. */
    for (const char *p = value; *p; p++) {
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f) {
            char ref[80];
            header_ref(name, index, ref, sizeof ref);
            return error_set(err, GENOPS_EINVAL, "the value of header %s has a control character",
                             ref);
        }
    }
    size_t vl = strlen(value);
    /* "Name;" is libcurl's way to send a header with an empty value ("Name:" removes). */
    char *line = malloc(nl + vl + 3);
    if (!line)
        return error_set(err, GENOPS_ENOMEM, "out of memory copying headers");
    if (vl)
        snprintf(line, nl + vl + 3, "%s: %s", name, value);
    else
        snprintf(line, nl + vl + 3, "%s;", name);
    struct curl_slist *l = curl_slist_append(c->headers, line);
    free(line);
    if (!l)
        return error_set(err, GENOPS_ENOMEM, "out of memory copying headers");
    c->headers = l;
    if (vl && http_header_is_secret(name)) {
        /* The whole value, and the credential after an auth scheme ("Splunk <token>",
         * "Bearer <token>"), which a backend may echo on its own. */
        const char *after_scheme = strchr(value, ' ');
        while (after_scheme && *after_scheme == ' ')
            after_scheme++;
        for (int i = 0; i < 2; i++) {
            const char *secret = i ? after_scheme : value;
            if (!secret || (i && strlen(secret) < MIN_BARE_SECRET))
                continue;
            char *s = strdup(secret);
            if (!s)
                return error_set(err, GENOPS_ENOMEM, "out of memory copying headers");
            c->secrets[c->secret_count++] = s;
        }
    }
    return GENOPS_OK;
}

struct http_client *http_client_new(const struct http_config *cfg, genops_error *err)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        error_set(err, GENOPS_ENOMEM, "libcurl could not initialise: %s",
                  curl_easy_strerror(global_rc));
        return NULL;
    }
    const char *what = cfg->what ? cfg->what : "HTTP exporter";
    if (http_url_check(cfg->url, "endpoint", err) ||
        check_readable(cfg->tls.ca_file, "CA certificate file", err) ||
        check_readable(cfg->tls.client_cert, "client certificate file", err) ||
        check_readable(cfg->tls.client_key, "client key file", err))
        return NULL;

    struct http_client *c = calloc(1, sizeof *c);
    bool oom = !c;
    if (c) {
        c->http2 = cfg->http2;
        c->h2c_workaround = cfg->http2 && h2c_reuse_broken(cfg->url);
        c->url = dup_or_null(cfg->url, &oom);
        c->what = dup_or_null(what, &oom);
        oom = http_tls_copy(&c->tls, &cfg->tls, NULL) != GENOPS_OK || oom;
        c->secrets = calloc(2 * cfg->header_count + 1, sizeof *c->secrets);
        oom = oom || !c->secrets;
    }
    if (oom) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating the %s", what);
        http_client_free(c);
        return NULL;
    }
    http_url_for_log(c->url, c->url_for_log, sizeof c->url_for_log);
    for (size_t i = 0; i < cfg->header_count; i++) {
        if (add_header(c, &cfg->headers[i], i, err)) {
            http_client_free(c);
            return NULL;
        }
    }
    struct curl_slist *l = curl_slist_append(c->headers, "Expect:");
    if (!l || !handle(c)) {
        if (l)
            c->headers = l;
        error_set(err, GENOPS_ENOMEM, "cannot set up libcurl for the %s", what);
        http_client_free(c);
        return NULL;
    }
    c->headers = l;
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
    if (c->tls.insecure)
        log_msg(LOG_WARNING,
                "%s: TLS certificate verification is OFF for %s (insecure "
                "option); anyone on the network path can read and change what is sent",
                what, c->url_for_log);
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    if (c->stale)
        curl_easy_cleanup(c->stale);
    curl_slist_free_all(c->headers);
    for (size_t i = 0; i < c->secret_count; i++)
        free(c->secrets[i]);
    free(c->secrets);
    http_tls_free(&c->tls);
    free(c->url);
    free(c->what);
    free(c);
}

void http_client_after_fork(struct http_client *c)
{
    /* The parent's sockets are shared with us. Closing them is harmless, but cleaning up
     * the handle would first write to them (a TLS close_notify), corrupting the parent's
     * stream. So each one is first replaced by /dev/null: whatever libcurl writes on its
     * way out goes nowhere, and the parent's connection never sees a byte from us. */
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (size_t i = 0; i < c->socket_count; i++) {
        if (devnull < 0 || dup3(devnull, c->sockets[i], O_CLOEXEC) < 0) {
            /* Cannot neutralise it: leak the handle rather than risk the parent's data. */
            c->curl = NULL;
        }
    }
    if (devnull >= 0)
        close(devnull);
    /* Clean the handle up later, on the child's export thread: this runs in an atfork
     * handler, where a lock a parent thread held inside libcurl or TLS could deadlock. */
    c->stale = c->curl;
    c->curl = NULL;
    c->socket_count = 0;
    c->h2c_live = false;
    c->first_count = 0;
}

void http_response_init(struct http_response *r)
{
    memset(r, 0, sizeof *r);
    r->retry_after_ms = -1;
    buf_init(&r->body, HTTP_BODY_KEEP);
}

void http_response_free(struct http_response *r)
{
    buf_free(&r->body);
}

/* Transport failures a later attempt can cure: the peer was not there, went away or was
 * too slow. Certificate problems, bad options and refused protocols are not. */
static bool retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
    }
}

genops_status http_send(struct http_client *c, const struct http_request *req,
                        struct http_response *r)
{
    buf_truncate(&r->body, 0);
    r->status = 0;
    r->retryable = false;
    r->error[0] = 0;
    r->content_type[0] = 0;
    r->retry_after_ms = -1;
    r->bytes_sent = 0;

    uint64_t now = clock_mono_ns();
    if (now + 1000000u > req->deadline_ns) {
        snprintf(r->error, sizeof r->error, "the export deadline passed before sending");
        return GENOPS_ETIMEDOUT;
    }
    long timeout_ms = (long)((req->deadline_ns - now) / 1000000u);
    CURL *h = handle(c);
    if (!h)
        return GENOPS_ENOMEM;

    /* The request's own headers, chained in front of the client's (see file comment). */
    char type_line[128], enc_line[64], timeout_line[40];
    struct curl_slist timeout = {timeout_line, c->headers};
    struct curl_slist *after_enc = req->grpc_timeout ? &timeout : c->headers;
    struct curl_slist enc = {enc_line, after_enc};
    struct curl_slist type = {type_line, req->content_encoding ? &enc : after_enc};
    snprintf(type_line, sizeof type_line, "Content-Type: %s",
             req->content_type ? req->content_type : "application/octet-stream");
    snprintf(enc_line, sizeof enc_line, "Content-Encoding: %s",
             req->content_encoding ? req->content_encoding : "");
    /* TimeoutValue is at most 8 digits (PROTOCOL-HTTP2.md); the deadlines here are a day
     * at most, 86,400,000 ms. */
    snprintf(timeout_line, sizeof timeout_line, "grpc-timeout: %ldm", timeout_ms);

    c->errbuf[0] = 0;
    curl_easy_setopt(h, CURLOPT_URL, req->url ? req->url : c->url);
    if (req->get) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, &type);
    }
    if (c->h2c_workaround)
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, h2c_version(c));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < CONNECT_TIMEOUT_MAX_MS ? timeout_ms : CONNECT_TIMEOUT_MAX_MS);
    struct header_sink sink = {r, req};
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);

    CURLcode rc = curl_easy_perform(h);
    /* The stack-allocated header nodes must not outlive this call. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_off_t up = 0;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up > 0)
        r->bytes_sent = (uint64_t)up;
    long version = 0;
    c->h2c_live = rc == CURLE_OK &&
                  curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version) == CURLE_OK &&
                  version == CURL_HTTP_VERSION_2_0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        return GENOPS_OK;
    }
    snprintf(r->error, sizeof r->error, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    http_client_redact(c, r->error, sizeof r->error);
    r->retryable = retryable(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT && clock_mono_ns() + 1000000u >= req->deadline_ns)
        return GENOPS_ETIMEDOUT;
    return rc == CURLE_OUT_OF_MEMORY ? GENOPS_ENOMEM : GENOPS_EIO;
}

bool http_client_first(struct http_client *c, long key)
{
    for (size_t i = 0; i < c->first_count; i++)
        if (c->firsts[i] == key)
            return false;
    if (c->first_count < MAX_FIRSTS)
        c->firsts[c->first_count++] = key;
    return true;
}

/* A text cut to its buffer before it got here (a backend's error body) may end in the
 * first bytes of a secret, which no whole-value match finds: such a tail of at least
 * TAIL_PREFIX_MIN bytes becomes REDACTED too (cut to fit). */
enum { TAIL_PREFIX_MIN = 3 };

static void redact_cut_tail(const struct http_client *c, char *text, size_t size)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < c->secret_count; i++) {
        size_t sl = strlen(c->secrets[i]);
        for (size_t k = sl - 1 < len ? sl - 1 : len; k >= TAIL_PREFIX_MIN; k--) {
            if (memcmp(text + len - k, c->secrets[i], k) == 0) {
                snprintf(text + len - k, size - (len - k), "%s", REDACTED);
                len = strlen(text);
                break;
            }
        }
    }
}

void http_client_redact(const struct http_client *c, char *text, size_t size)
{
    char *out = c->secret_count ? malloc(size) : NULL;
    if (c->secret_count && !out) {
        snprintf(text, size, "%s", REDACTED); /* cannot check it: print nothing of it */
        return;
    }
    for (size_t i = 0; i < c->secret_count; i++) {
        const char *s = c->secrets[i];
        size_t sl = strlen(s), n = 0;
        for (const char *p = text; *p && n < size - 1;) {
            if (strncmp(p, s, sl) == 0) {
                n += (size_t)snprintf(out + n, size - n, "%s", REDACTED);
                n = n < size - 1 ? n : size - 1;
                p += sl;
            } else {
                out[n++] = *p++;
            }
        }
        out[n] = 0;
        memcpy(text, out, n + 1);
    }
    free(out);
    redact_cut_tail(c, text, size);
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

void http_client_redact_cut(const struct http_client *c, char *text, size_t size, size_t max)
{
    http_client_redact(c, text, size);
    size_t len = strlen(text);
    if (max && len >= max) {
        len = max - 1;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* not inside a character */
        text[len] = 0;
    }
}

const char *http_client_url_for_log(const struct http_client *c)
{
    return c->url_for_log;
}
