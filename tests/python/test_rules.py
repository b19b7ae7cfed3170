"""The governance recording rules of genops-ai's GenOpsTelemetry (record_cost,
record_policy, record_budget, record_evaluation), checked on what the native memory
exporter captured. Each test says which rule of genops-ai it pins down."""

from __future__ import annotations

import math

import pytest

import genops
from genops.core.telemetry import GenOpsTelemetry

telemetry = GenOpsTelemetry()


def only(attrs: dict, prefix: str) -> dict:
    return {k: v for k, v in attrs.items() if k.startswith(prefix)}


# ---- record_cost ----------------------------------------------------------------------


def test_cost_minimal_has_total_and_default_currency(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=0.05)
    attrs = one_span().attributes
    assert only(attrs, "genops.cost.") == {"genops.cost.total": 0.05, "genops.cost.currency": "USD"}
    assert only(attrs, "genops.tokens.") == {}


def test_cost_provider_and_model_only_when_non_empty(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=1, provider="", model="gpt-4", currency="EUR")
    attrs = one_span().attributes
    assert "genops.cost.provider" not in attrs
    assert attrs["genops.cost.model"] == "gpt-4"
    assert attrs["genops.cost.currency"] == "EUR"
    assert attrs["genops.cost.total"] == 1 and isinstance(attrs["genops.cost.total"], int)


def test_cost_tokens_and_computed_total(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=0.02, provider="openai", tokens_input=150, tokens_output=50)
    attrs = one_span().attributes
    assert attrs["genops.cost.provider"] == "openai"
    assert attrs["genops.tokens.input"] == 150
    assert attrs["genops.tokens.output"] == 50
    assert attrs["genops.tokens.total"] == 200


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"input_tokens": 10, "output_tokens": 5}, {"input": 10, "output": 5, "total": 15}),
        ({"tokens_input": 1, "input_tokens": 99}, {"input": 1}),  # the name wins over the alias
        ({"tokens_input": None, "input_tokens": 7}, {"input": 7}),  # None falls back to it
        ({"tokens_input": 3}, {"input": 3}),  # no total from one side
        (
            {"tokens_input": 3, "tokens_output": 4, "tokens_total": 100},
            {"input": 3, "output": 4, "total": 100},
        ),
        ({"tokens_input": 1.5, "tokens_output": 2}, {"input": 1.5, "output": 2, "total": 3.5}),
    ],
)
def test_cost_token_aliases(one_span, kwargs, expected):
    with genops.track("op") as span:
        span.record_cost(cost=0.1, **kwargs)
    tokens = only(one_span().attributes, "genops.tokens.")
    assert tokens == {f"genops.tokens.{k}": v for k, v in expected.items()}


def test_cost_metadata_cost_type_and_none(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=0.1, cost_type="completion", region="eu", skipped=None)
    attrs = one_span().attributes
    assert attrs["genops.cost.type"] == "completion"
    assert "genops.cost.cost_type" not in attrs
    assert attrs["genops.cost.region"] == "eu"
    assert "genops.cost.skipped" not in attrs


def test_cost_total_cost_as_the_guides_pass_it(one_span):
    # GenOps' Splunk guide: telemetry.record_cost(span, provider=..., ..., total_cost=...)
    with genops.track_enhanced(operation_name="op") as span:
        telemetry.record_cost(
            span, provider="openai", model="gpt-4", input_tokens=5, output_tokens=6, total_cost=0.0325
        )
    attrs = one_span().attributes
    assert attrs["genops.cost.total"] == 0.0325
    assert attrs["genops.tokens.total"] == 11
    assert "genops.cost.total_cost" not in attrs


def test_cost_with_both_cost_and_total_cost(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=1.0, total_cost=2.0)
    attrs = one_span().attributes
    assert attrs["genops.cost.total"] == 1.0
    assert attrs["genops.cost.total_cost"] == 2.0


def test_cost_positional_arguments_follow_genops_ai_signatures(one_span):
    with genops.track("op") as span:
        telemetry.record_cost(span, 0.5, "GBP", "anthropic", "claude", 10, 20)
    attrs = one_span().attributes
    assert attrs["genops.cost.total"] == 0.5
    assert attrs["genops.cost.currency"] == "GBP"
    assert attrs["genops.cost.provider"] == "anthropic"
    assert attrs["genops.cost.model"] == "claude"
    assert attrs["genops.tokens.total"] == 30


