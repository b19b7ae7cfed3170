/* genops_py.h - what the Python extension module's parts share: the SWIG wrappers
 * (genops.i), the hand-written part (module.c, span_type.c, context_type.c) and the
 * converters (convert.c). All are compiled into one module, genops._native. Every function here
 * runs with the GIL held. */
#ifndef GENOPS_PY_H
#define GENOPS_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <string.h>

#include "genops.h"
#include "genops_bindings.h"

/* ---- converting Python values to attribute lists ----------------------------------- */

/* One native call's worth of converted arguments: the bindings' attribute-list builder
 * (bindings/common) and the Python objects to release with it. Lives on the caller's
 * stack (the list's inline storage) and grows onto the heap past the inline sizes.
 * Ownership: items[].key and string values borrow the UTF-8 buffers that CPython
 * caches inside the str objects, which the caller keeps alive (they are its
 * arguments) until genops_py_args_free; flattened keys and arrays are owned by the
 * list, re-encoded strings by keep. */
typedef struct genops_py_args {
    genops_attr_list list;
    PyObject **keep; /* temporary objects (re-encoded strings) to release */
    size_t nkeep, capkeep;
    uint32_t dropped; /* values dropped as unrepresentable (convert.c's rule) */
} genops_py_args;

/* Flags of genops_py_args_add. */
#define GENOPS_PY_FLATTEN 1 /* a dict value becomes "key.subkey" entries */
#define GENOPS_PY_DROP    2 /* an operation's attribute: drop a bad value (convert.c) */
/* For genops_py_args_add_fast only: the key is one of a genops_py_names' interned
 * strings, so it is not looked at for a NUL. */
#define GENOPS_PY_KNOWN 4

void genops_py_args_init(genops_py_args *a);
void genops_py_args_free(genops_py_args *a);

/* Append key (a str) = value. None becomes GENOPS_TYPE_NULL. Returns 0, or -1 with a
 * Python exception set (a GenOpsError subclass naming the key). With GENOPS_PY_DROP, a
 * value or key that cannot be recorded is dropped instead, counted in a->dropped and
 * logged once per key (convert.c), and only an exception that is not about the value
 * (MemoryError, KeyboardInterrupt) gives -1. */
int genops_py_args_add(genops_py_args *a, PyObject *key, PyObject *value, int flags);

/* Whether s[0..n) holds a NUL byte. A keyword's name is short: 4 to 16 bytes are two
 * overlapping word loads (a word has a zero byte iff (w - 0x01..) & ~w & 0x80.. is not
 * zero) rather than a call to memchr. */
static inline bool genops_py_has_nul(const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
        return (((a - ones) & ~a) | ((b - ones) & ~b)) & highs;
    }
    if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        const uint32_t ones = 0x01010101u, highs = 0x80808080u;
        return (((a - ones) & ~a) | ((b - ones) & ~b)) & highs;
    }
    return memchr(s, '\0', n) != NULL;
}

/* genops_py_args_add for the calls made once per operation: the common case (an ASCII
 * str key; a str, float, int, bool or None value; room in the list) inline, anything
 * else through genops_py_args_add. Same contract. */
static inline int genops_py_args_add_fast(genops_py_args *a, PyObject *key, PyObject *value,
                                          int flags)
{
    genops_attr_list *l = &a->list;
    int general = flags & ~GENOPS_PY_KNOWN; /* the flags for genops_py_args_add */
    if (!PyUnicode_IS_COMPACT_ASCII(key) || l->count == l->cap)
        return genops_py_args_add(a, key, value, general);
    genops_attribute *item = &l->items[l->count];
    PyTypeObject *t = Py_TYPE(value);
    if (t == &PyUnicode_Type && PyUnicode_IS_COMPACT_ASCII(value)) {
        item->value.type = GENOPS_TYPE_STRING;
        item->value.len = (size_t)PyUnicode_GET_LENGTH(value);
        item->value.u.s = (const char *)PyUnicode_DATA(value);
    } else if (t == &PyFloat_Type && isfinite(PyFloat_AS_DOUBLE(value))) {
        item->value.type = GENOPS_TYPE_DOUBLE;
        item->value.u.d = PyFloat_AS_DOUBLE(value);
    } else if (t == &PyLong_Type) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow || (i == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return genops_py_args_add(a, key, value, general); /* says what is wrong */
        }
        item->value.type = GENOPS_TYPE_INT;
        item->value.u.i = (int64_t)i;
    } else if (t == &PyBool_Type) {
        item->value.type = GENOPS_TYPE_BOOL;
        item->value.u.b = value == Py_True;
    } else if (value == Py_None) {
        item->value.type = GENOPS_TYPE_NULL;
    } else {
        return genops_py_args_add(a, key, value, general);
    }
    const char *k = (const char *)PyUnicode_DATA(key);
    Py_ssize_t klen = PyUnicode_GET_LENGTH(key);
    if (!(flags & GENOPS_PY_KNOWN) && (klen == 0 || genops_py_has_nul(k, (size_t)klen)))
        return genops_py_args_add(a, key, value, general); /* let the general path say why */
    item->key = k;
    l->count++;
    return 0;
}

