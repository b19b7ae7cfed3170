"""A local Honeycomb API for tests, as strict as the real one where our code meets it.

Listens on 127.0.0.1 only (an ephemeral port) and records every request. Every path
needs a known key in X-Honeycomb-Team (401 {"error": "unknown API key - check your
credentials"} otherwise, as Honeycomb answers). Keys are Classic (no environment; the
dataset comes from the request) or belong to an environment (OTLP data is routed by
service.name), each with its api_key_access.

    GET  /1/auth                 the key's team, environment and api_key_access
    POST /v1/traces              OTLP/HTTP protobuf, decoded with the official
                                 opentelemetry-proto classes; a Classic key must send
                                 x-honeycomb-dataset
    POST /1/batch/<dataset>      an array of {"time", "samplerate", "data"} events in
                                 msgpack (decoded with PyPI's msgpack) or JSON, gzip
                                 or zstd (PyPI zstandard; libhoney-go sends zstd)
                                 allowed; answers one {"status": ...} per event, 202 or
                                 400 with an "error" (bad event, event too large, or one
                                 the rule rejects), 400 for a body that is not an array,
                                 413 past the batch limit
    POST /1/markers/<dataset>    JSON {message, type, url, start_time, end_time}; 201
                                 with the marker and its id; 404 for an unknown dataset;
                                 "__all__" only with an environment key

Bodies: Content-Encoding gzip anywhere, zstd on /1/batch only (OTLP/HTTP defines gzip
alone) or none (identity); any other encoding, or a body that does not decode, is a 400
with {"error": ...}, as a strict server answers what it cannot read.

Rules (script(rules, default=...), see peer.py) apply to the data and marker paths:
    status       answer this status instead (e.g. 429 or 503) with {"error": message}
    retry_after  a Retry-After header value, with status
    delay_ms     answer this much later (a slow backend)
    reject       {index: message}: /1/batch answers 400 with message for those events
    again        [index, ...]: /1/batch answers 429 for those events (try them later)
    reset        close the connection without an answer
"""

from __future__ import annotations

import gzip
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote

import msgpack
import zstandard
from otlp_server import decode_protobuf
from peer import Background, LoopbackServer, reset_connection

# Honeycomb's documented limits (docs.honeycomb.io, "Events API"): 5 MB per batch
# request body (uncompressed), 1 MB per event; the test can lower them.
MAX_BATCH_BYTES = 5_000_000
MAX_EVENT_BYTES = 1_000_000

CLASSIC_KEY = "0123456789abcdef0123456789abcdef"
ENVIRONMENT_KEY = "hcxik_0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl"
EVENTS_ONLY_KEY = "AbCdEfGhIjKlMnOpQrStUv"

UNKNOWN_KEY = "unknown API key - check your credentials"


def default_keys() -> dict[str, dict]:
    team = {"name": "GenOps Test Team", "slug": "genops-test"}
    all_access = {"events": True, "markers": True, "triggers": True, "boards": True, "queries": True}
    return {
        CLASSIC_KEY: {
            "type": "configuration",
            "team": team,
            "environment": {"name": "", "slug": ""},
            "api_key_access": all_access,
        },
        ENVIRONMENT_KEY: {
            "type": "ingest",
            "team": team,
            "environment": {"name": "Production", "slug": "production"},
            "api_key_access": all_access,
        },
        EVENTS_ONLY_KEY: {
            "type": "configuration",
            "team": team,
            "environment": {"name": "Dev", "slug": "dev"},
            "api_key_access": {"events": True, "markers": False},
        },
    }


