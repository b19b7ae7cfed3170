/* span_type.c - GenOpsSpan, the operation span of genops._native: a context manager
 * whose record_cost / record_policy / record_budget / record_evaluation /
 * set_attribute ... call the C API directly (METH_FASTCALL | METH_KEYWORDS), and
 * GenOpsTelemetry's record_* as plain functions that take the span first (they are
 * class attributes there: builtins do not bind self). GIL held throughout. */
#include "genops_py.h"

#include <string.h>

static PyObject *g_format_exception;             /* traceback.format_exception, on first error */
static PyObject *g_allowed;                      /* "allowed": GenOpsSpan.record_policy's default */
static PyTypeObject genops_py_span_context_type; /* SpanContext: a struct sequence */

/* Span objects are made and dropped once per operation: keep a few dead ones for
 * reuse instead of going through the allocator each time (GIL-protected). */
#define SPAN_FREELIST_MAX 64
static SpanObject *span_freelist[SPAN_FREELIST_MAX];
static int span_freelist_len;

PyObject *genops_py_span_new(genops_span handle, enum span_kind kind)
{
    SpanObject *s;
    if (span_freelist_len > 0) {
        s = span_freelist[--span_freelist_len];
        (void)PyObject_INIT(s, &genops_py_span_type);
    } else if (!(s = PyObject_New(SpanObject, &genops_py_span_type))) {
        if (handle)
            genops_span_end(handle, NULL);
        return NULL;
    }
    s->handle = handle;
    s->token = NULL;
    s->otel_token = NULL;
    s->prev = NULL;
    s->orphaned = 0;
    s->kind = (unsigned char)kind;
    s->has_ctx = handle && genops_span_get_context(handle, &s->ctx, NULL) == GENOPS_OK;
    if (!s->has_ctx)
        memset(&s->ctx, 0, sizeof s->ctx);
    return (PyObject *)s;
}

/* ---- the end hook ------------------------------------------------------------------- */

/* set_end_hook(fn): fn(attributes) is called on the ending thread just before each span
 * ends, with the span's attributes as a dict, and returns the Honeycomb datasets the span
 * goes to (a tuple or list of str), recorded as GENOPS_HONEYCOMB_DATASETS_KEY for the
 * router (genops.exporters.otlp.configure_multi_dataset_export). None removes it. */
static PyObject *g_end_hook;

static PyObject *py_set_end_hook(PyObject *m, PyObject *fn)
{
    (void)m;
    if (fn != Py_None && !PyCallable_Check(fn))
        return genops_py_type_error("set_end_hook takes a callable or None");
    PyObject *old = g_end_hook;
    g_end_hook = NULL;
    if (fn != Py_None) {
        Py_INCREF(fn);
        g_end_hook = fn;
    }
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

static PyObject *span_attributes(const genops_span_data *d)
{
    PyObject *attrs = PyDict_New();
    size_t n = genops_span_data_attribute_count(d);
    for (size_t i = 0; attrs && i < n; i++) {
        genops_attribute a;
        if (!genops_span_data_attribute(d, i, &a))
            continue;
        PyObject *v = genops_py_from_value(&a.value);
        if (!v || PyDict_SetItemString(attrs, a.key, v) < 0)
            Py_CLEAR(attrs);
        Py_XDECREF(v);
    }
    return attrs;
}

/* The hook's answer onto the span; -1 with an exception for an answer of the wrong shape. */
static int record_datasets(genops_span h, PyObject *names)
{
    PyObject *seq = PySequence_Fast(names, "the end hook must return a list of dataset names");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    const char *items[GENOPS_HONEYCOMB_DATASETS_MAX];
    int rc = 0;
    if (n > GENOPS_HONEYCOMB_DATASETS_MAX) {
        PyErr_SetString(PyExc_ValueError, "the end hook returned too many datasets");
        rc = -1;
    }
    for (Py_ssize_t i = 0; !rc && i < n; i++)
        if (!(items[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i))))
            rc = -1;
    if (!rc) {
        genops_value v = {.type = GENOPS_TYPE_STRING_ARRAY, .len = (size_t)n, .u.sa = items};
        genops_span_set(h, GENOPS_HONEYCOMB_DATASETS_KEY, &v, NULL);
    }
    Py_DECREF(seq);
    return rc;
}

/* Before h ends: run the hook, if any. Never raises: a hook that fails is reported as
 * unraisable, and the span ends without the names (the router then drops and counts it). */
static void end_hook(genops_span h)
{
    const genops_span_data *d = g_end_hook && h ? genops_span_view(h) : NULL;
    if (!d)
        return;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *hook = g_end_hook;
    Py_INCREF(hook);
    PyObject *attrs = span_attributes(d);
    PyObject *names = attrs ? PyObject_CallOneArg(hook, attrs) : NULL;
    if (names && record_datasets(h, names) < 0)
        Py_CLEAR(names);
    if (!names)
        PyErr_WriteUnraisable(hook);
    Py_XDECREF(names);
    Py_XDECREF(attrs);
    Py_DECREF(hook);
    PyErr_Restore(type, value, tb);
}

