"""The OTLP/HTTP exporter against a real local server (tests/peers/otlp_server.py).

Each test runs tests/tools/otlp_driver.c (built as genops_otlp_driver; ctest passes its
path in GENOPS_OTLP_DRIVER), which records spans through the public C API into a
pipeline with one OTLP exporter, flushes, and prints the pipeline's stats as JSON. The
test then checks both sides: what the server decoded and what the stats counted. The
server answers from a script of rules, so no test sleeps or waits on timing to decide
what happens; timing is only measured where the rule is about time (Retry-After,
deadlines). Everything stays on 127.0.0.1; every run is bounded by the driver's timeouts.
"""

from __future__ import annotations

import pathlib
import shutil
import ssl
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import drivers  # noqa: E402
from otlp_server import OtlpServer, free_port  # noqa: E402

DRIVER = drivers.built("GENOPS_OTLP_DRIVER", "genops_otlp_driver")
pytestmark = pytest.mark.skipif(
    DRIVER is None, reason="genops_otlp_driver is not built (cmake --build <dir> --target genops_otlp_driver)"
)

SECRET = "s3cr3t-t0ken-value"


def run(*args, env: dict | None = None) -> dict:
    """Run the driver; its JSON result, plus "errors"/"warnings": its log lines."""
    return drivers.run([DRIVER, *args], strip=("OTEL_",), env=env, timeout=120)


def spans_of(records: list[dict]) -> list[str]:
    """Span ids of every span the server accepted (answered 2xx)."""
    return [s["span_id"] for r in records if r["answer"] == 200 for s in r["spans"]]


@pytest.fixture
def server():
    with OtlpServer() as s:
        yield s


# ---- delivery -------------------------------------------------------------------------


def test_every_span_arrives_once_decoded_over_one_connection(server):
    out = run("--spans", 1000, "--batch", 512, "--endpoint", server.url)
    got = server.received()
    assert [r["error"] for r in got] == [None, None]
    assert [len(r["spans"]) for r in got] == [512, 488]
    ids = spans_of(got)
    assert len(ids) == len(set(ids)) == 1000
    assert got[0]["resource"]["service.name"] == "otlp-driver"
    assert got[0]["spans"][0]["name"] == "chat.completion"
    assert got[0]["content_type"] == "application/x-protobuf"
    assert got[0]["headers"]["user-agent"].startswith("genops-native/")
    assert "expect" not in got[0]["headers"]
    assert server.connections == 1  # keep-alive
    st = out["stats"]
    assert (st["exported"], st["dropped_export_failed"], st["dropped_rejected"]) == (1000, 0, 0)
    assert st["retries"] == 0
    assert st["bytes_sent"] == sum(r["wire_bytes"] for r in got)


@pytest.mark.parametrize("protocol,compression", [("json", "none"), ("json", "gzip"), ("protobuf", "gzip")])
def test_protocols_and_gzip(server, protocol, compression):
    out = run("--spans", 300, "--endpoint", server.url, "--protocol", protocol, "--compression", compression)
    (req,) = server.received()
    assert req["error"] is None
    assert len(req["spans"]) == 300
    want = "application/json" if protocol == "json" else "application/x-protobuf"
    assert req["content_type"] == want
    assert req["content_encoding"] == (None if compression == "none" else "gzip")
    if compression == "gzip":
        assert req["wire_bytes"] * 3 < req["body_bytes"]
    assert out["stats"]["exported"] == 300
    assert out["stats"]["bytes_sent"] == req["wire_bytes"]


def test_batches_reuse_one_connection(server):
    out = run("--spans", 20, "--rounds", 5, "--endpoint", server.url)
    assert len(server.received()) == 5
    assert server.connections == 1
    assert out["stats"]["exported"] == 100


# ---- configuration from the environment ------------------------------------------------


