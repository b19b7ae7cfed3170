/* msgpack_check.h - a strict reader of Honeycomb event batches in MessagePack, for the
 * encoder's unit test and fuzzer: msgpack-c's unpacker (not its packer, which wrote the
 * bytes) parses the whole body, and the shape Honeycomb's /1/batch takes is checked. */
#ifndef GENOPS_MSGPACK_CHECK_H
#define GENOPS_MSGPACK_CHECK_H

#include <stddef.h>

/* NULL when body[0..len) is exactly one msgpack array of `count` events, each a map of
 * exactly "time" (an RFC 3339 UTC str, nine fraction digits) and "data" (a map whose
 * keys are non-empty strs - and unique, with unique_keys - whose strs are all valid
 * UTF-8, and which has name,
 * trace.trace_id (32 hex digits), trace.span_id (16), duration_ms (float64 >= 0), status
 * ("success" or "error")); else what is wrong. */
#include <stdbool.h>

const char *msgpack_check_events(const char *body, size_t len, size_t count, bool unique_keys);

#endif
