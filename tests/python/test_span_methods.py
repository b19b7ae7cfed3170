"""GenOpsSpan.__enter__ and __exit__ (bindings/python/fast_method.c): bound from a free
list rather than allocated per `with`, they must behave as the methods they replace."""

from __future__ import annotations

import contextlib
import sys

import pytest

import genops
from genops import _native


def test_with_enters_and_exits(genops_memory):
    with genops.track("op") as span:
        assert _native.current_span() is span
    assert _native.current_span() is None
    assert [s.name for s in genops_memory.finished_spans()] == ["op"]


def test_the_class_attributes_take_self_first(genops_memory):
    # contextlib.ExitStack calls type(cm).__enter__(cm) and type(cm).__exit__(cm, ...).
    with contextlib.ExitStack() as stack:
        span = stack.enter_context(genops.track("stacked"))
        assert _native.current_span() is span
    assert _native.current_span() is None
    cls = type(span)
    assert "__enter__" in repr(cls.__enter__)
    with pytest.raises(TypeError, match="needs a genops.GenOpsSpan"):
        cls.__enter__(object())
    with pytest.raises(TypeError, match="needs a genops.GenOpsSpan"):
        cls.__exit__()
    assert [s.name for s in genops_memory.finished_spans()] == ["stacked"]


def test_bad_calls_raise_and_record_nothing_odd(genops_memory):
    span = genops.track("odd")
    with pytest.raises(TypeError, match="takes no arguments"):
        span.__enter__(1)
    with pytest.raises(TypeError, match="takes no keyword arguments"):
        span.__exit__(exc_type=None)
    assert span.__enter__() is span
    with pytest.raises(RuntimeError, match="already entered"):
        span.__enter__()
    assert span.__exit__(None, None, None) is False
    assert [s.name for s in genops_memory.finished_spans()] == ["odd"]


def test_an_exception_in_the_block_still_marks_the_span(genops_memory):
    with pytest.raises(ValueError):
        with genops.track("fails"):
            raise ValueError("boom")
    (span,) = genops_memory.finished_spans()
    assert span.status == "ERROR"
    assert span.events[0].name == "exception"


def test_many_bound_methods_at_once_hold_and_release_their_span(genops_memory):
    # More alive at once than the free list keeps: some are allocated and freed.
    span = genops.track("held")
    before = sys.getrefcount(span)
    bound = [span.__enter__ for _ in range(100)] + [span.__exit__ for _ in range(100)]
    assert sys.getrefcount(span) == before + 200
    assert repr(bound[0]).startswith("<bound method __enter__ of <GenOpsSpan")
    enter, exit_ = bound[0], bound[-1]
    del bound
    assert sys.getrefcount(span) == before + 2
    assert enter() is span
    assert exit_(None, None, None) is False
    del enter, exit_
    assert sys.getrefcount(span) == before
