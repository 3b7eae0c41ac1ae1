"""Each resource against the server contract: method, path, query, body, result."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from http.server import BaseHTTPRequestHandler
from typing import Any, Dict, Optional

from bentoo import APIConnectionError, BentooError, NotFoundError, SyncCursorPage
from bentoo.resources.audit import format_time

from .support import Recorded, ServerTestCase, error_body, respond_chunked, respond_json, respond_raw

COMPLETION = {
    "id": "chatcmpl_1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "openai/gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7,
              "cost": 0.0000019, "cost_micros": 2, "estimated": False},
}


def record(number: int) -> Dict[str, Any]:
    return {"id": "evt_%d" % number, "object": "audit_log", "type": "request", "key_id": "AbCd",
            "model": "openai/gpt-4o", "status": 200}


def page(numbers: range, next_cursor: Optional[str] = None) -> Dict[str, Any]:
    return {"object": "list", "data": [record(n) for n in numbers],
            "has_more": next_cursor is not None, "next_cursor": next_cursor}


class ChatTest(ServerTestCase):
    def test_create_posts_the_params_and_returns_the_completion(self) -> None:
        self.server.enqueue(respond_json(200, COMPLETION))
        result = self.make_client().chat.completions.create(
            model="openai/gpt-4o-mini",
            messages=[{"role": "user", "content": "Hello"}],
            temperature=0.2,
            tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
            response_format={"type": "json_object"},
            extra_body={"bentoo_tag": "x"},
        )
        self.assertEqual(result, COMPLETION)
        self.assertEqual(result["usage"]["cost_micros"], 2)
        request = self.server.requests[0]
        self.assertEqual((request.method, request.path), ("POST", "/v1/chat/completions"))
        self.assertEqual(request.json(), {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "Hello"}],
            "temperature": 0.2,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            "response_format": {"type": "json_object"},
            "bentoo_tag": "x",
        })
        self.assertEqual(request.headers["content-type"], "application/json")

    def test_invalid_json_response_raises(self) -> None:
        self.server.enqueue(respond_raw(200, b"<html>", {"Content-Type": "text/html"}))
        with self.assertRaises(BentooError):
            self.make_client().chat.completions.create(model="m", messages=[])


class ModelsTest(ServerTestCase):
    def test_list(self) -> None:
        catalog = {"object": "list", "data": [{"id": "openai/gpt-4o", "object": "model", "context_length": 128000}]}
        self.server.enqueue(respond_json(200, catalog))
        self.assertEqual(self.make_client().models.list(), catalog)
        self.assertEqual((self.server.requests[0].method, self.server.requests[0].path), ("GET", "/v1/models"))

    def test_retrieve_keeps_slashes_and_quotes_segments(self) -> None:
        cases = {
            "openai/gpt-4o": "/v1/models/openai/gpt-4o",
            "meta-llama/llama 3?#": "/v1/models/meta-llama/llama%203%3F%23",
            "ünï/côde": "/v1/models/%C3%BCn%C3%AF/c%C3%B4de",
        }
        client = self.make_client()
        for model_id, expected in cases.items():
            with self.subTest(model=model_id):
                self.server.enqueue(respond_json(200, {"id": model_id, "object": "model"}))
                self.assertEqual(client.models.retrieve(model_id)["id"], model_id)
                self.assertEqual(self.server.requests[-1].target, expected)

    def test_retrieve_refuses_ids_that_could_reach_another_endpoint(self) -> None:
        for model_id in ("", "a/../key", "./key", "openai//gpt-4o", "openai/"):
            with self.subTest(model=model_id):
                with self.assertRaises(ValueError):
                    self.make_client().models.retrieve(model_id)
        self.assertEqual(self.server.requests, [])

    def test_unknown_model(self) -> None:
        self.server.enqueue(respond_json(404, error_body("Unknown model openai/nope.", "not_found_error",
                                                         "model_not_found", "model")))
        with self.assertRaises(NotFoundError) as caught:
            self.make_client().models.retrieve("openai/nope")
        self.assertEqual(caught.exception.param, "model")


class KeyTest(ServerTestCase):
    def test_retrieve(self) -> None:
        info = {"id": "key_1", "object": "api_key", "key_id": self.api_key[-4:], "name": "ci", "mode": "test",
                "account": {"id": "acct_1", "plan": "free"},
                "rate_limits": {"requests_per_minute": 60, "tokens_per_minute": 100000},
                "credits": {"balance_micros": 5000000, "balance_usd": 5.0},
                "created_at": "2025-01-01T00:00:00Z", "expires_at": None}
        self.server.enqueue(respond_json(200, info))
        self.assertEqual(self.make_client().key.retrieve(), info)
        self.assertEqual((self.server.requests[0].method, self.server.requests[0].path), ("GET", "/v1/key"))


class AuditListTest(ServerTestCase):
    def test_iterating_follows_cursors_across_three_pages(self) -> None:
        self.server.enqueue(respond_json(200, page(range(0, 3), "cur_2")),
                            respond_json(200, page(range(3, 6), "cur_3")),
                            respond_json(200, page(range(6, 8))))
        first = self.make_client().audit.logs.list(
            start="2025-01-01T00:00:00Z", model="openai/gpt-4o", endpoint="/v1/embeddings", limit=3)
        self.assertIsInstance(first, SyncCursorPage)
        self.assertEqual(len(self.server.requests), 1)  # later pages load lazily
        self.assertEqual([item["id"] for item in first], ["evt_%d" % n for n in range(8)])
        requests = self.server.requests
        self.assertEqual(len(requests), 3)
        self.assertEqual([r.query.get("cursor") for r in requests], [None, ["cur_2"], ["cur_3"]])
        for request in requests:
            self.assertEqual(request.path, "/v1/audit/logs")
            self.assertEqual(request.query["start"], ["2025-01-01T00:00:00Z"])
            self.assertEqual(request.query["model"], ["openai/gpt-4o"])
            self.assertEqual(request.query["endpoint"], ["/v1/embeddings"])
            self.assertEqual(request.query["limit"], ["3"])

    def test_page_api(self) -> None:
        self.server.enqueue(respond_json(200, page(range(0, 2), "cur_2")), respond_json(200, page(range(2, 3))))
        first = self.make_client().audit.logs.list()
        self.assertEqual((len(first.data), first.has_more, first.next_cursor), (2, True, "cur_2"))
        self.assertTrue(first.has_next_page())
        second = first.get_next_page()
        self.assertFalse(second.has_next_page())
        self.assertIsNone(second.next_cursor)
        with self.assertRaises(BentooError):
            second.get_next_page()
        self.assertEqual(self.server.requests[0].query, {})  # None filters are omitted

    def test_iter_pages(self) -> None:
        self.server.enqueue(respond_json(200, page(range(0, 2), "c2")), respond_json(200, page(range(2, 4), "c3")),
                            respond_json(200, page(range(4, 5))))
        sizes = [len(p.data) for p in self.make_client().audit.logs.list().iter_pages()]
        self.assertEqual(sizes, [2, 2, 1])

    def test_repeated_cursor_stops_instead_of_looping(self) -> None:
        self.server.enqueue(respond_json(200, page(range(0, 1), "same")), respond_json(200, page(range(1, 2), "same")))
        with self.assertRaises(BentooError):
            list(self.make_client().audit.logs.list())
        self.assertEqual(len(self.server.requests), 2)

    def test_filters_and_datetimes(self) -> None:
        self.server.enqueue(respond_json(200, page(range(0))))
        plus_two = dt.timezone(dt.timedelta(hours=2))
        self.make_client().audit.logs.list(
            start=dt.datetime(2025, 3, 1, 12, 0, 0),
            end=dt.datetime(2025, 3, 2, 14, 30, 0, 250000, tzinfo=plus_two),
            key_id="AbCd", status=429, event="key.revoked")
        self.assertEqual(self.server.requests[0].query, {
            "start": ["2025-03-01T12:00:00Z"], "end": ["2025-03-02T12:30:00.250000Z"],
            "key_id": ["AbCd"], "status": ["429"], "event": ["key.revoked"]})

    def test_format_time(self) -> None:
        self.assertEqual(format_time(dt.date(2025, 1, 31)), "2025-01-31T00:00:00Z")
        self.assertEqual(format_time("2025-01-31T00:00:00+01:00"), "2025-01-31T00:00:00+01:00")
        self.assertIsNone(format_time(None))
        with self.assertRaises(TypeError):
            format_time(1700000000)  # type: ignore[arg-type]


JSONL = b"".join(json.dumps(record(n)).encode() + b"\n" for n in range(50))


class AuditExportTest(ServerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.path = os.path.join(self.directory.name, "audit.jsonl")

    def test_export_streams_to_a_file(self) -> None:
        pieces = [JSONL[i:i + 97] for i in range(0, len(JSONL), 97)]
        self.server.enqueue(respond_chunked(pieces, content_type="application/x-ndjson"))
        with self.make_client().audit.logs.export(format="jsonl", start="2025-01-01T00:00:00Z",
                                                  key_id="AbCd") as export:
            self.assertEqual(export.content_type, "application/x-ndjson")
            written = export.write_to_file(self.path)
        with open(self.path, "rb") as handle:
            self.assertEqual(handle.read(), JSONL)
        self.assertEqual(written, len(JSONL))
        request = self.server.requests[0]
        self.assertEqual(request.path, "/v1/audit/logs/export")
        self.assertEqual(request.query, {"format": ["jsonl"], "start": ["2025-01-01T00:00:00Z"], "key_id": ["AbCd"]})
        self.assertIn("application/x-ndjson", request.headers["accept"])
        self.assertEqual(os.listdir(self.directory.name), ["audit.jsonl"])

    def test_export_csv_lines(self) -> None:
        csv = b"id,key_id,status\r\nevt_1,AbCd,200\r\nevt_2,AbCd,429\r\n"
        self.server.enqueue(respond_chunked([csv[:20], csv[20:]], content_type="text/csv"))
        export = self.make_client().audit.logs.export(format="csv")
        self.assertEqual(list(export.iter_lines()), ["id,key_id,status", "evt_1,AbCd,200", "evt_2,AbCd,429"])
        self.assertEqual(self.server.requests[0].query, {"format": ["csv"]})

    def test_iter_bytes_rechunks(self) -> None:
        self.server.enqueue(respond_raw(200, JSONL, {"Content-Type": "application/x-ndjson"}))
        export = self.make_client().audit.logs.export()
        pieces = list(export.iter_bytes(1000))
        self.assertEqual(b"".join(pieces), JSONL)
        self.assertTrue(all(len(piece) == 1000 for piece in pieces[:-1]))
        with self.assertRaises(BentooError):
            export.read()  # a streamed body can be consumed once

    def test_truncated_export_raises_and_leaves_no_file(self) -> None:
        def short_body(http: BaseHTTPRequestHandler, recorded: Recorded) -> None:
            http.send_response(200)
            http.send_header("Content-Length", str(len(JSONL)))
            http.end_headers()
            http.wfile.write(JSONL[:100])
            http.close_connection = True
        self.server.enqueue(short_body)
        with self.assertRaises(APIConnectionError):
            self.make_client().audit.logs.export().write_to_file(self.path)
        self.assertEqual(os.listdir(self.directory.name), [])

    def test_export_errors_and_bad_format(self) -> None:
        self.server.enqueue(respond_json(401, error_body("Invalid API key.", "authentication_error", "invalid_api_key")))
        with self.assertRaises(BentooError) as caught:
            self.make_client().audit.logs.export()
        self.assertEqual(getattr(caught.exception, "status", None), 401)
        with self.assertRaises(ValueError):
            self.make_client().audit.logs.export(format="xml")
        self.assertEqual(len(self.server.requests), 1)


class EmbeddingsTest(ServerTestCase):
    VECTOR = [0.5, -0.25, 0.125]
    BASE64 = "AAAAPwAAgL4AAAA+"  # the three values above as little-endian float32

    def answer(self, embedding: Any) -> Dict[str, Any]:
        return {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
                "model": "openai/text-embedding-3-small",
                "usage": {"prompt_tokens": 2, "total_tokens": 2, "cost": 0.000001, "cost_micros": 1}}

    def test_without_encoding_format_asks_for_base64_and_decodes_it(self) -> None:
        self.server.enqueue(respond_json(200, self.answer(self.BASE64)))
        created = self.make_client().embeddings.create(model="openai/text-embedding-3-small", input="hello", dimensions=3)
        self.assertEqual(created["data"][0]["embedding"], self.VECTOR)
        self.assertEqual(created["usage"]["cost_micros"], 1)
        request = self.server.requests[0]
        self.assertEqual((request.method, request.path), ("POST", "/v1/embeddings"))
        self.assertEqual(request.json(), {"model": "openai/text-embedding-3-small", "input": "hello",
                                          "encoding_format": "base64", "dimensions": 3})

    def test_with_an_encoding_format_returns_the_answer_as_it_came(self) -> None:
        self.server.enqueue(respond_json(200, self.answer(self.BASE64)))
        created = self.make_client().embeddings.create(model="m", input=[[1, 2], [3]], encoding_format="base64", user="u-1")
        self.assertEqual(created["data"][0]["embedding"], self.BASE64)
        self.assertEqual(self.server.requests[0].json(), {"model": "m", "input": [[1, 2], [3]], "encoding_format": "base64", "user": "u-1"})
        self.server.enqueue(respond_json(200, self.answer(self.VECTOR)))
        floats = self.make_client().embeddings.create(model="m", input=["a"], encoding_format="float")
        self.assertEqual(floats["data"][0]["embedding"], self.VECTOR)
