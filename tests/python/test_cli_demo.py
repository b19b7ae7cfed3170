"""genops demo: the workload goes through the real exporters into the embedded
receivers, and every backend's answers are exactly what was recorded; the receivers'
decoders against the reference implementations (PyPI's msgpack, opentelemetry-proto)."""

from __future__ import annotations

import json
import math
import os
import pathlib
import random
import subprocess
import sys
import urllib.error
import urllib.request

import msgpack as reference_msgpack
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

import genops
from genops.demo import msgpack, queries, run, workload
from genops.demo.receiver import MAX_BODY, Receiver, hec_events, otlp_protobuf_span_count

ROOT = pathlib.Path(__file__).resolve().parents[2]
needs_all = pytest.mark.skipif(
    not {"otlp-json", "splunk", "honeycomb-events"} <= set(genops.status()["available_exporters"]),
    reason="this build lacks an exporter the demo uses",
)


def cli(*argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(
        [sys.executable, "-m", "genops", *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )


@needs_all
def test_demo_answers_are_what_was_recorded():
    r = cli("demo", "--json", "--operations", "30", "--seed", "3")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["dropped"] == {} and report["seconds"] < 10
    # What was recorded, totalled here from the plan, not by the demo's code.
    ops = workload.plan(30, 3)
    paid = [op for op in ops if not op.blocked]
    blocked = [op for op in ops if op.blocked]
    assert len(blocked) >= 1 and all(op.estimated_cost > workload.COST_LIMIT for op in blocked)
    total = math.fsum(op.estimated_cost for op in paid)
    assert [c["backend"] for c in report["checks"]] == ["otlp", "hec", "honeycomb"]
    for check in report["checks"]:
        assert check["ok"], check
        assert check["got"]["operations"] == 30 and check["got"]["total_cost"] == total
    teams = {t: math.fsum(op.cost for op in paid if op.team == t) for t in {op.team for op in paid}}
    assert {row["genops.team"]: row["total_cost"] for row in report["splunk"]["cost_by_team"]} == teams
    customers = {
        c: math.fsum(op.cost for op in paid if op.customer == c) for c in {op.customer for op in paid}
    }
    hc = report["honeycomb"]["Cost by Customer (Top 20)"]
    assert {row["genops.customer_id"]: row["SUM(genops.cost.total)"] for row in hc} == customers
    assert report["splunk"]["violations_by_policy"] == [
        {"genops.policy.name": "cost_limit", "violations": len(blocked)}
    ]
    assert report["honeycomb"]["Policy Violations"] == [
        {"genops.policy.name": "cost_limit", "COUNT": len(blocked)}
    ]
    assert report["splunk"]["compliance_rate"][0] == {
        "allowed": len(paid),
        "blocked": len(blocked),
        "total": 30,
        "compliance_rate": round(len(paid) / 30 * 100, 2),
    }
    compliance = report["honeycomb"]["SLOs"][0]
    assert compliance["SLO"] == "Policy Compliance SLO"
    assert (compliance["eligible"], compliance["good"]) == (30, len(paid)) and compliance["met"] is False
    last = {op.budget: op for op in paid}
    over = {b: op.budget_used / op.budget_limit * 100 for b, op in last.items()}
    over = {b: u for b, u in over.items() if u > 80}
    got = {row["genops.budget.name"]: row["max_util"] for row in report["splunk"]["budgets_over_80"]}
    assert got.keys() == over.keys() and all(abs(got[b] - over[b]) < 1e-9 for b in over)
    features = {(op.feature, op.team) for op in paid}
    assert {(r["genops.feature"], r["genops.team"]) for r in report["splunk"]["cost_by_feature"]} == features
    assert math.fsum(r["total_cost"] for r in report["splunk"]["cost_by_feature"]) == pytest.approx(total)
    for row in report["splunk"]["budget_status"]:
        op = last[row["genops.budget.name"]]
        assert (row["limit"], row["used"]) == (op.budget_limit, op.budget_used)
        assert row["status"] == (
            "CRITICAL" if row["utilization"] >= 90 else "WARNING" if row["utilization"] >= 80 else "OK"
        )


@needs_all
def test_demo_text_and_usage_exit_codes():
    r = cli("demo")
    assert r.returncode == 0, r.stderr
    assert "Splunk  cost_by_team" in r.stdout and "Honeycomb  Policy Violations" in r.stdout
    assert r.stdout.count("matches what was recorded") == 3
    assert "travel unencrypted" not in r.stderr
    assert cli("demo", "--operations", "0").returncode == 2
    assert cli("demo", "--operations", "5001").returncode == 2
    assert cli("demo", "--seed", "x").returncode == 2


def test_a_backend_missing_an_operation_fails_its_check():
    ops = workload.plan(12, 1)
    want = workload.recorded(ops)
    rows = [
        {
            "genops.team": op.team,
            "genops.customer_id": op.customer,
            "genops.cost.model": op.model,
            "genops.policy.result": "blocked" if op.blocked else "allowed",
            **({} if op.blocked else {"genops.cost.total": op.cost}),
            **(
                {}
                if op.blocked
                else {
                    "genops.budget.name": op.budget,
                    "genops.budget.limit": op.budget_limit,
                    "genops.budget.used": op.budget_used,
                }
            ),
        }
        for op in ops
    ]
    assert run._check("x", rows, want)["ok"]
    lost = run._check("x", rows[1:], want)
    assert not lost["ok"] and "operations" in lost["differ"] and "total_cost" in lost["differ"]


def test_msgpack_decoder_against_pypi_msgpack():
    values = [
        0,
        127,
        128,
        -1,
        -32,
        -33,
        255,
        65535,
        65536,
        2**32,
        2**63 - 1,
        -(2**63),
        1.5,
        -0.0,
        1e300,
        True,
        False,
        None,
        "",
        "é" * 40,
        "x" * 300,
        "y" * 70000,
        b"\x00\x01",
        b"z" * 300,
        list(range(20)),
        [[]] * 70000,
        {"a": {"b": [1, 2.5, "c"]}},
        {str(i): i for i in range(20)},
    ]
    for v in values:
        assert msgpack.unpackb(reference_msgpack.packb(v)) == v
    assert msgpack.unpackb(reference_msgpack.packb(1.25, use_single_float=True)) == 1.25
    batch = reference_msgpack.packb([{"data": {}}] * 17)
    assert msgpack.array_length(batch) == 17
    for bad in (b"", b"\x92\x01", b"\xc1", b"\xa3ab", b"\x01\x02", b"\xa2\xff\xfe"):
        with pytest.raises(ValueError):
            msgpack.unpackb(bad)
    with pytest.raises(ValueError):
        msgpack.unpackb(b"\x91" * 100 + b"\x00")  # nested past the depth bound
    rng = random.Random(1)  # any bytes: a value or ValueError, never another exception
    for _ in range(20000):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24)))
        try:
            msgpack.unpackb(data)
        except ValueError:
            pass


