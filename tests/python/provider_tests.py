"""What the provider tests (test_provider_*.py) share besides conftest's ai_server and
provider_spans fixtures: the shipped price table read with json (never through
genops.pricing), reading the one span a call recorded, and the check that
uninstrument() restores a patch exactly."""

from __future__ import annotations

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PRICES = json.loads((ROOT / "python" / "genops" / "pricing" / "prices.json").read_text())["providers"]


def only(spans):
    got = spans.finished_spans()
    assert len(got) == 1, [s.name for s in got]
    return got[0]


def check_uninstrument_restores(memory, patched, calls):
    """init() replaces each (owner, name) of patched with a wrapper of the original;
    uninstrument() puts the very original back; then calls() records nothing."""
    import genops

    genops.uninstrument()
    before = {(o, n): o.__dict__[n] for o, n in patched}
    genops.init(exporter_type="memory")
    during = {(o, n): o.__dict__[n] for o, n in patched}
    assert all(during[k] is not before[k] and during[k].__wrapped__ is before[k] for k in before)
    genops.uninstrument()
    assert all(o.__dict__[n] is before[(o, n)] for o, n in patched)
    memory.clear()
    calls()
    assert memory.finished_spans() == []
