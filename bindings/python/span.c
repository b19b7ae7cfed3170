/* span.c - the per-operation hot path of genops._native, written by hand.
 *
 * SWIG wraps the whole C API (genops.i), but a SWIG keyword call costs ~320 ns, more
 * than the whole operation should. So the calls that run once per operation are here,
 * as METH_FASTCALL | METH_KEYWORDS functions over the same C API:
 *   track / trace_operation / create_span -> a GenOpsSpan object, a context manager;
 *   GenOpsSpan.record_cost / record_policy / record_budget / record_evaluation /
 *   set_attribute ... ; and GenOpsTelemetry's record_* as plain functions that take
 *   the span first (they are class attributes there: builtins do not bind self).
 * Context that must follow threads and asyncio tasks is in two ContextVars: the
 * current span (for parenting) and the governance context (a Context object holding
 * a native genops_context snapshot). The GIL is held throughout: nothing here waits. */
#include "genops_py.h"

#include <string.h>

/* ---- module state: one interpreter, set at init, guarded by the GIL -------------- */

static genops_pipeline *g_pipeline;  /* spans start here; NULL = they do not record */
static PyObject *g_span_var;         /* ContextVar: the current GenOpsSpan */
static PyObject *g_context_var;      /* ContextVar: the current Context */
static PyObject *g_logger;           /* logging.getLogger("genops"), on first warning */
static PyObject *g_format_exception; /* traceback.format_exception, on first error */
static PyObject *g_allowed;          /* "allowed": GenOpsSpan.record_policy's default */

void genops_py_use_pipeline(genops_pipeline *p)
{
    g_pipeline = p;
}

/* Log a warning on the "genops" logger; never raises (the warning is best effort). */
static void warn(const char *message)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (!g_logger) {
        PyObject *logging = PyImport_ImportModule("logging");
        if (logging) {
            g_logger = PyObject_CallMethod(logging, "getLogger", "s", "genops");
            Py_DECREF(logging);
        }
    }
    PyObject *r = g_logger ? PyObject_CallMethod(g_logger, "warning", "s", message) : NULL;
    Py_XDECREF(r);
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
}

/* ---- argument names, interned once ------------------------------------------------- */

enum { MAX_NAMES = 9 };

struct names {
    const char *text[MAX_NAMES + 1]; /* NULL-terminated */
    PyObject *str[MAX_NAMES];        /* interned at init */
    int count;
};

static int names_init(struct names *n)
{
    for (n->count = 0; n->text[n->count]; n->count++) {
        n->str[n->count] = PyUnicode_InternFromString(n->text[n->count]);
        if (!n->str[n->count])
            return -1;
    }
    return 0;
}

/* Index of key among n's names, or -1. Keyword names are usually interned, so
 * identity decides; a key built at run time falls back to comparing text. */
static int names_find(const struct names *n, PyObject *key)
{
    for (int i = 0; i < n->count; i++)
        if (key == n->str[i])
            return i;
    if (PyUnicode_CHECK_INTERNED(key)) /* equal interned strings are the same object */
        return -1;
    for (int i = 0; i < n->count; i++)
        if (PyUnicode_Compare(key, n->str[i]) == 0)
            return i;
    return -1;
}

/* ---- the span type ---------------------------------------------------------------- */

enum span_kind { SPAN_OPERATION, SPAN_PLAIN };

typedef struct {
    PyObject_HEAD genops_span handle; /* 0: not recording (pipeline shut down, or none) */
    genops_span_context ctx;          /* copied at start: children may start after we end */
    PyObject *token;                  /* the span ContextVar's token while entered */
    unsigned char kind;
    unsigned char has_ctx;
} SpanObject;

static PyTypeObject Span_Type;

typedef struct {
    PyObject_HEAD genops_context *ctx; /* NULL when empty */
    PyObject *mapping;                 /* dict: what get_context() shows, None values included */
    PyObject *masked;                  /* tuple of keys whose value is None, or NULL */
} ContextObject;

static PyTypeObject Context_Type;

