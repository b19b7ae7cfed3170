/* otel_export.c - OpenTelemetry SDK spans into the native pipeline:
 * genops._native.record_otel_span(span), what genops.otel_sdk's NativeSpanProcessor.on_end
 * and NativeSpanExporter.export call for each finished ReadableSpan.
 *
 * A span is converted here, in C, and recorded whole with genops_span_start_with_ids,
 * genops_span_add_event_at and genops_span_end_at: the same trace, span and parent ids,
 * trace flags, name, kind, start and end times, status, attributes and events. From then
 * on it is a native span like any other: batched, encoded and sent by the pipeline's
 * exporters with their retries, spool and stats. What the OpenTelemetry span carries
 * beyond one span (its Resource and InstrumentationScope) comes from
 * genops.otel_sdk._extras(resource, scope), asked once per distinct pair (kept here); a span
 * with GenAI attributes (gen_ai.provider.name or gen_ai.system) also gets
 * genops.otel_sdk._genai(name, attributes): its genops operation attributes
 * (docs/opentelemetry.md).
 *
 * The SDK's own objects are read through their public properties, except two reads
 * that skip a copy when they can: a span's _attributes (BoundedAttributes) dict and
 * its _events list; anything else falls back to the properties. */
#include "genops_py.h"

/* Interned attribute names, made once. */
static PyObject *s_context, *s_parent, *s_name, *s_kind, *s_start_time, *s_end_time, *s_status,
    *s_status_code, *s_description, *s_attributes, *s_events, *s_timestamp, *s_resource, *s_scope,
    *s_trace_id, *s_span_id, *s_trace_flags, *s_value, *s_priv_attributes, *s_dict, *s_dropped,
    *s_extras, *s_genai;

/* What the last spans' (resource, scope) pair and trace id came to: most spans of a
 * process share one pair, and the spans of one trace share one trace id object. */
static PyObject *g_resource, *g_scope, *g_extras; /* strong references */
static PyObject *g_trace_obj;                     /* strong reference */
static uint8_t g_trace_id[16];
static PyObject *g_otel; /* genops.otel_sdk */
static PyObject *g_64;   /* the int 64 */

static PyObject *new_ref(PyObject *o)
{
    Py_INCREF(o);
    return o;
}

static int intern_names(void)
{
    struct {
        PyObject **slot;
        const char *text;
    } names[] = {
        {&s_context, "context"},
        {&s_parent, "parent"},
        {&s_name, "name"},
        {&s_kind, "kind"},
        {&s_start_time, "start_time"},
        {&s_end_time, "end_time"},
        {&s_status, "status"},
        {&s_status_code, "status_code"},
        {&s_description, "description"},
        {&s_attributes, "attributes"},
        {&s_events, "events"},
        {&s_timestamp, "timestamp"},
        {&s_resource, "resource"},
        {&s_scope, "instrumentation_scope"},
        {&s_trace_id, "trace_id"},
        {&s_span_id, "span_id"},
        {&s_trace_flags, "trace_flags"},
        {&s_value, "value"},
        {&s_priv_attributes, "_attributes"},
        {&s_dict, "_dict"},
        {&s_dropped, "dropped"},
        {&s_extras, "_extras"},
        {&s_genai, "_genai"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!(*names[i].slot = PyUnicode_InternFromString(names[i].text)))
            return -1;
    return 0;
}

/* An int attribute of o (a property or an enum's value) as uint64, or -1 with an
 * exception. */
static int attr_u64(PyObject *o, PyObject *name, uint64_t *out)
{
    PyObject *v = PyObject_GetAttr(o, name);
    if (!v)
        return -1;
    if (!PyLong_Check(v)) { /* an enum member (SpanKind, StatusCode, TraceFlags) */
        PyObject *inner = PyObject_GetAttr(v, s_value);
        Py_DECREF(v);
        if (!(v = inner))
            return -1;
    }
    *out = PyLong_AsUnsignedLongLongMask(v);
    Py_DECREF(v);
    return *out == (uint64_t)-1 && PyErr_Occurred() ? -1 : 0;
}

static void put_be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

/* A SpanContext's ids and flags into *out. The trace id object is compared with the
 * last one first: the spans of one trace share it. -1 with an exception. */
static int span_ids(PyObject *ctx, genops_span_context *out)
{
    PyObject *tid = PyObject_GetAttr(ctx, s_trace_id);
    if (!tid)
        return -1;
    if (tid != g_trace_obj) {
        PyObject *hi = PyLong_Check(tid) ? PyNumber_Rshift(tid, g_64) : NULL;
        uint64_t high = hi ? PyLong_AsUnsignedLongLongMask(hi) : 0;
        uint64_t low = hi ? PyLong_AsUnsignedLongLongMask(tid) : 0;
        Py_XDECREF(hi);
        if (!hi || PyErr_Occurred()) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "trace_id is not an int");
            Py_DECREF(tid);
            return -1;
        }
        put_be64(g_trace_id, high);
        put_be64(g_trace_id + 8, low);
        Py_XSETREF(g_trace_obj, tid);
    } else {
        Py_DECREF(tid);
    }
    memcpy(out->trace_id, g_trace_id, 16);
    uint64_t sid, flags;
    if (attr_u64(ctx, s_span_id, &sid) < 0 || attr_u64(ctx, s_trace_flags, &flags) < 0)
        return -1;
    put_be64(out->span_id, sid);
    out->trace_flags = (uint8_t)flags;
    return 0;
}

