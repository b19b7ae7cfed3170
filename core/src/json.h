/* json.h - the pieces of JSON text every JSON encoder shares (OTLP/JSON, Splunk HEC).
 *
 * Appends to a buf and follows its failure rule: on ENOMEM or the buffer's limit, the
 * buf's sticky failure flag is set and the encoder checks buf_ok once at the end. The
 * output is valid JSON (RFC 8259) for every input, so callers need no checks of their
 * own. Pure; any thread, one buf per thread. */
#ifndef GENOPS_JSON_H
#define GENOPS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* s[0..len) as a JSON string: quoted, with '"', '\\' and the control characters
 * U+0000..U+001F escaped (\b \f \n \r \t, the others as \u00XX). Bytes that are not
 * valid UTF-8 become U+FFFD, one per maximal ill-formed subsequence (as utf8_repair
 * does): the core already repairs what it stores, but this also writes other input. */
void json_put_string(struct buf *out, const char *s, size_t len);

/* d as the shortest number that reads back to d (numfmt_double). NaN and infinities,
 * which are not JSON numbers, are written as the strings "NaN", "Infinity" and
 * "-Infinity", which is how the proto3 JSON mapping spells them. */
void json_put_double(struct buf *out, double d);

/* bytes[0..n) as a JSON string of lowercase hex digits: how OTLP/JSON and the HEC events
 * write trace and span ids. */
void json_put_hex(struct buf *out, const uint8_t *bytes, size_t n);

#endif
