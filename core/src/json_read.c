/* json_read.c - see json_read.h. */
#include "json_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct cursor {
    const char *p, *end;
};

/* Past JSON white space. */
static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Past a string token starting at c->p (a '"'); false when unterminated. */
static bool skip_string(struct cursor *c)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    for (c->p++; c->p < c->end; c->p++) {
        if (*c->p == '\\')
            c->p++;
        else if (*c->p == '"') {
            c->p++;
            return true;
        } else if ((unsigned char)*c->p < 0x20)
            return false;
    }
    return false;
}

/* Past one value of any kind; false when malformed or nested too deep. */
static bool skip_value(struct cursor *c, int depth);

/* Past an object or array whose opening bracket is at c->p. */
static bool skip_container(struct cursor *c, int depth)
{
    char close = *c->p == '{' ? '}' : ']';
    bool object = close == '}';
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return true;
    }
    for (;;) {
        if (object) {
            if (!skip_string(c))
                return false;
            skip_ws(c);
            if (c->p >= c->end || *c->p++ != ':')
                return false;
        }
        if (!skip_value(c, depth + 1))
            return false;
        skip_ws(c);
        if (c->p >= c->end)
            return false;
        if (*c->p == close) {
            c->p++;
            return true;
        }
        if (*c->p++ != ',')
            return false;
        skip_ws(c);
    }
}

static bool skip_value(struct cursor *c, int depth)
{
    skip_ws(c);
    if (c->p >= c->end || depth > JSON_MAX_DEPTH)
        return false;
    switch (*c->p) {
    case '{':
    case '[': return skip_container(c, depth);
    case '"': return skip_string(c);
    default: {
        /* A number or a literal: its characters, checked loosely (values are only read
         * through json_string / json_int64, which check them properly). */
        const char *start = c->p;
        while (c->p < c->end && strchr("+-.0123456789eEtrufalsn", *c->p))
            c->p++;
        return c->p > start;
    }
    }
}

/* Compare the string token tok[0..len) with name, decoding escapes. */
static bool key_is(const char *tok, size_t len, const char *name)
{
    char key[128];
    return json_string(tok, len, key, sizeof key) && strlen(name) < sizeof key - 1 &&
           strcmp(key, name) == 0;
}

bool json_find(const char *doc, size_t len, const char *const *path, const char **value,
               size_t *value_len)
{
    struct cursor c = {doc, doc + len};
    for (int depth = 0; *path; path++, depth++) {
        skip_ws(&c);
        if (c.p >= c.end || *c.p != '{' || depth > JSON_MAX_DEPTH)
            return false;
        c.p++;
        bool found = false;
        for (skip_ws(&c); !found && c.p < c.end && *c.p != '}';) {
            const char *key = c.p;
            if (!skip_string(&c))
                return false;
            size_t key_len = (size_t)(c.p - key);
            skip_ws(&c);
            if (c.p >= c.end || *c.p++ != ':')
                return false;
            skip_ws(&c);
            if (key_is(key, key_len, *path)) {
                found = true; /* c.p is at the value: descend, or return it */
                break;
            }
            if (!skip_value(&c, depth + 1))
                return false;
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                skip_ws(&c);
            }
        }
        if (!found)
            return false;
    }
    const char *start = c.p;
    if (!skip_value(&c, 0))
        return false;
    *value = start;
    *value_len = (size_t)(c.p - start);
    return true;
}

/* The items of the array or the members of the object at doc[0..len) (open is '[' or
 * '{'), in order: fn gets each one's name token (NULL for an array item) and value. */
static long each_item(const char *doc, size_t len, char open,
                      void (*fn)(const char *name, size_t name_len, const char *value,
                                 size_t value_len, size_t index, void *ctx),
                      void *ctx)
{
    struct cursor c = {doc, doc + len};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != open)
        return -1;
    c.p++;
    long n = 0;
    for (;;) {
        skip_ws(&c);
        if (c.p >= c.end || *c.p == (open == '[' ? ']' : '}'))
            return n;
        const char *name = NULL;
        size_t name_len = 0;
        if (open == '{') {
            name = c.p;
            if (!skip_string(&c))
                return n;
            name_len = (size_t)(c.p - name);
            skip_ws(&c);
            if (c.p >= c.end || *c.p++ != ':')
                return n;
            skip_ws(&c);
        }
        const char *start = c.p;
        if (!skip_value(&c, 1))
            return n;
        fn(name, name_len, start, (size_t)(c.p - start), (size_t)n++, ctx);
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',')
            c.p++;
        else
            return n;
    }
}