/* The span's attributes as a dict (a new reference) and the count OpenTelemetry's limits
 * dropped: BoundedAttributes' own dict when it has one, else a copy of the mapping. */
static PyObject *attributes_of(PyObject *span, uint64_t *dropped)
{
    *dropped = 0;
    PyObject *bounded = PyObject_GetAttr(span, s_priv_attributes);
    if (!bounded)
        PyErr_Clear();
    PyObject *d = NULL;
    if (bounded && bounded != Py_None) {
        if (PyDict_Check(bounded)) {
            d = bounded;
            Py_INCREF(d);
        } else if ((d = PyObject_GetAttr(bounded, s_dict)) && !PyDict_Check(d)) {
            Py_CLEAR(d);
        }
        PyErr_Clear();
        if (attr_u64(bounded, s_dropped, dropped) < 0) {
            PyErr_Clear();
            *dropped = 0;
        }
    }
    Py_XDECREF(bounded);
    if (d)
        return d;
    PyObject *mapping = PyObject_GetAttr(span, s_attributes);
    if (!mapping)
        return NULL;
    d = PyDict_New();
    if (d && mapping != Py_None && PyDict_Update(d, mapping) < 0) /* any Mapping */
        Py_CLEAR(d);
    Py_DECREF(mapping);
    return d;
}

/* genops.otel_sdk's helper name (a new reference). */
static PyObject *otel_helper(PyObject *name)
{
    if (!g_otel && !(g_otel = PyImport_ImportModule("genops.otel_sdk")))
        return NULL;
    return PyObject_GetAttr(g_otel, name);
}

/* genops.otel_sdk._extras(resource, scope) for this span, kept while the pair is the same
 * (borrowed; NULL with an exception). */
static PyObject *extras_of(PyObject *span)
{
    PyObject *resource = PyObject_GetAttr(span, s_resource);
    PyObject *scope = resource ? PyObject_GetAttr(span, s_scope) : NULL;
    if (!scope) {
        Py_XDECREF(resource);
        return NULL;
    }
    if (g_extras && resource == g_resource && scope == g_scope) {
        Py_DECREF(resource);
        Py_DECREF(scope);
        return g_extras;
    }
    PyObject *fn = otel_helper(s_extras);
    PyObject *extras = fn ? PyObject_CallFunctionObjArgs(fn, resource, scope, NULL) : NULL;
    Py_XDECREF(fn);
    if (extras && !PyDict_Check(extras)) {
        Py_CLEAR(extras);
        PyErr_SetString(PyExc_TypeError, "genops.otel_sdk._extras must return a dict");
    }
    if (!extras) {
        Py_DECREF(resource);
        Py_DECREF(scope);
        return NULL;
    }
    Py_XSETREF(g_resource, resource);
    Py_XSETREF(g_scope, scope);
    Py_XSETREF(g_extras, extras);
    return g_extras;
}