static PyTypeObject SpanContext_Type;

/* Span objects are made and dropped once per operation: keep a few dead ones for
 * reuse instead of going through the allocator each time (GIL-protected). */
#define SPAN_FREELIST_MAX 64
static SpanObject *span_freelist[SPAN_FREELIST_MAX];
static int span_freelist_len;

static PyObject *span_new(genops_span handle, enum span_kind kind)
{
    SpanObject *s;
    if (span_freelist_len > 0) {
        s = span_freelist[--span_freelist_len];
        (void)PyObject_INIT(s, &Span_Type);
    } else if (!(s = PyObject_New(SpanObject, &Span_Type))) {
        if (handle)
            genops_span_end(handle, NULL);
        return NULL;
    }
    s->handle = handle;
    s->token = NULL;
    s->kind = (unsigned char)kind;
    s->has_ctx = handle && genops_span_get_context(handle, &s->ctx, NULL) == GENOPS_OK;
    if (!s->has_ctx)
        memset(&s->ctx, 0, sizeof s->ctx);
    return (PyObject *)s;
}

static void span_dealloc(SpanObject *s)
{
    /* A span nobody ended (created and dropped, or an unentered track()) is ended
     * here rather than left holding a slot forever. */
    if (s->handle)
        genops_span_end(s->handle, NULL);
    Py_XDECREF(s->token);
    if (span_freelist_len < SPAN_FREELIST_MAX)
        span_freelist[span_freelist_len++] = s;
    else
        PyObject_Free(s);
}

/* The parent for a new span: the current span of this thread / task, if any. */
static const genops_span_context *current_parent(genops_span_context *out)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(g_span_var, NULL, &cur) < 0) {
        PyErr_Clear();
        return NULL;
    }
    const genops_span_context *p = NULL;
    if (cur && Py_TYPE(cur) == &Span_Type && ((SpanObject *)cur)->has_ctx) {
        *out = ((SpanObject *)cur)->ctx;
        p = out;
    }
    Py_XDECREF(cur);
    return p;
}

/* A new reference to the current Context, or NULL (no context, or an error). */
static ContextObject *current_context(void)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(g_context_var, NULL, &cur) < 0) {
        PyErr_Clear();
        return NULL;
    }
    if (cur && Py_TYPE(cur) != &Context_Type)
        Py_CLEAR(cur);
    return (ContextObject *)cur;
}

/* OpenTelemetry ignores calls on an ended span, with a warning; so do we. */
static void warn_ended(const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "genops: %s on a span that has already ended is ignored", what);
    warn(msg);
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

/* ---- starting operations ------------------------------------------------------------ */

static struct names op_names = {.text = {"operation_name", "operation_type", "team", "project",
                                         "feature", "customer", "environment", NULL}};
enum { OP_NAME, OP_TYPE, OP_TEAM, OP_ENVIRONMENT = 6 };

/* track(...) and trace_operation(...): genops-ai's rules, then genops_operation_start.
 * track drops falsy team/project/feature/customer/environment (genops-ai's `if team:`),
 * trace_operation takes every keyword as an attribute. A None attribute hides an
 * inherited one; so does a None in the governance context (masked). */