def test_otlp_protobuf_span_count_against_opentelemetry_proto():
    req = trace_service_pb2.ExportTraceServiceRequest()
    for r, scopes in enumerate(((3, 0), (1,), (2, 5))):
        rs = req.resource_spans.add()
        rs.resource.attributes.add(key="service.name").value.string_value = f"svc{r}"
        for n in scopes:
            ss = rs.scope_spans.add()
            ss.scope.name = "genops"
            for i in range(n):
                span = ss.spans.add(name=f"op{i}", trace_id=b"\x01" * 16, span_id=b"\x02" * 8)
                span.attributes.add(key="genops.cost.total").value.double_value = 0.5
                span.start_time_unix_nano = 1 << 60
    assert otlp_protobuf_span_count(req.SerializeToString()) == 11
    with pytest.raises(ValueError):
        otlp_protobuf_span_count(req.SerializeToString()[:-3])
    rng = random.Random(3)  # any bytes: a count or ValueError
    for _ in range(20000):
        try:
            otlp_protobuf_span_count(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32))))
        except ValueError:
            pass


def test_hec_events_are_concatenated_objects():
    assert [e["event"] for e in hec_events(b'{"event": {"a": 1}}\n{"event": "x"} ')] == [{"a": 1}, "x"]
    for bad in (b'[{"event": 1}]', b'{"time": 1}', b'{"event": 1'):
        with pytest.raises(ValueError):
            hec_events(bad)


