"""Finding and running the C test drivers (tests/tools/*_driver.c) from pytest.

The exporter suites (tests/python/test_otlp_exporter.py, test_hec_exporter.py) run a
driver per test: it records spans into a pipeline with one exporter and prints one JSON
object. These helpers find the program (the path ctest passes, else the newest build)
and run it with a clean environment, so that a developer's OTEL_* / SPLUNK_* variables
or proxy settings never change what a test sees.
"""

from __future__ import annotations

import glob
import json
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def built(env: str, name: str) -> str | None:
    """The program the environment variable env names (ctest sets it), else the newest
    build/*/name, else None."""
    path = os.environ.get(env)
    if path:
        return path
    found = sorted(glob.glob(str(ROOT / "build" / "*" / name)), key=os.path.getmtime)
    return found[-1] if found else None


def run(argv: list, *, strip: tuple[str, ...], env: dict | None = None, timeout: float = 60) -> dict:
    """Run argv (items turned into strings) with the environment minus the variables that
    start with a prefix in strip and minus proxy settings, plus env. Asserts exit status 0.
    Returns the driver's JSON object plus "stdout", "stderr", and "errors" / "warnings":
    its log lines of those levels."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(strip) and "proxy" not in k.lower()}
    clean.update(env or {})
    proc = subprocess.run(list(map(str, argv)), env=clean, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    out["stdout"], out["stderr"] = proc.stdout, proc.stderr
    lines = proc.stderr.splitlines()
    out["errors"] = [line for line in lines if line.startswith("genops: error:")]
    out["warnings"] = [line for line in lines if line.startswith("genops: warning:")]
    return out
