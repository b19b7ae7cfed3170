/* otlp_pbc.h - protobuf-c, generated from core/proto, as the reference for the OTLP
 * encoders: tests, fuzzers and benchmarks only (the library never links protobuf-c).
 *
 * Builds the ExportTraceServiceRequest that encode_otlp_pb promises for a batch and
 * packs it with protobuf-c's generic packer (the differential oracle), and checks a
 * request that protobuf-c decoded against the batch it came from, field by field.
 *
 * protobuf-c strings end at their first NUL, so neither side can carry a string with
 * an embedded NUL: callers keep such strings out of batches they check here. */
#ifndef GENOPS_OTLP_PBC_H
#define GENOPS_OTLP_PBC_H

#include <stddef.h>
#include <stdint.h>

#include "exporter.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest otlp_pbc_request;

/* b packed by protobuf-c into a new malloc'd buffer of *len bytes (free it); NULL when
 * malloc fails. The same as otlp_pbc_build + otlp_pbc_pack_built + otlp_pbc_release. */
uint8_t *otlp_pbc_pack(const struct batch *b, size_t *len);

/* The two halves of otlp_pbc_pack, so that a benchmark can time the packer alone: the
 * protobuf-c message for b (NULL on ENOMEM; it points into b, which must outlive it),
 * and that message packed as otlp_pbc_pack does. */
struct otlp_pbc_built;
struct otlp_pbc_built *otlp_pbc_build(const struct batch *b);
uint8_t *otlp_pbc_pack_built(const struct otlp_pbc_built *m, size_t *len);
void otlp_pbc_release(struct otlp_pbc_built *m);

/* data decoded by protobuf-c's unpacker, or NULL when it is not a valid message. Free
 * with otlp_pbc_free. */
otlp_pbc_request *otlp_pbc_unpack(const uint8_t *data, size_t len);
void otlp_pbc_free(otlp_pbc_request *m);

/* NULL when m is exactly b as encode_otlp_pb promises (one ResourceSpans with b's
 * resource, one ScopeSpans with its scope, every span field); otherwise a description
 * of the first difference, in static storage (one thread). */
const char *otlp_pbc_mismatch(const otlp_pbc_request *m, const struct batch *b);

#endif