/* The "genops" logger (borrowed, cached), or NULL with an exception set. */
PyObject *genops_py_logger(void);

/* Append key = v as given (key must outlive the list). Returns 0 or -1. */
int genops_py_args_push(genops_py_args *a, const char *key, genops_value v);

/* Keep o (a new reference, stolen) alive until genops_py_args_free. Returns 0 or -1. */
int genops_py_args_keep(genops_py_args *a, PyObject *o);

/* Append every item of a dict (or do nothing for None). Returns 0 or -1. */
int genops_py_args_add_dict(genops_py_args *a, PyObject *dict, int flags);

/* Convert one value into *out for key (named in errors). Returns 0 or -1. */
int genops_py_value(genops_py_args *a, const char *key, PyObject *value, genops_value *out);

/* UTF-8 of a str with its length; each lone surrogate becomes U+FFFD (as the C API
 * does with invalid UTF-8). NULL on error. The text is NUL-terminated and lives as
 * long as s (or a, for a re-encoded one). */
const char *genops_py_utf8_slow(genops_py_args *a, PyObject *s, Py_ssize_t *len);

static inline const char *genops_py_utf8(genops_py_args *a, PyObject *s, Py_ssize_t *len)
{
    /* A compact ASCII str is its own UTF-8: read it in place (the common case:
     * keyword names and most values). */
    if (PyUnicode_IS_COMPACT_ASCII(s)) {
        *len = PyUnicode_GET_LENGTH(s);
        return (const char *)PyUnicode_DATA(s);
    }
    return genops_py_utf8_slow(a, s, len);
}

/* The codec error handler used for lone surrogates. */
#define GENOPS_PY_SURROGATE_HANDLER "genops.surrogatereplace"

/* Register the handler; called once at module init. Returns 0 or -1. */
int genops_py_convert_init(void);

/* ---- converting back ------------------------------------------------------------ */

/* A new reference to the Python form of v: str, int, float, bool, tuple for arrays,
 * None for GENOPS_TYPE_NULL. NULL with an exception on failure. */
PyObject *genops_py_from_value(const genops_value *v);

/* A new dict of key -> genops_py_from_value(value). NULL with an exception on failure. */
PyObject *genops_py_dict_from_attrs(const genops_attribute *a, size_t n);

/* ---- errors --------------------------------------------------------------------- */

/* Raise the exception class that genops._errors maps code to, with message. Always
 * returns NULL. */
PyObject *genops_py_raise(genops_status code, const char *message);

/* Raise the binding-side type error (genops._errors.AttributeTypeError: GenOpsError
 * and TypeError) with a printf-style message. Always returns NULL. */
PyObject *genops_py_type_error(const char *fmt, ...);

/* ---- the hand-written part of the module (module.c, span_type.c, context_type.c,
 * otel_export.c) ---- */

#define FASTKW (METH_FASTCALL | METH_KEYWORDS)

/* Module state (module.c), set at init. */
extern genops_pipeline *genops_py_pipeline; /* spans start here; NULL until the first one */
extern PyObject *genops_py_span_var;        /* ContextVar: the current GenOpsSpan */
extern PyObject *genops_py_context_var;     /* ContextVar: the current Context */
extern PyObject *genops_py_remote_var;      /* ContextVar: the attached remote parent */

/* Add the span and context types and the per-operation functions to module m.
 * Returns 0 or -1 with an exception set. Called from the SWIG module's init. */
int genops_py_module_init(PyObject *m);

/* Make p the pipeline that new spans start on (NULL: the next span asks
 * genops._runtime.start_default() for one). The caller keeps owning p and must call
 * this with another pipeline (or NULL) before freeing it. */
void genops_py_use_pipeline(genops_pipeline *p);

