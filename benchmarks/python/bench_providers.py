#!/usr/bin/env python3
"""Side by side, in one run: what genops' provider patch adds to one provider call.

The real provider SDKs (openai, anthropic; google-genai, cohere, litellm and
langchain-openai when installed) call tests/peers/ai_server.py (its own process,
127.0.0.1); genops exports OTLP/HTTP protobuf to benchmarks/python/otlp_sink.py (its
own process). For each call shape (a plain call and a stream per SDK; LiteLLM routed
to the OpenAI route; LangChain's ChatOpenAI.invoke) the run alternates blocks of calls
without the patch and with it (genops.providers.uninstrument() / instrument() between
blocks, ABBA order), so that both see the same machine state; after the last block
genops flushes. Last, the recording path alone: the patch's own work for one chat call
on a real response object, without the SDK or the network, export included.

Per call: wall time (perf_counter_ns over the block / calls) and process CPU
(process_time_ns: the application thread, the SDK's and genops' export thread; the
servers are other processes). "added" is the median over the block pairs of
(patched - plain), so drift cancels; the spread of the plain blocks says how much of it
is noise. Spans delivered = spans the sink decoded / instrumented calls.

    python3 benchmarks/python/bench_providers.py [--calls 300] [--pairs 10]
        [--only SUBSTRING] [--genops-path build/python/python]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Callable

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MESSAGES = [{"role": "user", "content": "Hello"}]


def start(script: pathlib.Path) -> tuple[subprocess.Popen, str]:
    port_file = pathlib.Path(tempfile.mkdtemp()) / "port"
    proc = subprocess.Popen([sys.executable, str(script), "--port-file", str(port_file)])
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{script.name} did not start")


def installed_rows(ai: str, makers: dict[str, Callable[[str], dict]]) -> dict[str, Callable[[], None]]:
    """The rows of each SDK (import name -> its rows' maker) that is installed."""
    rows: dict[str, Callable[[], None]] = {}
    for sdk, make in makers.items():
        try:
            installed = importlib.util.find_spec(sdk) is not None
        except ImportError:  # a dotted name whose parent is missing
            installed = False
        if installed:
            rows.update(make(ai))
    return rows


def shapes(ai: str):
    import anthropic
    import openai

    o = openai.OpenAI(base_url=ai + "/v1", api_key="bench", max_retries=0)
    a = anthropic.Anthropic(base_url=ai, api_key="bench", max_retries=0)

    def openai_chat():
        o.chat.completions.create(model="gpt-4o", messages=MESSAGES)

    def openai_stream():
        for _ in o.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        ):
            pass

    def anthropic_messages():
        a.messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES)

    def anthropic_stream():
        for _ in a.messages.create(model="claude-sonnet-4", max_tokens=64, messages=MESSAGES, stream=True):
            pass

    found = {
        "OpenAI chat.completions.create": openai_chat,
        "OpenAI chat, stream=True (include_usage)": openai_stream,
        "Anthropic messages.create": anthropic_messages,
        "Anthropic messages.create, stream=True": anthropic_stream,
    }
    return found | installed_rows(
        ai,
        {
            "google.genai": gemini_shapes,
            "cohere": cohere_shapes,
            "litellm": litellm_shapes,
            "langchain_openai": langchain_shapes,
        },
    )


def gemini_shapes(ai: str):
    from google import genai
    from google.genai import types

    g = genai.Client(api_key="bench", http_options=types.HttpOptions(base_url=ai))

    def generate():
        g.models.generate_content(model="gemini-2.5-flash", contents="Hello")

    def stream():
        for _ in g.models.generate_content_stream(model="gemini-2.5-flash", contents="Hello"):
            pass

    return {"Gemini generate_content": generate, "Gemini generate_content_stream": stream}


def cohere_shapes(ai: str):
    import cohere

    c = cohere.ClientV2(api_key="test-key", base_url=ai + "/cohere", max_retries=0)

    def chat():
        c.chat(model="command-a-03-2025", messages=MESSAGES)

    def stream():
        for _ in c.chat_stream(model="command-a-03-2025", messages=MESSAGES):
            pass

    return {"Cohere chat": chat, "Cohere chat_stream": stream}


