"""The Splunk HEC exporter against a strict local HEC (tests/peers/hec_server.py).

Each test runs tests/tools/hec_driver.c (built as genops_hec_driver; ctest passes its
path in GENOPS_HEC_DRIVER), which records spans through the public C API into a pipeline
with one HEC exporter, flushes, and prints the pipeline's and the exporter's stats as
JSON. The test then checks both sides: what the server indexed and what the counters
say. The server answers from a script of rules, so no test sleeps to decide what
happens; time is only measured where the rule is about time (deadlines, Retry-After).
Everything stays on 127.0.0.1; every run is bounded by the driver's timeouts.
"""

from __future__ import annotations

import collections
import ctypes
import os
import pathlib
import re
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import drivers  # noqa: E402
from hec_server import GUID, HecServer, free_port  # noqa: E402

DRIVER = drivers.built("GENOPS_HEC_DRIVER", "genops_hec_driver")
pytestmark = pytest.mark.skipif(
    DRIVER is None, reason="genops_hec_driver is not built (cmake --build <dir> --target genops_hec_driver)"
)

TOKEN = "5f1e2d3c-aaaa-bbbb-cccc-0123456789ab"


def run(*args, env: dict | None = None, token: str | None = TOKEN) -> dict:
    """Run the driver; its JSON result, plus "errors"/"warnings": its log lines."""
    argv = [DRIVER, *args] + (["--token", token] if token is not None else [])
    return drivers.run(argv, strip=("SPLUNK_", "OTEL_"), env=env)


def hec(out: dict) -> dict:
    return out["hec"]


def ids(events: list[dict]) -> list[str]:
    return [e["event"]["span_id"] for e in events]


def assert_no_token(out: dict) -> None:
    assert TOKEN not in out["stdout"] and TOKEN not in out["stderr"]


@pytest.fixture
def server():
    with HecServer(TOKEN) as s:
        yield s


@pytest.fixture
def ack_server():
    with HecServer(TOKEN, use_ack=True) as s:
        yield s


# ---- what arrives ---------------------------------------------------------------------


def test_events_have_the_shape_the_guides_searches_read(server):
    out = run(
        "--spans",
        200,
        "--batch",
        64,
        "--endpoint",
        server.base,
        "--index",
        "genops_ai",
        "--field",
        "genops.team",
    )
    events = server.events()
    assert len(events) == 200 and len(set(ids(events))) == 200
    assert hec(out)["events_delivered"] == 200 and out["stats"]["exported"] == 200
    first = events[0]
    assert list(first) == ["time", "host", "sourcetype", "index", "event", "fields"]
    assert isinstance(first["time"], float) and abs(first["time"] - time.time()) < 60
    assert first["sourcetype"] == "genops:telemetry" and first["index"] == "genops_ai"
    body = first["event"]
    assert body["service.name"] == "hec-driver" and body["status"] == "UNSET"
    assert re.fullmatch(r"[0-9a-f]{32}", body["trace_id"]) and isinstance(body["duration_ms"], (int, float))
    assert isinstance(body["genops.cost.total"], float) and isinstance(body["genops.tokens.input"], int)
    assert first["fields"] == {"genops.team": body["genops.team"]}
    # index=genops_ai | stats sum(genops.cost.total) by genops.team
    by_team = collections.defaultdict(float)
    for e in events:
        by_team[e["event"]["genops.team"]] += e["event"]["genops.cost.total"]
    expect = collections.defaultdict(float)
    for i in range(200):
        expect[["ai-platform", "support", "search", "billing"][i % 4]] += 0.0021 * (i % 7 + 1)
    assert by_team.keys() == expect.keys()
    assert all(abs(by_team[t] - expect[t]) < 1e-9 for t in expect)
    records = server.received()
    assert all(r["headers"]["authorization"] == f"Splunk {TOKEN}" for r in records)
    channels = {r["headers"]["x-splunk-request-channel"] for r in records}
    assert len(channels) == 1 and GUID.match(channels.pop())
    assert_no_token(out)


