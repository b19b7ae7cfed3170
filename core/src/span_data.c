/* span_data.c - read-only accessors of finished spans (genops_span_data is a finished
 * struct span that an exporter keeps, or a live one seen through genops_span_view by the
 * thread that owns it). NULL-safe: a NULL span reads as empty. */
#include <string.h>

#include "span.h"

#define SPAN(d) ((const struct span *)(d))

const char *genops_span_data_name(const genops_span_data *d)
{
    return d ? SPAN(d)->name : "";
}

void genops_span_data_context(const genops_span_data *d, genops_span_context *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (d) {
        memcpy(out->trace_id, SPAN(d)->trace_id, sizeof out->trace_id);
        memcpy(out->span_id, SPAN(d)->span_id, sizeof out->span_id);
        out->trace_flags = SPAN(d)->trace_flags;
    }
}

bool genops_span_data_parent(const genops_span_data *d, uint8_t parent_span_id[8])
{
    if (!d || !SPAN(d)->has_parent)
        return false;
    if (parent_span_id)
        memcpy(parent_span_id, SPAN(d)->parent_span_id, 8);
    return true;
}

uint64_t genops_span_data_start_ns(const genops_span_data *d)
{
    return d ? SPAN(d)->start_ns : 0;
}

uint64_t genops_span_data_end_ns(const genops_span_data *d)
{
    return d ? SPAN(d)->end_ns : 0;
}

genops_span_kind genops_span_data_kind(const genops_span_data *d)
{
    return d ? (genops_span_kind)SPAN(d)->kind : GENOPS_SPAN_KIND_INTERNAL;
}

genops_span_status genops_span_data_status(const genops_span_data *d, const char **message)
{
    if (message)
        *message = d && SPAN(d)->status_message ? SPAN(d)->status_message : "";
    return d ? (genops_span_status)SPAN(d)->status : GENOPS_SPAN_STATUS_UNSET;
}

size_t genops_span_data_attribute_count(const genops_span_data *d)
{
    return d ? SPAN(d)->attrs.count : 0;
}

bool genops_span_data_attribute(const genops_span_data *d, size_t index, genops_attribute *out)
{
    if (!d || !out || index >= SPAN(d)->attrs.count)
        return false;
    out->key = SPAN(d)->attrs.items[index].key;
    out->value = SPAN(d)->attrs.items[index].value;
    return true;
}

static bool find_in(const struct attr *items, uint32_t count, const char *key, genops_value *out)
{
    if (!key || !out)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        if (strcmp(items[i].key, key) == 0) {
            *out = items[i].value;
            return true;
        }
    }
    return false;
}

bool genops_span_data_find(const genops_span_data *d, const char *key, genops_value *out)
{
    return d && find_in(SPAN(d)->attrs.items, SPAN(d)->attrs.count, key, out);
}

uint32_t genops_span_data_dropped_attributes(const genops_span_data *d)
{
    return d ? SPAN(d)->dropped_attributes : 0;
}

uint32_t genops_span_data_truncated_values(const genops_span_data *d)
{
    return d ? SPAN(d)->truncated_values : 0;
}

size_t genops_span_data_event_count(const genops_span_data *d)
{
    return d ? SPAN(d)->event_count : 0;
}

const char *genops_span_data_event(const genops_span_data *d, size_t index, uint64_t *time_ns)
{
    if (!d || index >= SPAN(d)->event_count)
        return NULL;
    if (time_ns)
        *time_ns = SPAN(d)->events[index].time_ns;
    return SPAN(d)->events[index].name;
}

bool genops_span_data_event_find(const genops_span_data *d, size_t index, const char *key,
                                 genops_value *out)
{
    if (!d || index >= SPAN(d)->event_count)
        return false;
    return find_in(SPAN(d)->events[index].attrs, SPAN(d)->events[index].count, key, out);
}

const genops_span_data *genops_span_view(genops_span h)
{
    return (const genops_span_data *)span_lookup(h);
}
