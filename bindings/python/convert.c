/* convert.c - Python objects to genops attribute lists and back, and genops status
 * codes to Python exceptions. Shared by the SWIG wrappers and the span type; see
 * genops_py.h for the ownership rules. GIL held throughout. */
#include "genops_py.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* ---- the argument list's memory --------------------------------------------------- */

void genops_py_args_init(genops_py_args *a)
{
    genops_attr_list_init(&a->list);
    a->keep = NULL;
    a->nkeep = a->capkeep = 0;
    a->dropped = 0;
}

void genops_py_args_free(genops_py_args *a)
{
    if (a->keep) {
        for (size_t i = 0; i < a->nkeep; i++)
            Py_DECREF(a->keep[i]);
        PyMem_Free(a->keep);
        a->keep = NULL;
        a->nkeep = a->capkeep = 0;
    }
    genops_attr_list_free(&a->list);
}

/* n bytes, 8-aligned, valid until genops_py_args_free. NULL with MemoryError. */
static void *scratch(genops_py_args *a, size_t n)
{
    void *p = genops_attr_list_alloc(&a->list, n);
    if (!p)
        PyErr_NoMemory();
    return p;
}

static genops_attribute *next_item(genops_py_args *a)
{
    genops_attribute *item = genops_attr_list_next(&a->list);
    if (!item)
        PyErr_NoMemory();
    return item;
}

int genops_py_args_keep(genops_py_args *a, PyObject *o)
{
    if (a->nkeep == a->capkeep) {
        size_t cap = a->capkeep ? 2 * a->capkeep : 4;
        PyObject **p = PyMem_Realloc(a->keep, cap * sizeof *p);
        if (!p) {
            Py_DECREF(o);
            PyErr_NoMemory();
            return -1;
        }
        a->keep = p;
        a->capkeep = cap;
    }
    a->keep[a->nkeep++] = o;
    return 0;
}

/* ---- strings -------------------------------------------------------------------- */

const char *genops_py_utf8_slow(genops_py_args *a, PyObject *s, Py_ssize_t *len)
{
    const char *u = PyUnicode_AsUTF8AndSize(s, len);
    if (u || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return u;
    /* A lone surrogate: str cannot be UTF-8. Each one becomes U+FFFD, as the C API
     * does with invalid UTF-8 (see genops_py_surrogate_handler). */
    PyErr_Clear();
    PyObject *b = PyUnicode_AsEncodedString(s, "utf-8", GENOPS_PY_SURROGATE_HANDLER);
    if (!b || genops_py_args_keep(a, b) < 0)
        return NULL;
    *len = PyBytes_GET_SIZE(b);
    return PyBytes_AS_STRING(b);
}

/* The codec error handler GENOPS_PY_SURROGATE_HANDLER: U+FFFD for each character
 * that cannot be encoded (a lone surrogate), so that one bad character is one
 * replacement character, as Python shows it, not three (one per byte of the
 * "surrogatepass" encoding, which is what the C API's own repair would give). */
static PyObject *surrogate_handler(PyObject *self, PyObject *exc)
{
    Py_ssize_t start, end;
    if (!PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_UnicodeEncodeError)) {
        PyErr_SetObject(PyExc_TypeError, exc);
        return NULL;
    }
    if (PyUnicodeEncodeError_GetStart(exc, &start) < 0 ||
        PyUnicodeEncodeError_GetEnd(exc, &end) < 0)
        return NULL;
    /* Bytes: the UTF-8 encoder takes a str replacement only if it is ASCII. */
    PyObject *fill = PyBytes_FromStringAndSize(NULL, 3 * (end - start));
    if (!fill)
        return NULL;
    for (Py_ssize_t i = 0; i < end - start; i++)
        memcpy(PyBytes_AS_STRING(fill) + 3 * i, "\xef\xbf\xbd", 3); /* U+FFFD */
    return Py_BuildValue("(Nn)", fill, end);
}

static PyMethodDef surrogate_handler_def = {"genops_surrogate_handler", surrogate_handler, METH_O,
                                            NULL};

int genops_py_convert_init(void)
{
    PyObject *f = PyCFunction_New(&surrogate_handler_def, NULL);
    if (!f)
        return -1;
    int rc = PyCodec_RegisterError(GENOPS_PY_SURROGATE_HANDLER, f);
    Py_DECREF(f);
    return rc;
}

