"""The guides' derived names (core/src/derived.c) in what the Splunk HEC and console
exporters send, from the Python API, and GENOPS_DERIVED_ATTRIBUTES=false turning them
off. The OTLP encoders are checked with the official classes in test_otlp_encoding.py
(otlp_sample --derived); the C encoders in tests/c/test_encode_hec.c."""

from __future__ import annotations

import pathlib
import sys

import pytest

import genops
from genops.core.telemetry import GenOpsTelemetry

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402

telemetry = GenOpsTelemetry()
available = genops.status()["available_exporters"]


def record_governance():
    with genops.track_enhanced(operation_name="ai.chat", team="support", data_classification="pii") as span:
        telemetry.record_cost(span, cost=0.03, provider="openai", input_cost=0.02, output_cost=0.01)
        span.record_budget(budget_name="support-daily", budget_limit=100.0, budget_used=87.5)
        span.record_evaluation(evaluation_name="safety", score=0.97)
        span.record_evaluation(evaluation_name="accuracy", score=0.91)
    with pytest.raises(TimeoutError):
        with genops.track("ai.slow"):
            raise TimeoutError("upstream took too long")


GUIDE_NAMES = {
    "genops.budget.limit": 100.0,
    "genops.budget.used": 87.5,
    "genops.budget.utilization": 87.5,
    "genops.budget.utilization_pct": 87.5,
    "genops.budget.id": "support-daily",
    "genops.cost.input": 0.02,
    "genops.cost.output": 0.01,
    "genops.data.classification": "pii",
    "genops.eval.performed": True,
    "genops.eval.safety": 0.97,
    "genops.eval.accuracy": 0.91,
}


@pytest.fixture
def env_off(monkeypatch):
    monkeypatch.setenv("GENOPS_DERIVED_ATTRIBUTES", "false")


def hec_events(**init):
    with HecServer("tok") as hec:
        genops.init(
            service_name="derived",
            exporter_type="otlp",
            otlp_endpoint=f"{hec.base}/services/collector",
            otlp_headers={"Authorization": "Splunk tok"},
            **init,
        )
        record_governance()
        genops.flush(timeout=10)
        events = [e["event"] for e in hec.events()]
    genops.init(exporter_type="memory")
    return {e["name"]: e for e in events}


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_hec_events_carry_the_guides_names():
    by_name = hec_events()
    chat = by_name["ai.chat"]
    for name, want in GUIDE_NAMES.items():
        assert chat[name] == want, name
    assert chat["genops.operation.duration_ms"] == pytest.approx(chat["duration_ms"], abs=1e-6)
    # index=genops_ai genops.budget.utilization=* | where genops.budget.utilization > 80
    assert [
        e["genops.budget.name"] for e in by_name.values() if e.get("genops.budget.utilization", 0) > 80
    ] == ["support-daily"]
    assert chat["status"] == "OK" and by_name["ai.slow"]["status"] == "ERROR"  # HEC's own member


@pytest.mark.skipif("splunk" not in available, reason="no Splunk HEC exporter in this build")
def test_hec_events_without_derived_names(env_off):
    chat = hec_events()["ai.chat"]
    assert not (set(GUIDE_NAMES) - {"genops.eval.safety"}) & set(chat)
    assert "genops.operation.duration_ms" not in chat
    assert chat["genops.budget.allocated"] == 100.0 and chat["genops.eval.metric"] == "accuracy"
    assert chat["genops.eval.safety"] == 0.97  # kept by the recorder, not derived


def console_text(tmp_path) -> str:
    path = tmp_path / "spans.log"
    genops.init(exporter_type="file", file_path=str(path))
    record_governance()
    genops.flush(timeout=10)
    genops.init(exporter_type="memory")
    return path.read_text()


def test_console_shows_the_guides_names(tmp_path):
    text = console_text(tmp_path)
    chat, slow = text.split('span "ai.slow"')
    for line in (
        "genops.budget.utilization_pct = 87.5",
        'genops.budget.id = "support-daily"',
        "genops.eval.accuracy = 0.91",
        "genops.eval.performed = true",
        'status = "success"',
    ):
        assert f"  {line}\n" in chat, line
    assert "  genops.operation.duration_ms = " in chat and "  duration_ms = " in chat
    assert '  status = "timeout"\n' in slow  # an error whose exception is a TimeoutError


def test_console_without_derived_names(tmp_path, env_off):
    text = console_text(tmp_path)
    assert "genops.budget.utilization_pct" not in text and "duration_ms = " not in text
    assert "genops.budget.utilization_percent = 87.5" in text
