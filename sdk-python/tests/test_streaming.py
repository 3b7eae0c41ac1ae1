"""Server-sent events: the line splitter, the decoder and ``Stream``, first on
scripted byte chunks, then over a real socket."""

from __future__ import annotations

import json
import threading
import time
import unittest
from email.message import Message
from typing import Any, Dict, List, Optional

from bentoo import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    SSEDecoder,
    Stream,
)
from bentoo._streaming import iter_lines

from .support import ServerTestCase, respond_chunked


class FakeResponse:
    """Just enough of ``http.client.HTTPResponse`` for ``Stream``: scripted reads."""

    def __init__(self, chunks: List[bytes], headers: Optional[Dict[str, str]] = None) -> None:
        self._chunks = list(chunks)
        self.headers = Message()
        for name, value in (headers or {"x-request-id": "req_fake"}).items():
            self.headers[name] = value
        self.closed = False
        self.reads = 0

    def read1(self, size: int) -> bytes:
        self.reads += 1
        if self.closed or not self._chunks:
            return b""  # as http.client does after close()
        return self._chunks.pop(0)

    def close(self) -> None:
        self.closed = True


def stream_of(chunks: List[bytes]) -> "Stream[Any]":
    return Stream(response=FakeResponse(chunks))  # type: ignore[arg-type]


def byte_by_byte(data: bytes) -> List[bytes]:
    return [data[i:i + 1] for i in range(len(data))]


