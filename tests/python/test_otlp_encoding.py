"""The OTLP encoders, checked by independent decoders.

The official OpenTelemetry protobuf classes (PyPI ``opentelemetry-proto``) decode the
protobuf encoding; ``json`` and ``google.protobuf.json_format`` read the OTLP/JSON
encoding of the same batch into the same message class, which must come out equal.
CPython's ``repr(float)`` and ``json.loads`` check the number formatter and the JSON
string writer on a million random inputs.

The C side is ``otlp_sample`` (tests/tools/otlp_sample.c), built by cmake/protocols.cmake.
The tests find it through the environment variable ``GENOPS_OTLP_SAMPLE`` (ctest sets
it), else as ``build/*/otlp_sample`` under the repository (the newest one). So, by hand:

    cmake -S . -B build/otlp && cmake --build build/otlp --target otlp_sample
    python3 -m pytest tests/python/test_otlp_encoding.py
"""

import base64
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

ROOT = Path(__file__).resolve().parents[2]
END_NS = 4102444800123456789  # otlp_sample.c's fixed end time (2100-01-01)


@pytest.fixture(scope="module")
def sample_bin():
    path = os.environ.get("GENOPS_OTLP_SAMPLE")
    if path:
        return path
    found = sorted(ROOT.glob("build/*/otlp_sample"), key=lambda p: p.stat().st_mtime)
    if not found:
        pytest.skip(
            "otlp_sample not built: run `cmake -S . -B build/otlp && cmake --build "
            "build/otlp --target otlp_sample`, or set GENOPS_OTLP_SAMPLE to its path"
        )
    return str(found[-1])


@pytest.fixture(scope="module")
def sample(sample_bin, tmp_path_factory):
    """The sample batch: (decoded protobuf request, JSON text, manifest rows)."""
    out = tmp_path_factory.mktemp("otlp")
    subprocess.run([sample_bin, str(out)], check=True)
    request = trace_service_pb2.ExportTraceServiceRequest.FromString((out / "request.pb").read_bytes())
    manifest = [line.split() for line in (out / "manifest.txt").read_text().splitlines()]
    return request, (out / "request.json").read_text(encoding="utf-8"), manifest


def value(any_value):
    """An AnyValue as a plain Python value, checking that exactly one member is set."""
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    assert kind in ("string_value", "int_value", "double_value", "bool_value"), kind
    return getattr(any_value, kind)


def attributes(kvs):
    out = {}
    for kv in kvs:
        assert kv.key not in out, f"duplicate key {kv.key}"
        out[kv.key] = value(kv.value)
    return out


def test_protobuf_decodes_with_the_official_classes(sample):
    request, _, manifest = sample
    assert len(request.resource_spans) == 1
    rs = request.resource_spans[0]
    assert attributes(rs.resource.attributes) == {
        "service.name": "genops-sample",
        "service.version": "1.2.3",
        "deployment.environment": "test",
        "genops.region": "eu-west-1",
        "telemetry.sdk.name": "genops-native",
        "telemetry.sdk.language": "c",
        "telemetry.sdk.version": rs.resource.attributes[-1].value.string_value,
    }
    assert len(rs.scope_spans) == 1
    scope = rs.scope_spans[0].scope
    assert scope.name == "genops-ai" and scope.version

    spans = rs.scope_spans[0].spans
    assert [s.name for s in spans] == [row[0] for row in manifest]
    for span, (_name, trace_id, span_id, parent, start, end) in zip(spans, manifest):
        assert span.trace_id.hex() == trace_id and span.span_id.hex() == span_id
        assert span.parent_span_id.hex() == ("" if parent == "-" else parent)
        assert span.start_time_unix_nano == int(start) and span.end_time_unix_nano == int(end)
        assert not span.trace_state and not span.links and span.flags == 0

    child, op = spans  # ended in this order
    assert child.parent_span_id == op.span_id and child.trace_id == op.trace_id
    assert child.kind == trace_pb2.Span.SPAN_KIND_SERVER
    assert child.end_time_unix_nano == END_NS - 1000
    assert attributes(child.attributes) == {"allowed": True}
    assert child.status.code == trace_pb2.Status.STATUS_CODE_OK
    assert child.status.message == ""  # only ERROR keeps a message

    assert op.kind == trace_pb2.Span.SPAN_KIND_CLIENT
    assert op.end_time_unix_nano == END_NS
    attrs = attributes(op.attributes)
    assert attrs["genops.operation.name"] == "chat.completion"
    assert attrs["genops.team"] == "ml-platform" and attrs["genops.customer_id"] == "acme"
    assert attrs["genops.cost.total"] == 0.0125
    assert attrs["genops.cost.provider"] == "openai"
    assert attrs["genops.tokens.input"] == 1200
    assert attrs["note"] == 'line1\nline2 "q" \\ café \x01/'
    assert attrs["bad_utf8"] == "a\ufffdb"  # repaired by the core
    assert attrs["nul"] == "a\x00b"  # length-delimited: the NUL survives
    assert attrs["empty"] == ""
    assert attrs["sum"] == 0.1 + 0.2
    assert attrs["delta"] == -42 and attrs["cached"] is False
    assert "unset" not in attrs
    assert attrs["models"] == ["gpt-4o", "claude-3", ""]
    assert attrs["tokens"] == [1, -2, 2**63 - 1, -(2**63)]
    assert attrs["scores"] == [0.5, -0.0, 1e-7, 1e300]
    assert math.copysign(1, attrs["scores"][1]) == -1
    assert attrs["flags"] == [True, False]
    assert attrs["none"] == [] and op.attributes[-1].value.HasField("array_value")
    assert [e.name for e in op.events] == ["exception"]
    assert attributes(op.events[0].attributes) == {
        "exception.type": "RateLimitError",
        "exception.message": "slow down",
        "exception.stacktrace": "at line 1",
    }
    assert op.start_time_unix_nano <= op.events[0].time_unix_nano
    assert op.status.code == trace_pb2.Status.STATUS_CODE_ERROR
    assert op.status.message == "rate limited"