def test_cost_metadata_dict_is_flattened(one_span):
    with genops.track("op") as span:
        span.record_cost(cost=0.1, metadata={"tier": "gold", "gone": None})
    attrs = one_span().attributes
    assert attrs["genops.cost.metadata.tier"] == "gold"
    assert "genops.cost.metadata.gone" not in attrs


def test_cost_missing_cost_is_a_type_error(genops_memory):
    with genops.track("op") as span:
        with pytest.raises(TypeError, match="cost"):
            span.record_cost(provider="openai")
        with pytest.raises(TypeError, match="multiple values"):
            span.record_cost(0.1, cost=0.2)


# ---- record_policy -------------------------------------------------------------------


def test_policy_telemetry_has_no_default_result(one_span):
    with genops.track("op") as span:
        telemetry.record_policy(span, "content_safety")
    assert only(one_span().attributes, "genops.policy.") == {"genops.policy.name": "content_safety"}


def test_policy_span_method_defaults_to_allowed(one_span):
    # genops-ai's GenOpsSpan.record_policy(policy_name, policy_result="allowed", ...)
    with genops.track_enhanced("op") as span:
        span.record_policy("content_safety")
    assert one_span().attributes["genops.policy.result"] == "allowed"


def test_policy_result_and_reason_aliases(one_span):
    with genops.track("op") as span:
        telemetry.record_policy(span, "p", result="blocked", reason="pii found")
    attrs = one_span().attributes
    assert attrs["genops.policy.result"] == "blocked"
    assert attrs["genops.policy.reason"] == "pii found"
    assert "genops.policy.reason_value" not in attrs


def test_policy_name_wins_over_alias(one_span):
    with genops.track("op") as span:
        telemetry.record_policy(
            span, "p", policy_result="warning", result="blocked", policy_reason=None, reason="r"
        )
    attrs = one_span().attributes
    assert attrs["genops.policy.result"] == "warning"
    assert attrs["genops.policy.reason"] == "r"


def test_policy_span_method_default_hides_the_alias_as_in_genops_ai(one_span):
    # GenOpsSpan passes policy_result="allowed" on, so GenOpsTelemetry ignores result=.
    with genops.track_enhanced("op") as span:
        span.record_policy("p", result="blocked")
    assert one_span().attributes["genops.policy.result"] == "allowed"


def test_policy_metadata_and_kwargs(one_span):
    with genops.track("op") as span:
        telemetry.record_policy(
            span, "p", policy_result="allowed", metadata={"confidence": 0.93, "none": None}, response_time=12
        )
    attrs = one_span().attributes
    assert attrs["genops.policy.metadata.confidence"] == 0.93
    assert "genops.policy.metadata.none" not in attrs
    assert attrs["genops.policy.response_time"] == 12


def test_policy_needs_a_name(genops_memory):
    with genops.track("op") as span, pytest.raises(TypeError, match="policy_name"):
        telemetry.record_policy(span, result="blocked")


# ---- record_budget -------------------------------------------------------------------


def test_budget_remaining_and_utilization(one_span):
    with genops.track_enhanced("op") as span:
        span.record_budget("team-daily", 100, 25)
    assert only(one_span().attributes, "genops.budget.") == {
        "genops.budget.name": "team-daily",
        "genops.budget.allocated": 100,
        "genops.budget.consumed": 25,
        "genops.budget.remaining": 75,
        "genops.budget.utilization_percent": 25.0,
    }


def test_budget_aliases(one_span):
    with genops.track("op") as span:
        telemetry.record_budget(span, "b", allocated=200.0, consumed=50.0, remaining=1.0)
    attrs = one_span().attributes
    assert attrs["genops.budget.allocated"] == 200.0
    assert attrs["genops.budget.consumed"] == 50.0
    assert attrs["genops.budget.remaining"] == 1.0  # given: not computed
    assert attrs["genops.budget.utilization_percent"] == 25.0


def test_budget_zero_limit_has_no_utilization(one_span):
    with genops.track("op") as span:
        telemetry.record_budget(span, "b", budget_limit=0, budget_used=5)
    attrs = one_span().attributes
    assert attrs["genops.budget.remaining"] == -5
    assert "genops.budget.utilization_percent" not in attrs


def test_budget_only_limit(one_span):
    with genops.track("op") as span:
        telemetry.record_budget(span, "b", budget_limit=10)
    assert only(one_span().attributes, "genops.budget.") == {
        "genops.budget.name": "b",
        "genops.budget.allocated": 10,
    }