/* The pipeline spans start on. `import genops` builds none (and so starts no thread):
 * the first span asks genops._runtime for the default one. NULL with an exception set
 * when that failed (a bad OTEL_BSP_* value, say); NULL without one: spans do not
 * record. */
genops_pipeline *genops_py_span_pipeline(void);

/* Add record_otel_span, OpenTelemetry SDK spans into the pipeline (otel_export.c), to
 * m. 0 or -1. */
int genops_py_otel_export_init(PyObject *m);

/* PyModule_AddObject that steals o also on failure (and takes NULL as a failure). */
int genops_py_add_object(PyObject *m, const char *name, PyObject *o);

/* Log a warning on the "genops" logger; never raises (the warning is best effort). */
void genops_py_warn(const char *message);

/* Argument names, interned once: a call's keywords are matched by identity first. */
enum { GENOPS_PY_MAX_NAMES = 9 };

struct genops_py_names {
    const char *text[GENOPS_PY_MAX_NAMES + 1]; /* NULL-terminated */
    PyObject *str[GENOPS_PY_MAX_NAMES];        /* interned at init */
    int count;
};

/* Intern n's names. Returns 0 or -1. */
int genops_py_names_init(struct genops_py_names *n);

/* Index of key among n's names, or -1. */
int genops_py_names_find(const struct genops_py_names *n, PyObject *key);

/* A method called with self and its positional arguments (no keywords). */
typedef PyObject *(*genops_py_fast_fn)(PyObject *self, PyObject *const *args, Py_ssize_t nargs);

/* Give the (static, ready) type owner the method name, whose bound form is taken from a
 * free list rather than allocated (fast_method.c): for __enter__ and __exit__, which
 * every `with` binds. 0 or -1. */
int genops_py_add_fast_method(PyTypeObject *owner, const char *name, genops_py_fast_fn fn);

/* The span type (span_type.c). */
enum span_kind { SPAN_OPERATION, SPAN_PLAIN };

typedef struct {
    PyObject_HEAD genops_span handle; /* 0: not recording (pipeline shut down, or none) */
    genops_span_context ctx;          /* copied at start: children may start after we end */
    PyObject *token;                  /* the span ContextVar's token while entered */
    PyObject *otel_token;             /* OpenTelemetry's context token while entered */
    PyObject *prev; /* once orphaned: the span variable's value when it was entered, or NULL */
    unsigned char kind;
    unsigned char has_ctx;
    unsigned char orphaned; /* exited where its context could not be reset (another thread) */
} SpanObject;

extern PyTypeObject genops_py_span_type;

/* A new span object for handle (ended again when the object cannot be made). */
PyObject *genops_py_span_new(genops_span handle, enum span_kind kind);

/* The value of var, a variable set rarely (the governance context, the remote parent),
 * in the current context (a new reference), or NULL on error (cleared). Where it has no
 * value it is given None, once per context: CPython caches only a value it found, so
 * an absent one would cost a context search at every operation (about 90 instructions,
 * callgrind). Its readers take None as "none set". (Not for the span variable, set
 * and reset by every operation: replacing a value costs more than that saves.) */
PyObject *genops_py_var_get_cached(PyObject *var);

/* The parent for a new span: the current span of this thread / task, copied into
 * *out, or NULL. */
const genops_span_context *genops_py_current_parent(genops_span_context *out);
/* The current span (a new reference), or NULL (no exception) when there is none. A span
 * exited from another thread (whose context it could not reset) still sits in the
 * caller's context: it is skipped, and the one current when it was entered is used. (A
 * span exited normally stays current in copies of its context, such as a task started
 * inside it: children may start after their parent ended.) */
PyObject *genops_py_current_span(void);

/* Ready the span types and add them and GenOpsTelemetry's recorders to m. 0 or -1. */
int genops_py_span_type_init(PyObject *m);

/* The context type (context_type.c). */
typedef struct {
    PyObject_HEAD genops_context *ctx; /* NULL when empty */
    PyObject *mapping;                 /* dict: what get_context() shows, None values included */
    PyObject *masked;                  /* tuple of keys whose value is None, or NULL */
} ContextObject;

extern PyTypeObject genops_py_context_type;

/* A new reference to the current Context, or NULL (no context, or an error). */
ContextObject *genops_py_current_context(void);

/* Ready the context type and add it to m. 0 or -1. */
int genops_py_context_type_init(PyObject *m);

#endif