def test_generic_environment_configures_everything(server):
    out = run(
        "--spans",
        7,
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": server.base + "/",
            "OTEL_EXPORTER_OTLP_HEADERS": " x-honeycomb-team = team%20key , X-Honeycomb-Dataset=genops-ai",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "5000",
        },
    )
    (req,) = server.received()
    assert req["path"] == "/v1/traces"
    assert req["headers"]["x-honeycomb-team"] == "team key"
    assert req["headers"]["x-honeycomb-dataset"] == "genops-ai"
    assert (req["content_type"], req["content_encoding"]) == ("application/json", "gzip")
    assert len(req["spans"]) == 7 and out["stats"]["exported"] == 7


def test_traces_variables_win_and_their_endpoint_is_used_as_is(server):
    down = f"http://127.0.0.1:{free_port()}"
    out = run(
        "--spans",
        3,
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": down,
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": server.base + "/custom/traces",
            "OTEL_EXPORTER_OTLP_HEADERS": "a=generic",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=traces",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",  # would send gRPC if it were read
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
        },
    )
    (req,) = server.received()
    assert req["path"] == "/custom/traces"
    assert req["headers"].get("b") == "traces" and "a" not in req["headers"]
    assert out["stats"]["exported"] == 3


def test_explicit_options_override_the_environment(server):
    out = run(
        "--spans",
        2,
        "--endpoint",
        server.base,
        "--header",
        "b=explicit",
        env={
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://127.0.0.1:{free_port()}/v1/traces",
            "OTEL_EXPORTER_OTLP_HEADERS": "b=env,c=kept",
        },
    )
    (req,) = server.received()
    assert req["path"] == "/v1/traces"  # a bare base URL gets the traces path
    assert (req["headers"]["b"], req["headers"]["c"]) == ("explicit", "kept")
    assert out["stats"]["exported"] == 2


@pytest.mark.parametrize(
    "var,value,words",
    [
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", "not a whole number"),
        ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/xml", "not a protocol"),
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "not a compression"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4318", "only http and https"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://", "not a valid URL"),
        ("OTEL_EXPORTER_OTLP_HEADERS", f"Authorization Bearer {SECRET}", "not key=value"),
        ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem", "cannot be read"),
    ],
)
def test_malformed_environment_fails_at_creation_naming_the_variable(var, value, words):
    out = run("--spans", 1, env={var: value})
    assert out["created"] is False
    assert out["code"] == 1  # GENOPS_EINVAL
    assert var in out["error"] and words in out["error"]
    assert SECRET not in out["stdout"] + out["stderr"]


# ---- retries ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_retried_until_delivered(server, status):
    server.script([{"status": status, "times": 2, "message": f"busy {status}"}])
    out = run("--spans", 40, "--endpoint", server.url)
    got = server.received()
    assert [r["answer"] for r in got] == [status, status, 200]
    # The same request each time: same spans, nothing lost or added.
    assert [s["span_id"] for s in got[0]["spans"]] == [s["span_id"] for s in got[2]["spans"]]
    st = out["stats"]
    assert (st["exported"], st["retries"], st["dropped_export_failed"]) == (40, 2, 0)
    assert st["bytes_sent"] == sum(r["wire_bytes"] for r in got)
    # Logged once, at error level, with the backend's words.
    assert len(out["errors"]) == 1
    assert f" {status} " in out["errors"][0] and f"busy {status}" in out["errors"][0]


def test_retry_after_in_seconds_is_honoured(server):
    server.script([{"status": 429, "retry_after": "1"}])
    out = run("--spans", 5, "--endpoint", server.url)
    first, second = server.received()
    assert second["time"] - first["time"] >= 0.95
    assert out["stats"]["exported"] == 5 and out["stats"]["retries"] == 1


def test_retry_after_as_http_date_is_honoured(server):
    # The date is made when the server answers (whole seconds: 1 to 2 s later); made
    # here, the driver's start-up would eat into it.
    server.script([{"status": 503, "retry_after_in": 2}])
    out = run("--spans", 5, "--endpoint", server.url)
    first, second = server.received()
    assert second["time"] - first["time"] >= 0.9
    assert out["stats"]["exported"] == 5


