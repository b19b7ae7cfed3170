"""Attribute values genops cannot represent never raise into the observed code: the one
rule of bindings/python/convert.c (docs/python.md, "Attribute values"). The value is
dropped, the rest of the call recorded, the drop counted on the span and in the
pipeline's dropped_attribute_values, and logged once per key at WARNING on "genops".

The "genops" logger remembers every key it warned about for the whole process, so each
test uses keys of its own (fresh())."""

from __future__ import annotations

import itertools
import logging

import pytest

import genops
import genops._runtime
from genops.core import track_enhanced
from genops.core.telemetry import GenOpsTelemetry

telemetry = GenOpsTelemetry()
_serial = itertools.count()


def fresh(stem: str) -> str:
    return f"{stem}_{next(_serial)}"


class Opaque:
    """An arbitrary object: not a number, not a sequence."""


class BadFloat:
    def __float__(self):
        raise ValueError("no float for you")


BAD_VALUES = [
    pytest.param(Opaque(), id="object"),
    pytest.param({"nested": 1}, id="dict"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param({1, 2}, id="set"),
    pytest.param([1, "a"], id="mixed-list"),
    pytest.param([None], id="list-of-None"),
    pytest.param(1 + 2j, id="complex"),
    pytest.param(2**70, id="int-past-64-bits"),
    pytest.param(-(2**63) - 1, id="int-below-int64"),
    pytest.param([1, 2**64], id="list-int-past-64-bits"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="inf"),
    pytest.param(-float("inf"), id="-inf"),
    pytest.param([1.0, float("nan")], id="list-with-nan"),
    pytest.param(BadFloat(), id="__float__-raises"),
]


def stats() -> dict:
    return genops._runtime.stats()


def dropped_warnings(caplog, key: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "genops" and r.levelno == logging.WARNING and repr(key) in r.getMessage()
    ]


def test_the_issue_case_records_the_operation_with_a_warning(genops_memory, caplog):
    before = stats()["dropped_attribute_values"]
    with caplog.at_level(logging.WARNING, logger="genops"):
        with track_enhanced(operation_name="op", team="t", meta={"k": "v"}, mixed=[1, "a"], big=2**70):
            pass
    (s,) = genops_memory.finished_spans()
    assert s.attributes["genops.team"] == "t"
    for k in ("genops.meta", "genops.mixed", "genops.big", "genops.meta.k"):
        assert k not in s.attributes
    assert s.attributes["genops.operation.name"] == "op"
    assert s.dropped_attributes == 3
    assert stats()["dropped_attribute_values"] == before + 3
    for key in ("meta", "mixed", "big"):
        (line,) = dropped_warnings(caplog, key)
        assert "dropped" in line


@pytest.mark.parametrize("value", BAD_VALUES)
def test_track_and_trace_operation_drop_the_value(genops_memory, caplog, value):
    k1, k2 = fresh("attr"), fresh("attr")
    with caplog.at_level(logging.WARNING, logger="genops"):
        with genops.track("a", team="t", **{k1: value}):
            pass
        with telemetry.trace_operation("b", **{k2: value, "ok": 1}):
            pass
    a, b = genops_memory.finished_spans()
    assert f"genops.{k1}" not in a.attributes and a.attributes["genops.team"] == "t"
    assert f"genops.{k2}" not in b.attributes and b.attributes["genops.ok"] == 1
    assert a.dropped_attributes == b.dropped_attributes == 1
    assert len(dropped_warnings(caplog, k1)) == 1
    assert len(dropped_warnings(caplog, k2)) == 1


@pytest.mark.parametrize("value", BAD_VALUES)
def test_span_setters_drop_the_value(genops_memory, caplog, value):
    k1, k2 = fresh("set"), fresh("set")
    with caplog.at_level(logging.WARNING, logger="genops"):
        with genops.track("op") as span:
            span.set_attribute(k1, value)
            span.set_attributes({k2: value, "kept": "yes"})
        s2 = telemetry.create_span("plain", {k1: value, "kept": 2})
        s2.end()
    op, plain = genops_memory.finished_spans()
    assert k1 not in op.attributes and k2 not in op.attributes
    assert op.attributes["kept"] == "yes"
    assert op.dropped_attributes == 2
    assert k1 not in plain.attributes and plain.attributes["kept"] == 2
    assert plain.dropped_attributes == 1
    assert len(dropped_warnings(caplog, k1)) == 1  # once per key, though dropped twice


# A dict given to a recorder is metadata, flattened as genops.<kind>.<arg>.<key>.
@pytest.mark.parametrize("value", [v for v in BAD_VALUES if v.id != "dict"])
def test_recorders_drop_the_value_and_record_the_rest(genops_memory, value):
    extra = fresh("extra")
    with genops.track("op") as span:
        telemetry.record_cost(span, cost=0.5, provider="p", **{extra: value})
        span.record_policy(policy_name="pii", policy_result="blocked", metadata={"rule": value, "n": 1})
        span.record_evaluation(evaluation_name="quality", score=0.9, metadata={"why": value})
        span.record_budget(budget_name="b", budget_limit=10.0, budget_used=2.0, **{extra: value})
    (s,) = genops_memory.finished_spans()
    a = s.attributes
    assert a["genops.cost.total"] == 0.5 and a["genops.cost.provider"] == "p"
    assert f"genops.cost.{extra}" not in a and f"genops.budget.{extra}" not in a
    assert a["genops.policy.result"] == "blocked" and a["genops.policy.metadata.n"] == 1
    assert "genops.policy.metadata.rule" not in a
    assert a["genops.eval.score"] == 0.9 and "genops.eval.metadata.why" not in a
    assert a["genops.budget.consumed"] == 2.0
    assert s.dropped_attributes == 4


def test_a_required_value_dropped_records_nothing_of_that_call_and_warns(genops_memory, caplog):
    with caplog.at_level(logging.WARNING, logger="genops"):
        with genops.track("op") as span:
            span.record_cost(cost=float("nan"), provider="p")
            span.record_budget("b", "lots", 5)  # a str where a number must be
            span.set_attribute("after", 1)
    (s,) = genops_memory.finished_spans()
    assert "genops.cost.total" not in s.attributes and "genops.budget.name" not in s.attributes
    assert s.attributes["after"] == 1
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "genops")
    assert "record_cost() not recorded" in text and "record_budget() not recorded" in text


