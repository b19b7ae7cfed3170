/* test_hec_config.c - the HEC exporter's configuration (endpoint forms, environment,
 * checks, channel GUIDs, the OTLP exporter's Splunk detection) and its reading of HEC's
 * answers (codes, ackIds, invalid-event-number, /ack bodies). No network. */
#include <stdlib.h>

#include "hec/hec_exporter.h"
#include "hec/hec_config.h"
#include "hec/hec_response.h"
#include "testutil.h"

static void clear_env(void)
{
    static const char *const vars[] = {"SPLUNK_HEC_ENDPOINT", "SPLUNK_HEC_TOKEN", "SPLUNK_INDEX",
                                       "SPLUNK_SOURCETYPE",   "SPLUNK_SOURCE",    "SPLUNK_HOST"};
    for (size_t i = 0; i < COUNT(vars); i++)
        unsetenv(vars[i]);
}

static genops_status resolve(const char *endpoint, genops_hec_format format, struct hec_config *c,
                             genops_error *err)
{
    genops_hec_options o;
    genops_hec_options_init(&o);
    o.endpoint = endpoint;
    o.token = "tok";
    o.format = format;
    return hec_config_resolve(&o, c, err);
}

static void test_endpoint_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in, *event, *ack;
        genops_hec_format format;
        bool raw;
    } cases[] = {
        {"https://s:8088", "https://s:8088/services/collector/event",
         "https://s:8088/services/collector/ack", 0, false},
        {"https://s:8088/", "https://s:8088/services/collector/event",
         "https://s:8088/services/collector/ack", 0, false},
        {"https://s:8088", "https://s:8088/services/collector/raw",
         "https://s:8088/services/collector/ack", GENOPS_HEC_FORMAT_RAW, true},
        {"https://s:8088/services/collector/raw", "https://s:8088/services/collector/raw",
         "https://s:8088/services/collector/ack", 0, true},
        {"https://s:8088/services/collector", "https://s:8088/services/collector",
         "https://s:8088/services/collector/ack", 0, false},
        {"http://lb/splunk/services/collector/event/1.0",
         "http://lb/splunk/services/collector/event/1.0", "http://lb/splunk/services/collector/ack",
         GENOPS_HEC_FORMAT_EVENT, false},
        {"http://h/custom/hec", "http://h/custom/hec", "http://h/services/collector/ack", 0, false},
    };
    clear_env();
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct hec_config c;
        genops_error err;
        assert_int_equal(resolve(cases[i].in, cases[i].format, &c, &err), GENOPS_OK);
        assert_string_equal(c.event_url, cases[i].event);
        assert_string_equal(c.ack_url, cases[i].ack);
        assert_int_equal(c.raw, cases[i].raw);
        hec_config_free(&c);
    }
}

static void test_bad_endpoints_name_their_problem(void **state)
{
    (void)state;
    static const struct {
        const char *in, *words;
        genops_hec_format format;
    } cases[] = {
        {"splunk:8088", "not a valid URL", 0},
        {"ftp://s/", "only http and https", 0},
        {"https://s:8088/services/collector/raw", "contradicts", GENOPS_HEC_FORMAT_EVENT},
        {"https://s:8088/services/collector/event", "contradicts", GENOPS_HEC_FORMAT_RAW},
        {"https://s:8088/services/collector?channel=x", "query", 0},
    };
    clear_env();
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct hec_config c;
        genops_error err;
        assert_int_equal(resolve(cases[i].in, cases[i].format, &c, &err), GENOPS_EINVAL);
        if (!strstr(err.message, cases[i].words))
            fail_msg("'%s': message '%s' lacks '%s'", cases[i].in, err.message, cases[i].words);
    }
}

static void test_environment_and_defaults(void **state)
{
    (void)state;
    clear_env();
    setenv("SPLUNK_HEC_ENDPOINT", "https://splunk.example.com:8088", 1);
    setenv("SPLUNK_HEC_TOKEN", "env-token", 1);
    setenv("SPLUNK_INDEX", "genops_ai", 1);
    setenv("SPLUNK_SOURCETYPE", "genops:telemetry", 1);
    struct hec_config c;
    genops_error err;
    assert_int_equal(hec_config_resolve(NULL, &c, &err), GENOPS_OK);
    assert_string_equal(c.token, "env-token");
    assert_string_equal(c.index, "genops_ai");
    assert_string_equal(c.headers[0].value, "Splunk env-token");
    assert_true(hec_channel_valid(c.channel));
    assert_string_equal(c.headers[1].value, c.channel);
    assert_int_equal(c.max_request_bytes, HEC_DEFAULT_MAX_REQUEST_BYTES);
    assert_false(c.use_ack);
    assert_true(c.https);
    hec_config_free(&c);

    setenv("SPLUNK_INDEX", "Bad Index", 1);
    assert_int_equal(hec_config_resolve(NULL, &c, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "SPLUNK_INDEX"));
    unsetenv("SPLUNK_INDEX");
    unsetenv("SPLUNK_HEC_TOKEN");
    assert_int_equal(hec_config_resolve(NULL, &c, &err), GENOPS_EINVAL);
    assert_non_null(strstr(err.message, "SPLUNK_HEC_TOKEN not set"));
    clear_env();
}

