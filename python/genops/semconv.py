"""The genops.* attribute names (generated from core/src/semconv.def by
tools/gen_semconv.py; do not edit: change semconv.def and regenerate).

Names ending in _PREFIX are families: the prefix followed by a key.
"""

from __future__ import annotations

#: Every effective attribute k of an operation (defaults, overridden by context, overridden by the
#: call) as genops.k, e.g. genops.team, genops.project, genops.customer_id, genops.feature,
#: genops.environment.
PREFIX = "genops."
#: The operation name; also the span name.
OPERATION_NAME = "genops.operation.name"
#: The operation type; default "ai.inference".
OPERATION_TYPE = "genops.operation.type"
#: When the operation started, in whole seconds since the epoch.
TIMESTAMP = "genops.timestamp"
#: The data_classification argument (GenOps' guides pass it), as any argument k becomes genops.k;
#: derived as genops.data.classification.
DATA_CLASSIFICATION_ARG = "genops.data_classification"
#: The cost (argument cost, or total_cost as GenOps' guides pass it).
COST_TOTAL = "genops.cost.total"
#: The currency; default "USD".
COST_CURRENCY = "genops.cost.currency"
#: The AI provider; only when non-empty.
COST_PROVIDER = "genops.cost.provider"
#: The model; only when non-empty.
COST_MODEL = "genops.cost.model"
#: From the cost_type argument.
COST_TYPE = "genops.cost.type"
#: Any other record_cost argument k as genops.cost.k.
COST_PREFIX = "genops.cost."
#: Input tokens (tokens_input, alias input_tokens).
TOKENS_INPUT = "genops.tokens.input"
#: Output tokens (tokens_output, alias output_tokens).
TOKENS_OUTPUT = "genops.tokens.output"
#: Total tokens (tokens_total), else input + output when both are given (omitted when that sum is not a
#: finite number).
TOKENS_TOTAL = "genops.tokens.total"
#: The policy evaluated (policy_name).
POLICY_NAME = "genops.policy.name"
#: The decision (policy_result, alias result), e.g. allowed, blocked, warning.
POLICY_RESULT = "genops.policy.result"
#: Why (policy_reason, alias reason).
POLICY_REASON = "genops.policy.reason"
#: Each key k of the metadata map as genops.policy.metadata.k.
POLICY_METADATA_PREFIX = "genops.policy.metadata."
#: Any other record_policy argument k as genops.policy.k.
POLICY_PREFIX = "genops.policy."
#: The budget (budget_name).
BUDGET_NAME = "genops.budget.name"
#: The limit (budget_limit, alias allocated).
BUDGET_ALLOCATED = "genops.budget.allocated"
#: Spent so far (budget_used, alias consumed).
BUDGET_CONSUMED = "genops.budget.consumed"
#: budget_remaining (alias remaining), else limit - used when both are known (omitted when that
#: difference is not a finite number).
BUDGET_REMAINING = "genops.budget.remaining"
#: used / limit x 100, when limit > 0 and the quotient is a finite number (limit 1e-320, used 1e308:
#: omitted, never Infinity).
BUDGET_UTILIZATION_PERCENT = "genops.budget.utilization_percent"
#: The fraction of the limit crossed (0.8 = 80 %).
BUDGET_THRESHOLD = "genops.budget.threshold"
#: The budget's period (daily, weekly, monthly, total).
BUDGET_PERIOD = "genops.budget.period"
#: The period's first second (Unix time; 0 for total).
BUDGET_PERIOD_START = "genops.budget.period_start"
#: Block, warn or record.
BUDGET_ENFORCEMENT = "genops.budget.enforcement"
#: The budget's currency.
BUDGET_CURRENCY = "genops.budget.currency"
#: Always "threshold_crossed".
BUDGET_EVENT = "genops.budget.event"
#: Any other record_budget argument k as genops.budget.k.
BUDGET_PREFIX = "genops.budget."
#: The metric (evaluation_name, alias metric_name).
EVAL_METRIC = "genops.eval.metric"
#: The score; default 0.0.
EVAL_SCORE = "genops.eval.score"
#: The pass threshold, when given.
EVAL_THRESHOLD = "genops.eval.threshold"
#: Whether it passed, when given.
EVAL_PASSED = "genops.eval.passed"
#: Who or what evaluated, when given.
EVAL_EVALUATOR = "genops.eval.evaluator"
#: Each key k of the metadata map as genops.eval.metadata.k.
EVAL_METADATA_PREFIX = "genops.eval.metadata."
#: Any other record_evaluation argument k as genops.eval.k.
EVAL_PREFIX = "genops.eval."
#: The budget limit (record_budget's budget_limit), as both guides name it: Splunk's
#: max(genops.budget.limit), Honeycomb's genops.budget.consumed / genops.budget.limit.
BUDGET_LIMIT = "genops.budget.limit"
#: Spent so far (budget_used): Splunk's max(genops.budget.used).
BUDGET_USED = "genops.budget.used"
#: used / limit x 100, a percentage (the Splunk guide's SPL compares it with 80 and 90 and prints it
#: with a % sign).
BUDGET_UTILIZATION = "genops.budget.utilization"
#: used / limit x 100, a percentage (Honeycomb's budget_utilization_pct).
BUDGET_UTILIZATION_PCT = "genops.budget.utilization_pct"
#: The budget (budget_name): Honeycomb's GROUP BY genops.budget.id.
BUDGET_ID = "genops.budget.id"
#: Input token cost, when record_cost is given input_cost.
COST_INPUT = "genops.cost.input"
#: Output token cost, when record_cost is given output_cost.
COST_OUTPUT = "genops.cost.output"
#: The data_classification argument of track / track_enhanced (recorded as genops.data_classification):
#: GROUP BY genops.data.classification.
DATA_CLASSIFICATION = "genops.data.classification"
#: true on a span with an evaluation: Honeycomb's WHERE genops.eval.performed = true.
EVAL_PERFORMED = "genops.eval.performed"
#: genops.eval.m = the score of the evaluation whose metric is m: Splunk's avg(genops.eval.quality),
#: Honeycomb's genops.eval.safety / accuracy / compliance / privacy.
EVAL_BY_METRIC = "genops.eval."
#: The operation's duration in milliseconds, on operation spans: Splunk's
#: p95(genops.operation.duration_ms).
OPERATION_DURATION_MS = "genops.operation.duration_ms"
#: The span's duration in milliseconds: Honeycomb's P95(duration_ms). The Splunk HEC body has its own
#: duration_ms member (the same value).
DURATION_MS = "duration_ms"
#: success, error or timeout: Honeycomb's status. The Splunk HEC body keeps its own status member
#: (UNSET / OK / ERROR) instead.
STATUS = "status"
#: On a span sampled by a ratio below 1 (OTEL_TRACES_SAMPLER=traceidratio, init(sampling_rate=...)):
#: round(1 / ratio), the number of spans it stands for. Honeycomb reads it over OTLP, and the Events
#: API exporter sends it as the event's samplerate; elsewhere multiply by it to re-weight counts and
#: sums (docs/sampling.md).
SAMPLE_RATE = "SampleRate"
#: true on the one test event genops_hec_validate sends (whose name is genops.validation too), so
#: searches can leave it out with NOT genops.validation=true; no span carries it.
VALIDATION = "genops.validation"

