"""The Honeycomb events encoder, checked by independent decoders: PyPI's msgpack reads
the batch body (events.msgpack) that otlp_sample (tests/tools/otlp_sample.c) writes for
the same batch as request.pb, which the official OpenTelemetry classes decode. Every
span must come out as one event whose data holds each attribute under its name with its
type kept, the span's ids, name, service, duration and status as Honeycomb names them,
and its start as an RFC 3339 time to the nanosecond.

The program is found through GENOPS_OTLP_SAMPLE (ctest sets it) or as the newest
build/*/otlp_sample."""

from __future__ import annotations

import datetime
import gzip
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

msgpack = pytest.importorskip("msgpack")
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from honeycomb_server import CLASSIC_KEY, HoneycombServer  # noqa: E402

RESERVED = {
    "name", "trace.trace_id", "trace.span_id", "trace.parent_id", "service.name", "duration_ms",
    "span.kind", "status_code", "status", "error", "status_message",
}  # fmt: skip


def _unique(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key appears twice: {keys}"
    return dict(pairs)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = os.environ.get("GENOPS_OTLP_SAMPLE")
    if not path:
        found = sorted(ROOT.glob("build/*/otlp_sample"), key=lambda p: p.stat().st_mtime)
        if not found:
            pytest.skip("otlp_sample not built; set GENOPS_OTLP_SAMPLE")
        path = str(found[-1])
    out = tmp_path_factory.mktemp("honeycomb")
    # A comma locale must change nothing (numbers are binary, times written by hand).
    env = {**os.environ, "LC_ALL": "de_DE.UTF-8"}
    subprocess.run([path, str(out)], check=True, env=env)
    request = trace_service_pb2.ExportTraceServiceRequest.FromString((out / "request.pb").read_bytes())
    events = msgpack.unpackb(
        (out / "events.msgpack").read_bytes(), raw=False, strict_map_key=True, object_pairs_hook=_unique
    )
    return request, events, (out / "events.msgpack").read_bytes()


def _value(v):
    """An OTLP AnyValue as the Python value the msgpack event must hold."""
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind)


def _rfc3339_ns(text: str) -> int:
    head, frac = text[:-1].split(".")
    assert text.endswith("Z") and len(frac) == 9
    t = datetime.datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1_000_000_000 + int(frac)


