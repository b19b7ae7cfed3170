/* genops.i - the ONE SWIG interface of genops-native, for Python, Ruby and Lua.
 *
 * Layout (STYLE.md, sketch 3): module -> the headers (genops.h, bindings/common's)
 * -> the language files -> shared typemaps, each with its per-language branch in
 * bindings/<lang>/genops_<lang>.swg -> the exposure list (every genops.h function
 * wrapped or %ignore'd, with why) -> %include "genops.h".
 *
 * What every language gets, by one rule each:
 *  - genops_error *err never appears: a failure becomes the language's exception
 *    (Python: the class of genops._errors for the status; Ruby: Genops::Native::Error
 *    subclasses; Lua: error() with "genops: <STATUS>: message").
 *  - out-pointers (span contexts, stats, attributes, values) become return values.
 *  - a dict / Hash / table becomes a genops_attribute list; one nested map level is
 *    flattened to "key.subkey" (the recorders' metadata={...}, init's
 *    resource_attributes={...}).
 *  - an options struct is given as a dict / Hash / table of its field names; unknown
 *    names are rejected with a clear error.
 *  - span handles are integers (generation-checked in C, so a late one is harmless;
 *    on Lua 5.1 and LuaJIT, a number or an 8-byte string: genops_lua.swg).
 *
 * Python's per-operation calls (the span object of track / trace_operation and its
 * record_* methods) are NOT these wrappers: they are the hand-written types of
 * bindings/python (module.c, span_type.c, context_type.c), compiled into the same
 * extension module. The C support code every language shares (the attribute-list
 * builder, option tables, result maps, status table) is the files of bindings/common. */

#if defined(SWIGPYTHON)
/* genops/native.py + genops/_native*.so. threads="1" only makes thread support
 * available: %nothread below turns it off for every function, and %thread turns it
 * back on for the few that can wait (a global -threads costs ~28 ns on every call). */
%module(package="genops", threads="1") native
#elif defined(SWIGRUBY)
%module "genops::native"
#else
/* Quoted on purpose: CMake's UseSWIG guesses Python's extra output file from the first
 * unquoted module line, which must be Python's (above), not this one. */
%module "genops_native"
#endif

%{
#include "genops.h"

#include <stdlib.h>
#include <string.h>

/* The language-neutral support code (the attribute-list builder, the option tables,
 * the result maps, the status table): bindings/common, compiled into every module. */
#include "genops_bindings.h"
%}

%include <stdint.i>

/* ---- per-language support: converters, idioms ------------------------------------ */
/* bindings/<lang>/genops_<lang>.swg: the language's converters between its values and
 * genops_value / attribute lists, its exception raising, and its idioms. The typemaps
 * below are the shared rules; each has its languages' branches side by side. */
#if defined(SWIGPYTHON)
%include "genops_python.swg"
#elif defined(SWIGRUBY)
%include "genops_ruby.swg"
#elif defined(SWIGLUA)
%include "genops_lua.swg"
#else
#error "genops.i: no typemaps for this target language"
#endif

/* ---- rule 1: genops_error *err becomes an exception ----------------------------------
 * Ownership: the error struct is a local of the wrapper. err is the last parameter of
 * every genops.h function, so its typemaps run after every other argument's. */
%typemap(in, numinputs=0) genops_error *err (genops_error errbuf) {
    errbuf.code = GENOPS_OK;
    errbuf.message[0] = '\0';
    $1 = &errbuf;
}
#if defined(SWIGPYTHON)
/* Raise the class genops._errors maps the status to; fail frees the other arguments. */
%typemap(argout) genops_error *err {
    if (errbuf$argnum.code != GENOPS_OK) {
        Py_XDECREF($result);
        $result = NULL;
        genops_py_raise(errbuf$argnum.code, errbuf$argnum.message);
        SWIG_fail;
    }
}
#elif defined(SWIGRUBY)
/* rb_raise longjmps past the cleanup code, so raise from err's own cleanup, which
 * runs last (err is the last parameter): every other argument is freed by then. */
