/* module.c - the hand-written part of genops._native: its state (the current
 * pipeline, the two ContextVars), the per-operation entry points track /
 * trace_operation / create_span / current_span, and its init, called from the SWIG
 * module's. The span type is span_type.c, the context type context_type.c.
 *
 * SWIG wraps the whole C API (genops.i), but a SWIG keyword call costs ~320 ns, more
 * than the whole operation should. So the calls that run once per operation are
 * METH_FASTCALL | METH_KEYWORDS functions over the same C API, written by hand.
 * Context that must follow threads and asyncio tasks is in two ContextVars: the
 * current span (for parenting) and the governance context (a Context object holding
 * a native genops_context snapshot). The GIL is held throughout: nothing here waits. */
#include "genops_py.h"
#include "http.h"

#include <string.h>

/* ---- module state: one interpreter, set at init, guarded by the GIL -------------- */

genops_pipeline *genops_py_pipeline; /* spans start here; NULL until the first one */
PyObject *genops_py_span_var;        /* ContextVar: the current GenOpsSpan */
PyObject *genops_py_context_var;     /* ContextVar: the current Context */
PyObject *genops_py_remote_var;      /* ContextVar: the attached remote parent */
static PyObject *g_logger;           /* logging.getLogger("genops"), on first warning */

void genops_py_use_pipeline(genops_pipeline *p)
{
    genops_py_pipeline = p;
}

genops_pipeline *genops_py_span_pipeline(void)
{
    if (genops_py_pipeline)
        return genops_py_pipeline;
    PyObject *runtime = PyImport_ImportModule("genops._runtime");
    PyObject *done = runtime ? PyObject_CallMethod(runtime, "start_default", NULL) : NULL;
    Py_XDECREF(runtime);
    Py_XDECREF(done);
    return genops_py_pipeline;
}

/* Log a warning on the "genops" logger; never raises (the warning is best effort). */
void genops_py_warn(const char *message)
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

PyObject *genops_py_var_get_cached(PyObject *var)
{
    PyObject *cur = NULL;
    if (PyContextVar_Get(var, NULL, &cur) < 0) {
        PyErr_Clear();
        return NULL;
    }
    if (!cur) {
        PyObject *token = PyContextVar_Set(var, Py_None);
        Py_XDECREF(token);
        PyErr_Clear();
    }
    return cur;
}

/* ---- argument names, interned once ------------------------------------------------- */

int genops_py_names_init(struct genops_py_names *n)
{
    for (n->count = 0; n->text[n->count]; n->count++) {
        n->str[n->count] = PyUnicode_InternFromString(n->text[n->count]);
        if (!n->str[n->count])
            return -1;
    }
    return 0;
}

/* Keyword names are usually interned, so identity decides; a key built at run time
 * falls back to comparing text. */
int genops_py_names_find(const struct genops_py_names *n, PyObject *key)
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

/* ---- starting operations ------------------------------------------------------------ */

static struct genops_py_names op_names = {.text = {"operation_name", "operation_type", "team",
                                                   "project", "feature", "customer", "environment",
                                                   NULL}};
enum { OP_NAME, OP_TYPE, OP_TEAM, OP_ENVIRONMENT = 6 };

/* ---- budgets ----------------------------------------------------------------------- */

/* genops.core.policy.PolicyViolationError(budget, reason) raised. */
static void raise_budget_violation(const char *budget, const char *reason)
{
    PyObject *policy = PyImport_ImportModule("genops.core.policy");
    PyObject *cls = policy ? PyObject_GetAttrString(policy, "PolicyViolationError") : NULL;
    PyObject *exc = cls ? PyObject_CallFunction(cls, "ss", budget, reason) : NULL;
    if (exc)
        PyErr_SetObject(cls, exc);
    Py_XDECREF(exc);
    Py_XDECREF(cls);
    Py_XDECREF(policy);
}

/* A budget or a rate limit with enforcement "block" refused the operation h just
 * started: the decision is on the span (genops_span_budget_blocked or
 * genops_span_rate_limited recorded it); end it as an error and raise
 * PolicyViolationError, before the caller's code runs. 1 when refused, else 0. The
 * budgets go first: their check takes nothing, the rate limits' takes a request. */
static int limits_refused(genops_span h)
{
    char budget[256], why[256];
    if (!genops_span_budget_blocked(h, budget, sizeof budget, why, sizeof why) &&
        !genops_span_rate_limited(h, budget, sizeof budget, why, sizeof why))
        return 0;
    genops_span_set_status(h, GENOPS_SPAN_STATUS_ERROR, why, NULL);
    genops_span_end(h, NULL);
    raise_budget_violation(budget, why);
    return 1;
}

/* budget_blocked(span): (budget, reason) when a "block" budget whose scope matches the
 * span has reached its limit (the decision is recorded on the span), else None; for
 * enforce_policy, whose function runs inside an operation that already started. */
