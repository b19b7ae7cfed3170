"""The C library's own log lines reach Python's logging module as records of the
"genops" logger: a span drop, an export failure to a backend that is down, none
lost at exit, lost lines reported, the logger's level (and GENOPS_LOG_LEVEL) as the
threshold, and a forked child's reader. Every server is local (127.0.0.1)."""

from __future__ import annotations

import logging
import os
import pathlib
import sys
import time

import pytest

import genops
from genops import _native_log, native

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from otlp_server import OtlpServer, free_port  # noqa: E402
from pychild import run_python  # noqa: E402

HAVE_OTLP = "otlp" in genops.status()["available_exporters"]
needs_otlp = pytest.mark.skipif(not HAVE_OTLP, reason="no OTLP exporter in this build")


def native_records(caplog, level: int | None = None) -> list[logging.LogRecord]:
    """The records that came from the C library (not from the Python layer)."""
    return [
        r
        for r in caplog.records
        if r.name == "genops" and r.pathname == "<genops native>" and (level is None or r.levelno == level)
    ]


def wait_for(predicate, timeout: float = 10.0) -> bool:
    """Poll predicate until it is true or timeout seconds pass (the reader thread
    emits lines asynchronously; a flush drains them, a plain wait does not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture(autouse=True)
def _fresh():
    yield
    genops.init(exporter_type="memory")  # leave a live pipeline for the next test


@needs_otlp
def test_a_span_drop_is_a_warning_record(caplog):
    caplog.set_level(logging.WARNING, logger="genops")
    with OtlpServer() as server:
        # The export thread sits in a slow request while a queue of two overflows.
        server.script([], default={"status": 200, "delay_ms": 1000})
        genops.init(
            exporter_type="otlp",
            otlp_endpoint=server.url,
            max_queue_size=2,
            max_export_batch_size=1,
            schedule_delay_millis=1,
        )
        for i in range(50):
            with genops.track(f"op-{i}"):
                pass
        # No flush: the reader thread delivers it (the wait only bounds a hang; it ends
        # as soon as the record is there).
        assert wait_for(lambda: native_records(caplog, logging.WARNING), timeout=60)
        genops.flush(timeout=20)
    (record,) = [r for r in native_records(caplog) if "dropping spans" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("genops: dropping spans: the queue is full")
    assert abs(record.created - time.time()) < 30  # stamped with the C time, in seconds
    # Dropped from the queue, or from the exporter's waiting batches (counted as failed).
    stats = genops.status()["stats"]
    assert stats["dropped_queue_full"] + stats["dropped_export_failed"] > 0


@needs_otlp
def test_an_export_failure_to_a_down_port_is_an_error_record(caplog):
    caplog.set_level(logging.WARNING, logger="genops")
    url = f"http://127.0.0.1:{free_port()}/v1/traces"
    genops.init(
        exporter_type="otlp",
        otlp_endpoint=url,
        export_timeout_millis=1000,
        exporter_options={"timeout_ms": 500},
    )
    # Holding the reader's lock keeps the reader thread from emitting anything, so
    # the record can only come from flush(), which drains the queue before it returns
    # (the lock is reentrant: this thread's drain goes through).
    with _native_log._lock:
        with genops.track("to-nowhere"):
            pass
        try:
            genops.flush(timeout=10)
        except genops.FlushTimeout:
            pass
        errors = native_records(caplog, logging.ERROR)
    assert errors, [r.getMessage() for r in caplog.records]
    assert any(url in r.getMessage() and "failed" in r.getMessage() for r in errors)


@needs_otlp
def test_warning_level_filters_info_lines(caplog):
    # An OTLP exporter says what it was configured with, once, at info level.
    caplog.set_level(logging.WARNING, logger="genops")
    genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9/warning-level")
    genops.flush(timeout=5)
    assert native_records(caplog, logging.INFO) == []
    assert _native_log._threshold == native.GENOPS_LOG_WARNING  # filtered in C already

    caplog.set_level(logging.INFO, logger="genops")
    genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9/info-level")
    genops.flush(timeout=5)
    (info,) = native_records(caplog, logging.INFO)
    assert "OTLP exporter: endpoint http://127.0.0.1:9/info-level" in info.getMessage()


@needs_otlp
def test_lost_lines_are_reported_as_a_warning(caplog):
    caplog.set_level(logging.INFO, logger="genops")
    _native_log.sync_level()
    with _native_log._lock:  # the reader cannot take lines: the queue overflows
        for i in range(300):
            native.genops_exporter_free(
                native.genops_otlp_exporter_new({"endpoint": f"http://127.0.0.1:9/{i}"})
            )
    _native_log.drain()
    messages = [r.getMessage() for r in caplog.records if r.name == "genops"]
    lost = [m for m in messages if "lost" in m]
    assert lost == ["genops: 44 earlier log line(s) lost: the native log queue was full"]
    endpoints = [m for m in messages if "OTLP exporter: endpoint" in m]
    assert len(endpoints) == 256  # the queue's capacity: the newest lines
    assert "http://127.0.0.1:9/44," in endpoints[0] and "http://127.0.0.1:9/299," in endpoints[-1]


@needs_otlp
@pytest.mark.parametrize("reader_behind", [False, True], ids=["reader-keeps-up", "reader-behind"])
def test_no_record_is_lost_at_exit(reader_behind):
    port = free_port()
    start = time.monotonic()
    r = run_python(
        f"""
        import logging, sys
        logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                            format="LOG %(levelname)s %(message)s")
        import genops
        from genops import _native_log, native
        if {reader_behind}:  # the reader never gets a line: the exit hook emits them all
            _native_log._lock.acquire()
        genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:{port}/v1/traces",
                    export_timeout_millis=1000, exit_flush_timeout=3.0,
                    exporter_options={{"timeout_ms": 500}})
        for i in range(200):  # one info line each, left for the reader and the exit hook
            native.genops_exporter_free(
                native.genops_otlp_exporter_new({{"endpoint": f"http://127.0.0.1:9/{{i}}"}}))
        with genops.track("at-exit"):
            pass  # exported (and failing) only in the exit hook
        """
    )
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    assert elapsed < 20, elapsed  # the exit never hangs on the reader
    lines = r.stdout.splitlines()
    created = [
        ln for ln in lines if ln.startswith("LOG INFO genops: OTLP exporter: endpoint http://127.0.0.1:9/")
    ]
    assert [ln.split("http://127.0.0.1:9/")[1].split(",")[0] for ln in created] == [
        str(i) for i in range(200)
    ]
    assert any(ln.startswith("LOG ERROR genops: OTLP exporter:") and str(port) in ln for ln in lines), lines
    assert "genops: error:" not in r.stderr  # nothing went around logging to stderr
    assert "lost" not in r.stdout


@needs_otlp
def test_genops_log_level_wins_over_the_logger():
    r = run_python(
        """
        import logging, sys
        logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format="LOG %(levelname)s %(message)s")
        import genops
        genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9/v1/traces")
        genops.flush(timeout=5)
        print("done")
        """,
        GENOPS_LOG_LEVEL="error",
    )
    assert r.returncode == 0, r.stderr
    assert "OTLP exporter: endpoint" not in r.stdout  # an info line, under GENOPS_LOG_LEVEL
    assert r.stdout.strip().endswith("done")


@needs_otlp
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_has_a_reader_of_its_own():
    r = run_python(
        """
        import logging, os, sys, threading
        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="LOG %(process)d %(message)s")
        import genops
        from genops import native

        class Seen(logging.Handler):  # set once the child's line has been emitted
            def __init__(self):
                super().__init__()
                self.event = threading.Event()

            def emit(self, record):
                if "127.0.0.1:9/child" in record.getMessage():
                    self.event.set()

        with genops.track("parent"):  # the first operation starts the parent's reader
            pass
        pid = os.fork()
        if pid == 0:
            seen = Seen()
            logging.getLogger().addHandler(seen)
            native.genops_exporter_free(
                native.genops_otlp_exporter_new({"endpoint": "http://127.0.0.1:9/child"}))
            # The child's reader thread emits it: no flush, no exit drain. Wait for that
            # (bounded, not a fixed pause the reader may need more than on a busy machine).
            seen.event.wait(30)
            sys.stdout.flush()
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent", os.getpid(), "child", pid)
        """
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    parent_pid, child_pid = lines[-1].split()[1], lines[-1].split()[3]
    assert [ln.split()[1] for ln in lines if "127.0.0.1:9/child" in ln] == [child_pid]
    assert parent_pid != child_pid
