"""Head sampling in the native core (core/src/sampler.c): the decisions equal the
OpenTelemetry SDK's TraceIdRatioBased on the same trace ids, parent-based children
follow their parent, OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the specification
defines them, and every span left out is counted (docs/sampling.md)."""

from __future__ import annotations

import math
import random

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import Decision, TraceIdRatioBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

import genops
import genops.testing
from genops import _runtime
from genops.errors import ConfigError

SPAN_ID = 0xB7AD6B7169203331


@pytest.fixture
def memory(monkeypatch):
    """init(exporter_type="memory", **kwargs) with the sampler variables unset first."""
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    monkeypatch.delenv("OTEL_TRACES_SAMPLER_ARG", raising=False)

    def start(**kwargs):
        genops.init(exporter_type="memory", service_name="sampling-tests", **kwargs)
        genops.testing.clear()
        return genops.testing

    yield start
    genops.init(exporter_type="memory", service_name="sampling-tests")


def sdk_keeps(rate: float, trace_id: int) -> bool:
    result = TraceIdRatioBased(rate).should_sample(None, trace_id, "op")
    return result.decision is Decision.RECORD_AND_SAMPLE


def child_of(trace_id: int, flags: int):
    """An OpenTelemetry span context that genops operations started inside are children of."""
    return trace.use_span(NonRecordingSpan(SpanContext(trace_id, SPAN_ID, False, TraceFlags(flags))))


def stats() -> dict:
    return _runtime.stats()


@pytest.mark.parametrize("rate", [0.1, 0.5, 1 / 3, 0.001])
def test_roots_are_kept_exactly_when_the_sdk_keeps_their_trace_id(memory, rate):
    mem = memory(sampling_rate=rate)
    ids = []
    for _ in range(10_000):
        with genops.track("op") as span:
            ids.append(span.get_span_context().trace_id)
    kept = {int(s.trace_id, 16) for s in mem.finished_spans()}
    expected = {t for t in ids if sdk_keeps(rate, t)}
    assert kept == expected
    assert stats()["sampled_out"] == 10_000 - len(expected)
    sigma = math.sqrt(10_000 * rate * (1 - rate))  # the ids are random: 6 sigma never fails
    assert abs(len(kept) - 10_000 * rate) <= 6 * sigma + 1


def test_ids_at_the_bound_decide_as_the_sdk(memory, monkeypatch):
    """traceidratio (not parent-based): the decision is the trace id's, even under a
    parent, so chosen ids around round(rate * 2^64) can be checked one by one."""
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "TraceIdRatio")  # values are case-insensitive
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    mem = memory()
    bound = TraceIdRatioBased(0.25).bound
    rng = random.Random(11)
    lows = [bound - 2, bound - 1, bound, bound + 1, 0, 2**64 - 1] + [
        rng.getrandbits(64) for _ in range(9_994)
    ]
    ids = [(rng.getrandbits(64) << 64 | low) or 1 for low in lows]
    for t in ids:
        with child_of(t, 0x00), genops.track("op"):  # the parent's flag does not matter here
            pass
    kept = {int(s.trace_id, 16) for s in mem.finished_spans()}
    assert kept == {t for t in ids if sdk_keeps(0.25, t)}
    assert ids[1] in kept and ids[2] not in kept


def test_a_kept_span_carries_its_sample_rate(memory):
    mem = memory(sampling_rate=0.3)
    for _ in range(200):  # 0.7^200: one kept, always
        with genops.track("op"):
            pass
    span = mem.finished_spans()[0]
    assert span.attributes["SampleRate"] == 3  # round(1 / 0.3)


def test_every_span_is_kept_without_a_sample_rate_by_default(memory):
    mem = memory()
    for _ in range(100):
        with genops.track("op"):
            pass
    spans = mem.finished_spans()
    assert len(spans) == 100 and all("SampleRate" not in s.attributes for s in spans)
    assert stats()["sampled_out"] == 0


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_children_follow_their_parents_flag(memory, rate):
    mem = memory(sampling_rate=rate)
    with child_of(0x0AF7651916CD43DD8448EB211C80319C, 0x01), genops.track("sampled-parent"):
        with genops.track("grandchild"):
            pass
    with child_of(0x0AF7651916CD43DD8448EB211C80319D, 0x00), genops.track("unsampled-parent"):
        with genops.track("grandchild-2"):
            pass
    assert sorted(s.name for s in mem.finished_spans()) == ["grandchild", "sampled-parent"]
    assert stats()["sampled_out"] == 2