def hex_ids_to_base64(doc):
    """OTLP/JSON writes ids as hex where proto3's JSON mapping wants base64 (the
    specification's one deviation that json_format does not know)."""
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()


def test_json_parses_into_the_same_message(sample):
    request, text, _ = sample
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    hex_ids_to_base64(doc)
    parsed = json_format.ParseDict(doc, trace_service_pb2.ExportTraceServiceRequest())
    assert parsed == request
    # Field presence agrees too, so both serialise to the same bytes.
    assert parsed.SerializeToString(deterministic=True) == request.SerializeToString(deterministic=True)


def test_json_follows_the_otlp_mapping(sample):
    request, text, _ = sample
    doc = json.loads(text)
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1]
    pb = request.resource_spans[0].scope_spans[0].spans[1]
    assert span["traceId"] == pb.trace_id.hex() and len(span["traceId"]) == 32
    assert span["spanId"] == pb.span_id.hex() and span["spanId"] == span["spanId"].lower()
    assert span["kind"] == 3  # enums as integers
    # 64-bit integers as strings
    assert span["startTimeUnixNano"] == str(pb.start_time_unix_nano)
    assert span["status"] == {"message": "rate limited", "code": 2}
    by_key = {a["key"]: a["value"] for a in span["attributes"]}
    assert by_key["genops.tokens.input"] == {"intValue": "1200"}
    assert by_key["genops.cost.total"] == {"doubleValue": 0.0125}
    assert by_key["cached"] == {"boolValue": False}
    assert by_key["nul"] == {"stringValue": "a\x00b"}
    assert by_key["none"] == {"arrayValue": {}}
    assert by_key["flags"] == {"arrayValue": {"values": [{"boolValue": True}, {"boolValue": False}]}}
    assert "parentSpanId" not in doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1]
    # Raw text: escapes for controls, no raw control characters anywhere.
    assert "\\u0001" in text and "\\n" in text
    assert not any(ord(c) < 0x20 for c in text)


def run_filter(sample_bin, mode, lines):
    out = subprocess.run(
        [sample_bin, mode],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    ).stdout
    return out.split("\n")[:-1]


def test_numbers_match_python_repr(sample_bin):
    rng = random.Random(20261121)
    values = [
        0.0,
        -0.0,
        5e-324,
        2.2250738585072014e-308,
        1.7976931348623157e308,
        2.0**53,
    ]
    values += [10.0**k for k in range(-323, 309)]
    values += [math.ldexp(1.0, e) for e in range(-1074, 1024)]
    while len(values) < 1_000_000:
        d = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(d):
            values.append(d)
        values.append(round(rng.uniform(0, 1000), rng.randint(0, 6)))
    # One line per double: its bits as a 16-digit hex number.
    lines = [struct.pack(">d", v).hex() for v in values]
    out = run_filter(sample_bin, "--numbers", lines)
    assert len(out) == len(values)
    wrong = [(repr(v), o) for v, o in zip(values, out) if repr(v) != o]
    assert not wrong, f"{len(wrong)} differ from repr(), e.g. {wrong[:5]}"


def test_json_strings_read_back_with_python(sample_bin):
    rng = random.Random(4)
    inputs = [
        b"",
        b'"\\/',
        bytes(range(0x20)),
        b"\xff",
        b"\xe0\x80",
        b"\xed\xa0\x80",
        b"\xf0\x9f\x98",
        "€ café 😀".encode(),
    ]
    for _ in range(100_000):
        n = rng.randrange(40)
        inputs.append(bytes(rng.choice((rng.randrange(0x80), rng.randrange(256))) for _ in range(n)))
    out = run_filter(sample_bin, "--strings", [b.hex() for b in inputs])
    assert len(out) == len(inputs)
    for raw, line in zip(inputs, out):
        # json.loads is strict about control characters; "replace" follows the same
        # maximal-subpart rule as utf8_repair.
        assert json.loads(line) == raw.decode("utf-8", "replace"), (raw, line)