static PyObject *start_operation(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                                 int npos, const char *fname)
{
    PyObject *slot[7] = {NULL};
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    PyObject *result = NULL;

    if (nargs > npos)
        return PyErr_Format(PyExc_TypeError,
                            "%s() takes at most %d positional arguments "
                            "(%zd given)",
                            fname, npos, nargs);
    for (Py_ssize_t i = 0; i < nargs; i++)
        slot[i] = args[i];

    genops_py_args_init(&a);
    ContextObject *ctx = current_context();
    if (ctx && ctx->masked) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ctx->masked); i++)
            if (genops_py_args_add(&a, PyTuple_GET_ITEM(ctx->masked, i), Py_None, 0) < 0)
                goto out;
    }
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        int at = names_find(&op_names, key);
        if (at >= 0 && at < npos) {
            if (slot[at]) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname,
                             op_names.text[at]);
                goto out;
            }
            slot[at] = args[nargs + j];
        } else if (genops_py_args_add_fast(&a, key, args[nargs + j], 0) < 0) {
            goto out;
        }
    }
    if (!slot[OP_NAME]) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument: 'operation_name'", fname);
        goto out;
    }
    if (!PyUnicode_Check(slot[OP_NAME])) {
        genops_py_type_error("operation_name must be str, not %.64s",
                             Py_TYPE(slot[OP_NAME])->tp_name);
        goto out;
    }
    const char *type = NULL;
    Py_ssize_t len;
    const char *name = genops_py_utf8(&a, slot[OP_NAME], &len);
    if (!name)
        goto out;
    if (slot[OP_TYPE] && slot[OP_TYPE] != Py_None) {
        if (!PyUnicode_Check(slot[OP_TYPE])) {
            genops_py_type_error("operation_type must be str, not %.64s",
                                 Py_TYPE(slot[OP_TYPE])->tp_name);
            goto out;
        }
        if (!(type = genops_py_utf8(&a, slot[OP_TYPE], &len)))
            goto out;
    }
    for (int i = OP_TEAM; i < npos; i++) {
        if (!slot[i])
            continue;
        int truthy = PyObject_IsTrue(slot[i]);
        if (truthy < 0 || (truthy && genops_py_args_add_fast(&a, op_names.str[i], slot[i], 0) < 0))
            goto out;
    }

    genops_span_context parent_buf;
    const genops_span_context *parent = current_parent(&parent_buf);
    genops_span h = GENOPS_SPAN_NONE;
    if (g_pipeline)
        h = genops_operation_start(g_pipeline, name, type, parent, ctx ? ctx->ctx : NULL, a.items,
                                   a.count, &err);
    if (!h && err.code == GENOPS_EINVAL) {
        genops_py_raise(err.code, err.message);
        goto out;
    }
    /* Shut down or out of span slots: a span that does not record, as OpenTelemetry
     * gives after shutdown (the pipeline counted the failure). */
    result = span_new(h, SPAN_OPERATION);
out:
    Py_XDECREF(ctx);
    genops_py_args_free(&a);
    return result;
}

static PyObject *py_track(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return start_operation(args, nargs, kwnames, 7, "track");
}

static PyObject *py_trace_operation(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    return start_operation(args, nargs, kwnames, 2, "trace_operation");
}

/* create_span(name, attributes=None, **kwargs): a plain span, parented on the current
 * one, that the caller ends (GenOpsTelemetry.create_span). None attributes are
 * dropped; "" and 0 are kept. OpenTelemetry's start_span keywords are accepted: kind
 * is honoured, the others are ignored. */
static PyObject *py_create_span(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    PyObject *name = nargs > 0 ? args[0] : NULL;
    PyObject *attributes = nargs > 1 ? args[1] : NULL;
    PyObject *kind = NULL;
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};

    if (nargs > 2)
        return PyErr_Format(PyExc_TypeError,
                            "create_span() takes at most 2 positional "
                            "arguments (%zd given)",
                            nargs);
    for (Py_ssize_t j = 0; kwnames && j < PyTuple_GET_SIZE(kwnames); j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        if (PyUnicode_CompareWithASCIIString(key, "name") == 0)
            name = args[nargs + j];
        else if (PyUnicode_CompareWithASCIIString(key, "attributes") == 0)
            attributes = args[nargs + j];
        else if (PyUnicode_CompareWithASCIIString(key, "kind") == 0)
            kind = args[nargs + j];
    }
    if (!name || !PyUnicode_Check(name))
        return genops_py_type_error("create_span() needs a str name");
    genops_py_args_init(&a);
    PyObject *result = NULL;
    Py_ssize_t len;
    const char *cname = genops_py_utf8(&a, name, &len);
    if (!cname || genops_py_args_add_dict(&a, attributes, 0) < 0)
        goto out;
    genops_span_context parent_buf;
    const genops_span_context *parent = current_parent(&parent_buf);
    genops_span h = GENOPS_SPAN_NONE;
    if (g_pipeline)
        h = genops_span_start(g_pipeline, cname, parent, &err);
    if (h && a.count && genops_span_set_attributes(h, a.items, a.count, &err) != GENOPS_OK) {
        genops_span_end(h, NULL);
        genops_py_raise(err.code, err.message);
        goto out;
    }
    if (h && kind && kind != Py_None) {
        /* OpenTelemetry's SpanKind names the same five kinds (its values are ours - 1). */
        static const char *const kinds[] = {"INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
        PyObject *kname = PyObject_GetAttrString(kind, "name");
        if (!kname)
            PyErr_Clear();
        for (int i = 0; kname && PyUnicode_Check(kname) && i < 5; i++)
            if (PyUnicode_CompareWithASCIIString(kname, kinds[i]) == 0)
                genops_span_set_kind(h, (genops_span_kind)(i + 1), NULL);
        Py_XDECREF(kname);
    }
    result = span_new(h, SPAN_PLAIN);
out:
    genops_py_args_free(&a);
    return result;
}