static void span_dealloc(SpanObject *s)
{
    /* A span nobody ended (created and dropped, or an unentered track()) is ended
     * here rather than left holding a slot forever. */
    if (s->handle) {
        end_hook(s->handle);
        genops_span_end(s->handle, NULL);
    }
    Py_XDECREF(s->token);
    Py_XDECREF(s->otel_token);
    Py_XDECREF(s->prev);
    if (span_freelist_len < SPAN_FREELIST_MAX)
        span_freelist[span_freelist_len++] = s;
    else
        PyObject_Free(s);
}

/* genops.otel once the application has imported opentelemetry.trace; Py_None when it
 * could not be loaded (not tried again). */
static PyObject *g_otel;

/* genops.otel when opentelemetry-api is in use, else NULL. It runs twice an operation,
 * so a process without OpenTelemetry pays one read: sys.modules is searched (with a key
 * made once, its hash cached) only when its size changed since the last miss, as an
 * import of opentelemetry.trace adds entries. */
static PyObject *otel(void)
{
    static PyObject *key;
    static Py_ssize_t modules_at_miss = -1;
    if (!g_otel) {
        PyObject *modules = PyImport_GetModuleDict();
        if (PyDict_GET_SIZE(modules) == modules_at_miss)
            return NULL;
        if (!key && !(key = PyUnicode_InternFromString("opentelemetry.trace"))) {
            PyErr_Clear();
            return NULL;
        }
        if (!PyDict_GetItemWithError(modules, key)) {
            PyErr_Clear();
            modules_at_miss = PyDict_GET_SIZE(modules);
            return NULL;
        }
        g_otel = PyImport_ImportModule("genops.otel");
        if (!g_otel) {
            PyErr_Clear();
            Py_INCREF(Py_None);
            g_otel = Py_None;
        }
    }
    return g_otel == Py_None ? NULL : g_otel;
}

/* The current OpenTelemetry span's context (which is the innermost genops span when
 * one is entered: span_enter attaches it). NULL when there is none or on any
 * failure: no parent, never an exception in the application. */
static const genops_span_context *otel_parent(PyObject *m, genops_span_context *out)
{
    PyObject *r = PyObject_CallMethod(m, "current_parent", NULL);
    const char *t = NULL, *s = NULL;
    Py_ssize_t tl = 0, sl = 0;
    unsigned char flags = 0;
    const genops_span_context *p = NULL;
    if (r && r != Py_None && PyArg_ParseTuple(r, "y#y#b", &t, &tl, &s, &sl, &flags) && tl == 16 &&
        sl == 8) {
        memcpy(out->trace_id, t, 16);
        memcpy(out->span_id, s, 8);
        out->trace_flags = flags;
        p = out;
    }
    Py_XDECREF(r);
    PyErr_Clear();
    return p;
}

/* ctx is a genops span that was exited from another thread and still sits in this
 * context (its OpenTelemetry attachment could not be detached either). */
static bool exited_elsewhere(const genops_span_context *ctx)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(genops_py_span_var, NULL, &cur) < 0) {
        PyErr_Clear();
        return false;
    }
    bool found = false;
    while (!found && cur && Py_TYPE(cur) == &genops_py_span_type && ((SpanObject *)cur)->orphaned) {
        found = !memcmp(((SpanObject *)cur)->ctx.span_id, ctx->span_id, 8);
        PyObject *prev = ((SpanObject *)cur)->prev;
        Py_XINCREF(prev);
        Py_DECREF(cur);
        cur = prev;
    }
    Py_XDECREF(cur);
    return found;
}

/* The remote parent genops.propagation.attach() set in this context: the variable
 * holds (ids, RemoteContext), ids being trace id (16 bytes), span id (8) and trace
 * flags (1) packed once by attach, so reading it here is one context lookup. */
static bool g_remote_set; /* set_remote was ever called: until then nothing to look up */

static const genops_span_context *remote_parent(genops_span_context *out)
{
    /* A process that never attaches skips even the look-up. */
    if (!g_remote_set)
        return NULL;
    PyObject *v = genops_py_var_get_cached(genops_py_remote_var);
    const genops_span_context *p = NULL;
    PyObject *ids =
        v && PyTuple_Check(v) && PyTuple_GET_SIZE(v) == 2 ? PyTuple_GET_ITEM(v, 0) : NULL;
    if (ids && PyBytes_Check(ids) && PyBytes_GET_SIZE(ids) == 25) {
        const char *b = PyBytes_AS_STRING(ids);
        memcpy(out->trace_id, b, 16);
        memcpy(out->span_id, b + 16, 8);
        out->trace_flags = (unsigned char)b[24];
        p = out;
    }
    Py_XDECREF(v);
    return p;
}

/* set_remote((ids, RemoteContext)): genops.propagation.attach's ContextVar.set, which
 * also tells remote_parent that there may be something to find. Returns the token. */
static PyObject *py_set_remote(PyObject *m, PyObject *value)
{
    (void)m;
    g_remote_set = true;
    return PyContextVar_Set(genops_py_remote_var, value);
}

/* The parent for a new span, first found of: the current OpenTelemetry span when
 * opentelemetry-api is in use and one is valid (docs/opentelemetry.md) and is not a
 * genops span exited elsewhere; the current genops span of this thread / task; the
 * remote context attached by genops.propagation.attach(). */
