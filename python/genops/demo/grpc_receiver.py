"""An embedded OTLP/gRPC receiver for `genops bench`: the grpcio runtime serving
opentelemetry.proto.collector.trace.v1.TraceService/Export on 127.0.0.1 (an
ephemeral port, cleartext h2c), counting what arrived as genops.demo.receiver's
Receiver does with decode=False, and with the same interface (base, its Arrivals:
requests(), reset(), cpu_seconds).

grpcio is optional (never a dependency of genops): GrpcReceiver imports it, so
make one only after available() says it is installed. The method takes the request as bytes (no
protobuf package is needed): its spans are counted by walking the message's
fields (receiver.otlp_protobuf_span_count) and the answer is an empty
ExportTraceServiceResponse (zero bytes). wire_bytes is the ExportTraceServiceRequest
message's size as grpcio hands it over: after grpcio has undone grpc-encoding gzip,
without the 5-byte gRPC message prefix and the HTTP/2 frames and headers. So with
gzip it is the uncompressed size (grpcio does not expose the compressed one):
`genops bench` shows no bytes per span for otlp-grpc+gzip. cpu_seconds sums the
handler's thread CPU time; grpcio's own I/O threads (HTTP/2, decompression) are not
in it, as the HTTP server's accept loop is not in Receiver's.
"""

from __future__ import annotations

import importlib.util
import time
from concurrent import futures
from typing import Any

from .receiver import Arrivals, Request, otlp_protobuf_span_count

PACKAGE = "grpcio"  # what to pip install for the module grpc
SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"  # opentelemetry-proto's trace_service.proto
WORKERS = 4  # handler threads


def available() -> bool:
    """Whether grpcio can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("grpc") is not None
    except ValueError:  # sys.modules["grpc"] is None: import disabled
        return False


class GrpcReceiver(Arrivals):
    """with GrpcReceiver() as r: ... r.base is the endpoint; r.requests() what arrived."""

    def __init__(self) -> None:
        import grpc  # type: ignore[import-untyped]

        super().__init__()
        self._invalid = grpc.StatusCode.INVALID_ARGUMENT  # a request that is not OTLP
        handler = grpc.unary_unary_rpc_method_handler(self._export)  # bytes in, bytes out
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
        service = grpc.method_handlers_generic_handler(SERVICE, {"Export": handler})
        self._server.add_generic_rpc_handlers((service,))
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _export(self, request: bytes, context: Any) -> bytes:
        cpu = time.thread_time()
        req = Request("otlp-grpc", SERVICE + "/Export", "application/grpc", len(request), 0)
        try:
            req.items = otlp_protobuf_span_count(request)
        except ValueError as e:
            context.abort(self._invalid, str(e))
        self.add(req)
        self.add_cpu(time.thread_time() - cpu)  # before answering: flush() then sees it
        return b""

    def __enter__(self) -> GrpcReceiver:
        self._server.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.stop(grace=None).wait(5)
