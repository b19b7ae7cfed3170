/* spool_record.h - one spooled request as bytes: the record format of a segment file,
 * and the reader that walks a segment's bytes.
 *
 * A segment is records back to back, nothing else. A record, little-endian:
 *   magic  u32  "GSR1"
 *   length u32  of the payload
 *   crc    u32  CRC-32 (ISO-HDLC, zlib's, via libdeflate) of length and payload
 *   payload: spans u32, then content type, content encoding and URL, each as a u16
 *            length (the NUL included) and the NUL-terminated text, then the body.
 * The reader never trusts a byte before the CRC says so: a short tail (a write torn by
 * a crash or a full disk) is SPOOL_READ_TORN, a wrong magic, length or CRC is
 * SPOOL_READ_CORRUPT; either way the rest of the segment is skipped, since a length
 * that cannot be trusted leaves no next record to find. */
#ifndef GENOPS_SPOOL_RECORD_H
#define GENOPS_SPOOL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SPOOL_RECORD_HEADER 12u
#define SPOOL_RECORD_MAX    (64u << 20) /* a payload longer than this is corrupt */

struct spool_record {
    uint32_t spans;               /* the items the request carries */
    const char *content_type;     /* never NULL once read */
    const char *content_encoding; /* NULL: none */
    const char *url;
    const uint8_t *body;
    size_t len;
};

enum spool_read {
    SPOOL_READ_OK,     /* *out is the record (pointing into the bytes read) */
    SPOOL_READ_END,    /* no byte left */
    SPOOL_READ_TORN,   /* a record starts but its bytes stop short */
    SPOOL_READ_CORRUPT /* bytes that are not a record */
};

/* Append r's record to out; its length (header included) is the growth of out->len.
 * GENOPS_ETOOBIG when the payload would pass SPOOL_RECORD_MAX or a text 64 KiB. */
genops_status spool_record_encode(const struct spool_record *r, struct buf *out);

/* The payload length a header announces: SPOOL_READ_OK, SPOOL_READ_TORN (fewer than
 * SPOOL_RECORD_HEADER bytes), SPOOL_READ_CORRUPT (wrong magic, length over the max). */
enum spool_read spool_record_length(const uint8_t *data, size_t avail, uint32_t *payload);

/* Read the record at data[*off..len): on SPOOL_READ_OK *out points into data and *off
 * is past the record; otherwise *off is unchanged. */
enum spool_read spool_record_next(const uint8_t *data, size_t len, size_t *off,
                                  struct spool_record *out);

#endif