/* A key as a NUL-terminated UTF-8 string; rejects non-str and embedded NULs. */
static const char *key_utf8(genops_py_args *a, PyObject *key)
{
    Py_ssize_t len;
    if (!PyUnicode_Check(key)) {
        genops_py_type_error("attribute keys must be str, not %s", Py_TYPE(key)->tp_name);
        return NULL;
    }
    const char *k = genops_py_utf8(a, key, &len);
    if (k && (len == 0 || memchr(k, '\0', (size_t)len))) {
        genops_py_raise(GENOPS_EINVAL,
                        len ? "attribute key contains a NUL character" : "attribute key is empty");
        return NULL;
    }
    return k;
}

/* ---- values --------------------------------------------------------------------- */

static int to_int(const char *key, PyObject *o, int64_t *out)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) {
        char msg[160];
        snprintf(msg, sizeof msg, "attribute '%.64s': integer does not fit in 64 bits", key);
        genops_py_raise(GENOPS_EINVAL, msg);
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* NaN and +-inf: JSON cannot carry them and no backend aggregates them (the core
 * refuses them too); here they are a bad value like any other. */
static int finite_or_raise(const char *key, double d)
{
    if (isfinite(d))
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "attribute '%.64s' is %s; only finite numbers are recorded", key,
             isnan(d) ? "NaN" : "infinite");
    genops_py_raise(GENOPS_EINVAL, msg);
    return -1;
}

enum scalar { S_NONE, S_STR, S_BOOL, S_INT, S_FLOAT, S_OTHER };

static enum scalar kind_of(PyObject *o)
{
    if (o == Py_None)
        return S_NONE;
    if (PyUnicode_Check(o))
        return S_STR;
    if (PyBool_Check(o))
        return S_BOOL;
    if (PyLong_Check(o))
        return S_INT;
    if (PyFloat_Check(o))
        return S_FLOAT;
    return S_OTHER;
}

static int unsupported(const char *key, PyObject *o)
{
    genops_py_type_error("attribute '%.64s' has type %.64s; genops records str, int, float, "
                         "bool, None and lists or tuples of one of those",
                         key, Py_TYPE(o)->tp_name);
    return -1;
}

/* Numbers that are not int or float (numpy scalars, Decimal, Fraction): integers by
 * __index__, others by __float__. */
static int other_number(const char *key, PyObject *o, genops_value *out)
{
    PyNumberMethods *nb = Py_TYPE(o)->tp_as_number;
    if (PyIndex_Check(o)) {
        PyObject *i = PyNumber_Index(o);
        if (!i)
            return -1;
        out->type = GENOPS_TYPE_INT;
        int rc = to_int(key, i, &out->u.i);
        Py_DECREF(i);
        return rc;
    }
    if (nb && nb->nb_float && !PyComplex_Check(o)) { /* complex has one up to 3.9 */
        double d = PyFloat_AsDouble(o);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        out->type = GENOPS_TYPE_DOUBLE;
        out->u.d = d;
        return finite_or_raise(key, d);
    }
    return unsupported(key, o);
}

static int to_array(genops_py_args *a, const char *key, PyObject *seq, genops_value *out)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    enum scalar k = S_STR; /* an empty list is an empty string array */
    bool mixed_numbers = false;

    for (Py_ssize_t i = 0; i < n; i++) {
        enum scalar ki = kind_of(items[i]);
        if (ki == S_NONE || ki == S_OTHER) {
            genops_py_type_error("attribute '%.64s' item %zd has type %.64s; list items must "
                                 "all be str, all bool, or all numbers",
                                 key, i, Py_TYPE(items[i])->tp_name);
            return -1;
        }
        if (i == 0)
            k = ki;
        else if (ki != k) {
            if ((ki == S_INT || ki == S_FLOAT) && (k == S_INT || k == S_FLOAT)) {
                mixed_numbers = true;
                continue;
            }
            genops_py_type_error("attribute '%.64s' mixes %.32s and %.32s items; list items "
                                 "must all be str, all bool, or all numbers",
                                 key, Py_TYPE(items[0])->tp_name, Py_TYPE(items[i])->tp_name);
            return -1;
        }
    }
    if (mixed_numbers)
        k = S_FLOAT;
    out->len = (size_t)n;
    switch (k) {
    case S_STR: {
        const char **sa = scratch(a, (size_t)(n ? n : 1) * sizeof *sa);
        if (!sa)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t len;
            const char *s = genops_py_utf8(a, items[i], &len);
            if (!s)
                return -1;
            sa[i] = s; /* array items are C strings: an embedded NUL ends one */
        }
        out->type = GENOPS_TYPE_STRING_ARRAY;
        out->u.sa = sa;
        return 0;
    }
    case S_BOOL: {
        bool *ba = scratch(a, (size_t)(n ? n : 1) * sizeof *ba);
        if (!ba)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++)
            ba[i] = items[i] == Py_True;
        out->type = GENOPS_TYPE_BOOL_ARRAY;
        out->u.ba = ba;
        return 0;
    }
    case S_INT: {
        int64_t *ia = scratch(a, (size_t)n * sizeof *ia);
        if (!ia)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++)
            if (to_int(key, items[i], &ia[i]) < 0)
                return -1;
        out->type = GENOPS_TYPE_INT_ARRAY;
        out->u.ia = ia;
        return 0;
    }
    default: {
        double *da = scratch(a, (size_t)n * sizeof *da);
        if (!da)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            da[i] = PyFloat_AsDouble(items[i]);
            if ((da[i] == -1.0 && PyErr_Occurred()) || finite_or_raise(key, da[i]) < 0)
                return -1;
        }
        out->type = GENOPS_TYPE_DOUBLE_ARRAY;
        out->u.da = da;
        return 0;
    }
    }
}

