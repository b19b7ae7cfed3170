/* otlp_sample.c - the C side of tests/python/test_otlp_encoding.py, which checks the
 * OTLP encoders with independent decoders: the official OpenTelemetry classes, and
 * CPython's own float repr() and json module.
 *
 *   otlp_sample DIR       record fixed spans through the public API and write
 *                         DIR/request.pb, DIR/request.json (the two OTLP encodings of
 *                         one batch), DIR/events.msgpack (the same batch as Honeycomb
 *                         events, for tests/python/test_honeycomb_encoding.py) and
 *                         DIR/manifest.txt (each span's ids and times, one line per
 *                         span, printed without the encoders)
 *   otlp_sample --derived DIR
 *                         the same, with the derived names (derived.h) on and a
 *                         budget and two evaluations recorded on the operation
 *   otlp_sample --numbers read one double per line (16 hex digits of its bits), write
 *                         numfmt_double's text
 *   otlp_sample --strings read one byte string per line (hex), write it as a JSON
 *                         string (json_put_string)
 *
 * Exit status 0 on success, 1 with a message on stderr otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "genops.h"
#include "honeycomb/honeycomb_encode.h"
#include "otlp/otlp_encode.h"
#include "json.h"
#include "numfmt.h"
#include "resource.h"

#define END_NS 4102444800123456789u /* 2100-01-01: fixed ends after the real-clock starts */

#define STR(k, text)                                                                               \
    {                                                                                              \
        (k),                                                                                       \
        {                                                                                          \
            .type = GENOPS_TYPE_STRING, .len = sizeof(text) - 1, .u.s = (text)                     \
        }                                                                                          \
    }

static int die(const char *what)
{
    fprintf(stderr, "otlp_sample: %s\n", what);
    return 1;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return die(path);
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) != 0 || n != len ? die(path) : 0;
}

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}

/* The spans the Python test expects; it knows every name and value used here. */
/* What the derived names are computed from: a budget, two evaluations (the second
 * overwrites genops.eval.metric / score), the guides' data_classification and input /
 * output costs. */
static void record_governance(genops_span op)
{
    genops_attribute budget[] = {
        STR("budget_name", "team-daily"),
        {"budget_limit", {.type = GENOPS_TYPE_DOUBLE, .u.d = 200.0}},
        {"budget_used", {.type = GENOPS_TYPE_DOUBLE, .u.d = 50.0}},
    };
    genops_attribute safety[] = {STR("evaluation_name", "safety"),
                                 {"score", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.75}}};
    genops_attribute quality[] = {STR("evaluation_name", "quality"),
                                  {"score", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.9}}};
    genops_attribute guide[] = {
        STR("genops.data_classification", "pii"),
        {"genops.cost.input_cost", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.01}},
        {"genops.cost.output_cost", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.0025}}};
    genops_span_record_budget(op, budget, 3, NULL);
    genops_span_record_evaluation(op, safety, 2, NULL);
    genops_span_record_evaluation(op, quality, 2, NULL);
    genops_span_set_attributes(op, guide, 3, NULL);
}

static void record(genops_pipeline *p, bool governance)
{
    static const char *const models[] = {"gpt-4o", "claude-3", ""};
    static const int64_t tokens[] = {1, -2, INT64_MAX, INT64_MIN};
    static const double scores[] = {0.5, -0.0, 1e-7, 1e300};
    static const bool flags[] = {true, false};
    genops_attribute ctx[] = {
        STR("team", "ml-platform"),
        STR("customer_id", "acme"),
    };
    genops_attribute cost[] = {
        {"cost", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.0125}},
        STR("provider", "openai"),
        STR("model", "gpt-4o"),
        {"tokens_input", {.type = GENOPS_TYPE_INT, .u.i = 1200}},
        {"tokens_output", {.type = GENOPS_TYPE_INT, .u.i = 350}},
    };
    genops_attribute extra[] = {
        STR("note", "line1\nline2 \"q\" \\ caf\xc3\xa9 \x01/"),
        STR("bad_utf8", "a\xff"
                        "b"),
        STR("nul", "a\0b"),
        STR("empty", ""),
        {"sum", {.type = GENOPS_TYPE_DOUBLE, .u.d = 0.1 + 0.2}},
        {"delta", {.type = GENOPS_TYPE_INT, .u.i = -42}},
        {"cached", {.type = GENOPS_TYPE_BOOL, .u.b = false}},
        {"unset", {.type = GENOPS_TYPE_NULL}},
        {"models", {.type = GENOPS_TYPE_STRING_ARRAY, .len = 3, .u.sa = models}},
        {"tokens", {.type = GENOPS_TYPE_INT_ARRAY, .len = 4, .u.ia = tokens}},
        {"scores", {.type = GENOPS_TYPE_DOUBLE_ARRAY, .len = 4, .u.da = scores}},
        {"flags", {.type = GENOPS_TYPE_BOOL_ARRAY, .len = 2, .u.ba = flags}},
        {"none", {.type = GENOPS_TYPE_STRING_ARRAY, .len = 0, .u.sa = models}},
    };

    genops_span op = genops_operation_start(p, "chat.completion", NULL, NULL, NULL, ctx, 2, NULL);
    genops_span_record_cost(op, cost, 5, NULL);
    genops_span_set_attributes(op, extra, sizeof extra / sizeof extra[0], NULL);
    genops_span_set_kind(op, GENOPS_SPAN_KIND_CLIENT, NULL);
    if (governance)
        record_governance(op);

    genops_span_context parent;
    genops_span_get_context(op, &parent, NULL);
    genops_span child = genops_span_start(p, "policy.check", &parent, NULL);
    genops_span_set_kind(child, GENOPS_SPAN_KIND_SERVER, NULL);
    genops_span_set_bool(child, "allowed", true, NULL);
    genops_span_set_status(child, GENOPS_SPAN_STATUS_OK, "ignored: only ERROR keeps one", NULL);
    genops_span_end_at(child, END_NS - 1000, NULL);

    genops_span_record_exception(op, "RateLimitError", "slow down", "at line 1", NULL);
    genops_span_set_status(op, GENOPS_SPAN_STATUS_ERROR, "rate limited", NULL);
    genops_span_end_at(op, END_NS, NULL);
}

