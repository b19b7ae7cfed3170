"""init() patches a provider SDK that is not imported yet at its import, instead of
importing every installed SDK (seconds of the application's start-up): each case runs
in a fresh interpreter, where no SDK is imported before genops.init()."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ENV = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
SDKS = ("openai", "anthropic", "google.genai", "cohere", "mistralai", "boto3", "litellm", "langchain_core")


def run(code: str) -> list[str]:
    r = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, env=ENV
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_init_imports_no_sdk_and_patches_one_when_it_is_imported():
    pytest.importorskip("openai")
    out = run(
        f"""
        import sys, genops
        genops.init(exporter_type="console")
        print(sorted(m for m in {SDKS!r} if m in sys.modules))
        print("openai" in genops.status()["instrumented_providers"])
        import openai
        from genops.providers import openai as p
        owners = {{o.__name__ for o, _, _ in p._patches.originals()}}
        print("Completions" in owners)
        print(type(openai.__loader__).__name__, type(openai.__spec__.loader).__name__)
        """
    )
    assert out[0] == "[]"
    assert out[1] == "True"
    assert out[2] == "True"  # patched once imported
    assert out[3] == "SourceFileLoader SourceFileLoader"  # nothing of the hook stays


def test_uninstrument_before_the_import_leaves_the_sdk_as_it_is():
    pytest.importorskip("anthropic")
    out = run(
        """
        import sys, genops
        from genops.providers import _post_import
        genops.init(exporter_type="console")
        genops.uninstrument()
        print(genops.status()["instrumented_providers"], _post_import._finder in sys.meta_path)
        import anthropic
        from genops.providers import anthropic as p
        print(p._patches.originals())
        """
    )
    assert out == ["[] False", "[]"]


def test_a_failing_hook_is_logged_and_the_import_goes_on(tmp_path):
    (tmp_path / "genops_probe_mod.py").write_text("VALUE = 42\n")
    out = run(
        f"""
        import logging, sys
        sys.path.insert(0, {str(tmp_path)!r})
        logging.basicConfig(stream=sys.stdout, format="%(message)s")
        from genops.providers import _post_import
        ran = []
        def broken():
            raise RuntimeError("boom")
        _post_import.when_imported("genops_probe_mod", broken)
        _post_import.when_imported("genops_probe_mod", lambda: ran.append(1))
        import importlib.util
        importlib.util.find_spec("genops_probe_mod")  # found, not imported: no hook yet
        print(ran)
        import genops_probe_mod
        print(genops_probe_mod.VALUE, ran)
        _post_import.when_imported("genops_probe_mod", lambda: ran.append(2))  # imported: now
        print(ran)
        """
    )
    assert out[0] == "[]"
    assert "patching genops_probe_mod after its import failed: RuntimeError('boom')" in out[1]
    assert out[2:] == ["42 [1]", "[1, 2]"]