def decode_body(raw: bytes, encoding: str, batch: bool) -> bytes:
    """raw as Content-Encoding encoding says; ValueError (a 400) for an encoding this path
    does not take or a body that does not decode."""
    if encoding == "identity":
        return raw
    if encoding == "gzip":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ValueError(f"cannot gunzip the body: {e}") from None
    if encoding == "zstd" and batch:
        try:  # a frame without its content size is allowed too, capped
            return zstandard.ZstdDecompressor().decompress(raw, max_output_size=64 << 20)
        except zstandard.ZstdError as e:
            raise ValueError(f"cannot decode the zstd body: {e}") from None
    raise ValueError(f"unsupported Content-Encoding {encoding!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: "_Server"

    def log_message(self, format: str, *args) -> None:
        pass

    def _reply(self, status: int, doc, headers: dict | None = None) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _key(self, record: dict) -> dict | None:
        key = self.server.keys.get(self.headers.get("X-Honeycomb-Team", ""))
        record["key_ok"] = key is not None
        if key is None:
            record["answer"] = 401
            self.server.add(record)
            self._reply(401, {"error": UNKNOWN_KEY})
        return key

    def _record(self, raw: bytes = b"") -> dict:
        return {
            "method": self.command,
            "path": self.path,
            "time": time.monotonic(),
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "wire_bytes": len(raw),
            "error": None,
        }

    def do_GET(self) -> None:
        record = self._record()
        if self.path != "/1/auth":
            record["answer"] = 404
            self.server.add(record)
            self._reply(404, {"error": "not found"})
            return
        key = self._key(record)
        if key is None:
            return
        record["answer"] = 200
        self.server.add(record)
        self._reply(200, {"id": "k1", **key})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = self._record(raw)
        key = self._key(record)
        if key is None:
            return
        rule = self.server.next_rule()
        if rule.get("reset"):
            reset_connection(self, self.server, record)
            return
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000)
        if rule.get("status", 200) >= 300:
            headers = (
                {"Retry-After": str(rule["retry_after"])} if rule.get("retry_after") is not None else None
            )
            record["answer"] = rule["status"]
            self.server.add(record)
            self._reply(rule["status"], {"error": rule.get("message", "scripted failure")}, headers)
            return
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        record["encoding"] = encoding
        try:
            body = decode_body(raw, encoding, self.path.startswith("/1/batch/"))
        except ValueError as e:
            self._refuse(record, 400, str(e))
            return
        record["body_bytes"] = len(body)
        if self.path == "/v1/traces":
            self._traces(record, key, body)
        elif self.path.startswith("/1/batch/"):
            self._batch(record, key, body, rule)
        elif self.path.startswith("/1/markers/"):
            self._marker(record, key, body)
        else:
            self._refuse(record, 404, "not found")

    def _refuse(self, record: dict, status: int, message: str) -> None:
        record["answer"] = status
        record["error"] = message
        self.server.add(record)
        self._reply(status, {"error": message})

    def _dataset(self, prefix: str) -> str:
        return unquote(self.path[len(prefix) :].split("?")[0])

    def _traces(self, record: dict, key: dict, body: bytes) -> None:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if ctype not in ("application/x-protobuf", "application/protobuf"):
            self._refuse(record, 415, f"unsupported content type {ctype!r}")
            return
        classic = not key["environment"]["slug"]
        dataset = self.headers.get("X-Honeycomb-Dataset")
        if classic and not dataset:
            self._refuse(record, 400, "missing x-honeycomb-dataset header: a Classic key needs one")
            return
        try:
            record["spans"], record["resource"] = decode_protobuf(body)
        except Exception as e:  # noqa: BLE001 - a malformed body is the client's error
            self._refuse(record, 400, f"cannot decode the OTLP request: {e}")
            return
        record["dataset"] = dataset if classic else record["resource"].get("service.name", "unknown_service")
        record["answer"] = 200
        self.server.add(record)
        self._reply(200, {})

    def _batch(self, record: dict, key: dict, body: bytes, rule: dict) -> None:
        record["dataset"] = self._dataset("/1/batch/")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if len(body) > self.server.max_batch_bytes:
            self._refuse(record, 413, "request body is too large")
            return
        try:
            if ctype == "application/msgpack" or ctype == "application/x-msgpack":
                events = msgpack.unpackb(body, raw=False, strict_map_key=True)
            elif ctype == "application/json":
                events = json.loads(body)
            else:
                self._refuse(record, 400, f"unsupported content type {ctype!r}")
                return
        except Exception as e:  # noqa: BLE001
            self._refuse(record, 400, f"request body could not be parsed: {e}")
            return
        if not isinstance(events, list):
            self._refuse(record, 400, "request body should be an array of events")
            return
        statuses, accepted = [], []
        reject = {int(k): v for k, v in (rule.get("reject") or {}).items()}
        again = set(rule.get("again") or [])
        for i, ev in enumerate(events):
            problem = self._event_problem(ev, ctype)
            if problem is None and i in reject:
                problem = reject[i]
            if problem is None and i in again:
                statuses.append({"status": 429, "error": "event rate limited"})
            elif problem:
                statuses.append({"status": 400, "error": problem})
            else:
                statuses.append({"status": 202})
                accepted.append(ev)
        record["sent"] = events
        record["events"] = accepted
        record["statuses"] = statuses
        record["answer"] = 200
        self.server.add(record)
        self._reply(200, statuses)

    def _event_problem(self, ev, ctype: str) -> str | None:
        if not isinstance(ev, dict) or not isinstance(ev.get("data"), dict):
            return "event has no data object"
        if set(ev) - {"time", "samplerate", "data"}:
            return f"unknown event members {sorted(set(ev) - {'time', 'samplerate', 'data'})}"
        if "time" in ev and not isinstance(ev["time"], str):
            return "time must be an RFC 3339 string"
        if "samplerate" in ev and (not isinstance(ev["samplerate"], int) or ev["samplerate"] < 1):
            return "samplerate must be a positive integer"
        size = len(msgpack.packb(ev["data"])) if ctype != "application/json" else len(json.dumps(ev["data"]))
        if size > self.server.max_event_bytes:
            return "event exceeds max event size"
        return None

    def _marker(self, record: dict, key: dict, body: bytes) -> None:
        dataset = self._dataset("/1/markers/")
        record["dataset"] = dataset
        if not key["api_key_access"].get("markers"):
            self._refuse(record, 401, "API key does not have access to markers")
            return
        if dataset == "__all__" and not key["environment"]["slug"]:
            self._refuse(record, 400, "environment-wide markers need an environment key")
            return
        if dataset != "__all__" and dataset.lower() not in self.server.datasets:
            self._refuse(record, 404, "Dataset not found")
            return
        try:
            doc = json.loads(body)
        except ValueError as e:
            self._refuse(record, 400, f"invalid JSON: {e}")
            return
        types = {"message": str, "type": str, "url": str, "start_time": int, "end_time": int}
        if not isinstance(doc, dict) or any(
            k not in types or not isinstance(v, types[k]) for k, v in doc.items()
        ):
            self._refuse(record, 400, "invalid marker")
            return
        with self.server.lock:
            self.server.marker_seq += 1
            marker_id = f"mk{self.server.marker_seq:04d}"
        marker = {"id": marker_id, "start_time": int(time.time()), "color": "", **doc}
        record["marker"] = marker
        record["answer"] = 201
        self.server.add(record)
        self._reply(201, marker)


class _Server(LoopbackServer):
    def __init__(self, keys: dict[str, dict], datasets: set[str]) -> None:
        super().__init__(_Handler)
        self.keys = keys
        self.datasets = {d.lower() for d in datasets}
        self.max_batch_bytes = MAX_BATCH_BYTES
        self.max_event_bytes = MAX_EVENT_BYTES
        self.marker_seq = 0


class HoneycombServer(Background):
    """`with HoneycombServer() as hc: ... HONEYCOMB_API_ENDPOINT=hc.url`."""

    def __init__(self, keys: dict[str, dict] | None = None, datasets: set[str] | None = None) -> None:
        self._server = _Server(keys or default_keys(), datasets or {"genops-ai"})
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        super().__init__(self._server)

    def limits(self, batch_bytes: int | None = None, event_bytes: int | None = None) -> None:
        """Lower the batch or event size limit (tests of the limits)."""
        if batch_bytes is not None:
            self._server.max_batch_bytes = batch_bytes
        if event_bytes is not None:
            self._server.max_event_bytes = event_bytes

    def __getattr__(self, name):  # script, received, reset
        return getattr(self._server, name)