def litellm_shapes(ai: str):
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no cost map fetched
    import litellm

    litellm.suppress_debug_info = True
    kwargs = {"model": "openai/gpt-4o", "messages": MESSAGES, "api_base": ai + "/v1", "api_key": "bench"}

    def completion():
        litellm.completion(**kwargs)

    def stream():
        for _ in litellm.completion(**kwargs, stream=True, stream_options={"include_usage": True}):
            pass

    return {"LiteLLM completion (openai/)": completion, "LiteLLM completion, stream=True": stream}


def langchain_shapes(ai: str):
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model="gpt-4o", base_url=ai + "/v1", api_key="bench", max_retries=0)

    def invoke():
        model.invoke("Hello")

    return {"LangChain ChatOpenAI.invoke": invoke}


def recordings(ai: str) -> dict[str, Callable[[], None]]:
    """Per provider, the patch's own work for one call, without the SDK or the network:
    start the operation as the patch does, read a real response (fetched once through the
    SDK), finish (pricing, record_cost, end). LangChain: the handler's start and end
    callbacks on a real LLMResult."""
    import openai

    from genops.providers import _call
    from genops.providers import openai as patch

    client = openai.OpenAI(base_url=ai + "/v1", api_key="bench", max_retries=0)
    response = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    resource = client.chat.completions

    def openai_chat() -> None:
        call = patch._start_call(resource, "openai.chat.completions.create", "chat", {"model": "gpt-4o"})
        _call.chat_completion(call, response)
        call.finish()

    found: dict[str, Callable[[], None]] = {"OpenAI chat": openai_chat}
    return found | installed_rows(
        ai,
        {
            "google.genai": gemini_recording,
            "cohere": cohere_recording,
            "litellm": litellm_recording,
            "langchain_openai": langchain_recording,
        },
    )


def gemini_recording(ai: str) -> dict[str, Callable[[], None]]:
    from google import genai
    from google.genai import types

    from genops.providers import gemini

    g = genai.Client(api_key="bench", http_options=types.HttpOptions(base_url=ai))
    r = g.models.generate_content(model="gemini-2.5-flash", contents="Hello")

    def one() -> None:
        call = gemini._start(g.models, {"model": "gemini-2.5-flash"}, False)
        gemini._observe(call, r)
        call.finish()

    return {"Gemini generate_content": one}  # one holds g: a collected Client closes its HTTP client


def cohere_recording(ai: str) -> dict[str, Callable[[], None]]:
    import cohere as sdk

    from genops.providers import cohere

    c = sdk.ClientV2(api_key="test-key", base_url=ai + "/cohere", max_retries=0)
    r = c.chat(model="command-a-03-2025", messages=MESSAGES)
    start = cohere._start("cohere.chat", "chat", False)

    def one() -> None:
        call = start(c, {"model": "command-a-03-2025"})
        cohere._observe(call, r)
        call.finish()

    return {"Cohere chat": one}


def litellm_recording(ai: str) -> dict[str, Callable[[], None]]:
    import litellm as sdk

    from genops.providers import litellm

    kwargs = {"model": "openai/gpt-4o", "messages": MESSAGES, "api_base": ai + "/v1", "api_key": "bench"}
    r = sdk.completion(**kwargs)

    def one() -> None:
        call = litellm._start((), kwargs)
        litellm._observe(call, r)
        call.finish()

    return {"LiteLLM completion": one}


def langchain_recording(ai: str) -> dict[str, Callable[[], None]]:
    import itertools

    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    from genops.providers import langchain

    model = ChatOpenAI(model="gpt-4o", base_url=ai + "/v1", api_key="bench", max_retries=0)
    result = model.generate([[HumanMessage("Hello")]])
    handler = langchain.handler_class()()
    meta = {"ls_provider": "openai", "ls_model_name": "gpt-4o"}
    runs = itertools.count()  # LangChain's run ids are UUIDs it makes anyway: not timed here

    def one() -> None:
        run = next(runs)
        handler.on_chat_model_start({}, [[]], run_id=run, metadata=meta)
        handler.on_llm_end(result, run_id=run)

    return {"LangChain chat model run": one}


