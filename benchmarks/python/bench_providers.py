#!/usr/bin/env python3
"""Side by side, in one run: what genops' provider patch adds to one provider call.

The real openai and anthropic SDKs call tests/peers/ai_server.py (its own process,
127.0.0.1); genops exports OTLP/HTTP protobuf to benchmarks/python/otlp_sink.py (its
own process). For each call shape (OpenAI chat, OpenAI chat streamed with usage,
Anthropic messages, Anthropic messages streamed) the run alternates blocks of calls
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
        [--genops-path build/python/python]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

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

    return {
        "OpenAI chat.completions.create": openai_chat,
        "OpenAI chat, stream=True (include_usage)": openai_stream,
        "Anthropic messages.create": anthropic_messages,
        "Anthropic messages.create, stream=True": anthropic_stream,
    }


def recording_alone(ai: str, n: int) -> tuple[float, float]:
    """The patch's own work for one chat call, without the SDK or the network: start the
    operation, read a real ChatCompletion, finish (pricing, record_cost, end), then the
    export of those spans to the sink (flush inside the window): (µs wall, µs CPU)."""
    import openai

    import genops
    from genops.providers import openai as patch

    client = openai.OpenAI(base_url=ai + "/v1", api_key="bench", max_retries=0)
    response = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    resource = client.chat.completions

    def one() -> None:
        call = patch._start_call(resource, "openai.chat.completions.create", "chat", {"model": "gpt-4o"})
        patch._chat(call, response)
        call.finish()

    t0, c0 = time.perf_counter_ns(), time.process_time_ns()
    for _ in range(n):
        one()
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
        providers.uninstrument()
        alone = recording_alone(ai, args.calls * args.pairs * 4)
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
    print(
        f"\nthe recording path alone (one OpenAI chat call, export included): {alone[0]:.1f} µs wall,",
        end=" ",
    )
    print(f"{alone[1]:.1f} µs CPU")


if __name__ == "__main__":
    main()
