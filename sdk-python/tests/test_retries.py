"""The retry policy: which failures are retried, how often, and how long it waits.
``random()`` is fixed at 0.5, so the jitter factor is exactly 1 - 0.5 * 0.25 = 0.875."""

from __future__ import annotations

import email.utils
from typing import Dict, Optional

from bentoo import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)

from .support import Handler, ServerTestCase, error_body, free_port, hang, respond_chunked, respond_json

MODELS = {"object": "list", "data": [{"id": "openai/gpt-4o", "object": "model"}]}
JITTER = 0.875


def busy(status: int = 503, headers: Optional[Dict[str, str]] = None) -> Handler:
    return respond_json(status, error_body("Try again.", "api_error", "service_unavailable"), headers)


class RetryTest(ServerTestCase):
    def test_429_honours_retry_after_ms(self) -> None:
        self.server.enqueue(
            respond_json(429, error_body("Slow down.", "rate_limit_error", "rate_limit_exceeded"),
                         {"retry-after-ms": "1500", "Retry-After": "9"}),
            respond_json(200, MODELS))
        result = self.make_client().models.list()
        self.assertEqual(result, MODELS)
        self.assertEqual(self.sleeps, [1.5])
        self.assertEqual(len(self.server.requests), 2)

    def test_retry_after_seconds(self) -> None:
        self.server.enqueue(busy(429, {"Retry-After": "3"}), respond_json(200, MODELS))
        self.make_client().models.list()
        self.assertEqual(self.sleeps, [3.0])

    def test_retry_after_http_date(self) -> None:
        now = 1_700_000_000.0
        date = email.utils.formatdate(now + 20, usegmt=True)
        self.server.enqueue(busy(429, {"Retry-After": date}), respond_json(200, MODELS))
        client = self.make_client()
        client._clock = lambda: now
        client.models.list()
        self.assertEqual(self.sleeps, [20.0])

    def test_server_delays_outside_0_to_60_seconds_fall_back_to_backoff(self) -> None:
        self.server.enqueue(busy(429, {"Retry-After": "120"}), busy(429, {"retry-after-ms": "0"}),
                            respond_json(200, MODELS))
        self.make_client().models.list()
        self.assertEqual(self.sleeps, [0.5 * JITTER, 1.0 * JITTER])

    def test_503_backs_off_exponentially_then_raises(self) -> None:
        self.server.enqueue(*[busy() for _ in range(6)])
        with self.assertRaises(InternalServerError) as caught:
            self.make_client(max_retries=5).models.list()
        self.assertEqual(caught.exception.status, 503)
        self.assertEqual(self.sleeps, [d * JITTER for d in (0.5, 1.0, 2.0, 4.0, 8.0)])
        self.assertEqual(len(self.server.requests), 6)

    def test_backoff_is_capped_at_8_seconds(self) -> None:
        self.server.enqueue(*[busy(500) for _ in range(8)])
        with self.assertRaises(InternalServerError):
            self.make_client(max_retries=7).models.list()
        self.assertEqual(self.sleeps[-3:], [8.0 * JITTER] * 3)

    def test_jitter_uses_the_injected_random(self) -> None:
        self.server.enqueue(busy(), respond_json(200, MODELS))
        client = self.make_client()
        client._random = lambda: 1.0
        client.models.list()
        self.assertEqual(self.sleeps, [0.5 * 0.75])

    def test_408_and_409_are_retried(self) -> None:
        for status in (408, 409):
            with self.subTest(status=status):
                self.sleeps.clear()
                self.server.enqueue(busy(status), respond_json(200, MODELS))
                self.assertEqual(self.make_client().models.list(), MODELS)
                self.assertEqual(len(self.sleeps), 1)

    def test_client_errors_are_not_retried(self) -> None:
        for status, error_class in ((400, BadRequestError), (401, AuthenticationError), (404, NotFoundError)):
            with self.subTest(status=status):
                before = len(self.server.requests)
                self.server.enqueue(respond_json(status, error_body("No.", "x", "y")), respond_json(200, MODELS))
                with self.assertRaises(error_class):
                    self.make_client(max_retries=3).models.list()
                self.assertEqual(len(self.server.requests) - before, 1)
                self.server.handlers.clear()
        self.assertEqual(self.sleeps, [])

    def test_default_max_retries_is_two(self) -> None:
        self.server.enqueue(*[busy(429) for _ in range(5)])
        with self.assertRaises(RateLimitError):
            self.make_client().models.list()
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(len(self.sleeps), 2)

    def test_per_call_max_retries(self) -> None:
        self.server.enqueue(*[busy() for _ in range(5)])
        with self.assertRaises(InternalServerError):
            self.make_client(max_retries=4).models.list(max_retries=1)
        self.assertEqual(len(self.server.requests), 2)

    def test_max_retries_zero_sends_once(self) -> None:
        self.server.enqueue(busy(), respond_json(200, MODELS))
        with self.assertRaises(InternalServerError):
            self.make_client(max_retries=0).models.list()
        self.assertEqual(len(self.server.requests), 1)

    def test_x_should_retry_overrides_the_status(self) -> None:
        self.server.enqueue(busy(503, {"x-should-retry": "false"}))
        with self.assertRaises(InternalServerError):
            self.make_client().models.list()
        self.assertEqual(len(self.server.requests), 1)
        self.server.enqueue(respond_json(400, error_body("Retry me.", "x", "y"), {"x-should-retry": "true"}),
                            respond_json(200, MODELS))
        self.assertEqual(self.make_client().models.list(), MODELS)

    def test_connection_refused_is_retried_then_raises(self) -> None:
        client = self.make_client(base_url="http://127.0.0.1:%d/v1" % free_port())
        with self.assertRaises(APIConnectionError) as caught:
            client.models.list()
        self.assertNotIsInstance(caught.exception, APITimeoutError)
        self.assertIn("ConnectionRefusedError", caught.exception.message)
        self.assertEqual(self.sleeps, [0.5 * JITTER, 1.0 * JITTER])

    def test_timeout_is_retried_then_raises(self) -> None:
        self.server.enqueue(hang(self.server), hang(self.server))
        with self.assertRaises(APITimeoutError):
            self.make_client(timeout=0.2, max_retries=1).models.list()
        self.assertEqual(len(self.server.requests), 2)
        self.assertEqual(self.sleeps, [0.5 * JITTER])

    def test_timeout_then_success(self) -> None:
        self.server.enqueue(hang(self.server), respond_json(200, MODELS))
        self.assertEqual(self.make_client(timeout=0.2).models.list(), MODELS)

    def test_stream_is_retried_before_its_body_starts(self) -> None:
        self.server.enqueue(busy(502), respond_chunked([b'data: {"n": 1}\n\n', b"data: [DONE]\n\n"]))
        chunks = list(self.make_client().chat.completions.create(model="m", messages=[], stream=True))
        self.assertEqual(chunks, [{"n": 1}])
        self.assertEqual(len(self.server.requests), 2)

    def test_stream_is_not_retried_after_its_body_started(self) -> None:
        self.server.enqueue(respond_chunked([b'data: {"n": 1}\n\n'], complete=False),
                            respond_chunked([b'data: {"n": 2}\n\n', b"data: [DONE]\n\n"]))
        stream = self.make_client().chat.completions.create(model="m", messages=[], stream=True)
        received = []
        with self.assertRaises(APIConnectionError):
            for chunk in stream:
                received.append(chunk)
        self.assertEqual(received, [{"n": 1}])
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(self.sleeps, [])