const genops_span_context *genops_py_current_parent(genops_span_context *out)
{
    PyObject *m = otel();
    const genops_span_context *o = m ? otel_parent(m, out) : NULL;
    if (o && !exited_elsewhere(o))
        return o;
    PyObject *cur = genops_py_current_span();
    const genops_span_context *p = NULL;
    if (cur && Py_TYPE(cur) == &genops_py_span_type && ((SpanObject *)cur)->has_ctx) {
        *out = ((SpanObject *)cur)->ctx;
        p = out;
    }
    Py_XDECREF(cur);
    return p ? p : remote_parent(out);
}

PyObject *genops_py_current_span(void)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(genops_py_span_var, NULL, &cur) < 0) {
        PyErr_Clear();
        return NULL;
    }
    while (cur && Py_TYPE(cur) == &genops_py_span_type && ((SpanObject *)cur)->orphaned) {
        PyObject *prev = ((SpanObject *)cur)->prev;
        Py_XINCREF(prev);
        Py_DECREF(cur);
        cur = prev;
    }
    return cur;
}

/* OpenTelemetry ignores calls on an ended span, with a warning; so do we. */
static void warn_ended(const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "genops: %s on a span that has already ended is ignored", what);
    genops_py_warn(msg);
}

/* True when s does not record, so the call is to be ignored: a span that never
 * recorded (shut down) silently, an ended one with a warning. */
static int ignored(SpanObject *s, const char *what)
{
    if (s->handle)
        return 0;
    if (s->has_ctx)
        warn_ended(what);
    return 1;
}

/* Raise for a failed span call; a stale handle is logged and ignored. */
static PyObject *span_failed(const genops_error *err, const char *what)
{
    if (err->code == GENOPS_ESTALE) {
        warn_ended(what);
        Py_RETURN_NONE;
    }
    return genops_py_raise(err->code, err->message);
}

/* A recorder refused its arguments (a value of the wrong kind for a known argument,
 * or a required one dropped as unrepresentable): the call records nothing and says so
 * at WARNING on the "genops" logger, but never raises into the code it observes. */
static PyObject *not_recorded(const genops_error *err, const char *what)
{
    PyObject *logger = genops_py_logger();
    PyObject *r = logger ? PyObject_CallMethod(logger, "warning", "sss", "%s() not recorded: %s",
                                               what, err->message)
                         : NULL;
    Py_XDECREF(r);
    PyErr_Clear(); /* a failure to log must not become the caller's */
    Py_RETURN_NONE;
}

/* ---- the recorders ------------------------------------------------------------------ */

typedef genops_status (*recorder_fn)(genops_span, const genops_attribute *, size_t, genops_error *);

struct recorder {
    const char *what;
    struct genops_py_names names; /* positional order, as genops-ai's signatures */
    recorder_fn fn;
    int required; /* index of the required argument, or -1 (record_cost's cost may
                   * also be given as total_cost, as GenOps' guides do) */
};

static struct recorder cost_rec = {
    .what = "record_cost",
    .names = {.text = {"cost", "currency", "provider", "model", "tokens_input", "tokens_output",
                       "tokens_total", "input_tokens", "output_tokens", NULL}},
    .fn = genops_span_record_cost,
    .required = 0};
static struct recorder policy_rec = {
    .what = "record_policy",
    .names = {.text = {"policy_name", "policy_result", "policy_reason", "result", "reason",
                       "metadata", NULL}},
    .fn = genops_span_record_policy,
    .required = 0};
static struct recorder budget_rec = {
    .what = "record_budget",
    .names = {.text = {"budget_name", "budget_limit", "budget_used", "budget_remaining",
                       "allocated", "consumed", "remaining", NULL}},
    .fn = genops_span_record_budget,
    .required = 0};
static struct recorder eval_rec = {
    .what = "record_evaluation",
    .names = {.text = {"evaluation_name", "score", "threshold", "passed", "metric_name",
                       "evaluator", "metadata", NULL}},
    .fn = genops_span_record_evaluation,
    .required = -1};

static PyObject *total_cost_str; /* record_cost: GenOps' guides pass total_cost, no cost */

enum { POLICY_RESULT = 1, POLICY_DEFAULT_ALLOWED = 1 };

/* Turn one Python call into one native recorder call. Positional arguments take the
 * names of genops-ai's signature; keywords go through as given (aliases included) and
 * a dict value is flattened as "key.subkey" (metadata={...}). */
static PyObject *record(SpanObject *span, struct recorder *r, PyObject *const *args,
                        Py_ssize_t nargs, PyObject *kwnames, int flags)
{
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    unsigned present = 0;
    PyObject *result = NULL;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

    if (nargs > r->names.count)
        return PyErr_Format(PyExc_TypeError,
                            "%s() takes at most %d positional arguments "
                            "(%zd given)",
                            r->what, r->names.count, nargs);
    genops_py_args_init(&a);
    for (Py_ssize_t i = 0; i < nargs; i++) {
        present |= 1u << i;
        if (genops_py_args_add_fast(&a, r->names.str[i], args[i],
                                    GENOPS_PY_FLATTEN | GENOPS_PY_DROP | GENOPS_PY_KNOWN) < 0)
            goto out;
    }
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        int at = genops_py_names_find(&r->names, key);
        if (at >= 0) {
            if (present & (1u << at)) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", r->what,
                             r->names.text[at]);
                goto out;
            }
            present |= 1u << at;
        } else if (r == &cost_rec && PyUnicode_Compare(key, total_cost_str) == 0) {
            present |= 1u << GENOPS_PY_MAX_NAMES; /* stands in for cost */
        }
        int known = at >= 0 ? GENOPS_PY_KNOWN : 0;
        if (genops_py_args_add_fast(&a, key, args[nargs + j],
                                    GENOPS_PY_FLATTEN | GENOPS_PY_DROP | known) < 0)
            goto out;
    }
    if (r->required >= 0 && !(present & (1u << r->required)) &&
        !(r == &cost_rec && (present & (1u << GENOPS_PY_MAX_NAMES)))) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument: '%s'", r->what,
                     r->names.text[r->required]);
        goto out;
    }
    if ((flags & POLICY_DEFAULT_ALLOWED) && !(present & (1u << POLICY_RESULT)) &&
        genops_py_args_add(&a, r->names.str[POLICY_RESULT], g_allowed, GENOPS_PY_DROP) < 0)
        goto out;
    if (ignored(span, r->what)) {
        result = Py_None;
        Py_INCREF(result);
        goto out;
    }
    genops_span_count_dropped_attributes(span->handle, a.dropped);
    if (r->fn(span->handle, a.list.items, a.list.count, &err) != GENOPS_OK)
        result =
            err.code == GENOPS_EINVAL ? not_recorded(&err, r->what) : span_failed(&err, r->what);
    else {
        result = Py_None;
        Py_INCREF(result);
    }
