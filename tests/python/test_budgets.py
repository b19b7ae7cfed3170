"""genops.budgets: define / status / list / reset / remove, bad configuration, block
enforcement at the start of track / track_enhanced / trace_operation and under
enforce_policy, the threshold span at the local Splunk HEC and Honeycomb servers once
per period, 4 processes sharing a host store with an exact total, and rate limits
(requests and tokens per minute per key) refusing operations at their start."""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import pytest

import genops
from genops import budgets, semconv
from genops.core.policy import PolicyViolationError, enforce_policy
from genops.core.telemetry import GenOpsTelemetry
from genops.errors import ConfigError

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from peer import free_port  # noqa: E402


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
        ({"store": "redis://"}, "store must be"),
        ({"store": "redis://127.0.0.1:99999/0"}, "store must be"),
        ({"store": "redis://user@127.0.0.1/0"}, "store must be"),
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


def fork_workers(workers, ops, **define):
    """Forked workers (as gunicorn's are), each defining budget "fleet" as a new process
    would, recording ops costs and removing it (a redis store sends what is pending);
    their exit statuses, and the exact total they recorded in nano-units."""
    kids = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                budgets.define("fleet", 1e6, scope={"team": "ml"}, **define)
                with genops.track("chat", team="ml") as span:
                    for i in range(ops):
                        span.record_cost(cost=(i % 7 + 1) * 0.0001)
                budgets.remove("fleet")
                code = 0
            finally:
                os._exit(code)
        kids.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in kids]
    return statuses, workers * sum((i % 7 + 1) * 100000 for i in range(ops))


def test_four_processes_share_a_host_store(tmp_path, clean_budgets, genops_memory):
    statuses, want_nano = fork_workers(4, 20000, store="host", state_dir=str(tmp_path))
    assert statuses == [0, 0, 0, 0]
    budgets.define("fleet", 1e6, scope={"team": "ml"}, store="host", state_dir=str(tmp_path))
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


# ---- the redis store: a real redis-server on 127.0.0.1, started here ----------------

REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS is None, reason="redis-server is not installed (tools/apt-packages.txt)"
)


class RedisServer:
    """redis-server on 127.0.0.1:port, no persistence, for one test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)

    def get(self, key: str) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(f"*2\r\n$3\r\nGET\r\n${len(key)}\r\n{key}\r\n".encode())
            reply = s.recv(4096).decode()
        if reply.startswith("$-1"):
            return 0
        return int(reply.split("\r\n")[1])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _day_key(name: str) -> str:
    return f"genops:budget:{name}:{int(time.time()) // 86400}"


@needs_redis
def test_four_processes_share_a_redis_store(clean_budgets, genops_memory):
    server = RedisServer(free_port())
    try:
        url = f"redis://127.0.0.1:{server.port}/0"
        statuses, want_nano = fork_workers(4, 5000, store=url)
        assert statuses == [0, 0, 0, 0]
        assert server.get(_day_key("fleet")) == want_nano
        budgets.define("fleet", 1e6, scope={"team": "ml"}, store=url)
        st = budgets.status("fleet")
        assert (st["spend"], st["store"]) == (want_nano / 1e9, "redis")
    finally:
        server.stop()


@needs_redis
def test_redis_unreachable_counts_locally_then_reconciles(clean_budgets, genops_memory, caplog):
    port = free_port()
    budgets.define("later", 10.0, store=f"redis://127.0.0.1:{port}/0")
    spend(1.5)
    assert budgets.status("later")["spend"] == 1.5  # counted here meanwhile
    server = RedisServer(port)
    try:
        deadline = time.monotonic() + 10
        while server.get(_day_key("later")) != 1_500_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.get(_day_key("later")) == 1_500_000_000
        spend(0.5)
        budgets.status("later")
        assert server.get(_day_key("later")) == 2_000_000_000
        warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        server.stop()


@needs_redis
def test_redis_store_defined_before_fork(clean_budgets, genops_memory):
    """gunicorn --preload: the budget is defined in the parent, the workers fork from
    it; each worker's store starts its own connection and thread."""
    server = RedisServer(free_port())
    try:
        budgets.define("preloaded", 100.0, store=f"redis://127.0.0.1:{server.port}/0")
        spend(1.0)
        budgets.status("preloaded")  # the parent's 1.0 is in Redis
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                spend(2.0)
                code = 0 if budgets.status("preloaded")["spend"] == 3.0 else 2
            finally:
                os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        assert server.get(_day_key("preloaded")) == 3_000_000_000
        assert budgets.status("preloaded")["spend"] == 3.0  # the child's 2.0 seen here
    finally:
        server.stop()
