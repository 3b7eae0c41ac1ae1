"""Test helpers: valid key generation and a scripted HTTP server on loopback.

``FakeServer`` is a real ``ThreadingHTTPServer`` on 127.0.0.1, port 0. Each test
queues handlers (one per expected request); every request is recorded so tests
can assert what the SDK sent, and how many times.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
import unittest
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Optional
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from bentoo import Bentoo
from bentoo._key_format import BASE62_ALPHABET, checksum_of


def make_key(mode: str = "test") -> str:
    """A valid key built from the format rule, independently of the SDK's checker."""
    head = "btoo_sk_%s_%s" % (mode, "".join(secrets.choice(BASE62_ALPHABET) for _ in range(26)))
    return head + checksum_of(head)


def free_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorded:
    def __init__(self, method: str, target: str, headers: Dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        parts = urlsplit(target)
        self.path = parts.path
        self.raw_query = parts.query
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


Handler = Callable[[BaseHTTPRequestHandler, Recorded], None]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-response are expected in these tests


class FakeServer:
    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self.handlers: Deque[Handler] = deque()
        self.release = threading.Event()  # set on close to free handlers that wait
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                recorded = Recorded(self.command, self.path, headers, body)
                fake.requests.append(recorded)
                handler = fake.handlers.popleft() if fake.handlers else respond_json(
                    599, {"error": {"message": "no response scripted"}})
                handler(self, recorded)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), RequestHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return "http://127.0.0.1:%d/v1" % self.port

    def enqueue(self, *handlers: Handler) -> None:
        self.handlers.extend(handlers)

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def respond_raw(status: int, data: bytes, headers: Optional[Dict[str, str]] = None) -> Handler:
    def handler(http: BaseHTTPRequestHandler, recorded: Recorded) -> None:
        http.send_response(status)
        for name, value in (headers or {}).items():
            http.send_header(name, value)
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)
    return handler


def respond_json(status: int = 200, body: Any = None, headers: Optional[Dict[str, str]] = None) -> Handler:
    merged = {"Content-Type": "application/json", "x-request-id": "req_test"}
    merged.update(headers or {})
    return respond_raw(status, json.dumps(body).encode("utf-8"), merged)


def error_body(message: str, type: str, code: str, param: Optional[str] = None) -> Dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def respond_chunked(
    pieces: List[bytes],
    *,
    content_type: str = "text/event-stream",
    complete: bool = True,
    pause: float = 0.0,
    wait_on: Optional[threading.Event] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Handler:
    """Sends ``pieces`` as separate HTTP chunks, flushing after each, then waits
    for ``wait_on`` if given. Without ``complete`` the terminating chunk is never
    sent and the connection is dropped (a cut-off body)."""
    def handler(http: BaseHTTPRequestHandler, recorded: Recorded) -> None:
        http.send_response(200)
        http.send_header("Content-Type", content_type)
        http.send_header("x-request-id", "req_stream")
        for name, value in (headers or {}).items():
            http.send_header(name, value)
        http.send_header("Transfer-Encoding", "chunked")
        http.send_header("Connection", "close")
        http.end_headers()
        for piece in pieces:
            http.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            http.wfile.flush()
            if pause:
                time.sleep(pause)
        if wait_on is not None:
            wait_on.wait(10)
        if complete:
            http.wfile.write(b"0\r\n\r\n")
            http.wfile.flush()
        http.close_connection = True
    return handler


def hang(server: FakeServer) -> Handler:
    """Never answers until the server closes (to provoke client timeouts)."""
    def handler(http: BaseHTTPRequestHandler, recorded: Recorded) -> None:
        server.release.wait(10)
        http.close_connection = True
    return handler


class ServerTestCase(unittest.TestCase):
    """Starts a FakeServer per test, clears BENTOO_* from the environment, and
    records retry sleeps instead of sleeping (``random()`` is fixed at 0.5)."""

    def setUp(self) -> None:
        environment = {name: value for name, value in os.environ.items() if not name.startswith("BENTOO_")}
        patcher = mock.patch.dict(os.environ, environment, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.server = FakeServer()
        self.sleeps: List[float] = []
        self.api_key = make_key()

    def tearDown(self) -> None:
        self.server.close()

    def make_client(self, **options: Any) -> Bentoo:
        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", self.server.base_url)
        client = Bentoo(**options)
        client._sleep = self.sleeps.append
        client._random = lambda: 0.5
        return client