static int sample(const char *dir, bool derived)
{
    genops_pipeline_options opt;
    genops_error err;
    struct resource resource;
    genops_attribute region = STR("genops.region", "eu-west-1");

    genops_pipeline_options_init(&opt);
    opt.service_name = "genops-sample";
    opt.service_version = "1.2.3";
    opt.environment = "test";
    opt.resource_attributes = &region;
    opt.resource_attribute_count = 1;
    genops_pipeline *p = genops_pipeline_new(&opt, &err);
    genops_exporter *memory = genops_memory_exporter_new(&err);
    if (!p || !memory || genops_pipeline_add_exporter(p, memory, &err) != GENOPS_OK ||
        resource_build(&resource, &opt, &err) != GENOPS_OK)
        return die(err.message);

    record(p, derived);
    if (genops_pipeline_flush(p, 10000, &err) != GENOPS_OK)
        return die(err.message);

    size_t n = genops_memory_exporter_count(memory);
    struct span **spans = calloc(n, sizeof *spans);
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *manifest = fopen(path, "w");
    if (!spans || !manifest)
        return die("cannot write the manifest");
    for (size_t i = 0; i < n; i++) {
        const genops_span_data *d = genops_memory_exporter_get(memory, i);
        genops_span_context c;
        uint8_t parent[8];
        spans[i] = (struct span *)d;
        genops_span_data_context(d, &c);
        fprintf(manifest, "%s ", genops_span_data_name(d));
        put_hex(manifest, c.trace_id, 16);
        fputc(' ', manifest);
        put_hex(manifest, c.span_id, 8);
        fputc(' ', manifest);
        if (genops_span_data_parent(d, parent))
            put_hex(manifest, parent, 8);
        else
            fputc('-', manifest);
        fprintf(manifest, " %" PRIu64 " %" PRIu64 "\n", genops_span_data_start_ns(d),
                genops_span_data_end_ns(d));
    }
    if (fclose(manifest) != 0)
        return die("cannot write the manifest");

    struct batch b = {spans, n, &resource, derived, false};
    struct buf pb, json, events;
    buf_init(&pb, (size_t)1 << 26);
    buf_init(&json, (size_t)1 << 26);
    buf_init(&events, (size_t)1 << 26);
    if (encode_otlp_pb(&b, &pb) != GENOPS_OK || encode_otlp_json(&b, &json) != GENOPS_OK ||
        encode_honeycomb_msgpack(&b, &events) != GENOPS_OK)
        return die("encoding failed");
    int rc = write_file(dir, "request.pb", pb.data, pb.len) ||
             write_file(dir, "request.json", json.data, json.len) ||
             write_file(dir, "events.msgpack", events.data, events.len);
    buf_free(&pb);
    buf_free(&json);
    buf_free(&events);
    free(spans);
    resource_free(&resource);
    genops_pipeline_free(p);
    return rc;
}

/* Decode a line of hex into bytes; returns the count, or -1 when malformed. */
static long unhex(const char *line, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = line; p[0] && p[0] != '\n'; p += 2) {
        unsigned v;
        if (n == cap || sscanf(p, "%2x", &v) != 1)
            return -1;
        out[n++] = (uint8_t)v;
    }
    return (long)n;
}

static int filter(bool numbers)
{
    static char line[1 << 16];
    static uint8_t bytes[1 << 15];
    struct buf out;
    buf_init(&out, (size_t)1 << 20);
    while (fgets(line, sizeof line, stdin)) {
        long n = unhex(line, bytes, sizeof bytes);
        if (n < 0 || (numbers && n != 8))
            return die("malformed input line");
        out.len = 0;
        if (numbers) {
            uint64_t bits = strtoull(line, NULL, 16);
            double d;
            char text[NUMFMT_DOUBLE_MAX];
            memcpy(&d, &bits, sizeof d);
            numfmt_double(d, text);
            buf_puts(&out, text);
        } else {
            json_put_string(&out, (const char *)bytes, (size_t)n);
        }
        buf_putc(&out, '\n');
        if (!buf_ok(&out) || fwrite(out.data, 1, out.len, stdout) != out.len)
            return die("output failed");
    }
    buf_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--numbers") == 0)
        return filter(true);
    if (argc == 2 && strcmp(argv[1], "--strings") == 0)
        return filter(false);
    if (argc == 2 && argv[1][0] != '-')
        return sample(argv[1], false);
    if (argc == 3 && strcmp(argv[1], "--derived") == 0)
        return sample(argv[2], true);
    fprintf(stderr, "usage: otlp_sample [--derived] DIR | --numbers | --strings\n");
    return 2;
}
