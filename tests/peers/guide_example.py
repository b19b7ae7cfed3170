"""The Splunk guide's example as the bindings' suites compare it (tests/lua, tests/ruby).

guide_example(page, language) is the example's code block in docs/<page> as users copy
it; delivered() runs one program against the local HEC server (hec_server.py) and returns
the fields of the one event it delivered, without those that differ from run to run (ids,
times); python_fields() is what the same example written with the Python package
delivers, run in a child interpreter, for the other languages to equal; typed() pairs
each value with its JSON type, so that 150 and 150.0, or 1 and true, differ.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hec_server import HecServer

ROOT = Path(__file__).resolve().parents[2]
PYTHONPATH = os.environ.get("GENOPS_PYTHONPATH", str(ROOT / "build" / "python" / "python"))
TOKEN = "your-hec-token"
# The guide's Splunk host, which the tests replace with the local server's base URL.
GUIDE_HOST = "https://splunk.example.com:8088"
# Fields that differ between any two runs.
VOLATILE = {"time", "trace_id", "span_id", "duration_ms", "genops.operation.duration_ms", "genops.timestamp"}

PYTHON_EXAMPLE = """
import sys
import genops
from genops.core.telemetry import GenOpsTelemetry

genops.init(service_name="customer-support-ai", exporter_type="otlp",
            otlp_endpoint=sys.argv[1] + "/services/collector/raw",
            otlp_headers={"Authorization": "Splunk your-hec-token"},
            default_team="customer-support", default_project="chat-assistant",
            patch_all=False)  # importing every installed provider SDK takes seconds
with genops.track_enhanced(operation_name="ai.chat.completion", customer_id="enterprise-abc",
                           feature="support-chat") as span:
    GenOpsTelemetry().record_cost(span, provider="openai", model="gpt-4", input_tokens=150,
                                  output_tokens=300, total_cost=0.0195)
genops.flush(timeout=5)
"""


def guide_example(page: str, language: str) -> str:
    """The first ```language block after docs/<page>'s "The Splunk guide's example"."""
    section = (ROOT / "docs" / page).read_text().split("## The Splunk guide's example", 1)[1]
    found = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"docs/{page}: no {language} block in the Splunk guide's example"
    return found.group(1)


def delivered(command: Callable[[str], list[str]], env: dict[str, str]) -> dict:
    """The fields of the one event that command(base URL of the HEC server) delivers."""
    with HecServer(TOKEN) as hec:
        done = subprocess.run(
            command(hec.base), env={**os.environ, **env}, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        events = hec.events()
    assert len(events) == 1, events
    return {k: v for k, v in events[0]["event"].items() if k not in VOLATILE}


def python_fields() -> dict:
    """What the Python package's version of the example delivers."""
    assert (Path(PYTHONPATH) / "genops").is_dir(), (
        f"no staged genops package in {PYTHONPATH} (cmake --build <build> --target genops_python)"
    )
    return delivered(lambda base: [sys.executable, "-c", PYTHON_EXAMPLE, base], {"PYTHONPATH": PYTHONPATH})


def typed(fields: dict) -> dict:
    """Each field as (its Python type's name, its value): equal only if both are."""
    return {k: (type(v).__name__, v) for k, v in fields.items()}