int genops_py_value(genops_py_args *a, const char *key, PyObject *o, genops_value *out)
{
    out->len = 0;
    switch (kind_of(o)) {
    case S_NONE: out->type = GENOPS_TYPE_NULL; return 0;
    case S_STR: {
        Py_ssize_t len;
        out->u.s = genops_py_utf8(a, o, &len);
        if (!out->u.s)
            return -1;
        out->type = GENOPS_TYPE_STRING;
        out->len = (size_t)len;
        return 0;
    }
    case S_BOOL:
        out->type = GENOPS_TYPE_BOOL;
        out->u.b = o == Py_True;
        return 0;
    case S_INT: out->type = GENOPS_TYPE_INT; return to_int(key, o, &out->u.i);
    case S_FLOAT:
        out->type = GENOPS_TYPE_DOUBLE;
        out->u.d = PyFloat_AS_DOUBLE(o);
        return finite_or_raise(key, out->u.d);
    default: break;
    }
    if (PyList_Check(o) || PyTuple_Check(o)) {
        /* A tuple snapshot, kept until the args are freed: an item's __float__ or
         * __index__ may empty the list, and the strings recorded point into items. */
        PyObject *seq = PyList_Check(o) ? PyList_AsTuple(o) : (Py_INCREF(o), o);
        if (!seq || genops_py_args_keep(a, seq) < 0)
            return -1;
        return to_array(a, key, seq, out);
    }
    if (PyDict_Check(o)) {
        genops_py_type_error("attribute '%.64s' is a dict; only the metadata-style arguments "
                             "of record_cost / record_policy / record_budget / "
                             "record_evaluation take a dict",
                             key);
        return -1;
    }
    return other_number(key, o, out);
}

/* ---- values that cannot be recorded -------------------------------------------------
 *
 * The one rule (docs/python.md, "Attribute values"): a value genops cannot represent
 * (an object that is not a number, a dict outside the metadata arguments, a mixed
 * list, an int past 64 bits, NaN or infinity, a key that is not a non-empty str
 * without NULs) is dropped: never converted, never raised. The rest of the call is
 * recorded. OpenTelemetry's Python SDK, which genops-ai set attributes through, does
 * the same (opentelemetry-python, opentelemetry/attributes/__init__.py,
 * _clean_attribute: a warning, then the attribute is left out). Each drop is counted
 * (genops_py_args.dropped, then genops_span_count_dropped_attributes) and logged at
 * WARNING on the "genops" logger once per key. */

enum { WARNED_KEYS_MAX = 1024 }; /* bounded memory: later new keys are counted only */

static PyObject *warned_keys; /* the key names already logged */
static PyObject *genops_logger;

PyObject *genops_py_logger(void)
{
    if (!genops_logger) {
        PyObject *logging = PyImport_ImportModule("logging");
        if (!logging)
            return NULL;
        genops_logger = PyObject_CallMethod(logging, "getLogger", "s", "genops");
        Py_DECREF(logging);
    }
    return genops_logger;
}

static PyObject *key_name(const char *prefix, PyObject *key)
{
    if (PyUnicode_Check(key)) {
        if (prefix)
            return PyUnicode_FromFormat("%s.%U", prefix, key);
        Py_INCREF(key);
        return key;
    }
    return prefix ? PyUnicode_FromFormat("%s.%R", prefix, key) : PyObject_Repr(key);
}

