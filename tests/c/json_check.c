/* json_check.c - see json_check.h. A recursive-descent reader of the RFC 8259 grammar
 * that only accepts or rejects. */
#include "json_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

struct reader {
    const unsigned char *s;
    size_t len, at;
    int depth;
    const char *error;
};

static char message[128];

static bool fail(struct reader *r, const char *what)
{
    if (!r->error) {
        snprintf(message, sizeof message, "%s at byte %zu", what, r->at);
        r->error = message;
    }
    return false;
}

static int peek(const struct reader *r)
{
    return r->at < r->len ? r->s[r->at] : -1;
}

static void skip_space(struct reader *r)
{
    while (peek(r) == ' ' || peek(r) == '\t' || peek(r) == '\n' || peek(r) == '\r')
        r->at++;
}

static bool literal(struct reader *r, const char *word)
{
    size_t n = strlen(word);
    if (r->len - r->at < n || memcmp(r->s + r->at, word, n) != 0)
        return fail(r, "bad literal");
    r->at += n;
    return true;
}

static int hex4(struct reader *r)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = peek(r), d = c >= '0' && c <= '9'   ? c - '0'
                             : c >= 'a' && c <= 'f' ? c - 'a' + 10
                             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                    : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
        r->at++;
    }
    return v;
}

static bool string(struct reader *r)
{
    r->at++; /* the opening quote */
    for (;;) {
        int c = peek(r);
        if (c < 0)
            return fail(r, "unterminated string");
        if (c == '"') {
            r->at++;
            return true;
        }
        if (c < 0x20)
            return fail(r, "raw control character in a string");
        if (c == '\\') {
            r->at++;
            c = peek(r);
            r->at++;
            if (c == 'u') {
                int u = hex4(r);
                if (u < 0)
                    return fail(r, "bad \\u escape");
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(r, "lone low surrogate");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (peek(r) != '\\' || (r->at++, peek(r) != 'u'))
                        return fail(r, "lone high surrogate");
                    r->at++;
                    u = hex4(r);
                    if (u < 0xDC00 || u > 0xDFFF)
                        return fail(r, "high surrogate without a low one");
                }
            } else if (!c || !strchr("\"\\/bfnrt", c)) {
                return fail(r, "bad escape");
            }
            continue;
        }
        if (c < 0x80) {
            r->at++;
            continue;
        }
        /* One UTF-8 sequence, as long as its lead byte says; utf8.c judges it. */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (r->len - r->at < need || utf8_valid_prefix((const char *)r->s + r->at, need) != need)
            return fail(r, "invalid UTF-8 in a string");
        r->at += need;
    }
}

static bool digits(struct reader *r)
{
    if (peek(r) < '0' || peek(r) > '9')
        return fail(r, "digit expected");
    while (peek(r) >= '0' && peek(r) <= '9')
        r->at++;
    return true;
}

static bool number(struct reader *r)
{
    if (peek(r) == '-')
        r->at++;
    if (peek(r) == '0') {
        r->at++;
        if (peek(r) >= '0' && peek(r) <= '9')
            return fail(r, "leading zero");
    } else if (!digits(r)) {
        return false;
    }
    if (peek(r) == '.') {
        r->at++;
        if (!digits(r))
            return false;
    }
    if (peek(r) == 'e' || peek(r) == 'E') {
        r->at++;
        if (peek(r) == '+' || peek(r) == '-')
            r->at++;
        if (!digits(r))
            return false;
    }
    return true;
}

static bool value(struct reader *r);

/* An object (close = '}') or array (close = ']'). */
static bool container(struct reader *r, int close)
{
    if (++r->depth > 64)
        return fail(r, "nested too deep");
    r->at++;
    skip_space(r);
    if (peek(r) == close) {
        r->at++;
        r->depth--;
        return true;
    }
    for (;;) {
        skip_space(r);
        if (close == '}') {
            if (peek(r) != '"')
                return fail(r, "member name expected");
            if (!string(r))
                return false;
            skip_space(r);
            if (peek(r) != ':')
                return fail(r, "':' expected");
            r->at++;
        }
        if (!value(r))
            return false;
        skip_space(r);
        if (peek(r) == close) {
            r->at++;
            r->depth--;
            return true;
        }
        if (peek(r) != ',')
            return fail(r, "',' or end of container expected");
        r->at++;
    }
}

static bool value(struct reader *r)
{
    skip_space(r);
    switch (peek(r)) {
    case '{': return container(r, '}');
    case '[': return container(r, ']');
    case '"': return string(r);
    case 't': return literal(r, "true");
    case 'f': return literal(r, "false");
    case 'n': return literal(r, "null");
    default:
        if (peek(r) == '-' || (peek(r) >= '0' && peek(r) <= '9'))
            return number(r);
        return fail(r, "value expected");
    }
}

const char *json_check(const char *s, size_t len)
{
    struct reader r = {(const unsigned char *)s, len, 0, 0, NULL};
    if (value(&r)) {
        skip_space(&r);
        if (r.at != len)
            fail(&r, "trailing bytes");
    }
    return r.error;
}