out:
    genops_py_args_free(&a);
    return result;
}

#define SPAN_RECORDER(fname, rec, flags)                                                           \
    static PyObject *span_##fname(SpanObject *self, PyObject *const *args, Py_ssize_t nargs,       \
                                  PyObject *kwnames)                                               \
    {                                                                                              \
        return record(self, &rec, args, nargs, kwnames, flags);                                    \
    }

SPAN_RECORDER(record_cost, cost_rec, 0)
SPAN_RECORDER(record_policy, policy_rec, POLICY_DEFAULT_ALLOWED)
SPAN_RECORDER(record_budget, budget_rec, 0)
SPAN_RECORDER(record_evaluation, eval_rec, 0)

/* GenOpsTelemetry.record_*(span, ...): the span comes first. record_policy here has
 * no "allowed" default (genops-ai's GenOpsTelemetry has none; its GenOpsSpan has). */
#define TELEMETRY_RECORDER(fname, rec)                                                             \
    static PyObject *py_##fname(PyObject *m, PyObject *const *args, Py_ssize_t nargs,              \
                                PyObject *kwnames)                                                 \
    {                                                                                              \
        if (nargs < 1 || Py_TYPE(args[0]) != &genops_py_span_type)                                 \
            return genops_py_type_error("%s() takes a span from genops (track, "                   \
                                        "track_enhanced, trace_operation or create_span) "         \
                                        "first, not %.64s",                                        \
                                        rec.what,                                                  \
                                        nargs < 1 ? "nothing" : Py_TYPE(args[0])->tp_name);        \
        return record((SpanObject *)args[0], &rec, args + 1, nargs - 1, kwnames, 0);               \
    }

TELEMETRY_RECORDER(record_cost, cost_rec)
TELEMETRY_RECORDER(record_policy, policy_rec)
TELEMETRY_RECORDER(record_budget, budget_rec)
TELEMETRY_RECORDER(record_evaluation, eval_rec)

/* ---- span methods ---------------------------------------------------------------------- */

static PyObject *span_enter(PyObject *obj, PyObject *const *args, Py_ssize_t nargs)
{
    SpanObject *self = (SpanObject *)obj;
    if (nargs)
        return PyErr_Format(PyExc_TypeError, "__enter__() takes no arguments (%zd given)", nargs);
    if (self->token)
        return PyErr_Format(PyExc_RuntimeError, "this span is already entered");
    self->token = PyContextVar_Set(genops_py_span_var, (PyObject *)self);
    if (!self->token)
        return NULL;
    self->orphaned = 0;
    PyObject *m = self->has_ctx ? otel() : NULL;
    if (m) {
        /* OpenTelemetry spans started inside become children of this one. */
        self->otel_token = PyObject_CallMethod(
            m, "attach", "y#y#b", (const char *)self->ctx.trace_id, (Py_ssize_t)16,
            (const char *)self->ctx.span_id, (Py_ssize_t)8, (unsigned char)self->ctx.trace_flags);
        PyErr_Clear();
    }
    Py_INCREF(self);
    return (PyObject *)self;
}

/* The text of an exception event, as OpenTelemetry writes it: exception.type (the
 * class's qualified name), exception.message (str(exc)) and exception.stacktrace
 * (traceback.format_exception). The strings live as long as a. Returns 0 or -1. */
static int exception_text(genops_py_args *a, PyObject *type, PyObject *exc, PyObject *tb,
                          const char **tname, const char **message, const char **stack)
{
    Py_ssize_t len;
    PyObject *qualname = PyObject_GetAttrString(type, "__qualname__");
    if (!qualname || genops_py_args_keep(a, qualname) < 0 || !PyUnicode_Check(qualname) ||
        !(*tname = genops_py_utf8(a, qualname, &len)))
        return -1;
    PyObject *str = PyObject_Str(exc);
    if (!str || genops_py_args_keep(a, str) < 0 || !(*message = genops_py_utf8(a, str, &len)))
        return -1;
    if (!g_format_exception) {
        PyObject *traceback = PyImport_ImportModule("traceback");
        if (!traceback)
            return -1;
        g_format_exception = PyObject_GetAttrString(traceback, "format_exception");
        Py_DECREF(traceback);
        if (!g_format_exception)
            return -1;
    }
    PyObject *lines =
        PyObject_CallFunctionObjArgs(g_format_exception, type, exc, tb ? tb : Py_None, NULL);
    if (!lines || genops_py_args_keep(a, lines) < 0)
        return -1;
    PyObject *empty = PyUnicode_FromString("");
    if (!empty || genops_py_args_keep(a, empty) < 0)
        return -1;
    PyObject *joined = PyUnicode_Join(empty, lines);
    if (!joined || genops_py_args_keep(a, joined) < 0)
        return -1;
    *stack = genops_py_utf8(a, joined, &len);
    return *stack ? 0 : -1;
}

