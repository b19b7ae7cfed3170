"""Operation spans: genops-ai's trace_operation rules (name, type, timestamp, every
effective attribute as genops.<key>), track's argument rules, precedence of defaults <
context < the call's own attributes, status and exception events, nesting."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

import genops
from genops.core.context import set_governance_context
from genops.core.telemetry import GenOpsTelemetry
from genops.core.tracker import track_cost, track_evaluation, track_usage


def genops_attrs(span) -> dict:
    """The attributes genops derived from the operation's context (not the fixed ones)."""
    fixed = {"genops.operation.name", "genops.operation.type", "genops.timestamp"}
    return {
        k: v
        for k, v in span.attributes.items()
        if k.startswith("genops.") and k not in fixed and "." not in k[len("genops.") :]
    }


def test_operation_attributes(one_span):
    before = int(time.time())
    with genops.track("ai.chat.completion") as span:
        assert span.is_recording()
    s = one_span()
    assert s.name == "ai.chat.completion"
    assert s.attributes["genops.operation.name"] == "ai.chat.completion"
    assert s.attributes["genops.operation.type"] == "ai.inference"
    assert before <= s.attributes["genops.timestamp"] <= int(time.time())
    assert s.status == "OK"
    assert s.parent_span_id is None


def test_operation_type(one_span):
    with genops.track_enhanced(operation_name="train", operation_type="ai.training"):
        pass
    assert one_span().attributes["genops.operation.type"] == "ai.training"


def test_track_named_arguments_and_attributes(one_span):
    with genops.track(
        "op", team="ml", project="p", feature="f", customer="acme", environment="prod", customer_id="c-1", n=3
    ):
        pass
    assert genops_attrs(one_span()) == {
        "genops.team": "ml",
        "genops.project": "p",
        "genops.feature": "f",
        "genops.customer": "acme",
        "genops.environment": "prod",
        "genops.customer_id": "c-1",
        "genops.n": 3,
    }


def test_track_drops_falsy_named_arguments_so_defaults_show(one_span):
    genops.set_default_attributes(team="default-team", project="default-project")
    with genops.track("op", team="", project=None, feature=0):
        pass
    assert genops_attrs(one_span()) == {"genops.team": "default-team", "genops.project": "default-project"}


def test_trace_operation_keeps_empty_strings(one_span):
    with GenOpsTelemetry().trace_operation("op", team="", count=0):
        pass
    attrs = one_span().attributes
    assert attrs["genops.team"] == ""
    assert attrs["genops.count"] == 0


def test_precedence_defaults_context_call(one_span):
    genops.set_default_attributes(team="d-team", project="d-project", cost_center="d-cc", region="d")
    genops.set_context(project="c-project", customer_id="c-cust", region="c")
    with genops.track("op", customer_id="own-cust", region="own"):
        pass
    assert genops_attrs(one_span()) == {
        "genops.team": "d-team",
        "genops.project": "c-project",
        "genops.cost_center": "d-cc",
        "genops.customer_id": "own-cust",
        "genops.region": "own",
    }


def test_none_attribute_hides_default(genops_memory):
    genops.set_default_attributes(team="d-team", customer_id="d-cust")
    with genops.track("op", customer_id=None):
        pass
    with GenOpsTelemetry().trace_operation("op2", team=None):
        pass
    first, second = genops_memory.finished_spans()
    assert genops_attrs(first) == {"genops.team": "d-team"}
    assert genops_attrs(second) == {"genops.customer_id": "d-cust"}


def test_none_in_the_context_hides_a_default(genops_memory):
    genops.set_default_attributes(team="d-team", project="d-project")
    genops.set_context(team=None)
    with genops.track("op"):
        pass
    genops.set_context(team="back")  # a later value shows again
    with genops.track("op2"):
        pass
    first, second = genops_memory.finished_spans()
    assert genops_attrs(first) == {"genops.project": "d-project"}
    assert genops_attrs(second) == {"genops.team": "back", "genops.project": "d-project"}
    assert genops.get_effective_attributes() == {"team": "back", "project": "d-project"}


