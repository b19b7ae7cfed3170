"""`import genops` starts nothing: no pipeline, no export thread, no log reader. The
first operation (or init()) starts them, and is recorded and logged like any other.
Each case runs in a fresh interpreter, since this one has long started genops."""

from __future__ import annotations

import json
import pathlib
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from pychild import run_python  # noqa: E402

# Shared by the children: the process's threads as Python and the kernel see them.
THREADS = """
import os, sys, threading

def threads():
    tasks = len(os.listdir("/proc/self/task")) if sys.platform.startswith("linux") else None
    return threading.active_count(), tasks
"""


def child(code: str, **env: str) -> dict:
    r = run_python(THREADS + textwrap.dedent(code), **env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_import_starts_no_thread_until_the_first_operation():
    out = child(
        """
        import json, logging
        seen = threading.Event()

        class Drops(logging.Handler):  # the native drop warning, emitted by the reader
            def emit(self, record):
                if "queue is full" in record.getMessage():
                    self.thread = record.threadName
                    seen.set()

        drops = Drops()
        logging.getLogger("genops").addHandler(drops)
        import genops
        out = {"import": threads()}
        # Calls that need no pipeline start none either.
        genops.set_default_attributes(team="ml")
        genops.set_customer_context(customer_id="c1")
        genops.get_effective_attributes()
        genops.flush()
        out["configured"] = threads()
        # The queue holds 2, so spans are dropped and that is logged. How many depends on
        # how fast the export thread drains: go on (bounded) until a drop has happened.
        n = 0
        while n < 20000 and not seen.is_set():
            for _ in range(200):
                with genops.track("first", feature="chat") as span:
                    span.record_cost(cost=0.5, provider="openai")
            n += 200
            seen.wait(0.05)
        out["ops"] = n
        out["logged"] = seen.wait(30)
        out["log_thread"] = drops.thread
        out["operated"] = threads()
        genops.flush()  # the two spans still queued are counted too
        out["stats"] = genops.status()["stats"]
        print(json.dumps(out))
        """,
        OTEL_BSP_MAX_QUEUE_SIZE="2",
        OTEL_BSP_SCHEDULE_DELAY="60000",
    )
    linux = sys.platform.startswith("linux")
    assert out["import"] == [1, 1 if linux else None]
    assert out["configured"] == [1, 1 if linux else None]
    # Started by the first operation: the log reader (Python) and the export thread (C).
    assert out["operated"] == [2, 3 if linux else None]
    assert out["logged"] is True
    assert out["log_thread"] == "genops-log"
    stats = out["stats"]
    assert stats["spans_started"] == stats["spans_ended"] == out["ops"]
    assert stats["dropped_queue_full"] + stats["dropped_no_exporter"] == out["ops"]
    assert stats["dropped_queue_full"] >= 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/task")
def test_init_starts_the_pipeline_and_its_lines_reach_logging():
    out = child(
        """
        import json, logging
        lines = []

        class Lines(logging.Handler):
            def emit(self, record):
                lines.append(record.getMessage())

        logger = logging.getLogger("genops")
        logger.addHandler(Lines())
        logger.setLevel(logging.INFO)
        import genops, genops.testing
        from genops import native
        out = {"import": threads()}
        genops.init(exporter_type="memory")
        out["init"] = threads()
        with genops.track("first") as span:
            span.record_cost(cost=0.25)
        out["spans"] = [(s.name, s.attributes["genops.cost.total"]) for s in genops.testing.finished_spans()]
        if hasattr(native, "genops_otlp_exporter_new"):  # its set-up line, logged in C
            genops.init(exporter_type="otlp", otlp_endpoint="http://127.0.0.1:9/lazy")
            genops.flush()
            out["otlp_logged"] = any("127.0.0.1:9/lazy" in ln for ln in lines)
        print(json.dumps(out))
        """
    )
    assert out["import"] == [1, 1]
    assert out["init"] == [2, 3]
    assert out.get("otlp_logged", True) is True
    assert out["spans"] == [["first", 0.25]]


@pytest.mark.parametrize(
    "var,value",
    [
        ("OTEL_BSP_MAX_QUEUE_SIZE", "lots"),
        ("OTEL_BSP_SCHEDULE_DELAY", "-5"),
        ("OTEL_RESOURCE_ATTRIBUTES", "team=ml,novalue"),
    ],
)
def test_a_bad_environment_is_a_warning_naming_it_never_a_failed_start(var, value):
    # It used to raise ConfigError from the first operation (or init()): an application
    # must never fail to start because of its telemetry.
    out = child(
        """
        import json, logging
        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        logging.getLogger("genops").addHandler(Keep())
        import genops
        out = {"import": threads()}
        genops.init(exporter_type="memory")
        import genops.testing
        with genops.track("first"):
            pass
        genops.flush()
        out["spans"] = len(genops.testing.finished_spans())
        out["warnings"] = records
        print(json.dumps(out))
        """,
        **{var: value},
    )
    assert out["import"][0] == 1
    assert out["spans"] == 1
    assert any(var in w for w in out["warnings"]), out["warnings"]
