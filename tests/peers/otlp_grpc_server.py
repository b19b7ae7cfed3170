"""A real OTLP/gRPC receiver for the tests: the official grpcio runtime serving the
OpenTelemetry protobuf package's TraceService (opentelemetry-proto) on 127.0.0.1 at an
ephemeral port, cleartext (h2c) or TLS, recording every Export call and answering it by
scripted rules (tests/peers/peer.py's Script).

A rule is a dict:
  {"code": "UNAVAILABLE", "message": "...", "retry_delay_ms": 200}  fail with that code;
        retry_delay_ms adds a google.rpc.RetryInfo in grpc-status-details-bin
  {"partial": {"rejected": 2, "message": "..."}}  OK with partial_success
  {"sleep_ms": 300}  answer only after that long (with the rule's code, OK by default)
and answers `times` calls (default 1); the default rule answers OK.

Run alone (`python3 tests/peers/otlp_grpc_server.py --mode UNAVAILABLE`) it prints its
port, for the fault matrix and the benchmarks.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from otlp_server import decode_protobuf  # noqa: E402
from peer import Script  # noqa: E402


def _status_details(code: int, message: str, retry_delay_ms: int) -> bytes:
    """A google.rpc.Status carrying a RetryInfo, as grpc-status-details-bin wants it."""
    info = error_details_pb2.RetryInfo(
        retry_delay=duration_pb2.Duration(
            seconds=retry_delay_ms // 1000, nanos=(retry_delay_ms % 1000) * 1_000_000
        )
    )
    st = status_pb2.Status(code=code, message=message)
    st.details.add().Pack(info)
    return st.SerializeToString()


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, script: Script) -> None:
        self.script = script

    def Export(self, request, context):  # noqa: N802 - the generated servicer's name
        rule = self.script.next_rule()
        spans, resource = decode_protobuf(request.SerializeToString())
        metadata = {k: v for k, v in context.invocation_metadata() if not k.endswith("-bin")}
        code_name = rule.get("code", "OK")
        record = {
            "spans": spans,
            "resource": resource,
            "metadata": metadata,
            "answer": code_name,
            "bytes": request.ByteSize(),
            "peer": context.peer(),  # the client's address and port: one per connection
            "time_remaining": context.time_remaining(),  # from grpc-timeout; None without
        }
        self.script.add(record)
        if rule.get("sleep_ms"):
            time.sleep(rule["sleep_ms"] / 1000)
        if code_name != "OK":
            code = getattr(grpc.StatusCode, code_name)
            message = rule.get("message", f"scripted {code_name}")
            if "retry_delay_ms" in rule:
                details = _status_details(getattr(code_pb2, code_name), message, int(rule["retry_delay_ms"]))
                context.set_trailing_metadata((("grpc-status-details-bin", details),))
            context.abort(code, message)
        reply = trace_service_pb2.ExportTraceServiceResponse()
        if "partial" in rule:
            reply.partial_success.rejected_spans = rule["partial"].get("rejected", 0)
            reply.partial_success.error_message = rule["partial"].get("message", "")
        return reply


EXPORT_METHOD = "Export"
SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"


def _count_only(script: Script) -> grpc.GenericRpcHandler:
    """TraceService/Export that takes the request's bytes as they are (no parsing) and
    answers an empty ExportTraceServiceResponse: the benchmarks' server, as
    otlp_server.py --no-decode is OTLP/HTTP's."""
    empty = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()

    def export(request: bytes, context) -> bytes:
        script.add({"bytes": len(request)})
        return empty

    handler = grpc.unary_unary_rpc_method_handler(export)  # bytes in, bytes out
    return grpc.method_handlers_generic_handler(SERVICE, {EXPORT_METHOD: handler})


class OtlpGrpcServer:
    """`with OtlpGrpcServer() as s: s.url ...`; tls=(key_pem, cert_pem) serves TLS;
    decode=False only counts the requests' bytes and answers OK (benchmarks)."""

    def __init__(self, tls: tuple[bytes, bytes] | None = None, decode: bool = True) -> None:
        self._script = Script()
        self._script.default = {"code": "OK"}
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        if decode:
            service = _TraceService(self._script)
            trace_service_pb2_grpc.add_TraceServiceServicer_to_server(service, self._server)
        else:
            self._server.add_generic_rpc_handlers((_count_only(self._script),))
        if tls is None:
            self.port = self._server.add_insecure_port("127.0.0.1:0")
        else:
            creds = grpc.ssl_server_credentials([tls])
            self.port = self._server.add_secure_port("127.0.0.1:0", creds)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> OtlpGrpcServer:
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop(grace=None)

    def script(self, rules: list[dict], default: dict | None = None) -> None:
        self._script.script(rules, default)

    def received(self) -> list[dict]:
        return self._script.received()


MODES = {
    "OK": {"code": "OK"},
    "partial": {"partial": {"rejected": 1, "message": "one span was too old"}},
    "UNAVAILABLE": {"code": "UNAVAILABLE", "message": "collector restarting"},
    "RESOURCE_EXHAUSTED": {"code": "RESOURCE_EXHAUSTED", "message": "queue full"},
    "INVALID_ARGUMENT": {"code": "INVALID_ARGUMENT", "message": "cannot parse the request"},
    "slow": {"sleep_ms": 2000},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="OK")
    parser.add_argument("--no-decode", action="store_true", help="do not decode requests")
    parser.add_argument("--seconds", type=float, default=600, help="exit after this long")
    args = parser.parse_args()
    with OtlpGrpcServer(decode=not args.no_decode) as server:
        server.script([], MODES[args.mode])
        print(server.port, flush=True)
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
