"""A minimal OTLP/HTTP receiver for the Python benchmark: 127.0.0.1 only, answers every
POST /v1/traces with 200 at once and keeps the bodies; it decodes them (to count spans)
only when asked, after a run, so that its CPU stays out of the measured window.

    python3 otlp_sink.py --port-file F [--port P]  # prints nothing; writes its port to F
    GET  /count   -> {"spans": n, "requests": m}   (decodes what arrived since /reset)
    POST /reset   -> forget everything
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

_lock = threading.Lock()
_bodies: list[bytes] = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a collector

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/reset":
            with _lock:
                _bodies.clear()
            self._reply(200, b"{}", "application/json")
            return
        with _lock:
            _bodies.append(body)
        self._reply(200, b"", "application/x-protobuf")

    def do_GET(self) -> None:
        with _lock:
            bodies = list(_bodies)
        spans = 0
        for body in bodies:
            req = trace_service_pb2.ExportTraceServiceRequest()
            req.ParseFromString(body)
            spans += sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)
        doc = json.dumps({"spans": spans, "requests": len(bodies)}).encode()
        self._reply(200, doc, "application/json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0, help="the port to take (default: any free one)")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
