"""The genops.* names come from core/src/semconv.def: the generated Python constants
and docs must be current, and the names the native rules write must be those."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from genops import semconv

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_generated_files_are_current():
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_semconv.py"), "--check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_recorded_names_are_the_constants(genops_memory):
    import genops

    with genops.track("op", data_classification="pii") as span:
        span.record_cost(cost=1.0, provider="p", model="m", tokens_input=1, tokens_output=2, cost_type="t")
        span.record_policy("pol", policy_reason="r")
        span.record_budget("b", 10, 5)
        span.record_evaluation("e", 0.5, threshold=0.1, passed=True, evaluator="x")
    (s,) = genops_memory.finished_spans()
    # The exporters derive these names (derived.c); no recorder writes them; SampleRate
    # is the sampler's, on sampled spans of a ratio below 1 (test_sampling.py).
    hec_only = set(
        semconv.GROUPS["derived"] + semconv.GROUPS["splunk_validation"] + semconv.GROUPS["sampling"]
    )
    # Only the genops.budget.threshold span carries these (test_budgets.py checks them).
    threshold_span = set(semconv.GROUPS["budget_threshold"])
    fixed = set(semconv.ATTRIBUTE_TYPES) - hec_only - threshold_span
    assert fixed <= set(s.attributes), fixed - set(s.attributes)
    assert not hec_only & set(s.attributes)
    python_type = {"string": str, "int": int, "double": float, "bool": bool}
    for name in fixed:
        typ = semconv.ATTRIBUTE_TYPES[name]
        assert isinstance(s.attributes[name], python_type[typ]) or typ == "double", name


def test_constants():
    assert semconv.COST_TOTAL == "genops.cost.total"
    assert semconv.POLICY_METADATA_PREFIX == "genops.policy.metadata."
    assert all(p.endswith(".") for p in semconv.PREFIXES)
