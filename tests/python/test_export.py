"""End to end through the real exporters, on 127.0.0.1: what genops-ai's API records,
decoded from OTLP/protobuf (the official opentelemetry-proto classes), OTLP/JSON and
Splunk HEC events, plus configure_otlp_exporter / configure_multi_backend_export."""

from __future__ import annotations

import json
import pathlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import genops
from genops.core.telemetry import GenOpsTelemetry
from genops.exporters.otlp import configure_multi_backend_export, configure_otlp_exporter

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402
from otlp_server import any_value  # noqa: E402

available = genops.status()["available_exporters"]
pytestmark = pytest.mark.skipif("otlp" not in available, reason="no OTLP exporter in this build")
trace_service_pb2 = pytest.importorskip("opentelemetry.proto.collector.trace.v1.trace_service_pb2")


class Collector:
    """Keeps every request's path, headers and body; answers 200 with an empty
    ExportTraceServiceResponse (protobuf or JSON, as asked)."""

    def __init__(self):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                as_json = self.headers.get("Content-Type", "").startswith("application/json")
                reply = b"{}" if as_json else b""
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if as_json else "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def spans(self):
        """Every span received, as {name, attributes, parent, status, events, resource}."""
        out = []
        for _, headers, body in self.requests:
            if headers.get("content-type", "").startswith("application/json"):
                out += _spans_from_json(json.loads(body))
                continue
            req = trace_service_pb2.ExportTraceServiceRequest()
            req.ParseFromString(body)
            for rs in req.resource_spans:
                resource = {a.key: any_value(a.value) for a in rs.resource.attributes}
                for ss in rs.scope_spans:
                    for s in ss.spans:
                        out.append(
                            {
                                "name": s.name,
                                "span_id": s.span_id.hex(),
                                "parent": s.parent_span_id.hex() or None,
                                "attributes": {a.key: any_value(a.value) for a in s.attributes},
                                "status": (s.status.code, s.status.message),
                                "events": [
                                    (e.name, {a.key: any_value(a.value) for a in e.attributes})
                                    for e in s.events
                                ],
                                "resource": resource,
                            }
                        )
        return out


def _json_any(v):
    ((kind, x),) = v.items()
    if kind == "intValue":
        return int(x)
    if kind == "arrayValue":
        return tuple(_json_any(i) for i in x.get("values", []))
    return x


def _spans_from_json(doc):
    out = []
    for rs in doc["resourceSpans"]:
        resource = {a["key"]: _json_any(a["value"]) for a in rs["resource"]["attributes"]}
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                out.append(
                    {
                        "name": s["name"],
                        "span_id": s["spanId"],
                        "parent": s.get("parentSpanId") or None,
                        "attributes": {a["key"]: _json_any(a["value"]) for a in s.get("attributes", [])},
                        "status": (
                            s.get("status", {}).get("code", 0),
                            s.get("status", {}).get("message", ""),
                        ),
                        "events": [
                            (e["name"], {a["key"]: _json_any(a["value"]) for a in e.get("attributes", [])})
                            for e in s.get("events", [])
                        ],
                        "resource": resource,
                    }
                )
    return out


def record_the_workload():
    """One of each rule, nested, plus a failing operation."""
    telemetry = GenOpsTelemetry()
    genops.set_default_attributes(team="platform")
    with genops.track_enhanced(operation_name="chat", customer_id="acme", feature="support") as span:
        span.record_cost(cost=0.02, provider="openai", model="gpt-4", tokens_input=150, tokens_output=50)
        telemetry.record_policy(span, "pii", result="blocked", metadata={"confidence": 0.9})
        with genops.track("retrieval", operation_type="ai.retrieval") as child:
            telemetry.record_budget(child, "daily", budget_limit=100, budget_used=40)
            child.record_evaluation("relevance", 0.8, threshold=0.5, passed=True)
    with pytest.raises(RuntimeError):
        with genops.track("failing"):
            raise RuntimeError("backend down")
    genops.flush(timeout=10)
    genops.clear_default_attributes()


