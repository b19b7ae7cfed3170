"""What the generators in tools/ share: reading an X-macro .def list line by line, and
writing (or, with --check, comparing) the files made from it. tools/gen_semconv.py and
tools/gen_bindings.py use it."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent

#: A C string literal in a .def line; its group is the text between the quotes.
C_STRING = r'"((?:[^"\\]|\\.)*)"'


def def_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line of a .def file that is neither blank nor part
    of a /* ... */ comment."""
    in_comment = False
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if in_comment:
            in_comment = "*/" not in line
            continue
        if line.startswith("/*"):
            in_comment = "*/" not in line
            continue
        if line:
            yield lineno, line


def read_def(path: Path, patterns: dict[str, re.Pattern[str]]) -> list[tuple[str, tuple[str, ...]]]:
    """(macro, groups) for every line of path, each matched by one of patterns (keyed
    by macro). Fails loudly on a line it cannot read rather than skipping it."""
    rows = []
    for lineno, line in def_lines(path):
        for macro, pattern in patterns.items():
            m = pattern.match(line)
            if m:
                rows.append((macro, m.groups()))
                break
        else:
            raise SystemExit(f"{path}:{lineno}: cannot parse: {line}")
    return rows


def write_or_check(outputs: dict[Path, str], check: bool, tool: str) -> int:
    """Write the outputs that differ from what is on disk; with check, only say which
    differ. Returns the exit status: 1 when check finds a stale output."""
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if check:
        for p in stale:
            print(f"{p.relative_to(TOP)} is stale: run {tool}", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(outputs[p], encoding="utf-8")
        print(f"wrote {p.relative_to(TOP)}")
    return 0


def main(doc: str, tool: str, make_outputs: Callable[[], dict[Path, str]]) -> int:
    """The command line every generator has: write, or --check."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if an output is stale")
    args = parser.parse_args()
    return write_or_check(make_outputs(), args.check, tool)
