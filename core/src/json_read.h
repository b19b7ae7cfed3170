/* json_read.h - reading one value out of a small JSON document (RFC 8259), such as a
 * backend's response: OTLP/JSON's partialSuccess, Splunk HEC's {"text":..,"code":..}.
 *
 * No tree is built: json_find walks the text to the member wanted and hands back the
 * span of its value. Malformed input, nesting deeper than JSON_MAX_DEPTH and anything
 * past len are failures, never crashes; documents are untrusted. Pure; any thread. */
#ifndef GENOPS_JSON_READ_H
#define GENOPS_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

/* Find the value at path, a NULL-terminated list of object member names from the top
 * level down (e.g. {"partialSuccess", "rejectedSpans", NULL}). On success *value and
 * *value_len span the value's text (a string keeps its quotes). False when the document
 * is malformed up to that point or the member is absent. */
bool json_find(const char *doc, size_t len, const char *const *path, const char **value,
               size_t *value_len);

/* Call fn for each item of the JSON array doc[0..len), in order, with the item's text
 * (as json_find gives a value). Returns how many items were complete and well-formed
 * before the array ended or stopped being well-formed (a body cut short keeps its
 * first items); -1 when doc is not an array at all. */
long json_array_each(const char *doc, size_t len,
                     void (*fn)(const char *item, size_t item_len, size_t index, void *ctx),
                     void *ctx);

/* Call fn for each member of the JSON object doc[0..len), in order, with its name's string
 * token (quotes kept, escapes undecoded) and its value's text. Returns how many members
 * were well-formed before the object ended or stopped being well-formed; -1 when doc is
 * not an object at all. */
long json_object_each(const char *doc, size_t len,
                      void (*fn)(const char *name, size_t name_len, const char *value,
                                 size_t value_len, void *ctx),
                      void *ctx);

/* Decode the JSON string token tok[0..len) (quotes included) into out as UTF-8,
 * NUL-terminated and cut to size - 1 bytes. False when tok is not a valid string. */
bool json_string(const char *tok, size_t len, char *out, size_t size);

/* json_string, then utf8_copy_printable: a string token from a backend's answer, ready
 * for a log line or an error message. */
bool json_text(const char *tok, size_t len, char *out, size_t size);

/* Read a whole number given as a JSON number or as a string of digits (proto3's JSON
 * mapping writes int64 as a string). False for anything else or out of range. */
bool json_int64(const char *tok, size_t len, int64_t *out);

#endif