static void test_index_names(void **state)
{
    (void)state;
    static const char *const good[] = {"genops_ai", "main", "a", "9-x_y"};
    static const char *const bad[] = {"",    "_internal", "-x",       "Genops",
                                      "a b", "my.index",  "kvstore_x"};
    for (size_t i = 0; i < COUNT(good); i++)
        assert_int_equal(hec_index_check(good[i], "index", NULL), GENOPS_OK);
    for (size_t i = 0; i < COUNT(bad); i++)
        assert_int_equal(hec_index_check(bad[i], "index", NULL), GENOPS_EINVAL);
}

static void test_channels_are_fresh_version_4_guids(void **state)
{
    (void)state;
    struct hec_config a, b;
    clear_env();
    assert_int_equal(resolve("http://h", 0, &a, NULL), GENOPS_OK);
    assert_int_equal(resolve("http://h", 0, &b, NULL), GENOPS_OK);
    assert_true(hec_channel_valid(a.channel));
    assert_string_not_equal(a.channel, b.channel);
    assert_int_equal(a.channel[14], '4');
    char before[HEC_CHANNEL_LEN + 1];
    memcpy(before, a.channel, sizeof before);
    hec_config_new_channel(&a);
    assert_string_not_equal(before, a.channel);
    assert_string_equal(a.headers[1].value, a.channel);
    assert_false(hec_channel_valid("channel-1"));
    assert_false(hec_channel_valid("0f8e6c1a-1111-4222-8333-94445555666g"));
    hec_config_free(&a);
    hec_config_free(&b);
}

/* The guide's OTLP configuration of Splunk, as the OTLP exporter would pass it on. */
static void test_splunk_endpoints_are_recognised_and_built(void **state)
{
    (void)state;
    struct http_header guide[] = {{"Authorization", "Splunk your-hec-token"},
                                  {"X-Splunk-Request-Channel", ""}};
    struct http_header bearer[] = {{"Authorization", "Bearer x"}};
    const char *raw = "https://splunk.example.com:8088/services/collector/raw";
    assert_int_equal(hec_endpoint_splunk_sign(raw, NULL, 0), HEC_SPLUNK_PATH);
    assert_int_equal(hec_endpoint_splunk_sign(raw, guide, 1), HEC_SPLUNK_PATH);
    assert_int_equal(hec_endpoint_splunk_sign("http://lb:4318/v1/traces", guide, 1),
                     HEC_SPLUNK_AUTHORIZATION);
    assert_int_equal(hec_endpoint_splunk_sign("http://cribl-stream:4318", bearer, 1),
                     HEC_NOT_SPLUNK);
    assert_int_equal(hec_endpoint_splunk_sign("http://collector:4318/v1/traces", NULL, 0),
                     HEC_NOT_SPLUNK);

    clear_env();
    struct http_header extra[] = {
        {"authorization", "splunk  tok-2"},
        {"X-Splunk-Request-Channel", "0f8e6c1a-1111-4222-8333-944455556666"},
        {"X-Trace", "yes"}};
    struct hec_config c;
    genops_error err;
    assert_int_equal(hec_config_from_endpoint(raw, extra, COUNT(extra), NULL, &c, &err), GENOPS_OK);
    assert_true(c.raw);
    assert_string_equal(c.token, "tok-2");
    assert_string_equal(c.channel, "0f8e6c1a-1111-4222-8333-944455556666");
    assert_int_equal(c.header_count, 3);
    assert_string_equal(c.headers[2].name, "X-Trace");
    hec_config_free(&c);
    assert_int_equal(hec_config_from_endpoint(raw, guide, COUNT(guide), NULL, &c, &err), GENOPS_OK);
    assert_true(hec_channel_valid(c.channel)); /* the empty header: a channel of our own */
    hec_config_free(&c);

    /* The guide's Advanced Configuration: "channel-1" maps to a GUID derived from it. */
    struct http_header named[] = {{"Authorization", "Splunk tok-3"},
                                  {"X-Splunk-Request-Channel", "channel-1"}};
    char first[HEC_CHANNEL_LEN + 1], other[HEC_CHANNEL_LEN + 1];
    assert_int_equal(hec_config_from_endpoint(raw, named, COUNT(named), NULL, &c, &err), GENOPS_OK);
    assert_true(hec_channel_valid(c.channel));
    assert_int_equal(c.channel[14], '8');
    assert_true(c.channel_given);
    memcpy(first, c.channel, sizeof first);
    hec_config_free(&c);
    assert_int_equal(hec_config_from_endpoint(raw, named, COUNT(named), NULL, &c, &err), GENOPS_OK);
    assert_string_equal(c.channel, first); /* stable: the same name, the same GUID */
    hec_config_free(&c);
    hec_channel_from_name("channel-2", other);
    assert_string_not_equal(other, first);

    genops_exporter *e = hec_exporter_from_endpoint(raw, guide, COUNT(guide), NULL, &err);
    assert_non_null(e);
    genops_hec_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_hec_exporter_stats(e, &st, &err), GENOPS_OK);
    assert_int_equal(st.requests, 0);
    genops_exporter_free(e);
    assert_null(hec_exporter_from_endpoint(raw, bearer, 1, NULL, &err));
    assert_non_null(strstr(err.message, "SPLUNK_HEC_TOKEN not set"));
}