#: Every fixed attribute name, with its type.
ATTRIBUTE_TYPES: dict[str, str] = {
    OPERATION_NAME: "string",
    OPERATION_TYPE: "string",
    TIMESTAMP: "int",
    DATA_CLASSIFICATION_ARG: "string",
    COST_TOTAL: "double",
    COST_CURRENCY: "string",
    COST_PROVIDER: "string",
    COST_MODEL: "string",
    COST_TYPE: "string",
    TOKENS_INPUT: "int",
    TOKENS_OUTPUT: "int",
    TOKENS_TOTAL: "int",
    POLICY_NAME: "string",
    POLICY_RESULT: "string",
    POLICY_REASON: "string",
    BUDGET_NAME: "string",
    BUDGET_ALLOCATED: "double",
    BUDGET_CONSUMED: "double",
    BUDGET_REMAINING: "double",
    BUDGET_UTILIZATION_PERCENT: "double",
    BUDGET_THRESHOLD: "double",
    BUDGET_PERIOD: "string",
    BUDGET_PERIOD_START: "int",
    BUDGET_ENFORCEMENT: "string",
    BUDGET_CURRENCY: "string",
    BUDGET_EVENT: "string",
    EVAL_METRIC: "string",
    EVAL_SCORE: "double",
    EVAL_THRESHOLD: "double",
    EVAL_PASSED: "bool",
    EVAL_EVALUATOR: "string",
    BUDGET_LIMIT: "double",
    BUDGET_USED: "double",
    BUDGET_UTILIZATION: "double",
    BUDGET_UTILIZATION_PCT: "double",
    BUDGET_ID: "string",
    COST_INPUT: "double",
    COST_OUTPUT: "double",
    DATA_CLASSIFICATION: "string",
    EVAL_PERFORMED: "bool",
    OPERATION_DURATION_MS: "double",
    DURATION_MS: "double",
    STATUS: "string",
    SAMPLE_RATE: "int",
    VALIDATION: "bool",
}

