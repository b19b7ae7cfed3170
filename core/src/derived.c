/* derived.c - see derived.h. The table is semconv.def's GENOPS_DERIVED rows, in file
 * order; each span is read once, and each key is looked up by the hash the span list
 * already keeps (struct attr.hash) in a small open-addressing index of the rows' names
 * and sources: one or two probes, a memcmp only on a hash match. */
#include "derived.h"

#include <pthread.h>
#include <string.h>

#include "semconv.h"

enum rule { COPY, PRESENT, SCORE_BY_METRIC, DURATION_MS, STATUS };

struct row {
    const char *name;
    uint32_t len;
    enum rule rule;
    const char *source; /* "" for none */
    uint32_t source_len;
};

static const struct row rows[] = {
#define GENOPS_ATTR(id, name, type, group, doc)
#define GENOPS_PREFIX(id, prefix, group, doc)
#define GENOPS_DERIVED(id, name, type, rule, source, guides, doc)                                  \
    {name, sizeof(name) - 1, rule, source, sizeof(source) - 1},
#include "semconv.def"
#undef GENOPS_ATTR
#undef GENOPS_PREFIX
#undef GENOPS_DERIVED
};
enum { ROWS = sizeof rows / sizeof rows[0], INDEX_SIZE = 256 };
_Static_assert((int)ROWS <= (int)DERIVED_MAX, "DERIVED_MAX is below the table size");
_Static_assert(ROWS <= 32, "taken holds a 32-bit set of rows");
_Static_assert(2 * ROWS + 1 < INDEX_SIZE / 4, "the index stays sparse");

enum role { NONE, NAME, SOURCE, SCORE };

/* A key the rows read: a row's name (NAME) or source (SOURCE), or genops.eval.score
 * (SCORE, for SCORE_BY_METRIC). One key may have several entries (a source of two
 * rows), in consecutive probes. */
struct entry {
    uint32_t hash;
    uint8_t role, row;
    const char *key;
    uint32_t len;
};
static struct entry index_[INDEX_SIZE];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void index_add(enum role role, uint32_t row, const char *key, uint32_t len)
{
    uint32_t hash = attr_hash(key, len);
    uint32_t at = hash % INDEX_SIZE;
    while (index_[at].role != NONE)
        at = (at + 1) % INDEX_SIZE;
    index_[at] = (struct entry){hash, (uint8_t)role, (uint8_t)row, key, len};
}

static void index_rows(void)
{
    for (uint32_t r = 0; r < ROWS; r++) {
        index_add(NAME, r, rows[r].name, rows[r].len);
        if (rows[r].source_len)
            index_add(SOURCE, r, rows[r].source, rows[r].source_len);
    }
    index_add(SCORE, 0, SEMCONV_KEY(EVAL_SCORE));
}

static bool same(const struct attr *a, const char *name, uint32_t len)
{
    return a->key_len == len && memcmp(a->key, name, len) == 0;
}

static bool has_key(const struct span *s, const char *key, uint32_t len)
{
    for (uint32_t i = 0; i < s->attrs.count; i++)
        if (s->attrs.items[i].value.type != GENOPS_TYPE_NULL && same(&s->attrs.items[i], key, len))
            return true;
    return false;
}

/* "Timeout" or "timeout" in text (TimeoutError, asyncio.TimeoutError, ReadTimeout,
 * "request timeout"). */
static bool names_timeout(const char *text, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++)
        if ((text[i] == 'T' || text[i] == 't') && memcmp(text + i + 1, "imeout", 6) == 0)
            return true;
    return false;
}

static const char *status_word(const struct span *s)
{
    if (s->status != GENOPS_SPAN_STATUS_ERROR)
        return "success";
    if (s->status_message && names_timeout(s->status_message, s->status_message_len))
        return "timeout";
    for (uint32_t i = 0; i < s->event_count; i++) {
        const struct event *e = &s->events[i];
        if (e->name_len != 9 || memcmp(e->name, "exception", 9) != 0)
            continue;
        for (uint32_t j = 0; j < e->count; j++)
            if (same(&e->attrs[j], "exception.type", 14) &&
                e->attrs[j].value.type == GENOPS_TYPE_STRING &&
                names_timeout(e->attrs[j].value.u.s, e->attrs[j].value.len))
                return "timeout";
    }
    return "error";
}

bool derived_plain_metric(const genops_value *metric)
{
    if (metric->type != GENOPS_TYPE_STRING || !metric->len || metric->len > DERIVED_METRIC_MAX)
        return false;
    for (size_t i = 0; i < metric->len; i++) {
        char c = metric->u.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

/* genops.eval.<metric> into out->metric_key, or 0 when metric is not a plain name. */
static uint32_t metric_key(const genops_value *metric, struct derived *out)
{
    if (!derived_plain_metric(metric))
        return 0;
    memcpy(out->metric_key, SEMCONV_EVAL_BY_METRIC, SEMCONV_EVAL_BY_METRIC_LEN);
    memcpy(out->metric_key + SEMCONV_EVAL_BY_METRIC_LEN, metric->u.s, metric->len);
    out->metric_key[SEMCONV_EVAL_BY_METRIC_LEN + metric->len] = '\0';
    return (uint32_t)(SEMCONV_EVAL_BY_METRIC_LEN + metric->len);
}

static void push(struct derived *out, const char *key, uint32_t len, genops_value v)
{
    out->items[out->count++] = (struct attr){.key = key, .key_len = len, .value = v};
}

void derive(const struct span *s, bool on, struct derived *out)
{
    out->count = 0;
    if (!on)
        return;
    pthread_once(&index_once, index_rows);
    const genops_value *source[ROWS] = {0};
    const genops_value *score = NULL;
    uint32_t taken = 0; /* rows whose name the span has itself */
    for (uint32_t i = 0; i < s->attrs.count; i++) {
        const struct attr *a = &s->attrs.items[i];
        if (a->value.type == GENOPS_TYPE_NULL)
            continue;
        for (uint32_t at = a->hash % INDEX_SIZE; index_[at].role != NONE;
             at = (at + 1) % INDEX_SIZE) {
            const struct entry *e = &index_[at];
            if (e->hash != a->hash || !same(a, e->key, e->len))
                continue;
            if (e->role == NAME)
                taken |= 1u << e->row;
            else if (e->role == SOURCE)
                source[e->row] = &a->value;
            else
                score = &a->value;
        }
    }
    uint64_t duration_ns = s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0;
    for (uint32_t r = 0; r < ROWS; r++) {
        const struct row *w = &rows[r];
        const genops_value *src = source[r]; /* NULL for a row without a source */
        if ((taken & 1u << r) || (w->source_len && !src) ||
            (!src && w->rule != DURATION_MS && w->rule != STATUS))
            continue;
        genops_value v = {.type = GENOPS_TYPE_DOUBLE};
        switch (w->rule) {
        case COPY: v = *src; break;
        case PRESENT: v = (genops_value){.type = GENOPS_TYPE_BOOL, .u.b = true}; break;
        case DURATION_MS: v.u.d = (double)duration_ns / 1e6; break;
        case STATUS: {
            const char *word = status_word(s);
            v = (genops_value){.type = GENOPS_TYPE_STRING, .len = strlen(word), .u.s = word};
            break;
        }
        case SCORE_BY_METRIC: {
            uint32_t n = score && src ? metric_key(src, out) : 0;
            if (n && !has_key(s, out->metric_key, n))
                push(out, out->metric_key, n, *score);
            continue;
        }
        }
        push(out, w->name, w->len, v);
    }
}