def test_bad_keys_are_dropped(genops_memory, caplog):
    with caplog.at_level(logging.WARNING, logger="genops"):
        with genops.track("op") as span:
            span.set_attribute("a\0b", 1)
            span.set_attribute("", 2)
            span.set_attributes({7: "x", ("t",): "y", "good": True})
            span.record_policy(policy_name="p", metadata={3: "x", "m": "ok"})
    (s,) = genops_memory.finished_spans()
    assert s.attributes["good"] is True and s.attributes["genops.policy.metadata.m"] == "ok"
    assert not any(k in s.attributes for k in ("a\0b", "", "7"))
    assert s.dropped_attributes == 5
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "genops")
    assert "NUL" in text and "empty" in text and "('t',)" in text and "'metadata.3'" in text


@pytest.mark.parametrize("length", [1, 3, 4, 7, 8, 12, 16, 17, 40])
def test_a_keyword_with_a_nul_is_dropped_wherever_the_nul_is(genops_memory, length):
    # The per-operation path looks for a NUL in short keys with word loads
    # (genops_py_has_nul): every position of every length class must be seen.
    for at in range(length):
        key = "k" * at + "\0" + "k" * (length - at - 1)
        with genops.track("op", **{key: 1, "kept": 2}):
            pass
    spans = genops_memory.finished_spans()
    assert len(spans) == length
    for s in spans:
        assert s.attributes["genops.kept"] == 2
        assert not any("\0" in k for k in s.attributes)
        assert s.dropped_attributes == 1


def test_warned_once_per_key_counted_every_time(genops_memory, caplog):
    key = fresh("again")
    before = stats()["dropped_attribute_values"]
    with caplog.at_level(logging.WARNING, logger="genops"):
        for _ in range(5):
            with genops.track("op", **{key: object()}):
                pass
    assert len(dropped_warnings(caplog, key)) == 1
    assert stats()["dropped_attribute_values"] == before + 5
    assert [s.dropped_attributes for s in genops_memory.finished_spans()] == [1] * 5


def test_keyboard_interrupt_from_a_value_is_not_swallowed(genops_memory):
    class Interrupting:
        def __float__(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with genops.track("op") as span:
            span.set_attribute(fresh("k"), Interrupting())


def test_configuration_misuse_still_raises(genops_memory):
    with pytest.raises(TypeError):
        genops.init(exporter_type="memory", resource_attributes={"k": object()})
    with pytest.raises(genops.AttributeTypeError):
        genops.set_context(team=object())
    with pytest.raises(genops.ConfigError):
        genops.init(exporter_type="zipkin")


# ---- containers changed while they are converted ----------------------------------------
# An item's __float__ or __index__ runs Python code in the middle of a conversion. It used
# to empty the very list or dict being read: a segfault, or freed bytes recorded.


def test_a_list_emptied_by_an_items_float_is_recorded_as_it_was(genops_memory):
    values: list = []

    class Clearing(int):
        def __float__(self):
            values.clear()
            return 1.0

    values.extend([Clearing(1)] + [float(i) + 0.5 for i in range(2000)])
    expected = (1.0,) + tuple(float(i) + 0.5 for i in range(2000))
    with genops.track("op") as span:
        span.set_attribute("arr", values)
    (s,) = genops_memory.finished_spans()
    assert s.attributes["arr"] == expected


def test_a_dict_emptied_by_a_values_index_is_recorded_as_it_was(genops_memory):
    meta: dict = {}

    class Clearing:
        def __index__(self):
            meta.clear()
            return 7

    meta.update({"n": Clearing(), **{f"k{i}": "v" * 40 + str(i) for i in range(50)}})
    with genops.track("op") as span:
        span.record_policy(policy_name="pii", policy_result="allowed", metadata=meta)
        meta.update({"n": Clearing(), "late": "w" * 40})
        span.set_attributes(meta)
    (s,) = genops_memory.finished_spans()
    a = s.attributes
    assert a["genops.policy.metadata.n"] == 7
    assert all(a[f"genops.policy.metadata.k{i}"] == "v" * 40 + str(i) for i in range(50))
    assert a["n"] == 7 and a["late"] == "w" * 40


def test_an_empty_metadata_key_names_nothing(genops_memory):
    """metadata={"": v} (and a keyword ending in a dot) would have been recorded as
    "genops.cost.metadata.": dropped and counted instead, the rest recorded."""
    before = genops.status()["stats"]["dropped_attribute_values"]
    with genops.track("op") as span:
        span.record_cost(cost=0.5, metadata={"": 1, "ok": 2})
        span.record_budget(budget_name="b", **{"metadata.": 3})
    genops.flush()
    (s,) = genops_memory.finished_spans()
    assert s.attributes["genops.cost.metadata.ok"] == 2
    assert not [k for k in s.attributes if k.endswith(".")]
    assert genops.status()["stats"]["dropped_attribute_values"] - before == 2
