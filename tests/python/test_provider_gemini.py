"""Google Gemini auto-instrumentation with the real SDK from PyPI (google-genai), the
client pointed at tests/peers/ai_server.py's Gemini routes on 127.0.0.1 (the SDK does
not retry unless asked). Expected costs come from prices.json read with json."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from provider_tests import PRICES, check_uninstrument_restores, only

import genops
import genops.pricing

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402
from google.genai.models import AsyncModels, Models  # noqa: E402

MODEL = "gemini-2.5-flash"
PATCHED = [
    (o, n)
    for o in (Models, AsyncModels)
    for n in ("generate_content", "generate_content_stream", "embed_content")
]


_clients = []  # a genai.Client closes its HTTP client when collected: keep them


def client(ai_server, api_key="test-key"):
    c = genai.Client(api_key=api_key, http_options=types.HttpOptions(base_url=ai_server.url))
    _clients.append(c)
    return c


def cost(usage):
    p = PRICES["gcp.gemini"]["models"][MODEL]
    cached = usage.cached_content_token_count
    out = usage.candidates_token_count + usage.thoughts_token_count
    total = (usage.prompt_token_count - cached) * Decimal(p["input"]) + cached * Decimal(p["cached_input"])
    return float((total + out * Decimal(p["output"])) / 1_000_000)


def check(span, response, usage, name="gemini.generate_content"):
    a = span.attributes
    assert span.status == "OK" and span.name == name
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "gcp.gemini"
    assert a["gen_ai.operation.name"] == "generate_content" and a["gen_ai.request.model"] == MODEL
    assert a["gen_ai.response.model"] == a["genops.cost.model"] == response.model_version
    assert a["gen_ai.response.id"] == response.response_id
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == usage.prompt_token_count
    out = usage.candidates_token_count + usage.thoughts_token_count  # thinking is billed as output
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == out
    assert a["gen_ai.usage.reasoning.output_tokens"] == usage.thoughts_token_count
    assert a["gen_ai.usage.cache_read.input_tokens"] == usage.cached_content_token_count
    assert a["genops.tokens.total"] == usage.total_token_count
    assert a["genops.cost.total"] == cost(usage) and a["genops.cost.currency"] == "USD"
    assert a["gen_ai.response.finish_reasons"] == ("STOP",)
    assert a["server.address"] == "127.0.0.1"


def test_init_patches_gemini(provider_spans):
    assert "gemini" in genops.status()["instrumented_providers"]
    assert genops.status()["available_providers"]["gemini"] is True


def test_generate_content_records_usage_cost_and_genai_names(provider_spans, ai_server):
    r = client(ai_server).models.generate_content(model=MODEL, contents="Hello")
    assert type(r) is types.GenerateContentResponse and r.text == "Hello, world!"
    assert r.model_version == "gemini-2.5-flash-001"  # priced as gemini-2.5-flash
    check(only(provider_spans), r, r.usage_metadata)


def test_stream_records_the_last_chunks_usage_when_it_ends(provider_spans, ai_server):
    stream = client(ai_server).models.generate_content_stream(model=MODEL, contents="Hello")
    assert provider_spans.finished_spans() == []
    chunks = list(stream)
    assert "".join(c.text for c in chunks) == "Hello, world!"
    span = only(provider_spans)
    check(span, chunks[-1], chunks[-1].usage_metadata, name="gemini.generate_content_stream")
    assert span.attributes["gen_ai.request.stream"] is True


def test_a_stream_closed_early_ends_with_what_it_saw(provider_spans, ai_server):
    stream = client(ai_server).models.generate_content_stream(model=MODEL, contents="Hello")
    first = next(stream)
    stream.close()
    a = only(provider_spans).attributes
    assert a["genops.tokens.input"] == first.usage_metadata.prompt_token_count
    assert a["genops.tokens.output"] == first.usage_metadata.candidates_token_count
    stream.close()
    assert len(provider_spans.finished_spans()) == 1


def test_a_stream_never_read_sent_nothing_and_records_nothing(provider_spans, ai_server):
    before = len(ai_server.received())
    stream = client(ai_server).models.generate_content_stream(model=MODEL, contents="Hello")
    del stream
    assert len(ai_server.received()) == before and provider_spans.finished_spans() == []


def test_async_generate_and_stream(provider_spans, ai_server):
    async def main():
        c = client(ai_server)
        r = await c.aio.models.generate_content(model=MODEL, contents="Hello")
        stream = await c.aio.models.generate_content_stream(model=MODEL, contents="Hello")
        chunks = [x async for x in stream]
        early = await c.aio.models.generate_content_stream(model=MODEL, contents="Hello")
        await early.__anext__()
        await early.aclose()
        return r, chunks

    r, chunks = asyncio.run(main())
    first, second, third = provider_spans.finished_spans()
    check(first, r, r.usage_metadata)
    check(second, chunks[-1], chunks[-1].usage_metadata, name="gemini.generate_content_stream")
    assert (
        third.status == "OK"
        and third.attributes["genops.tokens.input"] == r.usage_metadata.prompt_token_count
    )


def test_embed_content_sync_and_async(provider_spans, ai_server):
    c = client(ai_server)
    r = c.models.embed_content(model="gemini-embedding-001", contents=["hello", "world"])
    assert [e.values for e in r.embeddings] == [[0.25, -0.5, 0.125]] * 2
    asyncio.run(c.aio.models.embed_content(model="gemini-embedding-001", contents=["hello", "world"]))
    price = Decimal(PRICES["gcp.gemini"]["models"]["gemini-embedding-001"]["input"])
    for span in provider_spans.finished_spans():
        a = span.attributes
        assert span.name == "gemini.embed_content" and a["gen_ai.operation.name"] == "embeddings"
        assert (
            a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == r.usage_metadata.prompt_token_count
        )
        assert a["genops.cost.total"] == float(r.usage_metadata.prompt_token_count * price / 1_000_000)
    assert len(provider_spans.finished_spans()) == 2


@pytest.mark.parametrize("model, api_key, status", [(MODEL, "", 403), ("rate-limit", "test-key", 429)])
def test_errors_are_recorded_and_reraised_unchanged(provider_spans, ai_server, model, api_key, status):
    c = client(ai_server, api_key="x")
    if not api_key:  # a key the SDK accepts, then no key header on the wire
        c._api_client._http_options.headers.pop("x-goog-api-key", None)
    with pytest.raises(errors.ClientError) as caught:
        c.models.generate_content(model=model, contents="Hello")
    assert caught.value.code == status
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["error.type"] == "ClientError"
    assert span.attributes["http.response.status_code"] == status
    assert [e.name for e in span.events] == ["exception"]


def test_a_stream_error_is_recorded_and_reraised(provider_spans, ai_server):
    with pytest.raises(errors.ClientError):
        list(client(ai_server).models.generate_content_stream(model="rate-limit", contents="Hello"))
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["http.response.status_code"] == 429


def test_uninstrument_restores_every_attribute_exactly(genops_memory, ai_server):
    def calls():
        client(ai_server).models.generate_content(model=MODEL, contents="Hello")
        list(client(ai_server).models.generate_content_stream(model=MODEL, contents="Hello"))

    check_uninstrument_restores(genops_memory, PATCHED, calls)


def test_genops_ai_style_names(genops_memory):
    from genops.providers.gemini import instrument_gemini, patch_gemini, unpatch_gemini

    genops.uninstrument()
    assert patch_gemini() is True and patch_gemini() is False
    c = genai.Client(api_key="k", http_options=types.HttpOptions(base_url="http://127.0.0.1:9"))
    assert instrument_gemini(c) is c
    unpatch_gemini()
    assert "gemini" not in genops.status()["instrumented_providers"]


def test_gemini_model_names_are_priced():
    genops.pricing.reset_prices()
    for provider, model in [
        ("gcp.gemini", "gemini-2.5-flash-001"),
        ("gcp.gemini", "models/gemini-2.5-flash"),
        ("gcp.vertex_ai", "gemini-2.5-flash"),
        ("openrouter", "google/gemini-2.5-flash"),
    ]:
        price = genops.pricing.lookup(provider, model)
        assert price is not None and price.model == MODEL, (provider, model)
    claude = genops.pricing.lookup("gcp.vertex_ai", "claude-sonnet-4@20250514")
    assert claude is not None and claude.provider == "anthropic"
