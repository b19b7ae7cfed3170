"""Honeycomb through the Python package against the strict local Honeycomb API
(tests/peers/honeycomb_server.py): init(exporter_type="honeycomb") and the guide's
configure_otlp_exporter (OTLP bodies decoded with the official OpenTelemetry classes),
create_marker, and validate_export_setup(provider="honeycomb"). HONEYCOMB_API_ENDPOINT
points at the local server, as the guide's variables would point at Honeycomb."""

from __future__ import annotations

import datetime
import io
import logging
import pathlib
import sys
from contextlib import redirect_stdout

import pytest

import genops
from genops._errors import RejectedError, TransportError
from genops.core.telemetry import GenOpsTelemetry
from genops.exporters.honeycomb import create_marker
from genops.exporters.otlp import configure_otlp_exporter
from genops.exporters.validation import print_validation_result, validate_export_setup

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
pytest.importorskip("msgpack")
from honeycomb_server import (  # noqa: E402
    CLASSIC_KEY,
    ENVIRONMENT_KEY,
    EVENTS_ONLY_KEY,
    HoneycombServer,
)
from peer import free_port  # noqa: E402

BAD_KEY = "ffffffffffffffffffffffffffffffff"


@pytest.fixture
def hc(monkeypatch):
    for name in ("HONEYCOMB_API_KEY", "HONEYCOMB_DATASET", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    with HoneycombServer(datasets={"genops-ai", "genops-prod"}) as server:
        monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", server.url)
        yield server
    genops.init(exporter_type="none")


def record_one():
    with genops.track_enhanced(
        operation_name="ai.chat.completion", customer_id="enterprise-abc", team="ml"
    ) as span:
        GenOpsTelemetry().record_cost(
            span, provider="openai", model="gpt-4", total_cost=0.0325, input_tokens=150
        )
    genops.flush(timeout=10)


def traces(server):
    return [r for r in server.received() if r["path"] == "/v1/traces"]


def test_init_honeycomb_with_a_classic_key_sends_the_dataset(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    genops.init(exporter_type="honeycomb", service_name="support-ai")
    record_one()
    (req,) = traces(hc)
    assert req["answer"] == 200, req["error"]
    assert req["headers"]["x-honeycomb-team"] == CLASSIC_KEY
    assert req["headers"]["x-honeycomb-dataset"] == "genops-ai"  # the default
    assert req["headers"]["content-type"] == "application/x-protobuf"
    (span,) = req["spans"]
    assert span["name"] == "ai.chat.completion"
    assert span["values"]["genops.cost.total"] == 0.0325
    assert span["values"]["genops.cost.provider"] == "openai"
    assert span["values"]["genops.customer_id"] == "enterprise-abc"
    assert genops.status()["stats"]["spans_exported"] == 1


def test_init_honeycomb_with_an_environment_key_routes_by_service_name(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    monkeypatch.setenv("HONEYCOMB_DATASET", "genops-prod")  # ignored: environments route by service
    genops.init(exporter_type="honeycomb", service_name="support-ai")
    record_one()
    (req,) = traces(hc)
    assert "x-honeycomb-dataset" not in req["headers"]
    assert req["dataset"] == "support-ai"


def test_init_honeycomb_arguments_win_and_an_unknown_key_is_rejected(hc):
    genops.init(
        exporter_type="honeycomb",
        honeycomb_api_key=BAD_KEY,
        honeycomb_dataset="genops-prod",
        service_name="s",
    )
    record_one()
    (req,) = [r for r in hc.received()]
    assert req["answer"] == 401
    assert req["headers"]["x-honeycomb-dataset"] == "genops-prod"
    stats = genops.status()["stats"]
    assert stats["dropped_rejected"] == 1 and stats["spans_exported"] == 0


def test_429_with_retry_after_is_retried(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    hc.script([{"status": 429, "retry_after": "1", "message": "rate limited"}])
    genops.init(exporter_type="honeycomb", service_name="s")
    record_one()
    answers = [r["answer"] for r in traces(hc)]
    assert answers == [429, 200]
    assert genops.status()["stats"]["spans_exported"] == 1


def test_bad_settings_are_config_errors_that_never_show_the_key(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", "secret-value with-space")
    with pytest.raises(genops.ConfigError, match="HONEYCOMB_API_KEY has a space") as info:
        genops.init(exporter_type="honeycomb")
    assert "secret-value" not in str(info.value)
    monkeypatch.delenv("HONEYCOMB_API_KEY")
    with pytest.raises(genops.ConfigError, match="HONEYCOMB_API_KEY not set"):
        genops.init(exporter_type="honeycomb")
    with pytest.raises(genops.ConfigError, match="honeycomb_dataset must be a str"):
        genops.init(exporter_type="honeycomb", honeycomb_api_key=CLASSIC_KEY, honeycomb_dataset=3)


def test_the_guides_pattern_1_gets_the_dataset_for_a_classic_key(hc, monkeypatch, caplog):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    monkeypatch.setenv("HONEYCOMB_DATASET", "genops-prod")
    import os

    caplog.set_level(logging.INFO, logger="genops")
    configure_otlp_exporter(
        endpoint=hc.url + "/v1/traces", headers={"X-Honeycomb-Team": os.getenv("HONEYCOMB_API_KEY")}
    )
    genops.auto_instrument()
    record_one()
    (req,) = traces(hc)
    assert req["answer"] == 200, req["error"]
    assert req["headers"]["x-honeycomb-dataset"] == "genops-prod"
    text = caplog.text
    assert "classic configuration key" in text
    assert CLASSIC_KEY not in text  # the kind is logged, never the key


def test_pattern_1_with_a_classic_key_and_no_dataset_is_refused_by_the_strict_server(hc):
    configure_otlp_exporter(endpoint=hc.url + "/v1/traces", headers={"X-Honeycomb-Team": CLASSIC_KEY})
    record_one()
    (req,) = traces(hc)
    assert req["answer"] == 400
    assert genops.status()["stats"]["dropped_rejected"] == 1


def test_create_marker(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    start = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)
    marker_id = create_marker(
        "Switched to Claude 3.5 Sonnet for analysis feature",
        url="https://github.com/acme/ai-platform/pull/456",
        start_time=start,
        end_time=start.timestamp() + 60,
    )
    (req,) = hc.received()
    assert req["path"] == "/1/markers/genops-ai"
    assert req["headers"]["content-type"] == "application/json"
    assert marker_id == req["marker"]["id"] and marker_id.startswith("mk")
    assert req["marker"]["type"] == "deploy"
    assert req["marker"]["url"] == "https://github.com/acme/ai-platform/pull/456"
    assert req["marker"]["start_time"] == int(start.timestamp())
    assert req["marker"]["end_time"] == int(start.timestamp()) + 60
    # A dataset name is URL-encoded; "__all__" needs an environment key.
    assert create_marker("config change", type="config", dataset="genops-prod")
    assert create_marker("env-wide", dataset="__all__", api_key=ENVIRONMENT_KEY)
    assert [r["dataset"] for r in hc.received()] == ["genops-ai", "genops-prod", "__all__"]


def test_create_marker_errors_are_clear(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", BAD_KEY)
    with pytest.raises(RejectedError, match="401 Unauthorized.*unknown API key"):
        create_marker("deploy")
    with pytest.raises(RejectedError, match="dataset 'no-such' not found \\(404\\)"):
        create_marker("deploy", dataset="no-such", api_key=CLASSIC_KEY)
    with pytest.raises(RejectedError, match="401"):
        create_marker("deploy", api_key=EVENTS_ONLY_KEY)
    with pytest.raises(genops.ConfigError, match="end_time is before start_time"):
        create_marker("deploy", api_key=CLASSIC_KEY, start_time=2000, end_time=1000)
    with pytest.raises(genops.ConfigError, match="aware datetime"):
        create_marker("deploy", api_key=CLASSIC_KEY, start_time=datetime.datetime(2026, 1, 1))
    with pytest.raises(TransportError, match="no answer"):
        create_marker("deploy", api_key=CLASSIC_KEY, api_endpoint=f"http://127.0.0.1:{free_port()}")


def printed(result) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        print_validation_result(result)
    return out.getvalue()


def test_validation_with_a_good_key(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    result = validate_export_setup(provider="honeycomb")
    assert result.passed, result.checks
    assert result.details["team"] == "GenOps Test Team"
    assert result.details["environment"] == "Production"
    assert result.details["key kind"] == "environment ingest key"
    names = {c["name"]: c for c in result.checks}
    assert names["Send events"]["passed"] and names["Markers"]["passed"]
    assert "All checks passed" in printed(result)
    assert [r["path"] for r in hc.received()] == ["/1/auth"]


def test_validation_reports_what_the_key_may_not_do(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", EVENTS_ONLY_KEY)
    result = validate_export_setup(provider="honeycomb")
    assert result.passed  # sending is what export needs
    assert any("may not create markers" in c["message"] for c in result.checks)


def test_validation_with_a_bad_key_fails(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", BAD_KEY)
    result = validate_export_setup(provider="honeycomb")
    assert not result.passed
    text = printed(result)
    assert "Authentication failed (401 Unauthorized)" in text
    assert BAD_KEY not in text


def test_validation_of_an_unreachable_endpoint_or_bad_settings_fails(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    result = validate_export_setup(provider="honeycomb")
    assert not result.passed
    assert "not reachable" in printed(result)
    monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", "api.honeycomb.io")
    assert not validate_export_setup(provider="honeycomb").passed
    monkeypatch.setenv("HONEYCOMB_API_ENDPOINT", hc.url)
    monkeypatch.setenv("HONEYCOMB_DATASET", " spaced ")
    result = validate_export_setup(provider="honeycomb")
    assert not result.passed and "spaces around it" in printed(result)
    monkeypatch.delenv("HONEYCOMB_API_KEY")
    assert "HONEYCOMB_API_KEY: Not set" in printed(validate_export_setup(provider="honeycomb"))


def test_validation_that_did_not_check_the_key_does_not_pass(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    result = validate_export_setup(provider="honeycomb", check_connectivity=False)
    assert not result.passed
    assert any(c["passed"] is None and "not checked" in c["message"] for c in result.checks)
    text = printed(result)
    assert "All checks passed" not in text and "not everything was checked" in text
    assert hc.received() == []


def test_a_reset_connection_is_retried(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    hc.script([{"reset": True}])
    genops.init(exporter_type="honeycomb", service_name="s")
    record_one()
    assert [r["answer"] for r in traces(hc)] == ["reset", 200]
    assert genops.status()["stats"]["spans_exported"] == 1


def batches(server):
    return [r for r in server.received() if r["path"].startswith("/1/batch/")]


def record_three():
    for i in range(3):
        with genops.track_enhanced(operation_name=f"op{i}", customer_id="acme") as span:
            GenOpsTelemetry().record_cost(span, provider="openai", model="gpt-4", total_cost=0.01 * (i + 1))
    genops.flush(timeout=10)


def test_events_api_sends_msgpack_batches(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    monkeypatch.setenv("HONEYCOMB_DATASET", "genops prod")
    genops.init(
        exporter_type="honeycomb-events", service_name="support-ai", exporter_options={"compression": "gzip"}
    )
    record_three()
    (req,) = batches(hc)
    assert req["path"] == "/1/batch/genops%20prod" and req["dataset"] == "genops prod"
    assert req["headers"]["content-type"] == "application/msgpack"
    assert req["headers"]["content-encoding"] == "gzip"
    assert req["statuses"] == [{"status": 202}] * 3
    data = sorted((e["data"] for e in req["events"]), key=lambda d: d["name"])
    assert [d["genops.cost.total"] for d in data] == [0.01, 0.02, 0.03]
    assert all(d["service.name"] == "support-ai" and d["status"] == "success" for d in data)
    assert all(isinstance(d["duration_ms"], float) for d in data)
    assert genops.status()["stats"]["spans_exported"] == 3


def test_events_api_sends_zstd_by_default_or_as_told(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    genops.init(exporter_type="honeycomb-events", service_name="support-ai")  # libhoney-go's default
    record_three()
    assert [r["headers"].get("content-encoding") for r in batches(hc)] == ["zstd"]
    hc.reset()
    genops.init(exporter_type="honeycomb-events", exporter_options={"compression": "none"})
    record_three()
    (plain,) = batches(hc)
    assert "content-encoding" not in plain["headers"] and plain["statuses"] == [{"status": 202}] * 3
    hc.reset()
    genops.init(
        exporter_type="honeycomb-events", service_name="support-ai", exporter_options={"compression": "zstd"}
    )
    record_three()
    (req,) = batches(hc)
    assert req["headers"]["content-encoding"] == "zstd"
    assert req["statuses"] == [{"status": 202}] * 3
    # A zstd body that PyPI zstandard read back into the three events, smaller than the
    # msgpack it holds.
    assert req["wire_bytes"] < req["body_bytes"]
    assert sorted(e["data"]["genops.cost.total"] for e in req["events"]) == [0.01, 0.02, 0.03]
    assert genops.status()["stats"]["spans_exported"] == 3


def test_zstd_is_for_the_events_api_only(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    with pytest.raises(genops.ConfigError, match="compression is zstd, which only the Events API takes"):
        genops.init(exporter_type="honeycomb", exporter_options={"compression": "zstd"})
    with pytest.raises(genops.ConfigError, match="compression"):
        genops.init(exporter_type="otlp", exporter_options={"compression": "zstd"})


def test_the_strict_server_refuses_what_it_cannot_decode(hc):
    import urllib.error
    import urllib.request

    def post(path, encoding, body):
        headers = {"X-Honeycomb-Team": ENVIRONMENT_KEY, "Content-Type": "application/msgpack"}
        if encoding:
            headers["Content-Encoding"] = encoding
        req = urllib.request.Request(hc.url + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    import msgpack
    import zstandard

    events = msgpack.packb([{"data": {"name": "x"}}])
    assert post("/1/batch/genops-ai", "zstd", zstandard.ZstdCompressor().compress(events)) == 200
    assert post("/1/batch/genops-ai", "br", events) == 400
    assert post("/1/batch/genops-ai", "zstd", b"not zstd at all") == 400
    assert post("/v1/traces", "zstd", zstandard.ZstdCompressor().compress(b"")) == 400
    errors = [r["error"] for r in hc.received() if r["answer"] == 400]
    assert errors[0] == "unsupported Content-Encoding 'br'"
    assert errors[1].startswith("cannot decode the zstd body")
    assert errors[2] == "unsupported Content-Encoding 'zstd'"


def test_events_api_counts_a_refused_event_and_resends_only_what_can_succeed(hc, monkeypatch, caplog):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    caplog.set_level(logging.ERROR, logger="genops")
    # Event 0 refused for good, event 2 told to come back (429 for that event only).
    hc.script([{"reject": {"0": "too many columns"}, "again": [2]}])
    genops.init(exporter_type="honeycomb-events", service_name="s")
    record_three()
    first, second = batches(hc)
    assert [s["status"] for s in first["statuses"]] == [400, 202, 429]
    assert len(second["events"]) == 1  # only the 429 one again, never the accepted one
    assert second["events"][0]["data"]["name"] == first["sent"][2]["data"]["name"]
    stats = genops.status()["stats"]
    assert stats["spans_exported"] == 2 and stats["dropped_rejected"] == 1
    assert "refused 1 of 3 events in an accepted batch: too many columns" in caplog.text


def test_events_api_retries_429_and_rejects_an_unknown_key(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    hc.script([{"status": 429, "retry_after": "1"}])
    genops.init(exporter_type="honeycomb-events", service_name="s")
    record_three()
    assert [r["answer"] for r in batches(hc)] == [429, 200]
    assert genops.status()["stats"]["spans_exported"] == 3
    hc.reset()
    genops.init(exporter_type="honeycomb-events", honeycomb_api_key=BAD_KEY, service_name="s")
    record_three()
    assert [r["answer"] for r in hc.received()] == [401]
    assert genops.status()["stats"]["dropped_rejected"] == 3


def test_events_api_lifts_sample_rate_to_the_events_samplerate(hc, monkeypatch):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    genops.init(exporter_type="honeycomb-events", service_name="s")
    rates = {"kept": 10, "zero": 0, "text": "10"}  # only a positive int is a sample rate
    for name, rate in rates.items():
        with genops.track_enhanced(operation_name=name) as span:
            span.set_attribute("SampleRate", rate)
    genops.flush(timeout=10)
    (req,) = batches(hc)
    assert req["statuses"] == [{"status": 202}] * 3
    events = {e["data"]["name"]: e for e in req["events"]}
    assert events["kept"]["samplerate"] == 10 and "SampleRate" not in events["kept"]["data"]
    for name in ("zero", "text"):
        assert "samplerate" not in events[name] and events[name]["data"]["SampleRate"] == rates[name]


def test_sampled_spans_reach_honeycomb_with_their_samplerate(hc, monkeypatch):
    """init(sampling_rate=0.1): a kept span's SampleRate (docs/sampling.md) is the Events
    API's samplerate and the OTLP span's SampleRate attribute; a blocked-policy span of a
    left-out trace is there too, at 1 (no samplerate)."""
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    for kind in ("honeycomb-events", "honeycomb"):
        hc.reset()
        genops.init(exporter_type=kind, service_name="s", sampling_rate=0.1)
        for _ in range(200):
            with genops.track_enhanced(operation_name="op"):
                pass
        with genops.track_enhanced(operation_name="blocked") as span:
            span.record_policy("p", policy_result="blocked")
        genops.flush(timeout=10)
        exported = genops.status()["stats"]["spans_exported"]
        if kind == "honeycomb-events":
            events = [e for r in batches(hc) for e in r["events"]]
            assert len(events) == exported >= 2
            assert {e.get("samplerate") for e in events if e["data"]["name"] == "op"} == {10}
            (blocked,) = [e for e in events if e["data"]["name"] == "blocked"]
            assert "samplerate" not in blocked and "SampleRate" not in blocked["data"]
        else:
            spans = [s for r in traces(hc) for s in r["spans"]]
            assert len(spans) == exported >= 2
            assert {s["values"].get("SampleRate") for s in spans if s["name"] == "op"} == {10}
    genops.init(exporter_type="none")


def test_events_api_never_sends_an_event_over_the_1_mb_limit(hc, monkeypatch, caplog):
    monkeypatch.setenv("HONEYCOMB_API_KEY", CLASSIC_KEY)
    caplog.set_level(logging.ERROR, logger="genops")
    genops.init(exporter_type="honeycomb-events", service_name="s")
    for i in range(5):
        with genops.track_enhanced(operation_name=f"op{i}") as span:
            if i == 2:  # alone over Honeycomb's 1 MB event limit
                span.set_attribute("prompt", "x" * 1_000_001)
    genops.flush(timeout=10)
    sent = [e["data"]["name"] for r in batches(hc) for e in r["sent"]]
    assert sorted(sent) == ["op0", "op1", "op3", "op4"]  # the big one never left
    assert all(s["status"] == 202 for r in batches(hc) for s in r["statuses"])
    stats = genops.status()["stats"]
    assert stats["spans_exported"] == 4 and stats["dropped_rejected"] == 1
    assert "one event is larger than a request may be; it is dropped" in caplog.text


def by_dataset(server):
    out: dict[str, list[str]] = {}
    for r in batches(server):
        out.setdefault(r["dataset"], []).extend(sorted(e["data"]["name"] for e in r["events"]))
    return out


def record_classified():
    for name, cls in (("a", "pii"), ("b", "public"), ("c", "pii-phone"), ("d", None)):
        with genops.track_enhanced(operation_name=name) as span:
            if cls:
                span.set_attribute("genops.data.classification", cls)
    genops.flush(timeout=10)


def test_multi_dataset_export_with_the_guides_predicates(hc, monkeypatch):
    from genops.exporters.otlp import configure_multi_dataset_export

    monkeypatch.setenv("HONEYCOMB_API_KEY", ENVIRONMENT_KEY)
    configure_multi_dataset_export(
        api_key=ENVIRONMENT_KEY,
        datasets={
            "pii": lambda attrs: "pii" in attrs.get("genops.data.classification", ""),
            "non-pii": lambda attrs: "pii" not in attrs.get("genops.data.classification", ""),
        },
    )
    record_classified()
    assert by_dataset(hc) == {"pii": ["a", "c"], "non-pii": ["b", "d"]}
    sent = [e["data"] for r in batches(hc) for e in r["sent"]]
    assert all("genops.internal.datasets" not in d for d in sent)  # read and stripped
    assert genops.status()["stats"]["spans_exported"] == 4


def test_multi_dataset_export_with_native_rules_and_a_default(hc, monkeypatch):
    from genops.exporters.otlp import configure_multi_dataset_export

    configure_multi_dataset_export(
        api_key=CLASSIC_KEY,
        datasets={
            "pii": {"attribute": "genops.data.classification", "prefix": "pii"},
            "public": [{"attribute": "genops.data.classification", "in": ["public", "open"]}],
            "all-classified": {"attribute": "genops.data.classification", "exists": True},
            "other": {"default": True},
        },
    )
    record_classified()
    assert by_dataset(hc) == {
        "pii": ["a", "c"],
        "public": ["b"],
        "all-classified": ["a", "b", "c"],
        "other": ["d"],
    }
    assert genops.status()["stats"]["spans_exported"] == 4


def test_multi_dataset_status_names_each_dataset_with_its_counts(hc, caplog):
    from genops.exporters.otlp import configure_multi_dataset_export

    caplog.set_level(logging.ERROR, logger="genops")
    configure_multi_dataset_export(
        api_key=CLASSIC_KEY,
        datasets={
            "pii": {"attribute": "genops.data.classification", "prefix": "pii"},
            "all-classified": {"attribute": "genops.data.classification", "exists": True},
            "other": {"default": True},
        },
    )
    # The first request is pii's (datasets are sent in the order the rules name them):
    # Honeycomb refuses its first event, so one copy of span "a" is lost there only.
    hc.script([{"reject": {"0": "too many columns"}}])
    record_classified()
    (router,) = genops.status()["exporter_stats"]
    assert router["type"] == "honeycomb-router"
    datasets = {d["name"]: d for d in router["datasets"]}
    assert list(datasets) == ["pii", "all-classified", "other"]
    counts = {n: (d["exported"], d["dropped_rejected"], d["batches"]) for n, d in datasets.items()}
    assert counts == {"pii": (1, 1, 1), "all-classified": (3, 0, 1), "other": (1, 0, 1)}
    assert all(d["type"] == "honeycomb-events" for d in datasets.values())
    assert all(d["endpoint"].startswith(hc.url) for d in datasets.values())
    assert datasets["pii"]["bytes_sent"] > 0 and datasets["pii"]["last_status"] != 0
    assert "too many columns" in datasets["pii"]["last_error"]
    assert datasets["other"]["last_error"] == ""
    # The router's own counts are per span: a lost copy makes its span not exported.
    assert (router["exported"], router["dropped_rejected"]) == (3, 1)


def test_multi_dataset_export_bad_rules_are_config_errors(hc):
    from genops._errors import ConfigError
    from genops.exporters.otlp import configure_multi_dataset_export

    for datasets in (
        {},
        {"x": {"attribute": "k"}},
        {"x": {"attribute": "k", "equals": "a", "prefix": "b"}},
        {"x": {"default": True}, "y": {"default": True}},
        {"x": lambda a: True, "y": {"default": True}},
        {"x": {"atribute": "k", "equals": "a"}},
    ):
        with pytest.raises(ConfigError):
            configure_multi_dataset_export(api_key=CLASSIC_KEY, datasets=datasets)
