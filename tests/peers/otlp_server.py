"""A local OTLP/HTTP receiver for tests, with fault injection.

It listens on 127.0.0.1 only, on an ephemeral port, records every request it receives
(decoding OTLP protobuf with the official opentelemetry-proto classes and OTLP/JSON
with json) and answers each one by a rule:

    status       HTTP status (default 200)
    partial      {"rejected": n, "message": "..."}: a 2xx with partial_success
    retry_after  a Retry-After header value, sent as is ("2", or an HTTP-date)
    retry_after_in  a Retry-After HTTP-date this many seconds after the answer (whole
                 seconds: 2 means between 1 and 2 s later)
    message      the error text; 4xx/5xx bodies are a google.rpc.Status carrying it
    delay_ms     answer this much later (a slow backend)
    reset        read the request, then reset the connection (RST) without answering
    max_body     answer 413 to any body larger than this many bytes (on the wire)
    trickle_bps  write the whole answer (status line included) this many bytes a second
    body_bytes   a 2xx whose body is this many bytes of filler (not an
                 ExportTraceServiceResponse), written lazily in 64 KiB chunks of one
                 buffer: a 100 MB answer costs the server no 100 MB
    times        how many requests the rule answers before the next one applies

Rules are queued with `script(rules, default=...)` (or POST /control/script with the
same JSON); when the queue is empty the default rule answers. `received()` (or GET
/control/received) returns the records; POST /control/reset forgets records and rules.

Used in-process by tests/python (OtlpServer), or standalone:
    python3 tests/peers/otlp_server.py --port-file /tmp/port --mode 503
--mode sets the default rule: 200, partial, 429, 503, 400, 413, slow, reset; --no-decode
only counts spans' bytes (benchmarks). A "down" backend is a port nobody listens on:
free_port() finds one.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import json
import time
from http.server import BaseHTTPRequestHandler

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from peer import Background, LoopbackServer, free_port, reset_connection  # noqa: F401 - free_port is part of this module's API

TRACES_PATH = "/v1/traces"


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def status_message(code: int, message: str) -> bytes:
    """A google.rpc.Status {code = 1; message = 2} in protobuf (no googleapis package here)."""
    text = message.encode()
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(text)) + text


def _decode_json(body: bytes) -> tuple[list[dict], dict]:
    doc = json.loads(body)
    spans, resource = [], {}
    for rs in doc.get("resourceSpans", []):
        for attr in rs.get("resource", {}).get("attributes", []):
            resource[attr["key"]] = next(iter(attr["value"].values()), None)
        for ss in rs.get("scopeSpans", []):
            for s in ss.get("spans", []):
                values = {a["key"]: next(iter(a["value"].values()), None) for a in s.get("attributes", [])}
                spans.append(
                    {
                        "name": s.get("name"),
                        "span_id": s.get("spanId"),
                        "trace_id": s.get("traceId"),
                        "attributes": len(s.get("attributes", [])),
                        "values": values,
                    }
                )
    return spans, resource


def any_value(v) -> object:
    """An OTLP AnyValue (the official class) as Python: arrays as tuples, unset as None."""
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return tuple(any_value(x) for x in v.array_value.values)
    return getattr(v, kind) if kind else None


def decode_protobuf(body: bytes) -> tuple[list[dict], dict]:
    req = trace_service_pb2.ExportTraceServiceRequest()
    req.ParseFromString(body)
    spans, resource = [], {}
    for rs in req.resource_spans:
        for attr in rs.resource.attributes:
            resource[attr.key] = getattr(attr.value, attr.value.WhichOneof("value") or "string_value")
        for ss in rs.scope_spans:
            for s in ss.spans:
                values = {
                    a.key: getattr(a.value, a.value.WhichOneof("value") or "string_value")
                    for a in s.attributes
                }
                spans.append(
                    {
                        "name": s.name,
                        "span_id": s.span_id.hex(),
                        "trace_id": s.trace_id.hex(),
                        "attributes": len(s.attributes),
                        "values": values,
                        "status": s.status.code,
                        "status_message": s.status.message,
                        "events": [e.name for e in s.events],
                    }
                )
    return spans, resource


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as collectors do
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle holds the body
    # until the client's delayed ACK (40 ms) and every request looks slow.
    disable_nagle_algorithm = True
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1
            self.connection_id = self.server.connections

    def log_message(self, format: str, *args) -> None:  # quiet: tests read records instead
        pass

    def _reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: dict | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/control/received":
            self._reply(200, json.dumps(self.server.received()).encode())
        else:
            self._reply(404, b"{}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path.startswith("/control/"):
            self._control(raw)
            return
        rule = self.server.next_rule()
        record = self._record(raw)
        if rule.get("reset"):
            reset_connection(self, self.server, record)
            return
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000)
        status = rule.get("status", 200)
        if rule.get("max_body") is not None and len(raw) > rule["max_body"]:
            status = 413
        record["answer"] = status
        self.server.add(record)
        self._answer(status, rule, record["content_type"] == "application/json")

    def _record(self, raw: bytes) -> dict:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        encoding = self.headers.get("Content-Encoding")
        record = {
            "path": self.path,
            "time": time.monotonic(),
            "connection": self.connection_id,
            "content_type": ctype,
            "content_encoding": encoding,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "wire_bytes": len(raw),
            "spans": [],
            "resource": {},
            "error": None,
        }
        body = raw
        try:
            if encoding == "gzip":
                body = gzip.decompress(raw)
            record["body_bytes"] = len(body)
            if not self.server.decode:
                return record
            record["body"] = body  # for a test that decodes more than the summary below
            if ctype == "application/json":
                record["spans"], record["resource"] = _decode_json(body)
            else:
                record["spans"], record["resource"] = decode_protobuf(body)
        except Exception as exc:  # a test asserts that no record has an error
            record["error"] = f"{type(exc).__name__}: {exc}"
        return record

    def _answer(self, status: int, rule: dict, as_json: bool) -> None:
        headers = {}
        if rule.get("location") is not None:  # a redirect's target
            headers["Location"] = rule["location"]
        if rule.get("retry_after") is not None:
            headers["Retry-After"] = str(rule["retry_after"])
        elif rule.get("retry_after_in") is not None:  # an HTTP-date that many seconds from now
            headers["Retry-After"] = email.utils.formatdate(time.time() + rule["retry_after_in"], usegmt=True)
        ctype = "application/json" if as_json else "application/x-protobuf"
        if 200 <= status < 300 and rule.get("body_bytes"):
            self._reply_filler(status, rule["body_bytes"], ctype, headers)
            return
        if 200 <= status < 300:
            partial = rule.get("partial")
            if as_json:
                body = (
                    {}
                    if not partial
                    else {
                        "partialSuccess": {
                            "rejectedSpans": str(partial["rejected"]),
                            "errorMessage": partial["message"],
                        }
                    }
                )
                payload = json.dumps(body).encode()
            else:
                resp = trace_service_pb2.ExportTraceServiceResponse()
                if partial:
                    resp.partial_success.rejected_spans = partial["rejected"]
                    resp.partial_success.error_message = partial["message"]
                payload = resp.SerializeToString()
        else:
            message = rule.get("message", f"status {status} from the test server")
            payload = (
                json.dumps({"code": 3, "message": message}).encode()
                if as_json
                else status_message(3, message)
            )
        if rule.get("trickle_bps"):
            self._reply_trickle(status, payload, ctype, headers, rule["trickle_bps"])
            return
        self._reply(status, payload, ctype, headers)

    def _reply_trickle(
        self, status: int, payload: bytes, content_type: str, headers: dict, bps: float
    ) -> None:
        """The answer, status line and all, a byte at a time at bps bytes a second; stops
        when the client hangs up (its deadline), so the thread ends with the client."""
        head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", f"Content-Type: {content_type}"]
        head += [f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        self.close_connection = True
        try:
            for i in range(len(raw)):
                self.wfile.write(raw[i : i + 1])
                self.wfile.flush()
                time.sleep(1 / bps)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _reply_filler(self, status: int, size: int, content_type: str, headers: dict) -> None:
        """Answer status with size bytes of filler, one 64 KiB chunk at a time; stops
        quietly when the client hangs up (it may cap what it reads)."""
        chunk = b"x" * 65536
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(size))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        try:
            while size > 0:
                n = min(size, len(chunk))
                self.wfile.write(chunk[:n] if n < len(chunk) else chunk)
                size -= n
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _control(self, raw: bytes) -> None:
        if self.path == "/control/script":
            doc = json.loads(raw or b"{}")
            self.server.script(doc.get("rules", []), doc.get("default"))
        elif self.path == "/control/reset":
            self.server.reset()
        else:
            self._reply(404, b"{}")
            return
        self._reply(200, b"{}")


class _Server(LoopbackServer):
    def __init__(self, decode: bool) -> None:
        super().__init__(_Handler)
        self.decode = decode


class OtlpServer(Background):
    """The server in a background thread: `with OtlpServer() as s: s.url ...`."""

    def __init__(self, decode: bool = True, tls: "ssl.SSLContext | None" = None) -> None:  # noqa: F821
        self._server = _Server(decode)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        scheme = "https" if tls is not None else "http"
        self.base = f"{scheme}://127.0.0.1:{self.port}"
        self.url = self.base + TRACES_PATH
        super().__init__(self._server)

    def script(self, rules: list[dict], default: dict | None = None) -> None:
        self._server.script(rules, default)

    def received(self) -> list[dict]:
        return self._server.received()

    def reset(self) -> None:
        self._server.reset()

    @property
    def connections(self) -> int:
        return self._server.connections


MODES = {
    "200": {"status": 200},
    "partial": {"status": 200, "partial": {"rejected": 1, "message": "one span was too old"}},
    "429": {"status": 429, "retry_after": "1"},
    "503": {"status": 503},
    "400": {"status": 400, "message": "cannot parse the request"},
    "413": {"status": 200, "max_body": 65536},
    "slow": {"status": 200, "delay_ms": 2000},
    "reset": {"reset": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--mode", choices=sorted(MODES), default="200")
    parser.add_argument("--no-decode", action="store_true", help="do not decode bodies")
    parser.add_argument("--seconds", type=float, default=600, help="exit after this long")
    args = parser.parse_args()
    with OtlpServer(decode=not args.no_decode) as server:
        server.script([], MODES[args.mode])
        print(server.port, flush=True)
        if args.port_file:
            with open(args.port_file, "w") as f:
                f.write(str(server.port))
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
