"""The Honeycomb guide's queries, derived columns, triggers and SLOs as Honeycomb API
JSON, from the one table below (genops dashboards honeycomb).

JSON shapes, as Honeycomb documents them:
- Query Specification (https://docs.honeycomb.io/reference/query-specification):
  breakdowns [column], calculations [{op, column}] (COUNT needs no column), filters
  [{column, op, value}], orders [{op, column, order}] naming a breakdown or calculation,
  limit, time_range (seconds), granularity (seconds).
- Calculated fields, formerly derived columns (https://api-docs.honeycomb.io, "Calculated
  Fields"; formula reference https://docs.honeycomb.io/reference/calculated-field-formula):
  POST /1/derived_columns/{dataset} with {alias, expression, description}; fields are
  $name in an expression and the alias (no $) in a query.
- Triggers (https://api-docs.honeycomb.io/api/triggers): POST /1/triggers/{dataset} with
  {name, description, query, frequency (seconds), threshold {op, value}, alert_type}.
- SLOs (https://api-docs.honeycomb.io, "SLOs"): POST /1/slos/{dataset} with {name,
  description, sli {alias of a boolean calculated field}, time_period_days,
  target_per_million}.

Where the guide computes inside a calculation (AVG(a / b)) or compares two columns
(consumed > limit), which a Query Specification cannot say, the query uses the guide's own
derived column for it; the guide's DATE_TRUNC("day"/"hour") is the query's granularity.
Recipients (Slack, PagerDuty, e-mail) are the team's own and are left out of triggers.
The SLIs and cost_bucket are null on spans without the field they test (IF with no else
value is null: https://docs.honeycomb.io/reference/calculated-field-formula/conditional),
so a span without a policy, budget or cost neither meets nor misses those objectives;
the guide's nested CASE is IF's multi-condition form.
"""

from __future__ import annotations

from typing import Any

from .. import semconv as sc

HOUR = 3600
DAY = 86400


def _calc(op: str, column: str | None = None) -> dict[str, Any]:
    return {"op": op} if column is None else {"op": op, "column": column}


def _where(column: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"column": column, "op": op} if value is None else {"column": column, "op": op, "value": value}


def _desc(op: str, column: str | None = None) -> dict[str, Any]:
    return {**_calc(op, column), "order": "descending"}


#: The guide's derived columns: (alias, expression, description).
DERIVED_COLUMNS: list[tuple[str, str, str]] = [
    ("cost_per_token", f"DIV(${sc.COST_TOTAL}, ${sc.TOKENS_TOTAL})", "Cost per token"),
    (
        "budget_utilization_pct",
        f"MUL(DIV(${sc.BUDGET_CONSUMED}, ${sc.BUDGET_LIMIT}), 100)",
        "Budget utilization percentage",
    ),
    ("token_throughput", f"DIV(${sc.TOKENS_TOTAL}, DIV(${sc.DURATION_MS}, 1000))", "Tokens per second"),
    (
        "customer_tier_group",
        'IF(IN($genops.customer_tier, "enterprise", "business"), "paid", '
        'EQUALS($genops.customer_tier, "free"), "free", "unknown")',
        "Customer tier grouping",
    ),
    (
        "cost_bucket",
        f'IF(LT(${sc.COST_TOTAL}, 0.01), "micro", LT(${sc.COST_TOTAL}, 0.10), "small", '
        f'LT(${sc.COST_TOTAL}, 1.00), "medium", EXISTS(${sc.COST_TOTAL}), "large")',
        "Spend level",
    ),
    # The SLOs' SLIs (an SLO's SLI is a boolean calculated field).
    (
        "sli.policy_compliance",
        f'IF(EXISTS(${sc.POLICY_RESULT}), IN(${sc.POLICY_RESULT}, "allowed", "warning"))',
        "SLI: the operation was allowed by policy",
    ),
    (
        "sli.budget_adherence",
        f"IF(EXISTS(${sc.BUDGET_LIMIT}), LTE(${sc.BUDGET_CONSUMED}, ${sc.BUDGET_LIMIT}))",
        "SLI: within budget",
    ),
    (
        "sli.cost_efficiency",
        f"IF(EXISTS(${sc.COST_TOTAL}), LT(${sc.COST_TOTAL}, 0.10))",
        "SLI: the operation cost less than $0.10",
    ),
    ("sli.performance", f"LT(${sc.DURATION_MS}, 2000)", "SLI: the operation took less than 2 s"),
]