/* Status ERROR with str(exc) and an exception event. Best effort: the exception being
 * handled stays the pending one, whatever happens here. */
static void span_record_error(SpanObject *self, PyObject *type, PyObject *exc, PyObject *tb)
{
    PyObject *saved_type, *saved_value, *saved_tb;
    PyErr_Fetch(&saved_type, &saved_value, &saved_tb);
    genops_py_args a;
    genops_py_args_init(&a);
    const char *tname = NULL, *message = NULL, *stack = NULL;
    if (exc == Py_None || !PyExceptionInstance_Check(exc)) /* raised as a class */
        exc = PyObject_CallNoArgs(type);
    else
        Py_INCREF(exc);
    if (exc && exception_text(&a, type, exc, tb, &tname, &message, &stack) == 0) {
        genops_span_set_status(self->handle, GENOPS_SPAN_STATUS_ERROR, message, NULL);
        genops_span_record_exception(self->handle, tname, message, stack, NULL);
    } else {
        genops_span_set_status(self->handle, GENOPS_SPAN_STATUS_ERROR, NULL, NULL);
    }
    Py_XDECREF(exc);
    genops_py_args_free(&a);
    PyErr_Clear();
    PyErr_Restore(saved_type, saved_value, saved_tb);
}

/* The value the span variable had when token was made (a new reference), or NULL when
 * it had none: Token.old_value, read only for a span exited where its token cannot
 * reset it (rare), so that entering a span need not look the variable up. */
static PyObject *token_old_value(PyObject *token)
{
    PyObject *old = PyObject_GetAttrString(token, "old_value");
    PyObject *missing = old ? PyObject_GetAttrString((PyObject *)Py_TYPE(token), "MISSING") : NULL;
    if (!missing || old == missing)
        Py_CLEAR(old);
    Py_XDECREF(missing);
    PyErr_Clear();
    return old;
}

static PyObject *span_exit(PyObject *obj, PyObject *const *args, Py_ssize_t nargs)
{
    SpanObject *self = (SpanObject *)obj;
    PyObject *type = nargs > 0 ? args[0] : Py_None;
    PyObject *exc = nargs > 1 ? args[1] : Py_None;
    PyObject *tb = nargs > 2 ? args[2] : Py_None;

    if (self->token) {
        /* Fails only when exited in another context than entered (another thread, a
         * generator moved across tasks); the span still ends, and, orphaned,
         * genops_py_current_span skips it in the context it stays in (so prev stays). */
        if (PyContextVar_Reset(genops_py_span_var, self->token) < 0) {
            PyErr_Clear();
            self->orphaned = 1;
            Py_XSETREF(self->prev, token_old_value(self->token));
        } else {
            Py_CLEAR(self->prev);
        }
        Py_CLEAR(self->token);
    }
    if (self->otel_token) {
        PyObject *m = otel();
        PyObject *r = m ? PyObject_CallMethod(m, "detach", "O", self->otel_token) : NULL;
        Py_XDECREF(r);
        PyErr_Clear();
        Py_CLEAR(self->otel_token);
    }
    if (self->handle) {
        if (type != Py_None)
            span_record_error(self, type, exc, tb);
        else if (self->kind == SPAN_OPERATION)
            genops_span_set_status(self->handle, GENOPS_SPAN_STATUS_OK, NULL, NULL);
        end_hook(self->handle);
        genops_span_end(self->handle, NULL);
        self->handle = GENOPS_SPAN_NONE;
    }
    Py_RETURN_FALSE; /* never swallow the exception */
}

static PyObject *span_set_attribute(SpanObject *self, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    PyObject *key = nargs > 0 ? args[0] : NULL, *value = nargs > 1 ? args[1] : NULL;
    for (Py_ssize_t j = 0; kwnames && j < PyTuple_GET_SIZE(kwnames); j++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, j);
        if (PyUnicode_CompareWithASCIIString(k, "key") == 0)
            key = args[nargs + j];
        else if (PyUnicode_CompareWithASCIIString(k, "value") == 0)
            value = args[nargs + j];
        else
            return PyErr_Format(PyExc_TypeError,
                                "set_attribute() got an unexpected "
                                "keyword argument '%U'",
                                k);
    }
    if (!key || !value || nargs > 2)
        return PyErr_Format(PyExc_TypeError, "set_attribute() takes exactly 2 arguments: "
                                             "key and value");
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    PyObject *result = NULL;
    genops_py_args_init(&a);
    if (genops_py_args_add(&a, key, value, GENOPS_PY_DROP) == 0) {
        genops_span_count_dropped_attributes(self->handle, a.dropped);
        if (!ignored(self, "set_attribute") && a.list.count &&
            genops_span_set(self->handle, a.list.items[0].key, &a.list.items[0].value, &err))
            result = span_failed(&err, "set_attribute");
        else {
            result = Py_None;
            Py_INCREF(result);
        }
    }
    genops_py_args_free(&a);
    return result;
}