%typemap(freearg) genops_error *err {
    if (errbuf$argnum.code != GENOPS_OK)
        genops_rb_raise(errbuf$argnum.code, errbuf$argnum.message);
}
#elif defined(SWIGLUA)
/* Push "genops: <STATUS>: message"; fail frees the arguments, then lua_error. */
%typemap(argout) genops_error *err {
    if (errbuf$argnum.code != GENOPS_OK) {
        genops_lua_push_error(L, errbuf$argnum.code, errbuf$argnum.message);
        SWIG_fail;
    }
}
#endif

/* A status return carries no information once failures raise: return nothing. */
#if defined(SWIGPYTHON)
%typemap(out) genops_status "(void)$1; $result = Py_None; Py_INCREF($result);"
#elif defined(SWIGRUBY)
%typemap(out) genops_status "(void)$1; $result = Qnil;"
#elif defined(SWIGLUA)
%typemap(out) genops_status "(void)$1;"
#endif

/* ---- rule 2: a dict / Hash / table becomes an attribute list ------------------------
 * Ownership: the list and everything it points to that the interpreter does not own
 * (flattened keys, copies) belong to the wrapper and are freed after the call; the C
 * API copies what it keeps. None / nil is an empty list. Values are scalars or lists
 * of scalars; a map value is an error, except for the recorders' argument lists
 * ("kv"), where one level is flattened as "key.subkey" (metadata={...}), as
 * genops.h documents. Every language builds a genops_attr_list (bindings/common);
 * Python's is inside a genops_py_args, which also keeps re-encoded strings alive. */
%define GENOPS_ATTRS_TYPEMAP(NAME, FLATTEN)
#if defined(SWIGPYTHON)
%typemap(arginit) (const genops_attribute *NAME, size_t count) {
    genops_py_args_init(&attrlist$argnum);
}
%typemap(in) (const genops_attribute *NAME, size_t count) (genops_py_args attrlist) {
    if (genops_py_args_add_dict(&attrlist, $input, FLATTEN ? GENOPS_PY_FLATTEN : 0) < 0)
        SWIG_fail;
    $1 = attrlist.list.items;
    $2 = attrlist.list.count;
}
%typemap(freearg) (const genops_attribute *NAME, size_t count) {
    genops_py_args_free(&attrlist$argnum);
}
#else
%typemap(arginit) (const genops_attribute *NAME, size_t count) {
    genops_attr_list_init(&attrlist$argnum);
}
%typemap(in) (const genops_attribute *NAME, size_t count) (genops_attr_list attrlist) {
#if defined(SWIGRUBY)
    genops_rb_to_attrs($input, &attrlist, FLATTEN);
#else
    if (!genops_lua_to_attrs(L, $input, &attrlist, FLATTEN))
        SWIG_fail;
#endif
    $1 = attrlist.items;
    $2 = attrlist.count;
}
%typemap(freearg) (const genops_attribute *NAME, size_t count) {
    genops_attr_list_free(&attrlist$argnum);
}
#endif
%enddef

GENOPS_ATTRS_TYPEMAP(attrs, 0)
GENOPS_ATTRS_TYPEMAP(kv, 1)

/* One value (genops_span_set): the same conversion as a dict's values. */
#if defined(SWIGPYTHON)
%typemap(arginit) const genops_value *value "genops_py_args_init(&valbuf$argnum);"
%typemap(in) const genops_value *value (genops_py_args valbuf, genops_value v) {
    if (genops_py_value(&valbuf, "value", $input, &v) < 0)
        SWIG_fail;
    $1 = &v;
}
%typemap(freearg) const genops_value *value "genops_py_args_free(&valbuf$argnum);"
#else
%typemap(arginit) const genops_value *value "genops_attr_list_init(&valbuf$argnum);"
%typemap(in) const genops_value *value (genops_attr_list valbuf, genops_value v) {
#if defined(SWIGRUBY)
    genops_rb_to_value($input, "value", &v, &valbuf);
#else
    if (!genops_lua_to_value(L, $input, "value", &v, &valbuf))
        SWIG_fail;
#endif
    $1 = &v;
}
%typemap(freearg) const genops_value *value "genops_attr_list_free(&valbuf$argnum);"
#endif

