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
_DERIVED = re.compile(
    rf"^GENOPS_DERIVED\((\w+),\s*{_STRING},\s*(\w+),\s*(\w+),\s*{_STRING},\s*{_STRING},\s*{_STRING}\)\s*$"
)

#: How each rule of a GENOPS_DERIVED row reads its source (derived.c), for the docs.
RULE_TEXT = {
    "COPY": "copy of `{source}`",
    "PRESENT": "`true` when the span has `{source}`",
    "SCORE_BY_METRIC": "`genops.eval.score`, named by `{source}`",
    "DURATION_MS": "end - start of the span, in ms{on}",
    "STATUS": (
        "the span status: `success`, `error`, or `timeout` (an error whose exception type or"
        " message names a timeout)"
    ),
}

GROUP_TITLES = {
    "operation": "Operations (track, track_enhanced, trace_operation)",
    "cost": "Cost (record_cost)",
    "policy": "Policy (record_policy)",
    "budget": "Budget (record_budget)",
    "budget_threshold": "Budget thresholds (the genops.budget.threshold span of genops.budgets)",
    "evaluation": "Evaluation (record_evaluation)",
    "derived": "Derived at export (the names GenOps' Splunk and Honeycomb guides query)",
    "splunk_validation": "Splunk HEC setup validation (genops_hec_validate)",
}


@dataclass(frozen=True)
class Entry:
    ident: str
    name: str
    type: str  # "string", "int", "double", "bool", or "prefix"
    group: str
    doc: str
    rule: str = ""  # derived names: the GENOPS_DERIVED rule, its source and guides
    source: str = ""
    guides: str = ""


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def parse(path: Path) -> list[Entry]:
    """The entries of semconv.def, in file order."""
    entries = []
    patterns = {"attr": _ATTR, "prefix": _PREFIX, "derived": _DERIVED}
    for macro, groups in gendef.read_def(path, patterns):
        if macro == "derived":
            ident, name, typ, rule, source, guides, doc = groups
            if rule not in RULE_TEXT:
                raise SystemExit(f"semconv.def: {ident}: unknown rule {rule}")
            typ = "prefix" if rule == "SCORE_BY_METRIC" else typ
            doc = _unescape(doc)
            entries.append(Entry(ident, _unescape(name), typ, "derived", doc, rule, source, guides))
            continue
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


def check_sources(entries: list[Entry]) -> None:
    """Every derived row reads a name the list declares, or one of a declared family
    (or none, for the span's own fields)."""
    names = {e.name for e in entries if e.type != "prefix"}
    families = [e.name for e in entries if e.type == "prefix" and e.group != "derived"]
    for e in entries:
        known = e.source in names or any(e.source.startswith(f) for f in families)
        if e.group == "derived" and e.source and not known:
            raise SystemExit(f"semconv.def: {e.ident}: source {e.source} is not a declared name")


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
    out.append('#: "derived" names, which every exporter adds, and the "splunk_validation" one).')
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
        if group == "derived":
            out.extend(render_derived(items))
            continue
        out.append("| Attribute | Type | Python constant | Meaning |")
        out.append("|---|---|---|---|")
        for e in items:
            name = f"`{e.name}<key>`" if e.type == "prefix" else f"`{e.name}`"
            typ = "family" if e.type == "prefix" else e.type
            doc = e.doc.replace("|", "\\|")
            out.append(f"| {name} | {typ} | `{e.ident}` | {doc} |")
        out.append("")
    return "\n".join(out)


def render_derived(items: list[Entry]) -> list[str]:
    out = [
        "Every exporter (OTLP protobuf and JSON, Splunk HEC, Honeycomb events, console)",
        "adds these names after the span's own attributes, computed on the export thread from",
        "what the recorders wrote (`core/src/derived.c`); each only when its source is there",
        "and the span does not have the name itself. `GENOPS_DERIVED_ATTRIBUTES=false`, or",
        "the pipeline option `no_derived_attributes`, leaves them all out.",
        "",
        "| Attribute | Type | Derived from | Queried by | Python constant | Meaning |",
        "|---|---|---|---|---|---|",
    ]
    for e in items:
        name = f"`{e.name}<metric>`" if e.type == "prefix" else f"`{e.name}`"
        typ = "double" if e.type == "prefix" else e.type
        on = " (spans with `" + e.source + "`)" if e.source else ""
        how = RULE_TEXT[e.rule].format(source=e.source, on=on)
        doc = e.doc.replace("|", "\\|")
        out.append(f"| {name} | {typ} | {how} | {e.guides} | `{e.ident}` | {doc} |")
    out.append("")
    return out


def outputs() -> dict[Path, str]:
    entries = parse(DEF)
    check_sources(entries)
    return {PY_OUT: render_python(entries), MD_OUT: render_markdown(entries)}


if __name__ == "__main__":
    sys.exit(gendef.main(__doc__, "tools/gen_semconv.py", outputs))