static PyObject *span_set_attributes(SpanObject *self, PyObject *attributes)
{
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    PyObject *result = NULL;
    genops_py_args_init(&a);
    if (genops_py_args_add_dict(&a, attributes, GENOPS_PY_DROP) == 0) {
        genops_span_count_dropped_attributes(self->handle, a.dropped);
        if (!ignored(self, "set_attributes") && a.list.count &&
            genops_span_set_attributes(self->handle, a.list.items, a.list.count, &err))
            result = span_failed(&err, "set_attributes");
        else {
            result = Py_None;
            Py_INCREF(result);
        }
    }
    genops_py_args_free(&a);
    return result;
}

static PyObject *span_add_event(SpanObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"name", "attributes", "timestamp", NULL};
    PyObject *name, *attributes = Py_None, *timestamp = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|OO:add_event", kw, &name, &attributes,
                                     &timestamp))
        return NULL;
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    PyObject *result = NULL;
    Py_ssize_t len;
    genops_py_args_init(&a);
    const char *cname = genops_py_utf8(&a, name, &len);
    /* OpenTelemetry's timestamp: nanoseconds since the epoch; None (or anything but a
     * non-negative int) is now. */
    unsigned long long ns = 0;
    if (timestamp != Py_None && PyLong_Check(timestamp)) {
        ns = PyLong_AsUnsignedLongLong(timestamp);
        if (ns == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            ns = 0;
        }
    }
    if (cname && genops_py_args_add_dict(&a, attributes, GENOPS_PY_DROP) == 0) {
        genops_span_count_dropped_attributes(self->handle, a.dropped);
        genops_status rc = GENOPS_OK;
        if (ignored(self, "add_event"))
            ; /* a span that does not record takes no event */
        else if (ns)
            rc = genops_span_add_event_at(self->handle, cname, (uint64_t)ns, a.list.items,
                                          a.list.count, &err);
        else
            rc = genops_span_add_event(self->handle, cname, a.list.items, a.list.count, &err);
        if (rc)
            result = span_failed(&err, "add_event");
        else {
            result = Py_None;
            Py_INCREF(result);
        }
    }
    genops_py_args_free(&a);
    return result;
}

static PyObject *span_record_exception(SpanObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"exception", "attributes", "timestamp", "escaped", NULL};
    PyObject *exc, *attributes = Py_None, *timestamp = Py_None, *escaped = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO:record_exception", kw, &exc, &attributes,
                                     &timestamp, &escaped))
        return NULL;
    if (!PyExceptionInstance_Check(exc))
        return genops_py_type_error("record_exception() takes an exception, not %.64s",
                                    Py_TYPE(exc)->tp_name);
    if (ignored(self, "record_exception"))
        Py_RETURN_NONE;
    /* The event alone: OpenTelemetry's record_exception leaves the status as it is. */
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    const char *tname, *message, *stack;
    PyObject *result = NULL;
    genops_py_args_init(&a);
    PyObject *tb = PyException_GetTraceback(exc);
    if (tb && genops_py_args_keep(&a, tb) < 0)
        goto out;
    if (exception_text(&a, (PyObject *)Py_TYPE(exc), exc, tb, &tname, &message, &stack) < 0)
        goto out;
    genops_value v = {GENOPS_TYPE_STRING, 0, {.s = NULL}};
    v.u.s = tname, v.len = strlen(tname);
    if (genops_py_args_push(&a, "exception.type", v) < 0)
        goto out;
    v.u.s = message, v.len = strlen(message);
    if (genops_py_args_push(&a, "exception.message", v) < 0)
        goto out;
    v.u.s = stack, v.len = strlen(stack);
    if (genops_py_args_push(&a, "exception.stacktrace", v) < 0 ||
        genops_py_args_add_dict(&a, attributes, GENOPS_PY_DROP) < 0)
        goto out;
    genops_span_count_dropped_attributes(self->handle, a.dropped);
    if (genops_span_add_event(self->handle, "exception", a.list.items, a.list.count, &err))
        result = span_failed(&err, "record_exception");
    else {
        result = Py_None;
        Py_INCREF(result);
    }
out:
    genops_py_args_free(&a);
    return result;
}

/* status: an OpenTelemetry Status (status_code + description), a StatusCode-like enum
 * (its value: UNSET 0, OK 1, ERROR 2, the same numbers as ours) or an int. */