def test_honeycomb_query_specification_evaluation():
    events = [
        {"p": "a", "c": 1.0, "t": "x", "genops.budget.consumed": 45.0, "genops.budget.limit": 50.0},
        {"p": "a", "c": 2.0, "t": "y"},
        {"p": "b", "c": 4.0, "t": "x"},
        {"t": "x"},  # no p: the null group, left out
    ]
    spec = {
        "breakdowns": ["p"],
        "calculations": [{"op": "SUM", "column": "c"}, {"op": "COUNT"}, {"op": "MAX", "column": "c"}],
        "orders": [{"op": "SUM", "column": "c", "order": "descending"}],
    }
    assert queries.run_query(spec, events) == [
        {"p": "b", "SUM(c)": 4.0, "COUNT": 1, "MAX(c)": 4.0},
        {"p": "a", "SUM(c)": 3.0, "COUNT": 2, "MAX(c)": 2.0},
    ]
    spec = {
        "calculations": [{"op": "COUNT"}],
        "filters": [{"column": "t", "op": "=", "value": "x"}],
        "limit": 1,
    }
    assert queries.run_query(spec, events) == [{"COUNT": 3}]
    spec = {"calculations": [{"op": "AVG", "column": "budget_utilization_pct"}]}  # a derived column
    assert queries.run_query(spec, events) == [{"AVG(budget_utilization_pct)": 90.0}]
    spec = {
        "calculations": [{"op": "P50", "column": "c"}],
        "filters": [{"column": "c", "op": ">", "value": 1}],
    }
    assert queries.run_query(spec, events) == [{"P50(c)": 2.0}]


def test_the_receiver_answers_bad_requests_and_keeps_serving():
    def post(url: str, body: bytes, ctype: str = "application/json", **headers: str) -> int:
        req = urllib.request.Request(url, body, {"Content-Type": ctype, **headers}, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    with Receiver() as r:
        for path, body, ctype in (
            ("/v1/traces", b"{not json", "application/json"),
            ("/v1/traces", b"[1, 2]", "application/json"),
            ("/v1/traces", b'{"resourceSpans": [{"scopeSpans": [{"spans": [7]}]}]}', "application/json"),
            ("/v1/traces", b"\x0a\xff", "application/x-protobuf"),
            ("/services/collector/event", b'{"event": 1} [', "application/json"),
            ("/1/batch/d", b"\xc1", "application/msgpack"),
            ("/1/batch/d", b'{"data": {}}', "application/json"),
        ):
            assert post(r.base + path, body, ctype) == 400, (path, body)
        assert (
            post(r.base + "/v1/traces", b"\x1f\x8b junk", "application/json", **{"Content-Encoding": "gzip"})
            == 400
        )
        assert (
            post(
                r.base + "/1/batch/d",
                b"\x28\xb5\x2f\xfd",
                "application/msgpack",
                **{"Content-Encoding": "zstd"},
            )
            == 415
        )
        assert post(r.base + "/elsewhere", b"{}") == 404
        assert post(r.base + "/v1/traces", b"{}", **{"Content-Length": str(MAX_BODY + 1)}) == 413
        assert r.requests() == []
        assert post(r.base + "/services/collector/event", b'{"event": {"a": 1}}') == 200
        with urllib.request.urlopen(r.base + "/services/collector/health", timeout=10) as h:
            assert h.status == 200
        assert [req.items for req in r.requests("hec")] == [1]