def test_raw_lines_carry_metadata_in_the_query(server):
    out = run(
        "--spans",
        50,
        "--endpoint",
        server.base + "/services/collector/raw",
        "--index",
        "genops_ai",
        "--sourcetype",
        "genops:raw",
        "--host",
        "ai-app-01",
    )
    events = server.events()
    assert hec(out)["events_delivered"] == 50 and len(events) == 50
    rec = server.received()[0]
    assert rec["path"].startswith("/services/collector/raw?channel=")
    assert "sourcetype=genops%3Araw" in rec["path"] and "index=genops_ai" in rec["path"]
    assert events[0]["host"] == "ai-app-01" and events[0]["raw"]
    line = events[0]["event"]
    assert list(line)[:2] == ["time", "name"] and "genops.cost.total" in line


def test_environment_configures_everything(server):
    env = {
        "SPLUNK_HEC_ENDPOINT": server.base,
        "SPLUNK_HEC_TOKEN": TOKEN,
        "SPLUNK_INDEX": "genops_ai",
        "SPLUNK_SOURCETYPE": "genops:env",
        "SPLUNK_SOURCE": "genops-tests",
        "SPLUNK_HOST": "env-host",
    }
    out = run("--spans", 5, env=env, token=None)
    assert hec(out)["events_delivered"] == 5
    e = server.events()[0]
    assert (e["index"], e["sourcetype"], e["source"], e["host"]) == (
        "genops_ai",
        "genops:env",
        "genops-tests",
        "env-host",
    )


@pytest.mark.parametrize(
    "args, token, words",
    [
        ((), None, "SPLUNK_HEC_TOKEN not set"),
        ((), "a b", "space or line break"),
        (("--index", "Genops_AI"), TOKEN, "not a Splunk index name"),
        (("--index", "_internal"), TOKEN, "not a Splunk index name"),
        (("--channel", "channel-1"), TOKEN, "is not a GUID"),
        (("--format", "raw", "--field", "genops.team"), TOKEN, "needs the event format"),
        (("--max-bytes", "10"), TOKEN, "max_request_bytes"),
    ],
)
def test_bad_configuration_is_refused_at_creation(server, args, token, words):
    out = run("--endpoint", server.base, *args, token=token)
    assert out["created"] is False and out["code"] == 1 and words in out["error"]
    assert_no_token(out)
    assert server.received() == []


def test_missing_endpoint_and_contradicting_path_are_refused():
    out = run("--spans", 1)
    assert out["created"] is False and "SPLUNK_HEC_ENDPOINT not set" in out["error"]
    out = run("--endpoint", "http://127.0.0.1:1/services/collector/event", "--format", "raw")
    assert out["created"] is False and "contradicts" in out["error"]


# ---- size limits ----------------------------------------------------------------------


def test_requests_stay_under_the_byte_limit(server):
    out = run("--spans", 600, "--endpoint", server.base, "--max-bytes", 20000)
    records = server.received()
    assert len(records) > 1 and all(r["wire_bytes"] <= 20000 for r in records)
    assert len(server.events()) == 600 and len(set(ids(server.events()))) == 600
    assert hec(out)["events_delivered"] == 600


def test_gzip_limit_applies_to_bytes_on_the_wire(server):
    out = run(
        "--spans",
        3000,
        "--batch",
        3000,
        "--endpoint",
        server.base,
        "--compression",
        "gzip",
        "--max-bytes",
        20000,
    )
    records = server.received()
    assert all(r["headers"].get("content-encoding") == "gzip" for r in records)
    assert all(r["wire_bytes"] <= 20000 for r in records)
    assert any(r["body_bytes"] > 20000 for r in records)  # more than the limit, compressed
    assert len(set(ids(server.events()))) == 3000 and hec(out)["events_delivered"] == 3000


def test_event_count_limit(server):
    out = run("--spans", 100, "--endpoint", server.base, "--max-events", 30)
    assert [len(r["events"]) for r in server.received()] == [30, 30, 30, 10]
    assert hec(out)["events_delivered"] == 100


def test_413_halves_the_request_and_nothing_is_sent_twice(server):
    server.configure(max_content_length=12000)
    out = run("--spans", 100, "--endpoint", server.base)
    answers = [r["answer"] for r in server.received()]
    assert answers[0] == 413 and answers.count(200) >= 2
    assert len(server.events()) == 100 and len(set(ids(server.events()))) == 100
    assert hec(out)["splits"] >= 1 and hec(out)["events_delivered"] == 100
    assert out["stats"]["exported"] == 100