static PyObject *span_set_status(SpanObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"status", "description", NULL};
    PyObject *status, *description = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:set_status", kw, &status, &description))
        return NULL;
    PyObject *code_obj = NULL, *desc = NULL;
    if (PyObject_HasAttrString(status, "status_code")) {
        code_obj = PyObject_GetAttrString(status, "status_code");
        if (description == Py_None)
            desc = PyObject_GetAttrString(status, "description");
    } else {
        code_obj = status;
        Py_INCREF(code_obj);
    }
    if (!desc) {
        PyErr_Clear();
        desc = description;
        Py_INCREF(desc);
    }
    if (code_obj && !PyLong_Check(code_obj) && PyObject_HasAttrString(code_obj, "value")) {
        PyObject *v = PyObject_GetAttrString(code_obj, "value");
        Py_DECREF(code_obj);
        code_obj = v;
    }
    PyObject *result = NULL;
    int overflow = 0;
    long code =
        code_obj && PyLong_Check(code_obj) ? PyLong_AsLongAndOverflow(code_obj, &overflow) : -1;
    if (code < 0 || code > 2 || overflow) {
        if (!PyErr_Occurred())
            genops_py_type_error("set_status() takes a Status, a StatusCode or 0/1/2");
        goto out;
    }
    genops_py_args a;
    genops_py_args_init(&a);
    Py_ssize_t len;
    const char *message = NULL;
    if (desc != Py_None) {
        if (!PyUnicode_Check(desc)) {
            genops_py_type_error("set_status() description must be str");
            genops_py_args_free(&a);
            goto out;
        }
        message = genops_py_utf8(&a, desc, &len);
    }
    genops_error err = {GENOPS_OK, ""};
    if (!ignored(self, "set_status") &&
        genops_span_set_status(self->handle, (genops_span_status)code, message, &err))
        result = span_failed(&err, "set_status");
    else if (!PyErr_Occurred()) {
        result = Py_None;
        Py_INCREF(result);
    }
    genops_py_args_free(&a);
out:
    Py_XDECREF(code_obj);
    Py_XDECREF(desc);
    return result;
}

/* end(end_time=None): end_time in nanoseconds since the epoch, as OpenTelemetry. */
static PyObject *span_end(SpanObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"end_time", NULL};
    PyObject *end_time = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:end", kw, &end_time))
        return NULL;
    if (ignored(self, "end"))
        Py_RETURN_NONE;
    genops_error err = {GENOPS_OK, ""};
    end_hook(self->handle);
    if (end_time == Py_None)
        genops_span_end(self->handle, &err);
    else {
        unsigned long long ns = PyLong_AsUnsignedLongLong(end_time);
        if (ns == (unsigned long long)-1 && PyErr_Occurred())
            return NULL;
        genops_span_end_at(self->handle, ns, &err);
    }
    self->handle = GENOPS_SPAN_NONE;
    Py_RETURN_NONE;
}

static PyObject *span_is_recording(SpanObject *self, PyObject *unused)
{
    return PyBool_FromLong(self->handle && genops_span_is_recording(self->handle));
}

static PyObject *id_to_int(const uint8_t *bytes, size_t n)
{
    return _PyLong_FromByteArray(bytes, n, 0 /* big endian */, 0 /* unsigned */);
}

static PyObject *span_get_span_context(SpanObject *self, PyObject *unused)
{
    PyObject *sc = PyStructSequence_New(&genops_py_span_context_type);
    if (!sc)
        return NULL;
    PyObject *trace_id = id_to_int(self->ctx.trace_id, sizeof self->ctx.trace_id);
    PyObject *span_id = id_to_int(self->ctx.span_id, sizeof self->ctx.span_id);
    if (!trace_id || !span_id) {
        Py_XDECREF(trace_id);
        Py_XDECREF(span_id);
        Py_DECREF(sc);
        return NULL;
    }
    PyStructSequence_SET_ITEM(sc, 0, trace_id);
    PyStructSequence_SET_ITEM(sc, 1, span_id);
    PyStructSequence_SET_ITEM(sc, 2, PyBool_FromLong(self->has_ctx));
    PyStructSequence_SET_ITEM(sc, 3, PyLong_FromLong(self->ctx.trace_flags));
    return sc;
}

static PyObject *span_get_self(PyObject *self, void *unused)
{
    Py_INCREF(self);
    return self;
}

static PyObject *span_repr(SpanObject *self)
{
    char trace[33], span[17];
    for (int i = 0; i < 16; i++)
        snprintf(trace + 2 * i, 3, "%02x", self->ctx.trace_id[i]);
    for (int i = 0; i < 8; i++)
        snprintf(span + 2 * i, 3, "%02x", self->ctx.span_id[i]);
    return PyUnicode_FromFormat("<GenOpsSpan trace_id=%s span_id=%s%s>", trace, span,
                                self->handle ? "" : " (not recording)");
}

#define FASTKW (METH_FASTCALL | METH_KEYWORDS)

