/* otlp_encode.h - a batch as one OTLP ExportTraceServiceRequest, protobuf or JSON.
 *
 * Pure functions: no I/O, no globals; tests and fuzzers call them directly. Each
 * appends to out and, on failure (out's limit reached, ENOMEM), returns the error and
 * leaves out as it was on entry: the transport never sees a partial payload. */
#ifndef GENOPS_ENCODE_OTLP_H
#define GENOPS_ENCODE_OTLP_H

#include "buf.h"
#include "exporter.h"

genops_status encode_otlp_pb(const struct batch *b, struct buf *out);
genops_status encode_otlp_json(const struct batch *b, struct buf *out);

#endif
