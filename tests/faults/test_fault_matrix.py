"""The fault matrix (issue 12, item 3): one case per backend fault, each run in a
bounded time against a local server on 127.0.0.1 (nothing leaves loopback), each
asserting that every span is exported or counted with its reason, that the process exits
within its deadline and that its memory stays bounded. The last test checks that
docs/reliability.md's "Fault matrix" table is what this run observed
(GENOPS_WRITE_FAULT_MATRIX=1, set by tools/gen_fault_matrix.py, writes it instead)."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import matrix  # noqa: E402

sys.path.insert(0, str(matrix.ROOT / "tests" / "peers"))
sys.path.insert(0, str(matrix.ROOT / "tests" / "tools"))
import drivers  # noqa: E402
from otlp_server import OtlpServer, free_port  # noqa: E402

DRIVER = drivers.built("GENOPS_OTLP_DRIVER", "genops_otlp_driver")
pytestmark = pytest.mark.skipif(DRIVER is None, reason="genops_otlp_driver is not built")

observed: dict[str, str] = {}


def run_driver(endpoint: str) -> tuple[dict, float, float]:
    """The driver's JSON, its wall time in seconds and its peak RSS in MB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and "proxy" not in k.lower()}
    argv = [
        DRIVER,
        "--spans",
        matrix.SPANS,
        "--endpoint",
        endpoint,
        "--timeout-ms",
        matrix.TIMEOUT_MS,
        "--flush-ms",
        matrix.TIMEOUT_MS * 2,
    ]
    t0 = time.monotonic()
    proc = subprocess.Popen(list(map(str, argv)), env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(timeout=matrix.EXIT_LIMIT_S * 3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the driver did not exit within {matrix.EXIT_LIMIT_S * 3} s")
    seconds = time.monotonic() - t0
    # Popen reaped it; its peak RSS is the children's maximum so far, an upper bound.
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0
    return json.loads(out), seconds, rss_mb


@pytest.mark.parametrize("name", list(matrix.CASES))
def test_case(name):
    how, kind = matrix.CASES[name]
    target = how.get("target")
    with OtlpServer() as server, socket.socket() as hole:
        if target == "dead":
            endpoint = f"http://127.0.0.1:{free_port()}"
        elif target == "blackhole":  # the kernel accepts into the backlog; nobody answers
            hole.bind(("127.0.0.1", 0))
            hole.listen(16)
            endpoint = f"http://127.0.0.1:{hole.getsockname()[1]}"
        else:
            server.script(how.get("rules", []), default=how.get("default"))
            endpoint = server.url
        out, seconds, rss_mb = run_driver(endpoint)
        requests = server.received()
    st = out["stats"]
    counted = st["exported"] + st["dropped_export_failed"] + st["dropped_rejected"]
    counted += st["dropped_queue_full"] + st["dropped_shutdown"]
    assert st["started"] == matrix.SPANS and counted == matrix.SPANS, st
    assert seconds < matrix.EXIT_LIMIT_S, seconds
    assert rss_mb < matrix.RSS_LIMIT_MB, rss_mb
    if name.endswith("Retry-After: 0, forever"):  # floored and capped: no retry storm
        assert len(requests) <= 11, len(requests)
    observed[name] = matrix.outcome(st)
    assert observed[name] == matrix.EXPECTED[kind]


def test_the_documented_matrix_is_current():
    section = matrix.table(observed)
    text = matrix.DOC.read_text() if matrix.DOC.exists() else "# Reliability\n"
    if os.environ.get("GENOPS_WRITE_FAULT_MATRIX") == "1":
        matrix.DOC.write_text(matrix.replace_section(text, section))
        return
    assert matrix.replace_section(text, section) == text, "run tools/gen_fault_matrix.py"