#: The guide's Query Examples: (name, Query Specification).
QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        "Total Cost by Provider",
        {
            "breakdowns": [sc.COST_PROVIDER],
            "calculations": [_calc("SUM", sc.COST_TOTAL)],
            "orders": [_desc("SUM", sc.COST_TOTAL)],
        },
    ),
    (
        "Cost by Customer (Top 20)",
        {
            "breakdowns": ["genops.customer_id"],
            "calculations": [_calc("SUM", sc.COST_TOTAL)],
            "orders": [_desc("SUM", sc.COST_TOTAL)],
            "limit": 20,
        },
    ),
    (
        "Daily Cost Trend",
        {"calculations": [_calc("SUM", sc.COST_TOTAL)], "time_range": 30 * DAY, "granularity": DAY},
    ),
    (
        "Cost by Model and Provider",
        {
            "breakdowns": [sc.COST_PROVIDER, sc.COST_MODEL],
            "calculations": [_calc("SUM", sc.COST_TOTAL), _calc("COUNT")],
            "orders": [_desc("SUM", sc.COST_TOTAL)],
        },
    ),
    ("Cost per Request (Average)", {"calculations": [_calc("AVG", sc.COST_TOTAL)]}),
    (
        "Multi-Dimensional Cost Breakdown",
        {
            "breakdowns": ["genops.team", "genops.project", "genops.environment"],
            "calculations": [_calc("SUM", sc.COST_TOTAL)],
            "orders": [_desc("SUM", sc.COST_TOTAL)],
        },
    ),
    (
        "Latency Percentiles by Model",
        {
            "breakdowns": [sc.COST_MODEL],
            "calculations": [_calc(p, sc.DURATION_MS) for p in ("P50", "P95", "P99")],
        },
    ),
    (
        "Slow Operations (>2 seconds)",
        {
            "breakdowns": ["genops.team", "genops.feature"],
            "calculations": [_calc("COUNT")],
            "filters": [_where(sc.DURATION_MS, ">", 2000)],
        },
    ),
    (
        "Correlation: Latency vs Token Count",
        {"calculations": [_calc("HEATMAP", sc.DURATION_MS), _calc("HEATMAP", sc.TOKENS_TOTAL)]},
    ),
    (
        "Token Throughput (tokens per second)",
        {"breakdowns": [sc.COST_MODEL], "calculations": [_calc("AVG", "token_throughput")]},
    ),
    (
        "Cost by Customer Tier",
        {
            "breakdowns": ["genops.customer_tier"],
            "calculations": [_calc("SUM", sc.COST_TOTAL), _calc("COUNT"), _calc("AVG", sc.COST_TOTAL)],
        },
    ),
    (
        "Feature Usage and Cost",
        {
            "breakdowns": ["genops.feature"],
            "calculations": [_calc("COUNT"), _calc("SUM", sc.COST_TOTAL), _calc("AVG", sc.COST_TOTAL)],
            "orders": [_desc("COUNT")],
        },
    ),
    (
        "User Segmentation",
        {
            "breakdowns": ["genops.user_segment"],
            "calculations": [_calc("SUM", sc.COST_TOTAL), _calc("COUNT")],
        },
    ),
    (
        "Experiment Analysis (A/B Testing)",
        {
            "breakdowns": ["genops.variant"],
            "calculations": [_calc("AVG", sc.COST_TOTAL), _calc("AVG", sc.DURATION_MS), _calc("COUNT")],
            "filters": [_where("genops.experiment_id", "=", "exp-v2-test")],
        },
    ),
    (
        "Policy Violations",
        {
            "breakdowns": [sc.POLICY_NAME],
            "calculations": [_calc("COUNT")],
            "filters": [_where(sc.POLICY_RESULT, "=", "blocked")],
        },
    ),
    (
        "Policy Evaluation Performance",
        {
            "breakdowns": [sc.POLICY_NAME],
            "calculations": [
                _calc("AVG", "genops.policy.response_time"),
                _calc("P95", "genops.policy.response_time"),
            ],
        },
    ),
    (
        "Data Classification Tracking",
        {
            "breakdowns": [sc.DATA_CLASSIFICATION],
            "calculations": [_calc("COUNT"), _calc("SUM", sc.COST_TOTAL)],
        },
    ),
    (
        "Compliance Score Distribution",
        {
            "calculations": [
                _calc("HEATMAP", "genops.eval.compliance"),
                _calc("HEATMAP", "genops.eval.safety"),
            ],
            "filters": [_where(sc.EVAL_PERFORMED, "=", True)],
        },
    ),
    (
        "Budget Utilization",
        {
            "breakdowns": [sc.BUDGET_ID],
            "calculations": [_calc("AVG", "budget_utilization_pct")],
            "filters": [_where(sc.BUDGET_ID, "exists")],
        },
    ),
    (
        "Budget Overruns",
        {
            "breakdowns": ["genops.team"],
            "calculations": [_calc("COUNT")],
            "filters": [_where("budget_utilization_pct", ">", 100)],
        },
    ),
    ("Remaining Budget", {"breakdowns": [sc.BUDGET_ID], "calculations": [_calc("MAX", sc.BUDGET_REMAINING)]}),
]

