"""The fault matrix's cases and its table, one source for the suite
(test_fault_matrix.py) and the generator (tools/gen_fault_matrix.py). Not a test module.

Each case is a backend behaviour, scripted on the local OTLP server of
tests/peers/otlp_server.py (127.0.0.1 only), on the OTLP/gRPC server of
tests/peers/otlp_grpc_server.py (grpcio; "grpc" cases, exported with protocol grpc) or a
socket of the suite's own, and the outcome the pipeline must reach: every span exported
or counted with its reason."""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
HEADING = "## Fault matrix"

SPANS = 6
TIMEOUT_MS = 2000  # the exporter's deadline per export
EXIT_LIMIT_S = 8.0  # the whole run: start, record, flush, shutdown
RSS_LIMIT_MB = 64  # a driver peaks near 25 MB: a 100 MB answer held whole would show

# name -> (how the backend behaves: a server rule, or a special target; expected outcome)
CASES: dict[str, tuple[dict, str]] = {
    "dead (connection refused)": ({"target": "dead"}, "failed"),
    "blackholed (accepts, never answers)": ({"target": "blackhole"}, "failed"),
    "slow (answers after the deadline)": ({"default": {"status": 200, "delay_ms": 6000}}, "failed"),
    "slow (a 1 byte/s trickle)": ({"default": {"status": 200, "trickle_bps": 1}}, "failed"),
    "reset mid-request": ({"default": {"reset": True}}, "failed"),
    "401": ({"default": {"status": 401}}, "rejected"),
    "403": ({"default": {"status": 403}}, "rejected"),
    "404": ({"default": {"status": 404}}, "rejected"),
    "413 for every size": ({"default": {"status": 413}}, "rejected"),
    "429, Retry-After: 1": ({"rules": [{"status": 429, "retry_after": "1"}]}, "exported"),
    "429, Retry-After: an HTTP-date": ({"rules": [{"status": 429, "retry_after_in": 1}]}, "exported"),
    "429, Retry-After: a date in the past": ({"rules": [{"status": 429, "retry_after_in": -60}]}, "exported"),
    "429, Retry-After: garbage": ({"rules": [{"status": 429, "retry_after": "soon"}]}, "exported"),
    "429, Retry-After: huge": ({"default": {"status": 429, "retry_after": "999999999"}}, "failed"),
    "429, Retry-After: 0, forever": ({"default": {"status": 429, "retry_after": "0"}}, "failed"),
    "500": ({"default": {"status": 500}}, "failed"),
    # http.c keeps HTTP_BODY_KEEP (16 KiB) of an answer and reads the rest into nothing.
    "200 with a 100 MB body": ({"default": {"status": 200, "body_bytes": 100 << 20}}, "exported"),
    "503, then 200": ({"rules": [{"status": 503}]}, "exported"),
    "503 forever": ({"default": {"status": 503}}, "failed"),
    "partial success (1 rejected)": (
        {"rules": [{"status": 200, "partial": {"rejected": 1, "message": "one span was too old"}}]},
        "partial",
    ),
    # TLS: "tls" says whether the driver is given the server's (self-signed) certificate as
    # its CA (the certificate option, OTEL_EXPORTER_OTLP_CERTIFICATE).
    "TLS, an untrusted (self-signed) certificate": ({"tls": "untrusted"}, "failed"),
    "TLS, that certificate given as the CA": ({"tls": "trusted"}, "exported"),
    # DNS: a name under .invalid (RFC 6761 6.4), resolved in a network namespace of the
    # driver's own (unshare -n: only a loopback that is down), so the query for the
    # machine's name server fails locally and nothing leaves the machine.
    "DNS failure (a .invalid host, no network)": ({"target": "dns"}, "failed"),
    # fork() while the parent's spans are queued (the driver's --fork-queued): the child
    # starts with an empty queue and exports its own; the parent exports its own once.
    "fork with spans queued (parent, then child)": ({"fork": True}, "fork"),
    # SIGTERM while the application waits in genops.flush() on a blackholed backend; its
    # handler calls sys.exit (a Python process: the package staged in <build>/python).
    "SIGTERM during a flush (Python, sys.exit in the handler)": ({"sigterm": True}, "failed"),
    # The wall clock jumping back: the core times deadlines and delays by CLOCK_MONOTONIC
    # (core/src/clock.h) and has no hook to move CLOCK_REALTIME, so the row sends a second
    # batch whose spans start an hour before the first batch's (the driver's --past-s).
    "the clock jumping back (a batch started 1 h before the last)": ({"clock_back_s": 3600}, "exported"),
    # Splunk HEC with use_ack: "hec" holds the HEC stand-in's default rule.
    "HEC: acknowledgement never coming": ({"hec": {"ack_never": True}}, "failed"),
    # OTLP/gRPC: "grpc" holds the gRPC server's rules (or a special target).
    "gRPC: dead (connection refused)": ({"grpc": {"target": "dead"}}, "failed"),
    "gRPC: an HTTP/1.1 server (OTLP/HTTP's port)": ({"grpc": {"target": "http1"}}, "failed"),
    "gRPC: slow (answers after the deadline)": ({"grpc": {"default": {"sleep_ms": 3000}}}, "failed"),
    "gRPC: UNAVAILABLE, then OK": ({"grpc": {"rules": [{"code": "UNAVAILABLE"}]}}, "exported"),
    "gRPC: UNAVAILABLE forever": ({"grpc": {"default": {"code": "UNAVAILABLE"}}}, "failed"),
    "gRPC: UNAVAILABLE, RetryInfo 1 s, then OK": (
        {"grpc": {"rules": [{"code": "UNAVAILABLE", "retry_delay_ms": 1000}]}},
        "exported",
    ),
    "gRPC: RESOURCE_EXHAUSTED, RetryInfo, then OK": (
        {"grpc": {"rules": [{"code": "RESOURCE_EXHAUSTED", "retry_delay_ms": 100}]}},
        "exported",
    ),
    "gRPC: RESOURCE_EXHAUSTED without RetryInfo": (
        {"grpc": {"default": {"code": "RESOURCE_EXHAUSTED"}}},
        "rejected",
    ),
    "gRPC: UNAUTHENTICATED": ({"grpc": {"default": {"code": "UNAUTHENTICATED"}}}, "rejected"),
    "gRPC: INTERNAL": ({"grpc": {"default": {"code": "INTERNAL"}}}, "failed"),
    "gRPC: partial success (1 rejected)": (
        {"grpc": {"rules": [{"partial": {"rejected": 1, "message": "one span was too old"}}]}},
        "partial",
    ),
    # The disk spool (GENOPS_SPOOL_DIR): "spool" names the scenario test_fault_matrix runs.
    "dead, with the spool": ({"spool": "dead"}, "spooled"),
    "dead, then a restart with the backend back (spool)": ({"spool": "restart"}, "replayed"),
    "gRPC: dead, with the spool": ({"spool": "dead", "protocol": "grpc"}, "spooled"),
    "gRPC: dead, then a restart with the backend back (spool)": (
        {"spool": "restart", "protocol": "grpc"},
        "replayed",
    ),
    "disk full under the spool (RLIMIT_FSIZE)": ({"spool": "disk-full"}, "spool-full"),
    "a corrupted spool segment, then a restart": ({"spool": "corrupt"}, "corrupt"),
}

