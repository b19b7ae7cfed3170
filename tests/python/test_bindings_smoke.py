"""The SWIG wrappers on their own: the same smoke scenario as tests/ruby/smoke_test.rb
and tests/lua/smoke.lua, plus the out-pointer and map conventions of genops.i."""

from __future__ import annotations

import pytest

import genops
from genops import native


@pytest.fixture
def pipeline():
    p = native.genops_pipeline_new(
        {"service_name": "python-smoke", "resource_attributes": {"host.name": "h"}}
    )
    exporter = native.genops_memory_exporter_new()
    native.genops_pipeline_add_exporter(p, exporter)
    yield p, exporter
    native.genops_pipeline_free(p)


def test_records_one_operation_span(pipeline):
    p, exporter = pipeline
    span = native.genops_operation_start(p, "chat", None, None, None, {"team": "ml", "customer_id": "c-1"})
    native.genops_span_record_cost(
        span, {"cost": 0.05, "provider": "openai", "tokens_input": 100, "tokens_output": 50}
    )
    trace_id, span_id = native.genops_span_get_context(span)
    native.genops_span_end(span)
    native.genops_pipeline_flush(p, 5000)

    assert native.genops_memory_exporter_count(exporter) == 1
    d = native.genops_memory_exporter_get(exporter, 0)
    assert native.genops_span_data_name(d) == "chat"
    assert native.genops_span_data_context(d) == (trace_id, span_id)
    assert native.genops_span_data_parent(d) is None
    assert native.genops_span_data_find(d, "genops.team") == "ml"
    assert native.genops_span_data_find(d, "genops.tokens.total") == 150
    assert native.genops_span_data_find(d, "absent") is None
    assert native.genops_span_data_attribute(d, 10_000) is None
    assert native.genops_pipeline_stats(p)["spans_exported"] == 1


def test_parents_contexts_and_events(pipeline):
    p, exporter = pipeline
    parent = native.genops_span_start(p, "parent", None)
    pctx = native.genops_span_get_context(parent)
    child = native.genops_span_start(p, "child", pctx)
    native.genops_span_set(child, "list", [1, 2])
    native.genops_span_set_status(child, native.GENOPS_SPAN_STATUS_ERROR, "boom")
    native.genops_span_record_exception(child, "ValueError", "boom", None)
    native.genops_span_end(child)
    native.genops_span_end(parent)
    native.genops_pipeline_flush(p, 5000)
    d = native.genops_memory_exporter_get(exporter, 0)
    assert native.genops_span_data_parent(d) == pctx[1]
    assert native.genops_span_data_status(d) == (native.GENOPS_SPAN_STATUS_ERROR, "boom")
    assert native.genops_span_data_event(d, 0)[0] == "exception"
    assert native.genops_span_data_event_find(d, 0, "exception.type") == "ValueError"
    assert native.genops_span_data_find(d, "list") == (1, 2)


def test_contexts_and_defaults():
    ctx = native.genops_context_new(None, {"a": 1, "b": "x"})
    child = native.genops_context_new(ctx, {"a": None, "c": True})
    try:
        assert native.genops_context_count(child) == 2
        assert native.genops_context_get(child, 0) == ("b", "x")
        assert native.genops_context_find(child, "c") is True
        assert native.genops_context_find(child, "a") is None
        with pytest.raises(genops.ConfigError, match="out of range"):
            native.genops_context_get(child, 5)
        with pytest.raises(genops.AttributeTypeError):
            native.genops_context_new(None, {"nested": {"a": 1}})  # maps only for recorders
    finally:
        native.genops_context_unref(child)
        native.genops_context_unref(ctx)


def test_attribute_lists_grow_past_their_inline_storage(pipeline):
    # The shared builder starts with 24 items and 512 bytes inline, then grows on the
    # heap (4 KiB blocks, larger ones for larger requests): cross both, flattened keys,
    # long strings and arrays included, and read every value back.
    p, exporter = pipeline
    attrs = {f"k{i}": "v" * (i * 37) for i in range(60)}
    attrs["words"] = [f"w{i}" for i in range(600)]
    attrs["numbers"] = list(range(1000))
    span = native.genops_operation_start(p, "big", None, None, None, attrs)
    metadata = {f"key{i}": i for i in range(40)}
    native.genops_span_record_cost(span, {"cost": 1.0, "metadata": metadata})
    native.genops_span_end(span)
    native.genops_pipeline_flush(p, 5000)
    d = native.genops_memory_exporter_get(exporter, 0)
    for i in range(60):
        assert native.genops_span_data_find(d, f"genops.k{i}") == "v" * (i * 37)
    assert native.genops_span_data_find(d, "genops.words") == tuple(f"w{i}" for i in range(600))
    assert native.genops_span_data_find(d, "genops.numbers") == tuple(range(1000))
    for i in range(40):  # within the 128-attribute limit, with the recorders' own
        assert native.genops_span_data_find(d, f"genops.cost.metadata.key{i}") == i
