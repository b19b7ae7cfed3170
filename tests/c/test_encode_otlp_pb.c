/* test_encode_otlp_pb.c - the direct OTLP protobuf encoder: exact bytes for a fixture
 * derived by hand from the wire format, every output decoded by protobuf-c's generated
 * unpacker and checked field by field, byte-identical to protobuf-c's packer on fixed,
 * recorded and random batches, and the failure contract. */
#include <stdlib.h>

#include "otlp/otlp_encode.h"
#include "otlp_fixture.h"
#include "otlp_gen.h"
#include "otlp_pbc.h"

/* fx_minimal, by hand: tag = field << 3 | wire type (0 varint, 1 fixed64, 2 length).
 * (Laid out by hand; clang-format would move the comments.) */
// clang-format off
static const char minimal_golden[] =
    "\x0a\x89\x01"                                 /* ExportTraceServiceRequest.resource_spans, 137 */
    "\x0a\x17"                                     /*  ResourceSpans.resource, 23 */
    "\x0a\x15"                                     /*   Resource.attributes, KeyValue of 21 */
    "\x0a\x0c" "service.name"                      /*    key */
    "\x12\x05" "\x0a\x03" "svc"                    /*    value: AnyValue.string_value */
    "\x12\x6e"                                     /*  ResourceSpans.scope_spans, 110 */
    "\x0a\x12"                                     /*   ScopeSpans.scope, 18 */
    "\x0a\x09" "genops-ai"                         /*    name */
    "\x12\x05" "0.1.0"                             /*    version */
    "\x12\x58"                                     /*   ScopeSpans.spans, Span of 88 */
    "\x0a\x10" "\x01\x02\x03\x04\x05\x06\x07\x08"
               "\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"  /*    trace_id */
    "\x12\x08" "\x11\x12\x13\x14\x15\x16\x17\x18"  /*    span_id */
    "\x2a\x04" "chat"                              /*    name */
    "\x30\x01"                                     /*    kind: INTERNAL */
    "\x39" "\x00\x00\x2a\x36\xfe\x9c\x97\x17"      /*    start_time_unix_nano */
    "\x41" "\x15\xcd\x85\x3d\xfe\x9c\x97\x17"      /*    end_time_unix_nano */
    "\x4a\x1e"                                     /*    attributes, KeyValue of 30 */
    "\x0a\x11" "genops.cost.total"                 /*     key */
    "\x12\x09" "\x21\x7b\x14\xae\x47\xe1\x7a\x94\x3f" /*  value: AnyValue.double_value 0.02 */
    "\x7a\x00";                                    /*    status: empty (UNSET) */
// clang-format on

/* Encode b into a fresh buffer; the caller frees it. */
static struct buf encode(const struct batch *b)
{
    struct buf out;
    buf_init(&out, (size_t)1 << 30);
    assert_int_equal(encode_otlp_pb(b, &out), GENOPS_OK);
    return out;
}

/* b's encoding decodes (protobuf-c) to exactly b and equals protobuf-c's packing of b. */
static void check_against_protobuf_c(const struct batch *b)
{
    struct buf out = encode(b);
    otlp_pbc_request *m = otlp_pbc_unpack((const uint8_t *)out.data, out.len);
    assert_non_null(m);
    const char *why = otlp_pbc_mismatch(m, b);
    if (why)
        fail_msg("decoded request differs: %s", why);
    otlp_pbc_free(m);

    size_t len = 0;
    uint8_t *ref = otlp_pbc_pack(b, &len);
    assert_non_null(ref);
    assert_int_equal(out.len, len);
    assert_memory_equal(out.data, ref, len);
    free(ref);
    buf_free(&out);
}

static void test_minimal_span_matches_hand_derived_bytes(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out = encode(fx_minimal(&f));
    assert_int_equal(out.len, sizeof minimal_golden - 1);
    assert_memory_equal(out.data, minimal_golden, out.len);
    buf_free(&out);
}