/* ---- rule 3: an options struct is a map of its field names ---------------------------
 * genops_pipeline_new(opt): {"service_name": ..., "resource_attributes": {...}, ...};
 * genops_otlp_exporter_new(opt): {"endpoint": ..., "headers": {...}, ...}; None / nil
 * for every default. The map becomes an attribute list (rule 2, flattened), which
 * FILLER (bindings/common/options.c) reads into the struct; the nested map's items
 * are gathered into a second list, optres. Strings point into the first list, which
 * outlives the call; the C functions copy what they keep. */
%define GENOPS_OPTIONS_TYPEMAP(TYPE, FILLER)
#if defined(SWIGPYTHON)
%typemap(arginit) const TYPE *opt {
    genops_attr_list_init(&optres$argnum);
    genops_py_args_init(&optattrs$argnum);
}
%typemap(in) const TYPE *opt (TYPE o, genops_py_args optattrs, genops_attr_list optres,
                              genops_error oerr) {
    $1 = NULL;
    if ($input != Py_None) {
        if (genops_py_args_add_dict(&optattrs, $input, GENOPS_PY_FLATTEN) < 0)
            SWIG_fail;
        genops_attribute *nested = genops_bind_nested(&optres, optattrs.list.count, &oerr);
        if (!nested || FILLER(&o, optattrs.list.items, optattrs.list.count, nested, &oerr)) {
            genops_py_raise(oerr.code, oerr.message);
            SWIG_fail;
        }
        $1 = &o;
    }
}
%typemap(freearg) const TYPE *opt {
    genops_py_args_free(&optattrs$argnum);
    genops_attr_list_free(&optres$argnum);
}
#else
%typemap(arginit) const TYPE *opt {
    genops_attr_list_init(&optres$argnum);
    genops_attr_list_init(&optattrs$argnum);
}
%typemap(in) const TYPE *opt (TYPE o, genops_attr_list optattrs, genops_attr_list optres,
                              genops_error oerr) {
    $1 = NULL;
#if defined(SWIGRUBY)
    if (!NIL_P($input)) {
        genops_rb_to_attrs($input, &optattrs, 1);
#else
    if (!lua_isnoneornil(L, $input)) {
        if (!genops_lua_to_attrs(L, $input, &optattrs, 1))
            SWIG_fail;
#endif
        genops_attribute *nested = genops_bind_nested(&optres, optattrs.count, &oerr);
        if (!nested || FILLER(&o, optattrs.items, optattrs.count, nested, &oerr)) {
#if defined(SWIGRUBY)
            genops_attr_list_free(&optattrs);
            genops_attr_list_free(&optres);
            genops_rb_raise(oerr.code, oerr.message);
#else
            genops_lua_push_error(L, oerr.code, oerr.message);
            SWIG_fail;
#endif
        }
        $1 = &o;
    }
}
%typemap(freearg) const TYPE *opt {
    genops_attr_list_free(&optattrs$argnum);
    genops_attr_list_free(&optres$argnum);
}
#endif
%enddef

GENOPS_OPTIONS_TYPEMAP(genops_pipeline_options, genops_bind_pipeline_options)
GENOPS_OPTIONS_TYPEMAP(genops_otlp_options, genops_bind_otlp_options)
GENOPS_OPTIONS_TYPEMAP(genops_hec_options, genops_bind_hec_options)
GENOPS_OPTIONS_TYPEMAP(genops_honeycomb_options, genops_bind_honeycomb_options)
GENOPS_OPTIONS_TYPEMAP(genops_honeycomb_marker_options, genops_bind_honeycomb_marker_options)
%apply const genops_honeycomb_marker_options *opt { const genops_honeycomb_marker_options *marker };

/* ---- rule 4: out-pointers become return values ---------------------------------------
 * The C function fills a local; the language gets it as (part of) the result, and a
 * not-found answer (false / NULL) becomes None / nil. */

/* Span context: (trace_id, span_id) as 16 and 8 bytes. */
%typemap(in, numinputs=0) genops_span_context *out (genops_span_context sc) {
    memset(&sc, 0, sizeof sc);
    $1 = &sc;
}
#if defined(SWIGPYTHON)
%typemap(argout) genops_span_context *out {
    Py_XDECREF($result);
    $result = Py_BuildValue("(y#y#)", (const char *)sc$argnum.trace_id, (Py_ssize_t)16,
                            (const char *)sc$argnum.span_id, (Py_ssize_t)8);
    if (!$result)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) genops_span_context *out {
    $result = rb_ary_new_from_args(2, rb_str_new((const char *)sc$argnum.trace_id, 16),
                                   rb_str_new((const char *)sc$argnum.span_id, 8));
}
#elif defined(SWIGLUA)
%typemap(argout) genops_span_context *out {
    lua_pushlstring(L, (const char *)sc$argnum.trace_id, 16);
    lua_pushlstring(L, (const char *)sc$argnum.span_id, 8);
    SWIG_arg += 2;
}
#endif

/* A parent given back in the same shape, or None / nil for a root span. */
%typemap(in) const genops_span_context *parent (genops_span_context pc) {
    $1 = NULL;
#if defined(SWIGPYTHON)
    if ($input != Py_None) {
        const char *t = NULL, *s = NULL;
        Py_ssize_t tl = 0, sl = 0;
        if (!PyArg_ParseTuple($input, "y#y#;parent must be (trace_id, span_id) bytes", &t,
                              &tl, &s, &sl))
            SWIG_fail;
        if (tl != 16 || sl != 8) {
            genops_py_raise(GENOPS_EINVAL, "parent must be 16 + 8 bytes of W3C ids");
            SWIG_fail;
        }
#elif defined(SWIGRUBY)
    if (!NIL_P($input)) {
        VALUE tv = rb_ary_entry($input, 0), sv = rb_ary_entry($input, 1);
        StringValue(tv);
        StringValue(sv);
        if (RSTRING_LEN(tv) != 16 || RSTRING_LEN(sv) != 8)
            genops_rb_raise(GENOPS_EINVAL, "parent must be 16 + 8 bytes of W3C ids");
        const char *t = RSTRING_PTR(tv), *s = RSTRING_PTR(sv);
#else
    if (!lua_isnoneornil(L, $input)) {
        size_t tl = 0, sl = 0;
        const char *t = NULL, *s = NULL;
        if (lua_istable(L, $input)) {
            lua_rawgeti(L, $input, 1);
            lua_rawgeti(L, $input, 2);
            t = lua_tolstring(L, -2, &tl);
            s = lua_tolstring(L, -1, &sl);
            lua_pop(L, 2); /* the strings stay alive in the table */
        }
        if (!t || !s || tl != 16 || sl != 8) {
            genops_lua_push_error(L, GENOPS_EINVAL, "parent must be {trace_id, span_id}");
            SWIG_fail;
        }
#endif
        memcpy(pc.trace_id, t, 16);
        memcpy(pc.span_id, s, 8);
        pc.trace_flags = GENOPS_TRACE_FLAG_SAMPLED; /* the pair carries no flags */
        $1 = &pc;
    }
}

/* Stats and validations: a map built from the list of (name, value) pairs that
 * TOLIST fills (shared C code above). Ownership: the list lives until converted. */
%define GENOPS_MAP_OUT_TYPEMAP(TYPE, TOLIST)
%typemap(in, numinputs=0) TYPE *out (TYPE st) {
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    $1 = &st;
}
%typemap(argout) TYPE *out {
    genops_attr_list maplist;
    genops_attr_list_init(&maplist);
    int map_ok = TOLIST(&st$argnum, &maplist);
#if defined(SWIGPYTHON)
    Py_XDECREF($result);
    $result = map_ok ? genops_py_dict_from_attrs(maplist.items, maplist.count)
                     : PyErr_NoMemory();
    genops_attr_list_free(&maplist);
    if (!$result)
        SWIG_fail;
#elif defined(SWIGRUBY)
    $result = map_ok ? genops_rb_hash_from_attrs(maplist.items, maplist.count) : Qnil;
    genops_attr_list_free(&maplist);
#elif defined(SWIGLUA)
    if (map_ok)
        genops_lua_push_table_from_attrs(L, maplist.items, maplist.count);
    else
        lua_pushnil(L);
    genops_attr_list_free(&maplist);
    SWIG_arg++;
#endif
}
%enddef

GENOPS_MAP_OUT_TYPEMAP(genops_stats, genops_bind_stats_list)
GENOPS_MAP_OUT_TYPEMAP(genops_hec_stats, genops_bind_hec_stats_list)
GENOPS_MAP_OUT_TYPEMAP(genops_exporter_stats, genops_bind_exporter_stats_list)
GENOPS_MAP_OUT_TYPEMAP(genops_hec_validation, genops_bind_hec_validation_list)
GENOPS_MAP_OUT_TYPEMAP(genops_honeycomb_answer, genops_bind_honeycomb_answer_list)
GENOPS_MAP_OUT_TYPEMAP(genops_budget_state, genops_bind_budget_state_list)
GENOPS_MAP_OUT_TYPEMAP(genops_rate_limit_state, genops_bind_rate_limit_state_list)

/* One attribute: (key, value), or None / nil when the index is out of range. The
 * key and value point into the context or span data, which outlive the call. */
%typemap(in, numinputs=0) genops_attribute *out (genops_attribute at) {
    memset(&at, 0, sizeof at);
    $1 = &at;
}
/* One value: the value, or None / nil when the key is absent. */
%typemap(in, numinputs=0) genops_value *out (genops_value val) {
    memset(&val, 0, sizeof val); /* GENOPS_TYPE_NULL: "absent" (never stored) */
    $1 = &val;
}
#if defined(SWIGPYTHON)
%typemap(argout) genops_attribute *out {
    Py_XDECREF($result);
    if (at$argnum.key) {
        PyObject *v = genops_py_from_value(&at$argnum.value);
        $result = v ? Py_BuildValue("(sN)", at$argnum.key, v) : NULL;
    } else {
        $result = Py_None;
        Py_INCREF(Py_None);
    }
    if (!$result)
        SWIG_fail;
}
%typemap(argout) genops_value *out {
    Py_XDECREF($result);
    $result = genops_py_from_value(&val$argnum);
    if (!$result)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) genops_attribute *out {
    $result = at$argnum.key ? rb_ary_new_from_args(2, rb_utf8_str_new_cstr(at$argnum.key),
                                                   genops_rb_from_value(&at$argnum.value))
                            : Qnil;
}
%typemap(argout) genops_value *out {
    $result = genops_rb_from_value(&val$argnum);
}
#elif defined(SWIGLUA)
%typemap(argout) genops_attribute *out {
    if (at$argnum.key) {
        lua_pushstring(L, at$argnum.key);
        genops_lua_push_value(L, &at$argnum.value);
    } else {
        lua_pushnil(L);
        lua_pushnil(L);
    }
    SWIG_arg += 2;
}
%typemap(argout) genops_value *out {
    genops_lua_push_value(L, &val$argnum);
    SWIG_arg++;
}
#endif

/* A finished span's parent span id: 8 bytes, or None / nil for a root span. */
%typemap(in, numinputs=0) uint8_t parent_span_id[8] (uint8_t pid[8]) {
    memset(pid, 0, sizeof pid);
    $1 = pid;
}
#if defined(SWIGPYTHON)
%typemap(argout) uint8_t parent_span_id[8] {
    Py_XDECREF($result);
    if (result)
        $result = PyBytes_FromStringAndSize((const char *)pid$argnum, 8);
    else {
        $result = Py_None;
        Py_INCREF(Py_None);
    }
    if (!$result)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) uint8_t parent_span_id[8] {
    $result = result ? rb_str_new((const char *)pid$argnum, 8) : Qnil;
}
#elif defined(SWIGLUA)
%typemap(argout) uint8_t parent_span_id[8] {
    if (result)
        lua_pushlstring(L, (const char *)pid$argnum, 8);
    else
        lua_pushnil(L);
    SWIG_arg++;
}
#endif

/* A finished span's status: (code, message). */
%typemap(in, numinputs=0) const char **message (const char *msg) {
    msg = "";
    $1 = ($1_ltype)&msg; /* SWIG declares the argument without its const */
}
#if defined(SWIGPYTHON)
%typemap(argout) const char **message {
    PyObject *m = PyUnicode_DecodeUTF8(msg$argnum, (Py_ssize_t)strlen(msg$argnum), "replace");
    PyObject *t = m ? PyTuple_Pack(2, $result, m) : NULL;
    Py_XDECREF(m);
    Py_XDECREF($result);
    $result = t;
    if (!t)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) const char **message {
    $result = rb_ary_new_from_args(2, $result, rb_utf8_str_new_cstr(msg$argnum));
}
#elif defined(SWIGLUA)
%typemap(argout) const char **message {
    lua_pushstring(L, msg$argnum);
    SWIG_arg++;
}
#endif

/* An event: (name, time_ns), or None / nil when the index is out of range. */
%typemap(in, numinputs=0) uint64_t *time_ns (uint64_t tns) {
    tns = 0;
    $1 = &tns;
}
#if defined(SWIGPYTHON)
%typemap(argout) uint64_t *time_ns {
    Py_XDECREF($result);
    $result = result ? Py_BuildValue("(sK)", result, (unsigned long long)tns$argnum)
                     : (Py_INCREF(Py_None), Py_None);
    if (!$result)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) uint64_t *time_ns {
    $result = result ? rb_ary_new_from_args(2, rb_utf8_str_new_cstr(result),
                                            ULL2NUM(tns$argnum))
                     : Qnil;
}
#elif defined(SWIGLUA)
%typemap(argout) uint64_t *time_ns {
    genops_lua_push_u64(L, tns$argnum);
    SWIG_arg++;
}
#endif

/* A captured log line: (level, time_unix_nano, lost, message), or None / nil when
 * none came (the C function returned false). Ownership: the record is a local of the
 * wrapper; the message is copied into the language's string (invalid UTF-8, which
 * the C side never produces, would become U+FFFD in Python). */
%typemap(in, numinputs=0) genops_log_record *out (genops_log_record lr) {
    memset(&lr, 0, offsetof(genops_log_record, message));
    lr.struct_size = sizeof lr;
    lr.message[0] = '\0';
    $1 = &lr;
}
#if defined(SWIGPYTHON)
%typemap(argout) genops_log_record *out {
    Py_XDECREF($result);
    if (result) {
        PyObject *m = PyUnicode_DecodeUTF8(lr$argnum.message,
                                           (Py_ssize_t)strlen(lr$argnum.message), "replace");
        $result = m ? Py_BuildValue("(iKKN)", (int)lr$argnum.level,
                                    (unsigned long long)lr$argnum.time_unix_nano,
                                    (unsigned long long)lr$argnum.lost, m)
                    : NULL;
    } else {
        $result = Py_None;
        Py_INCREF(Py_None);
    }
    if (!$result)
        SWIG_fail;
}
#elif defined(SWIGRUBY)
%typemap(argout) genops_log_record *out {
    $result = result ? rb_ary_new_from_args(4, INT2NUM((int)lr$argnum.level),
                                            ULL2NUM(lr$argnum.time_unix_nano),
                                            ULL2NUM(lr$argnum.lost),
                                            rb_utf8_str_new_cstr(lr$argnum.message))
                     : Qnil;
}
#elif defined(SWIGLUA)
/* true, level, time_unix_nano, lost, message; or false alone. */
%typemap(argout) genops_log_record *out {
    if (result) {
        lua_pushinteger(L, (lua_Integer)lr$argnum.level);
        genops_lua_push_u64(L, lr$argnum.time_unix_nano);
        genops_lua_push_u64(L, lr$argnum.lost);
        lua_pushstring(L, lr$argnum.message);
        SWIG_arg += 4;
    }
}
#endif

/* ---- exposure list, in header order ----------------------------------------------- */

/* No struct is wrapped: values, attributes, options, stats and span contexts all
 * cross the boundary through the typemaps above, so a struct added to genops.h later
 * never produces wrapper code by accident. Enums become constants. */
%rename("$ignore", %$isclass) "";

/* Version: genops_version wrapped; the macros become constants. */

/* Errors: the status enum becomes constants (the languages' exception tables are
 * checked against them); genops_strerror is wrapped for codes that reach a language
 * outside an error. genops_error never crosses: failures are exceptions. */

/* Values and attributes: converted by the typemaps, never wrapped. */

/* Contexts: genops_context_new/_ref/_unref/_count/_get/_find wrapped as is (opaque
 * pointers; the caller unrefs). genops_defaults_* and genops_effective_context wrapped. */

/* Exporters: genops_exporter_free, genops_exporter_description, the memory and console
 * exporters wrapped (an exporter never added to a pipeline is still the caller's to
 * free). */

/* OTLP exporter: its options are a map (typemap), so the initialiser is not wrapped. */
%ignore genops_otlp_options_init; /* the options typemap calls it */

/* Splunk HEC exporter: the same. Its stats and validation come back as maps (the validation's errors and warnings
 * as lists, its details as "detail.<name>", the text for people as "report"), so the
 * accessors and the formatter of genops_hec_validation are not wrapped. */
%ignore genops_hec_options_init;       /* the options typemap calls it */
%ignore genops_hec_validation_error;   /* folded into the map: "errors" */
%ignore genops_hec_validation_warning; /* folded into the map: "warnings" */
%ignore genops_hec_validation_detail;  /* folded into the map: "detail.<name>" */
%ignore genops_hec_validation_format;  /* folded into the map: "report" */

/* Choosing the exporter for an endpoint: wrapped; its options are OTLP's (typemap). */

/* Honeycomb: options and markers are maps (typemaps), an answer comes back as one. */
%ignore genops_honeycomb_options_init; /* the options typemap calls it */

/* Log: all wrapped; a record comes back as a tuple / Array / values (typemap above).
 * genops_log_next and genops_log_wait can wait: they release the interpreter lock
 * (Python's %thread, Ruby's rb_thread_call_without_gvl, in each language's file). */

/* Pipelines: options given as a map, so genops_pipeline_options_init is not wrapped; stats
 * come back as a map. Everything else wrapped. */
%ignore genops_pipeline_options_init; /* the options typemap calls it */

/* Spans: all wrapped; a span context is (trace_id, span_id) both ways. */
%ignore GENOPS_SPAN_NONE; /* the constant 0, as a cast SWIG cannot evaluate */
%ignore genops_span_start_with_ids; /* another SDK's spans, converted in a binding's C (otel_export.c) */

/* Budgets: define (an option list, like the recorders' arguments: scope={...} is
 * flattened to scope.<k>), get (a map), reset and remove wrapped. The check at an
 * operation's start copies into caller buffers: Python calls it from its own start
 * (bindings/python/module.c), so it is not wrapped. */
%ignore genops_span_budget_blocked; /* module.c calls it when an operation starts */

/* Rate limits: the same shape (define, get, remove wrapped; the start's check not). */
%ignore genops_span_rate_limited; /* module.c calls it when an operation starts */

/* Finished spans: all wrapped (span data are opaque pointers owned by the exporter). */

%include "genops.h"