def test_init_default_attributes(genops_memory):
    genops.init(exporter_type="memory", default_team="ai", default_project="bot", default_cost_center="eng")
    with genops.track("op"):
        pass
    s = genops.testing.finished_spans()[0]
    assert genops_attrs(s) == {"genops.team": "ai", "genops.project": "bot", "genops.cost_center": "eng"}


def test_exception_sets_error_status_adds_event_and_reraises(one_span):
    class QuotaExceeded(Exception):
        pass

    with pytest.raises(QuotaExceeded):
        with genops.track("op"):
            raise QuotaExceeded("rate limit hit")
    s = one_span()
    assert s.status == "ERROR"
    assert s.status_message == "rate limit hit"
    (event,) = s.events
    assert event.name == "exception"
    assert event.attributes["exception.type"].endswith("QuotaExceeded")
    assert event.attributes["exception.message"] == "rate limit hit"
    assert "Traceback" in event.attributes["exception.stacktrace"]
    assert "rate limit hit" in event.attributes["exception.stacktrace"]


def test_base_exceptions_also_end_the_span(one_span):
    with pytest.raises(KeyboardInterrupt):
        with genops.track("op"):
            raise KeyboardInterrupt
    s = one_span()
    assert s.status == "ERROR"
    assert s.events[0].attributes["exception.type"] == "KeyboardInterrupt"


def test_nested_operations_are_parent_and_child(genops_memory):
    with genops.track("outer") as outer:
        with genops.track_enhanced("inner") as inner:
            assert genops.core.tracker._native.current_span() is inner
        assert genops.core.tracker._native.current_span() is outer
    assert genops.core.tracker._native.current_span() is None
    inner_s, outer_s = genops_memory.finished_spans()
    assert inner_s.parent_span_id == outer_s.span_id
    assert inner_s.trace_id == outer_s.trace_id
    assert outer_s.parent_span_id is None
    ctx = outer.get_span_context()
    assert f"{ctx.trace_id:032x}" == outer_s.trace_id
    assert f"{ctx.span_id:016x}" == outer_s.span_id


def test_child_started_after_the_parent_ended(genops_memory):
    async def child():
        await asyncio.sleep(0.01)
        with genops.track("child"):
            pass

    async def main():
        with genops.track("parent"):
            task = asyncio.create_task(child())
        await task

    asyncio.run(main())
    parent, child_s = sorted(genops_memory.finished_spans(), key=lambda s: s.name != "parent")
    assert child_s.parent_span_id == parent.span_id
    assert child_s.start_ns >= parent.end_ns


def test_create_span_is_ended_by_the_caller(genops_memory):
    telemetry = GenOpsTelemetry()
    with genops.track("op"):
        span = telemetry.create_span("manual", attributes={"a": None, "b": "", "c": 0, "d": "x"})
    assert genops_memory.finished_spans()[0].name == "op"
    span.set_attribute("late", True)
    span.end()
    op, manual = genops_memory.finished_spans()
    assert manual.name == "manual"
    assert manual.parent_span_id == op.span_id
    assert manual.attributes == {"b": "", "c": 0, "d": "x", "late": True}
    assert manual.status == "UNSET"


def test_span_methods_from_opentelemetry(one_span):
    with genops.track("op") as span:
        assert span.span is span
        span.add_event("retry", {"attempt": 2})
        try:
            raise ValueError("handled")
        except ValueError as e:
            span.record_exception(e)
        span.set_attributes({"x": 1, "y": "z"})
    s = one_span()
    assert [e.name for e in s.events] == ["retry", "exception"]
    assert s.events[1].attributes["exception.message"] == "handled"
    assert s.status == "OK"  # record_exception alone does not change the status
    assert s.attributes["x"] == 1


def test_add_event_keeps_its_timestamp(one_span):
    with genops.track("op") as span:
        span.add_event("given", timestamp=1_700_000_000_000_000_123)
        span.add_event("now", timestamp=None)
    given, now = one_span().events
    assert given.time_ns == 1_700_000_000_000_000_123
    assert now.time_ns > given.time_ns