static void test_every_field_decodes_with_protobuf_c(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    struct buf out = encode(b);
    otlp_pbc_request *m = otlp_pbc_unpack((const uint8_t *)out.data, out.len);
    assert_non_null(m);
    assert_null(otlp_pbc_mismatch(m, b));

    /* The same facts spelled out, so that a broken checker cannot hide a broken encoder. */
    Opentelemetry__Proto__Trace__V1__ScopeSpans *ss = m->resource_spans[0]->scope_spans[0];
    assert_string_equal(ss->scope->name, "genops-ai");
    assert_int_equal(ss->n_spans, 2);
    Opentelemetry__Proto__Trace__V1__Span *s = ss->spans[0];
    assert_memory_equal(s->parent_span_id.data, f.span.parent_span_id, 8);
    assert_string_equal(s->name, "chat.completion");
    assert_int_equal(s->kind, OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_CLIENT);
    assert_int_equal(s->start_time_unix_nano, FX_START);
    assert_int_equal(s->end_time_unix_nano, FX_END);
    assert_int_equal(s->n_attributes, 12);                       /* 13 minus the NULL one */
    assert_string_equal(s->attributes[7]->key, "genops.models"); /* after the NULL one */
    assert_int_equal(s->attributes[7]->value->array_value->n_values, 3);
    assert_string_equal(s->attributes[7]->value->array_value->values[2]->string_value, "claude-3");
    assert_int_equal(s->attributes[8]->value->array_value->values[3]->int_value, INT64_MIN);
    assert_int_equal(s->attributes[11]->value->array_value->n_values, 0);
    assert_int_equal(s->dropped_attributes_count, 3);
    assert_int_equal(s->n_events, 2);
    assert_string_equal(s->events[0]->name, "exception");
    assert_int_equal(s->events[0]->time_unix_nano, FX_EVENT);
    assert_int_equal(s->events[0]->attributes[1]->value->int_value, 3);
    assert_int_equal(s->dropped_events_count, 300);
    assert_int_equal(s->status->code,
                     OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_ERROR);
    assert_string_equal(s->status->message, "rate limited");
    Opentelemetry__Proto__Trace__V1__Span *bare = ss->spans[1];
    assert_int_equal(bare->parent_span_id.len, 0);
    assert_int_equal(bare->status->code,
                     OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_OK);
    assert_string_equal(bare->status->message, ""); /* dropped: only ERROR keeps one */
    otlp_pbc_free(m);
    buf_free(&out);
}

static void test_fixtures_match_protobuf_c_packer(void **state)
{
    (void)state;
    struct fx_minimal min;
    struct fx_full full;
    check_against_protobuf_c(fx_minimal(&min));
    check_against_protobuf_c(fx_full(&full));

    /* No spans: still one ResourceSpans with the resource and one empty ScopeSpans. */
    const struct batch *b = fx_full(&full);
    struct batch empty = {b->spans, 0, b->resource, false, false};
    check_against_protobuf_c(&empty);

    /* No resource attributes, no scope name or version: empty messages, still set. */
    struct resource bare_resource = {0};
    struct batch bare = {b->spans, b->count, &bare_resource, false, false};
    check_against_protobuf_c(&bare);
}

static void test_recorded_spans_match_protobuf_c_packer(void **state)
{
    (void)state;
    struct fx_recorded f;
    check_against_protobuf_c(fx_recorded(&f));
    fx_recorded_close(&f);
}

static void test_random_batches_match_protobuf_c_packer(void **state)
{
    (void)state;
    uint64_t seed = 0x2545F4914F6CDD1Du; /* seeded, so failures reproduce */
    for (int round = 0; round < 3000; round++) {
        const struct batch *b;
        struct otlp_gen *g = otlp_gen_random(&seed, false, &b);
        assert_non_null(g);
        check_against_protobuf_c(b);
        otlp_gen_free(g);
    }
}

static void test_appends_after_existing_bytes(void **state)
{
    (void)state;
    struct fx_minimal f;
    struct buf out;
    buf_init(&out, 4096);
    buf_append(&out, "prefix", 6);
    assert_int_equal(encode_otlp_pb(fx_minimal(&f), &out), GENOPS_OK);
    assert_int_equal(out.len, 6 + sizeof minimal_golden - 1);
    assert_memory_equal(out.data, "prefix", 6);
    assert_memory_equal(out.data + 6, minimal_golden, sizeof minimal_golden - 1);
    buf_free(&out);
}

static void test_limit_is_exact_and_failure_leaves_buf_unchanged(void **state)
{
    (void)state;
    struct fx_full f;
    const struct batch *b = fx_full(&f);
    struct buf whole = encode(b);

    /* Exactly enough room (after a 3-byte prefix) succeeds... */
    struct buf out;
    buf_init(&out, 3 + whole.len);
    buf_append(&out, "abc", 3);
    assert_int_equal(encode_otlp_pb(b, &out), GENOPS_OK);
    assert_int_equal(out.len, 3 + whole.len);
    buf_free(&out);

    /* ...one byte less fails with ETOOBIG and leaves the buffer as it was. */
    buf_init(&out, 3 + whole.len - 1);
    buf_append(&out, "abc", 3);
    size_t cap = out.cap;
    assert_int_equal(encode_otlp_pb(b, &out), GENOPS_ETOOBIG);
    assert_int_equal(out.len, 3);
    assert_int_equal(out.cap, cap);
    assert_memory_equal(out.data, "abc", 3);
    assert_true(buf_ok(&out));
    buf_free(&out);

    /* A small buffer too (above buf's first 256-byte allocation). */
    buf_init(&out, 300);
    assert_int_equal(encode_otlp_pb(b, &out), GENOPS_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_true(buf_ok(&out));
    buf_free(&out);
    buf_free(&whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_span_matches_hand_derived_bytes),
        cmocka_unit_test(test_every_field_decodes_with_protobuf_c),
        cmocka_unit_test(test_fixtures_match_protobuf_c_packer),
        cmocka_unit_test(test_recorded_spans_match_protobuf_c_packer),
        cmocka_unit_test(test_random_batches_match_protobuf_c_packer),
        cmocka_unit_test(test_appends_after_existing_bytes),
        cmocka_unit_test(test_limit_is_exact_and_failure_leaves_buf_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
