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
 * The SDK's objects are read through the private attributes behind their properties
 * (struct field), the SpanContext tuple by index and a BoundedAttributes' own dict,
 * each falling back to the public properties: the same values, without a Python
 * frame per field (measured in benchmarks/README.md). */
#include "genops_py.h"

/* A property of the SDK's objects and the private attribute it returns (the SDK names
 * them alike: name / _name). Reading the private one skips a Python frame per field
 * (about 10 of them a span); field() falls back to the property when it is missing. */
struct field {
    const char *text;
    PyObject *pub, *priv;
};
enum {
    F_CONTEXT,
    F_PARENT,
    F_NAME,
    F_KIND,
    F_START,
    F_END,
    F_STATUS,
    F_CODE,
    F_DESCRIPTION,
    F_ATTRIBUTES,
    F_EVENTS,
    F_TIMESTAMP,
    F_RESOURCE,
    F_SCOPE,
    F_TRACE_ID,
    F_SPAN_ID,
    F_TRACE_FLAGS,
    F_VALUE,
    F_DICT,
    F_DROPPED,
    F_EXTRAS,
    F_GENAI,
    F_COUNT
};
static struct field fields[F_COUNT] = {
    [F_CONTEXT] = {.text = "context"},
    [F_PARENT] = {.text = "parent"},
    [F_NAME] = {.text = "name"},
    [F_KIND] = {.text = "kind"},
    [F_START] = {.text = "start_time"},
    [F_END] = {.text = "end_time"},
    [F_STATUS] = {.text = "status"},
    [F_CODE] = {.text = "status_code"},
    [F_DESCRIPTION] = {.text = "description"},
    [F_ATTRIBUTES] = {.text = "attributes"},
    [F_EVENTS] = {.text = "events"},
    [F_TIMESTAMP] = {.text = "timestamp"},
    [F_RESOURCE] = {.text = "resource"},
    [F_SCOPE] = {.text = "instrumentation_scope"},
    [F_TRACE_ID] = {.text = "trace_id"},
    [F_SPAN_ID] = {.text = "span_id"},
    [F_TRACE_FLAGS] = {.text = "trace_flags"},
    [F_VALUE] = {.text = "value"},
    [F_DICT] = {.text = "dict"},       /* BoundedAttributes._dict */
    [F_DROPPED] = {.text = "dropped"}, /* BoundedAttributes.dropped: a plain attribute */
    [F_EXTRAS] = {.text = "extras"},   /* genops.otel_sdk._extras */
    [F_GENAI] = {.text = "genai"},     /* genops.otel_sdk._genai */
};

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
    for (int i = 0; i < F_COUNT; i++) {
        fields[i].pub = PyUnicode_InternFromString(fields[i].text);
        fields[i].priv = PyUnicode_FromFormat("_%s", fields[i].text);
        if (!fields[i].pub || !fields[i].priv)
            return -1;
        PyUnicode_InternInPlace(&fields[i].priv);
    }
    return 0;
}

/* o's private twin of field f, else its property (a new reference; NULL with an
 * exception). */
