"""The Splunk guide's example from Lua delivers what it delivers from Python.

docs/lua.md's example, taken from the page as it is (only its endpoint pointed at the
local HEC server, tests/peers/hec_server.py), runs under every Lua built; the same
example written with the Python package runs in a child interpreter
(tests/peers/guide_example.py). Each delivers one event, and their fields are the same,
except those that differ from run to run (ids, times), in value and in type.

    GENOPS_LUA_MODULES=<build>/lua GENOPS_PYTHONPATH=<build>/python \\
        build/venv/bin/python -m pytest tests/lua/test_guide_example.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from guide_example import GUIDE_HOST, delivered, guide_example, python_fields, typed  # noqa: E402
from luas import LUA_MODULES, built_luas  # noqa: E402


@pytest.fixture(scope="module")
def from_python() -> dict:
    return python_fields()


@pytest.mark.parametrize("lua", built_luas())
def test_the_guides_example_delivers_the_same_fields_as_python(
    lua: str, from_python: dict, tmp_path: Path
) -> None:
    if not shutil.which(lua):
        pytest.fail(f"{lua}: its module is built but the interpreter is missing")
    script = tmp_path / "example.lua"

    def command(base: str) -> list[str]:
        script.write_text(guide_example("lua.md", "lua").replace(GUIDE_HOST, base))
        return [lua, str(script)]

    env = {"LUA_PATH": f"{ROOT / 'bindings' / 'lua'}/?.lua;;", "LUA_CPATH": f"{LUA_MODULES / lua}/?.so;;"}
    from_lua = delivered(command, env)
    assert typed(from_lua) == typed(from_python)
    assert from_lua["genops.customer_id"] == "enterprise-abc"
    assert from_lua["genops.project"] == "chat-assistant"
    assert from_lua["genops.cost.total"] == 0.0195