def test_retry_after_past_the_deadline_gives_up_at_once(server):
    server.script([], default={"status": 429, "retry_after": "30"})
    out = run("--spans", 9, "--endpoint", server.url, "--timeout-ms", 10000)
    assert len(server.received()) == 1
    assert out["seconds"] < 5  # well before the 10 s deadline, with room for a busy machine
    st = out["stats"]
    assert (st["exported"], st["dropped_export_failed"], st["retries"]) == (0, 9, 0)


@pytest.mark.parametrize(
    "status,hint", [(400, "protocol"), (401, "credentials"), (403, "permissions"), (404, "endpoint path")]
)
def test_client_errors_are_rejected_never_retried_and_logged_once(server, status, hint):
    server.script([], default={"status": status, "message": f"backend says {status}"})
    out = run("--spans", 10, "--rounds", 3, "--endpoint", server.url)
    assert [r["answer"] for r in server.received()] == [status] * 3  # one request per batch
    st = out["stats"]
    assert (st["exported"], st["dropped_rejected"], st["retries"]) == (0, 30, 0)
    assert st["dropped_export_failed"] == 0
    assert len(out["errors"]) == 1
    assert f"backend says {status}" in out["errors"][0] and hint in out["errors"][0]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed_and_keep_the_api_key_home(server, status):
    # libcurl drops only Authorization on a cross-origin hop: a followed redirect took
    # X-Api-Key to whoever the Location named. Nothing reaches the other server now.
    with OtlpServer() as elsewhere:
        server.script([], default={"status": status, "location": elsewhere.url + "/v1/traces"})
        out = run("--spans", 3, "--endpoint", server.url, "--header", f"X-Api-Key={SECRET}")
        assert elsewhere.received() == []
    assert [r["answer"] for r in server.received()] == [status]
    st = out["stats"]
    assert st["exported"] == 0 and st["dropped_export_failed"] + st["dropped_rejected"] == 3


def test_other_server_errors_fail_without_retry(server):
    server.script([{"status": 500}])
    out = run("--spans", 4, "--endpoint", server.url)
    assert len(server.received()) == 1
    st = out["stats"]
    assert (st["dropped_export_failed"], st["dropped_rejected"], st["retries"]) == (4, 0, 0)


def test_partial_success_counts_rejected_spans_with_the_message(server):
    server.script([], default={"partial": {"rejected": 3, "message": "3 spans were too old"}})
    out = run("--spans", 20, "--rounds", 2, "--endpoint", server.url)
    st = out["stats"]
    assert (st["exported"], st["dropped_rejected"], st["retries"]) == (34, 6, 0)
    assert len(out["errors"]) == 1 and "3 spans were too old" in out["errors"][0]


def test_partial_success_in_json(server):
    server.script([{"partial": {"rejected": 2, "message": "bad attribute"}}])
    out = run("--spans", 10, "--endpoint", server.url, "--protocol", "json")
    assert (out["stats"]["exported"], out["stats"]["dropped_rejected"]) == (8, 2)


# ---- 413: splitting --------------------------------------------------------------------