def test_a_root_left_out_leaves_out_its_children_and_says_so_downstream(memory):
    from genops.propagation import inject

    mem = memory(sampling_rate=0.0)
    headers: dict[str, str] = {}
    with genops.track("root"), genops.track("child") as child:
        inject(headers)
        assert child.is_recording()  # recorded all the same (governance exceptions need it)
    assert headers["traceparent"].endswith("-00")
    assert mem.finished_spans() == []
    assert stats()["sampled_out"] == 2


@pytest.mark.parametrize(
    ("sampler", "arg", "kept"),
    [
        ("always_on", None, 2),
        ("always_off", None, 0),
        ("parentbased_always_on", None, 1),  # the root; its unsampled remote sibling is not
        ("parentbased_always_off", None, 0),
        ("traceidratio", "0", 0),
        ("parentbased_traceidratio", "1", 1),
        ("PARENTBASED_ALWAYS_ON", None, 1),
    ],
)
def test_otel_traces_sampler(memory, monkeypatch, sampler, arg, kept):
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", sampler)
    if arg is not None:
        monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", arg)
    mem = memory()
    with genops.track("root"):
        pass
    with child_of(0x0AF7651916CD43DD8448EB211C80319C, 0x00), genops.track("remote-unsampled"):
        pass
    assert len(mem.finished_spans()) == kept


@pytest.mark.parametrize(
    ("sampler", "arg"),
    [
        ("jaeger_remote", None),
        ("sometimes", None),
        ("traceidratio", "1.5"),
        ("traceidratio", "ten"),
        ("traceidratio", "-0.1"),
    ],
)
def test_bad_sampler_variables_warn_and_default(memory, monkeypatch, caplog, sampler, arg):
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", sampler)
    if arg is not None:
        monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", arg)
    with caplog.at_level("WARNING", logger="genops"):
        mem = memory()
    for _ in range(20):
        with genops.track("op"):
            pass
    assert len(mem.finished_spans()) == 20  # parentbased_always_on, or a ratio of 1.0
    assert any("OTEL_TRACES_SAMPLER" in r.getMessage() for r in caplog.records)


def test_init_sampling_rate_wins_over_the_environment(memory, monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_off")
    mem = memory(sampling_rate=1.0)
    with genops.track("op"):
        pass
    assert len(mem.finished_spans()) == 1


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.5", True, float("nan")])
def test_a_bad_sampling_rate_is_a_config_error(memory, bad):
    with pytest.raises(ConfigError, match="sampling_rate"):
        genops.init(exporter_type="memory", sampling_rate=bad)


def test_configure_otlp_exporter_takes_sampling_rate():
    from genops.exporters.otlp import configure_otlp_exporter

    configure_otlp_exporter("http://127.0.0.1:9/v1/traces", sampling_rate=0.0)
    with genops.track("op"):
        pass
    assert stats()["sampled_out"] == 1
    genops.init(exporter_type="memory", service_name="sampling-tests")


# ---- governance exceptions and the cost floor (decided at span end) ----------------


@pytest.fixture
def thresholds():
    """Restore the default thresholds afterwards."""
    yield
    _runtime.set_sampling_thresholds(keep_budget_utilization=100.0, keep_cost=1.0, min_cost=0.0)


def test_a_blocked_policy_in_a_sampled_out_trace_reaches_a_local_otlp_server(memory):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))
    from otlp_server import OtlpServer

    with OtlpServer() as server:
        genops.init(exporter_type="otlp", otlp_endpoint=server.url, sampling_rate=0.0)
        with genops.track("blocked-op") as span:
            span.record_policy("content_safety", policy_result="blocked", policy_reason="pii")
        with genops.track("plain-op"):
            pass
        genops.flush(timeout=10)
        spans = [s for r in server.received() for s in r["spans"]]
        st = stats()
    assert [s["name"] for s in spans] == ["blocked-op"]
    assert spans[0]["values"]["genops.policy.result"] == "blocked"
    assert "SampleRate" not in spans[0]["values"]
    assert st["sampled_out"] == 1 and st["spans_exported"] == 1