#: The guide's Budget Alert Examples: (name, Query Specification, frequency s, op, value).
TRIGGERS: list[tuple[str, dict[str, Any], int, str, float]] = [
    (
        "AI Engineering Daily Budget 90%",
        {
            "calculations": [_calc("MAX", "budget_utilization_pct")],
            "filters": [_where(sc.BUDGET_ID, "=", "team-ai-engineering-daily")],
            "time_range": 300,
        },
        300,
        ">=",
        90,
    ),
    ("Hourly Cost Spike", {"calculations": [_calc("SUM", sc.COST_TOTAL)], "time_range": HOUR}, 600, ">", 100),
    (
        "Policy Violations Elevated",
        {
            "calculations": [_calc("COUNT")],
            "filters": [_where(sc.POLICY_RESULT, "=", "blocked")],
            "time_range": HOUR,
        },
        900,
        ">",
        50,
    ),
    (
        "Acme Corp Hourly Cost Threshold",
        {
            "calculations": [_calc("SUM", sc.COST_TOTAL)],
            "filters": [_where("genops.customer_id", "=", "enterprise-acme")],
            "time_range": HOUR,
        },
        300,
        ">",
        50,
    ),
]

#: The guide's Governance SLO Examples: (name, SLI alias, target %, time window in days).
SLOS: list[tuple[str, str, float, int]] = [
    ("Policy Compliance SLO", "sli.policy_compliance", 99.9, 30),
    ("Budget Adherence SLO", "sli.budget_adherence", 95.0, 7),
    ("Cost Efficiency SLO", "sli.cost_efficiency", 90.0, 30),
    ("AI Operation Performance SLO", "sli.performance", 95.0, 7),
]


def honeycomb_api(dataset: str) -> dict[str, Any]:
    """Everything above as the bodies of the Honeycomb API calls that create it in dataset,
    each with the method and path to send it to (create the derived columns first)."""
    return {
        "dataset": dataset,
        "derived_columns": [
            {"path": f"/1/derived_columns/{dataset}", "body": {"alias": a, "expression": e, "description": d}}
            for a, e, d in DERIVED_COLUMNS
        ],
        "queries": [{"name": n, "path": f"/1/queries/{dataset}", "body": q} for n, q in QUERIES],
        "triggers": [
            {
                "path": f"/1/triggers/{dataset}",
                "body": {
                    "name": n,
                    "query": q,
                    "frequency": f,
                    "threshold": {"op": op, "value": v},
                    "alert_type": "on_change",
                },
            }
            for n, q, f, op, v in TRIGGERS
        ],
        "slos": [
            {
                "path": f"/1/slos/{dataset}",
                "body": {
                    "name": n,
                    "sli": {"alias": sli},
                    "time_period_days": days,
                    "target_per_million": round(pct * 10_000),
                },
            }
            for n, sli, pct, days in SLOS
        ],
    }
