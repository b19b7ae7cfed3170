/* context_type.c - Context, the governance context of genops._native: an immutable
 * native attribute snapshot (genops_context) with the dict it was made from; the
 * current one is in a ContextVar (genops_py_context_var). GIL held throughout. */
#include "genops_py.h"

/* A new reference to the current Context, or NULL (no context, or an error). */
ContextObject *genops_py_current_context(void)
{
    PyObject *cur = genops_py_var_get_cached(genops_py_context_var);
    if (cur && Py_TYPE(cur) != &genops_py_context_type)
        Py_CLEAR(cur);
    return (ContextObject *)cur;
}

/* Context(base=None, attributes=None): base's attributes overridden by attributes.
 * Immutable. A None value hides the key (and, at operation start, a default). */
static PyObject *context_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"base", "attributes", NULL};
    PyObject *base = Py_None, *attributes = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OO:Context", kw, &base, &attributes))
        return NULL;
    if (base != Py_None && Py_TYPE(base) != &genops_py_context_type)
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
    self->ctx = genops_context_new(b, a.list.items, a.list.count, &err);
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

PyTypeObject genops_py_context_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "genops.Context",
    .tp_basicsize = sizeof(ContextObject),
    .tp_dealloc = (destructor)context_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Context(base=None, attributes=None): an immutable governance context, a "
              "native attribute snapshot. genops keeps the current one in a ContextVar.",
    .tp_getset = context_getset,
    .tp_new = context_new,
};

int genops_py_context_type_init(PyObject *m)
{
    if (PyType_Ready(&genops_py_context_type) < 0)
        return -1;
    Py_INCREF(&genops_py_context_type);
    return genops_py_add_object(m, "Context", (PyObject *)&genops_py_context_type);
}
