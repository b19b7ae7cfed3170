"""The Splunk guide's example from Ruby delivers what it delivers from Python.

docs/ruby.md's example, taken from the page as it is (only its endpoint pointed at the
local HEC server, tests/peers/hec_server.py), runs with `ruby -I bindings/ruby/lib -I
<build>/ruby`; it does not flush, so what it delivers is what Genops' at_exit shutdown
exports. The same example written with the Python package runs in a child interpreter
(tests/peers/guide_example.py). Each delivers one event, and their fields are the same,
in value and in type, except those that differ from run to run (ids, times).

    GENOPS_RUBY_MODULES=<build>/ruby GENOPS_PYTHONPATH=<build>/python \\
        build/venv/bin/python -m pytest tests/ruby/test_guide_example.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))
from guide_example import GUIDE_HOST, delivered, guide_example, python_fields, typed  # noqa: E402

RUBY_MODULES = Path(os.environ.get("GENOPS_RUBY_MODULES", ROOT / "build" / "python" / "ruby"))


def test_the_guides_example_delivers_the_same_fields_as_python(tmp_path: Path) -> None:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail("no ruby interpreter")
    if not (RUBY_MODULES / "genops").is_dir():
        pytest.fail(f"no Ruby module in {RUBY_MODULES} (cmake --build <build> --target genops_ruby)")
    script = tmp_path / "example.rb"

    def command(base: str) -> list[str]:
        script.write_text(guide_example("ruby.md", "ruby").replace(GUIDE_HOST, base))
        return [ruby, "-I", str(ROOT / "bindings" / "ruby" / "lib"), "-I", str(RUBY_MODULES), str(script)]

    from_ruby = delivered(command, {})
    assert typed(from_ruby) == typed(python_fields())
    assert from_ruby["genops.customer_id"] == "enterprise-abc"
    assert from_ruby["genops.project"] == "chat-assistant"
    assert from_ruby["genops.cost.total"] == 0.0195
    assert from_ruby["genops.tokens.total"] == 450
