"""genops.budgets: define / status / list / reset / remove, bad configuration, block
enforcement at the start of track / track_enhanced / trace_operation and under
enforce_policy, the threshold span at the local Splunk HEC and Honeycomb servers once
per period, 4 processes sharing a host store with an exact total, and rate limits
(requests and tokens per minute per key) refusing operations at their start."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

import genops
from genops import budgets, semconv
from genops.core.policy import PolicyViolationError, enforce_policy
from genops.core.telemetry import GenOpsTelemetry
from genops.errors import ConfigError

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))


@pytest.fixture
def clean_budgets():
    yield
    for name in budgets.list():
        budgets.remove(name)
    for name in budgets.rate_limits():
        budgets.remove_rate_limit(name)


def spend(cost, team="ml", **attrs):
    with genops.track_enhanced("chat", team=team, **attrs) as span:
        span.record_cost(cost=cost, provider="openai")


def test_define_status_list_reset(genops_memory, clean_budgets):
    budgets.define("ml-daily", 1.0, scope={"team": "ml"})
    budgets.define("everything", 10.0, period="monthly", time_zone="UTC+02:00")
    spend(0.25)
    spend(0.5, team="search")
    st = budgets.status("ml-daily")
    assert (st["spend"], st["limit"], st["utilization"], st["period"]) == (0.25, 1.0, 0.25, "daily")
    assert st["remaining"] == 0.75
    assert st["period_end"] - st["period_start"] == 86400
    assert (st["currency"], st["enforcement"], st["store"]) == ("USD", "block", "process")
    assert budgets.status("everything")["spend"] == 0.75
    assert budgets.list() == ["everything", "ml-daily"]
    budgets.reset("ml-daily")
    assert budgets.status("ml-daily")["spend"] == 0.0
    budgets.remove("ml-daily")
    assert budgets.list() == ["everything"]
    with pytest.raises(ConfigError, match="no budget named 'ml-daily'"):
        budgets.status("ml-daily")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"limit": -1}, "must not be negative"),
        ({"limit": "10"}, "limit must be a number"),
        ({"limit": True}, "limit must be a number"),
        ({"limit": float("nan")}, "must be finite"),
        ({"period": "hourly"}, "period must be one of"),
        ({"enforcement": "deny"}, "enforcement must be one of"),
        ({"store": "disk"}, "store must be one of"),
        ({"store": "redis://127.0.0.1:6379/0"}, "redis store is not available"),
        ({"scope": {"team": 3}}, "scope must map"),
        ({"scope": ["team"]}, "scope must map"),
        ({"thresholds": "0.8"}, "thresholds must be a list"),
        ({"thresholds": [0.8, 0]}, "fraction of the limit"),
        ({"time_zone": "Europe/Paris"}, "time_zone must be"),
        ({"currency": 840}, "currency must be a string"),
    ],
)
def test_bad_configuration(kwargs, words, clean_budgets):
    args = {"name": "b", "limit": 1.0, **kwargs}
    with pytest.raises(ConfigError, match=words):
        budgets.define(**args)
    assert budgets.list() == []


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        budgets.define("b", 1.0, limits=3)  # type: ignore[call-arg]


def test_block_raises_before_the_callers_code_runs(genops_memory, clean_budgets):
    budgets.define("cap", 0.5, scope={"team": "ml"}, enforcement="block")
    spend(0.3)
    spend(0.3)  # allowed: the spend (0.3) had not reached the limit when it started
    genops_memory.finished_spans()  # flushed
    genops_memory.clear()
    ran = []
    for start in (genops.track, genops.track_enhanced):
        with pytest.raises(PolicyViolationError) as info:
            with start("chat", team="ml"):
                ran.append(start)
        assert info.value.policy_name == "cap"
        assert "0.6000 of 0.5000 USD" in info.value.reason
    with pytest.raises(PolicyViolationError):
        with GenOpsTelemetry().trace_operation("chat", team="ml"):
            ran.append("trace_operation")
    assert ran == []
    spans = genops_memory.finished_spans()
    assert len(spans) == 3
    for s in spans:
        assert s.status == "ERROR"
        assert s.attributes["genops.policy.name"] == "cap"
        assert s.attributes["genops.policy.result"] == "blocked"
        assert s.attributes["genops.budget.consumed"] == 0.6
    spend(5.0, team="search")  # another team is not in the budget's scope
    budgets.reset("cap")
    spend(0.1)  # allowed again


def test_enforce_policy_blocks_inside_an_operation(genops_memory, clean_budgets):
    budgets.define("cap", 0.5, scope={"team": "ml"}, enforcement="block")

    @enforce_policy([])
    def answer():
        return "answered"

    with genops.track("chat", team="ml") as span:
        assert answer() == "answered"
        span.record_cost(cost=0.5)
        with pytest.raises(PolicyViolationError, match="Budget 'cap' exhausted"):
            answer()
    (s,) = [s for s in genops_memory.finished_spans() if s.name == "chat"]
    assert s.attributes["genops.policy.result"] == "blocked"


def test_warn_and_record_never_block(genops_memory, clean_budgets, caplog):
    budgets.define("w", 0.0, enforcement="warn")
    budgets.define("r", 0.0, enforcement="record")
    spend(1.0)
    spend(1.0)
    assert budgets.status("w")["spend"] == 2.0
    assert budgets.status("r")["spend"] == 2.0


def threshold_spans(names):
    return [n for n in names if n == "genops.budget.threshold"]


def test_threshold_span_once_per_period(genops_memory, clean_budgets):
    budgets.define("t", 1.0, scope={"team": "ml"}, thresholds=[0.5, 1], enforcement="record")
    for _ in range(4):
        spend(0.4)
    spans = genops_memory.finished_spans()
    crossing = [s for s in spans if s.name == "genops.budget.threshold"]
    assert [s.attributes["genops.budget.threshold"] for s in crossing] == [0.5, 1.0]
    assert crossing[0].attributes["genops.budget.consumed"] == 0.8
    assert crossing[0].attributes["genops.budget.allocated"] == 1.0
    assert crossing[0].attributes["genops.team"] == "ml"
    assert set(semconv.GROUPS["budget_threshold"]) <= set(crossing[0].attributes)
    assert budgets.status("t")["thresholds_crossed"] == [0.5, 1.0]


def test_threshold_event_reaches_splunk_and_honeycomb_once(clean_budgets, monkeypatch):
    from hec_server import HecServer

    pytest.importorskip("msgpack")
    from honeycomb_server import CLASSIC_KEY, HoneycombServer

    available = genops.status()["available_exporters"]
    if "splunk" not in available or "honeycomb" not in available:
        pytest.skip("no Splunk or Honeycomb exporter in this build")
    for name in ("HONEYCOMB_API_KEY", "HONEYCOMB_DATASET", "OTEL_EXPORTER_OTLP_HEADERS"):
        monkeypatch.delenv(name, raising=False)
    with HecServer("secret-token") as hec, HoneycombServer(datasets={"genops-ai"}) as hc:
        monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", hc.url)
        monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
        genops.init(exporter_type="splunk", splunk_hec_endpoint=hec.base, splunk_hec_token="secret-token")
        budgets.define("alerts", 1.0, scope={"team": "ml"}, thresholds=[0.8], enforcement="record")
        for _ in range(5):
            spend(0.3)
        genops.flush(timeout=10)
        hec_events = [e["event"] for e in hec.events() if e["event"]["name"] == "genops.budget.threshold"]
        genops.init(exporter_type="honeycomb", service_name="budgets")
        budgets.reset("alerts")  # a new start of the period: the threshold may fire again
        for _ in range(5):
            spend(0.3)
        genops.flush(timeout=10)
        hc_spans = [
            s
            for r in hc.received()
            if r["path"] == "/v1/traces"
            for s in r["spans"]
            if s["name"] == "genops.budget.threshold"
        ]
    genops.init(exporter_type="none")
    assert len(hec_events) == 1
    assert hec_events[0]["genops.budget.name"] == "alerts"
    assert hec_events[0]["genops.budget.utilization"] == pytest.approx(90.0)
    assert len(hc_spans) == 1
    assert hc_spans[0]["values"]["genops.budget.id"] == "alerts"
    assert hc_spans[0]["values"]["genops.budget.threshold"] == 0.8


def test_four_processes_share_a_host_store(tmp_path, clean_budgets, genops_memory):
    """Forked workers (as gunicorn's are), each defining the budget as a new process
    would and recording 20,000 costs; the total is exact."""
    ops = 20000
    kids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                budgets.define("fleet", 1e6, scope={"team": "ml"}, store="host", state_dir=str(tmp_path))
                with genops.track("chat", team="ml") as span:
                    for i in range(ops):
                        span.record_cost(cost=(i % 7 + 1) * 0.0001)
                code = 0
            finally:
                os._exit(code)
        kids.append(pid)
    assert [os.waitpid(pid, 0)[1] for pid in kids] == [0, 0, 0, 0]
    budgets.define("fleet", 1e6, scope={"team": "ml"}, store="host", state_dir=str(tmp_path))
    want_nano = 4 * sum((i % 7 + 1) * 100000 for i in range(ops))
    assert budgets.status("fleet")["spend"] == want_nano / 1e9
    assert budgets.status("fleet")["store"] == "host"


def test_host_store_default_directory(tmp_path, monkeypatch, clean_budgets, genops_memory):
    monkeypatch.setenv("GENOPS_STATE_DIR", str(tmp_path / "state"))
    budgets.define("persisted", 5.0, store="host")
    spend(1.25)
    budgets.remove("persisted")
    budgets.define("persisted", 5.0, store="host")  # as the next process would
    assert budgets.status("persisted")["spend"] == 1.25
    assert (tmp_path / "state" / "budget-persisted.cell").stat().st_size == 128


def test_rate_limit_refuses_the_request_past_the_minutes_rate(genops_memory, clean_budgets):
    budgets.define_rate_limit("rpm", requests_per_minute=2, key="team")
    for _ in range(2):
        spend(0.01)
    ran = []
    with pytest.raises(PolicyViolationError) as info:
        with genops.track("chat", team="ml"):
            ran.append(1)
    assert ran == []
    assert info.value.policy_name == "rpm"
    assert info.value.reason == "Rate limit 'rpm' exceeded: 2 requests per minute for team=ml"
    spend(0.01, team="search")  # a bucket of its own
    (refused,) = [s for s in genops_memory.finished_spans() if s.status == "ERROR"]
    assert refused.attributes["genops.policy.result"] == "rate_limited"
    st = budgets.rate_limit_status("rpm", "ml")
    assert st["requests_available"] < 1  # refilling at 2 a minute since the last start
    assert (st["keys"], st["refused"]) == (2, 1)
    assert budgets.rate_limits() == ["rpm"]


def test_rate_limit_on_tokens(genops_memory, clean_budgets):
    budgets.define_rate_limit("tpm", tokens_per_minute=1000)
    with genops.track("chat", team="ml") as span:
        span.record_cost(cost=0.01, tokens_input=900, tokens_output=300)
    assert budgets.rate_limit_status("tpm")["tokens_available"] == pytest.approx(-200.0, abs=1.0)
    with pytest.raises(PolicyViolationError, match="1000 tokens per minute"):
        with genops.track("chat", team="other"):
            pass
    budgets.define_rate_limit("tpm", tokens_per_minute=1000, enforcement="record")  # replaced
    with genops.track("chat", team="other"):
        pass


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({}, "give requests_per_minute, tokens_per_minute or both"),
        ({"requests_per_minute": -1}, "requests_per_minute must be a number in"),
        ({"tokens_per_minute": "many"}, "tokens_per_minute must be a number"),
        ({"requests_per_minute": 5, "key": 3}, "key must be an attribute name"),
        ({"requests_per_minute": 5, "enforcement": "deny"}, "enforcement must be one of"),
        ({"requests_per_minute": 5, "max_keys": 0}, "max_keys must be an integer in"),
    ],
)
def test_rate_limit_bad_configuration(kwargs, words, clean_budgets):
    with pytest.raises(ConfigError, match=words):
        budgets.define_rate_limit("r", **kwargs)
    assert budgets.rate_limits() == []
