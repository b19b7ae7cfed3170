/* resp.c - RESP commands and replies (resp.h). */
#include "resp.h"

#include <stdio.h>
#include <string.h>

size_t resp_command(char *out, size_t cap, int argc, const char *const *argv)
{
    int n = snprintf(out, cap, "*%d\r\n", argc);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    size_t at = (size_t)n;
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]);
        n = snprintf(out + at, cap - at, "$%zu\r\n", len);
        if (n < 0 || (size_t)n >= cap - at || cap - at - (size_t)n < len + 3)
            return 0;
        at += (size_t)n;
        memcpy(out + at, argv[i], len);
        out[at + len] = '\r';
        out[at + len + 1] = '\n';
        at += len + 2;
    }
    return at;
}

/* The line at data (up to CRLF): its length without the CRLF, or -1 when there is no
 * CRLF yet. */
static long line_len(const char *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (data[i] == '\r')
            return data[i + 1] == '\n' ? (long)i : -2;
    return -1;
}

/* A decimal int64 of exactly len bytes, optionally negative. */
static int parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = len > 0 && s[0] == '-';
    i += (size_t)neg;
    if (i == len || len - i > 19)
        return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

long resp_parse(const char *data, size_t len, struct resp_reply *r)
{
    if (len < 1)
        return 0;
    long n = line_len(data + 1, len - 1);
    if (n == -1)
        return 0;
    if (n < 0)
        return -1;
    const char *body = data + 1;
    size_t used = (size_t)n + 3; /* type byte, line, CRLF */
    switch (data[0]) {
    case '+':
    case '-':
        r->type = data[0] == '+' ? RESP_STATUS : RESP_ERROR;
        r->text = body;
        r->len = (size_t)n;
        return (long)used;
    case ':':
        r->type = RESP_INTEGER;
        return parse_int(body, (size_t)n, &r->integer) ? (long)used : -1;
    case '$': {
        int64_t blen;
        if (!parse_int(body, (size_t)n, &blen) || blen < -1 || blen > RESP_BULK_MAX)
            return -1;
        if (blen == -1) {
            r->type = RESP_NIL;
            return (long)used;
        }
        if (len - used < (size_t)blen + 2)
            return 0;
        if (data[used + (size_t)blen] != '\r' || data[used + (size_t)blen + 1] != '\n')
            return -1;
        r->type = RESP_BULK;
        r->text = data + used;
        r->len = (size_t)blen;
        return (long)(used + (size_t)blen + 2);
    }
    default: return -1;
    }
}
