"""Bad input never crashes the interpreter: misuse of configuration (unknown exporter
types, malformed endpoints and options) and of the API raises a clear error; huge
strings and lone surrogates are recorded; attribute values that cannot be recorded are
dropped with a warning (test_bad_values.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import genops
from genops import native
from genops.core.telemetry import GenOpsTelemetry

telemetry = GenOpsTelemetry()


# Values an operation cannot record (NaN, objects, mixed lists, ints past 64 bits, bad
# keys) are dropped with a warning, never raised: test_bad_values.py.


def test_numbers_of_other_types(one_span):
    import decimal
    import fractions

    class Index:
        def __index__(self):
            return 7

    with genops.track("op") as span:
        span.record_cost(cost=decimal.Decimal("0.25"), tokens_input=Index(), ratio=fractions.Fraction(1, 4))
    attrs = one_span().attributes
    assert attrs["genops.cost.total"] == 0.25
    assert attrs["genops.tokens.input"] == 7
    assert attrs["genops.cost.ratio"] == 0.25


def test_integers_at_the_edge_of_64_bits(genops_memory):
    with genops.track("op") as span:
        span.set_attribute("edge", -(2**63))
        span.set_attribute("top", 2**63 - 1)
    attrs = genops_memory.finished_spans()[0].attributes
    assert attrs["edge"] == -(2**63) and attrs["top"] == 2**63 - 1


def test_none_where_a_name_is_needed(genops_memory):
    with pytest.raises(TypeError, match="operation_name"):
        genops.track(None)
    with pytest.raises(TypeError, match="operation_name"):
        genops.track()
    with pytest.raises(TypeError, match="operation_type"):
        genops.track("op", operation_type=5)
    with pytest.raises(TypeError):
        telemetry.create_span(None)
    with pytest.raises(TypeError, match="span from genops"):
        telemetry.record_cost(None, cost=1.0)
    with pytest.raises(TypeError, match="span from genops"):
        telemetry.record_cost("not a span", cost=1.0)
    with pytest.raises(genops.ConfigError, match="empty"):
        genops.set_context(**{"": 1})


def test_huge_strings(genops_memory):
    big = "x" * (16 << 20)
    with genops.track("op") as span:
        try:
            span.set_attribute("big", big)
        except genops.LimitExceededError as e:  # past the span's byte budget: said so
            assert "big" in str(e) or "bytes" in str(e)
    with genops.track("y" * 100_000):
        pass
    names = [len(s.name) for s in genops_memory.finished_spans()]
    assert names == [2, 100_000]


def test_lone_surrogates_become_replacement_characters(one_span):
    with genops.track("op\ud800", **{"key\udfff": "value\ud83d"}) as span:
        span.set_attribute("k", ["a\udc00"])
    s = one_span()
    assert s.name == "op\ufffd"
    assert s.attributes["genops.key\ufffd"].startswith("value\ufffd")
    assert s.attributes["k"][0].startswith("a\ufffd")


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"exporter_type": "zipkin"}, genops.ConfigError),
        ({"exporter_type": 5}, genops.ConfigError),
        ({"exporter_type": "otlp", "otlp_endpoint": "localhost:4318"}, genops.ConfigError),
        ({"exporter_type": "otlp", "otlp_endpoint": "http://[::1"}, genops.ConfigError),
        ({"exporter_type": "otlp", "otlp_headers": {"k": 1}}, genops.ConfigError),
        ({"exporter_type": "otlp", "otlp_headers": "k=v"}, genops.ConfigError),
        ({"exporter_type": "memory", "max_queue_size": -1}, genops.ConfigError),
        ({"exporter_type": "memory", "max_queue_size": "big"}, genops.ConfigError),
        ({"exporter_type": "memory", "schedule_delay_millis": 1.5}, genops.ConfigError),
        ({"exporter_type": "memory", "service_name": 3}, genops.ConfigError),
        ({"exporter_type": "memory", "exit_flush_timeout": float("nan")}, genops.ConfigError),
        ({"exporter_type": "memory", "resource_attributes": {"k": object()}}, TypeError),
        ({"exporter_type": "memory", "unknown_option": 1}, TypeError),
    ],
)
def test_bad_init_arguments(genops_memory, kwargs, error):
    with pytest.raises(error):
        genops.init(**kwargs)
    # the previous pipeline is untouched
    with genops.track("still-works"):
        pass
    assert [s.name for s in genops_memory.finished_spans()] == ["still-works"]


def test_bad_flush_arguments():
    for bad in (-1, float("nan"), "soon", True):
        with pytest.raises(genops.ConfigError):
            genops.flush(timeout=bad)


def test_span_misuse(genops_memory):
    span = genops.track("op")
    with span:
        with pytest.raises(RuntimeError, match="already entered"):
            span.__enter__()
    span.end()  # already ended: ignored
    assert span.is_recording() is False
    with pytest.raises(TypeError):
        span.record_cost(0.1, "USD", "p", "m", 1, 2, 3, 4, 5, 6)  # too many positionals
    with pytest.raises(TypeError):
        span.set_attribute("only-key")
    with pytest.raises(TypeError):
        span.set_status("bogus")


def test_low_level_api_raises_for_bad_handles():
    p = native.genops_pipeline_new(None)
    try:
        with pytest.raises(genops.GenOpsError, match="ended|not a span"):
            native.genops_span_end(12345)
        with pytest.raises(genops.ConfigError, match="unknown"):
            native.genops_pipeline_new({"no_such_option": 1})
        with pytest.raises(genops.ConfigError):
            native.genops_pipeline_new({"max_queue_size": -5})
        with pytest.raises(TypeError):
            native.genops_pipeline_new({"service_name": object()})
        with pytest.raises(genops.ConfigError, match="16 \\+ 8"):
            native.genops_span_start(p, "x", (b"short", b"id"))
    finally:
        native.genops_pipeline_free(p)


def test_hammering_the_api_with_junk_never_crashes():
    """Random junk into every entry point, in a child process: it must exit normally."""
    code = textwrap.dedent(
        """
        import random, genops
        from genops import native
        from genops.core.telemetry import GenOpsTelemetry
        t = GenOpsTelemetry()
        junk = [None, 0, -1, 2**70, 1.5, float("nan"), float("inf"), "", "x" * 5000, "\\ud800",
                b"b", [], [1, "a"], [None], {}, {"a": {"b": 1}}, object(), (1, 2), True, 1j]
        rng = random.Random(7)
        def pick():
            return rng.choice(junk)
        calls = [
            lambda: genops.track(pick(), pick(), **{str(rng.random()): pick()}),
            lambda: t.trace_operation(pick(), **{"k": pick()}),
            lambda: t.create_span(pick(), pick()),
            lambda: t.record_cost(pick(), cost=pick(), provider=pick(), tokens_input=pick()),
            lambda: t.record_policy(pick(), pick(), metadata=pick()),
            lambda: t.record_budget(pick(), pick(), pick(), pick()),
            lambda: t.record_evaluation(pick(), pick(), pick(), pick()),
            lambda: genops.set_context(**{"k": pick()}),
            lambda: genops.set_default_attributes(**{"k": pick()}),
            lambda: genops.init(exporter_type=pick()),
            lambda: genops.init(exporter_type="memory", max_queue_size=pick()),
            lambda: genops.flush(pick()),
        ]
        ok = 0
        for i in range(3000):
            span = genops.track("host")
            try:
                with span:
                    rng.choice([
                        lambda: span.record_cost(pick(), pick(), pick(), **{"m": pick()}),
                        lambda: span.record_policy(pick(), pick(), metadata=pick()),
                        lambda: span.record_budget(pick(), pick(), pick()),
                        lambda: span.record_evaluation(pick(), pick(), threshold=pick()),
                        lambda: span.set_attribute(pick(), pick()),
                        lambda: span.set_attributes(pick()),
                        lambda: span.add_event(pick(), pick()),
                        lambda: span.set_status(pick(), pick()),
                        lambda: rng.choice(calls)(),
                    ])()
                ok += 1
            except (TypeError, ValueError, genops.GenOpsError):
                pass
        genops.init(exporter_type="memory")
        genops.flush()
        print("survived", ok)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "survived" in r.stdout