struct array_fn {
    void (*fn)(const char *item, size_t item_len, size_t index, void *ctx);
    void *ctx;
};

static void on_array_item(const char *name, size_t name_len, const char *value, size_t value_len,
                          size_t index, void *ctx)
{
    const struct array_fn *a = ctx;
    (void)name;
    (void)name_len;
    a->fn(value, value_len, index, a->ctx);
}

long json_array_each(const char *doc, size_t len,
                     void (*fn)(const char *item, size_t item_len, size_t index, void *ctx),
                     void *ctx)
{
    struct array_fn a = {fn, ctx};
    return each_item(doc, len, '[', on_array_item, &a);
}

struct object_fn {
    void (*fn)(const char *name, size_t name_len, const char *value, size_t value_len, void *ctx);
    void *ctx;
};

static void on_object_member(const char *name, size_t name_len, const char *value, size_t value_len,
                             size_t index, void *ctx)
{
    const struct object_fn *o = ctx;
    (void)index;
    o->fn(name, name_len, value, value_len, o->ctx);
}

long json_object_each(const char *doc, size_t len,
                      void (*fn)(const char *name, size_t name_len, const char *value,
                                 size_t value_len, void *ctx),
                      void *ctx)
{
    struct object_fn o = {fn, ctx};
    return each_item(doc, len, '{', on_object_member, &o);
}

/* The value of four hex digits, or -1. */
static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Append code point cp as UTF-8 when it fits in out[*n .. size - 1). */
static void put_utf8(char *out, size_t size, size_t *n, unsigned cp)
{
    char b[4];
    size_t k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (k == 1)
        b[0] = (char)cp;
    else {
        for (size_t i = k - 1; i > 0; i--, cp >>= 6)
            b[i] = (char)(0x80 | (cp & 0x3f));
        b[0] = (char)((k == 2 ? 0xc0 : k == 3 ? 0xe0 : 0xf0) | cp);
    }
    if (*n + k < size) {
        memcpy(out + *n, b, k);
        *n += k;
    }
}

bool json_string(const char *tok, size_t len, char *out, size_t size)
{
    if (len < 2 || tok[0] != '"' || tok[len - 1] != '"' || size == 0)
        return false;
    size_t n = 0;
    for (size_t i = 1; i < len - 1; i++) {
        unsigned char ch = (unsigned char)tok[i];
        if (ch != '\\') {
            if (n + 1 < size)
                out[n++] = (char)ch;
            continue;
        }
        if (++i >= len - 1)
            return false;
        char simple = 0;
        switch (tok[i]) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default: return false;
        }
        if (simple) {
            if (n + 1 < size)
                out[n++] = simple;
            continue;
        }
        if (i + 4 >= len - 1)
            return false;
        int cp = hex4(tok + i + 1);
        i += 4;
        if (cp < 0)
            return false;
        /* A high surrogate followed by \uDC00-\uDFFF is one code point; a lone one is
         * replaced with U+FFFD rather than written as invalid UTF-8. */
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < len - 1 && tok[i + 1] == '\\' &&
            tok[i + 2] == 'u') {
            int lo = hex4(tok + i + 3);
            if (lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
        }
        put_utf8(out, size, &n, cp >= 0xd800 && cp < 0xe000 ? 0xfffd : (unsigned)cp);
    }
    out[n] = 0;
    return true;
}

bool json_text(const char *tok, size_t len, char *out, size_t size)
{
    char decoded[1024];
    if (!json_string(tok, len, decoded, sizeof decoded))
        return false;
    utf8_copy_printable(out, size, decoded, strlen(decoded));
    return true;
}

bool json_int64(const char *tok, size_t len, int64_t *out)
{
    if (len >= 2 && tok[0] == '"' && tok[len - 1] == '"') {
        tok++;
        len -= 2;
    }
    char digits[24];
    if (len == 0 || len >= sizeof digits)
        return false;
    memcpy(digits, tok, len);
    digits[len] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(digits, &end, 10);
    if (errno || *end || !(digits[0] == '-' || (digits[0] >= '0' && digits[0] <= '9')))
        return false;
    *out = v;
    return true;
}