static void warn_once(PyObject *name, PyObject *why)
{
    if (!warned_keys && !(warned_keys = PySet_New(NULL)))
        return;
    if (PySet_Contains(warned_keys, name) != 0)
        return;
    Py_ssize_t n = PySet_GET_SIZE(warned_keys);
    if (n >= WARNED_KEYS_MAX)
        return;
    PyObject *logger = PySet_Add(warned_keys, name) == 0 ? genops_py_logger() : NULL;
    if (!logger)
        return;
    PyObject *r = PyObject_CallMethod(
        logger, "warning", "sOOs",
        "attribute %r dropped: %s (the rest of the call is recorded; logged once per key%s)", name,
        why ? why : Py_None,
        n + 1 == WARNED_KEYS_MAX ? "; later keys are only counted in dropped_attribute_values"
                                 : "");
    Py_XDECREF(r);
}

/* The conversion of key (under prefix, for a metadata dict) just failed with the
 * pending exception: drop the value by the rule above and return 0. Exceptions that
 * are not about the value (MemoryError, KeyboardInterrupt, SystemExit) stay: -1. */
static int drop(genops_py_args *a, const char *prefix, PyObject *key)
{
    if (!PyErr_ExceptionMatches(PyExc_Exception) || PyErr_ExceptionMatches(PyExc_MemoryError))
        return -1;
    PyObject *type, *why, *tb;
    PyErr_Fetch(&type, &why, &tb);
    PyErr_NormalizeException(&type, &why, &tb);
    a->dropped++;
    PyObject *name = key_name(prefix, key);
    if (name)
        warn_once(name, why);
    Py_XDECREF(name);
    Py_XDECREF(type);
    Py_XDECREF(why);
    Py_XDECREF(tb);
    PyErr_Clear(); /* a failure to log must not become the caller's */
    return 0;
}

/* A conversion failed: with GENOPS_PY_DROP the value is dropped (0), otherwise the
 * exception stands (-1: configuration, where a bad value is the caller's mistake). */
static int failed(genops_py_args *a, int flags, const char *prefix, PyObject *key)
{
    return (flags & GENOPS_PY_DROP) ? drop(a, prefix, key) : -1;
}

/* The (key, value) pairs of dict as a list kept until the args are freed: converting
 * a value may run Python code (__index__, __float__) that changes or empties the dict,
 * and the keys and strings recorded point into its objects. NULL with an exception. */
static PyObject *snapshot_items(genops_py_args *a, PyObject *dict)
{
    PyObject *items = PyDict_Items(dict);
    if (!items || genops_py_args_keep(a, items) < 0)
        return NULL;
    return items;
}

/* key.sub = v for each item of a dict value (one level). */
static int add_flattened(genops_py_args *a, const char *prefix, PyObject *dict, int flags)
{
    size_t plen = strlen(prefix);
    PyObject *items = snapshot_items(a, dict);
    if (!items)
        return -1;

    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *k = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 0);
        PyObject *v = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 1);
        const char *sub = key_utf8(a, k);
        if (!sub) {
            if (failed(a, flags, prefix, k) < 0)
                return -1;
            continue;
        }
        size_t slen = strlen(sub);
        char *joined = scratch(a, plen + slen + 2);
        if (!joined)
            return -1;
        memcpy(joined, prefix, plen);
        joined[plen] = '.';
        memcpy(joined + plen + 1, sub, slen + 1);
        genops_attribute *item = next_item(a);
        if (!item)
            return -1;
        item->key = joined;
        if (genops_py_value(a, joined, v, &item->value) < 0) {
            a->list.count--;
            if (failed(a, flags, prefix, k) < 0)
                return -1;
        }
    }
    return 0;
}

int genops_py_args_push(genops_py_args *a, const char *key, genops_value v)
{
    genops_attribute *item = next_item(a);
    if (!item)
        return -1;
    item->key = key;
    item->value = v;
    return 0;
}

int genops_py_args_add(genops_py_args *a, PyObject *key, PyObject *value, int flags)
{
    const char *k = key_utf8(a, key);
    if (!k)
        return failed(a, flags, NULL, key);
    if ((flags & GENOPS_PY_FLATTEN) && PyDict_Check(value))
        return add_flattened(a, k, value, flags);
    genops_attribute *item = next_item(a);
    if (!item)
        return -1;
    item->key = k;
    if (genops_py_value(a, k, value, &item->value) < 0) {
        a->list.count--;
        return failed(a, flags, NULL, key);
    }
    return 0;
}

