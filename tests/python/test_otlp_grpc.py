"""The OTLP/gRPC exporter against a real gRPC server: grpcio serving the OpenTelemetry
protobuf package's TraceService (tests/peers/otlp_grpc_server.py), which decodes every
request with the official classes.

Each test runs tests/tools/otlp_driver.c (genops_otlp_driver; ctest passes its path in
GENOPS_OTLP_DRIVER) with --protocol grpc or the OTEL_* variables, and checks both sides:
what the server decoded and what the pipeline's stats counted, code by code, by the
OTLP specification's table of retryable gRPC codes. The server answers from a script,
so nothing waits on timing except where the rule is about time (RetryInfo, deadlines).
Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("grpc", reason="grpcio is not installed (tools/requirements-dev.txt)")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import drivers  # noqa: E402
from otlp_grpc_server import OtlpGrpcServer  # noqa: E402
from peer import free_port  # noqa: E402

DRIVER = drivers.built("GENOPS_OTLP_DRIVER", "genops_otlp_driver")
pytestmark = pytest.mark.skipif(DRIVER is None, reason="genops_otlp_driver is not built")

SECRET = "s3cr3t-grpc-t0ken"


def run(*args, env: dict | None = None) -> dict:
    """The driver's JSON result (plus its "errors"/"warnings" log lines)."""
    return drivers.run([DRIVER, *args], strip=("OTEL_",), env=env, timeout=120)


def grpc_run(server, *args, env: dict | None = None) -> dict:
    return run("--protocol", "grpc", "--endpoint", server.url, *args, env=env)


def counts(out: dict) -> tuple[int, int, int, int]:
    st = out["stats"]
    return st["exported"], st["dropped_rejected"], st["dropped_export_failed"], st["retries"]


@pytest.fixture
def server():
    with OtlpGrpcServer() as s:
        yield s


# ---- delivery -------------------------------------------------------------------------


def test_every_span_arrives_once_decoded(server):
    out = grpc_run(server, "--spans", 1000, "--batch", 512)
    got = server.received()
    assert [r["answer"] for r in got] == ["OK", "OK"]
    assert [len(r["spans"]) for r in got] == [512, 488]
    ids = [s["span_id"] for r in got for s in r["spans"]]
    assert len(ids) == len(set(ids)) == 1000
    assert got[0]["resource"]["service.name"] == "otlp-driver"
    assert got[0]["spans"][0]["name"] == "chat.completion"
    assert got[0]["metadata"]["user-agent"].startswith("genops-native/")
    assert got[0]["peer"] == got[1]["peer"]  # one kept-alive HTTP/2 connection
    assert out["exporter"] == "otlp-grpc"
    assert counts(out) == (1000, 0, 0, 0)
    # The wire carries each message with its 5-byte prefix, nothing else.
    assert out["stats"]["bytes_sent"] == sum(r["bytes"] + 5 for r in got)


def test_many_batches_ride_one_connection(server):
    out = grpc_run(server, "--spans", 50, "--rounds", 6)
    got = server.received()
    assert len(got) == 6 and len({r["peer"] for r in got}) == 1
    assert counts(out) == (300, 0, 0, 0)


def test_gzip_sets_the_compressed_flag_and_the_server_decodes_it(server):
    out = grpc_run(server, "--spans", 300, "--compression", "gzip")
    (req,) = server.received()
    assert len(req["spans"]) == 300 and req["answer"] == "OK"
    assert out["stats"]["bytes_sent"] * 3 < req["bytes"]  # compressed on the wire
    assert counts(out) == (300, 0, 0, 0)


@pytest.mark.parametrize("prefix", ["OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_"])
def test_the_protocol_variables_choose_grpc(server, prefix):
    out = run(
        "--spans",
        5,
        env={
            prefix + "PROTOCOL": "grpc",
            prefix + "ENDPOINT": server.url + "/any/path/is/not/used",
            prefix + "HEADERS": "x-tenant=acme",
        },
    )
    (req,) = server.received()
    assert req["metadata"]["x-tenant"] == "acme"
    assert out["exporter"] == "otlp-grpc" and counts(out) == (5, 0, 0, 0)


def test_partial_success_counts_the_rejected_spans_and_is_not_retried(server):
    server.script([{"partial": {"rejected": 3, "message": "3 spans are too old"}}])
    out = grpc_run(server, "--spans", 10)
    assert len(server.received()) == 1
    assert counts(out) == (7, 3, 0, 0)
    assert len(out["errors"]) == 1 and "3 spans are too old" in out["errors"][0]


# ---- failure codes, by the OTLP specification's table ----------------------------------

RETRYABLE = ["CANCELLED", "DEADLINE_EXCEEDED", "ABORTED", "OUT_OF_RANGE", "UNAVAILABLE", "DATA_LOSS"]


