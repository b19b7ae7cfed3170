/* fast_method.c - a method whose bound form costs no allocation: the span type's
 * __enter__ and __exit__.
 *
 * A `with` statement binds both methods before it calls them (CPython's BEFORE_WITH
 * looks them up as special methods, which binds even a method descriptor): for a
 * PyMethodDef method that is a new builtin-method object each, allocated, tracked by
 * the garbage collector and freed again, about 330 instructions each (callgrind), more
 * than the span's whole end. Here the descriptor's bound form comes from a small free
 * list instead. Called on the class (ExitStack's type(cm).__enter__(cm)) it takes self
 * as its first argument, as a method descriptor does. GIL held throughout. */
#include "genops_py.h"

typedef struct {
    PyObject_HEAD vectorcallfunc vectorcall;
    genops_py_fast_fn fn;
    PyTypeObject *owner; /* self must be one of these */
    const char *name;
} FastMethod;

typedef struct {
    PyObject_HEAD vectorcallfunc vectorcall;
    FastMethod *method; /* borrowed: the descriptor lives as long as its static type */
    PyObject *self;
} BoundMethod;

/* Bound methods alive at once in the common case: one `with` holds two. */
enum { FREE_LIST_MAX = 16 };
static BoundMethod *free_list[FREE_LIST_MAX];
static int free_count;

static PyObject *no_keywords(const FastMethod *m)
{
    return PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments", m->name);
}

static PyObject *bound_call(PyObject *callable, PyObject *const *args, size_t nargsf,
                            PyObject *kwnames)
{
    BoundMethod *b = (BoundMethod *)callable;
    if (kwnames && PyTuple_GET_SIZE(kwnames))
        return no_keywords(b->method);
    return b->method->fn(b->self, args, PyVectorcall_NARGS(nargsf));
}

static void bound_dealloc(BoundMethod *b)
{
    Py_CLEAR(b->self);
    if (free_count < FREE_LIST_MAX)
        free_list[free_count++] = b;
    else
        PyObject_Free(b);
}

static PyObject *bound_repr(BoundMethod *b)
{
    return PyUnicode_FromFormat("<bound method %s of %R>", b->method->name, b->self);
}

static PyTypeObject bound_method_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "genops.GenOpsSpan.bound_method",
    .tp_basicsize = sizeof(BoundMethod),
    .tp_dealloc = (destructor)bound_dealloc,
    .tp_repr = (reprfunc)bound_repr,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(BoundMethod, vectorcall),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
};

/* The unbound form: the class's attribute, called with self first. */
static PyObject *method_call(PyObject *callable, PyObject *const *args, size_t nargsf,
                             PyObject *kwnames)
{
    FastMethod *m = (FastMethod *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (kwnames && PyTuple_GET_SIZE(kwnames))
        return no_keywords(m);
    if (nargs < 1 || !PyObject_TypeCheck(args[0], m->owner))
        return genops_py_type_error("%s() needs a %.64s as its first argument", m->name,
                                    m->owner->tp_name);
    return m->fn(args[0], args + 1, nargs - 1);
}

static PyObject *method_get(PyObject *descr, PyObject *obj, PyObject *type)
{
    if (!obj) {
        Py_INCREF(descr);
        return descr;
    }
    BoundMethod *b = free_count ? free_list[--free_count] : PyObject_Malloc(sizeof *b);
    if (!b)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)b, &bound_method_type);
    b->vectorcall = bound_call;
    b->method = (FastMethod *)descr;
    Py_INCREF(obj);
    b->self = obj;
    return (PyObject *)b;
}

static PyObject *method_repr(FastMethod *m)
{
    return PyUnicode_FromFormat("<method '%s' of '%s' objects>", m->name, m->owner->tp_name);
}

static PyTypeObject fast_method_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "genops.GenOpsSpan.method",
    .tp_basicsize = sizeof(FastMethod),
    .tp_repr = (reprfunc)method_repr,
    .tp_call = PyVectorcall_Call,
    .tp_descr_get = method_get,
    .tp_vectorcall_offset = offsetof(FastMethod, vectorcall),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
};

int genops_py_add_fast_method(PyTypeObject *owner, const char *name, genops_py_fast_fn fn)
{
    if (PyType_Ready(&fast_method_type) < 0 || PyType_Ready(&bound_method_type) < 0)
        return -1;
    FastMethod *m = PyObject_New(FastMethod, &fast_method_type);
    if (!m)
        return -1;
    m->vectorcall = method_call;
    m->fn = fn;
    m->owner = owner;
    m->name = name;
    int rc = PyDict_SetItemString(owner->tp_dict, name, (PyObject *)m);
    Py_DECREF(m);
    PyType_Modified(owner);
    return rc;
}