def recording_alone(fn, n: int) -> tuple[float, float]:
    """n calls of fn, then the export of their spans to the sink (flush inside the
    window): (µs wall, µs CPU) per call."""
    import genops

    t0, c0 = time.perf_counter_ns(), time.process_time_ns()
    for _ in range(n):
        fn()
    genops.flush(30)
    return (time.perf_counter_ns() - t0) / n / 1e3, (time.process_time_ns() - c0) / n / 1e3


def block(fn, calls: int) -> tuple[float, float]:
    """(µs wall per call, µs process CPU per call)."""
    t0, c0 = time.perf_counter_ns(), time.process_time_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - t0) / calls / 1e3, (time.process_time_ns() - c0) / calls / 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=300, help="calls per block")
    ap.add_argument("--pairs", type=int, default=10, help="plain/patched block pairs per call shape")
    ap.add_argument("--exporter", default="otlp", help="otlp (to the sink) or none")
    ap.add_argument("--only", default="", help="only the call shapes whose name contains this")
    ap.add_argument("--genops-path", default=str(ROOT / "build" / "python" / "python"))
    args = ap.parse_args()
    sys.path.insert(0, args.genops_path)
    import genops
    from genops import providers

    ai_proc, ai = start(ROOT / "tests" / "peers" / "ai_server.py")
    sink_proc, sink = start(HERE / "otlp_sink.py")
    try:
        genops.init(
            exporter_type=args.exporter,
            otlp_endpoint=sink if args.exporter == "otlp" else None,
            service_name="bench-providers",
        )
        rows = []
        for name, fn in shapes(ai).items():
            if args.only not in name:
                continue
            providers.uninstrument()
            block(fn, 20)  # warm-up: connections, imports, caches
            urllib.request.urlopen(urllib.request.Request(sink + "/reset", method="POST")).read()
            plain, patched = [], []
            for i in range(args.pairs):  # ABBA: half the pairs run patched first
                for patch in (False, True) if i % 2 == 0 else (True, False):
                    providers.instrument() if patch else providers.uninstrument()
                    (patched if patch else plain).append(block(fn, args.calls))
            genops.flush(30)
            got = json.loads(urllib.request.urlopen(sink + "/count").read())["spans"]
            rows.append(
                {
                    "shape": name,
                    "plain_wall_us": statistics.median(p[0] for p in plain),
                    "plain_wall_spread_us": max(p[0] for p in plain) - min(p[0] for p in plain),
                    "added_wall_us": statistics.median(b[0] - a[0] for a, b in zip(plain, patched)),
                    "plain_cpu_us": statistics.median(p[1] for p in plain),
                    "added_cpu_us": statistics.median(b[1] - a[1] for a, b in zip(plain, patched)),
                    "delivered": f"{got}/{args.calls * args.pairs}",
                }
            )
            print(f"{name}: {rows[-1]}", file=sys.stderr, flush=True)  # progress
        providers.uninstrument()
        paths = {k: v for k, v in recordings(ai).items() if args.only in k}
        alone = {name: recording_alone(fn, args.calls * args.pairs * 4) for name, fn in paths.items()}
    finally:
        ai_proc.kill()
        sink_proc.kill()
    print(f"{args.pairs} block pairs of {args.calls} calls per shape; µs per call (medians)\n")
    print("| call | plain wall | spread (plain) | added wall | plain CPU | added CPU | spans delivered |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['shape']} | {r['plain_wall_us']:.0f} | {r['plain_wall_spread_us']:.0f} | "
            f"{r['added_wall_us']:+.1f} | {r['plain_cpu_us']:.0f} | {r['added_cpu_us']:+.1f} | "
            f"{r['delivered']} |"
        )
    print("\nthe recording path alone (one call's start, response reading, pricing, end; export")
    print("included; no SDK, no network), µs per call:\n")
    print("| call | wall | CPU |")
    print("|---|---|---|")
    for name, (wall, cpu) in alone.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


if __name__ == "__main__":
    main()