EXPECTED = {
    "exported": f"{SPANS} exported",
    "failed": f"{SPANS} dropped_export_failed",
    "rejected": f"{SPANS} dropped_rejected",
    "partial": f"{SPANS - 1} exported, 1 dropped_rejected",
    "fork": f"{SPANS} exported; child: {SPANS} exported",
    "spooled": f"{SPANS} spooled",
    # the restart's run: its own spans, and the last process's from the spool
    "replayed": f"{SPANS} exported, {SPANS} spool_replayed",
    "spool-full": f"{SPANS} dropped_export_failed, {SPANS} spool_write_failed",
    "corrupt": f"{SPANS} exported, {SPANS} spool_replayed, 1 spool_corrupt_tails",
}


def outcome(stats: dict) -> str:
    """The counts of a run, in EXPECTED's words (zero counts left out)."""
    parts = [
        f"{stats[k]} {k}"
        for k in (
            "exported",
            "dropped_export_failed",
            "dropped_rejected",
            "dropped_queue_full",
            "dropped_shutdown",
            "spooled",
            "spool_replayed",
            "spool_write_failed",
            "spool_corrupt_tails",
        )
        if stats[k]
    ]
    return ", ".join(parts) or "nothing"


def table(observed: dict[str, str]) -> str:
    """The Markdown table of the matrix: case, expected, observed."""
    lines = [
        HEADING,
        "",
        "<!-- Generated by tools/gen_fault_matrix.py from tests/faults/ (the suite checks it is"
        " current); do not edit. -->",
        "",
        f"Each case records {SPANS} spans through the C library into a pipeline with one OTLP"
        f" exporter (deadline {TIMEOUT_MS} ms; OTLP/gRPC for the gRPC rows, against grpcio),"
        f" flushes and shuts down. Every case also"
        f" asserts that every span is exported or counted with its reason, that the process"
        f" exits within {EXIT_LIMIT_S:g} s and that its peak RSS stays under {RSS_LIMIT_MB} MB.",
        "",
        "The clock row cannot move the wall clock (no test hook): it checks that"
        " spans timed an hour before the previous batch are exported with their times"
        " unchanged and that the deadlines, on CLOCK_MONOTONIC, do not fire. The SIGTERM"
        " row runs a Python child (export deadline 2 s, exit_flush_timeout 3 s) that gets"
        " SIGTERM 0.3 s into genops.flush(timeout=30); its stats are read after the exit"
        " flush, by an atexit hook registered before genops'. The TLS cases serve a self-signed"
        " certificate made by the openssl CLI for the run. The HEC row runs"
        f" tests/tools/hec_driver.c (use_ack, ack timeout {2 * TIMEOUT_MS} ms, polled every"
        f" {TIMEOUT_MS // 10} ms) against tests/peers/hec_server.py, which indexes every"
        " event and acknowledges none. The DNS case needs unshare(1) and the right to make"
        " a network namespace (root); without them it is skipped, never run against the"
        " real resolver. The spool cases run with GENOPS_SPOOL_DIR set; a restart is a"
        " second run of the driver on the same directory, and its row shows that run; a"
        " corrupted segment is the second of two runs' segments with one byte flipped.",
        "",
        "| Case | Expected | Observed |",
        "|---|---|---|",
    ]
    for name, (_, kind) in CASES.items():
        lines.append(f"| {name} | {EXPECTED[kind]} | {observed.get(name, 'not run')} |")
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str) -> str:
    """text with its HEADING section (up to the next "## " heading) replaced by section."""
    start = text.find(HEADING)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section
    end = text.find("\n## ", start + len(HEADING))
    return text[:start] + section + (text[end + 1 :] if end >= 0 else "")