def test_an_event_larger_than_a_request_is_dropped_and_counted(server):
    out = run("--spans", 20, "--endpoint", server.base, "--max-bytes", 4096, "--big-span", 8000)
    assert hec(out)["dropped_too_large"] == 1 and hec(out)["events_delivered"] == 19
    assert len(server.events()) == 19 and out["stats"]["dropped_rejected"] == 1


# ---- failures -------------------------------------------------------------------------


def test_server_busy_is_retried_with_backoff(server):
    server.script([{"code": 9, "times": 2}])
    out = run("--spans", 10, "--endpoint", server.base)
    assert [r["answer"] for r in server.received()] == [503, 503, 200]
    assert hec(out)["retries"] == 2 and hec(out)["events_delivered"] == 10
    assert len(out["errors"]) == 1 and "Server is busy" in out["errors"][0]


def test_retry_after_is_honoured(server):
    server.script([{"code": 9, "retry_after": "1"}])
    out = run("--spans", 3, "--endpoint", server.base)
    first, second = server.received()[:2]
    assert second["time"] - first["time"] >= 0.95
    assert hec(out)["events_delivered"] == 3


@pytest.mark.parametrize("code", [8, 18, 19, 20, 23, 26, 27])
def test_codes_that_may_pass_are_retried(server, code):
    server.script([{"code": code}])
    out = run("--spans", 4, "--endpoint", server.base)
    assert hec(out)["retries"] == 1 and hec(out)["events_delivered"] == 4


def test_busy_forever_gives_up_at_the_deadline(server):
    server.script([], default={"code": 9})
    start = time.monotonic()
    out = run("--spans", 10, "--endpoint", server.base, "--timeout-ms", 1500)
    assert time.monotonic() - start < 6
    assert hec(out)["dropped_unavailable"] == 10 and out["stats"]["dropped_export_failed"] == 10
    assert hec(out)["last_status"] == 503 and hec(out)["last_code"] == 9
    assert len(out["errors"]) == 1  # logged once, however many attempts


@pytest.mark.parametrize(
    "setup, code, stat, words",
    [
        ({"token": "another-token"}, 4, "dropped_auth", "Invalid token"),
        ({"disabled_tokens": [TOKEN]}, 1, "dropped_auth", "Token disabled"),
        ({"allowed_indexes": ["main"]}, 7, "dropped_index", "Incorrect index"),
    ],
)
def test_refusals_are_not_retried_and_say_why(server, setup, code, stat, words):
    server.configure(**setup)
    out = run("--spans", 10, "--endpoint", server.base, "--index", "genops_ai")
    assert len(server.received()) == 1 and server.events() == []
    assert hec(out)[stat] == 10 and hec(out)["retries"] == 0
    assert hec(out)["last_code"] == code and words in hec(out)["last_error"]
    assert out["stats"]["dropped_rejected"] == 10
    assert len(out["errors"]) == 1 and words in out["errors"][0]
    assert_no_token(out)


@pytest.mark.parametrize("code", [5, 6, 10, 11, 12, 13, 14, 15, 16])
def test_other_codes_are_rejected_once(server, code):
    server.script([{"code": code}])
    out = run("--spans", 5, "--endpoint", server.base)
    assert len(server.received()) == 1
    assert hec(out)["dropped_rejected"] == 5 and hec(out)["retries"] == 0
    assert hec(out)["last_code"] == code


def test_invalid_event_is_dropped_and_the_rest_sent_once_more(server):
    server.script([{"code": 6, "invalid_event": 3}])
    out = run("--spans", 10, "--endpoint", server.base)
    first, second = server.received()
    assert (first["answer"], len(first["events"])) == (400, 3)
    assert (second["answer"], len(second["events"])) == (200, 6)
    events = ids(server.events())
    assert len(events) == len(set(events)) == 9
    assert hec(out)["dropped_invalid_event"] == 1 and hec(out)["events_delivered"] == 9
    assert out["stats"]["exported"] == 9 and out["stats"]["dropped_rejected"] == 1


