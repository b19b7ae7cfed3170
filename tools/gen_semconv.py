#!/usr/bin/env python3
"""Generate python/genops/semconv.py and docs/semantic-conventions.md from
core/src/semconv.def, the one list of genops.* attribute names.

    tools/gen_semconv.py           write both files
    tools/gen_semconv.py --check   exit 1 (and say which) if either is stale

tests/python/test_semconv.py runs the check, so a change to semconv.def without a
regenerate fails the tests.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import gendef

TOP = gendef.TOP
DEF = TOP / "core" / "src" / "semconv.def"
PY_OUT = TOP / "python" / "genops" / "semconv.py"
MD_OUT = TOP / "docs" / "semantic-conventions.md"

_STRING = gendef.C_STRING
_ATTR = re.compile(rf"^GENOPS_ATTR\((\w+),\s*{_STRING},\s*(\w+),\s*(\w+),\s*{_STRING}\)\s*$")
_PREFIX = re.compile(rf"^GENOPS_PREFIX\((\w+),\s*{_STRING},\s*(\w+),\s*{_STRING}\)\s*$")

GROUP_TITLES = {
    "operation": "Operations (track, track_enhanced, trace_operation)",
    "cost": "Cost (record_cost)",
    "policy": "Policy (record_policy)",
    "budget": "Budget (record_budget)",
    "evaluation": "Evaluation (record_evaluation)",
    "splunk_guide": "Splunk HEC events only (the names GenOps' Splunk guide searches)",
    "splunk_validation": "Splunk HEC setup validation (genops_hec_validate)",
}


@dataclass(frozen=True)
class Entry:
    ident: str
    name: str
    type: str  # "string", "int", "double", "bool", or "prefix"
    group: str
    doc: str


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def parse(path: Path) -> list[Entry]:
    """The entries of semconv.def, in file order."""
    entries = []
    for macro, groups in gendef.read_def(path, {"attr": _ATTR, "prefix": _PREFIX}):
        if macro == "attr":
            ident, name, typ, group, doc = groups
        else:
            ident, name, group, doc = groups
            typ = "prefix"
        entries.append(Entry(ident, _unescape(name), typ, group, _unescape(doc)))
    return entries


def by_group(entries: list[Entry]) -> dict[str, list[Entry]]:
    """The entries of each group, groups and entries in file order."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.group, []).append(e)
    return groups


def render_python(entries: list[Entry]) -> str:
    out = [
        '"""The genops.* attribute names (generated from core/src/semconv.def by',
        "tools/gen_semconv.py; do not edit: change semconv.def and regenerate).",
        "",
        "Names ending in _PREFIX are families: the prefix followed by a key.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
    ]
    for e in entries:
        out.extend(f"#: {line}" for line in textwrap.wrap(e.doc, 100))
        out.append(f"{e.ident} = {json.dumps(e.name)}")
    out.append("")
    out.append("#: Every fixed attribute name, with its type.")
    out.append("ATTRIBUTE_TYPES: dict[str, str] = {")
    for e in entries:
        if e.type != "prefix":
            out.append(f"    {e.ident}: {json.dumps(e.type)},")
    out.append("}")
    out.append("")
    out.append("#: Every prefix of a family of names (each once).")
    out.append("PREFIXES: tuple[str, ...] = (")
    seen = set()
    for e in entries:
        if e.type == "prefix" and e.name not in seen:
            seen.add(e.name)
            out.append(f"    {e.ident},")
    out.append(")")
    out.append("")
    out.append("#: The names of each group of docs/semantic-conventions.md (no recorder writes the")
    out.append('#: "splunk_guide" and "splunk_validation" names: only the Splunk HEC exporter does).')
    out.append("GROUPS: dict[str, tuple[str, ...]] = {")
    for group, items in by_group(entries).items():
        if len(items) == 1:  # as ruff format writes a one-element tuple
            out.append(f"    {json.dumps(group)}: ({items[0].ident},),")
            continue
        out.append(f"    {json.dumps(group)}: (")
        out.extend(f"        {e.ident}," for e in items)
        out.append("    ),")
    out.append("}")
    out.append("")
    names = sorted([e.ident for e in entries] + ["ATTRIBUTE_TYPES", "GROUPS", "PREFIXES"])
    out.append("__all__ = [")
    out.extend(f"    {json.dumps(n)}," for n in names)
    out.append("]")
    return "\n".join(out) + "\n"


def render_markdown(entries: list[Entry]) -> str:
    out = [
        "# Semantic conventions",
        "",
        "<!-- Generated from core/src/semconv.def by tools/gen_semconv.py; do not edit. -->",
        "",
        "Every `genops.*` attribute that genops records, by the call that records it.",
        "The names and rules are genops-ai's (GenOpsTelemetry), so queries written for",
        "genops-ai keep working. A *family* is a prefix followed by a key taken from the",
        "call's arguments. The Python constants are in `genops.semconv`.",
        "",
    ]
    for group, items in by_group(entries).items():
        out.append(f"## {GROUP_TITLES.get(group, group)}")
        out.append("")
        out.append("| Attribute | Type | Python constant | Meaning |")
        out.append("|---|---|---|---|")
        for e in items:
            name = f"`{e.name}<key>`" if e.type == "prefix" else f"`{e.name}`"
            typ = "family" if e.type == "prefix" else e.type
            doc = e.doc.replace("|", "\\|")
            out.append(f"| {name} | {typ} | `{e.ident}` | {doc} |")
        out.append("")
    return "\n".join(out)


def outputs() -> dict[Path, str]:
    entries = parse(DEF)
    return {PY_OUT: render_python(entries), MD_OUT: render_markdown(entries)}


if __name__ == "__main__":
    sys.exit(gendef.main(__doc__, "tools/gen_semconv.py", outputs))
