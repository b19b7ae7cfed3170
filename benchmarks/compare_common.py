"""What the compare_*.py scripts share: finding a build's binaries, reading a benchmark's
JSON lines, and the table of encode rows beside end-to-end rows."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def newest(name: str) -> str:
    """The most recently built build/*/<name>; exits when there is none."""
    found = sorted(ROOT.glob(f"build/*/{name}"), key=lambda p: p.stat().st_mtime)
    if not found:
        sys.exit(f"no build/*/{name}: build the {name} target first")
    return str(found[-1])


def lines(command: list[str]) -> list[dict]:
    """Run command; each line of its output that starts with "{" as a dict."""
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def encode_rows(bench: str, script: str, sample_name: str) -> list[dict]:
    """The C benchmark's rows (`bench --json --sample FILE`), then those of the pure-Python
    script (benchmarks/python/<script> FILE) that encodes the same events again."""
    with tempfile.TemporaryDirectory() as tmp:
        sample = str(Path(tmp) / sample_name)
        rows = lines([bench, "--json", "--sample", sample])
        return rows + lines([sys.executable, str(ROOT / "benchmarks/python" / script), sample])


def print_encode_rows(rows: list[dict], base: str) -> None:
    """The table's header and its encode rows ({name, ns_per_event, bytes_per_event}),
    each also as a multiple of the first row's time, which is named base."""
    first = rows[0]["ns_per_event"]
    print(f"| work | ns/event | events/s per core | bytes/event | vs {base} |")
    print("|---|---|---|---|---|")
    for r in rows:
        ns = r["ns_per_event"]
        print(
            f"| {r['name']} | {ns:,.0f} | {1e9 / ns:,.0f} | {r['bytes_per_event']:,.0f} | {ns / first:.1f}x |"
        )


def print_end_to_end_row(name: str, events_per_s: float, bytes_per_event: float) -> None:
    print(f"| {name} | - | {events_per_s:,.0f} (whole pipeline) | {bytes_per_event:,.0f} | - |")