def test_a_second_invalid_event_drops_the_rest(server):
    server.script([{"code": 6, "invalid_event": 3}, {"code": 13, "invalid_event": 2}])
    out = run("--spans", 10, "--endpoint", server.base)
    assert len(server.received()) == 2 and len(server.events()) == 5
    h = hec(out)
    assert (h["events_delivered"], h["dropped_invalid_event"], h["dropped_rejected"]) == (5, 2, 3)


def test_a_slow_server_still_delivers(server):
    server.script([{"delay_ms": 400}])
    out = run("--spans", 5, "--endpoint", server.base)
    assert hec(out)["events_delivered"] == 5


def test_a_reset_connection_is_retried(server):
    server.script([{"reset": True}])
    out = run("--spans", 5, "--endpoint", server.base)
    assert hec(out)["retries"] == 1 and hec(out)["events_delivered"] == 5


def test_a_silent_server_is_given_up_at_the_deadline(server):
    server.script([], default={"silent": True})
    start = time.monotonic()
    out = run("--spans", 5, "--endpoint", server.base, "--timeout-ms", 1000)
    assert time.monotonic() - start < 5
    assert hec(out)["dropped_unavailable"] == 5


def test_a_server_that_is_down(server):
    start = time.monotonic()
    out = run("--spans", 5, "--endpoint", f"http://127.0.0.1:{free_port()}", "--timeout-ms", 1200)
    assert time.monotonic() - start < 5
    assert hec(out)["dropped_unavailable"] == 5 and hec(out)["retries"] >= 1
    assert "retrying" in out["errors"][0]


# ---- indexer acknowledgement ----------------------------------------------------------


def test_delivered_only_once_acknowledged(ack_server):
    ack_server.configure(ack_delay_ms=300)
    out = run(
        "--spans",
        100,
        "--batch",
        100,
        "--endpoint",
        ack_server.base,
        "--ack",
        "--max-events",
        25,
        "--ack-poll-ms",
        100,
    )
    h = hec(out)
    assert h["requests"] == 4 and h["acked"] == 4 and h["ack_pending"] == 0
    assert h["ack_polls"] >= 1 and h["events_delivered"] == 100 and h["resent"] == 0
    records = ack_server.received()
    posts = [r for r in records if r["kind"] == "event"]
    polls = [r for r in records if r["kind"] == "ack"]
    assert sorted(r["ack_id"] for r in posts) == [0, 1, 2, 3]
    assert polls[-1]["answer"] == 200
    channels = {r["headers"]["x-splunk-request-channel"] for r in records}
    assert len(channels) == 1  # ack ids are per channel: polls use the posts' channel
    assert min(p["time"] for p in polls) - posts[0]["time"] >= 0.01


def test_an_unacknowledged_request_is_sent_again(ack_server):
    ack_server.script([{"ack_never": True}])
    out = run(
        "--spans", 10, "--endpoint", ack_server.base, "--ack", "--ack-timeout-ms", 400, "--ack-poll-ms", 100
    )
    h = hec(out)
    assert h["resent"] == 1 and h["acked"] == 1 and h["events_delivered"] == 10
    assert len(ack_server.events()) == 20  # at least once: the first copy was indexed too


def test_never_acknowledged_counts_as_failed_at_the_deadline(ack_server):
    ack_server.script([], default={"ack_never": True})
    start = time.monotonic()
    out = run(
        "--spans",
        10,
        "--endpoint",
        ack_server.base,
        "--ack",
        "--ack-timeout-ms",
        5000,
        "--timeout-ms",
        1200,
        "--ack-poll-ms",
        200,
    )
    assert time.monotonic() - start < 5
    h = hec(out)
    assert h["dropped_unacked"] == 10 and h["ack_pending"] == 0 and h["events_delivered"] == 0
    assert out["stats"]["dropped_export_failed"] == 10


def test_a_channel_is_required_when_the_token_acknowledges(ack_server):
    out = run("--spans", 3, "--endpoint", ack_server.base)  # use_ack off: still a channel
    assert hec(out)["events_delivered"] == 3
    assert all(r["answer"] == 200 for r in ack_server.received())