/* The one public place that may choose HEC for OTLP options, and what it says it built. */
static void test_exporter_for_endpoint_names_its_choice(void **state)
{
    (void)state;
    clear_env();
    genops_attribute splunk[] = {
        {"Authorization", {.type = GENOPS_TYPE_STRING, .len = 21, .u.s = "Splunk your-hec-token"}}};
    genops_otlp_options o;
    genops_otlp_options_init(&o);
    genops_error err;
    o.endpoint = "https://splunk.example.com:8088/services/collector/raw";
    assert_null(genops_exporter_for_endpoint(&o, &err)); /* no token: HEC's own error */
    assert_non_null(strstr(err.message, "SPLUNK_HEC_TOKEN not set"));
    o.headers = splunk;
    o.header_count = 1;
    genops_exporter *e = genops_exporter_for_endpoint(&o, &err);
    assert_non_null(e);
    assert_string_equal(genops_exporter_description(e),
                        "splunk-hec (chosen for an OTLP endpoint at /services/collector/raw)");
    genops_hec_stats st = {.struct_size = sizeof st};
    assert_int_equal(genops_hec_exporter_stats(e, &st, &err), GENOPS_OK); /* really HEC */
    genops_exporter_free(e);

    o.endpoint = "http://lb:4318";
    assert_non_null(e = genops_exporter_for_endpoint(&o, &err));
    assert_non_null(strstr(genops_exporter_description(e), "\"Authorization: Splunk\" header"));
    genops_exporter_free(e);
    /* genops_otlp_exporter_new itself never switches. */
    assert_non_null(e = genops_otlp_exporter_new(&o, &err));
    assert_string_equal(genops_exporter_description(e), "otlp");
    assert_int_equal(genops_hec_exporter_stats(e, &st, &err), GENOPS_EINVAL);
    genops_exporter_free(e);

    /* OTLP/gRPC was asked for explicitly, and HEC has no gRPC form: no switch. */
    o.protocol = GENOPS_OTLP_PROTOCOL_GRPC;
    o.endpoint = "https://splunk.example.com:8088/services/collector/raw";
    assert_non_null(e = genops_exporter_for_endpoint(&o, &err));
    assert_string_equal(genops_exporter_description(e), "otlp-grpc");
    genops_exporter_free(e);
    o.protocol = GENOPS_OTLP_PROTOCOL_DEFAULT;

    o.endpoint = "http://collector:4318";
    o.header_count = 0;
    assert_non_null(e = genops_exporter_for_endpoint(&o, &err));
    assert_string_equal(genops_exporter_description(e), "otlp");
    genops_exporter_free(e);
    assert_string_equal(genops_exporter_description(NULL), "");
}