/* A GenAI span (gen_ai.provider.name, or the older gen_ai.system) gets its genops
 * operation attributes: a new dict, or Py_None (a new reference), or NULL. */
static PyObject *genai_of(PyObject *name, PyObject *attrs)
{
    static PyObject *k_provider, *k_system;
    if (!k_provider && (!(k_provider = PyUnicode_InternFromString("gen_ai.provider.name")) ||
                        !(k_system = PyUnicode_InternFromString("gen_ai.system"))))
        return NULL;
    int has = PyDict_Contains(attrs, k_provider);
    if (has == 0)
        has = PyDict_Contains(attrs, k_system);
    if (has <= 0)
        return has < 0 ? NULL : new_ref(Py_None);
    PyObject *fn = otel_helper(s_genai);
    PyObject *r = fn ? PyObject_CallFunctionObjArgs(fn, name, attrs, NULL) : NULL;
    Py_XDECREF(fn);
    return r;
}

/* The span's events, each with its own time. -1 with an exception. */
static int add_events(genops_span h, PyObject *span)
{
    PyObject *events = PyObject_GetAttr(span, s_events);
    if (!events)
        return -1;
    PyObject *seq = PySequence_Fast(events, "events is not a sequence");
    Py_DECREF(events);
    if (!seq)
        return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *ev = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *name = PyObject_GetAttr(ev, s_name);
        PyObject *attrs = name ? PyObject_GetAttr(ev, s_attributes) : NULL;
        uint64_t ts = 0;
        genops_py_args a;
        genops_py_args_init(&a);
        Py_ssize_t len;
        const char *cname = attrs && PyUnicode_Check(name) ? genops_py_utf8(&a, name, &len) : NULL;
        if (!cname || attr_u64(ev, s_timestamp, &ts) < 0) {
            rc = -1;
        } else if (attrs != Py_None) {
            PyObject *d = PyDict_Check(attrs) ? new_ref(attrs) : PyDict_New();
            if (!d || (!PyDict_Check(attrs) && PyDict_Update(d, attrs) < 0) ||
                genops_py_args_add_dict(&a, d, GENOPS_PY_DROP) < 0)
                rc = -1;
            Py_XDECREF(d);
        }
        if (rc == 0) {
            genops_span_count_dropped_attributes(h, a.dropped);
            genops_span_add_event_at(h, cname, ts, a.list.items, a.list.count, NULL);
        }
        genops_py_args_free(&a);
        Py_XDECREF(name);
        Py_XDECREF(attrs);
    }
    Py_DECREF(seq);
    return rc;
}

/* Status and kind: OpenTelemetry's SpanKind values are ours - 1, its StatusCode values
 * are ours. -1 with an exception. */
static int set_status_and_kind(genops_span h, PyObject *span)
{
    uint64_t kind, code;
    PyObject *status = PyObject_GetAttr(span, s_status);
    if (!status || attr_u64(span, s_kind, &kind) < 0 ||
        attr_u64(status, s_status_code, &code) < 0) {
        Py_XDECREF(status);
        return -1;
    }
    genops_span_set_kind(h, (genops_span_kind)(kind + 1), NULL); /* out of range: refused */
    const char *message = NULL;
    PyObject *desc = NULL;
    if (code == GENOPS_SPAN_STATUS_ERROR && (desc = PyObject_GetAttr(status, s_description)) &&
        PyUnicode_Check(desc))
        message = PyUnicode_AsUTF8(desc);
    PyErr_Clear(); /* a description that cannot be read is no message */
    genops_span_set_status(h, (genops_span_status)code, message, NULL);
    Py_XDECREF(desc);
    Py_DECREF(status);
    return 0;
}

/* Record one finished span. The attribute list is the span's own attributes, then
 * what extras and genai add for keys the span lacks. */
