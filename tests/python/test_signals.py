"""Ctrl-C and a signal handler's SystemExit interrupt flush, shutdown and init at once
(issue 12, item 5): the wait is sliced, so the interpreter runs its handlers within a
slice instead of after the whole timeout. Each case runs a child against a blackholed
backend on 127.0.0.1 (it accepts connections and never answers), so the export hangs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

import genops

pytestmark = pytest.mark.skipif(
    "otlp" not in genops.status()["available_exporters"], reason="built without the OTLP exporter"
)

ENV = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}

# The child records a span, says "ready", then waits 30 s on the blackholed backend.
CHILD = """
    import signal, sys, genops
    if sys.argv[2] == "SystemExit":
        def leave(signum, frame):
            raise SystemExit(3)
        signal.signal(signal.SIGINT, leave)
    opts = dict(exporter_type="otlp", otlp_endpoint=sys.argv[1], export_timeout_millis=30000,
                exit_flush_timeout=float(sys.argv[3]))
    genops.init(**opts)
    with genops.track("op"):
        pass
    print("ready", flush=True)
    try:
        {call}
    except BaseException as e:
        print("caught", type(e).__name__, flush=True)
        raise
    print("returned", flush=True)
"""

CALLS = {
    "flush": "genops.flush(timeout=30)",
    "shutdown": "genops.shutdown(timeout=30)",
    # init() shuts the previous pipeline down within its exit deadline (30 s here)
    "init": "genops.init(**opts)",
}


@pytest.fixture
def blackhole() -> Iterator[str]:
    """An endpoint that accepts (the kernel's backlog) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def interrupt(endpoint: str, call: str, how: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the child, send SIGINT 0.5 s after it is ready; return it and how long it
    took to exit after the signal."""
    code = textwrap.dedent(CHILD.format(call=CALLS[call]))
    child = subprocess.Popen(
        [sys.executable, "-c", code, endpoint, how, "30" if call == "init" else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        time.sleep(0.5)
        os.kill(child.pid, signal.SIGINT)
        sent = time.monotonic()
        out, err = child.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err), took


@pytest.mark.parametrize("call", sorted(CALLS))
def test_ctrl_c_interrupts_the_wait_at_once(blackhole, call):
    r, took = interrupt(blackhole, call, "KeyboardInterrupt")
    assert "caught KeyboardInterrupt" in r.stdout, (r.stdout, r.stderr)
    assert "KeyboardInterrupt" in r.stderr and "status 4" not in r.stderr, r.stderr
    assert r.returncode != 0
    assert took < 2.0, f"{call} took {took:.1f} s to give way to Ctrl-C"


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_handlers_system_exit_interrupts_the_wait_at_once(blackhole, call):
    r, took = interrupt(blackhole, call, "SystemExit")
    assert "caught SystemExit" in r.stdout, (r.stdout, r.stderr)
    assert r.returncode == 3, r.stderr
    assert took < 2.0, f"{call} took {took:.1f} s to give way to SystemExit"


def test_a_flush_against_a_blackhole_still_times_out_with_flush_timeout(blackhole):
    code = textwrap.dedent(CHILD.format(call="genops.flush(timeout=0.3)"))
    start = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-c", code, blackhole, "none", "0"],
        capture_output=True,
        text=True,
        timeout=20,
        env=ENV,
    )
    assert "caught FlushTimeout" in r.stdout, (r.stdout, r.stderr)
    assert time.monotonic() - start < 10