int genops_py_args_add_dict(genops_py_args *a, PyObject *dict, int flags)
{

    if (dict == NULL || dict == Py_None)
        return 0;
    if (!PyDict_Check(dict)) {
        genops_py_type_error("expected a dict of attributes, not %.64s", Py_TYPE(dict)->tp_name);
        return -1;
    }
    PyObject *items = snapshot_items(a, dict);
    if (!items)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *pair = PyList_GET_ITEM(items, i);
        if (genops_py_args_add(a, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1), flags) < 0)
            return -1;
    }
    return 0;
}

/* ---- back to Python ------------------------------------------------------------- */

static PyObject *str_from(const char *s, size_t len)
{
    return PyUnicode_DecodeUTF8(s ? s : "", s ? (Py_ssize_t)len : 0, "replace");
}

PyObject *genops_py_from_value(const genops_value *v)
{
    PyObject *t;
    switch (v->type) {
    case GENOPS_TYPE_NULL: Py_RETURN_NONE;
    case GENOPS_TYPE_STRING: return str_from(v->u.s, v->len);
    case GENOPS_TYPE_INT: return PyLong_FromLongLong(v->u.i);
    case GENOPS_TYPE_DOUBLE: return PyFloat_FromDouble(v->u.d);
    case GENOPS_TYPE_BOOL: return PyBool_FromLong(v->u.b);
    default: break;
    }
    t = PyTuple_New((Py_ssize_t)v->len);
    for (size_t i = 0; t && i < v->len; i++) {
        PyObject *item;
        switch (v->type) {
        case GENOPS_TYPE_STRING_ARRAY: item = str_from(v->u.sa[i], strlen(v->u.sa[i])); break;
        case GENOPS_TYPE_INT_ARRAY: item = PyLong_FromLongLong(v->u.ia[i]); break;
        case GENOPS_TYPE_DOUBLE_ARRAY: item = PyFloat_FromDouble(v->u.da[i]); break;
        default: item = PyBool_FromLong(v->u.ba[i]); break;
        }
        if (!item) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, item);
    }
    return t;
}

PyObject *genops_py_dict_from_attrs(const genops_attribute *a, size_t n)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < n; i++) {
        PyObject *v = genops_py_from_value(&a[i].value);
        if (!v || PyDict_SetItemString(d, a[i].key, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* ---- errors --------------------------------------------------------------------- */

/* genops._errors, imported on first use and kept for the life of the process. */
static PyObject *errors_module;

static PyObject *error_class(const char *name)
{
    if (!errors_module) {
        errors_module = PyImport_ImportModule("genops._errors");
        if (!errors_module)
            return NULL;
    }
    return PyObject_GetAttrString(errors_module, name);
}

static PyObject *raise_with(PyObject *cls, PyObject *msg, genops_status code)
{
    if (!cls || !msg) {
        Py_XDECREF(cls);
        Py_XDECREF(msg);
        return NULL;
    }
    PyObject *exc = PyObject_CallFunction(cls, "Oi", msg, (int)code);
    if (exc) {
        PyErr_SetObject(cls, exc);
        Py_DECREF(exc);
    }
    Py_DECREF(cls);
    Py_DECREF(msg);
    return NULL;
}

PyObject *genops_py_raise(genops_status code, const char *message)
{
    /* Keep an exception that is already pending (a converter's, a KeyboardInterrupt). */
    if (PyErr_Occurred())
        return NULL;
    /* A signal that arrived while the call waited (Ctrl-C during a flush) wins: its
     * handler's exception (KeyboardInterrupt, SystemExit) is the one raised. Checked
     * here, before any Python code runs, so it is never mistaken for a lookup failure. */
    if (PyErr_CheckSignals() < 0)
        return NULL;
    PyObject *cls = NULL;
    PyObject *lookup = error_class("_class_for_status");
    if (lookup) {
        cls = PyObject_CallFunction(lookup, "i", (int)code);
        Py_DECREF(lookup);
    }
    if (!cls) {
        if (!PyErr_ExceptionMatches(PyExc_Exception))
            return NULL; /* KeyboardInterrupt, SystemExit: never replaced */
        PyErr_Clear();
        PyErr_Format(PyExc_RuntimeError, "genops: %s (status %d)", message, (int)code);
        return NULL;
    }
    const char *m = message && *message ? message : genops_strerror(code);
    return raise_with(cls, str_from(m, strlen(m)), code);
}

PyObject *genops_py_type_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyObject *msg = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    PyObject *cls = error_class("AttributeTypeError");
    if (!cls) {
        Py_XDECREF(msg);
        return NULL;
    }
    return raise_with(cls, msg, GENOPS_EINVAL);
}