static PyObject *py_current_span(PyObject *m, PyObject *unused)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(g_span_var, Py_None, &cur) < 0)
        return NULL;
    return cur;
}

/* ---- the recorders ------------------------------------------------------------------ */

typedef genops_status (*recorder_fn)(genops_span, const genops_attribute *, size_t, genops_error *);

struct recorder {
    const char *what;
    struct names names; /* positional order, as genops-ai's signatures */
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
        if (genops_py_args_add_fast(&a, r->names.str[i], args[i], GENOPS_PY_FLATTEN) < 0)
            goto out;
    }
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        int at = names_find(&r->names, key);
        if (at >= 0) {
            if (present & (1u << at)) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", r->what,
                             r->names.text[at]);
                goto out;
            }
            present |= 1u << at;
        } else if (r == &cost_rec && PyUnicode_Compare(key, total_cost_str) == 0) {
            present |= 1u << MAX_NAMES; /* stands in for cost */
        }
        if (genops_py_args_add_fast(&a, key, args[nargs + j], GENOPS_PY_FLATTEN) < 0)
            goto out;
    }
    if (r->required >= 0 && !(present & (1u << r->required)) &&
        !(r == &cost_rec && (present & (1u << MAX_NAMES)))) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument: '%s'", r->what,
                     r->names.text[r->required]);
        goto out;
    }
    if ((flags & POLICY_DEFAULT_ALLOWED) && !(present & (1u << POLICY_RESULT)) &&
        genops_py_args_add(&a, r->names.str[POLICY_RESULT], g_allowed, 0) < 0)
        goto out;
    if (ignored(span, r->what)) {
        result = Py_None;
        Py_INCREF(result);
        goto out;
    }
    if (r->fn(span->handle, a.items, a.count, &err) != GENOPS_OK)
        result = span_failed(&err, r->what);
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
        if (nargs < 1 || Py_TYPE(args[0]) != &Span_Type)                                           \
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

