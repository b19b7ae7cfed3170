"""Running a snippet in a fresh interpreter that imports the same genops (what exit
hooks, environment variables read at import and fork need). Not a test module."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def run_python(code: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run code (dedented) with this interpreter, this sys.path and env added to the
    environment; returns the finished process with its text stdout and stderr."""
    full_env = {**os.environ, **env}
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
