/* hec_response.c - see hec_response.h. */
#include "hec/hec_response.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json_read.h"

/* Splunk's table, index = code (Splunk, "Troubleshoot HTTP Event Collector"). */
static const char *const code_texts[] = {
    "Success",
    "Token disabled",
    "Token is required",
    "Invalid authorization",
    "Invalid token",
    "No data",
    "Invalid data format",
    "Incorrect index",
    "Internal server error",
    "Server is busy",
    "Data channel is missing",
    "Invalid data channel",
    "Event field is required",
    "Event field cannot be blank",
    "ACK is disabled",
    "Error in handling indexed fields",
    "Query string authorization is not enabled",
    "HEC is healthy",
    "HEC is unhealthy, queues are full",
    "HEC is unhealthy, ack service unavailable",
    "HEC is unhealthy, queues are full, ack service unavailable",
    "Invalid token",
    "Token disabled",
    "Server is shutting down",
    "HEC queue is approaching its capacity limit",
    "HEC ACK is approaching its capacity limit",
    "HEC queue is at capacity and cannot process any more requests",
    "HEC ACK channel is at capacity and cannot process any more requests",
};

#define CODES (int)(sizeof code_texts / sizeof *code_texts)

const char *hec_code_text(int code)
{
    return code >= 0 && code < CODES ? code_texts[code] : "";
}

const char *hec_code_hint(int code)
{
    switch (code) {
    case 1:
    case 22:
        return "enable the token under Settings > Data Inputs > HTTP Event Collector, and "
               "check that Global Settings has All Tokens enabled";
    case 2:
    case 3: return "the request must carry \"Authorization: Splunk <token>\"; set SPLUNK_HEC_TOKEN";
    case 4:
    case 21:
        return "Splunk does not know this token; copy it again from Settings > Data Inputs > "
               "HTTP Event Collector into SPLUNK_HEC_TOKEN";
    case 5:
    case 6:
    case 12:
    case 13:
    case 15: return "the event was malformed; please report it, this is a genops bug";
    case 7:
        return "the token may not write to this index: add it to the token's Allowed "
               "Indexes, create the index, or fix SPLUNK_INDEX";
    case 10:
    case 11: return "the token has indexer acknowledgement on and needs a channel GUID";
    case 14:
        return "the token has indexer acknowledgement off: turn use_ack off, or turn "
               "\"Enable indexer acknowledgement\" on for the token";
    case 16: return "query-string authorization is off; genops sends the token in a header";
    case 8:
    case 9:
    case 18:
    case 19:
    case 20:
    case 23:
    case 26:
    case 27: return "retrying with backoff within the export deadline";
    default: return "";
    }
}

void hec_reply_parse(const char *body, size_t len, struct hec_reply *out)
{
    static const char *const code[] = {"code", NULL}, *const text[] = {"text", NULL},
                             *const ack[] = {"ackId", NULL},
                             *const bad[] = {"invalid-event-number", NULL};
    const char *v;
    size_t vl;
    int64_t n;
    out->code = -1;
    out->text[0] = 0;
    out->ack_id = -1;
    out->invalid_event = -1;
    if (!body || !len)
        return;
    if (json_find(body, len, code, &v, &vl) && json_int64(v, vl, &n) && n >= 0 && n < 1000000)
        out->code = (int)n;
    if (json_find(body, len, text, &v, &vl))
        json_text(v, vl, out->text, sizeof out->text);
    if (json_find(body, len, ack, &v, &vl) && json_int64(v, vl, &n) && n >= 0)
        out->ack_id = n;
    if (json_find(body, len, bad, &v, &vl) && json_int64(v, vl, &n) && n >= 0)
        out->invalid_event = n;
}

bool hec_ack_parse(const char *body, size_t len, const int64_t *ids, size_t n, bool *acked)
{
    static const char *const acks[] = {"acks", NULL};
    const char *obj, *v;
    size_t obj_len, vl;
    for (size_t i = 0; i < n; i++)
        acked[i] = false;
    if (!body || !json_find(body, len, acks, &obj, &obj_len) || !obj_len || *obj != '{')
        return false;
    for (size_t i = 0; i < n; i++) {
        char key[24];
        snprintf(key, sizeof key, "%" PRId64, ids[i]);
        const char *path[] = {key, NULL};
        acked[i] = json_find(obj, obj_len, path, &v, &vl) && vl == 4 && memcmp(v, "true", 4) == 0;
    }
    return true;
}

enum hec_verdict hec_classify(long status, const struct hec_reply *r)
{
    if (status >= 200 && status < 300)
        return HEC_DELIVERED;
    if (status == 413)
        return HEC_TOO_LARGE;
    if (status == 429 || status >= 500)
        return HEC_RETRY;
    switch (r->code) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 21:
    case 22: return HEC_AUTH;
    case 7: return HEC_INDEX;
    case 9: /* "Server is busy" answers 503, but a proxy may have changed the status */
    case 8: return HEC_RETRY;
    case 6:
    case 12:
    case 13:
    case 15: return r->invalid_event >= 0 ? HEC_INVALID_EVENT : HEC_REJECTED;
    default: break;
    }
    return status == 401 || status == 403 ? HEC_AUTH : HEC_REJECTED;
}
