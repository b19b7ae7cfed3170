/* exporter_for_endpoint.c - genops_exporter_for_endpoint: the one place where an OTLP
 * configuration may reach a protocol other than OTLP (genops.h states the rule).
 *
 * GenOps' Splunk guide points the OTLP options at Splunk's HTTP Event Collector
 * (".../services/collector/raw", "Authorization: Splunk <token>"), which cannot index
 * OTLP; the guide's users expect their spans in Splunk all the same. So this function
 * sends HEC events there instead, with the same TLS, compression and timeout, says so
 * once in the log, and names the choice in genops_exporter_description. Anything else
 * (OTLP/gRPC among it) is genops_otlp_exporter_new's, which is always OTLP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hec/hec_exporter.h"
#include "log.h"
#include "otlp/otlp_config.h"

/* OTLP's "/v1/traces", which a base URL got, becomes HEC's event path; any other URL is
 * kept. NULL when out of memory. */
static char *hec_url_for(const char *otlp_endpoint)
{
    static const char otlp_path[] = "/v1/traces", hec_path[] = "/services/collector/event";
    size_t path_len, start = http_url_path(otlp_endpoint, &path_len);
    bool base =
        path_len == sizeof otlp_path - 1 && !memcmp(otlp_endpoint + start, otlp_path, path_len);
    size_t size = strlen(otlp_endpoint) + sizeof hec_path;
    char *url = malloc(size);
    if (!url)
        return NULL;
    if (base)
        snprintf(url, size, "%.*s%s%s", (int)start, otlp_endpoint, hec_path,
                 otlp_endpoint + start + path_len);
    else
        snprintf(url, size, "%s", otlp_endpoint);
    return url;
}

/* A Splunk HEC exporter from the OTLP configuration c; sign says why. */
static genops_exporter *splunk_instead(const struct otlp_config *c, enum hec_splunk_sign sign,
                                       genops_error *err)
{
    genops_hec_options base;
    genops_hec_options_init(&base);
    base.compression = c->gzip ? GENOPS_COMPRESSION_GZIP : GENOPS_COMPRESSION_NONE;
    base.timeout_ms = c->timeout_ms;
    base.certificate = c->tls.ca_file;
    base.client_key = c->tls.client_key;
    base.client_certificate = c->tls.client_cert;
    base.insecure = c->tls.insecure;
    char *url = hec_url_for(c->endpoint);
    if (!url) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a Splunk HEC exporter");
        return NULL;
    }
    char shown[256];
    http_url_for_log(url, shown, sizeof shown);
    log_msg(LOG_WARNING,
            "OTLP options: %s is a Splunk HTTP Event Collector, which cannot index OTLP; "
            "sending Splunk HEC events there instead",
            shown);
    genops_exporter *hec = hec_exporter_from_endpoint(url, c->headers, c->header_count, &base, err);
    if (hec) {
        size_t path_len, start = http_url_path(c->endpoint, &path_len);
        if (sign == HEC_SPLUNK_PATH)
            snprintf(hec->description, sizeof hec->description,
                     "splunk-hec (chosen for an OTLP endpoint at %.*s)", (int)path_len,
                     c->endpoint + start);
        else
            snprintf(hec->description, sizeof hec->description, "%s",
                     "splunk-hec (chosen for an OTLP endpoint with an \"Authorization: "
                     "Splunk\" header)");
    }
    free(url);
    return hec;
}

genops_exporter *genops_exporter_for_endpoint(const genops_otlp_options *opt, genops_error *err)
{
    struct otlp_config c;
    if (otlp_config_resolve(opt, &c, err))
        return NULL;
    /* OTLP/gRPC is always what was asked for: HEC has no gRPC form to offer instead. */
    enum hec_splunk_sign sign =
        c.grpc ? HEC_NOT_SPLUNK : hec_endpoint_splunk_sign(c.endpoint, c.headers, c.header_count);
    genops_exporter *e = sign ? splunk_instead(&c, sign, err) : genops_otlp_exporter_new(opt, err);
    otlp_config_free(&c);
    return e;
}