def test_use_ack_on_a_token_without_it_warns_and_delivers(server):
    out = run("--spans", 5, "--endpoint", server.base, "--ack")
    assert hec(out)["events_delivered"] == 5 and hec(out)["ack_polls"] == 0
    assert any("without an ackId" in w for w in out["warnings"])


# ---- fork and secrets -----------------------------------------------------------------


def test_a_forked_child_gets_a_channel_of_its_own(server):
    out = run("--spans", 10, "--endpoint", server.base, "--fork", "--rounds", 2)
    if "skip" in out:
        pytest.skip(out["skip"])
    child = out["child"]
    assert child["hec"]["events_delivered"] == 10
    tags = collections.defaultdict(set)
    for r in server.received():
        for e in r["events"]:
            tags[e["event"]["genops.driver.tag"]].add(r["headers"]["x-splunk-request-channel"])
    assert len(tags["parent"]) == 1 and len(tags["child"]) == 1
    assert tags["parent"] != tags["child"]


def test_a_given_channel_is_used(server):
    channel = "0f8e6c1a-1111-4222-8333-944455556666"
    run("--spans", 2, "--endpoint", server.base, "--channel", channel)
    assert {r["headers"]["x-splunk-request-channel"] for r in server.received()} == {channel}


# ---- setup validation -----------------------------------------------------------------


def validate(*args, env: dict | None = None, token: str | None = TOKEN) -> dict:
    out = run("--validate", *args, env=env, token=token)
    out["validation"]["text"] = out["text"]
    assert_no_token(out)
    return out["validation"]


def test_validation_of_a_working_setup(server):
    v = validate("--endpoint", server.base, "--index", "genops_ai")
    assert v["valid"] and v["connectivity"] and v["token_ok"] and v["index_accessible"]
    assert v["health_code"] == 17 and v["event_code"] == 0 and v["errors"] == []
    assert v["details"]["index"] == "genops_ai" and "HEC is healthy" in v["details"]["health"]
    assert any("plain http" in w for w in v["warnings"])
    test_event = server.events()[0]
    assert test_event["event"]["genops.validation"] is True and test_event["index"] == "genops_ai"
    assert v["text"].startswith("\u2705 Splunk HEC setup is valid")


def test_validation_names_every_missing_setting():
    v = validate(token=None)
    assert not v["valid"] and not v["config_ok"]
    assert any(e.startswith("SPLUNK_HEC_ENDPOINT not set") for e in v["errors"])
    assert any(e.startswith("SPLUNK_HEC_TOKEN not set") for e in v["errors"])
    assert "\u274c Errors:" in v["text"] and "SPLUNK_HEC_TOKEN not set" in v["text"]


def test_validation_without_connectivity_makes_no_request(server):
    v = validate("--endpoint", server.base, "--no-connectivity")
    assert v["valid"] and v["config_ok"] and not v["connectivity"]
    assert server.received() == []


@pytest.mark.parametrize(
    "setup, words",
    [
        ({"token": "another-token"}, "HEC token forbidden (403 Forbidden)"),
        ({"disabled_tokens": [TOKEN]}, "HEC token forbidden (403 Forbidden)"),
        ({"allowed_indexes": ["main"]}, "is not writable with this token"),
        ({"healthy": False}, "HEC is unhealthy"),
    ],
)
def test_validation_reports_what_hec_refused(server, setup, words):
    server.configure(**setup)
    v = validate("--endpoint", server.base, "--index", "genops_ai")
    assert not v["valid"] and any(words in e for e in v["errors"]), v["errors"]


def test_validation_of_a_token_header_hec_does_not_accept(server):
    server.script([{"status": 401, "code": 3, "text": "Invalid authorization"}])
    v = validate("--endpoint", server.base)
    assert any("HEC token authentication failed (401 Unauthorized)" in e for e in v["errors"])


def test_validation_when_nothing_listens():
    v = validate("--endpoint", f"http://127.0.0.1:{free_port()}", "--timeout-ms", 2000)
    assert not v["valid"] and not v["connectivity"]
    assert v["errors"][0].startswith("Connection refused - HEC endpoint not accessible")


