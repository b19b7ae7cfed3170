"""A local Splunk HTTP Event Collector for tests, as strict as Splunk, with fault injection.

It listens on 127.0.0.1 only, on an ephemeral port, and serves HEC's endpoints:

    POST /services/collector[/event[/1.0]]   concatenated JSON event objects
    POST /services/collector/raw[/1.0]       lines; metadata from the query string
    POST /services/collector/ack             {"acks": [ids]} -> {"acks": {"id": bool}}
    GET  /services/collector/health[/1.0]    {"text": "HEC is healthy", "code": 17}

Strict as Splunk (its documented answers, "Troubleshoot HTTP Event Collector"):
  - "Authorization: Splunk <token>" is required (401 code 2), well-formed (401 code 3)
    and known (403 code 4); a disabled token answers 403 code 1.
  - A token with indexer acknowledgement needs a channel (X-Splunk-Request-Channel or
    ?channel=), 400 code 10, that is a GUID, 400 code 11; /ack on a token without it
    answers 400 code 14. Ack ids count from 0 per channel; an id reported true is then
    forgotten, as Splunk does.
  - Bodies larger than max_content_length (on the wire) answer 413; gzip is the only
    Content-Encoding (anything else: 415).
  - The event body must be JSON objects one after another (no array). Object i that is
    not JSON, has an envelope key HEC does not know (Splunk would drop the rest of the
    request silently: stricter here), a malformed time, or a non-string host / source /
    sourcetype / index answers 400 code 6; no "event" is code 12; a blank event ("" or
    spaces) code 13; "fields" that are not strings or arrays of strings code 15; an
    index outside allowed_indexes code 7. Each names invalid-event-number i, and the
    objects before i are indexed, as on Splunk.
  - Raw lines must each be a JSON object here (genops sends JSON lines).

Fault injection: rules queued with script(rules, default=...) (or POST /control/script)
answer requests in order; when the queue is empty the default rule answers. A rule:

    path         "event" (event and raw), "ack" or "health": the requests it applies to
                 (default "event"); requests of other kinds pass it by
    code         answer this HEC code with Splunk's status and text (e.g. 9: 503 busy)
    status/text  answer exactly this status and text instead
    invalid_event  with code 6/12/13/15: name this object; the ones before it are indexed
    retry_after  a Retry-After header value
    delay_ms     answer this much later (a slow server)
    silent       read the request and never answer (until the client gives up, at most
                 30 s)
    reset        read the request, then reset the connection without answering
    ack_never    accept, but never acknowledge this request's ackId
    times        how many requests the rule answers (default 1)

received() returns a record per request; events() every event indexed, in order.
configure(parse=False) only reads bodies and accepts them (benchmarks).
Standalone: python3 tests/peers/hec_server.py --port-file F [--token T] [--ack]
[--mode 200|503|413|slow|silent|reset|unhealthy] prints the port on stdout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Splunk's code table: code -> (HTTP status, text).
CODES = {
    0: (200, "Success"),
    1: (403, "Token disabled"),
    2: (401, "Token is required"),
    3: (401, "Invalid authorization"),
    4: (403, "Invalid token"),
    5: (400, "No data"),
    6: (400, "Invalid data format"),
    7: (400, "Incorrect index"),
    8: (500, "Internal server error"),
    9: (503, "Server is busy"),
    10: (400, "Data channel is missing"),
    11: (400, "Invalid data channel"),
    12: (400, "Event field is required"),
    13: (400, "Event field cannot be blank"),
    14: (400, "ACK is disabled"),
    15: (400, "Error in handling indexed fields"),
    16: (400, "Query string authorization is not enabled"),
    17: (200, "HEC is healthy"),
    18: (503, "HEC is unhealthy, queues are full"),
    19: (503, "HEC is unhealthy, ack service unavailable"),
    20: (503, "HEC is unhealthy, queues are full, ack service unavailable"),
    21: (400, "Invalid token"),
    22: (400, "Token disabled"),
    23: (503, "Server is shutting down"),
    24: (200, "HEC queue is approaching its capacity limit"),
    25: (200, "HEC ACK is approaching its capacity limit"),
    26: (429, "HEC queue is at capacity and cannot process any more requests"),
    27: (429, "HEC ACK channel is at capacity and cannot process any more requests"),
}
ENVELOPE = {"time", "host", "source", "sourcetype", "index", "event", "fields"}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TIME = re.compile(r"^\d+(\.\d+)?$")
COLLECTOR = "/services/collector"


class Refused(Exception):
    """Object `index` of the body is refused with HEC `code`."""

    def __init__(self, code: int, index: int | None = None):
        super().__init__(CODES[code][1])
        self.code, self.index = code, index


def _check_event(obj, i: int, allowed: set | None) -> dict:
    """One envelope object, checked as Splunk would; returns it or raises Refused."""
    if not isinstance(obj, dict) or set(obj) - ENVELOPE:
        raise Refused(6, i)
    if "event" not in obj:
        raise Refused(12, i)
    event = obj["event"]
    if event is None or event is False:
        raise Refused(6, i)
    if isinstance(event, str) and not event.strip():
        raise Refused(13, i)
    if "time" in obj:
        t = obj["time"]
        ok = (isinstance(t, (int, float)) and not isinstance(t, bool) and t >= 0) or (
            isinstance(t, str) and TIME.match(t)
        )
        if not ok:
            raise Refused(6, i)
    for key in ("host", "source", "sourcetype", "index"):
        if key in obj and not isinstance(obj[key], str):
            raise Refused(6, i)
    if allowed is not None and obj.get("index", "main") not in allowed:
        raise Refused(7, i)
    fields = obj.get("fields")
    if fields is not None:
        if not isinstance(fields, dict):
            raise Refused(15, i)
        for v in fields.values():
            if not (isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))):
                raise Refused(15, i)
    return obj


def parse_events(body: bytes, allowed: set | None = None) -> tuple[list[dict], Refused | None]:
    """The objects of an /event body: those accepted, and the refusal that stopped it."""
    text = body.decode("utf-8")  # invalid UTF-8 raises: the caller answers code 6
    decoder = json.JSONDecoder()
    events: list[dict] = []
    pos, i = 0, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            break
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return events, Refused(6, i)
        try:
            events.append(_check_event(obj, i, allowed))
        except Refused as refused:
            return events, refused
        i += 1
    if not events:
        return events, Refused(5)
    return events, None


def parse_raw(body: bytes, meta: dict, allowed: set | None) -> tuple[list[dict], Refused | None]:
    """The lines of a /raw body, each a JSON object here, wrapped like /event envelopes."""
    text = body.decode("utf-8")
    if allowed is not None and meta.get("index", "main") not in allowed:
        return [], Refused(7, 0)
    events = []
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return events, Refused(6, i)
        if not isinstance(obj, dict):
            return events, Refused(6, i)
        events.append({**meta, "event": obj, "raw": True})
    if not events:
        return events, Refused(5)
    return events, None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Splunk does
    disable_nagle_algorithm = True  # headers and body in two writes: no 40 ms stalls
    server: "_Server"

    def log_message(self, format: str, *args) -> None:  # quiet: tests read records instead
        pass

    def _reply(self, status: int, doc: dict | None, headers: dict | None = None) -> None:
        body = json.dumps(doc).encode() if doc is not None else b""
        # Record the answer before it goes out: a client (and the test reading records
        # after it) must never see a request answered whose record says otherwise.
        record, self.record = getattr(self, "record", None), None
        if record is not None and record.get("answer") is None:
            record["answer"] = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _code(self, code: int, extra: dict | None = None, headers: dict | None = None) -> int:
        status, text = CODES[code]
        self._reply(status, {"text": text, "code": code, **(extra or {})}, headers)
        return status

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/control/received":
            self._reply(200, self.server.received())
            return
        if path not in (COLLECTOR + "/health", COLLECTOR + "/health/1.0"):
            self._reply(404, {"text": "The requested URL was not found on this server.", "code": 404})
            return
        record = self.server.new_record("health", self)
        rule = self.server.next_rule("health")
        if self._fault(rule, record):
            return
        if rule.get("code") is not None or rule.get("status"):
            record["answer"] = self._answer_rule(rule)
        elif not self.server.healthy:
            record["answer"] = self._code(18)
        else:
            record["answer"] = self._code(17)

    def _fault(self, rule: dict, record: dict) -> bool:
        """Apply a rule's delay, silence or reset; True when the request is done with."""
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000)
        if rule.get("silent"):
            record["answer"] = "silent"
            deadline = time.monotonic() + 30
            self.connection.settimeout(0.05)
            while time.monotonic() < deadline and not self.server.stopping:
                try:
                    if not self.connection.recv(1):
                        break  # the client gave up and closed
                except socket.timeout:
                    continue
                except OSError:
                    break
            self.close_connection = True
            return True
        if rule.get("reset"):
            record["answer"] = "reset"
            # SO_LINGER 0: close() sends RST instead of FIN, as a crashing server would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return True
        return False

    def _answer_rule(self, rule: dict, extra: dict | None = None) -> int:
        headers = {}
        if rule.get("retry_after") is not None:
            headers["Retry-After"] = str(rule["retry_after"])
        if rule.get("status"):
            self._reply(rule["status"], {"text": rule.get("text", ""), "code": rule.get("code", 0)}, headers)
            return rule["status"]
        return self._code(rule["code"], extra, headers)

    def _authorize(self, record: dict) -> bool:
        auth = self.headers.get("Authorization")
        if auth is None:
            record["answer"] = self._code(2)
        elif not auth.startswith("Splunk "):
            record["answer"] = self._code(3)
        elif auth[7:] in self.server.disabled_tokens:
            record["answer"] = self._code(1)
        elif auth[7:] != self.server.token:
            record["answer"] = self._code(4)
        else:
            return True
        return False

    def _channel(self, record: dict, query: dict) -> str | None | bool:
        """The request's channel; False after answering that it is missing or invalid."""
        channel = self.headers.get("X-Splunk-Request-Channel") or query.get("channel", [None])[0]
        record["channel"] = channel
        if channel is not None and not GUID.match(channel):
            record["answer"] = self._code(11)
            return False
        if channel is None and self.server.use_ack:
            record["answer"] = self._code(10)
            return False
        return channel

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        length = int(self.headers.get("Content-Length", "0"))
        wire = self.rfile.read(length)
        if path.startswith("/control/"):
            self._control(path, wire)
            return
        kinds = {
            COLLECTOR: "event",
            COLLECTOR + "/event": "event",
            COLLECTOR + "/event/1.0": "event",
            COLLECTOR + "/raw": "raw",
            COLLECTOR + "/raw/1.0": "raw",
            COLLECTOR + "/ack": "ack",
        }
        kind = kinds.get(path)
        if kind is None:
            self._reply(404, {"text": "The requested URL was not found on this server.", "code": 404})
            return
        record = self.server.new_record(kind, self, wire)
        rule = self.server.next_rule("ack" if kind == "ack" else "event")
        if self._fault(rule, record):
            return
        if not self._authorize(record):
            return
        channel = self._channel(record, query)
        if channel is False:
            return
        if length > self.server.max_content_length:
            self._reply(
                413,
                {
                    "text": "Content-Length of %d too large (maximum is %d)"
                    % (length, self.server.max_content_length),
                    "code": 413,
                },
            )
            record["answer"] = 413
            return
        encoding = self.headers.get("Content-Encoding")
        try:
            body = gzip.decompress(wire) if encoding == "gzip" else wire
            if encoding not in (None, "gzip"):
                self._reply(415, {"text": "Unsupported Content-Encoding", "code": 415})
                record["answer"] = 415
                return
        except OSError:
            record["answer"] = self._code(6)
            return
        record["body_bytes"] = len(body)
        if kind == "ack":
            self._ack(record, rule, channel, body)
        else:
            self._events(record, rule, kind, channel, body, query)

    def _events(
        self, record: dict, rule: dict, kind: str, channel: str | None, body: bytes, query: dict
    ) -> None:
        allowed = self.server.allowed_indexes
        if not self.server.parse:  # benchmarks: read the body, check nothing, accept it
            record["answer"] = self._code(0)
            return
        try:
            if kind == "raw":
                meta = {k: v[0] for k, v in query.items() if k in ("host", "source", "sourcetype", "index")}
                events, refused = parse_raw(body, meta, allowed)
            else:
                events, refused = parse_events(body, allowed)
        except UnicodeDecodeError:
            events, refused = [], Refused(6, 0)
        record["objects"] = len(events) + (0 if refused is None or refused.index is None else 1)
        if refused is None and rule.get("code") is not None and rule.get("invalid_event") is not None:
            k = rule["invalid_event"]
            refused, events = Refused(rule["code"], k), events[:k]
        if refused is None and (rule.get("code") is not None or rule.get("status")):
            record["answer"] = self._answer_rule(rule)  # refused whole: nothing indexed
            return
        if refused is not None:
            self.server.index(events, record)  # the objects before the refused one
            extra = {"invalid-event-number": refused.index} if refused.index is not None else None
            record["answer"] = self._code(refused.code, extra)
            return
        extra = None
        if self.server.use_ack:
            ack_id = self.server.new_ack(channel, never=bool(rule.get("ack_never")))
            record["ack_id"] = ack_id
            extra = {"ackId": ack_id}
        self.server.index(events, record)
        record["answer"] = self._code(0, extra)

    def _ack(self, record: dict, rule: dict, channel: str | None, body: bytes) -> None:
        if rule.get("code") is not None or rule.get("status"):
            record["answer"] = self._answer_rule(rule)
            return
        if not self.server.use_ack:
            record["answer"] = self._code(14)
            return
        try:
            ids = json.loads(body)["acks"]
            assert isinstance(ids, list) and all(isinstance(i, int) for i in ids)
        except Exception:
            record["answer"] = self._code(6)
            return
        record["ack_query"] = ids
        self._reply(200, {"acks": self.server.query_acks(channel, ids)})
        record["answer"] = 200

    def _control(self, path: str, raw: bytes) -> None:
        doc = json.loads(raw or b"{}")
        if path == "/control/script":
            self.server.script(doc.get("rules", []), doc.get("default"))
        elif path == "/control/reset":
            self.server.reset()
        elif path == "/control/config":
            self.server.configure(**doc)
        else:
            self._reply(404, {})
            return
        self._reply(200, {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, token: str, use_ack: bool):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.token = token
        self.stopping = False
        self.reset()
        self.configure(use_ack=use_ack)

    def configure(
        self,
        use_ack: bool | None = None,
        ack_delay_ms: int | None = None,
        allowed_indexes: list | None = None,
        max_content_length: int | None = None,
        healthy: bool | None = None,
        disabled_tokens: list | None = None,
        token: str | None = None,
        parse: bool | None = None,
    ) -> None:
        with self.lock:
            if parse is not None:
                self.parse = parse
            if use_ack is not None:
                self.use_ack = use_ack
            if ack_delay_ms is not None:
                self.ack_delay_ms = ack_delay_ms
            if allowed_indexes is not None:
                self.allowed_indexes = set(allowed_indexes)
            if max_content_length is not None:
                self.max_content_length = max_content_length
            if healthy is not None:
                self.healthy = healthy
            if disabled_tokens is not None:
                self.disabled_tokens = set(disabled_tokens)
            if token is not None:
                self.token = token

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeout, reset) is part of the tests: stay quiet."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def reset(self) -> None:
        with self.lock:
            self.records: list[dict] = []
            self.indexed: list[dict] = []
            self.rules: list[dict] = []
            self.default: dict = {}
            self.use_ack = getattr(self, "use_ack", False)
            self.ack_delay_ms = 0
            self.allowed_indexes: set | None = None
            self.max_content_length = 1_000_000  # Splunk Cloud's, and Enterprise's before 7.x
            self.healthy = True
            self.parse = True
            self.disabled_tokens: set = set()
            self.channels: dict[str, dict] = {}  # channel -> {"next": id, "acks": {id: ready}}

    def script(self, rules: list[dict], default: dict | None = None) -> None:
        with self.lock:
            self.rules = [dict(r, times=r.get("times", 1)) for r in rules]
            self.default = default or {}

    def next_rule(self, kind: str) -> dict:
        with self.lock:
            for rule in self.rules:
                if rule.get("path", "event") == kind:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self.rules.remove(rule)
                    return rule
            return self.default if self.default.get("path", "event") == kind else {}

    def new_record(self, kind: str, handler: _Handler, wire: bytes = b"") -> dict:
        record = {
            "kind": kind,
            "path": handler.path,
            "time": time.monotonic(),
            "headers": {k.lower(): v for k, v in handler.headers.items()},
            "wire_bytes": len(wire),
            "events": [],
            "answer": None,
        }
        with self.lock:
            self.records.append(record)
        handler.record = record  # _reply fills in its answer
        return record

    def index(self, events: list[dict], record: dict) -> None:
        with self.lock:
            record["events"] = events
            self.indexed.extend(events)

    def new_ack(self, channel: str, never: bool) -> int:
        with self.lock:
            ch = self.channels.setdefault(channel, {"next": 0, "acks": {}})
            ack_id = ch["next"]
            ch["next"] += 1
            ready = float("inf") if never else time.monotonic() + self.ack_delay_ms / 1000
            ch["acks"][ack_id] = ready
            return ack_id

    def query_acks(self, channel: str, ids: list[int]) -> dict:
        now = time.monotonic()
        out = {}
        with self.lock:
            acks = self.channels.get(channel, {"acks": {}})["acks"]
            for i in ids:
                done = i in acks and acks[i] <= now
                out[str(i)] = done
                if done:
                    del acks[i]  # Splunk forgets an id once it has answered true
        return out

    def received(self) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.records]

    def events(self) -> list[dict]:
        with self.lock:
            return list(self.indexed)


class HecServer:
    """The server on a background thread: `with HecServer(token) as s: s.url ...`."""

    def __init__(self, token: str = "test-token", use_ack: bool = False):
        self.server = _Server(token, use_ack)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutdown() waits up to one interval.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> "HecServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stopping = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __getattr__(self, name):  # script, configure, received, events, reset
        return getattr(self.server, name)


def free_port() -> int:
    """A port nobody listens on (a server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MODES = {
    "200": {},
    "503": {"code": 9},
    "413": {"status": 413, "text": "too large"},
    "slow": {"delay_ms": 2000},
    "silent": {"silent": True},
    "reset": {"reset": True},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file")
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--ack", action="store_true")
    ap.add_argument("--mode", default="200", choices=[*MODES, "unhealthy"])
    ap.add_argument("--max-content-length", type=int)
    args = ap.parse_args()
    with HecServer(args.token, args.ack) as s:
        if args.mode == "unhealthy":
            s.configure(healthy=False)
        else:
            s.script([], MODES[args.mode])
        if args.max_content_length:
            s.configure(max_content_length=args.max_content_length)
        if args.port_file:
            with open(args.port_file, "w") as f:
                f.write(str(s.port))
        print(s.port, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
