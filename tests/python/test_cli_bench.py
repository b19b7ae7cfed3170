"""genops bench: every exporter into the embedded receiver, the JSON's fields, the
PNG, gzip on the wire, the OpenTelemetry SDK beside it, and the exit codes."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

import genops
from genops.demo import bench

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILT = bench.default_exporters(genops.status()["available_exporters"])
FIELDS = {
    "exporter",
    "ops",
    "ops_per_s",
    "app_cpu_us_per_op",
    "cpu_us_per_op",
    "bytes_per_span",
    "arrived",
    "lost",
    "dropped",
    "p50_us",
    "p99_us",
    "p99_9_us",
    "why",
}


def cli(*argv: str, code: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    script = f"import sys\n{code}\nfrom genops.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


@pytest.mark.skipif(not BUILT, reason="no network exporter in this build")
def test_bench_json_fields_and_png(tmp_path):
    png = tmp_path / "bench.png"
    args = [a for k in BUILT for a in ("--exporter", k)]
    r = cli("bench", "--ops", "300", *args, "--json", "--plot", str(png))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["ops"] == 300 and report["plot"] == str(png)
    assert [row["exporter"] for row in report["rows"]] == ["floor", *BUILT]
    for row in report["rows"]:
        assert set(row) == FIELDS
        assert row["ops"] == 300 and row["arrived"] == 300 and row["lost"] == 0 and row["dropped"] == {}
        assert row["ops_per_s"] > 0 and 0 < row["app_cpu_us_per_op"]
        assert 0 < row["p50_us"] <= row["p99_us"] <= row["p99_9_us"]
        if row["exporter"] != "floor":
            assert row["bytes_per_span"] > 100  # a span's genops.* attributes, at the least
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert int.from_bytes(data[16:20], "big") == 1500  # 15 in at 100 dpi


@pytest.mark.skipif("splunk" not in BUILT, reason="no HEC exporter in this build")
def test_bench_every_lost_span_is_counted_with_its_reason():
    # A small queue against a producer flat out: whatever is lost is counted dropped.
    r = cli("bench", "--ops", "4000", "--exporter", "splunk", "--json", "--max-queue-size", "64")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["max_queue_size"] == 64
    row = report["rows"][1]
    assert report["ok"] and report["lost_silently"] == []
    assert row["arrived"] + row["lost"] == 4000 and row["lost"] == sum(row["dropped"].values())
    assert row["why"] == ", ".join(f"{v} {k[len('dropped_') :]}" for k, v in sorted(row["dropped"].items()))


@pytest.mark.skipif("honeycomb-events" not in BUILT, reason="no Honeycomb exporter in this build")
def test_bench_gzip_and_text_table():
    r = cli("bench", "--ops", "300", "--exporter", "honeycomb-events", "--gzip")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "ops/s" in lines[1] and "bytes/span" in lines[1] and "p99.9 us" in lines[1]
    rows = {line.split()[0]: line.split() for line in lines[3:]}
    assert set(rows) == {"floor", "honeycomb-events", "honeycomb-events+gzip"}
    plain, packed = (
        float(rows[k][4].replace(",", "")) for k in ("honeycomb-events", "honeycomb-events+gzip")
    )
    assert packed < plain / 3  # 300 alike events compress well


@pytest.mark.skipif("otlp" not in BUILT, reason="no OTLP exporter in this build")
def test_bench_against_the_opentelemetry_sdk():
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
    r = cli("bench", "--ops", "300", "--exporter", "otlp", "--against-otel", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["exporter"]: row for row in json.loads(r.stdout)["rows"]}
    otel = rows["otel-sdk otlp"]
    assert otel["arrived"] + otel["lost"] == 300 and otel["bytes_per_span"] > 100


@pytest.mark.skipif("otlp-grpc" not in BUILT, reason="no OTLP exporter or no grpcio here")
def test_bench_otlp_grpc_into_the_grpcio_receiver():
    r = cli("bench", "--ops", "300", "--exporter", "otlp-grpc", "--gzip", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    rows = {row["exporter"]: row for row in report["rows"]}
    assert report["ok"] and list(rows) == ["floor", "otlp-grpc", "otlp-grpc+gzip"]
    for row in (rows["otlp-grpc"], rows["otlp-grpc+gzip"]):
        assert row["arrived"] == 300 and row["lost"] == 0 and row["dropped"] == {}
    assert rows["otlp-grpc"]["bytes_per_span"] > 100  # the protobuf message, as OTLP/HTTP's
    assert rows["otlp-grpc+gzip"]["bytes_per_span"] is None  # grpcio hides the compressed size


def test_bench_otlp_grpc_without_grpcio_is_a_usage_error():
    without = "sys.modules['grpc'] = None"  # import grpc fails, as when it is not installed
    r = cli("bench", "--ops", "10", "--exporter", "otlp-grpc", code=without)
    assert r.returncode == 2 and "needs grpcio" in r.stderr and "pip install grpcio" in r.stderr
    r = cli("bench", "--ops", "10", "--json", code=without)
    assert r.returncode == 0, r.stderr
    assert "otlp-grpc" not in [row["exporter"] for row in json.loads(r.stdout)["rows"]]


def test_bench_usage_and_missing_matplotlib(tmp_path):
    assert cli("bench", "--exporter", "nope").returncode == 2
    assert cli("bench", "--ops", "0").returncode == 2
    assert cli("bench", "--max-queue-size", "0").returncode == 2
    r = cli(
        "bench", "--ops", "10", "--plot", str(tmp_path / "x.png"), code="sys.modules['matplotlib'] = None"
    )
    assert r.returncode == 1 and "needs matplotlib" in r.stderr
    assert not (tmp_path / "x.png").exists()