static PyObject *span_enter(SpanObject *self, PyObject *unused)
{
    if (self->token)
        return PyErr_Format(PyExc_RuntimeError, "this span is already entered");
    self->token = PyContextVar_Set(g_span_var, (PyObject *)self);
    if (!self->token)
        return NULL;
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

static PyObject *span_exit(SpanObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *type = nargs > 0 ? args[0] : Py_None;
    PyObject *exc = nargs > 1 ? args[1] : Py_None;
    PyObject *tb = nargs > 2 ? args[2] : Py_None;

    if (self->token) {
        /* Fails only when exited in another context than entered (a generator moved
         * across tasks); the span still ends. */
        if (PyContextVar_Reset(g_span_var, self->token) < 0)
            PyErr_Clear();
        Py_CLEAR(self->token);
    }
    if (self->handle) {
        if (type != Py_None)
            span_record_error(self, type, exc, tb);
        else if (self->kind == SPAN_OPERATION)
            genops_span_set_status(self->handle, GENOPS_SPAN_STATUS_OK, NULL, NULL);
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
    if (genops_py_args_add(&a, key, value, 0) == 0) {
        if (!ignored(self, "set_attribute") &&
            genops_span_set(self->handle, a.items[0].key, &a.items[0].value, &err))
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
    if (genops_py_args_add_dict(&a, attributes, 0) == 0) {
        if (!ignored(self, "set_attributes") && a.count &&
            genops_span_set_attributes(self->handle, a.items, a.count, &err))
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
    if (cname && genops_py_args_add_dict(&a, attributes, 0) == 0) {
        if (!ignored(self, "add_event") &&
            genops_span_add_event(self->handle, cname, a.items, a.count, &err))
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
        genops_py_args_add_dict(&a, attributes, 0) < 0)
        goto out;
    if (genops_span_add_event(self->handle, "exception", a.items, a.count, &err))
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
    PyObject *sc = PyStructSequence_New(&SpanContext_Type);
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
    {"__enter__", (PyCFunction)span_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)(void (*)(void))span_exit, METH_FASTCALL, NULL},
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

static PyTypeObject Span_Type = {
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
    {NULL, NULL},
};

static PyStructSequence_Desc span_context_desc = {"genops.SpanContext", "The W3C ids of a span.",
                                                  span_context_fields, 3};

/* ---- contexts ---------------------------------------------------------------------- */

/* Context(base=None, attributes=None): base's attributes overridden by attributes.
 * Immutable. A None value hides the key (and, at operation start, a default). */
static PyObject *context_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"base", "attributes", NULL};
    PyObject *base = Py_None, *attributes = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OO:Context", kw, &base, &attributes))
        return NULL;
    if (base != Py_None && Py_TYPE(base) != &Context_Type)
        return genops_py_type_error("Context base must be a Context or None");
    if (attributes != Py_None && !PyDict_Check(attributes))
        return genops_py_type_error("Context attributes must be a dict");

    ContextObject *self = (ContextObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    genops_py_args a;
    genops_error err = {GENOPS_OK, ""};
    genops_py_args_init(&a);
    self->mapping = base != Py_None ? PyDict_Copy(((ContextObject *)base)->mapping) : PyDict_New();
    if (!self->mapping || (attributes != Py_None && PyDict_Update(self->mapping, attributes)))
        goto fail;
    if (genops_py_args_add_dict(&a, attributes, 0) < 0)
        goto fail;
    const genops_context *b = base != Py_None ? ((ContextObject *)base)->ctx : NULL;
    self->ctx = genops_context_new(b, a.items, a.count, &err);
    if (!self->ctx) {
        genops_py_raise(err.code, err.message);
        goto fail;
    }
    /* The keys set to None, to hide inherited defaults at operation start. */
    PyObject *k, *v, *masked = NULL;
    Py_ssize_t pos = 0;
    while (PyDict_Next(self->mapping, &pos, &k, &v)) {
        if (v != Py_None)
            continue;
        if (!masked && !(masked = PyList_New(0)))
            goto fail;
        if (PyList_Append(masked, k) < 0) {
            Py_DECREF(masked);
            goto fail;
        }
    }
    if (masked) {
        self->masked = PyList_AsTuple(masked);
        Py_DECREF(masked);
        if (!self->masked)
            goto fail;
    }
    genops_py_args_free(&a);
    return (PyObject *)self;
fail:
    genops_py_args_free(&a);
    Py_DECREF(self);
    return NULL;
}

static void context_dealloc(ContextObject *self)
{
    genops_context_unref(self->ctx);
    Py_XDECREF(self->mapping);
    Py_XDECREF(self->masked);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *context_attributes(ContextObject *self, void *unused)
{
    return PyDict_Copy(self->mapping);
}

static PyGetSetDef context_getset[] = {
    {"attributes", (getter)context_attributes, NULL,
     "A copy of the attributes (None values included).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Context_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "genops.Context",
    .tp_basicsize = sizeof(ContextObject),
    .tp_dealloc = (destructor)context_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context(base=None, attributes=None): an immutable governance context, a "
              "native attribute snapshot. genops keeps the current one in a ContextVar.",
    .tp_getset = context_getset,
    .tp_new = context_new,
};

/* ---- module functions and init --------------------------------------------------------- */

static PyMethodDef module_functions[] = {
    {"track", (PyCFunction)(void (*)(void))py_track, FASTKW,
     "track(operation_name, operation_type='ai.inference', team=None, project=None, "
     "feature=None, customer=None, environment=None, **attributes)\n--\n\n"
     "Start an operation span; use it with `with`."},
    {"trace_operation", (PyCFunction)(void (*)(void))py_trace_operation, FASTKW,
     "trace_operation(operation_name, operation_type='ai.inference', **attributes)\n--\n\n"
     "Start an operation span; use it with `with`."},
    {"create_span", (PyCFunction)(void (*)(void))py_create_span, FASTKW,
     "create_span(name, attributes=None, **kwargs)\n--\n\nStart a plain span; end() it."},
    {"current_span", (PyCFunction)py_current_span, METH_NOARGS,
     "current_span()\n--\n\nThe span of the innermost `with`, or None."},
    {"record_cost", (PyCFunction)(void (*)(void))py_record_cost, FASTKW,
     "record_cost(span, cost, ...)\n--\n\nGenOpsTelemetry.record_cost."},
    {"record_policy", (PyCFunction)(void (*)(void))py_record_policy, FASTKW,
     "record_policy(span, policy_name, ...)\n--\n\nGenOpsTelemetry.record_policy."},
    {"record_budget", (PyCFunction)(void (*)(void))py_record_budget, FASTKW,
     "record_budget(span, budget_name, ...)\n--\n\nGenOpsTelemetry.record_budget."},
    {"record_evaluation", (PyCFunction)(void (*)(void))py_record_evaluation, FASTKW,
     "record_evaluation(span, ...)\n--\n\nGenOpsTelemetry.record_evaluation."},
    {NULL, NULL, 0, NULL},
};

static int add_object(PyObject *m, const char *name, PyObject *o)
{
    if (!o || PyModule_AddObject(m, name, o) < 0) {
        Py_XDECREF(o);
        return -1;
    }
    return 0;
}

int genops_py_span_init(PyObject *m)
{
    if (genops_py_convert_init() < 0)
        return -1;
    struct names *all[] = {&op_names, &cost_rec.names, &policy_rec.names, &budget_rec.names,
                           &eval_rec.names};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (names_init(all[i]) < 0)
            return -1;
    if (!(total_cost_str = PyUnicode_InternFromString("total_cost")) ||
        !(g_allowed = PyUnicode_InternFromString("allowed")))
        return -1;
    if (PyType_Ready(&Span_Type) < 0 || PyType_Ready(&Context_Type) < 0)
        return -1;
    if (!SpanContext_Type.tp_name &&
        PyStructSequence_InitType2(&SpanContext_Type, &span_context_desc) < 0)
        return -1;
    g_span_var = PyContextVar_New("genops_current_span", NULL);
    g_context_var = PyContextVar_New("genops_context", NULL);
    if (!g_span_var || !g_context_var)
        return -1;
    Py_INCREF(&Span_Type);
    Py_INCREF(&Context_Type);
    Py_INCREF(&SpanContext_Type);
    Py_INCREF(g_span_var);
    Py_INCREF(g_context_var);
    if (add_object(m, "GenOpsSpan", (PyObject *)&Span_Type) < 0 ||
        add_object(m, "Context", (PyObject *)&Context_Type) < 0 ||
        add_object(m, "SpanContext", (PyObject *)&SpanContext_Type) < 0 ||
        add_object(m, "span_var", g_span_var) < 0 ||
        add_object(m, "context_var", g_context_var) < 0)
        return -1;
    return PyModule_AddFunctions(m, module_functions);
}
