/* demo.c - records AI operations through the native core: cost, policy, budget and
 * evaluation for a few teams, customers and models, plus one blocked request.
 *
 *   genops_demo            print every span with the console exporter
 *   genops_demo --otlp     send them with the OTLP exporter, configured by the
 *                          OTEL_EXPORTER_OTLP_* environment (examples/run_demo.py
 *                          points it at a local receiver and shows what arrived)
 */
#include <stdio.h>
#include <string.h>

#include "genops.h"

/* One line per attribute-list macro (clang-format would spread each over eight). */
// clang-format off
#define STR(k, v) {k, {.type = GENOPS_TYPE_STRING, .len = strlen(v), .u.s = v}}
#define INT(k, v) {k, {.type = GENOPS_TYPE_INT, .u.i = v}}
#define DBL(k, v) {k, {.type = GENOPS_TYPE_DOUBLE, .u.d = v}}
#define BOOL(k, v) {k, {.type = GENOPS_TYPE_BOOL, .u.b = v}}
// clang-format on
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct call {
    const char *team, *customer, *feature, *provider, *model;
    int64_t tokens_in, tokens_out;
    double price_in, price_out; /* per 1,000 tokens */
    double relevance;
};

static const struct call calls[] = {
    {"ml-platform", "acme-corp", "support-chat", "openai", "gpt-4o", 812, 311, 0.0025, 0.01, 0.92},
    {"ml-platform", "globex", "support-chat", "openai", "gpt-4o", 1204, 530, 0.0025, 0.01, 0.88},
    {"search", "acme-corp", "semantic-search", "anthropic", "claude-3-5-sonnet", 2210, 95, 0.003,
     0.015, 0.81},
    {"search", "initech", "semantic-search", "anthropic", "claude-3-5-sonnet", 1830, 120, 0.003,
     0.015, 0.74},
    {"content", "globex", "summaries", "google", "gemini-1.5-pro", 5120, 740, 0.00125, 0.005, 0.95},
    {"content", "initech", "summaries", "openai", "gpt-4o-mini", 3900, 610, 0.00015, 0.0006, 0.69},
};

static void report(const char *what, genops_status rc, const genops_error *err)
{
    if (rc != GENOPS_OK)
        fprintf(stderr, "demo: %s: %s\n", what, err->message);
}

static void record_call(genops_pipeline *p, const struct call *c)
{
    genops_error err;
    /* with track_enhanced("chat.completion", team=..., customer_id=..., feature=...): */
    genops_attribute own[] = {STR("team", c->team), STR("customer_id", c->customer),
                              STR("feature", c->feature)};
    genops_span s =
        genops_operation_start(p, "chat.completion", NULL, NULL, NULL, own, N(own), &err);
    double cost = c->tokens_in / 1000.0 * c->price_in + c->tokens_out / 1000.0 * c->price_out;
    genops_attribute kv[] = {DBL("cost", cost), STR("provider", c->provider),
                             STR("model", c->model), INT("tokens_input", c->tokens_in),
                             INT("tokens_output", c->tokens_out)};
    report("record_cost", genops_span_record_cost(s, kv, N(kv), &err), &err);
    genops_attribute policy[] = {STR("policy_name", "pii-filter"), STR("result", "allowed"),
                                 STR("reason", "no personal data found")};
    report("record_policy", genops_span_record_policy(s, policy, N(policy), &err), &err);
    genops_attribute eval[] = {STR("evaluation_name", "answer-relevance"),
                               DBL("score", c->relevance), DBL("threshold", 0.75),
                               BOOL("passed", c->relevance >= 0.75)};
    report("record_evaluation", genops_span_record_evaluation(s, eval, N(eval), &err), &err);
    genops_attribute budget[] = {STR("budget_name", "monthly-ai"), DBL("budget_limit", 500.0),
                                 DBL("budget_used", 45.67 + cost)};
    report("record_budget", genops_span_record_budget(s, budget, N(budget), &err), &err);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_OK, NULL, &err);
    genops_span_end(s, &err);
}

static void record_blocked(genops_pipeline *p)
{
    genops_error err;
    genops_attribute own[] = {STR("team", "search"), STR("customer_id", "initech")};
    genops_span s =
        genops_operation_start(p, "chat.completion", NULL, NULL, NULL, own, N(own), &err);
    genops_attribute blocked[] = {STR("policy_name", "content-safety"),
                                  STR("policy_result", "blocked"),
                                  STR("policy_reason", "prompt injection detected")};
    report("record_policy", genops_span_record_policy(s, blocked, N(blocked), &err), &err);
    genops_span_record_exception(s, "PolicyViolation", "blocked by content-safety", NULL, &err);
    genops_span_set_status(s, GENOPS_SPAN_STATUS_ERROR, "blocked by content-safety", &err);
    genops_span_end(s, &err);
}

int main(int argc, char **argv)
{
    bool otlp = argc > 1 && strcmp(argv[1], "--otlp") == 0;
    genops_error err;
    genops_pipeline_options opt;
    genops_pipeline_options_init(&opt);
    opt.service_name = "genops-demo";
    opt.environment = "demo";
    genops_pipeline *p = genops_pipeline_new(&opt, &err);
    genops_exporter *e = !p     ? NULL
                         : otlp ? genops_otlp_exporter_new(NULL, &err)
                                : genops_console_exporter_new(1, &err);
    if (!p || !e || genops_pipeline_add_exporter(p, e, &err) != GENOPS_OK) {
        fprintf(stderr, "demo: %s\n", err.message);
        return 1;
    }

    /* genops.set_default_attributes(project=..., environment=...) */
    genops_attribute defaults[] = {STR("project", "assistant"), STR("environment", "production")};
    report("defaults", genops_defaults_set(defaults, N(defaults), &err), &err);
    for (size_t i = 0; i < N(calls); i++)
        record_call(p, &calls[i]);
    record_blocked(p);

    genops_status rc = genops_pipeline_flush(p, 10000, &err);
    report("flush", rc, &err);
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, &err);
    printf("%sgenops-native %s: %llu spans started, %llu exported, %llu dropped, %llu bytes "
           "sent in %llu batch(es)\n",
           otlp ? "" : "\n", genops_version(), (unsigned long long)st.spans_started,
           (unsigned long long)st.spans_exported,
           (unsigned long long)(st.dropped_queue_full + st.dropped_buffer_full +
                                st.dropped_shutdown + st.dropped_export_failed +
                                st.dropped_rejected + st.dropped_no_exporter),
           (unsigned long long)st.bytes_sent, (unsigned long long)st.batches);
    genops_pipeline_free(p);
    genops_defaults_clear();
    return rc == GENOPS_OK ? 0 : 1;
}