def test_each_governance_event_is_exported_when_sampled_out(memory, thresholds):
    from genops.core.sampling import get_exception_thresholds, set_exception_thresholds

    mem = memory(sampling_rate=0.0)
    set_exception_thresholds(budget_utilization_pct=90)
    assert get_exception_thresholds() == {"budget_utilization_pct": 90.0, "cost_usd": 1.0}
    with genops.track("warning") as s:
        s.record_policy("p", policy_result="warning")
    with genops.track("allowed") as s:
        s.record_policy("p", policy_result="allowed")
    with pytest.raises(RuntimeError), genops.track("error"):
        raise RuntimeError("boom")
    with genops.track("budget-95") as s:
        s.record_budget("b", 100, 95)
    with genops.track("budget-50") as s:
        s.record_budget("b", 100, 50)
    with genops.track("costly") as s:
        s.record_cost(cost=1.0, provider="p", model="m")
    with genops.track("cheap") as s:
        s.record_cost(cost=0.5, provider="p", model="m")
    names = sorted(s.name for s in mem.finished_spans())
    assert names == ["budget-95", "costly", "error", "warning"]
    assert stats()["sampled_out"] == 3


def test_cost_threshold_leaves_out_cheaper_operations_but_no_governance_event(memory, thresholds):
    from genops.core.tracking import get_cost_threshold, set_cost_threshold

    mem = memory()
    set_cost_threshold(min_cost_usd=0.01)  # the Honeycomb guide's call
    assert get_cost_threshold() == 0.01
    for name, cost in [("cheap", 0.001), ("exact", 0.01), ("dear", 0.5)]:
        with genops.track(name) as s:
            s.record_cost(cost=cost, provider="p", model="m")
    with genops.track("cheap-but-blocked") as s:
        s.record_cost(cost=0.001, provider="p", model="m")
        s.record_policy("p", policy_result="blocked")
    with genops.track("no-cost"):
        pass
    assert sorted(s.name for s in mem.finished_spans()) == ["cheap-but-blocked", "dear", "exact", "no-cost"]
    st = stats()
    assert st["below_cost_threshold"] == 1 and st["sampled_out"] == 0
    # A later init() keeps the threshold; 0 (or None) turns it off.
    mem = memory()
    with genops.track("cheap-again") as s:
        s.record_cost(cost=0.001, provider="p", model="m")
    assert mem.finished_spans() == [] and stats()["below_cost_threshold"] == 1
    set_cost_threshold(None)
    with genops.track("cheap-kept") as s:
        s.record_cost(cost=0.001, provider="p", model="m")
    assert [s.name for s in mem.finished_spans()] == ["cheap-kept"]


def test_a_governance_event_kept_by_a_ratio_counts_for_itself(memory, thresholds):
    mem = memory(sampling_rate=0.5)
    for _ in range(200):
        with genops.track("op") as s:
            s.record_policy("p", policy_result="blocked")
    spans = mem.finished_spans()
    assert len(spans) == 200 and all("SampleRate" not in s.attributes for s in spans)


@pytest.mark.parametrize("bad", [-1, float("nan"), "0.01", True])
def test_bad_thresholds_are_config_errors(bad, thresholds):
    from genops.core.tracking import set_cost_threshold

    with pytest.raises(ConfigError):
        set_cost_threshold(min_cost_usd=bad)


# ---- per-attribute rules (decided natively at operation start) ---------------------


@pytest.fixture
def rules():
    from genops.core import sampling

    sampling.clear_sampling_rates()
    yield sampling
    sampling.clear_sampling_rates()


def test_the_guides_per_customer_rates(memory, rules):
    """The Honeycomb guide's three calls, as written, over operations of each tier."""
    from genops.core.sampling import set_sampling_rate

    mem = memory(sampling_rate=0.0)  # nothing else is kept
    set_sampling_rate(customer_tier="enterprise", rate=1.0)
    set_sampling_rate(customer_tier="business", rate=0.1)
    set_sampling_rate(customer_tier="free", rate=0.01)
    ids: dict[str, list[int]] = {"enterprise": [], "business": [], "free": []}
    for tier in ids:
        for _ in range(2_000):
            with genops.track_enhanced(operation_name="op", customer_tier=tier) as span:
                ids[tier].append(span.get_span_context().trace_id)
    with genops.track("no-tier"):
        pass
    kept: dict[str, set[int]] = {t: set() for t in ids}
    for s in mem.finished_spans():
        kept[s.attributes["genops.customer_tier"]].add(int(s.trace_id, 16))
    for tier, rate in (("enterprise", 1.0), ("business", 0.1), ("free", 0.01)):
        assert kept[tier] == {t for t in ids[tier] if sdk_keeps(rate, t)}, tier
    assert len(kept["enterprise"]) == 2_000
    weights = {s.attributes.get("SampleRate") for s in mem.finished_spans()}
    assert weights == {None, 10, 100}  # enterprise spans carry none (rate 1)
    assert stats()["sampled_out"] == 6_001 - len(mem.finished_spans())


