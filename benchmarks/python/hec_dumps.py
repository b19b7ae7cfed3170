"""The HEC encoding of benchmarks/bench_hec.c done in pure Python: json.dumps of the same
events, built from span-like records the way a Python exporter would build them.

    python3 benchmarks/python/hec_dumps.py SAMPLE

SAMPLE is the file `bench_hec --sample` writes (one batch of 512 event envelopes). Its
events are turned back into span-like records (name, ids, times, status, attributes);
the timed part builds each event's envelope dict from its record and json.dumps it, and
joins the batch, as encode_hec does in C. Prints one JSON line per row, best of 7 rounds
(best_of.py).
"""

from __future__ import annotations

import json
import sys

from best_of import best_ns

RESERVED = {
    "name",
    "trace_id",
    "span_id",
    "parent_span_id",
    "status",
    "status_message",
    "duration_ms",
    "service.name",
}


def records(sample: bytes) -> list[dict]:
    text, decoder, pos, out = sample.decode(), json.JSONDecoder(), 0, []
    while pos < len(text):
        env, pos = decoder.raw_decode(text, pos)
        ev = env["event"]
        start_ns = int(round(env["time"] * 1e9))
        out.append(
            {
                "name": ev["name"],
                "trace_id": ev["trace_id"],
                "span_id": ev["span_id"],
                "status": ev["status"],
                "start_ns": start_ns,
                "end_ns": start_ns + int(ev["duration_ms"] * 1e6),
                "service": ev["service.name"],
                "host": env["host"],
                "index": env["index"],
                "attributes": {k: v for k, v in ev.items() if k not in RESERVED},
            }
        )
    return out


def encode(batch: list[dict]) -> bytes:
    parts = []
    for r in batch:
        body = {
            "name": r["name"],
            "trace_id": r["trace_id"],
            "span_id": r["span_id"],
            "status": r["status"],
            "duration_ms": (r["end_ns"] - r["start_ns"]) / 1e6,
            "service.name": r["service"],
        }
        body.update(r["attributes"])
        env = {
            "time": r["start_ns"] / 1e9,
            "host": r["host"],
            "sourcetype": "genops:telemetry",
            "index": r["index"],
            "event": body,
        }
        parts.append(json.dumps(env, separators=(",", ":")))
    return "".join(parts).encode()


def main() -> None:
    batch = records(open(sys.argv[1], "rb").read())
    size = len(encode(batch))
    print(
        json.dumps(
            {
                "name": "Python json.dumps (same events)",
                "ns_per_event": round(best_ns(lambda: encode(batch), len(batch)), 1),
                "bytes_per_event": round(size / len(batch), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
