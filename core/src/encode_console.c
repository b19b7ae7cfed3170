/* encode_console.c - see encode_console.h. Example:
 *
 *   span "chat.completion" 12.345 ms status=OK
 *     trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7 parent -
 *     start 2026-11-21T10:14:17.123456789Z
 *     genops.cost.total = 0.02
 *     genops.team = "ml-platform"
 *     event "exception" +1.200 ms
 *       exception.type = "ValueError"
 */
#include "encode_console.h"

#include <string.h>
#include <time.h>

#include "derived.h"
#include "numfmt.h"

static void put_value(struct buf *out, const genops_value *v)
{
    char num[NUMFMT_DOUBLE_MAX];
    switch (v->type) {
    case GENOPS_TYPE_STRING:
        buf_putc(out, '"');
        buf_append(out, v->u.s, v->len);
        buf_putc(out, '"');
        return;
    case GENOPS_TYPE_INT: buf_put_i64(out, v->u.i); return;
    case GENOPS_TYPE_DOUBLE: buf_append(out, num, numfmt_double(v->u.d, num)); return;
    case GENOPS_TYPE_BOOL: buf_puts(out, v->u.b ? "true" : "false"); return;
    case GENOPS_TYPE_NULL: buf_puts(out, "null"); return;
    default: break;
    }
    buf_putc(out, '[');
    for (size_t i = 0; i < v->len; i++) {
        genops_value item = {
            .type = (genops_type)(v->type - GENOPS_TYPE_STRING_ARRAY + GENOPS_TYPE_STRING)};
        if (v->type == GENOPS_TYPE_STRING_ARRAY) {
            item.u.s = v->u.sa[i];
            item.len = strlen(v->u.sa[i]);
        } else if (v->type == GENOPS_TYPE_INT_ARRAY) {
            item.u.i = v->u.ia[i];
        } else if (v->type == GENOPS_TYPE_DOUBLE_ARRAY) {
            item.u.d = v->u.da[i];
        } else {
            item.u.b = v->u.ba[i];
        }
        if (i)
            buf_puts(out, ", ");
        put_value(out, &item);
    }
    buf_putc(out, ']');
}

static void put_attrs(struct buf *out, const struct attr *attrs, uint32_t n, const char *indent)
{
    for (uint32_t i = 0; i < n; i++) {
        buf_puts(out, indent);
        buf_append(out, attrs[i].key, attrs[i].key_len);
        buf_puts(out, " = ");
        put_value(out, &attrs[i].value);
        buf_putc(out, '\n');
    }
}

static void put_ms(struct buf *out, uint64_t ns)
{
    buf_printf(out, "%llu.%03llu ms", (unsigned long long)(ns / 1000000u),
               (unsigned long long)(ns / 1000u % 1000u));
}

static void put_span(struct buf *out, const struct span *s, bool derived)
{
    static const char *const status[] = {"UNSET", "OK", "ERROR"};
    buf_puts(out, "span \"");
    buf_append(out, s->name, s->name_len);
    buf_puts(out, "\" ");
    put_ms(out, s->end_ns - s->start_ns);
    buf_printf(out, " status=%s", status[s->status % 3]);
    if (s->status_message) {
        buf_puts(out, " \"");
        buf_append(out, s->status_message, s->status_message_len);
        buf_putc(out, '"');
    }
    buf_puts(out, "\n  trace ");
    buf_put_hex(out, s->trace_id, 16);
    buf_puts(out, " span ");
    buf_put_hex(out, s->span_id, 8);
    buf_puts(out, " parent ");
    if (s->has_parent)
        buf_put_hex(out, s->parent_span_id, 8);
    else
        buf_putc(out, '-');
    time_t secs = (time_t)(s->start_ns / 1000000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    buf_printf(out, "\n  start %04d-%02d-%02dT%02d:%02d:%02d.%09lluZ\n", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               (unsigned long long)(s->start_ns % 1000000000u));
    put_attrs(out, s->attrs.items, s->attrs.count, "  ");
    struct derived more;
    derive(s, derived, &more);
    put_attrs(out, more.items, more.count, "  ");
    if (s->dropped_attributes || s->truncated_values || s->dropped_events)
        buf_printf(out, "  (dropped %u attributes, %u events; truncated %u values)\n",
                   s->dropped_attributes, s->dropped_events, s->truncated_values);
    for (uint32_t i = 0; i < s->event_count; i++) {
        const struct event *e = &s->events[i];
        buf_puts(out, "  event \"");
        buf_append(out, e->name, e->name_len);
        buf_puts(out, "\" +");
        put_ms(out, e->time_ns > s->start_ns ? e->time_ns - s->start_ns : 0);
        buf_putc(out, '\n');
        put_attrs(out, e->attrs, e->count, "    ");
    }
}

genops_status encode_console(const struct batch *b, struct buf *out)
{
    size_t mark = out->len;
    for (size_t i = 0; i < b->count; i++)
        put_span(out, b->spans[i], b->derived);
    genops_status rc = buf_status(out);
    if (rc)
        buf_truncate(out, mark);
    return rc;
}
