/* json_check.h - a strict RFC 8259 JSON validator, the independent check of the JSON
 * encoders in tests and fuzzers. Strict: one value and nothing but whitespace around
 * it, no trailing commas, no leading zeros or lone '-', string contents valid UTF-8
 * with no raw control characters, escapes only the eight RFC 8259 forms and \uXXXX
 * (surrogates paired), nesting at most 64 deep. */
#ifndef GENOPS_JSON_CHECK_H
#define GENOPS_JSON_CHECK_H

#include <stddef.h>

/* NULL when s[0..len) is valid JSON, otherwise a description of the first error that
 * includes its byte offset (static storage: one thread). */
const char *json_check(const char *s, size_t len);

#endif