def check_the_workload(spans):
    by_name = {s["name"]: s for s in spans}
    assert set(by_name) == {"chat", "retrieval", "failing"}
    chat, retrieval, failing = by_name["chat"], by_name["retrieval"], by_name["failing"]
    a = chat["attributes"]
    assert a["genops.operation.name"] == "chat"
    assert a["genops.operation.type"] == "ai.inference"
    assert a["genops.team"] == "platform"
    assert a["genops.customer_id"] == "acme"
    assert a["genops.cost.total"] == 0.02
    assert a["genops.cost.currency"] == "USD"
    assert a["genops.tokens.total"] == 200
    assert a["genops.policy.result"] == "blocked"
    assert a["genops.policy.metadata.confidence"] == 0.9
    assert chat["status"][0] == 1  # OK
    b = retrieval["attributes"]
    assert b["genops.operation.type"] == "ai.retrieval"
    assert b["genops.budget.remaining"] == 60
    assert b["genops.budget.utilization_percent"] == 40.0
    assert b["genops.eval.passed"] is True
    assert retrieval["parent"] == chat["span_id"]
    assert failing["status"] == (2, "backend down")
    assert failing["events"][0][0] == "exception"
    assert failing["events"][0][1]["exception.type"] == "RuntimeError"
    assert chat["resource"]["service.name"] == "export-test"


def test_otlp_protobuf_decoded_by_the_official_classes():
    with Collector() as c:
        genops.init(exporter_type="otlp", otlp_endpoint=c.base, service_name="export-test")
        record_the_workload()
        paths = {p for p, _, _ in c.requests}
        headers = c.requests[0][1]
        spans = c.spans()
    assert paths == {"/v1/traces"}  # a URL without a path gets /v1/traces
    assert headers["content-type"] == "application/x-protobuf"
    check_the_workload(spans)


def test_otlp_json():
    with Collector() as c:
        genops.init(
            exporter_type="otlp-json",
            otlp_endpoint=c.base + "/custom/path",
            otlp_headers={"X-Honeycomb-Team": "key"},
            service_name="export-test",
        )
        record_the_workload()
        path, headers, _ = c.requests[0]
        spans = c.spans()
    assert path == "/custom/path"  # a URL with a path is used as is
    assert headers["content-type"] == "application/json"
    assert headers["x-honeycomb-team"] == "key"
    check_the_workload(spans)


def test_configure_otlp_exporter_then_auto_instrument_keeps_it():
    with Collector() as c:
        configure_otlp_exporter(
            endpoint=c.base + "/v1/traces", headers={"X-Honeycomb-Team": "k"}, service_name="export-test"
        )
        genops.auto_instrument()  # the guides' order: it must not replace the exporter
        record_the_workload()
        spans = c.spans()
    check_the_workload(spans)
    assert genops.status()["exporters"] == ["otlp"]


def test_configure_multi_backend_export_fans_out():
    with Collector() as a, Collector() as b:
        configure_multi_backend_export(
            [
                {"name": "honeycomb", "endpoint": a.base, "headers": {"X-Honeycomb-Team": "k"}},
                {"name": "collector", "endpoint": b.base + "/v1/traces", "protocol": "http/json"},
            ],
            service_name="export-test",
        )
        record_the_workload()
        spans_a, spans_b = a.spans(), b.spans()
    check_the_workload(spans_a)
    check_the_workload(spans_b)
    with pytest.raises(genops.ConfigError):
        configure_multi_backend_export([{"name": "x"}])