CHUNK_A = {"id": "c1", "choices": [{"index": 0, "delta": {"content": "héllo 🍣"}}]}
CHUNK_B = {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
BODY = ("data: %s\n\ndata: %s\n\ndata: [DONE]\n\n" % (
    json.dumps(CHUNK_A, ensure_ascii=False), json.dumps(CHUNK_B))).encode("utf-8")


class IterLinesTest(unittest.TestCase):
    def test_all_line_endings(self) -> None:
        self.assertEqual(list(iter_lines([b"a\nb\r\nc\rd"])), [b"a", b"b", b"c", b"d"])

    def test_crlf_split_across_chunks_is_one_line_ending(self) -> None:
        self.assertEqual(list(iter_lines([b"a\r", b"\nb\r", b"\n", b"\nc"])), [b"a", b"b", b"", b"c"])

    def test_lone_lf_chunk_after_cr(self) -> None:
        self.assertEqual(list(iter_lines([b"a\r", b"\n", b"\n"])), [b"a", b""])


class SSEDecoderTest(unittest.TestCase):
    def decode(self, text: str) -> List[Any]:
        return list(SSEDecoder().iter_events([text.encode("utf-8")]))

    def test_fields(self) -> None:
        [event] = self.decode("event: update\nid: 7\nretry: 1500\ndata:x\n\n")
        self.assertEqual((event.event, event.id, event.retry, event.data), ("update", "7", 1500, "x"))

    def test_multi_line_data_is_joined_with_newlines(self) -> None:
        [event] = self.decode("data: first\ndata:  second\ndata\n\n")
        self.assertEqual(event.data, "first\n second\n")

    def test_comments_are_ignored(self) -> None:
        events = self.decode(": ping\n\n:another\ndata: 1\n\n")
        self.assertEqual([event.data for event in events], ["1"])

    def test_byte_order_mark_is_skipped(self) -> None:
        [event] = self.decode("\ufeffdata: 1\n\n")
        self.assertEqual(event.data, "1")

    def test_event_without_trailing_blank_line_is_not_dispatched(self) -> None:
        self.assertEqual([event.data for event in self.decode("data: 1\n\ndata: 2")], ["1"])


class StreamOnChunksTest(unittest.TestCase):
    def test_whole_body(self) -> None:
        self.assertEqual(list(stream_of([BODY])), [CHUNK_A, CHUNK_B])

    def test_every_split_point(self) -> None:
        for split in range(1, len(BODY)):
            with self.subTest(split=split):
                self.assertEqual(list(stream_of([BODY[:split], BODY[split:]])), [CHUNK_A, CHUNK_B])

    def test_byte_by_byte_keeps_multibyte_characters(self) -> None:
        chunks = list(stream_of(byte_by_byte(BODY)))
        self.assertEqual(chunks[0]["choices"][0]["delta"]["content"], "héllo 🍣")
        self.assertEqual(chunks, [CHUNK_A, CHUNK_B])

    def test_crlf_and_cr_line_endings(self) -> None:
        for ending in (b"\r\n", b"\r"):
            with self.subTest(ending=ending):
                body = BODY.replace(b"\n", ending)
                self.assertEqual(list(stream_of(byte_by_byte(body))), [CHUNK_A, CHUNK_B])

    def test_comments_and_multi_line_json(self) -> None:
        body = b': ping\n\ndata: {"a":\ndata: 1}\n\n: ping\n\ndata: [DONE]\n\n'
        self.assertEqual(list(stream_of([body])), [{"a": 1}])

    def test_nothing_is_yielded_after_done(self) -> None:
        response = FakeResponse([b'data: {"n": 1}\n\ndata: [DONE]\n\ndata: {"n": 2}\n\n'])
        self.assertEqual(list(Stream(response=response)), [{"n": 1}])  # type: ignore[arg-type]
        self.assertTrue(response.closed)

    def test_done_without_final_blank_line_is_accepted(self) -> None:
        self.assertEqual(list(stream_of([b'data: {"n": 1}\n\ndata: [DONE]'])), [{"n": 1}])

    def test_error_event_raises_the_matching_class(self) -> None:
        error = {"error": {"message": "Rate limit reached; retry in 2 s.", "type": "rate_limit_error",
                           "param": None, "code": "rate_limit_exceeded"}}
        stream = stream_of([b'data: {"n": 1}\n\nevent: error\ndata: ' + json.dumps(error).encode() + b"\n\n"])
        self.assertEqual(next(stream), {"n": 1})
        with self.assertRaises(RateLimitError) as caught:
            next(stream)
        self.assertEqual(caught.exception.status, 429)
        self.assertEqual(caught.exception.code, "rate_limit_exceeded")
        self.assertEqual(caught.exception.request_id, "req_fake")
        self.assertEqual(caught.exception.message, "Error code: 429 - Rate limit reached; retry in 2 s.")

    def test_data_with_top_level_error_raises(self) -> None:
        error = {"error": {"message": "Upstream failed.", "type": "upstream_error", "code": "upstream_error"}}
        stream = stream_of([b"data: " + json.dumps(error).encode() + b"\n\n"])
        with self.assertRaises(InternalServerError) as caught:
            list(stream)
        self.assertEqual(caught.exception.status, 502)

    def test_error_status_field_picks_the_class(self) -> None:
        stream = stream_of([b'data: {"error": {"message": "IP not allowed.", "type": "x", "status": 403}}\n\n'])
        with self.assertRaises(PermissionDeniedError) as caught:
            list(stream)
        self.assertEqual(caught.exception.status, 403)

    def test_error_of_unknown_type_is_a_plain_api_error(self) -> None:
        stream = stream_of([b'event: error\ndata: {"message": "odd"}\n\n'])
        with self.assertRaises(APIError) as caught:
            list(stream)
        self.assertNotIsInstance(caught.exception, APIStatusError)
        self.assertEqual(caught.exception.message, "odd")

    def test_body_ending_before_done_raises(self) -> None:
        for body in (b'data: {"n": 1}\n\n', b'data: {"n": 1}\n\ndata: {"n"', b""):
            with self.subTest(body=body):
                with self.assertRaises(APIConnectionError):
                    list(stream_of([body]))

    def test_invalid_json_raises(self) -> None:
        with self.assertRaises(APIError):
            list(stream_of([b"data: {not json\n\n"]))

    def test_unknown_named_events_are_skipped(self) -> None:
        body = b'event: progress\ndata: {"p": 1}\n\ndata: {"n": 1}\n\ndata: [DONE]\n\n'
        self.assertEqual(list(stream_of([body])), [{"n": 1}])

    def test_close_stops_iteration(self) -> None:
        response = FakeResponse([b'data: {"n": 1}\n\ndata: {"n": 2}\n\n', b'data: {"n": 3}\n\n'])
        stream = Stream(response=response)  # type: ignore[arg-type]
        self.assertEqual(next(stream), {"n": 1})
        stream.close()
        self.assertTrue(response.closed)
        self.assertEqual(list(stream), [])

    def test_context_manager_closes(self) -> None:
        response = FakeResponse([BODY])
        with Stream(response=response) as stream:  # type: ignore[arg-type]
            next(stream)
        self.assertTrue(response.closed)


SSE_PIECES = [
    b'data: {"id": "c1", "choices": [{"delta": {"content": "h\xc3',  # splits "é"
    b'\xa9llo"}}]}\r\n',
    b"\r\n: ping\r\n\r\n",
    b'data: {"id": "c1", "choices": [], "usage": {"total_tokens": 3, "cost_micros": 2}}\n\n',
    b"data: [DONE]\n\n",
]


class StreamOverHttpTest(ServerTestCase):
    def test_streamed_chat_completion(self) -> None:
        self.server.enqueue(respond_chunked(SSE_PIECES))
        client = self.make_client()
        with client.chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                                            stream=True, stream_options={"include_usage": True}) as stream:
            chunks = list(stream)
            self.assertEqual(stream.request_id, "req_stream")
            self.assertEqual(stream.response.status, 200)
        self.assertEqual(chunks[0]["choices"][0]["delta"]["content"], "héllo")
        self.assertEqual(chunks[1]["usage"], {"total_tokens": 3, "cost_micros": 2})
        request = self.server.requests[0]
        self.assertEqual(request.json()["stream"], True)
        self.assertEqual(request.json()["stream_options"], {"include_usage": True})
        self.assertEqual(request.headers["accept"], "text/event-stream")

    def test_mid_stream_error_event(self) -> None:
        error = b'event: error\ndata: {"error": {"message": "Out of credits.", "type": "billing_error", ' \
                b'"code": "insufficient_credits"}}\n\n'
        self.server.enqueue(respond_chunked([SSE_PIECES[0], SSE_PIECES[1], b"\n", error]))
        stream = self.make_client().chat.completions.create(model="m", messages=[], stream=True)
        self.assertEqual(next(stream)["id"], "c1")
        with self.assertRaises(APIStatusError) as caught:
            next(stream)
        self.assertEqual((caught.exception.status, caught.exception.code), (402, "insufficient_credits"))
        self.assertEqual(caught.exception.request_id, "req_stream")

    def test_clean_end_without_done_raises(self) -> None:
        self.server.enqueue(respond_chunked([b'data: {"n": 1}\n\n']))
        stream = self.make_client().chat.completions.create(model="m", messages=[], stream=True)
        with self.assertRaises(APIConnectionError):
            list(stream)

    def test_close_from_another_thread_unblocks_a_waiting_read(self) -> None:
        waiting = threading.Event()
        self.addCleanup(waiting.set)
        self.server.enqueue(respond_chunked([b'data: {"n": 1}\n\n'], wait_on=waiting))
        stream = self.make_client().chat.completions.create(model="m", messages=[], stream=True)
        self.assertEqual(next(stream), {"n": 1})
        timer = threading.Timer(0.2, stream.close)
        timer.start()
        started = time.monotonic()
        self.assertEqual(list(stream), [])
        self.assertLess(time.monotonic() - started, 5)
        timer.join()

    def test_read_timeout_mid_stream_is_not_retried(self) -> None:
        waiting = threading.Event()
        self.addCleanup(waiting.set)
        self.server.enqueue(respond_chunked([b'data: {"n": 1}\n\n'], wait_on=waiting))
        stream = self.make_client(timeout=0.3).chat.completions.create(model="m", messages=[], stream=True)
        self.assertEqual(next(stream), {"n": 1})
        with self.assertRaises(APITimeoutError):
            next(stream)
        self.assertEqual(len(self.server.requests), 1)