static PyObject *field(PyObject *o, int f)
{
    PyObject *v = PyObject_GetAttr(o, fields[f].priv);
    if (v || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return v;
    PyErr_Clear();
    return PyObject_GetAttr(o, fields[f].pub);
}

/* An int, or an enum member's int value (SpanKind, StatusCode), as uint64. Enum members
 * are remembered by identity in cache (n entries, indexed by value): Enum.value is a
 * Python descriptor. -1 with an exception. */
static int int_of(PyObject *v, PyObject **cache, int n, uint64_t *out)
{
    if (PyLong_Check(v)) {
        *out = PyLong_AsUnsignedLongLongMask(v);
        return *out == (uint64_t)-1 && PyErr_Occurred() ? -1 : 0;
    }
    for (int i = 0; i < n; i++) {
        if (cache[i] == v) {
            *out = (uint64_t)i;
            return 0;
        }
    }
    PyObject *inner = PyObject_GetAttr(v, fields[F_VALUE].pub);
    if (!inner || !PyLong_Check(inner)) {
        if (inner)
            PyErr_Format(PyExc_TypeError, "%.64s is not an int enum", Py_TYPE(v)->tp_name);
        Py_XDECREF(inner);
        return -1;
    }
    *out = PyLong_AsUnsignedLongLongMask(inner);
    Py_DECREF(inner);
    if (*out < (uint64_t)n && !cache[*out])
        cache[*out] = new_ref(v);
    return 0;
}

/* Field f of o as uint64 (int_of, with cache of n entries). -1 with an exception. */
static int field_u64(PyObject *o, int f, PyObject **cache, int n, uint64_t *out)
{
    PyObject *v = field(o, f);
    if (!v)
        return -1;
    int rc = int_of(v, cache, n, out);
    Py_DECREF(v);
    return rc;
}

static void put_be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

/* A SpanContext's ids and flags into *out. The SDK's SpanContext is a tuple (trace_id,
 * span_id, is_remote, trace_flags, ...), read as one; anything else through its
 * properties. The trace id object is compared with the last one first: the spans of one
 * trace share it. -1 with an exception. */
static int span_ids(PyObject *ctx, genops_span_context *out)
{
    PyObject *tid, *sid, *flags;
    if (PyTuple_Check(ctx) && PyTuple_GET_SIZE(ctx) >= 4) {
        tid = new_ref(PyTuple_GET_ITEM(ctx, 0));
        sid = new_ref(PyTuple_GET_ITEM(ctx, 1));
        flags = new_ref(PyTuple_GET_ITEM(ctx, 3));
    } else {
        tid = PyObject_GetAttr(ctx, fields[F_TRACE_ID].pub);
        sid = tid ? PyObject_GetAttr(ctx, fields[F_SPAN_ID].pub) : NULL;
        flags = sid ? PyObject_GetAttr(ctx, fields[F_TRACE_FLAGS].pub) : NULL;
    }
    int rc = -1;
    if (!flags)
        goto out;
    if (!PyLong_Check(tid) || !PyLong_Check(sid) || !PyLong_Check(flags)) {
        PyErr_SetString(PyExc_TypeError, "a span context's ids and flags must be ints");
        goto out;
    }
    if (tid != g_trace_obj) {
        PyObject *hi = PyNumber_Rshift(tid, g_64);
        uint64_t high = hi ? PyLong_AsUnsignedLongLongMask(hi) : 0;
        uint64_t low = PyLong_AsUnsignedLongLongMask(tid);
        Py_XDECREF(hi);
        if (!hi || PyErr_Occurred())
            goto out;
        put_be64(g_trace_id, high);
        put_be64(g_trace_id + 8, low);
        Py_INCREF(tid);
        Py_XSETREF(g_trace_obj, tid);
    }
    memcpy(out->trace_id, g_trace_id, 16);
    put_be64(out->span_id, PyLong_AsUnsignedLongLongMask(sid));
    out->trace_flags = (uint8_t)PyLong_AsUnsignedLongLongMask(flags);
    rc = PyErr_Occurred() ? -1 : 0;
out:
    Py_XDECREF(tid);
    Py_XDECREF(sid);
    Py_XDECREF(flags);
    return rc;
}

/* Attributes (None, a dict, a BoundedAttributes or any Mapping) as a dict, a new
 * reference: BoundedAttributes' own dict when it has one (the span has ended, so it no
 * longer changes), else a copy. *dropped (may be NULL) gets the count OpenTelemetry's
 * limits dropped. NULL with an exception. */
static PyObject *dict_of(PyObject *attrs, uint64_t *dropped)
{
    if (dropped)
        *dropped = 0;
    if (PyDict_Check(attrs))
        return new_ref(attrs);
    PyObject *d = PyDict_New();
    if (!d || attrs == Py_None)
        return d;
    PyObject *own = PyObject_GetAttr(attrs, fields[F_DICT].priv);
    if (own && PyDict_Check(own)) {
        Py_DECREF(d);
        d = own;
        PyObject *n = dropped ? PyObject_GetAttr(attrs, fields[F_DROPPED].pub) : NULL;
        if (n && int_of(n, NULL, 0, dropped) < 0)
            *dropped = 0;
        Py_XDECREF(n);
        PyErr_Clear(); /* no count is a count of 0 */
        return d;
    }
    Py_XDECREF(own);
    PyErr_Clear();
    if (PyDict_Update(d, attrs) < 0) /* any Mapping */
        Py_CLEAR(d);
    return d;
}

/* The span's attributes (dict_of its _attributes, else of its property). */
static PyObject *attributes_of(PyObject *span, uint64_t *dropped)
{
    PyObject *attrs = field(span, F_ATTRIBUTES);
    if (!attrs)
        return NULL;
    PyObject *d = dict_of(attrs, dropped);
    Py_DECREF(attrs);
    return d;
}

/* A BoundedList (the SDK's _events) as a sequence of its deque, read in C; anything
 * else as PySequence_Fast makes it. A new reference, or NULL with an exception. */
static PyObject *sequence_of(PyObject *events)
{
    static PyObject *s_dq;
    if (!s_dq && !(s_dq = PyUnicode_InternFromString("_dq")))
        return NULL;
    PyObject *dq = PyObject_GetAttr(events, s_dq);
    if (!dq)
        PyErr_Clear();
    PyObject *seq = PySequence_Fast(dq ? dq : events, "events is not a sequence");
    Py_XDECREF(dq);
    return seq;
}

/* genops.otel_sdk's helper name (a new reference). */
static PyObject *otel_helper(PyObject *name)
{
    if (!g_otel && !(g_otel = PyImport_ImportModule("genops.otel_sdk")))
        return NULL;
    return PyObject_GetAttr(g_otel, name);
}

/* genops.otel_sdk._extras(resource, scope) for this span, kept while the pair is the same
 * (a new reference: Python code that runs later in the conversion may let another thread
 * replace the kept one; NULL with an exception). */
static PyObject *extras_of(PyObject *span)
{
    PyObject *resource = field(span, F_RESOURCE);
    PyObject *scope = resource ? field(span, F_SCOPE) : NULL;
    if (!scope) {
        Py_XDECREF(resource);
        return NULL;
    }
    if (g_extras && resource == g_resource && scope == g_scope) {
        Py_DECREF(resource);
        Py_DECREF(scope);
        return new_ref(g_extras);
    }
    PyObject *fn = otel_helper(fields[F_EXTRAS].priv);
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
    Py_XSETREF(g_extras, new_ref(extras));
    return extras;
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
    PyObject *fn = otel_helper(fields[F_GENAI].priv);
    PyObject *r = fn ? PyObject_CallFunctionObjArgs(fn, name, attrs, NULL) : NULL;
    Py_XDECREF(fn);
    return r;
}

/* The span's events, each with its own time. -1 with an exception. */
static int add_events(genops_span h, PyObject *span)
{
    PyObject *events = field(span, F_EVENTS);
    if (!events)
        return -1;
    PyObject *seq = sequence_of(events);
    Py_DECREF(events);
    if (!seq)
        return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *ev = PySequence_Fast_GET_ITEM(seq, i);
        PyObject *name = field(ev, F_NAME);
        PyObject *attrs = name ? field(ev, F_ATTRIBUTES) : NULL;
        uint64_t ts = 0;
        genops_py_args a;
        genops_py_args_init(&a);
        Py_ssize_t len;
        const char *cname = attrs && PyUnicode_Check(name) ? genops_py_utf8(&a, name, &len) : NULL;
        if (!cname || field_u64(ev, F_TIMESTAMP, NULL, 0, &ts) < 0) {
            rc = -1;
        } else {
            PyObject *d = dict_of(attrs, NULL);
            if (!d || genops_py_args_add_dict(&a, d, GENOPS_PY_DROP) < 0)
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
    static PyObject *kinds[5], *codes[3];
    PyObject *status = field(span, F_STATUS);
    if (!status || field_u64(span, F_KIND, kinds, 5, &kind) < 0 ||
        field_u64(status, F_CODE, codes, 3, &code) < 0) {
        Py_XDECREF(status);
        return -1;
    }
    genops_span_set_kind(h, (genops_span_kind)(kind + 1), NULL); /* out of range: refused */
    const char *message = NULL;
    PyObject *desc = NULL;
    if (code == GENOPS_SPAN_STATUS_ERROR && (desc = field(status, F_DESCRIPTION)) &&
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
    PyObject *ctx = field(span, F_CONTEXT);
    PyObject *par = ctx ? field(span, F_PARENT) : NULL;
    PyObject *name = par ? field(span, F_NAME) : NULL;
    genops_py_args a;
    genops_py_args_init(&a);
    genops_span h = GENOPS_SPAN_NONE;
    PyObject *genai = NULL, *extras = NULL;
    *failed = 1;
    if (!name || span_ids(ctx, &ids) < 0 || (par != Py_None && span_ids(par, &parent) < 0) ||
        field_u64(span, F_START, NULL, 0, &start) < 0 || field_u64(span, F_END, NULL, 0, &end) < 0)
        goto out;
    *failed = 0;
    if (!(ids.trace_flags & GENOPS_TRACE_FLAG_SAMPLED)) /* as the SDK's processors do */
        goto out;
    *failed = 1;
    Py_ssize_t len;
    const char *cname = PyUnicode_Check(name) ? genops_py_utf8(&a, name, &len) : "";
    extras = cname ? extras_of(span) : NULL;
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
    Py_XDECREF(extras);
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

/* Spans on_end_otel_span could not record. */
static unsigned long long g_failed;

/* on_end_otel_span(span) -> None: record_otel_span for SpanProcessor.on_end, which runs
 * inside the application's span.end(): a span that cannot be recorded never raises there.
 * It is counted (otel_spans_failed()) and the first one is logged. KeyboardInterrupt and
 * SystemExit still propagate. */
static PyObject *py_on_end_otel_span(PyObject *m, PyObject *span)
{
    PyObject *r = py_record_otel_span(m, span);
    if (r) {
        Py_DECREF(r);
        Py_RETURN_NONE;
    }
    if (!PyErr_ExceptionMatches(PyExc_Exception))
        return NULL;
    if (g_failed++ == 0) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject *text = value ? PyObject_Str(value) : NULL;
        const char *why = text ? PyUnicode_AsUTF8(text) : NULL;
        char message[512];
        snprintf(message, sizeof message,
                 "genops: an OpenTelemetry span could not be recorded (%.200s); further ones "
                 "are counted in genops.otel.failed_spans()",
                 why ? why : "unknown error");
        PyErr_Clear();
        Py_XDECREF(text);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        genops_py_warn(message);
    }
    PyErr_Clear();
    Py_RETURN_NONE;
}

static PyObject *py_otel_spans_failed(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyLong_FromUnsignedLongLong(g_failed);
}

static PyMethodDef otel_functions[] = {
    {"record_otel_span", (PyCFunction)py_record_otel_span, METH_O,
     "record_otel_span(span)\n--\n\nRecord a finished OpenTelemetry SDK span (ReadableSpan) "
     "in the native pipeline, with its ids, times, status, attributes and events."},
    {"on_end_otel_span", (PyCFunction)py_on_end_otel_span, METH_O,
     "on_end_otel_span(span)\n--\n\nrecord_otel_span that never raises an Exception: a "
     "span that cannot be recorded is counted (otel_spans_failed) and the first is logged."},
    {"otel_spans_failed", (PyCFunction)py_otel_spans_failed, METH_NOARGS,
     "otel_spans_failed()\n--\n\nSpans on_end_otel_span could not record."},
    {NULL, NULL, 0, NULL},
};

int genops_py_otel_export_init(PyObject *m)
{
    if (intern_names() < 0 || !(g_64 = PyLong_FromLong(64)))
        return -1;
    return PyModule_AddFunctions(m, otel_functions);
}
