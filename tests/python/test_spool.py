"""The disk spool from Python (docs/reliability.md, "Disk spool"): init(spool_dir=...)
keeps what a dead backend did not take, a later process sends it to a live one, a
second process on the same directory is refused, and init() again with the same
directory hands it over. Backends are local (tests/peers/otlp_server.py, 127.0.0.1)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import genops

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from otlp_server import OtlpServer, free_port  # noqa: E402

pytestmark = pytest.mark.skipif(
    "otlp" not in genops.status()["available_exporters"], reason="built without the OTLP exporter"
)

ENV = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}

RECORD = """
    import json, sys, genops
    genops.init(exporter_type="otlp", otlp_endpoint=sys.argv[1], spool_dir=sys.argv[2],
                export_timeout_millis=500, schedule_delay_millis=50)
    for i in range({n}):
        with genops.track("op-%d" % i):
            pass
    genops.flush()
    print(json.dumps(genops.status()["stats"]))
"""


def record(endpoint: str, spool: pathlib.Path, n: int) -> dict:
    code = textwrap.dedent(RECORD.format(n=n))
    r = subprocess.run(
        [sys.executable, "-c", code, endpoint, str(spool)],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_a_restart_delivers_what_a_dead_backend_did_not_take(tmp_path):
    spool = tmp_path / "spool"
    down = record(f"http://127.0.0.1:{free_port()}", spool, 5)
    assert down["spans_spooled"] == 5 and down["dropped_export_failed"] == 0, down
    assert down["spool_pending"] == 5
    with OtlpServer() as server:
        up = record(server.url, spool, 3)
        names = sorted(s["name"] for r in server.received() for s in r["spans"])
    assert up["spool_replayed"] == 5 and up["spans_exported"] == 3 and up["spool_pending"] == 0, up
    assert names == sorted([f"op-{i}" for i in range(5)] + [f"op-{i}" for i in range(3)])


def test_a_second_process_on_the_directory_is_refused(tmp_path):
    spool = tmp_path / "spool"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, genops; genops.init(exporter_type='otlp', otlp_endpoint=sys.argv[1],"
            " spool_dir=sys.argv[2]); print('ready', flush=True); sys.stdin.read()",
            f"http://127.0.0.1:{free_port()}",
            str(spool),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(genops.ConfigError, match="in use by another pipeline"):
            dead = f"http://127.0.0.1:{free_port()}"
            genops.init(exporter_type="otlp", otlp_endpoint=dead, spool_dir=spool)
    finally:
        holder.communicate("", timeout=30)
        genops.init(exporter_type="memory")


def test_init_again_with_the_same_directory_hands_it_over(tmp_path):
    spool = tmp_path / "spool"
    dead = f"http://127.0.0.1:{free_port()}"
    try:
        genops.init(exporter_type="otlp", otlp_endpoint=dead, spool_dir=spool, export_timeout_millis=300)
        genops.init(exporter_type="otlp", otlp_endpoint=dead, spool_dir=spool, export_timeout_millis=300)
        with genops.track("after-reinit"):
            pass
        genops.flush()
        assert genops.status()["stats"]["spans_spooled"] == 1
    finally:
        genops.init(exporter_type="memory")
    with pytest.raises(genops.ConfigError, match="spool_dir must be a path"):
        genops.init(exporter_type="otlp", otlp_endpoint=dead, spool_dir=3)  # type: ignore[arg-type]