static genops_span record(genops_pipeline *p, PyObject *span, PyObject *attrs, uint64_t dropped,
                          int *failed)
{
    genops_span_context ids, parent;
    uint64_t start, end;
    PyObject *ctx = PyObject_GetAttr(span, s_context);
    PyObject *par = ctx ? PyObject_GetAttr(span, s_parent) : NULL;
    PyObject *name = par ? PyObject_GetAttr(span, s_name) : NULL;
    genops_py_args a;
    genops_py_args_init(&a);
    genops_span h = GENOPS_SPAN_NONE;
    PyObject *genai = NULL;
    *failed = 1;
    if (!name || span_ids(ctx, &ids) < 0 || (par != Py_None && span_ids(par, &parent) < 0) ||
        attr_u64(span, s_start_time, &start) < 0 || attr_u64(span, s_end_time, &end) < 0)
        goto out;
    *failed = 0;
    if (!(ids.trace_flags & GENOPS_TRACE_FLAG_SAMPLED)) /* as the SDK's processors do */
        goto out;
    *failed = 1;
    Py_ssize_t len;
    const char *cname = PyUnicode_Check(name) ? genops_py_utf8(&a, name, &len) : "";
    PyObject *extras = cname ? extras_of(span) : NULL;
    if (!extras || !(genai = genai_of(name, attrs)) ||
        genops_py_args_add_dict(&a, attrs, GENOPS_PY_DROP) < 0)
        goto out;
    /* Extras and genai never override the span's own keys (attributes are first). */
    PyObject *more[2] = {genai, extras};
    for (int m = 0; m < 2; m++) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (more[m] != Py_None && PyDict_Next(more[m], &pos, &key, &value))
            if (PyDict_Contains(attrs, key) == 0 &&
                genops_py_args_add(&a, key, value, GENOPS_PY_DROP) < 0)
                goto out;
    }
    *failed = 0;
    h = genops_span_start_with_ids(p, cname, &ids, par != Py_None ? parent.span_id : NULL, start,
                                   NULL);
    if (!h) /* shut down or out of slots: counted by the pipeline */
        goto out;
    genops_span_count_dropped_attributes(h, a.dropped + (uint32_t)dropped);
    genops_span_set_attributes(h, a.list.items, a.list.count, NULL);
    if (set_status_and_kind(h, span) < 0 || add_events(h, span) < 0) {
        *failed = 1;
        genops_span_end_at(h, end, NULL); /* what was converted still goes */
        h = GENOPS_SPAN_NONE;
        goto out;
    }
    genops_span_end_at(h, end, NULL);
out:
    genops_py_args_free(&a);
    Py_XDECREF(genai);
    Py_XDECREF(name);
    Py_XDECREF(par);
    Py_XDECREF(ctx);
    return h;
}

/* record_otel_span(span) -> bool: True when the span went to the pipeline. An
 * unsampled span is skipped (False); a span that is not an SDK span raises. */
static PyObject *py_record_otel_span(PyObject *m, PyObject *span)
{
    (void)m;
    genops_pipeline *p = genops_py_span_pipeline();
    if (!p)
        return PyErr_Occurred() ? NULL : new_ref(Py_False);
    uint64_t dropped;
    int failed = 1;
    genops_span h = GENOPS_SPAN_NONE;
    PyObject *attrs = attributes_of(span, &dropped);
    if (attrs) {
        h = record(p, span, attrs, dropped, &failed);
        Py_DECREF(attrs);
    }
    if (!failed)
        return new_ref(h ? Py_True : Py_False);
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_AttributeError))
        return NULL;
    PyErr_Clear(); /* a missing property: not a span, whatever it lacked */
    return genops_py_type_error("record_otel_span() needs an OpenTelemetry SDK span "
                                "(ReadableSpan), not %.64s",
                                Py_TYPE(span)->tp_name);
}

static PyMethodDef otel_functions[] = {
    {"record_otel_span", (PyCFunction)py_record_otel_span, METH_O,
     "record_otel_span(span)\n--\n\nRecord a finished OpenTelemetry SDK span (ReadableSpan) "
     "in the native pipeline, with its ids, times, status, attributes and events."},
    {NULL, NULL, 0, NULL},
};

int genops_py_otel_export_init(PyObject *m)
{
    if (intern_names() < 0 || !(g_64 = PyLong_FromLong(64)))
        return -1;
    return PyModule_AddFunctions(m, otel_functions);
}
