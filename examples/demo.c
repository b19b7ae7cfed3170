/* demo.c - records a few AI operations through the native core (cost, policy, budget,
 * evaluation, a failure) and prints them with the console exporter. */
#include <stdio.h>
#include <string.h>

#include "genops.h"

#define STR(k, v) {k, {.type = GENOPS_TYPE_STRING, .len = sizeof(v) - 1, .u.s = v}}
#define INT(k, v) {k, {.type = GENOPS_TYPE_INT, .u.i = v}}
#define DBL(k, v) {k, {.type = GENOPS_TYPE_DOUBLE, .u.d = v}}
#define BOOL(k, v) {k, {.type = GENOPS_TYPE_BOOL, .u.b = v}}
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int check(genops_status rc, const genops_error *err)
{
    if (rc != GENOPS_OK)
        fprintf(stderr, "demo: %s\n", err->message);
    return rc == GENOPS_OK;
}

int main(void)
{
    genops_error err;
    genops_options opt;
    genops_options_init(&opt);
    opt.service_name = "genops-demo";
    opt.environment = "demo";
    genops_pipeline *p = genops_pipeline_new(&opt, &err);
    if (!p) {
        fprintf(stderr, "demo: %s\n", err.message);
        return 1;
    }
    if (!check(genops_pipeline_add_exporter(p, genops_console_exporter_new(1, &err), &err),
               &err))
        return 1;

    /* genops.set_default_attributes(team=..., project=..., environment=...) */
    genops_attribute defaults[] = {STR("team", "ml-platform"), STR("project", "assistant"),
                                   STR("environment", "production")};
    genops_defaults_set(defaults, N(defaults), &err);

    /* with track_enhanced("chat.completion", customer_id=..., feature=...) as span: */
    genops_attribute own[] = {STR("customer_id", "acme-corp"), STR("feature", "support-chat")};
    genops_span chat = genops_operation_start(p, "chat.completion", NULL, NULL, NULL, own,
                                              N(own), &err);
    genops_attribute cost[] = {DBL("cost", 0.0234), STR("provider", "openai"),
                               STR("model", "gpt-4o"), INT("tokens_input", 812),
                               INT("tokens_output", 311)};
    check(genops_span_record_cost(chat, cost, N(cost), &err), &err);
    genops_attribute policy[] = {STR("policy_name", "pii-filter"), STR("result", "allowed"),
                                 STR("reason", "no personal data found")};
    check(genops_span_record_policy(chat, policy, N(policy), &err), &err);
    genops_attribute budget[] = {STR("budget_name", "acme-monthly"), DBL("budget_limit", 500.0),
                                 DBL("budget_used", 45.67)};
    check(genops_span_record_budget(chat, budget, N(budget), &err), &err);
    genops_attribute eval[] = {STR("evaluation_name", "answer-relevance"), DBL("score", 0.92),
                               DBL("threshold", 0.8), BOOL("passed", true)};
    check(genops_span_record_evaluation(chat, eval, N(eval), &err), &err);
    genops_span_set_status(chat, GENOPS_STATUS_OK, NULL, &err);
    genops_span_end(chat, &err);

    /* An operation that fails: status ERROR and an exception event. */
    genops_span fail = genops_operation_start(p, "embedding.batch", "ai.embedding", NULL, NULL,
                                              NULL, 0, &err);
    genops_attribute blocked[] = {STR("policy_name", "content-safety"),
                                  STR("policy_result", "blocked"),
                                  STR("policy_reason", "prompt injection detected")};
    genops_span_record_policy(fail, blocked, N(blocked), &err);
    genops_span_record_exception(fail, "PolicyViolation", "blocked by content-safety", NULL,
                                 &err);
    genops_span_set_status(fail, GENOPS_STATUS_ERROR, "blocked by content-safety", &err);
    genops_span_end(fail, &err);

    if (!check(genops_pipeline_flush(p, 5000, &err), &err))
        return 1;
    genops_stats st = {.struct_size = sizeof st};
    genops_pipeline_stats(p, &st, &err);
    printf("\n%llu spans started, %llu ended, %llu exported, %llu dropped\n",
           (unsigned long long)st.spans_started, (unsigned long long)st.spans_ended,
           (unsigned long long)st.spans_exported,
           (unsigned long long)(st.dropped_queue_full + st.dropped_buffer_full +
                                st.dropped_shutdown + st.dropped_export_failed +
                                st.dropped_rejected));
    genops_pipeline_free(p);
    genops_defaults_clear();
    return 0;
}
