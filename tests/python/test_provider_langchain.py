"""The LangChain callback handler with real langchain-core and langchain-openai from
PyPI: ChatOpenAI pointed at tests/peers/ai_server.py on 127.0.0.1 (max_retries=0), and
langchain-core's own fake models for runs without a provider SDK. Expected costs come
from prices.json read with json."""

from __future__ import annotations

import asyncio
import logging
import threading
from decimal import Decimal

import pytest
from provider_tests import PRICES, only

import genops
import genops.pricing

pytest.importorskip("langchain_core")
langchain_openai = pytest.importorskip("langchain_openai")
from langchain_core.language_models.fake import FakeListLLM  # noqa: E402
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.tracers import context  # noqa: E402

M = Decimal(1_000_000)


def chat(ai_server, model="gpt-4o", **extra):
    return langchain_openai.ChatOpenAI(
        model=model, base_url=ai_server.url + "/v1", api_key="test-key", max_retries=0, **extra
    )


def check(span, usage, model="gpt-4o-2024-08-06"):
    a = span.attributes
    assert span.status == "OK" and span.name == "langchain.chat_model"
    assert a["gen_ai.provider.name"] == a["genops.cost.provider"] == "openai"
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == "gpt-4o"
    assert a["gen_ai.response.model"] == a["genops.cost.model"] == model
    assert a["gen_ai.usage.input_tokens"] == a["genops.tokens.input"] == usage["input_tokens"]
    assert a["gen_ai.usage.output_tokens"] == a["genops.tokens.output"] == usage["output_tokens"]
    assert a["genops.tokens.total"] == usage["total_tokens"]
    cached = usage["input_token_details"]["cache_read"]
    assert a["gen_ai.usage.cache_read.input_tokens"] == cached
    assert a["gen_ai.usage.reasoning.output_tokens"] == usage["output_token_details"]["reasoning"]
    p = PRICES["openai"]["models"]["gpt-4o"]
    want = (usage["input_tokens"] - cached) * Decimal(p["input"]) + cached * Decimal(p["cached_input"])
    assert a["genops.cost.total"] == float((want + usage["output_tokens"] * Decimal(p["output"])) / M)


def test_init_registers_the_handler_with_langchain(provider_spans):
    assert "langchain" in genops.status()["instrumented_providers"]
    assert any(type(var.get()).__name__ == "GenOpsCallbackHandler" for var, *_ in context._configure_hooks)


def test_invoke_is_recorded_once_not_again_by_the_openai_patch(provider_spans, ai_server):
    r = chat(ai_server).invoke("Hello")
    assert r.content == "Hello, world!"
    span = only(provider_spans)  # no openai.chat.completions.create beside it
    check(span, r.usage_metadata)
    assert span.attributes["gen_ai.response.finish_reasons"] == ("stop",)


def test_stream_is_recorded_when_it_ends(provider_spans, ai_server):
    chunks = list(chat(ai_server, stream_usage=True).stream("Hello"))
    assert "".join(c.content for c in chunks) == "Hello, world!"
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    check(only(provider_spans), total.usage_metadata)


def test_a_stream_without_usage_is_recorded_without_the_openai_patchs_warning(
    provider_spans, ai_server, caplog
):
    caplog.set_level(logging.WARNING, logger="genops")
    list(chat(ai_server).stream("Hello"))  # ChatOpenAI asks for no usage without stream_usage
    span = only(provider_spans)
    assert span.name == "langchain.chat_model" and "genops.tokens.input" not in span.attributes
    assert not any("include_usage" in r.getMessage() for r in caplog.records)  # not the openai patch's call


def test_a_stream_closed_early_ends_ok_once(provider_spans, ai_server):
    stream = chat(ai_server).stream("Hello")
    next(stream)
    stream.close()
    span = only(provider_spans)
    assert span.status == "OK" and span.name == "langchain.chat_model"


def test_async_invoke_and_stream(provider_spans, ai_server):
    async def main():
        model = chat(ai_server, stream_usage=True)
        r = await model.ainvoke("Hello")
        chunks = [c async for c in model.astream("Hello")]
        return r, chunks

    r, chunks = asyncio.run(main())
    first, second = provider_spans.finished_spans()
    check(first, r.usage_metadata)
    assert second.attributes["genops.tokens.input"] == r.usage_metadata["input_tokens"]


def test_a_run_in_another_thread_is_recorded(provider_spans, ai_server):
    got = []
    t = threading.Thread(target=lambda: got.append(chat(ai_server).invoke("Hello")))
    t.start()
    t.join(30)
    check(only(provider_spans), got[0].usage_metadata)


def test_error_is_recorded_and_reraised_unchanged(provider_spans, ai_server):
    with pytest.raises(Exception) as caught:
        chat(ai_server, model="rate-limit").invoke("Hello")
    assert caught.value.status_code == 429
    span = only(provider_spans)
    assert span.status == "ERROR" and span.attributes["error.type"] == type(caught.value).__qualname__
    assert span.attributes["http.response.status_code"] == 429
    assert [e.name for e in span.events] == ["exception"]


def test_a_handler_passed_by_hand_too_records_the_run_once(provider_spans, ai_server):
    from genops.providers.langchain import GenOpsCallbackHandler

    chat(ai_server).invoke("Hello", config={"callbacks": [GenOpsCallbackHandler()]})
    assert only(provider_spans).name == "langchain.chat_model"


def test_models_without_a_patched_sdk(provider_spans):
    usage = {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    GenericFakeChatModel(messages=iter([AIMessage(content="hey", usage_metadata=usage)])).invoke("x")
    FakeListLLM(responses=["hi"]).invoke("x")
    chat_span, llm_span = provider_spans.finished_spans()
    assert (
        chat_span.attributes["genops.tokens.input"] == 5 and chat_span.attributes["genops.tokens.total"] == 7
    )
    assert (
        llm_span.name == "langchain.llm" and llm_span.attributes["gen_ai.operation.name"] == "text_completion"
    )
    assert "genops.cost.total" not in chat_span.attributes  # no price for a fake model


def test_uninstrument_removes_the_hook_exactly(genops_memory, ai_server):
    genops.uninstrument()
    hooks = context._configure_hooks
    before = list(hooks)
    genops.init(exporter_type="memory")
    assert len(hooks) == len(before) + 1
    genops.uninstrument()
    assert context._configure_hooks is hooks and hooks == before
    genops_memory.clear()
    chat(ai_server).invoke("Hello")
    assert genops_memory.finished_spans() == []


def test_genops_ai_style_names(genops_memory):
    from genops.providers.langchain import instrument_langchain, patch_langchain, unpatch_langchain

    genops.uninstrument()
    assert patch_langchain() is True and patch_langchain() is False
    assert type(instrument_langchain()).__name__ == "GenOpsCallbackHandler"
    unpatch_langchain()
    assert "langchain" not in genops.status()["instrumented_providers"]