def test_status_shows_each_exporters_figures(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "500")  # the dead one gives up soon
    with Collector() as live:
        configure_multi_backend_export(
            [
                {"name": "collector", "endpoint": live.base + "/v1/traces"},
                {"name": "dead", "endpoint": "http://u:hunter2pw@127.0.0.1:9/v1/traces?token=abc123"},
            ],
            service_name="export-test",
        )
        record_the_workload()
        genops.flush(10)
        per = genops.status()["exporter_stats"]
    assert [e["type"] for e in per] == ["otlp", "otlp"]
    assert per[0]["exported"] == 3 and per[0]["last_error"] == "" and per[0]["last_status"] == 0
    dead = per[1]
    assert "hunter2pw" not in str(dead) and "abc123" not in str(dead)
    assert "127.0.0.1:9/v1/traces" in dead["endpoint"]
    assert dead["exported"] == 0 and dead["dropped_export_failed"] == 3
    assert "sending failed" in dead["last_error"] and dead["last_error_unix_ns"] > 0
    assert genops.status()["stats"]["spans_exported"] == 0  # not every exporter has them


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_splunk_hec_events():
    with HecServer("secret-token") as hec:
        genops.init(
            exporter_type="splunk",
            splunk_hec_endpoint=hec.base,
            splunk_hec_token="secret-token",
            splunk_index="genops_ai",
            service_name="export-test",
        )
        record_the_workload()
        events = hec.events()
    spans = [
        {
            "name": e["event"]["name"],
            "span_id": e["event"]["span_id"],
            "parent": e["event"].get("parent_span_id"),
            "attributes": {k: (tuple(v) if isinstance(v, list) else v) for k, v in e["event"].items()},
            "status": e["event"]["status"],
            "events": [],
            "resource": {"service.name": e["event"]["service.name"]},
        }
        for e in events
    ]
    by_name = {s["name"]: s for s in spans}
    assert by_name["chat"]["attributes"]["genops.cost.total"] == 0.02
    assert by_name["chat"]["attributes"]["genops.team"] == "platform"
    assert by_name["retrieval"]["attributes"]["genops.budget.remaining"] == 60
    assert by_name["failing"]["status"] == "ERROR"
    assert all(e["index"] == "genops_ai" for e in events)


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_the_splunk_guides_otlp_init_reaches_hec_unchanged():
    # The Splunk guide's configuration: exporter_type="otlp" pointed at HEC's raw
    # endpoint with a Splunk token header. init() asks genops_exporter_for_endpoint,
    # which recognises HEC and builds an exporter that sends it events it can index;
    # status() names what was built.
    with HecServer("your-hec-token") as hec:
        genops.init(
            service_name="customer-support-ai",
            exporter_type="otlp",
            otlp_endpoint=f"{hec.base}/services/collector/raw",
            otlp_headers={"Authorization": "Splunk your-hec-token"},
            default_team="customer-support",
            default_project="chat-assistant",
        )
        telemetry = GenOpsTelemetry()
        with genops.core.track_enhanced(
            operation_name="ai.chat.completion", customer_id="enterprise-abc", feature="support-chat"
        ) as span:
            telemetry.record_cost(
                span, provider="openai", model="gpt-4", input_tokens=150, output_tokens=50, total_cost=0.0325
            )
        genops.flush(timeout=10)
        (event,) = hec.events()
        assert genops.status()["exporters"] == [
            "splunk-hec (chosen for an OTLP endpoint at /services/collector/raw)"
        ]
    fields = event["event"]
    assert fields["genops.cost.total"] == 0.0325
    assert fields["genops.team"] == "customer-support"
    assert fields["genops.customer_id"] == "enterprise-abc"
    assert fields["service.name"] == "customer-support-ai"
    genops.clear_default_attributes()


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_the_splunk_guides_advanced_configuration_without_exporter_type(caplog):
    # otlp_endpoint alone means OTLP (here: HEC, chosen for the endpoint), not the
    # console; the guide's channel "channel-1" becomes a GUID that an acknowledging
    # HEC token (which refuses a non-GUID channel, code 11) accepts.
    with HecServer("your-hec-token", use_ack=True) as hec:
        genops.init(
            service_name="my-ai-service",
            otlp_endpoint=f"{hec.base}/services/collector/raw",
            otlp_headers={"Authorization": "Splunk your-hec-token", "X-Splunk-Request-Channel": "channel-1"},
            default_team="ai-platform",
        )
        with genops.track_enhanced(operation_name="ai.chat.completion"):
            pass
        genops.flush(timeout=10)
        (event,) = hec.events()
        assert genops.status()["exporters"][0].startswith("splunk-hec")
        channels = {
            r["headers"].get("x-splunk-request-channel") for r in hec.received() if r["kind"] == "raw"
        }
    assert event["event"]["genops.team"] == "ai-platform"
    assert "otlp_endpoint given without exporter_type" in caplog.text
    assert "'channel-1' is not a GUID" in caplog.text
    assert len(channels) == 1 and None not in channels
    genops.clear_default_attributes()


def test_bad_endpoints_are_config_errors():
    for bad in ["not a url", "ftp://host/v1/traces", "http://", "http://host:99999", 42]:
        with pytest.raises(genops.ConfigError):
            genops.init(exporter_type="otlp", otlp_endpoint=bad)
    with pytest.raises(genops.ConfigError, match="compression"):
        genops.init(
            exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9", exporter_options={"compression": "zip"}
        )
    with pytest.raises(genops.ConfigError, match="unknown"):
        genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9", exporter_options={"bogus": 1})
