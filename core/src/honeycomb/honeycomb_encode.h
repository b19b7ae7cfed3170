/* honeycomb_encode.h - a batch as the body of Honeycomb's Events API batch request
 * (POST /1/batch/<dataset>), in MessagePack (Content-Type: application/msgpack).
 *
 * The body is an array with one map per span, {"time": <RFC 3339>, "data": {...}}, plus
 * "samplerate" when the span has a positive int attribute SampleRate (then not in data):
 *  - "time": the span's start, UTC, nanoseconds, "2026-12-02T17:20:00.123456789Z"; the
 *    digits are written by hand, so no locale can change them;
 *  - "data": flat, one field per attribute under its dotted name with its type kept
 *    (str, int, float64, bool, arrays of them), then the span itself as Honeycomb's own
 *    OTLP ingest names it: name, trace.trace_id, trace.span_id, trace.parent_id (children
 *    only), service.name, duration_ms (float64), span.kind, status_code, error and
 *    status_message (errors only), plus the guide's status ("success" / "error"), and the
 *    resource attributes a span does not override. A field is written once: an
 *    attribute named like one of the span's own fields is left out, as in encode_hec.
 * Strings that are not valid UTF-8 (the core never stores any) are repaired to U+FFFD
 * rather than sent as invalid msgpack str. Pure: no I/O, no globals; any thread. */
#ifndef GENOPS_HONEYCOMB_ENCODE_H
#define GENOPS_HONEYCOMB_ENCODE_H

#include "buf.h"
#include "exporter.h"

/* Honeycomb's limit for one event: "The entire event must be less than 1 MB of
 * uncompressed JSON" (docs.honeycomb.io/api/events/create-an-event, "Limits"). Measured
 * here on the event's msgpack map, which is what the intake decodes. */
#define HONEYCOMB_MAX_EVENT_BYTES ((size_t)1000000)

/* Append the batch body for b to out. GENOPS_ETOOBIG when out's limit would be passed
 * or when one event alone is over HONEYCOMB_MAX_EVENT_BYTES (the send loop halves the
 * batch until that event is alone, then drops and counts it, never sending it),
 * GENOPS_ENOMEM; on failure out is left as it was on entry. */
genops_status encode_honeycomb_msgpack(const struct batch *b, struct buf *out);

/* t (nanoseconds since the epoch) as RFC 3339 UTC with nine fraction digits into
 * out[31]; returns the length (30). */
size_t honeycomb_rfc3339(uint64_t unix_ns, char out[31]);

#endif