static PyMethodDef span_methods[] = {
    {"record_cost", (PyCFunction)(void (*)(void))span_record_cost, FASTKW,
     "record_cost(cost, currency='USD', provider='', model='', tokens_input=None, "
     "tokens_output=None, **metadata)\n--\n\nRecord the cost of this operation "
     "(genops.cost.*, genops.tokens.*)."},
    {"record_policy", (PyCFunction)(void (*)(void))span_record_policy, FASTKW,
     "record_policy(policy_name, policy_result='allowed', policy_reason=None, **metadata)"
     "\n--\n\nRecord a policy decision (genops.policy.*)."},
    {"record_budget", (PyCFunction)(void (*)(void))span_record_budget, FASTKW,
     "record_budget(budget_name, budget_limit, budget_used, budget_remaining=None, "
     "**metadata)\n--\n\nRecord a budget's state (genops.budget.*)."},
    {"record_evaluation", (PyCFunction)(void (*)(void))span_record_evaluation, FASTKW,
     "record_evaluation(evaluation_name, score, threshold=None, passed=None, **metadata)"
     "\n--\n\nRecord an evaluation (genops.eval.*)."},
    {"set_attribute", (PyCFunction)(void (*)(void))span_set_attribute, FASTKW,
     "set_attribute(key, value)\n--\n\nSet one attribute, key as given."},
    {"set_attributes", (PyCFunction)span_set_attributes, METH_O,
     "set_attributes(attributes)\n--\n\nSet every item of a dict."},
    {"add_event", (PyCFunction)(void (*)(void))span_add_event, METH_VARARGS | METH_KEYWORDS,
     "add_event(name, attributes=None, timestamp=None)\n--\n\nAdd an event (timestamp is "
     "accepted and ignored: events are stamped now)."},
    {"record_exception", (PyCFunction)(void (*)(void))span_record_exception,
     METH_VARARGS | METH_KEYWORDS,
     "record_exception(exception, attributes=None, timestamp=None, escaped=False)\n--\n\n"
     "Add an exception event; the status is unchanged."},
    {"set_status", (PyCFunction)(void (*)(void))span_set_status, METH_VARARGS | METH_KEYWORDS,
     "set_status(status, description=None)\n--\n\nSet the status."},
    {"end", (PyCFunction)(void (*)(void))span_end, METH_VARARGS | METH_KEYWORDS,
     "end(end_time=None)\n--\n\nEnd the span (end_time in ns since the epoch)."},
    {"is_recording", (PyCFunction)span_is_recording, METH_NOARGS,
     "is_recording()\n--\n\nTrue until the span ends."},
    {"get_span_context", (PyCFunction)span_get_span_context, METH_NOARGS,
     "get_span_context()\n--\n\nThe span's trace_id and span_id, as ints."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef span_getset[] = {
    {"span", (getter)span_get_self, NULL,
     "The span itself (genops-ai's GenOpsSpan wrapped the span as .span).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject genops_py_span_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "genops.GenOpsSpan",
    .tp_basicsize = sizeof(SpanObject),
    .tp_dealloc = (destructor)span_dealloc,
    .tp_repr = (reprfunc)span_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A GenOps operation span: a context manager that ends the span on exit, "
              "marking it OK, or ERROR with an exception event when the block raises.",
    .tp_methods = span_methods,
    .tp_getset = span_getset,
};

static PyStructSequence_Field span_context_fields[] = {
    {"trace_id", "128-bit trace id"},
    {"span_id", "64-bit span id"},
    {"is_valid", "False for a span that does not record"},
    {"trace_flags", "W3C trace flags: bit 0 = sampled (the head sampler's decision)"},
    {NULL, NULL},
};

static PyStructSequence_Desc span_context_desc = {"genops.SpanContext", "The W3C ids of a span.",
                                                  span_context_fields, 4};

/* GenOpsTelemetry's recorders, added to the module by genops_py_module_init. */
static PyMethodDef telemetry_functions[] = {
    {"record_cost", (PyCFunction)(void (*)(void))py_record_cost, FASTKW,
     "record_cost(span, cost, ...)\n--\n\nGenOpsTelemetry.record_cost."},
    {"record_policy", (PyCFunction)(void (*)(void))py_record_policy, FASTKW,
     "record_policy(span, policy_name, ...)\n--\n\nGenOpsTelemetry.record_policy."},
    {"record_budget", (PyCFunction)(void (*)(void))py_record_budget, FASTKW,
     "record_budget(span, budget_name, ...)\n--\n\nGenOpsTelemetry.record_budget."},
    {"record_evaluation", (PyCFunction)(void (*)(void))py_record_evaluation, FASTKW,
     "record_evaluation(span, ...)\n--\n\nGenOpsTelemetry.record_evaluation."},
    {"set_end_hook", (PyCFunction)py_set_end_hook, METH_O,
     "set_end_hook(fn)\n--\n\nfn(attributes) -> dataset names, before each span ends."},
    {"set_remote", (PyCFunction)py_set_remote, METH_O,
     "set_remote(value)\n--\n\nremote_var.set(value): genops.propagation.attach."},
    {NULL, NULL, 0, NULL},
};

int genops_py_span_type_init(PyObject *m)
{
    struct genops_py_names *all[] = {&cost_rec.names, &policy_rec.names, &budget_rec.names,
                                     &eval_rec.names};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (genops_py_names_init(all[i]) < 0)
            return -1;
    if (!(total_cost_str = PyUnicode_InternFromString("total_cost")) ||
        !(g_allowed = PyUnicode_InternFromString("allowed")))
        return -1;
    if (PyType_Ready(&genops_py_span_type) < 0 ||
        genops_py_add_fast_method(&genops_py_span_type, "__enter__", span_enter) < 0 ||
        genops_py_add_fast_method(&genops_py_span_type, "__exit__", span_exit) < 0)
        return -1;
    if (!genops_py_span_context_type.tp_name &&
        PyStructSequence_InitType2(&genops_py_span_context_type, &span_context_desc) < 0)
        return -1;
    Py_INCREF(&genops_py_span_type);
    Py_INCREF(&genops_py_span_context_type);
    if (genops_py_add_object(m, "GenOpsSpan", (PyObject *)&genops_py_span_type) < 0 ||
        genops_py_add_object(m, "SpanContext", (PyObject *)&genops_py_span_context_type) < 0)
        return -1;
    return PyModule_AddFunctions(m, telemetry_functions);
}