static void test_stats_refuse_other_exporters(void **state)
{
    (void)state;
    genops_exporter *m = genops_memory_exporter_new(NULL);
    genops_hec_stats st = {.struct_size = sizeof st};
    genops_error err;
    assert_int_equal(genops_hec_exporter_stats(m, &st, &err), GENOPS_EINVAL);
    assert_int_equal(genops_hec_exporter_stats(NULL, &st, &err), GENOPS_EINVAL);
    genops_exporter_free(m);
}

static void test_replies_are_read(void **state)
{
    (void)state;
    struct hec_reply r;
    const char *ok = "{\"text\":\"Success\",\"code\":0,\"ackId\":7}";
    hec_reply_parse(ok, strlen(ok), &r);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.ack_id, 7);
    assert_int_equal(r.invalid_event, -1);
    assert_string_equal(r.text, "Success");
    const char *bad = "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":3}";
    hec_reply_parse(bad, strlen(bad), &r);
    assert_int_equal(hec_classify(400, &r), HEC_INVALID_EVENT);
    assert_int_equal(r.invalid_event, 3);
    hec_reply_parse("<html>busy</html>", 17, &r);
    assert_int_equal(r.code, -1);
    assert_int_equal(hec_classify(503, &r), HEC_RETRY);
    hec_reply_parse(NULL, 0, &r);
    assert_int_equal(hec_classify(413, &r), HEC_TOO_LARGE);
    assert_int_equal(hec_classify(403, &r), HEC_AUTH);
    assert_int_equal(hec_classify(404, &r), HEC_REJECTED);
    assert_int_equal(hec_classify(204, &r), HEC_DELIVERED);
}

static void test_every_code_has_a_verdict(void **state)
{
    (void)state;
    /* status, code, verdict: Splunk's table, "Troubleshoot HTTP Event Collector". */
    static const int table[][3] = {
        {403, 1, HEC_AUTH},      {401, 2, HEC_AUTH},      {401, 3, HEC_AUTH},
        {403, 4, HEC_AUTH},      {400, 5, HEC_REJECTED},  {400, 6, HEC_REJECTED},
        {400, 7, HEC_INDEX},     {500, 8, HEC_RETRY},     {503, 9, HEC_RETRY},
        {400, 10, HEC_REJECTED}, {400, 11, HEC_REJECTED}, {400, 12, HEC_REJECTED},
        {400, 13, HEC_REJECTED}, {400, 14, HEC_REJECTED}, {400, 15, HEC_REJECTED},
        {400, 16, HEC_REJECTED}, {503, 18, HEC_RETRY},    {503, 19, HEC_RETRY},
        {503, 20, HEC_RETRY},    {400, 21, HEC_AUTH},     {400, 22, HEC_AUTH},
        {503, 23, HEC_RETRY},    {429, 26, HEC_RETRY},    {429, 27, HEC_RETRY},
    };
    for (size_t i = 0; i < COUNT(table); i++) {
        struct hec_reply r = {.code = table[i][1], .ack_id = -1, .invalid_event = -1};
        if ((int)hec_classify(table[i][0], &r) != table[i][2])
            fail_msg("code %d: verdict %d, not %d", table[i][1], hec_classify(table[i][0], &r),
                     table[i][2]);
        assert_true(*hec_code_text(table[i][1]));
    }
    assert_string_equal(hec_code_text(99), "");
}

static void test_ack_answers(void **state)
{
    (void)state;
    const char *body = "{\"acks\":{\"0\":true,\"1\":false,\"12\":true}}";
    int64_t ids[] = {0, 1, 12, 5};
    bool acked[4];
    assert_true(hec_ack_parse(body, strlen(body), ids, 4, acked));
    assert_true(acked[0]);
    assert_false(acked[1]);
    assert_true(acked[2]);
    assert_false(acked[3]);
    assert_false(hec_ack_parse("{\"text\":\"ACK is disabled\",\"code\":14}", 36, ids, 4, acked));
    assert_false(acked[0]);
    assert_false(hec_ack_parse("{\"acks\":[0]", 11, ids, 1, acked));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_forms),
        cmocka_unit_test(test_bad_endpoints_name_their_problem),
        cmocka_unit_test(test_environment_and_defaults),
        cmocka_unit_test(test_index_names),
        cmocka_unit_test(test_channels_are_fresh_version_4_guids),
        cmocka_unit_test(test_splunk_endpoints_are_recognised_and_built),
        cmocka_unit_test(test_exporter_for_endpoint_names_its_choice),
        cmocka_unit_test(test_stats_refuse_other_exporters),
        cmocka_unit_test(test_replies_are_read),
        cmocka_unit_test(test_every_code_has_a_verdict),
        cmocka_unit_test(test_ack_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
