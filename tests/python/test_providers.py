"""Provider auto-instrumentation with the real SDKs from PyPI (openai, anthropic), each
client pointed at tests/peers/ai_server.py on 127.0.0.1 (max_retries=0: no test
reaches the network or waits on a retry). What reached the memory exporter, or a
local OTLP receiver, is compared with what the SDK handed the application; expected
costs come from prices.json read with json, not from genops.pricing."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import pathlib
import sys
from decimal import Decimal

import pytest
from provider_tests import PRICES, only

import genops
import genops.pricing

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "peers"))

MESSAGES = [{"role": "user", "content": "Hello"}]
M = Decimal(1_000_000)


def oai(ai_server, cls=None):
    return (cls or openai.OpenAI)(base_url=ai_server.url + "/v1", api_key="test-key", max_retries=0)


def ant(ai_server, cls=None):
    return (cls or anthropic.Anthropic)(base_url=ai_server.url, api_key="test-key", max_retries=0)


def openai_cost(model, inp, cached, out):
    p = PRICES["openai"]["models"][model]
    return float(
        (
            (inp - cached) * Decimal(p["input"])
            + cached * Decimal(p["cached_input"])
            + out * Decimal(p["output"])
        )
        / M
    )


def check_chat(span, usage, model="gpt-4o-2024-08-06", provider="openai"):
    a = span.attributes
    assert span.status == "OK" and span.name == "openai.chat.completions.create"
    assert a["gen_ai.provider.name"] == provider and a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.request.model"] == "gpt-4o" and a["gen_ai.response.model"] == model
    assert a["genops.cost.model"] == model and a["genops.cost.provider"] == provider
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == usage.prompt_tokens
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == usage.completion_tokens
    assert a["genops.tokens.total"] == usage.total_tokens
    assert a["gen_ai.usage.cache_read.input_tokens"] == usage.prompt_tokens_details.cached_tokens
    assert a["gen_ai.usage.reasoning.output_tokens"] == usage.completion_tokens_details.reasoning_tokens
    cached = usage.prompt_tokens_details.cached_tokens
    assert a["genops.cost.total"] == openai_cost(
        "gpt-4o", usage.prompt_tokens, cached, usage.completion_tokens
    )
    assert a["genops.cost.currency"] == "USD"


# ---- OpenAI ---------------------------------------------------------------------------


def test_init_reports_what_it_patched(provider_spans):
    status = genops.status()
    sdks = {
        "bedrock": "boto3",
        "mistral": "mistralai",
        "gemini": "google.genai",
        "cohere": "cohere",
        "litellm": "litellm",
        "langchain": "langchain_core",
    }
    has = {name: importlib.util.find_spec(sdk) is not None for name, sdk in sdks.items()}
    assert status["instrumented_providers"] == ["openai", "openrouter", "anthropic"] + [
        name for name in sdks if has[name]
    ]  # patched now, or at the SDK's import
    assert status["available_providers"] == {"openai": True, "openrouter": True, "anthropic": True, **has}


def test_openai_chat_records_usage_cost_and_genai_names(provider_spans, ai_server):
    r = oai(ai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert isinstance(r, openai.types.chat.ChatCompletion) and r.choices[0].message.content == "Hello, world!"
    span = only(provider_spans)
    check_chat(span, r.usage)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert span.attributes["gen_ai.response.id"] == r.id
    assert span.attributes["server.address"] == "127.0.0.1"


def test_openai_chat_stream_records_totals_at_the_end(provider_spans, ai_server):
    stream = oai(ai_server).chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    assert type(stream) is openai.Stream
    assert provider_spans.finished_spans() == []  # open until the stream ends
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello, world!"
    span = only(provider_spans)
    check_chat(span, chunks[-1].usage)
    assert span.attributes["gen_ai.request.stream"] is True


def test_openai_stream_without_include_usage_records_no_tokens_and_says_so(provider_spans, ai_server, caplog):
    caplog.set_level(logging.WARNING, logger="genops")
    with oai(ai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True) as stream:
        assert len(list(stream)) == 8
    a = only(provider_spans).attributes
    assert a["genops.cost.model"] == "gpt-4o-2024-08-06" and "genops.tokens.input" not in a
    assert "genops.cost.total" not in a
    assert any("include_usage" in r.getMessage() for r in caplog.records)


def test_openai_stream_closed_early_ends_the_operation_once(provider_spans, ai_server):
    stream = oai(ai_server).chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    first = next(iter(stream))
    stream.close()
    stream.close()
    span = only(provider_spans)
    assert span.status == "OK" and first.model == span.attributes["gen_ai.response.model"]
    assert "genops.tokens.input" not in span.attributes  # usage comes last: not seen


def test_openai_chat_completions_stream_helper_is_recorded(provider_spans, ai_server):
    with oai(ai_server).chat.completions.stream(
        model="gpt-4o", messages=MESSAGES, stream_options={"include_usage": True}
    ) as stream:
        final = stream.get_final_completion()
    check_chat(only(provider_spans), final.usage)


def test_openai_responses_sync_and_stream(provider_spans, ai_server):
    client = oai(ai_server)
    r = client.responses.create(model="gpt-4o", input="Hello")
    events = list(client.responses.create(model="gpt-4o", input="Hello", stream=True))
    done = events[-1].response
    assert events[-1].type == "response.completed"
    got = provider_spans.finished_spans()
    assert [s.name for s in got] == ["openai.responses.create"] * 2
    for span, usage in zip(got, (r.usage, done.usage)):
        a = span.attributes
        assert a["gen_ai.response.model"] == "gpt-4o-2024-08-06" and a["gen_ai.response.id"] == "resp_local1"
        assert (
            a["genops.tokens.input"] == usage.input_tokens
            and a["genops.tokens.output"] == usage.output_tokens
        )
        assert a["gen_ai.usage.cache_read.input_tokens"] == usage.input_tokens_details.cached_tokens
        assert a["gen_ai.usage.reasoning.output_tokens"] == usage.output_tokens_details.reasoning_tokens
        cached = usage.input_tokens_details.cached_tokens
        assert a["genops.cost.total"] == openai_cost(
            "gpt-4o", usage.input_tokens, cached, usage.output_tokens
        )


def test_openai_embeddings(provider_spans, ai_server):
    r = oai(ai_server).embeddings.create(model="text-embedding-3-small", input="Hello")
    assert r.data[0].embedding == [0.25, -0.5, 0.125]
    a = only(provider_spans).attributes
    assert a["gen_ai.operation.name"] == "embeddings" and a["genops.tokens.input"] == r.usage.prompt_tokens
    price = Decimal(PRICES["openai"]["models"]["text-embedding-3-small"]["input"])
    assert a["genops.cost.total"] == float(r.usage.prompt_tokens * price / M)


def test_openai_async_create_and_stream(provider_spans, ai_server):
    async def calls():
        client = oai(ai_server, openai.AsyncOpenAI)
        r = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
        assert type(stream) is openai.AsyncStream
        chunks = [c async for c in stream]
        return r.usage, chunks[-1].usage

    usages = asyncio.run(calls())
    got = provider_spans.finished_spans()
    assert len(got) == 2
    for span, usage in zip(got, usages):
        check_chat(span, usage)


@pytest.mark.parametrize(
    "model, error, status", [("error-400", "BadRequestError", 400), ("rate-limit", "RateLimitError", 429)]
)
def test_openai_error_is_recorded_and_reraised_unchanged(provider_spans, ai_server, model, error, status):
    with pytest.raises(getattr(openai, error)) as caught:
        oai(ai_server).chat.completions.create(model=model, messages=MESSAGES)
    assert caught.value.status_code == status
    span = only(provider_spans)
    assert span.status == "ERROR" and span.status_message == str(caught.value)
    assert span.attributes["error.type"] == error and span.attributes["http.response.status_code"] == status
    assert [e.name for e in span.events] == ["exception"]
    assert span.events[0].attributes["exception.type"] == error


def test_unknown_model_records_tokens_without_cost(provider_spans, ai_server):
    r = oai(ai_server).chat.completions.create(model="local-llama", messages=MESSAGES)
    a = only(provider_spans).attributes
    assert a["genops.tokens.input"] == r.usage.prompt_tokens and "genops.cost.total" not in a


def test_operation_is_a_child_with_the_governance_context(provider_spans, ai_server):
    genops.set_default_attributes(team="support")
    with genops.track_enhanced("ai.workflow", customer_id="acme") as parent:
        oai(ai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    child, outer = provider_spans.finished_spans()
    assert child.parent_span_id == outer.span_id and child.trace_id == outer.trace_id
    assert parent is not None and child.attributes["genops.team"] == "support"


def test_openrouter_is_recognised_by_base_url(provider_spans, ai_server):
    # The ai_server is the client's HTTP proxy: the request for openrouter.ai reaches it
    # in absolute form, and nothing resolves or reaches openrouter.ai.
    http = openai.DefaultHttpxClient(proxy=ai_server.url)
    client = openai.OpenAI(
        base_url="http://openrouter.ai/api/v1", api_key="k", max_retries=0, http_client=http
    )
    r = client.chat.completions.create(model="anthropic/claude-sonnet-4", messages=MESSAGES)
    assert ai_server.received()[-1]["host"] == "openrouter.ai"
    a = only(provider_spans).attributes
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "openrouter"
    p = PRICES["anthropic"]["models"]["claude-sonnet-4"]  # priced as the prefix's vendor
    cached = r.usage.prompt_tokens_details.cached_tokens
    want = (r.usage.prompt_tokens - cached) * Decimal(p["input"]) + cached * Decimal(p["cached_input"])
    want += r.usage.completion_tokens * Decimal(p["output"])
    assert a["genops.cost.total"] == float(want / M)


# ---- Anthropic ------------------------------------------------------------------------


def check_message(span, usage, model="claude-sonnet-4-20250514"):
    a = span.attributes
    assert span.status == "OK" and span.name == "anthropic.messages.create"
    assert a["gen_ai.provider.name"] == "anthropic" and a["gen_ai.response.model"] == model
    total_in = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == total_in
    assert a["genops.tokens.output"] == usage.output_tokens
    assert a["gen_ai.usage.cache_read.input_tokens"] == usage.cache_read_input_tokens
    assert a["gen_ai.usage.cache_creation.input_tokens"] == usage.cache_creation_input_tokens
    p = PRICES["anthropic"]["models"]["claude-sonnet-4"]
    want = (
        usage.input_tokens * Decimal(p["input"])
        + usage.cache_read_input_tokens * Decimal(p["cached_input"])
        + usage.cache_creation_input_tokens * Decimal(p["cache_write"])
        + usage.output_tokens * Decimal(p["output"])
    )
    assert a["genops.cost.total"] == float(want / M)


def test_anthropic_create(provider_spans, ai_server):
    m = ant(ai_server).messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES)
    assert isinstance(m, anthropic.types.Message)
    span = only(provider_spans)
    check_message(span, m.usage)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("end_turn",)
    assert span.attributes["gen_ai.request.max_tokens"] == 64


def test_anthropic_create_stream_and_messages_stream(provider_spans, ai_server):
    client = ant(ai_server)
    events = list(
        client.messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES, stream=True)
    )
    assert [e.type for e in events][0] == "message_start"
    with client.messages.stream(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES) as stream:
        final = stream.get_final_message()
    got = provider_spans.finished_spans()
    assert len(got) == 2
    for span in got:
        check_message(span, final.usage)


def test_anthropic_async(provider_spans, ai_server):
    async def calls():
        client = ant(ai_server, anthropic.AsyncAnthropic)
        m = await client.messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES)
        stream = await client.messages.create(
            model="claude-sonnet-4", max_tokens=64, messages=MESSAGES, stream=True
        )
        _ = [e async for e in stream]
        async with client.messages.stream(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES) as s:
            final = await s.get_final_message()
        return m.usage, final.usage

    usage, streamed = asyncio.run(calls())
    got = provider_spans.finished_spans()
    assert len(got) == 3
    check_message(got[0], usage)
    for span in got[1:]:
        check_message(span, streamed)


def test_anthropic_stream_closed_early_keeps_what_it_saw(provider_spans, ai_server):
    with ant(ai_server).messages.stream(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES) as stream:
        first = next(iter(stream))
    assert first.type == "message_start"
    a = only(provider_spans).attributes
    u = first.message.usage
    assert (
        a["genops.tokens.input"] == u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens
    )
    assert a["genops.tokens.output"] == 1  # message_start's count; the final one never came


def test_anthropic_rate_limit(provider_spans, ai_server):
    with pytest.raises(anthropic.RateLimitError) as caught:
        ant(ai_server).messages.create(model="rate-limit", max_tokens=64, messages=MESSAGES)
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["http.response.status_code"] == 429
    assert span.events[0].attributes["exception.message"] == str(caught.value)


# ---- AWS Bedrock (boto3) --------------------------------------------------------------

BEDROCK_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


def bedrock(ai_server):
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=ai_server.url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def anthropic_price(model, inp, out, read=0, write=0):
    p = PRICES["anthropic"]["models"][model]
    total = inp * Decimal(p["input"]) + out * Decimal(p["output"])
    total += read * Decimal(p["cached_input"]) + write * Decimal(p["cache_write"])
    return float(total / M)


def test_bedrock_converse(provider_spans, ai_server):
    r = bedrock(ai_server).converse(
        modelId=BEDROCK_MODEL, messages=[{"role": "user", "content": [{"text": "Hello"}]}]
    )
    u = r["usage"]
    span = only(provider_spans)
    a = span.attributes
    assert span.name == "aws.bedrock.converse" and span.status == "OK"
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "aws.bedrock"
    assert a["gen_ai.request.model"] == a["genops.cost.model"] == BEDROCK_MODEL
    assert (
        a["genops.tokens.input"] == u["inputTokens"] + u["cacheReadInputTokens"] + u["cacheWriteInputTokens"]
    )
    assert a["genops.tokens.output"] == u["outputTokens"] and a["genops.tokens.total"] == u["totalTokens"]
    want = anthropic_price(
        "claude-3-5-sonnet",
        u["inputTokens"],
        u["outputTokens"],
        u["cacheReadInputTokens"],
        u["cacheWriteInputTokens"],
    )
    assert a["genops.cost.total"] == want and a["gen_ai.response.finish_reasons"] == ("end_turn",)


def test_bedrock_invoke_model_leaves_the_body_to_the_application(provider_spans, ai_server):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "messages": MESSAGES}
    r = bedrock(ai_server).invoke_model(modelId=BEDROCK_MODEL, body=json.dumps(body))
    usage = json.loads(r["body"].read())["usage"]  # still unread: genops used the headers
    a = only(provider_spans).attributes
    assert (
        a["genops.tokens.input"] == usage["input_tokens"]
        and a["genops.tokens.output"] == usage["output_tokens"]
    )
    assert a["genops.cost.total"] == anthropic_price(
        "claude-3-5-sonnet", usage["input_tokens"], usage["output_tokens"]
    )


def test_bedrock_throttling_is_recorded_and_reraised(provider_spans, ai_server):
    client = bedrock(ai_server)
    with pytest.raises(client.exceptions.ThrottlingException):
        client.converse(modelId="rate-limit", messages=[{"role": "user", "content": [{"text": "Hello"}]}])
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["http.response.status_code"] == 429
    assert span.attributes["error.type"] == "ThrottlingException"


# ---- patching -------------------------------------------------------------------------


def patched_attributes():
    from anthropic.resources.messages import AsyncMessages, Messages
    from openai.resources.chat.completions import AsyncCompletions, Completions
    from openai.resources.embeddings import AsyncEmbeddings, Embeddings
    from openai.resources.responses import AsyncResponses, Responses

    owners = (Completions, AsyncCompletions, Responses, AsyncResponses, Embeddings, AsyncEmbeddings)
    names = [(o, "create") for o in owners] + [
        (o, n) for o in (Messages, AsyncMessages) for n in ("create", "stream")
    ]
    if importlib.util.find_spec("botocore") is not None:
        from botocore.client import BaseClient

        names.append((BaseClient, "_make_api_call"))
    return {(o, n): o.__dict__[n] for o, n in names}


def test_uninstrument_restores_every_attribute_exactly(genops_memory, ai_server):
    genops.uninstrument()
    before = patched_attributes()
    genops.init(exporter_type="memory")
    during = patched_attributes()
    assert all(during[k] is not before[k] for k in before)
    assert all(during[k].__wrapped__ is before[k] for k in before)
    raw = oai(ai_server).chat.completions.with_raw_response  # holds the patched bound method
    genops.uninstrument()
    after = patched_attributes()
    assert all(after[k] is before[k] for k in before)
    assert genops.status()["instrumented_providers"] == []
    genops_memory.clear()
    oai(ai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    raw.create(model="gpt-4o", messages=MESSAGES)
    assert genops_memory.finished_spans() == []


def test_patch_functions_keep_genops_ai_names(genops_memory):
    from genops.providers.anthropic import patch_anthropic, unpatch_anthropic
    from genops.providers.openai import instrument_openai, patch_openai, unpatch_openai
    from genops.providers.openrouter import patch_openrouter, unpatch_openrouter

    genops.uninstrument()
    assert patch_openai() is True and patch_openai() is False
    assert patch_anthropic(auto_track=False) is False
    assert genops.status()["instrumented_providers"] == ["openai", "openrouter"]
    unpatch_openrouter()  # the same patch as OpenAI's
    assert genops.status()["instrumented_providers"] == []
    assert patch_openrouter() is True and patch_anthropic() is True
    client = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1")
    assert instrument_openai(client) is client
    unpatch_openai()
    unpatch_anthropic()
    assert genops.status()["instrumented_providers"] == []


def test_init_with_providers_list_patches_only_those(genops_memory, caplog):
    genops.uninstrument()
    genops.init(exporter_type="memory", providers=["anthropic", "nope"])
    assert genops.status()["instrumented_providers"] == ["anthropic"]
    assert any("unknown provider 'nope'" in r.getMessage() for r in caplog.records)
    genops.uninstrument()
    genops.init(exporter_type="memory", auto_detect=False)
    assert genops.status()["instrumented_providers"] == []


# ---- end to end and the SDK's own tracing --------------------------------------------


def test_auto_instrument_then_provider_call_reaches_an_otlp_receiver(ai_server):
    from otlp_server import OtlpServer

    with OtlpServer() as receiver:
        genops.auto_instrument(exporter_type="otlp", otlp_endpoint=receiver.base, service_name="guide")
        try:
            r = oai(ai_server).chat.completions.create(model="gpt-4o", messages=MESSAGES)
            genops.flush(10)
        finally:
            genops.uninstrument()
            genops.init(exporter_type="none")
        got = [s for rec in receiver.received() for s in rec["spans"]]
    assert len(got) == 1
    v = got[0]["values"]
    assert v["genops.cost.provider"] == "openai" and v["gen_ai.usage.input_tokens"] == r.usage.prompt_tokens
    cached = r.usage.prompt_tokens_details.cached_tokens
    assert v["genops.cost.total"] == openai_cost(
        "gpt-4o", r.usage.prompt_tokens, cached, r.usage.completion_tokens
    )


def test_anthropic_sdk_span_goes_to_opentelemetry_and_the_call_is_recorded_once(provider_spans, ai_server):
    sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
    export = pytest.importorskip("opentelemetry.sdk.trace.export")
    memory = pytest.importorskip("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    exporter = memory.InMemorySpanExporter()
    provider = sdk_trace.TracerProvider()
    provider.add_span_processor(export.SimpleSpanProcessor(exporter))
    client = anthropic.Anthropic(
        base_url=ai_server.url, api_key="k", max_retries=0, open_telemetry={"tracer_provider": provider}
    )
    client.messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES)
    ours = only(provider_spans)
    theirs = exporter.get_finished_spans()
    assert [s.name for s in theirs] == ["anthropic.messages.create"]
    assert theirs[0].attributes["gen_ai.usage.output_tokens"] == ours.attributes["genops.tokens.output"]


def test_uninstrument_removes_patches_made_without_init():
    from genops.providers.anthropic import patch_anthropic

    genops.uninstrument()
    patch_anthropic()
    genops.uninstrument()
    assert genops.status()["instrumented_providers"] == []
