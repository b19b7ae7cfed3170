/* hec_encode.h - a batch as Splunk HTTP Event Collector events.
 *
 * Each span becomes one event whose body is a flat JSON object: the span's name, ids,
 * status and duration, service.name, and every attribute under its own dotted key
 * with its JSON type kept, so that SPL such as
 *     index=genops_ai | stats sum(genops.cost.total) by genops.team
 * aggregates it without spath or renames. Two framings of the same bodies:
 *
 *  - event (/services/collector/event): concatenated envelope objects, no array and
 *    no separator (Splunk, "Format events for HTTP Event Collector": a batch is
 *    event objects one after another), each
 *      {"time":1700000000.123456789,"host":..,"source":..,"sourcetype":..,
 *       "index":..,"event":{..},"fields":{..}}
 *    with only the envelope keys HEC knows (an unknown key makes Splunk drop the rest
 *    of the request silently) and "fields" values as strings or arrays of strings (a
 *    nested value is HEC error 15).
 *  - raw (/services/collector/raw): one line per span, the body object itself with
 *    "time" as its first member, '\n'-terminated. HEC takes host, source, sourcetype
 *    and index for /raw from the query string (encode_hec_meta gives them), and the
 *    line's text becomes _raw, so the same body keys are the same search fields.
 *
 * Pure functions: no I/O, no globals, no locale (numbers are written by buf and
 * numfmt); tests and fuzzers call them directly. Any thread. */
#ifndef GENOPS_ENCODE_HEC_H
#define GENOPS_ENCODE_HEC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "exporter.h"

#define HEC_DEFAULT_SOURCETYPE "genops:telemetry"

/* What every event of one exporter shares. Strings are NUL-terminated UTF-8 (invalid
 * bytes are written as U+FFFD); NULL means "not configured". */
struct hec_encoding {
    bool raw;                 /* raw lines, else event envelopes */
    const char *host;         /* configured host; see encode_hec_meta for the fallbacks */
    const char *default_host; /* the last fallback for host (the machine's name) */
    const char *source;
    const char *sourcetype;
    const char *index;
    const char *const *fields; /* keys also sent as indexed "fields" (event mode only) */
    size_t field_count;
};

/* The envelope metadata of a batch, after fallbacks. Pointers borrow from the encoding
 * or the resource; NULL = leave it out (HEC then applies the token's default). */
struct hec_meta {
    const char *host, *source, *sourcetype, *index;
    size_t host_len, source_len, sourcetype_len, index_len;
};

/* Resolve the metadata for spans of resource r (may be NULL): each configured value,
 * else the resource attribute the Splunk guide sets (host: host.name, then host;
 * index: splunk.index; sourcetype: splunk.sourcetype; source: splunk.source), else
 * host = default_host and sourcetype = HEC_DEFAULT_SOURCETYPE. Never fails. */
void encode_hec_meta(const struct hec_encoding *enc, const struct resource *r,
                     struct hec_meta *out);

/* Append `,"host":"h","source":"s","sourcetype":"t","index":"i"`: the members of m that
 * are set, as every event envelope carries them after "time". Follows buf's failure rule
 * (check buf_ok). */
void encode_hec_envelope(struct buf *out, const struct hec_meta *m);

/* Append one event (or raw line) per span of b to out. When ends is not NULL,
 * ends[i] receives the offset in out just past span i's event, so a caller can cut
 * the payload at event boundaries. Returns GENOPS_OK; GENOPS_ETOOBIG when out's limit
 * would be passed; GENOPS_ENOMEM. On failure out is left as it was on entry: the
 * transport never sees a partial payload. */
genops_status encode_hec(const struct batch *b, const struct hec_encoding *enc, struct buf *out,
                         size_t *ends);

#endif
