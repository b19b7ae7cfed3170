"""The Honeycomb Events API body of benchmarks/bench_honeycomb.c done in pure Python:
msgpack.packb and json.dumps of the same events.

    python3 benchmarks/python/honeycomb_pack.py SAMPLE

SAMPLE is the file `bench_honeycomb --sample` writes: one batch body (512 events) from
encode_honeycomb_msgpack. It is read once with PyPI msgpack and turned back into
span-like records (name, hex ids, start and end in nanoseconds, kind, status,
attributes, service). From those the events are built as a Python exporter would build
them: {"time": RFC 3339 with nanoseconds, "data": the attributes flat, then the span's
own fields}, in the C encoder's order. Before timing anything, the packed Python events
must be byte for byte the C encoder's body; otherwise this exits with an error, so the
two sides provably encode the same events. Rows (one JSON line each, best of 7 rounds,
best_of.py):

  - msgpack.packb / json.dumps of the events built once (the encoding alone);
  - building the events from the records and then packb / dumps (what an exporter does
    per batch).
"""

from __future__ import annotations

import calendar
import json
import sys
import time

import msgpack
from best_of import best_ns

# The span's own fields in data, written after its attributes (honeycomb_encode.h).
SPAN_FIELDS = {
    "name",
    "trace.trace_id",
    "trace.span_id",
    "trace.parent_id",
    "service.name",
    "duration_ms",
    "span.kind",
    "status_code",
    "status",
    "error",
    "status_message",
}


def parse_rfc3339(text: str) -> int:
    """ "2026-12-02T17:20:00.123456789Z" -> nanoseconds since the epoch."""
    seconds = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1_000_000_000 + int(text[20:29])


def rfc3339(unix_ns: int) -> str:
    seconds, frac = divmod(unix_ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{frac:09d}Z"


def records(sample: bytes) -> list[dict]:
    out = []
    for ev in msgpack.unpackb(sample, raw=False):
        data = ev["data"]
        start_ns = parse_rfc3339(ev["time"])
        out.append(
            {
                "name": data["name"],
                "trace_id": data["trace.trace_id"],
                "span_id": data["trace.span_id"],
                "parent_id": data.get("trace.parent_id"),
                "service": data.get("service.name"),
                "start_ns": start_ns,
                "end_ns": start_ns + round(data["duration_ms"] * 1e6),
                "kind": data["span.kind"],
                "status_code": data["status_code"],
                "status_message": data.get("status_message"),
                "attributes": {k: v for k, v in data.items() if k not in SPAN_FIELDS},
            }
        )
    return out


def event(r: dict) -> dict:
    data = dict(r["attributes"])
    data["name"] = r["name"]
    data["trace.trace_id"] = r["trace_id"]
    data["trace.span_id"] = r["span_id"]
    if r["parent_id"] is not None:
        data["trace.parent_id"] = r["parent_id"]
    if r["service"] is not None:
        data["service.name"] = r["service"]
    data["duration_ms"] = (r["end_ns"] - r["start_ns"]) / 1e6
    data["span.kind"] = r["kind"]
    data["status_code"] = r["status_code"]
    error = r["status_code"] == 2
    data["status"] = "error" if error else "success"
    if error:
        data["error"] = True
        if r["status_message"]:
            data["status_message"] = r["status_message"]
    return {"time": rfc3339(r["start_ns"]), "data": data}


def dumps(events: list[dict]) -> bytes:
    return json.dumps(events, separators=(",", ":")).encode()


def main() -> None:
    sample = open(sys.argv[1], "rb").read()
    batch = records(sample)
    events = [event(r) for r in batch]
    if msgpack.packb(events) != sample:
        sys.exit("honeycomb_pack.py: the Python events do not pack to the C encoder's bytes")
    n, json_bytes = len(batch), len(dumps(events))
    rows = [
        ("msgpack.packb (events built once)", lambda: msgpack.packb(events), len(sample)),
        ("build events + msgpack.packb", lambda: msgpack.packb([event(r) for r in batch]), len(sample)),
        ("json.dumps (events built once)", lambda: dumps(events), json_bytes),
        ("build events + json.dumps", lambda: dumps([event(r) for r in batch]), json_bytes),
    ]
    for name, fn, size in rows:
        print(
            json.dumps(
                {
                    "name": f"Python {name}",
                    "ns_per_event": round(best_ns(fn, n), 1),
                    "bytes_per_event": round(size / n, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
