#!/usr/bin/env python3
"""Run the fault matrix (tests/faults/) and write what it observed into
docs/reliability.md, section "## Fault matrix". The suite itself checks the committed
table against every run, so the table can only say what the code does.

    build/venv/bin/python tools/gen_fault_matrix.py [path to genops_otlp_driver]"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

env = dict(os.environ, GENOPS_WRITE_FAULT_MATRIX="1")
if len(sys.argv) > 1:
    env["GENOPS_OTLP_DRIVER"] = sys.argv[1]
sys.exit(
    subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "faults")],
        env=env,
    )
)
