/* utf8.h - UTF-8 validation, repair and character-limited truncation.
 *
 * The rule (docs/architecture.md): text that is not valid UTF-8 is never passed
 * through raw. Each maximal ill-formed subsequence becomes one U+FFFD, as Unicode
 * (chapter 3, "U+FFFD substitution of maximal subparts") and Python's
 * bytes.decode("utf-8", "replace") do. Pure functions; any thread. */
#ifndef GENOPS_UTF8_H
#define GENOPS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 prefix of s[0..len). Equal to len when all is valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* Bytes that utf8_repair writes for s[0..len). */
size_t utf8_repaired_len(const char *s, size_t len);

/* Write s[0..len) to dst with every ill-formed subsequence replaced by U+FFFD; dst must
 * hold utf8_repaired_len(s, len) bytes. Returns the bytes written. */
size_t utf8_repair(char *dst, const char *s, size_t len);

/* Byte length of the first max_chars characters of the valid UTF-8 string s. */
size_t utf8_prefix_chars(const char *s, size_t len, size_t max_chars);

/* A copy of s[0..len) that is safe in a log line or an error message: valid UTF-8 with
 * no control characters (each C0, DEL and C1 control and each ill-formed subsequence
 * becomes U+FFFD, so a hostile backend cannot forge log lines or send terminal escapes),
 * NUL-terminated and cut at a character boundary to fit size (at least 1). Returns the
 * bytes written before the NUL. For text from outside, such as a backend's answer. */
size_t utf8_copy_printable(char *out, size_t size, const char *s, size_t len);

#endif