@pytest.mark.parametrize("code", RETRYABLE)
def test_retryable_codes_are_retried_until_delivered(server, code):
    server.script([{"code": code, "times": 2}])
    out = grpc_run(server, "--spans", 4, "--timeout-ms", 5000)
    assert [r["answer"] for r in server.received()] == [code, code, "OK"]
    assert counts(out) == (4, 0, 0, 2)


def test_resource_exhausted_with_retry_info_is_retried(server):
    server.script([{"code": "RESOURCE_EXHAUSTED", "retry_delay_ms": 0}])
    out = grpc_run(server, "--spans", 4)
    assert [r["answer"] for r in server.received()] == ["RESOURCE_EXHAUSTED", "OK"]
    assert counts(out) == (4, 0, 0, 1)


@pytest.mark.parametrize(
    "code,hint",
    [
        ("RESOURCE_EXHAUSTED", "RetryInfo"),  # without RetryInfo
        ("INVALID_ARGUMENT", "could not read"),
        ("UNAUTHENTICATED", "credentials"),
        ("PERMISSION_DENIED", "permissions"),
        ("NOT_FOUND", "retrying cannot help"),
        ("UNIMPLEMENTED", "4317"),
    ],
)
def test_other_codes_reject_the_spans_at_once(server, code, hint):
    server.script([{"code": code, "message": f"scripted {code} words"}])
    out = grpc_run(server, "--spans", 6)
    assert [r["answer"] for r in server.received()] == [code]
    assert counts(out) == (0, 6, 0, 0)
    (line,) = out["errors"]
    assert code in line and f"scripted {code} words" in line and hint in line


@pytest.mark.parametrize("code", ["INTERNAL", "UNKNOWN"])
def test_server_failures_count_as_failed_and_are_not_retried(server, code):
    server.script([{"code": code}])
    out = grpc_run(server, "--spans", 2)
    assert len(server.received()) == 1
    assert counts(out) == (0, 0, 2, 0)


def test_retry_info_delay_is_honoured(server):
    server.script([{"code": "UNAVAILABLE", "retry_delay_ms": 700}])
    out = grpc_run(server, "--spans", 3, "--timeout-ms", 5000)
    assert counts(out) == (3, 0, 0, 1)
    assert out["seconds"] >= 0.69


def test_a_retry_info_delay_past_the_deadline_fails_at_once(server):
    server.script([{"code": "UNAVAILABLE", "retry_delay_ms": 60000}])
    out = grpc_run(server, "--spans", 3, "--timeout-ms", 2000)
    assert len(server.received()) == 1
    assert counts(out) == (0, 0, 3, 0)
    assert out["seconds"] < 1.5


def test_the_call_carries_the_time_left_as_grpc_timeout(server):
    grpc_run(server, "--spans", 1, "--timeout-ms", 3000)
    (req,) = server.received()
    assert 2.0 < req["time_remaining"] <= 3.0


def test_a_server_slower_than_the_deadline_fails_the_batch_in_time(server):
    server.script([{"sleep_ms": 1500}])
    out = grpc_run(server, "--spans", 3, "--timeout-ms", 400)
    assert counts(out)[:3] == (0, 0, 3)
    assert out["seconds"] < 1.4
    # Whichever gives up first: our transport's timeout, or the server at grpc-timeout.
    assert any("sending failed" in e or "DEADLINE_EXCEEDED" in e for e in out["errors"])


def test_a_server_that_is_down_is_retried_then_counted_failed():
    out = run(
        "--protocol",
        "grpc",
        "--endpoint",
        f"http://127.0.0.1:{free_port()}",
        "--spans",
        2,
        "--timeout-ms",
        500,
    )
    st = out["stats"]
    assert (st["exported"], st["dropped_export_failed"]) == (0, 2) and st["retries"] >= 1


def test_secrets_never_reach_the_log(server):
    server.script([{"code": "UNAUTHENTICATED", "message": f"bad key {SECRET}"}])
    out = grpc_run(server, "--spans", 1, "--header", f"authorization=Bearer {SECRET}")
    assert SECRET not in out["stdout"] + out["stderr"]
    assert "[REDACTED]" in out["errors"][0]


# ---- the disk spool -------------------------------------------------------------------


def spool_at_a_dead_endpoint(spans: int, spool: dict) -> dict:
    """spans exported over gRPC to an endpoint nobody listens on, with the spool env."""
    dead = f"http://127.0.0.1:{free_port()}"
    return run("--protocol", "grpc", "--endpoint", dead, "--spans", spans, "--timeout-ms", 300, env=spool)


