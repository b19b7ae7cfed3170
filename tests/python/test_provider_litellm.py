"""LiteLLM auto-instrumentation with the real package from PyPI (litellm), each call
routed by LiteLLM to tests/peers/ai_server.py on 127.0.0.1 (api_base; OpenAI models
through the openai SDK, Anthropic's through LiteLLM's own HTTP client; num_retries=0;
conftest.py sets LITELLM_LOCAL_MODEL_COST_MAP so that importing litellm fetches
nothing). Expected costs come from prices.json read with json."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from provider_tests import PRICES, check_uninstrument_restores, only

import genops
import genops.pricing

litellm = pytest.importorskip("litellm")
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper  # noqa: E402

litellm.suppress_debug_info = True  # no "Give Feedback" banner on each error
MESSAGES = [{"role": "user", "content": "Hello"}]
PATCHED = [(litellm, "completion"), (litellm, "acompletion")] + [
    (CustomStreamWrapper, n) for n in ("__next__", "__anext__", "close", "aclose")
]
M = Decimal(1_000_000)


def openai_kwargs(ai_server, **extra):
    base = {"api_base": ai_server.url + "/v1", "api_key": "test-key", "num_retries": 0}
    return {"model": "openai/gpt-4o", "messages": MESSAGES, **base, **extra}


def openai_cost(usage, model="gpt-4o"):
    p = PRICES["openai"]["models"][model]
    cached = usage.prompt_tokens_details.cached_tokens
    total = (usage.prompt_tokens - cached) * Decimal(p["input"]) + cached * Decimal(p["cached_input"])
    return float((total + usage.completion_tokens * Decimal(p["output"])) / M)


def check(span, usage, model):
    a = span.attributes
    assert span.status == "OK" and span.name == "litellm.completion"
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "openai"
    assert a["gen_ai.request.model"] == "openai/gpt-4o" and a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.response.model"] == a["genops.cost.model"] == model
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == usage.prompt_tokens
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == usage.completion_tokens
    assert a["genops.tokens.total"] == usage.total_tokens
    assert a["gen_ai.usage.cache_read.input_tokens"] == usage.prompt_tokens_details.cached_tokens
    assert a["gen_ai.usage.reasoning.output_tokens"] == usage.completion_tokens_details.reasoning_tokens
    assert a["genops.cost.total"] == openai_cost(usage) and a["server.address"] == "127.0.0.1"


def test_init_patches_litellm(provider_spans):
    assert "litellm" in genops.status()["instrumented_providers"]


def test_completion_is_recorded_once_under_the_provider_it_was_routed_to(provider_spans, ai_server):
    before = len(ai_server.received())
    r = litellm.completion(**openai_kwargs(ai_server))
    assert type(r) is litellm.ModelResponse and r.choices[0].message.content == "Hello, world!"
    assert len(ai_server.received()) == before + 1
    check(only(provider_spans), r.usage, r.model)  # not again as openai.chat.completions.create


def test_positional_model_and_messages(provider_spans, ai_server):
    kwargs = openai_kwargs(ai_server)
    r = litellm.completion(kwargs.pop("model"), kwargs.pop("messages"), **kwargs)
    check(only(provider_spans), r.usage, r.model)


def test_stream_is_totalled_when_it_ends(provider_spans, ai_server):
    stream = litellm.completion(
        **openai_kwargs(ai_server, stream=True, stream_options={"include_usage": True})
    )
    assert type(stream) is CustomStreamWrapper
    assert provider_spans.finished_spans() == []
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hello, world!"
    span = only(provider_spans)
    check(span, chunks[-1].usage, chunks[-1].model)
    assert span.attributes["gen_ai.request.stream"] is True


def test_a_stream_closed_early_or_dropped_ends_once(provider_spans, ai_server):
    with litellm.completion(**openai_kwargs(ai_server, stream=True)) as stream:
        next(stream)
    assert len(provider_spans.finished_spans()) == 1
    stream.close()
    dropped = litellm.completion(**openai_kwargs(ai_server, stream=True))
    del dropped
    gc.collect()
    got = provider_spans.finished_spans()
    assert len(got) == 2 and all(s.status == "OK" for s in got)


def test_acompletion_and_its_stream(provider_spans, ai_server):
    async def main():
        r = await litellm.acompletion(**openai_kwargs(ai_server))
        stream = await litellm.acompletion(
            **openai_kwargs(ai_server, stream=True, stream_options={"include_usage": True})
        )
        chunks = [c async for c in stream]
        early = await litellm.acompletion(**openai_kwargs(ai_server, stream=True))
        await early.__anext__()
        await early.aclose()
        return r, chunks

    r, chunks = asyncio.run(main())
    first, second, third = provider_spans.finished_spans()
    check(first, r.usage, r.model)
    check(second, chunks[-1].usage, chunks[-1].model)
    assert third.status == "OK" and "genops.tokens.input" not in third.attributes


def test_anthropic_through_litellm_prices_cache_reads_and_writes(provider_spans, ai_server):
    r = litellm.completion(
        model="anthropic/claude-sonnet-4",
        messages=MESSAGES,
        max_tokens=64,
        api_base=ai_server.url,
        api_key="test-key",
        num_retries=0,
    )
    u = r.usage
    a = only(provider_spans).attributes
    assert a["gen_ai.provider.name"] == "anthropic" and a["genops.cost.model"] == r.model
    assert a["genops.tokens.input"] == u.prompt_tokens  # LiteLLM's total, cache reads and writes in it
    assert a["gen_ai.usage.cache_read.input_tokens"] == u.cache_read_input_tokens
    assert a["gen_ai.usage.cache_creation.input_tokens"] == u.cache_creation_input_tokens
    p = PRICES["anthropic"]["models"]["claude-sonnet-4"]
    plain = u.prompt_tokens - u.cache_read_input_tokens - u.cache_creation_input_tokens
    want = (
        plain * Decimal(p["input"])
        + u.cache_read_input_tokens * Decimal(p["cached_input"])
        + u.cache_creation_input_tokens * Decimal(p["cache_write"])
        + u.completion_tokens * Decimal(p["output"])
    )
    assert a["genops.cost.total"] == float(want / M)


@pytest.mark.parametrize(
    "model, error, status",
    [("openai/error-400", "BadRequestError", 400), ("openai/rate-limit", "RateLimitError", 429)],
)
def test_errors_are_recorded_and_reraised_unchanged(provider_spans, ai_server, model, error, status):
    with pytest.raises(getattr(litellm.exceptions, error)) as caught:
        litellm.completion(**{**openai_kwargs(ai_server), "model": model})
    assert caught.value.status_code == status
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["error.type"] == type(caught.value).__qualname__
    assert span.attributes["http.response.status_code"] == status
    assert [e.name for e in span.events] == ["exception"]


def test_uninstrument_restores_every_attribute_exactly(genops_memory, ai_server):
    def calls():
        litellm.completion(**openai_kwargs(ai_server))
        list(litellm.completion(**openai_kwargs(ai_server, stream=True)))

    check_uninstrument_restores(genops_memory, PATCHED, calls)


def test_genops_ai_style_names(genops_memory):
    from genops.providers.litellm import instrument_litellm, patch_litellm, unpatch_litellm

    genops.uninstrument()
    assert patch_litellm() is True and patch_litellm() is False
    assert instrument_litellm() is litellm
    unpatch_litellm()
    assert "litellm" not in genops.status()["instrumented_providers"]


def test_init_does_not_import_litellm_and_patches_it_at_its_import():
    code = """
import sys, genops
genops.init(exporter_type="console")
print("litellm" in sys.modules, "litellm" in genops.status()["instrumented_providers"])
import litellm
print(litellm.completion.__wrapped__ is not None, hasattr(litellm.acompletion, "__wrapped__"))
"""
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)
    }  # LITELLM_LOCAL_MODEL_COST_MAP too
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True", "True", "True"]
