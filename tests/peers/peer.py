"""What the local protocol servers in tests/peers share: a threaded HTTP server on
127.0.0.1 only (an ephemeral port) that records requests and answers them by scripted
rules, run in a background thread, and free_port() for a backend that is down.

Rules are dicts a server interprets (status, delay_ms, retry_after, ...); each answers
`times` requests (default 1) before the next one applies, and the default rule answers
when the queue is empty.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    """The records and the scripted rules of a server (any transport), thread-safe."""

    default_rule: dict = {"status": 200}

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.records: list[dict] = []
            self.rules: list[dict] = []
            self.default: dict = dict(self.default_rule)

    def script(self, rules: list[dict], default: dict | None = None) -> None:
        with self.lock:
            self.rules = [dict(r) for r in rules]
            if default is not None:
                self.default = dict(default)

    def next_rule(self) -> dict:
        with self.lock:
            if not self.rules:
                return self.default
            rule = self.rules[0]
            rule["times"] = rule.get("times", 1) - 1
            if rule["times"] <= 0:
                self.rules.pop(0)
            return rule

    def add(self, record: dict) -> None:
        with self.lock:
            self.records.append(record)

    def received(self) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.records]


class LoopbackServer(ThreadingHTTPServer, Script):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), handler)
        Script.__init__(self)
        self.connections = 0

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeouts are tested on purpose) is not an error here."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Background:
    """Serve `server` in a daemon thread: `with Background(server): ...`."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def reset_connection(handler: BaseHTTPRequestHandler, server: LoopbackServer, record: dict) -> None:
    """Record the request, then reset its connection without answering. SO_LINGER 0:
    close() sends RST instead of FIN, as a crashing backend would."""
    record["answer"] = "reset"
    server.add(record)
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (a backend that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