def test_validation_warns_about_ack_mismatch(ack_server):
    v = validate("--endpoint", ack_server.base)
    assert v["valid"] and any("indexer acknowledgement on" in w for w in v["warnings"])


# ---- the C API from Python (what the binding will call) -------------------------------


# The shared library of a plain build (a sanitizer build's cannot be loaded into this
# interpreter: there ctest sets GENOPS_SHARED_LIB to ""), the driver's own if it is one.
def _plain_lib() -> str | None:
    dirs = [pathlib.Path(DRIVER).parent] if DRIVER else []
    libs = sorted(ROOT.glob("build/*/libgenops.so"), key=lambda p: p.stat().st_mtime)
    dirs += [p.parent for p in reversed(libs)]
    for d in dirs:
        cache = d / "CMakeCache.txt"
        sanitized = cache.exists() and re.search(
            r"^GENOPS_SANITIZE:STRING=\S", cache.read_text(errors="replace"), re.M
        )
        if (d / "libgenops.so").exists() and not sanitized:
            return str(d / "libgenops.so")
    return None


if "GENOPS_SHARED_LIB" in os.environ:
    LIB = os.environ["GENOPS_SHARED_LIB"] or None
else:
    LIB = _plain_lib()
if LIB and not os.path.exists(LIB):
    LIB = None


class HecOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("endpoint", ctypes.c_char_p),
        ("token", ctypes.c_char_p),
        ("index", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("sourcetype", ctypes.c_char_p),
        ("host", ctypes.c_char_p),
        ("format", ctypes.c_int),
        ("indexed_fields", ctypes.POINTER(ctypes.c_char_p)),
        ("indexed_field_count", ctypes.c_size_t),
        ("use_ack", ctypes.c_bool),
        ("ack_timeout_ms", ctypes.c_uint32),
        ("ack_poll_interval_ms", ctypes.c_uint32),
        ("compression", ctypes.c_int),
        ("max_request_bytes", ctypes.c_uint32),
        ("max_request_events", ctypes.c_uint32),
        ("timeout_ms", ctypes.c_uint32),
        ("channel", ctypes.c_char_p),
        ("certificate", ctypes.c_char_p),
        ("client_key", ctypes.c_char_p),
        ("client_certificate", ctypes.c_char_p),
        ("insecure", ctypes.c_bool),
    ]


T = GENOPS_HEC_VALIDATION_TEXT = 256
N = GENOPS_HEC_VALIDATION_ITEMS = 12


class HecValidation(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("valid", ctypes.c_bool),
        ("config_ok", ctypes.c_bool),
        ("connectivity", ctypes.c_bool),
        ("token_ok", ctypes.c_bool),
        ("index_accessible", ctypes.c_bool),
        ("health_status", ctypes.c_int32),
        ("health_code", ctypes.c_int32),
        ("event_status", ctypes.c_int32),
        ("event_code", ctypes.c_int32),
        ("health_ms", ctypes.c_uint32),
        ("event_ms", ctypes.c_uint32),
        ("error_count", ctypes.c_size_t),
        ("warning_count", ctypes.c_size_t),
        ("detail_count", ctypes.c_size_t),
        ("errors", (ctypes.c_char * T) * N),
        ("warnings", (ctypes.c_char * T) * N),
        ("detail_names", (ctypes.c_char * 32) * N),
        ("detail_values", (ctypes.c_char * T) * N),
    ]


