/* hec_response.h - reading what Splunk HEC answered, and what it means.
 *
 * HEC answers every request with {"text": "...", "code": n} (plus "ackId" after an
 * accepted request on a token with indexer acknowledgement, and "invalid-event-number"
 * when one object of a batch was refused), and /services/collector/ack with
 * {"acks": {"<id>": true|false, ...}}. The codes are Splunk's table in "Troubleshoot
 * HTTP Event Collector" (0 Success ... 27 HEC ACK channel at capacity). Bodies are
 * untrusted: everything is bounded and checked. Pure; any thread. */
#ifndef GENOPS_HEC_RESPONSE_H
#define GENOPS_HEC_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define HEC_TEXT_SHOWN 160 /* bytes of HEC's text a message shows (the NUL included) */

struct hec_reply {
    int code;                  /* HEC's code; -1 when the body has none */
    char text[HTTP_TEXT_ROOM]; /* HEC's text, "" when none; HEC_TEXT_SHOWN once redacted */
    int64_t ack_id;            /* -1 when absent */
    int64_t invalid_event;     /* 0-based index of the refused object; -1 when absent */
};

/* Read body[0..len) into *out; fields that are absent or malformed keep their "none"
 * values. Never fails. */
void hec_reply_parse(const char *body, size_t len, struct hec_reply *out);

/* From an /ack answer: acked[i] = true when ids[i] is reported true. False when the
 * body has no "acks" object (every acked[i] false then). */
bool hec_ack_parse(const char *body, size_t len, const int64_t *ids, size_t n, bool *acked);

/* What to do about an answer. */
enum hec_verdict {
    HEC_DELIVERED,     /* 2xx */
    HEC_RETRY,         /* busy, 5xx, 429: may succeed later (with backoff) */
    HEC_TOO_LARGE,     /* 413: split the request */
    HEC_INVALID_EVENT, /* one named object is malformed: drop it, re-send the rest */
    HEC_AUTH,          /* token missing, invalid or disabled */
    HEC_INDEX,         /* the token may not write the index */
    HEC_REJECTED       /* anything else a retry cannot cure */
};

/* Classify HTTP status with reply (whose invalid_event matters only for the codes of
 * a malformed object: 6, 12, 13, 15). */
enum hec_verdict hec_classify(long status, const struct hec_reply *reply);

/* Splunk's own text for a code ("Invalid token"); "" for an unknown one. */
const char *hec_code_text(int code);

/* What a person should do about a code, one clause ("check SPLUNK_HEC_TOKEN ...");
 * "" when there is nothing to add. */
const char *hec_code_hint(int code);

#endif
