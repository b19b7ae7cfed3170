"""Mistral AI auto-instrumentation with the real SDK from PyPI (mistralai), the client
pointed at tests/peers/ai_server.py's /mistral routes on 127.0.0.1 (no retries: no test
reaches the network or waits). Expected costs come from prices.json read with json."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from provider_tests import PRICES, check_uninstrument_restores, only

import genops
import genops.pricing

mistralai = pytest.importorskip("mistralai")
from mistralai.client import Mistral, errors  # noqa: E402
from mistralai.client.chat import Chat  # noqa: E402
from mistralai.client.embeddings import Embeddings  # noqa: E402
from mistralai.client.utils import eventstreaming  # noqa: E402

MESSAGES = [{"role": "user", "content": "Hello"}]
PATCHED = [(Chat, n) for n in ("complete", "complete_async", "stream", "stream_async")] + [
    (Embeddings, n) for n in ("create", "create_async")
]


def client(ai_server, api_key="test-key"):
    return Mistral(api_key=api_key, server_url=ai_server.url + "/mistral")


def cost(model, inp, out):
    p = PRICES["mistral_ai"]["models"][model]
    return float((inp * Decimal(p["input"]) + out * Decimal(p["output"])) / 1_000_000)


def check_chat(span, usage, name="mistral.chat.complete", model="mistral-large-latest"):
    a = span.attributes
    assert span.status == "OK" and span.name == name
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "mistral_ai"
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == model
    assert a["gen_ai.response.model"] == a["genops.cost.model"] == model
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == usage.prompt_tokens
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == usage.completion_tokens
    assert a["genops.tokens.total"] == usage.total_tokens
    assert a["genops.cost.total"] == cost("mistral-large", usage.prompt_tokens, usage.completion_tokens)
    assert a["server.address"] == "127.0.0.1"


def test_init_patches_mistral(provider_spans):
    assert "mistral" in genops.status()["instrumented_providers"]
    assert genops.status()["available_providers"]["mistral"] is True


def test_chat_complete_records_usage_cost_and_genai_names(provider_spans, ai_server):
    r = client(ai_server).chat.complete(model="mistral-large-latest", messages=MESSAGES)
    assert r.choices[0].message.content == "Hello, world!"
    span = only(provider_spans)
    check_chat(span, r.usage)
    assert span.attributes["server.port"] == int(ai_server.url.rsplit(":", 1)[1])
    assert span.attributes["gen_ai.response.id"] == r.id
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_chat_stream_records_the_last_chunks_usage_when_it_ends(provider_spans, ai_server):
    stream = client(ai_server).chat.stream(model="mistral-large-latest", messages=MESSAGES)
    assert type(stream) is eventstreaming.EventStream
    assert provider_spans.finished_spans() == []  # open until the stream ends
    events = list(stream)
    assert "".join(e.data.choices[0].delta.content or "" for e in events) == "Hello, world!"
    span = only(provider_spans)
    check_chat(span, events[-1].data.usage, name="mistral.chat.stream")
    assert span.attributes["gen_ai.request.stream"] is True


def test_a_stream_closed_early_ends_the_operation_once(provider_spans, ai_server):
    with client(ai_server).chat.stream(model="mistral-large-latest", messages=MESSAGES) as stream:
        next(iter(stream))
    span = only(provider_spans)
    assert span.status == "OK" and "genops.tokens.input" not in span.attributes
    stream.close()
    assert len(provider_spans.finished_spans()) == 1


def test_async_complete_and_stream(provider_spans, ai_server):
    async def main():
        c = client(ai_server)
        r = await c.chat.complete_async(model="mistral-large-latest", messages=MESSAGES)
        s = await c.chat.stream_async(model="mistral-large-latest", messages=MESSAGES)
        events = [e async for e in s]
        return r, events

    r, events = asyncio.run(main())
    first, second = provider_spans.finished_spans()
    check_chat(first, r.usage)
    check_chat(second, events[-1].data.usage, name="mistral.chat.stream")


def test_embeddings(provider_spans, ai_server):
    r = client(ai_server).embeddings.create(model="mistral-embed", inputs=["hello"])
    a = only(provider_spans).attributes
    assert a["gen_ai.operation.name"] == "embeddings" and a["genops.tokens.input"] == r.usage.prompt_tokens
    assert a["genops.cost.total"] == cost("mistral-embed", r.usage.prompt_tokens, 0)


@pytest.mark.parametrize(
    "model, api_key, error, status",
    [
        ("mistral-large-latest", "wrong-key", errors.SDKError, 401),
        ("rate-limit", "test-key", errors.SDKError, 429),
    ],
)
def test_errors_are_recorded_and_reraised_unchanged(provider_spans, ai_server, model, api_key, error, status):
    with pytest.raises(error) as caught:
        client(ai_server, api_key=api_key).chat.complete(model=model, messages=MESSAGES)
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["error.type"] == type(caught.value).__qualname__
    assert span.attributes["http.response.status_code"] == status
    assert any(e.name == "exception" for e in span.events)


def test_uninstrument_restores_every_attribute_exactly(genops_memory, ai_server):
    def calls():
        client(ai_server).chat.complete(model="mistral-large-latest", messages=MESSAGES)

    check_uninstrument_restores(genops_memory, PATCHED, calls)


def test_genops_ai_style_names(genops_memory):
    from genops.providers.mistral import instrument_mistral, patch_mistral, unpatch_mistral

    genops.uninstrument()
    assert patch_mistral() is True and patch_mistral() is False
    c = Mistral(api_key="k", server_url="http://127.0.0.1:9")
    assert instrument_mistral(c) is c
    unpatch_mistral()
    assert "mistral" not in genops.status()["instrumented_providers"]


def test_mistral_models_are_priced_under_every_vendor_prefix():
    genops.pricing.reset_prices()
    for provider, model in [
        ("mistral_ai", "mistral-large-2411"),
        ("openrouter", "mistralai/mistral-large"),
        ("aws.bedrock", "mistral.mistral-large-2407-v1:0"),
    ]:
        price = genops.pricing.lookup(provider, model)
        assert price is not None and price.model == "mistral-large", (provider, model)
