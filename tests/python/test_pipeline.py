"""The pipeline behind the API: init and its replacement, exporter types, flush and
shutdown, the exit hook, operations before init, fork with spans queued, and the GIL
released while a flush waits for a slow backend."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import sys
import threading
import time

import pytest

import genops
import genops.testing
from genops import _runtime

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from otlp_server import OtlpServer  # noqa: E402
from pychild import run_python  # noqa: E402

HAVE_OTLP = "otlp" in genops.status()["available_exporters"]


@pytest.fixture(autouse=True)
def _fresh():
    genops.clear_default_attributes()
    genops.clear_context()
    yield
    genops.init(exporter_type="memory")  # leave a live pipeline for the next test


def test_operations_before_init_are_counted():
    r = run_python(
        """
        import json, genops
        with genops.track("before-init") as span:
            span.record_cost(cost=1.0)
        genops.flush()
        print(json.dumps(genops.status()))
        """
    )
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["initialized"] is False
    assert status["exporters"] == []
    assert status["stats"]["spans_ended"] == 1
    assert status["stats"]["dropped_no_exporter"] == 1


def test_init_replaces_the_pipeline_and_flushes_the_old_one(tmp_path):
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    genops.init(exporter_type="file", file_path=str(first), schedule_delay_millis=60000)
    with genops.track("into-first"):
        pass
    genops.init(exporter_type="file", file_path=str(second))
    assert "into-first" in first.read_text()  # flushed when it was replaced
    with genops.track("into-second"):
        pass
    genops.flush()
    assert "into-second" in second.read_text()
    assert "into-second" not in first.read_text()
    assert genops.status()["exporters"] == ["file"]


def test_spans_open_across_init_are_counted_and_logged(caplog):
    """Spans started on a pipeline that init() replaces, ended afterwards: the old
    pipeline is gone, so each is dropped, but counted where status() shows it (the new
    pipeline's stats) and logged once, never lost silently."""
    caplog.set_level(logging.WARNING, logger="genops")
    genops.init(exporter_type="memory")
    before = genops.status()["stats"]["dropped_pipeline_freed"]
    spans = [genops.track(f"open-{i}") for i in range(100)]
    for s in spans:
        s.__enter__()
    genops.init(exporter_type="memory")
    for s in reversed(spans):
        s.__exit__(None, None, None)
    genops.flush()
    assert genops.status()["stats"]["dropped_pipeline_freed"] - before == 100
    assert genops.status()["stats"]["spans_ended"] == 0  # none reached the new pipeline
    lines = [r.getMessage() for r in caplog.records if "dropped_pipeline_freed" in r.getMessage()]
    assert len(lines) == 1, lines


def test_console_exporter_writes_stdout():
    r = run_python(
        """
        import genops
        genops.init(exporter_type="console", service_name="svc")
        with genops.track("console-op", team="t") as span:
            span.record_cost(cost=0.5)
        genops.flush()
        """
    )
    assert r.returncode == 0, r.stderr
    assert 'span "console-op"' in r.stdout
    assert 'genops.team = "t"' in r.stdout
    assert "genops.cost.total = 0.5" in r.stdout


def test_exit_hook_exports_what_is_queued(tmp_path):
    out = tmp_path / "spans.log"
    r = run_python(
        f"""
        import genops
        genops.init(exporter_type="file", file_path={str(out)!r}, schedule_delay_millis=600000)
        with genops.track("at-exit"):
            pass
        """
    )
    assert r.returncode == 0, r.stderr
    assert 'span "at-exit"' in out.read_text()


@pytest.mark.skipif(not HAVE_OTLP, reason="no OTLP exporter in this build")
def test_exit_never_hangs_on_a_slow_backend():
    with OtlpServer() as server:
        server.script([], default={"status": 200, "delay_ms": 20000})
        start = time.monotonic()
        r = run_python(
            f"""
            import genops
            genops.init(exporter_type="otlp", otlp_endpoint={server.url!r},
                        exit_flush_timeout=1.0, exporter_options={{"timeout_ms": 60000}})
            with genops.track("slow"):
                pass
            """
        )
        elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    assert elapsed < 10, elapsed


def test_flush_and_shutdown(genops_memory):
    with genops.track("a"):
        pass
    assert genops.flush(timeout=5) is True
    genops.shutdown(timeout=5)
    assert genops.status()["shut_down"] is True
    with genops.track("after-shutdown") as span:
        assert span.is_recording() is False
        span.record_cost(cost=1.0)  # accepted and ignored, as on a no-op provider
    assert genops.flush() is True
    genops.shutdown()  # idempotent
    genops.init(exporter_type="memory")
    with genops.track("b"):
        pass
    assert [s.name for s in genops.testing.finished_spans()] == ["b"]


@pytest.mark.skipif(not HAVE_OTLP, reason="no OTLP exporter in this build")
def test_flush_deadline_raises_flush_timeout():
    with OtlpServer() as server:
        server.script([], default={"status": 200, "delay_ms": 3000})
        genops.init(exporter_type="otlp", otlp_endpoint=server.url)
        with genops.track("slow"):
            pass
        with pytest.raises(genops.FlushTimeout) as info:
            genops.flush(timeout=0.2)
        assert isinstance(info.value, TimeoutError)
        genops.flush(timeout=10)


@pytest.mark.skipif(not HAVE_OTLP, reason="no OTLP exporter in this build")
def test_gil_is_released_while_flush_waits_for_a_slow_backend():
    with OtlpServer() as server:
        server.script([], default={"status": 200, "delay_ms": 1500})
        genops.init(exporter_type="otlp", otlp_endpoint=server.url, schedule_delay_millis=60000)
        with genops.track("slow-export"):
            pass
        count = 0
        stop = threading.Event()
        running = threading.Event()

        def spin():
            nonlocal count
            running.set()
            while not stop.is_set():
                count += 1

        t = threading.Thread(target=spin)
        t.start()
        running.wait()
        before = count
        start = time.monotonic()
        genops.flush(timeout=20)
        waited = time.monotonic() - start
        during = count - before
        stop.set()
        t.join()
        assert [r["spans"][0]["name"] for r in server.received()] == ["slow-export"]
    assert waited >= 1.0  # the flush did wait for the slow server...
    assert during > 100_000, during  # ...while the other Python thread kept running


@pytest.mark.skipif(not HAVE_OTLP, reason="no OTLP exporter in this build")
def test_status_never_waits_for_another_threads_flush():
    with OtlpServer() as server:
        server.script([], default={"status": 200, "delay_ms": 4000})
        genops.init(exporter_type="otlp", otlp_endpoint=server.url, schedule_delay_millis=60000)
        with genops.track("held"):
            pass
        flusher = threading.Thread(target=genops.flush, kwargs={"timeout": 20})
        flusher.start()
        deadline = time.monotonic() + 5
        # Wait (bounded) until the flusher holds the runtime lock, i.e. is inside flush.
        while time.monotonic() < deadline and _runtime._lock.acquire(blocking=False):
            _runtime._lock.release()
            time.sleep(0.01)
        assert flusher.is_alive()
        s = genops.status()
        # status() returned while the flush still waits for the slow server.
        assert flusher.is_alive()
        assert s["stats"]["spans_ended"] == 1
        assert s["stats"]["spans_exported"] == 0
        flusher.join(30)
        assert genops.status()["stats"]["spans_exported"] == 1


def test_fork_with_spans_queued(genops_memory):
    genops.init(exporter_type="memory", schedule_delay_millis=600000)
    for i in range(10):
        with genops.track(f"parent-{i}"):
            pass
    assert genops.testing.finished_spans(flush=False) == []  # still queued
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own queue and export thread, none of the parent's spans
        try:
            with genops.track("child"):
                pass
            names = [s.name for s in genops.testing.finished_spans()]
            os.write(w, json.dumps(names).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        child_names = json.loads(f.read())
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert child_names == ["child"]
    assert [s.name for s in genops.testing.finished_spans()] == [f"parent-{i}" for i in range(10)]


def test_status(genops_memory):
    genops.init(exporter_type="memory", service_name="svc", default_team="t")
    s = genops.status()
    assert s["initialized"] is True
    assert s["service_name"] == "svc"
    assert s["exporters"] == ["memory"]
    assert s["default_attributes"] == {"team": "t"}
    assert set(s["stats"]) >= {"spans_started", "spans_exported", "dropped_queue_full"}
    genops.uninstrument()
    assert genops.status()["initialized"] is False


def test_exporter_types_that_are_not_available(monkeypatch):
    from genops import native

    monkeypatch.delattr(native, "genops_honeycomb_exporter_new")  # a build without it
    with pytest.raises(genops.NotAvailableError, match="honeycomb-events.*not available") as info:
        genops.init(exporter_type="honeycomb-events")
    assert isinstance(info.value, genops.GenOpsError)
    assert isinstance(info.value, NotImplementedError)
    assert "available: " in str(info.value)  # says what this build has


def test_file_exporter_errors(tmp_path):
    with pytest.raises(genops.ConfigError, match="cannot open"):
        genops.init(exporter_type="file", file_path=str(tmp_path / "no" / "such" / "dir" / "f"))
