"""Cohere auto-instrumentation with the real SDK from PyPI (cohere, v2 clients), pointed
at tests/peers/ai_server.py's /cohere routes on 127.0.0.1 (max_retries=0). Expected
costs come from prices.json read with json."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from provider_tests import PRICES, check_uninstrument_restores, only

import genops
import genops.pricing

cohere = pytest.importorskip("cohere")
from cohere.v2.client import AsyncV2Client, V2Client  # noqa: E402

MODEL = "command-a-03-2025"
MESSAGES = [{"role": "user", "content": "Hello"}]
PATCHED = [(o, n) for o in (V2Client, AsyncV2Client) for n in ("chat", "chat_stream", "embed")]


def client(ai_server, cls=None, api_key="test-key"):
    return (cls or cohere.ClientV2)(api_key=api_key, base_url=ai_server.url + "/cohere", max_retries=0)


def cost(model, inp, out):
    p = PRICES["cohere"]["models"][model]
    inp, out = int(inp), int(out)  # the SDK's floats
    return float((inp * Decimal(p["input"]) + out * Decimal(p["output"])) / 1_000_000)


def check(span, usage, name="cohere.chat"):
    a = span.attributes
    billed = usage.billed_units
    assert span.status == "OK" and span.name == name
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "cohere"
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == MODEL
    assert a["genops.cost.model"] == MODEL and "gen_ai.response.model" not in a  # Cohere names none
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == billed.input_tokens
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == billed.output_tokens
    assert isinstance(a["genops.tokens.input"], int)  # the SDK's floats, recorded as ints
    assert a["genops.tokens.total"] == billed.input_tokens + billed.output_tokens
    assert a["gen_ai.usage.cache_read.input_tokens"] == usage.cached_tokens
    assert a["genops.cost.total"] == cost(MODEL, billed.input_tokens, billed.output_tokens)
    assert a["gen_ai.response.finish_reasons"] == ("COMPLETE",)
    assert a["gen_ai.response.id"] == "cohere-local1" and a["server.address"] == "127.0.0.1"


def test_init_patches_cohere(provider_spans):
    assert "cohere" in genops.status()["instrumented_providers"]
    assert genops.status()["available_providers"]["cohere"] is True


def test_chat_records_billed_units_cost_and_genai_names(provider_spans, ai_server):
    r = client(ai_server).chat(model=MODEL, messages=MESSAGES, max_tokens=64)
    assert r.message.content[0].text == "Hello, world!"
    assert r.usage.tokens.input_tokens > r.usage.billed_units.input_tokens  # billed is what is charged
    span = only(provider_spans)
    check(span, r.usage)
    assert span.attributes["gen_ai.request.max_tokens"] == 64


def test_chat_stream_records_message_end_usage(provider_spans, ai_server):
    stream = client(ai_server).chat_stream(model=MODEL, messages=MESSAGES)
    events = list(stream)
    assert [e.type for e in events][0] == "message-start" and events[-1].type == "message-end"
    span = only(provider_spans)
    check(span, events[-1].delta.usage, name="cohere.chat_stream")
    assert span.attributes["gen_ai.request.stream"] is True


def test_a_stream_closed_early_ends_once_without_usage(provider_spans, ai_server):
    stream = client(ai_server).chat_stream(model=MODEL, messages=MESSAGES)
    assert next(stream).type == "message-start"
    stream.close()
    span = only(provider_spans)
    assert span.status == "OK" and span.attributes["gen_ai.response.id"] == "cohere-local1"
    assert "genops.tokens.input" not in span.attributes


def test_embed(provider_spans, ai_server):
    r = client(ai_server).embed(
        model="embed-v4.0", texts=["hello"], input_type="search_document", embedding_types=["float"]
    )
    assert r.embeddings.float_ == [[0.25, -0.5, 0.125]]
    a = only(provider_spans).attributes
    assert (
        a["gen_ai.operation.name"] == "embeddings"
        and a["genops.tokens.input"] == r.meta.billed_units.input_tokens
    )
    assert a["genops.cost.total"] == cost("embed-v4.0", r.meta.billed_units.input_tokens, 0)


def test_async_chat_and_stream(provider_spans, ai_server):
    async def main():
        c = client(ai_server, cohere.AsyncClientV2)
        r = await c.chat(model=MODEL, messages=MESSAGES)
        events = [e async for e in c.chat_stream(model=MODEL, messages=MESSAGES)]
        return r, events

    r, events = asyncio.run(main())
    first, second = provider_spans.finished_spans()
    check(first, r.usage)
    check(second, events[-1].delta.usage, name="cohere.chat_stream")


@pytest.mark.parametrize(
    "model, api_key, error, status",
    [(MODEL, "wrong", "UnauthorizedError", 401), ("rate-limit", "test-key", "TooManyRequestsError", 429)],
)
def test_errors_are_recorded_and_reraised_unchanged(provider_spans, ai_server, model, api_key, error, status):
    with pytest.raises(getattr(cohere, error)) as caught:
        client(ai_server, api_key=api_key).chat(model=model, messages=MESSAGES)
    assert caught.value.status_code == status
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["error.type"] == error
    assert span.attributes["http.response.status_code"] == status
    assert [e.name for e in span.events] == ["exception"]


def test_a_stream_error_is_recorded_and_reraised(provider_spans, ai_server):
    with pytest.raises(cohere.TooManyRequestsError):
        list(client(ai_server).chat_stream(model="rate-limit", messages=MESSAGES))
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["http.response.status_code"] == 429


def test_uninstrument_restores_every_attribute_exactly(genops_memory, ai_server):
    def calls():
        client(ai_server).chat(model=MODEL, messages=MESSAGES)
        list(client(ai_server).chat_stream(model=MODEL, messages=MESSAGES))

    check_uninstrument_restores(genops_memory, PATCHED, calls)


def test_genops_ai_style_names(genops_memory):
    from genops.providers.cohere import instrument_cohere, patch_cohere, unpatch_cohere

    genops.uninstrument()
    assert patch_cohere() is True and patch_cohere() is False
    c = cohere.ClientV2(api_key="k", base_url="http://127.0.0.1:9")
    assert instrument_cohere(c) is c
    unpatch_cohere()
    assert "cohere" not in genops.status()["instrumented_providers"]