def test_budget_float_arithmetic_matches_python(one_span):
    with genops.track("op") as span:
        telemetry.record_budget(span, "b", budget_limit=100.0, budget_used=33.3)
    attrs = one_span().attributes
    assert attrs["genops.budget.remaining"] == 100.0 - 33.3
    assert attrs["genops.budget.utilization_percent"] == (33.3 / 100.0) * 100


def test_budget_metadata(one_span):
    # The Splunk guide passes metadata={"utilization_percent": ...} to record_budget.
    with genops.track("op") as span:
        telemetry.record_budget(
            span, "b", budget_limit=1, budget_used=1, period="daily", metadata={"utilization_percent": 100.0}
        )
    attrs = one_span().attributes
    assert attrs["genops.budget.period"] == "daily"
    assert attrs["genops.budget.metadata.utilization_percent"] == 100.0


def test_budget_needs_a_name_and_numbers(genops_memory, caplog):
    with genops.track("op") as span:
        with pytest.raises(TypeError, match="budget_name"):
            telemetry.record_budget(span, budget_limit=1)
        with caplog.at_level("WARNING", logger="genops"):
            span.record_budget("b", "lots", 5)  # warned, not raised (test_bad_values.py)
    assert "genops.budget.name" not in genops_memory.finished_spans()[0].attributes
    assert any("number" in r.getMessage() for r in caplog.records if r.name == "genops")


# ---- record_evaluation ---------------------------------------------------------------


def test_evaluation_default_score(one_span):
    with genops.track("op") as span:
        telemetry.record_evaluation(span)
    assert only(one_span().attributes, "genops.eval.") == {"genops.eval.score": 0.0}


def test_evaluation_fields_and_alias(one_span):
    with genops.track("op") as span:
        telemetry.record_evaluation(
            span, metric_name="relevance", score=0.87, threshold=0.8, passed=False, evaluator="gpt-judge"
        )
    assert only(one_span().attributes, "genops.eval.") == {
        "genops.eval.metric": "relevance",
        "genops.eval.score": 0.87,
        "genops.eval.threshold": 0.8,
        "genops.eval.passed": False,
        "genops.eval.evaluator": "gpt-judge",
    }


def test_evaluation_name_wins_over_alias_and_metadata(one_span):
    with genops.track_enhanced("op") as span:
        span.record_evaluation("quality", 0.9, metric_name="other", metadata={"judge": "h"}, dataset="golden")
    attrs = one_span().attributes
    assert attrs["genops.eval.metric"] == "quality"
    assert attrs["genops.eval.metadata.judge"] == "h"
    assert attrs["genops.eval.dataset"] == "golden"


# ---- set_attribute and the recorders on a span that does not record -------------------


def test_set_attribute_uses_the_key_as_given(one_span):
    with genops.track_enhanced("op") as span:
        span.set_attribute("custom.key", [1, 2, 3])
        span.set_attribute(key="other", value=True)
        span.set_attribute("dropped", None)
    attrs = one_span().attributes
    assert attrs["custom.key"] == (1, 2, 3)
    assert attrs["other"] is True
    assert "dropped" not in attrs


def test_recording_after_the_end_is_ignored_with_a_warning(genops_memory, caplog):
    with genops.track("op") as span:
        pass
    with caplog.at_level("WARNING", logger="genops"):
        span.record_cost(cost=1.0)
        span.set_attribute("k", "v")
    assert "already ended" in caplog.text
    (s,) = genops_memory.finished_spans()
    assert "genops.cost.total" not in s.attributes


def test_values_keep_python_types(one_span):
    with genops.track("op", i=1, f=1.0, b=True, s="x", li=[1, 2], lf=[1.0, 2], ls=("a",), lb=[True]) as span:
        pass
    attrs = one_span().attributes
    assert attrs["genops.i"] == 1 and type(attrs["genops.i"]) is int
    assert attrs["genops.f"] == 1.0 and type(attrs["genops.f"]) is float
    assert attrs["genops.b"] is True
    assert attrs["genops.li"] == (1, 2)
    assert attrs["genops.lf"] == (1.0, 2.0)
    assert attrs["genops.ls"] == ("a",)
    assert attrs["genops.lb"] == (True,)
    assert span.is_recording() is False
    assert not math.isnan(attrs["genops.f"])
