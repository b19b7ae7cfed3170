"""The Splunk guide's example from Lua delivers what it delivers from Python.

docs/lua.md's example, taken from the page as it is (only its endpoint pointed at the
local HEC server, tests/peers/hec_server.py), runs under every Lua built; the same
example written with the Python package runs in a child interpreter. Each delivers
one event, and their fields are the same, except those that differ from run to run
(ids, times).

    GENOPS_LUA_MODULES=<build>/lua GENOPS_PYTHONPATH=<build>/python \\
        build/venv/bin/python -m pytest tests/lua/test_guide_example.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from hec_server import HecServer  # noqa: E402
from luas import LUA_MODULES, built_luas  # noqa: E402

PYTHONPATH = os.environ.get("GENOPS_PYTHONPATH", str(ROOT / "build" / "python" / "python"))
TOKEN = "your-hec-token"
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


def _lua_example() -> str:
    page = (ROOT / "docs" / "lua.md").read_text()
    section = page.split("## The Splunk guide's example", 1)[1]
    return re.search(r"```lua\n(.*?)```", section, re.S).group(1)


def _delivered(command: Callable[[str], list[str]], env: dict[str, str]) -> dict:
    """The fields of the one event that command(base URL of the HEC server) delivers."""
    with HecServer(TOKEN) as hec:
        done = subprocess.run(
            command(hec.base), env={**os.environ, **env}, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        events = hec.events()
    assert len(events) == 1, events
    return {k: v for k, v in events[0]["event"].items() if k not in VOLATILE}


@pytest.fixture(scope="module")
def from_python() -> dict:
    if not (Path(PYTHONPATH) / "genops").is_dir():
        pytest.fail(
            f"no staged genops package in {PYTHONPATH} (cmake --build <build> --target genops_python)"
        )
    return _delivered(lambda base: [sys.executable, "-c", PYTHON_EXAMPLE, base], {"PYTHONPATH": PYTHONPATH})


@pytest.mark.parametrize("lua", built_luas())
def test_the_guides_example_delivers_the_same_fields_as_python(
    lua: str, from_python: dict, tmp_path: Path
) -> None:
    if not shutil.which(lua):
        pytest.fail(f"{lua}: its module is built but the interpreter is missing")
    script = tmp_path / "example.lua"

    def command(base: str) -> list[str]:
        script.write_text(_lua_example().replace(GUIDE_HOST, base))
        return [lua, str(script)]

    env = {"LUA_PATH": f"{ROOT / 'bindings' / 'lua'}/?.lua;;", "LUA_CPATH": f"{LUA_MODULES / lua}/?.so;;"}
    from_lua = _delivered(command, env)
    assert from_lua == from_python
    assert from_lua["genops.customer_id"] == "enterprise-abc"
    assert from_lua["genops.project"] == "chat-assistant"
    assert from_lua["genops.cost.total"] == 0.0195
