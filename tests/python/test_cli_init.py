"""genops init: the setup is checked by genops.init() itself, and the starter program
it writes runs and records its operation with that setup (into a local receiver)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

import genops
from genops.demo.receiver import Receiver

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(*argv: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )


def test_init_writes_a_starter_that_runs(tmp_path):
    r = run("-m", "genops", "init", "--exporter-type", "console", "--team", "support", "--project", "chat",
            "--service-name", "svc", "--providers", "none", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "wrote genops_app.py" in r.stdout
    app = run("genops_app.py", cwd=tmp_path)
    assert app.returncode == 0, app.stderr
    assert 'genops.team = "support"' in app.stdout and 'genops.project = "chat"' in app.stdout
    assert (
        "genops.cost.total = 5.25e-05" in app.stdout
        and "recorded 1 operation; exporters: console" in app.stdout
    )
    # an existing file is kept unless --force
    before = (tmp_path / "genops_app.py").read_text()
    again = run("-m", "genops", "init", "--team", "other", cwd=tmp_path)  # default providers: not run
    assert again.returncode == 1 and "--force" in again.stderr
    assert (tmp_path / "genops_app.py").read_text() == before
    forced = run("-m", "genops", "init", "--team", "other", "--force", "--json", cwd=tmp_path)
    assert forced.returncode == 0 and '"written": "genops_app.py"' in forced.stdout
    assert 'default_team="other"' in (tmp_path / "genops_app.py").read_text()


@pytest.mark.skipif("otlp-json" not in genops.status()["available_exporters"], reason="no OTLP exporter")
def test_init_starter_exports_where_it_was_told(tmp_path):
    with Receiver() as receiver:
        r = run("-m", "genops", "init", "--exporter-type", "otlp-json", "--otlp-endpoint", receiver.base,
                "--team", "ml", "--output", "app.py", "--providers", "none", cwd=tmp_path)  # fmt: skip
        assert r.returncode == 0, r.stderr
        app = run("app.py", cwd=tmp_path)
        assert app.returncode == 0, app.stderr
        spans = [s for req in receiver.requests("otlp") for s in req.records]
    assert len(spans) == 1
    assert spans[0]["genops.team"] == "ml" and spans[0]["genops.cost.model"] == "gpt-4o-mini"
    assert spans[0]["genops.eval.passed"] is True


def test_init_exit_codes(tmp_path):
    bad = run("-m", "genops", "init", "--exporter-type", "nope", cwd=tmp_path)
    assert bad.returncode == 1 and "unknown exporter_type 'nope'" in bad.stderr
    assert not (tmp_path / "genops_app.py").exists()
    bad = run("-m", "genops", "init", "--exporter-type", "otlp", "--otlp-endpoint", "ftp://x", cwd=tmp_path)
    assert bad.returncode == 1 and not (tmp_path / "genops_app.py").exists()
    assert run("-m", "genops", "init", "--nope", cwd=tmp_path).returncode == 2
    out = run("-m", "genops", "init", "--team", "t", "--output", "-", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith('"""A GenOps AI starter')
    assert not (tmp_path / "genops_app.py").exists()