def test_one_event_per_span_with_every_attribute_typed(sample):
    request, events, _ = sample
    (rs,) = request.resource_spans
    spans = [s for ss in rs.scope_spans for s in ss.spans]
    resource = {a.key: _value(a.value) for a in rs.resource.attributes}
    assert len(events) == len(spans) == 2
    for span, event in zip(spans, events):
        assert set(event) == {"time", "data"}
        data = event["data"]
        attrs = {a.key: _value(a.value) for a in span.attributes}
        for key, want in attrs.items():
            if key in RESERVED:
                continue
            got = data[key]
            assert got == want and type(got) is type(want), (key, got, want)
            if isinstance(want, list):
                assert [type(x) for x in got] == [type(x) for x in want], key
        for key, want in resource.items():
            if key not in attrs:
                assert data[key] == want, key
        assert data["name"] == span.name
        assert data["trace.trace_id"] == span.trace_id.hex()
        assert data["trace.span_id"] == span.span_id.hex()
        assert data.get("trace.parent_id") == (span.parent_span_id.hex() or None)
        assert data["service.name"] == resource["service.name"] == "genops-sample"
        duration = data["duration_ms"]
        assert type(duration) is float
        assert duration == (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6
        assert _rfc3339_ns(event["time"]) == span.start_time_unix_nano
        error = span.status.code == span.status.STATUS_CODE_ERROR
        assert data["status"] == ("error" if error else "success")
        assert data["status_code"] == span.status.code
        assert data.get("error") is (True if error else None)
        assert data.get("status_message") == (span.status.message if error else None)
        assert data["span.kind"] == {2: "server", 3: "client"}[span.kind]
        expected = {k for k in attrs if k not in RESERVED} | set(resource) | {
            "name", "trace.trace_id", "trace.span_id", "duration_ms", "span.kind", "status_code", "status",
        }  # fmt: skip
        expected |= {"trace.parent_id"} if span.parent_span_id else set()
        expected |= {"error", "status_message"} if error else set()
        assert set(data) == expected


def test_the_guides_fields_are_there(sample):
    _, events, _ = sample
    chat = next(e["data"] for e in events if e["data"]["name"] == "chat.completion")
    assert chat["genops.cost.total"] == 0.0125
    assert chat["genops.cost.provider"] == "openai"
    assert chat["genops.cost.model"] == "gpt-4o"
    assert chat["genops.customer_id"] == "acme"
    assert chat["genops.team"] == "ml-platform"
    assert chat["genops.tokens.total"] == 1550
    assert chat["bad_utf8"] == "a\ufffdb"  # repaired by the core, never invalid msgpack str


def post(url: str, body: bytes, ctype: str, key: str = CLASSIC_KEY, gz: bool = False):
    headers = {"Content-Type": ctype, "X-Honeycomb-Team": key}
    if gz:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_strict_server_takes_the_batch_with_per_event_statuses(sample):
    _, events, body = sample
    with HoneycombServer() as hc:
        url = hc.url + "/1/batch/genops%20ai"
        assert post(url, body, "application/msgpack") == (200, [{"status": 202}] * 2)
        assert post(url, body, "application/msgpack", gz=True)[0] == 200
        (rec, _) = hc.received()
        assert rec["dataset"] == "genops ai" and rec["events"] == events
        # One event rejected inside an accepted batch; JSON as well.
        hc.script([{"reject": {"1": "too many columns"}}])
        as_json = json.dumps(events).encode()
        status, statuses = post(url, as_json, "application/json")
        assert status == 200 and statuses == [{"status": 202}, {"status": 400, "error": "too many columns"}]
        # The size limits, an unknown key, a body that is not an array of events.
        hc.limits(event_bytes=100)
        status, statuses = post(url, body, "application/msgpack")
        assert status == 200 and {s["status"] for s in statuses} == {400}
        hc.limits(batch_bytes=100)
        assert post(url, body, "application/msgpack")[0] == 413
        assert post(url, body, "application/msgpack", key="nope") == (
            401,
            {"error": "unknown API key - check your credentials"},
        )
        assert post(url, b"\x81\xa1a\x01", "application/msgpack")[0] == 400


def test_the_guides_derived_fields_are_there(tmp_path):
    """otlp_sample --derived: the Honeycomb guide's names (core/src/derived.c) as typed
    msgpack fields, each once; the event's own status / duration_ms are not repeated."""
    path = os.environ.get("GENOPS_OTLP_SAMPLE") or str(
        sorted(ROOT.glob("build/*/otlp_sample"), key=lambda p: p.stat().st_mtime)[-1]
    )
    subprocess.run([path, "--derived", str(tmp_path)], check=True)
    events = msgpack.unpackb(
        (tmp_path / "events.msgpack").read_bytes(), raw=False, strict_map_key=True, object_pairs_hook=_unique
    )
    chat = next(e["data"] for e in events if e["data"]["name"] == "chat.completion")
    assert chat["genops.budget.limit"] == 200.0 and chat["genops.budget.consumed"] == 50.0
    assert chat["genops.budget.utilization_pct"] == 25.0 and chat["genops.budget.id"] == "team-daily"
    assert chat["genops.cost.input"] == 0.01 and chat["genops.cost.output"] == 0.0025
    assert chat["genops.eval.safety"] == 0.75 and chat["genops.eval.quality"] == 0.9
    assert chat["genops.eval.performed"] is True and chat["genops.data.classification"] == "pii"
    assert chat["status"] == "error" and isinstance(chat["duration_ms"], float)
    assert chat["genops.operation.duration_ms"] == pytest.approx(chat["duration_ms"], abs=1e-6)