def test_proto_files_match_the_official_descriptors(tmp_path):
    protoc = shutil.which("protoc-c")
    if not protoc:
        pytest.skip("protoc-c is not installed")
    protos = sorted(str(p.relative_to(ROOT / "core/proto")) for p in (ROOT / "core/proto").rglob("*.proto"))
    out = tmp_path / "set.pb"
    subprocess.run(
        [protoc, f"--descriptor_set_out={out}", f"-I{ROOT / 'core/proto'}", *protos],
        check=True,
    )
    ours = {f.name: f for f in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file}

    def strip(message):
        for field in message.field:
            # protoc fills json_name in; the Python copy leaves it out.
            field.ClearField("json_name")
        for nested in message.nested_type:
            strip(nested)

    for module in (common_pb2, resource_pb2, trace_pb2, trace_service_pb2):
        official = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(official)
        mine = ours[official.name]
        for d in (mine, official):
            d.ClearField("source_code_info")
            for message in d.message_type:
                strip(message)
        assert mine == official, official.name


def test_numfmt_table_is_generated_and_current():
    """core/src/numfmt_table.h is what tools/gen_numfmt_table.py computes with exact
    integers, and the logarithm shortcuts in numfmt.c are exact over their ranges."""
    subprocess.run([sys.executable, str(ROOT / "tools/gen_numfmt_table.py"), "--check"], check=True)


# ---- the derived names (core/src/derived.c), decoded by the official classes ----------

#: What otlp_sample --derived adds to each span, by the GENOPS_DERIVED rows of semconv.def.
DERIVED_OP = {
    "genops.budget.limit": 200.0,
    "genops.budget.used": 50.0,
    "genops.budget.utilization": 25.0,
    "genops.budget.utilization_pct": 25.0,
    "genops.budget.id": "team-daily",
    "genops.cost.input": 0.01,
    "genops.cost.output": 0.0025,
    "genops.data.classification": "pii",
    "genops.eval.performed": True,
    "genops.eval.quality": 0.9,
    "status": "error",  # RateLimitError: an error, not a timeout
}


@pytest.fixture(scope="module")
def derived_sample(sample_bin, tmp_path_factory):
    """(decoded protobuf request, JSON text) of otlp_sample --derived."""
    out = tmp_path_factory.mktemp("otlp-derived")
    subprocess.run([sample_bin, "--derived", str(out)], check=True)
    request = trace_service_pb2.ExportTraceServiceRequest.FromString((out / "request.pb").read_bytes())
    return request, (out / "request.json").read_text(encoding="utf-8")


def test_derived_names_in_protobuf(derived_sample, sample):
    request, _ = derived_sample
    child, op = request.resource_spans[0].scope_spans[0].spans
    attrs = attributes(op.attributes)  # also: no key twice
    for name, want in DERIVED_OP.items():
        assert attrs[name] == want, name
    duration = (op.end_time_unix_nano - op.start_time_unix_nano) / 1e6
    assert attrs["genops.operation.duration_ms"] == pytest.approx(duration, abs=1e-6)
    assert attrs["duration_ms"] == attrs["genops.operation.duration_ms"]
    # The first evaluation is kept by the recorder; the last is the derived one.
    assert attrs["genops.eval.safety"] == 0.75 and attrs["genops.eval.metric"] == "quality"
    # Nothing else changed: the lean sample's attributes are all there, as they were.
    lean_op = attributes(sample[0].resource_spans[0].scope_spans[0].spans[1].attributes)
    same = {k: v for k, v in attrs.items() if k in lean_op and k != "genops.timestamp"}
    assert same == {k: v for k, v in lean_op.items() if k != "genops.timestamp"}
    # The derived names come after the span's own attributes.
    keys = [kv.key for kv in op.attributes]
    assert keys[-len(DERIVED_OP) - 2 :] == [k for k in keys if k in DERIVED_OP or "duration_ms" in k]

    kid = attributes(child.attributes)
    assert kid["status"] == "success" and kid["allowed"] is True
    assert kid["duration_ms"] == pytest.approx(
        (child.end_time_unix_nano - child.start_time_unix_nano) / 1e6, abs=1e-6
    )
    assert "genops.operation.duration_ms" not in kid  # not an operation span
    assert set(kid) == {"allowed", "duration_ms", "status"}


def test_derived_names_in_json_are_the_protobuf_ones(derived_sample):
    request, text = derived_sample
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    op = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][1]
    keys = [kv["key"] for kv in op["attributes"]]
    assert len(keys) == len(set(keys))
    assert set(DERIVED_OP) <= set(keys)
    hex_ids_to_base64(doc)
    assert json_format.ParseDict(doc, trace_service_pb2.ExportTraceServiceRequest()) == request