def test_set_status_accepts_opentelemetry_shapes(genops_memory):
    class StatusCode:
        def __init__(self, value):
            self.value = value

    class Status:
        def __init__(self, code, description=None):
            self.status_code, self.description = code, description

    span = GenOpsTelemetry().create_span("a")
    span.set_status(Status(StatusCode(2), "bad"))
    span.end()
    span = GenOpsTelemetry().create_span("b")
    span.set_status(1)
    span.end()
    a, b = genops_memory.finished_spans()
    assert (a.status, a.status_message) == ("ERROR", "bad")
    assert b.status == "OK"


def test_track_usage_decorator(genops_memory):
    class Result:
        def __init__(self):
            self.cost, self.provider, self.model = 0.3, "openai", "gpt-4"
            self.tokens_input, self.tokens_output = 5, 7

    @track_usage(team="ml", feature="summaries")
    def summarise(text):
        return Result()

    @track_usage(operation_name="named")
    def plain():
        return 42

    assert isinstance(summarise("x"), Result)
    assert plain() == 42
    first, second = genops_memory.finished_spans()
    assert first.name.endswith(".summarise")
    assert first.attributes["genops.cost.total"] == 0.3
    assert first.attributes["genops.tokens.total"] == 12
    assert first.attributes["genops.feature"] == "summaries"
    assert second.name == "named"


def test_track_cost_and_evaluation_on_the_current_span(genops_memory, caplog):
    with genops.track("op"):
        track_cost(cost=0.2, provider="anthropic", tokens_input=1, tokens_output=2)
        track_evaluation("relevance", 0.9, threshold=0.5, passed=True)
    with caplog.at_level(logging.WARNING, logger="genops"):
        track_cost(cost=1.0)
    assert "No active span" in caplog.text
    (s,) = genops_memory.finished_spans()
    assert s.attributes["genops.cost.provider"] == "anthropic"
    assert s.attributes["genops.eval.metric"] == "relevance"


def test_the_guides_examples(genops_memory):
    # GenOps' Splunk guide, examples 1-3, and the Honeycomb guide's context calls.
    from genops.core import track_enhanced

    telemetry = GenOpsTelemetry()
    set_governance_context({"customer_tier": "enterprise"})
    with track_enhanced(
        operation_name="ai.chat.completion", customer_id="enterprise-abc", feature="support-chat"
    ) as span:
        telemetry.record_cost(
            span, provider="openai", model="gpt-4", input_tokens=150, output_tokens=50, total_cost=0.0325
        )
    with track_enhanced(
        operation_name="ai.content.moderation", customer_id="user-123", data_classification="UGC"
    ) as span:
        telemetry.record_policy(
            span,
            policy_name="content_safety",
            policy_result="blocked",
            policy_reason="toxic",
            metadata={"confidence": 0.97},
        )
    with track_enhanced(operation_name="ai.budget.check", team="ai-research") as span:
        telemetry.record_budget(
            span,
            budget_name="team-daily-budget",
            budget_limit=100.0,
            budget_used=80.0,
            budget_remaining=20.0,
            metadata={"utilization_percent": 80.0},
        )
    cost, policy, budget = genops_memory.finished_spans()
    assert cost.attributes["genops.cost.total"] == 0.0325
    assert cost.attributes["genops.tokens.total"] == 200
    assert cost.attributes["genops.customer_tier"] == "enterprise"
    assert policy.attributes["genops.policy.result"] == "blocked"
    assert policy.attributes["genops.policy.metadata.confidence"] == 0.97
    assert policy.attributes["genops.data_classification"] == "UGC"
    assert budget.attributes["genops.budget.utilization_percent"] == 80.0
    assert budget.attributes["genops.team"] == "ai-research"


def test_unentered_track_is_ended_when_dropped(genops_memory):
    span = genops.track("never-entered")
    del span
    (s,) = genops_memory.finished_spans()
    assert s.name == "never-entered"