def test_the_spool_keeps_what_a_dead_server_missed_and_replays_it(server, tmp_path):
    spool = {"GENOPS_SPOOL_DIR": str(tmp_path / "spool")}
    dead = spool_at_a_dead_endpoint(4, spool)
    assert dead["stats"]["spooled"] == 4 and dead["stats"]["spool_pending"] == 4
    back = grpc_run(server, "--spans", 3, env=spool)
    st = back["stats"]
    assert (st["exported"], st["spool_replayed"], st["spool_pending"]) == (3, 4, 0)
    assert sum(len(r["spans"]) for r in server.received()) == 7  # replayed through grpc-status


def test_a_spooled_call_the_server_refuses_is_dropped_not_kept(server, tmp_path):
    spool = {"GENOPS_SPOOL_DIR": str(tmp_path / "spool")}
    assert spool_at_a_dead_endpoint(2, spool)["stats"]["spooled"] == 2
    server.script([], default={"code": "PERMISSION_DENIED"})
    out = grpc_run(server, "--spans", 1, env=spool)
    st = out["stats"]
    assert (st["spool_replayed"], st["spool_pending"], st["dropped_rejected"]) == (0, 0, 1)
    assert any("answered PERMISSION_DENIED to 2 spooled span(s)" in e for e in out["errors"])


# ---- the Python API -------------------------------------------------------------------

PY_PROGRAM = """
import json, sys
import genops
from genops.core import track_enhanced
from genops.exporters.otlp import configure_multi_backend_export
kw = json.loads(sys.argv[1])
if "backends" in kw:
    configure_multi_backend_export(kw["backends"], service_name="grpc-py")
else:
    genops.init(service_name="grpc-py", **kw)
for i in range(3):
    with track_enhanced(operation_name="chat.completion", customer_id=f"c{i}"):
        pass
assert genops.flush(10)
print(json.dumps(genops.status()))
"""


def run_python(init_kwargs: dict, env: dict | None = None) -> dict:
    """init(**init_kwargs) and three operations in a fresh interpreter with the staged
    package (PYTHONPATH, which ctest sets); its genops.status()."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and "proxy" not in k.lower()}
    clean.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", PY_PROGRAM, json.dumps(init_kwargs)],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def _staged_genops() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import genops._native"], capture_output=True, timeout=60)
    return probe.returncode == 0


python_api = pytest.mark.skipif(not _staged_genops(), reason="the genops package is not on PYTHONPATH")


@python_api
def test_init_exporter_type_otlp_grpc(server):
    st = run_python({"exporter_type": "otlp-grpc", "otlp_endpoint": server.url, "otlp_headers": {"x-t": "1"}})
    (req,) = server.received()
    assert [s["values"]["genops.customer_id"] for s in req["spans"]] == ["c0", "c1", "c2"]
    assert req["resource"]["service.name"] == "grpc-py" and req["metadata"]["x-t"] == "1"
    assert st["exporters"] == ["otlp-grpc"] and st["stats"]["spans_exported"] == 3
    assert "otlp-grpc" in st["available_exporters"]


@python_api
def test_multi_backend_export_with_a_grpc_backend(server):
    from otlp_server import OtlpServer

    with OtlpServer() as http:
        backends = [
            {"name": "gateway", "endpoint": server.url, "protocol": "grpc"},
            {"name": "collector", "endpoint": http.base, "protocol": "http/protobuf"},
        ]
        # A backend's own protocol wins over the variable.
        st = run_python({"backends": backends}, env={"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})
        assert [len(r["spans"]) for r in http.received()] == [3]
        assert http.received()[0]["content_type"] == "application/x-protobuf"
    assert [len(r["spans"]) for r in server.received()] == [3]
    assert st["exporters"] == ["otlp-grpc", "otlp"] and st["stats"]["spans_exported"] == 3


@python_api
def test_init_otlp_follows_the_protocol_variable(server):
    st = run_python(
        {"exporter_type": "otlp"},
        env={"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": server.url},
    )
    assert len(server.received()) == 1 and st["stats"]["spans_exported"] == 3


# ---- TLS ------------------------------------------------------------------------------


def test_tls_with_the_ca_file(pki):
    tls = ((pki / "server.key").read_bytes(), (pki / "server.pem").read_bytes())
    with OtlpGrpcServer(tls=tls) as s:
        assert s.url.startswith("https://")
        bad = run("--protocol", "grpc", "--endpoint", s.url, "--spans", 2)
        assert counts(bad) == (0, 0, 2, 0)  # the system store does not know our CA
        assert "certificate" in bad["errors"][0].lower()
        ok = run(
            "--protocol",
            "grpc",
            "--endpoint",
            s.url,
            "--spans",
            2,
            "--rounds",
            2,
            "--certificate",
            pki / "ca.pem",
        )
        assert counts(ok) == (4, 0, 0, 0) and not ok["errors"]  # HTTP/2 by ALPN, connection kept
    got = s.received()
    assert len(got) == 2 and got[0]["peer"] == got[1]["peer"]  # one TLS connection for both
