"""An embedded receiver for `genops demo` and `genops bench`: one HTTP server on
127.0.0.1 (an ephemeral port, in a background thread) that answers the three
protocols genops exports, as their backends do, and records what arrived.

    POST /v1/traces               OTLP/HTTP: JSON decoded; protobuf only measured (its
                                  spans counted by walking the message's fields)
    POST /services/collector/...  Splunk HEC: JSON event objects one after another;
                                  answers {"text": "Success", "code": 0}
    GET  /services/collector/health
    POST /1/batch/<dataset>       Honeycomb's Events API: an array of events in msgpack
                                  (genops.demo.msgpack) or JSON; one {"status": 202} each
    GET  /1/auth                  a Classic key's answer

gzip bodies are accepted and any other Content-Encoding is refused with 415
(wire_bytes is what came over the socket). No third-party package: OTLP protobuf is
not decoded to attributes, so `genops demo` exports OTLP/JSON. With decode=False
(benchmarks) only counts are kept, and the handler threads' CPU time is summed in
cpu_seconds, so a benchmark can tell it from the process's own.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from . import msgpack

HEC_OK = b'{"text":"Success","code":0}'
MAX_BODY = 64 << 20  # bytes; a larger request is answered 413 (the exporters send less)


@dataclass
class Request:
    protocol: str  # "otlp", "hec" or "honeycomb"
    path: str
    content_type: str
    wire_bytes: int
    items: int  # spans (OTLP) or events (HEC, Honeycomb)
    records: list[dict[str, Any]] = field(default_factory=list)  # decoded: one flat dict per item


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("protobuf: bad varint")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def _fields(data: memoryview, wanted: int) -> list[memoryview]:
    """The length-delimited fields numbered wanted of one protobuf message."""
    out, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        kind = key & 7
        if kind == 0:
            _, pos = _varint(data, pos)
        elif kind == 1:
            pos += 8
        elif kind == 5:
            pos += 4
        elif kind == 2:
            n, pos = _varint(data, pos)
            if pos + n > len(data):
                raise ValueError("protobuf: truncated field")
            if key >> 3 == wanted:
                out.append(data[pos : pos + n])
            pos += n
        else:
            raise ValueError(f"protobuf: wire type {kind} is not used by OTLP")
    return out


def otlp_protobuf_span_count(body: bytes) -> int:
    """Spans in an ExportTraceServiceRequest: resource_spans = 1, its scope_spans = 2,
    their spans = 2 (opentelemetry-proto, trace/v1/trace.proto)."""
    return sum(
        len(_fields(scope, 2)) for resource in _fields(memoryview(body), 1) for scope in _fields(resource, 2)
    )


def _any_value(v: dict[str, Any]) -> Any:
    """An OTLP/JSON AnyValue as Python (intValue is a string in OTLP/JSON)."""
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        return float(v["doubleValue"])
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "arrayValue" in v:
        return [_any_value(x) for x in v["arrayValue"].get("values", [])]
    return None


def otlp_json_spans(body: bytes) -> list[dict[str, Any]]:
    """Each span of an OTLP/JSON request as {name, duration_ms, status, <attribute>...}."""
    out = []
    for rs in json.loads(body).get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                rec = {a["key"]: _any_value(a.get("value", {})) for a in span.get("attributes", [])}
                start, end = int(span.get("startTimeUnixNano", 0)), int(span.get("endTimeUnixNano", 0))
                rec.update(
                    name=span.get("name"),
                    duration_ms=(end - start) / 1e6,
                    status=span.get("status", {}).get("code", 0),
                )
                out.append(rec)
    return out


def hec_events(body: bytes) -> list[dict[str, Any]]:
    """HEC's body: JSON objects one after another (not an array)."""
    text, decoder, pos = body.decode("utf-8"), json.JSONDecoder(), 0
    out: list[dict[str, Any]] = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        obj, pos = decoder.raw_decode(text, pos)
        if not isinstance(obj, dict) or "event" not in obj:
            raise ValueError("HEC: every object needs an event")
        out.append(obj)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the exporters' libcurl expects
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.startswith("/services/collector/health"):
            self._answer(200, b'{"text":"HEC is healthy","code":17}')
        elif self.path == "/1/auth":
            self._answer(200, b'{"team":{"name":"demo","slug":"demo"},"environment":{"name":"","slug":""}}')
        else:
            self._answer(404, b'{"error":"not found"}')

    def do_POST(self) -> None:
        cpu = time.thread_time()
        status, body, ctype = self._post()
        self.server.add_cpu(time.thread_time() - cpu)  # before answering: flush() then sees it
        self._answer(status, body, ctype)

    def _post(self) -> tuple[int, bytes, str]:
        """Read, decode and record one request; the answer (status, body, type)."""
        length = self.headers.get("Content-Length") or "0"
        n = int(length) if length.isdigit() else -1
        if n < 0 or n > MAX_BODY:
            self.close_connection = True
            return 413 if n > 0 else 411, b'{"error":"Content-Length"}', "application/json"
        raw = self.rfile.read(n)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        decode = self.server.decode
        req = Request("", self.path, ctype, len(raw), 0)
        answer_type = "application/json"
        try:
            encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
            if encoding not in ("gzip", "identity"):
                return (
                    415,
                    json.dumps({"error": f"Content-Encoding {encoding}: gzip only"}).encode(),
                    "application/json",
                )
            body = gzip.decompress(raw) if encoding == "gzip" else raw
            if self.path.startswith("/v1/traces"):
                req.protocol = "otlp"
                if ctype != "application/json":
                    req.items = otlp_protobuf_span_count(body)
                    answer, answer_type = b"", "application/x-protobuf"
                elif decode:
                    req.records = otlp_json_spans(body)
                    req.items, answer = len(req.records), b"{}"
                else:  # genops's OTLP/JSON has one "spanId" member per span (no links)
                    req.items, answer = body.count(b'"spanId":'), b"{}"
            elif self.path.startswith("/services/collector"):
                req.protocol = "hec"
                events = hec_events(body)
                req.items, req.records, answer = len(events), events if decode else [], HEC_OK
            elif self.path.startswith("/1/batch/"):
                req.protocol = "honeycomb"
                if decode:
                    batch = json.loads(body) if ctype == "application/json" else msgpack.unpackb(body)
                    if not isinstance(batch, list):
                        raise ValueError("Honeycomb: the batch is not an array")
                    req.items, req.records = len(batch), batch
                else:
                    req.items = msgpack.array_length(body)
                answer = json.dumps([{"status": 202}] * req.items).encode()
            else:
                return 404, b'{"error":"not found"}', "application/json"
        except (ValueError, OSError, EOFError) as e:  # gzip: OSError, EOFError
            return 400, json.dumps({"error": str(e)}).encode(), "application/json"
        except (TypeError, AttributeError, KeyError) as e:  # JSON of another shape
            return 400, json.dumps({"error": f"malformed body: {e!r}"}).encode(), "application/json"
        self.server.add(req)
        return 200, answer, answer_type


class Arrivals:
    """What arrived at a receiver (its handlers add to it from their threads) and
    the CPU time they spent (this Receiver's, grpc_receiver's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self.cpu_seconds = 0.0

    def add(self, req: Request) -> None:
        with self._lock:
            self._requests.append(req)

    def add_cpu(self, seconds: float) -> None:
        with self._lock:
            self.cpu_seconds += seconds

    def requests(self, protocol: Optional[str] = None) -> list[Request]:
        with self._lock:
            return [r for r in self._requests if protocol is None or r.protocol == protocol]

    def reset(self) -> None:
        with self._lock:
            self._requests = []
            self.cpu_seconds = 0.0


class Receiver(ThreadingHTTPServer, Arrivals):
    """with Receiver() as r: ... r.base is the URL; r.requests() what arrived."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, decode: bool = True) -> None:
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), _Handler)
        Arrivals.__init__(self)
        self.decode = decode
        self._thread: Optional[threading.Thread] = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> Receiver:
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(5)