#: Every prefix of a family of names (each once).
PREFIXES: tuple[str, ...] = (
    PREFIX,
    COST_PREFIX,
    POLICY_METADATA_PREFIX,
    POLICY_PREFIX,
    BUDGET_PREFIX,
    EVAL_METADATA_PREFIX,
    EVAL_PREFIX,
)

#: The names of each group of docs/semantic-conventions.md (no recorder writes the
#: "derived" names, which every exporter adds, and the "splunk_validation" one).
GROUPS: dict[str, tuple[str, ...]] = {
    "operation": (
        PREFIX,
        OPERATION_NAME,
        OPERATION_TYPE,
        TIMESTAMP,
        DATA_CLASSIFICATION_ARG,
    ),
    "cost": (
        COST_TOTAL,
        COST_CURRENCY,
        COST_PROVIDER,
        COST_MODEL,
        COST_TYPE,
        COST_PREFIX,
        TOKENS_INPUT,
        TOKENS_OUTPUT,
        TOKENS_TOTAL,
    ),
    "policy": (
        POLICY_NAME,
        POLICY_RESULT,
        POLICY_REASON,
        POLICY_METADATA_PREFIX,
        POLICY_PREFIX,
    ),
    "budget": (
        BUDGET_NAME,
        BUDGET_ALLOCATED,
        BUDGET_CONSUMED,
        BUDGET_REMAINING,
        BUDGET_UTILIZATION_PERCENT,
        BUDGET_PREFIX,
    ),
    "budget_threshold": (
        BUDGET_THRESHOLD,
        BUDGET_PERIOD,
        BUDGET_PERIOD_START,
        BUDGET_ENFORCEMENT,
        BUDGET_CURRENCY,
        BUDGET_EVENT,
    ),
    "evaluation": (
        EVAL_METRIC,
        EVAL_SCORE,
        EVAL_THRESHOLD,
        EVAL_PASSED,
        EVAL_EVALUATOR,
        EVAL_METADATA_PREFIX,
        EVAL_PREFIX,
    ),
    "derived": (
        BUDGET_LIMIT,
        BUDGET_USED,
        BUDGET_UTILIZATION,
        BUDGET_UTILIZATION_PCT,
        BUDGET_ID,
        COST_INPUT,
        COST_OUTPUT,
        DATA_CLASSIFICATION,
        EVAL_PERFORMED,
        EVAL_BY_METRIC,
        OPERATION_DURATION_MS,
        DURATION_MS,
        STATUS,
    ),
    "sampling": (SAMPLE_RATE,),
    "splunk_validation": (VALIDATION,),
}

__all__ = [
    "ATTRIBUTE_TYPES",
    "BUDGET_ALLOCATED",
    "BUDGET_CONSUMED",
    "BUDGET_CURRENCY",
    "BUDGET_ENFORCEMENT",
    "BUDGET_EVENT",
    "BUDGET_ID",
    "BUDGET_LIMIT",
    "BUDGET_NAME",
    "BUDGET_PERIOD",
    "BUDGET_PERIOD_START",
    "BUDGET_PREFIX",
    "BUDGET_REMAINING",
    "BUDGET_THRESHOLD",
    "BUDGET_USED",
    "BUDGET_UTILIZATION",
    "BUDGET_UTILIZATION_PCT",
    "BUDGET_UTILIZATION_PERCENT",
    "COST_CURRENCY",
    "COST_INPUT",
    "COST_MODEL",
    "COST_OUTPUT",
    "COST_PREFIX",
    "COST_PROVIDER",
    "COST_TOTAL",
    "COST_TYPE",
    "DATA_CLASSIFICATION",
    "DATA_CLASSIFICATION_ARG",
    "DURATION_MS",
    "EVAL_BY_METRIC",
    "EVAL_EVALUATOR",
    "EVAL_METADATA_PREFIX",
    "EVAL_METRIC",
    "EVAL_PASSED",
    "EVAL_PERFORMED",
    "EVAL_PREFIX",
    "EVAL_SCORE",
    "EVAL_THRESHOLD",
    "GROUPS",
    "OPERATION_DURATION_MS",
    "OPERATION_NAME",
    "OPERATION_TYPE",
    "POLICY_METADATA_PREFIX",
    "POLICY_NAME",
    "POLICY_PREFIX",
    "POLICY_REASON",
    "POLICY_RESULT",
    "PREFIX",
    "PREFIXES",
    "SAMPLE_RATE",
    "STATUS",
    "TIMESTAMP",
    "TOKENS_INPUT",
    "TOKENS_OUTPUT",
    "TOKENS_TOTAL",
    "VALIDATION",
]