static PyObject *py_budget_blocked(PyObject *m, PyObject *span)
{
    (void)m;
    if (!PyObject_TypeCheck(span, &genops_py_span_type))
        return genops_py_type_error("budget_blocked takes a GenOpsSpan, not %.64s",
                                    Py_TYPE(span)->tp_name);
    char budget[256], why[256];
    if (!genops_span_budget_blocked(((SpanObject *)span)->handle, budget, sizeof budget, why,
                                    sizeof why))
        Py_RETURN_NONE;
    return Py_BuildValue("(ss)", budget, why);
}

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
    ContextObject *ctx = genops_py_current_context();
    if (ctx && ctx->masked) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(ctx->masked); i++)
            if (genops_py_args_add(&a, PyTuple_GET_ITEM(ctx->masked, i), Py_None, 0) < 0)
                goto out;
    }
    for (Py_ssize_t j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        int at = genops_py_names_find(&op_names, key);
        if (at >= 0 && at < npos) {
            if (slot[at]) {
                PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname,
                             op_names.text[at]);
                goto out;
            }
            slot[at] = args[nargs + j];
        } else if (genops_py_args_add_fast(&a, key, args[nargs + j], GENOPS_PY_DROP) < 0) {
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
        int truthy = PyUnicode_CheckExact(slot[i]) ? PyUnicode_GET_LENGTH(slot[i]) != 0
                                                   : PyObject_IsTrue(slot[i]);
        if (truthy < 0 || (truthy && genops_py_args_add_fast(&a, op_names.str[i], slot[i],
                                                             GENOPS_PY_DROP | GENOPS_PY_KNOWN) < 0))
            goto out;
    }

    genops_span_context parent_buf;
    const genops_span_context *parent = genops_py_current_parent(&parent_buf);
    genops_span h = GENOPS_SPAN_NONE;
    genops_pipeline *p = genops_py_span_pipeline();
    if (!p && PyErr_Occurred())
        goto out;
    if (p)
        h = genops_operation_start(p, name, type, parent, ctx ? ctx->ctx : NULL, a.list.items,
                                   a.list.count, &err);
    if (!h && err.code == GENOPS_EINVAL) {
        genops_py_raise(err.code, err.message);
        goto out;
    }
    genops_span_count_dropped_attributes(h, a.dropped);
    if (h && limits_refused(h))
        goto out;
    /* Shut down or out of span slots: a span that does not record, as OpenTelemetry
     * gives after shutdown (the pipeline counted the failure). */
    result = genops_py_span_new(h, SPAN_OPERATION);
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
    if (!cname || genops_py_args_add_dict(&a, attributes, GENOPS_PY_DROP) < 0)
        goto out;
    genops_span_context parent_buf;
    const genops_span_context *parent = genops_py_current_parent(&parent_buf);
    genops_span h = GENOPS_SPAN_NONE;
    genops_pipeline *p = genops_py_span_pipeline();
    if (!p && PyErr_Occurred())
        goto out;
    if (p)
        h = genops_span_start(p, cname, parent, &err);
    genops_span_count_dropped_attributes(h, a.dropped);
    if (h && a.list.count &&
        genops_span_set_attributes(h, a.list.items, a.list.count, &err) != GENOPS_OK) {
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
    result = genops_py_span_new(h, SPAN_PLAIN);
out:
    genops_py_args_free(&a);
    return result;
}

static PyObject *py_current_span(PyObject *m, PyObject *unused)
{
    PyObject *cur = genops_py_current_span();
    if (cur)
        return cur;
    Py_RETURN_NONE;
}

/* url_for_log(url): the URL as genops prints it anywhere (http.c's http_url_for_log:
 * user:password and the query masked), so Python's messages mask endpoints by the
 * same one rule as the C library's. */
static PyObject *py_url_for_log(PyObject *m, PyObject *url)
{
    Py_ssize_t len;
    const char *u = PyUnicode_Check(url) ? PyUnicode_AsUTF8AndSize(url, &len) : NULL;
    if (!u) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "url must be a str, not %s", Py_TYPE(url)->tp_name);
        return NULL;
    }
    char shown[512];
    http_url_for_log(u, shown, sizeof shown);
    return PyUnicode_DecodeUTF8(shown, (Py_ssize_t)strnlen(shown, sizeof shown), "replace");
}

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
    {"budget_blocked", (PyCFunction)py_budget_blocked, METH_O,
     "budget_blocked(span)\n--\n\n(budget, reason) when a blocking budget refuses span, else "
     "None."},
    {"url_for_log", (PyCFunction)py_url_for_log, METH_O,
     "url_for_log(url)\n--\n\nurl as it may be shown: user:password and query masked."},
    {NULL, NULL, 0, NULL},
};

int genops_py_add_object(PyObject *m, const char *name, PyObject *o)
{
    if (!o || PyModule_AddObject(m, name, o) < 0) {
        Py_XDECREF(o);
        return -1;
    }
    return 0;
}

int genops_py_module_init(PyObject *m)
{
    if (genops_py_convert_init() < 0 || genops_py_names_init(&op_names) < 0)
        return -1;
    genops_py_span_var = PyContextVar_New("genops_current_span", NULL);
    genops_py_context_var = PyContextVar_New("genops_context", NULL);
    genops_py_remote_var = PyContextVar_New("genops_remote_parent", NULL);
    if (!genops_py_span_var || !genops_py_context_var || !genops_py_remote_var)
        return -1;
    Py_INCREF(genops_py_span_var);
    Py_INCREF(genops_py_context_var);
    Py_INCREF(genops_py_remote_var);
    if (genops_py_add_object(m, "span_var", genops_py_span_var) < 0 ||
        genops_py_add_object(m, "context_var", genops_py_context_var) < 0 ||
        genops_py_add_object(m, "remote_var", genops_py_remote_var) < 0 ||
        genops_py_span_type_init(m) < 0 || genops_py_context_type_init(m) < 0 ||
        genops_py_otel_export_init(m) < 0)
        return -1;
    return PyModule_AddFunctions(m, module_functions);
}