@pytest.mark.skipif(LIB is None, reason="libgenops.so is not built")
def test_validation_through_ctypes(server):
    lib = ctypes.CDLL(LIB)
    lib.genops_hec_validation_error.restype = ctypes.c_char_p
    lib.genops_hec_validation_detail.restype = ctypes.c_char_p
    lib.genops_hec_validation_format.restype = ctypes.c_size_t
    opt = HecOptions()
    lib.genops_hec_options_init(ctypes.byref(opt))
    assert opt.struct_size == ctypes.sizeof(HecOptions)
    opt.endpoint, opt.token, opt.index = server.base.encode(), TOKEN.encode(), b"genops_ai"
    v = HecValidation(struct_size=ctypes.sizeof(HecValidation))
    err = (ctypes.c_char * 264)()
    assert lib.genops_hec_validate(ctypes.byref(opt), True, ctypes.byref(v), err) == 0
    assert v.valid and v.connectivity and v.index_accessible and v.health_code == 17
    assert lib.genops_hec_validation_error(ctypes.byref(v), 0) is None
    name = ctypes.c_char_p()
    details, i = {}, 0
    while value := lib.genops_hec_validation_detail(ctypes.byref(v), i, ctypes.byref(name)):
        details[name.value.decode()] = value.decode()
        i += 1
    assert details["index"] == "genops_ai" and "healthy" in details["health"]
    n = lib.genops_hec_validation_format(ctypes.byref(v), None, 0)
    text = (ctypes.c_char * (n + 1))()
    assert lib.genops_hec_validation_format(ctypes.byref(v), text, n + 1) == n
    assert text.value.decode().startswith("\u2705 Splunk HEC setup is valid")
    opt.token = None
    assert lib.genops_hec_validate(ctypes.byref(opt), False, ctypes.byref(v), err) == 0
    assert not v.valid and b"SPLUNK_HEC_TOKEN not set" in v.errors[0].value


# ---- the guide's configuration: OTLP options pointed at Splunk -------------------------

OTLP_DRIVER = drivers.built("GENOPS_OTLP_DRIVER", "genops_otlp_driver")


@pytest.mark.skipif(OTLP_DRIVER is None, reason="genops_otlp_driver is not built")
@pytest.mark.parametrize(
    "how, why",
    [
        ("path", "splunk-hec (chosen for an OTLP endpoint at /services/collector/event)"),
        ("authorization", 'splunk-hec (chosen for an OTLP endpoint with an "Authorization: Splunk" header)'),
    ],
)
def test_exporter_for_endpoint_sends_hec_events_to_splunk(server, how, why):
    """GenOps' Splunk guide: init(exporter_type="otlp", otlp_endpoint="https://host:8088/
    services/collector/...", otlp_headers={"Authorization": "Splunk <token>"}). Splunk
    cannot index OTLP protobuf, so genops_exporter_for_endpoint builds a HEC exporter,
    says so once, and names the choice."""
    # "authorization": a bare base URL, so that only the header says "Splunk".
    endpoint = server.base + ("/services/collector/event" if how == "path" else "")
    argv = [OTLP_DRIVER, "--spans", "7", "--endpoint", endpoint, "--header", f"Authorization=Splunk {TOKEN}"]
    out = drivers.run([*argv, "--for-endpoint"], strip=("SPLUNK_", "OTEL_"))
    assert out["stats"]["exported"] == 7
    assert out["exporter"] == why
    events = server.events()
    assert len(events) == 7
    assert all(e["event"]["genops.cost.total"] > 0 for e in events)
    notes = [line for line in out["stderr"].splitlines() if "Splunk HTTP Event Collector" in line]
    assert len(notes) == 1 and "sending Splunk HEC events there instead" in notes[0]
    assert TOKEN not in out["stdout"] and TOKEN not in out["stderr"]


@pytest.mark.skipif(OTLP_DRIVER is None, reason="genops_otlp_driver is not built")
def test_the_otlp_exporter_stays_otlp_at_a_splunk_endpoint(server):
    """genops_otlp_exporter_new never switches protocols: at a HEC path it sends OTLP
    (which HEC refuses) and warns once that this endpoint looks like Splunk."""
    endpoint = server.base + "/services/collector/event"
    argv = [OTLP_DRIVER, "--spans", "3", "--rounds", "2", "--endpoint", endpoint]
    out = drivers.run([*argv, "--header", f"Authorization=Splunk {TOKEN}"], strip=("SPLUNK_", "OTEL_"))
    assert out["exporter"] == "otlp"
    assert out["stats"]["exported"] == 0 and server.events() == []
    assert {r["headers"].get("content-type") for r in server.received()} == {"application/x-protobuf"}
    notes = [x for x in out["stderr"].splitlines() if "looks like a Splunk HTTP Event Collector" in x]
    assert len(notes) == 1 and "sending OTLP as asked" in notes[0]
    assert TOKEN not in out["stdout"] and TOKEN not in out["stderr"]
