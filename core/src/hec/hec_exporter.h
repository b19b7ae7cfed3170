/* hec_exporter.h - what other files need of the Splunk HEC exporter.
 *
 * GenOps' Splunk guide configures Splunk through the OTLP options
 * (otlp_endpoint=".../services/collector/raw", otlp_headers={"Authorization": "Splunk
 * <token>"}). Splunk cannot index OTLP, so genops_exporter_for_endpoint
 * (exporter_for_endpoint.c) asks hec_endpoint_splunk_sign (hec_config.h) and, when it
 * says so, builds a HEC exporter from the same endpoint and headers instead. */
#ifndef GENOPS_EXPORTER_HEC_H
#define GENOPS_EXPORTER_HEC_H

#include "exporter.h"
#include "hec/hec_config.h"
#include "http.h"

/* A HEC exporter for url and headers (see hec_config_from_endpoint: the token comes
 * from "Authorization: Splunk <token>", the channel from a non-empty
 * X-Splunk-Request-Channel, other headers are sent as they are). base (may be NULL)
 * gives the other options: TLS, compression, timeout; the SPLUNK_* variables fill the
 * rest (index, sourcetype, ...). The format follows the path (/raw or /event). Returns
 * NULL and fills *err as genops_hec_exporter_new does. */
genops_exporter *hec_exporter_from_endpoint(const char *url, const struct http_header *headers,
                                            size_t header_count, const genops_hec_options *base,
                                            genops_error *err);

#endif