def test_rules_see_the_context_and_the_defaults_and_order(memory, rules):
    from genops.core.context import governance_context

    mem = memory(sampling_rate=1.0)
    rules.set_sampling_rate(0.0)  # the default rule: every other operation left out
    rules.set_sampling_rate(1.0, customer_tier="free", feature="chat")  # more specific: first
    rules.set_sampling_rate(0.0, customer_tier="free")
    rules.set_sampling_rate(1.0, team="ml")
    assert rules.get_sampling_rate(customer_tier="free", feature="chat") == 1.0
    assert rules.get_sampling_rate(customer_tier="free") == 0.0
    assert rules.get_sampling_rate(other="x") == 0.0
    genops.set_default_attributes(team="ml")
    try:
        with genops.track("from-defaults"):
            pass
        genops.set_default_attributes(team="web")
        with genops.track("defaults-overridden", team="ml"):
            pass
        with genops.track("not-ml"):
            pass
        with governance_context(customer_tier="free"):
            with genops.track("free-chat", feature="chat"):
                pass
            with genops.track("free"):
                pass
    finally:
        genops.clear_default_attributes()
    assert sorted(s.name for s in mem.finished_spans()) == [
        "defaults-overridden",
        "free-chat",
        "from-defaults",
    ]


def test_rules_survive_init_and_clear(memory, rules):
    rules.set_sampling_rate(customer_tier="free", rate=0.0)
    mem = memory()
    with genops.track("free", customer_tier="free"):
        pass
    with genops.track("paid", customer_tier="paid"):
        pass
    assert [s.name for s in mem.finished_spans()] == ["paid"]
    rules.clear_sampling_rate(customer_tier="free")
    assert rules.get_sampling_rate(customer_tier="free") is None
    with genops.track("free-again", customer_tier="free"):
        pass
    assert [s.name for s in mem.finished_spans()] == ["paid", "free-again"]


def test_a_ruled_out_governance_event_is_exported(memory, rules):
    mem = memory()
    rules.set_sampling_rate(0.0)
    with genops.track("blocked") as s:
        s.record_policy("p", policy_result="blocked")
    with genops.track("plain"):
        pass
    assert [s.name for s in mem.finished_spans()] == ["blocked"]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1.5,), {}), (("1",), {}), ((0.5,), {"tier": 3}), ((0.5,), {f"k{i}": "v" for i in range(9)})],
)
def test_bad_rules_are_config_errors(rules, args, kwargs):
    with pytest.raises(ConfigError):
        rules.set_sampling_rate(*args, **kwargs)


def test_the_native_rules_refuse_malformed_json(memory):
    memory()
    handle = _runtime.current().handle
    for bad in [
        "{",
        '[{"ratio": 2}]',
        '[{"attributes": ["a"], "ratio": 1}]',
        '[{"attributes": [1], "equals": [1], "ratio": 1}]',
        "[1]",
    ]:
        with pytest.raises(ConfigError, match="sampling rules"):
            genops.native.genops_pipeline_set_sampling_rules(handle, bad)


def test_the_guides_per_request_context_decides(memory, rules):
    """The guide sets customer_tier with set_governance_context per request."""
    from genops.core.context import clear_governance_context, set_governance_context

    mem = memory(sampling_rate=0.0)
    rules.set_sampling_rate(customer_tier="enterprise", rate=1.0)
    for tier in ("enterprise", "free"):
        set_governance_context({"customer_id": "acme-corp", "customer_tier": tier})
        try:
            with genops.track_enhanced(operation_name=f"op-{tier}"):
                pass
        finally:
            clear_governance_context()
    (span,) = mem.finished_spans()
    assert span.name == "op-enterprise" and span.attributes["genops.customer_tier"] == "enterprise"
