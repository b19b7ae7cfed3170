/* msgpack_check.c - see msgpack_check.h. */
#include "msgpack_check.h"

#include <msgpack.h>
#include <stdbool.h>
#include <string.h>

#include "utf8.h"

static bool str_is(const msgpack_object *o, const char *s)
{
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
           !memcmp(o->via.str.ptr, s, o->via.str.size);
}

static bool hex_str(const msgpack_object *o, size_t n)
{
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", o->via.str.ptr[i]) || !o->via.str.ptr[i])
            return false;
    return true;
}

/* Every str in o (keys and values, nested) is valid UTF-8. */
static bool utf8_everywhere(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_STR:
        return utf8_valid_prefix(o->via.str.ptr, o->via.str.size) == o->via.str.size;
    case MSGPACK_OBJECT_ARRAY:
        for (uint32_t i = 0; i < o->via.array.size; i++)
            if (!utf8_everywhere(&o->via.array.ptr[i]))
                return false;
        return true;
    case MSGPACK_OBJECT_MAP:
        for (uint32_t i = 0; i < o->via.map.size; i++)
            if (!utf8_everywhere(&o->via.map.ptr[i].key) ||
                !utf8_everywhere(&o->via.map.ptr[i].val))
                return false;
        return true;
    default: return true;
    }
}

static bool rfc3339(const msgpack_object *o)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size != sizeof shape - 1)
        return false;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        char c = o->via.str.ptr[i];
        if (shape[i] == 'd' ? c < '0' || c > '9' : c != shape[i])
            return false;
    }
    return true;
}

static const char *check_data(const msgpack_object *d, bool unique_keys)
{
    if (d->type != MSGPACK_OBJECT_MAP)
        return "data is not a map";
    const msgpack_object *name = NULL, *tid = NULL, *sid = NULL, *dur = NULL, *status = NULL;
    for (uint32_t i = 0; i < d->via.map.size; i++) {
        const msgpack_object *k = &d->via.map.ptr[i].key, *v = &d->via.map.ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR || !k->via.str.size)
            return "a data key is not a non-empty str";
        for (uint32_t j = 0; unique_keys && j < i; j++) {
            const msgpack_object *o = &d->via.map.ptr[j].key;
            if (o->via.str.size == k->via.str.size &&
                !memcmp(o->via.str.ptr, k->via.str.ptr, k->via.str.size))
                return "a data key appears twice";
        }
        if (str_is(k, "name"))
            name = v;
        else if (str_is(k, "trace.trace_id"))
            tid = v;
        else if (str_is(k, "trace.span_id"))
            sid = v;
        else if (str_is(k, "duration_ms"))
            dur = v;
        else if (str_is(k, "status"))
            status = v;
    }
    if (!name || name->type != MSGPACK_OBJECT_STR)
        return "no name";
    if (!tid || !hex_str(tid, 32) || !sid || !hex_str(sid, 16))
        return "no trace.trace_id / trace.span_id in hex";
    if (!dur || dur->type != MSGPACK_OBJECT_FLOAT64 || !(dur->via.f64 >= 0))
        return "duration_ms is not a float64 >= 0";
    if (!status || !(str_is(status, "success") || str_is(status, "error")))
        return "status is not success or error";
    return utf8_everywhere(d) ? NULL : "a str is not valid UTF-8";
}

const char *msgpack_check_events(const char *body, size_t len, size_t count, bool unique_keys)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    const char *why = NULL;
    if (msgpack_unpack_next(&u, body, len, &off) != MSGPACK_UNPACK_SUCCESS)
        why = "not one msgpack value";
    else if (off != len)
        why = "bytes after the array";
    else if (u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size != count)
        why = "not an array of one event per span";
    for (uint32_t i = 0; !why && i < u.data.via.array.size; i++) {
        const msgpack_object *e = &u.data.via.array.ptr[i];
        if (e->type != MSGPACK_OBJECT_MAP || e->via.map.size != 2 ||
            !str_is(&e->via.map.ptr[0].key, "time") || !str_is(&e->via.map.ptr[1].key, "data"))
            why = "an event is not {time, data}";
        else if (!rfc3339(&e->via.map.ptr[0].val))
            why = "time is not RFC 3339 UTC with nine fraction digits";
        else
            why = check_data(&e->via.map.ptr[1].val, unique_keys);
    }
    msgpack_unpacked_destroy(&u);
    return why;
}