def test_payload_too_large_splits_the_batch_until_it_fits(server):
    one = run("--spans", 64, "--endpoint", server.url)["stats"]["bytes_sent"]
    server.reset()
    server.script([], default={"max_body": one // 5})  # forces halves of halves of halves
    out = run("--spans", 64, "--endpoint", server.url)
    got = server.received()
    accepted = [r for r in got if r["answer"] == 200]
    assert all(r["wire_bytes"] <= one // 5 for r in accepted)
    assert len(accepted) == 8  # 64 -> 32 -> 16 -> 8 spans per request
    ids = spans_of(got)
    assert len(ids) == len(set(ids)) == 64  # every span once; no part sent twice
    st = out["stats"]
    assert (st["exported"], st["dropped_rejected"], st["retries"]) == (64, 0, 0)
    assert st["bytes_sent"] == sum(r["wire_bytes"] for r in got)


def test_a_single_span_too_large_is_rejected_and_the_rest_delivered(server):
    server.script([], default={"max_body": 100_000})
    out = run("--spans", 16, "--big-span", 300_000, "--endpoint", server.url)
    ids = spans_of(server.received())
    assert len(ids) == len(set(ids)) == 15
    st = out["stats"]
    assert (st["exported"], st["dropped_rejected"], st["dropped_export_failed"]) == (15, 1, 0)
    assert len([e for e in out["errors"] if " 413 " in e]) == 1


# ---- slow, reset, down -----------------------------------------------------------------


def test_a_slow_backend_within_the_timeout_is_waited_for(server):
    server.script([{"delay_ms": 300}])
    out = run("--spans", 5, "--endpoint", server.url, "--timeout-ms", 5000)
    assert out["stats"]["exported"] == 5 and out["stats"]["retries"] == 0


def test_a_backend_slower_than_the_timeout_fails_within_it(server):
    server.script([], default={"delay_ms": 10000})
    out = run("--spans", 5, "--endpoint", server.url, "--timeout-ms", 1000)
    assert out["seconds"] < 5  # the 1 s timeout, with room for a busy machine; not the 10 s
    st = out["stats"]
    assert (st["exported"], st["dropped_export_failed"]) == (0, 5)
    assert len(out["errors"]) == 1


def test_a_reset_connection_is_retried(server):
    server.script([{"reset": True}])
    out = run("--spans", 12, "--endpoint", server.url)
    got = server.received()
    assert [r["answer"] for r in got] == ["reset", 200]
    assert server.connections == 2
    st = out["stats"]
    assert (st["exported"], st["retries"]) == (12, 1)


def test_a_backend_that_is_down_is_retried_within_the_deadline():
    out = run("--spans", 6, "--endpoint", f"http://127.0.0.1:{free_port()}/v1/traces", "--timeout-ms", 1500)
    # It stops at the deadline, or earlier when the next jittered wait would pass it.
    assert out["seconds"] < 2.5
    st = out["stats"]
    assert (st["exported"], st["dropped_export_failed"]) == (0, 6)
    assert st["retries"] >= 2
    assert len(out["errors"]) == 1 and "retrying" in out["errors"][0]


# ---- secrets ---------------------------------------------------------------------------


def test_secrets_never_reach_logs_or_errors(server):
    # The backend echoes the token back in its error text, as some proxies do.
    server.script([], default={"status": 401, "message": f"invalid token Bearer {SECRET}"})
    out = run(
        "--spans",
        3,
        "--endpoint",
        server.url + f"?api-key={SECRET}",
        "--header",
        f"Authorization=Bearer {SECRET}",
        "--headers-string",
        f"x-honeycomb-team={SECRET}x",
        env={"GENOPS_LOG_LEVEL": "debug"},
    )
    (req,) = server.received()
    assert req["headers"]["authorization"] == f"Bearer {SECRET}"  # it was sent ...
    assert req["headers"]["x-honeycomb-team"] == f"{SECRET}x"
    assert SECRET not in out["stderr"] and SECRET not in out["stdout"]  # ... never shown
    assert "[REDACTED]" in out["errors"][0]
    assert out["stats"]["dropped_rejected"] == 3


def test_a_secret_is_redacted_before_the_backends_text_is_cut(server):
    # The token starts two bytes before the 255-byte cut of the backend's text: cut
    # first, those two bytes were too short to recognise and were printed.
    server.script([], default={"status": 401, "message": "x" * 253 + SECRET})
    out = run("--spans", 1, "--endpoint", server.url, "--header", f"Authorization={SECRET}")
    (line,) = [e for e in out["errors"] if "answered 401" in e]
    shown = line.split("answered 401 Unauthorized: ", 1)[1].split(" (")[0]
    assert shown.startswith("x" * 253)
    assert "[REDACTED]".startswith(shown[253:]) and shown[253:], shown[250:]


# ---- fork ------------------------------------------------------------------------------


def test_a_forked_child_uses_its_own_connection_and_the_parent_keeps_its_own(server):
    out = run("--spans", 10, "--rounds", 2, "--fork", "--endpoint", server.url)
    if "skip" in out:
        pytest.skip(out["skip"])
    got = server.received()
    assert len(got) == 3 and all(r["answer"] == 200 for r in got)
    parent_first, child, parent_second = got
    assert parent_first["connection"] == parent_second["connection"] != child["connection"]
    assert out["stats"]["exported"] == 20 and out["child"]["stats"]["exported"] == 10
    assert len(set(spans_of(got))) == 30


# ---- TLS -------------------------------------------------------------------------------


def _tls_server(pki: pathlib.Path, require_client_cert: bool = False) -> OtlpServer:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki / "ca.pem")
    return OtlpServer(tls=ctx)


def test_tls_verifies_the_server_by_default(pki):
    with _tls_server(pki) as s:
        out = run("--spans", 3, "--endpoint", s.url, "--timeout-ms", 3000)
        assert out["stats"]["dropped_export_failed"] == 3
        assert out["stats"]["retries"] == 0  # a certificate problem does not go away
        assert len(out["errors"]) == 1 and "certificate" in out["errors"][0].lower()
        ok = run("--spans", 3, "--endpoint", s.url, "--certificate", pki / "ca.pem")
        assert ok["stats"]["exported"] == 3 and not ok["warnings"]
        env = run(
            "--spans",
            2,
            env={
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": s.url,
                "OTEL_EXPORTER_OTLP_CERTIFICATE": str(pki / "ca.pem"),
            },
        )
        assert env["stats"]["exported"] == 2


def test_ssl_cert_file_is_the_trust_store_when_none_is_configured(pki, tmp_path):
    # As OpenSSL and the curl tool read it; a wheel's bundled libcurl relies on it (or
    # on the well-known bundle locations) where its built-in bundle path is missing.
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    shutil.copy(pki / "ca.pem", hashed / "ca.pem")
    subprocess.run(["openssl", "rehash", "."], cwd=hashed, check=True, capture_output=True, timeout=30)
    with _tls_server(pki) as s:
        ok = run("--spans", 2, "--endpoint", s.url, env={"SSL_CERT_FILE": str(pki / "ca.pem")})
        assert ok["stats"]["exported"] == 2 and not ok["errors"]
        dir_ok = run("--spans", 1, "--endpoint", s.url, env={"SSL_CERT_DIR": str(hashed)})
        assert dir_ok["stats"]["exported"] == 1 and not dir_ok["errors"]


def test_insecure_skips_verification_and_says_so(pki):
    with _tls_server(pki) as s:
        out = run("--spans", 3, "--endpoint", s.url, "--insecure")
        assert out["stats"]["exported"] == 3
        assert len(out["warnings"]) == 1 and "verification is OFF" in out["warnings"][0]


def test_mutual_tls_with_a_client_certificate(pki):
    with _tls_server(pki, require_client_cert=True) as s:
        out = run("--spans", 3, "--endpoint", s.url, "--certificate", pki / "ca.pem", "--timeout-ms", 2000)
        assert out["stats"]["exported"] == 0
        ok = run(
            "--spans",
            3,
            "--endpoint",
            s.url,
            "--certificate",
            pki / "ca.pem",
            "--client-cert",
            pki / "client.pem",
            "--client-key",
            pki / "client.key",
        )
        assert ok["stats"]["exported"] == 3
        assert s.received()[-1]["answer"] == 200
