"""``client.responses`` against the server contract: create (JSON and streamed),
retrieve and delete, with ``output_text`` as OpenAI's SDK offers it."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from bentoo import APIConnectionError, APIError, NotFoundError

from .support import ServerTestCase, error_body, respond_chunked, respond_json

RESPONSE: Dict[str, Any] = {
    "id": "resp_0000000000abcdefghij",
    "object": "response",
    "created_at": 1700000000,
    "status": "completed",
    "model": "openai/gpt-4o-mini",
    "output": [
        {"id": "rs_0000000000abcdefghij_0", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Hm."}]},
        {"id": "msg_0000000000abcdefghij_1", "type": "message", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "Hello", "annotations": []},
                     {"type": "output_text", "text": " there", "annotations": []}]},
        {"id": "fc_0000000000abcdefghij_2", "type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
    ],
    "usage": {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12, "cost_micros": 3},
}


def sse(events: List[Dict[str, Any]]) -> List[bytes]:
    return [("event: %s\ndata: %s\n\n" % (event["type"], json.dumps(event))).encode("utf-8") for event in events]


STREAM = [
    {"type": "response.created", "sequence_number": 0, "response": dict(RESPONSE, status="in_progress", output=[])},
    {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1", "output_index": 0,
     "content_index": 0, "delta": "Hi"},
    {"type": "response.completed", "sequence_number": 2, "response": RESPONSE},
]


class ResponsesTest(ServerTestCase):
    def test_create_posts_the_params_and_adds_output_text(self) -> None:
        self.server.enqueue(respond_json(200, RESPONSE))
        result = self.make_client().responses.create(
            model="openai/gpt-4o-mini", input="Hello", instructions="Be brief.", store=False,
            previous_response_id="resp_x", extra_body={"bentoo_tag": "x"})
        self.assertEqual(result["output_text"], "Hello there")
        self.assertEqual(result["usage"]["cost_micros"], 3)
        request = self.server.requests[0]
        self.assertEqual((request.method, request.path), ("POST", "/v1/responses"))
        self.assertEqual(request.json(), {
            "model": "openai/gpt-4o-mini", "input": "Hello", "instructions": "Be brief.", "store": False,
            "previous_response_id": "resp_x", "bentoo_tag": "x"})

    def test_stream_yields_every_named_event_and_ends_at_response_completed(self) -> None:
        self.server.enqueue(respond_chunked(sse(STREAM)))
        with self.make_client().responses.create(model="m", input=[{"role": "user", "content": "Hi"}], stream=True) as stream:
            events = list(stream)
        self.assertEqual([event["type"] for event in events], ["response.created", "response.output_text.delta", "response.completed"])
        self.assertEqual(self.server.requests[0].json()["stream"], True)
        self.assertEqual(self.server.requests[0].headers["accept"], "text/event-stream")

    def test_stream_cut_before_its_last_event_raises_api_connection_error(self) -> None:
        self.server.enqueue(respond_chunked(sse(STREAM[:2])))
        with self.assertRaises(APIConnectionError):
            list(self.make_client().responses.create(model="m", input="x", stream=True))

    def test_error_event_raises_with_its_code_and_message(self) -> None:
        error = {"type": "error", "sequence_number": 1, "code": "upstream_error", "message": "The provider broke off.", "param": None}
        self.server.enqueue(respond_chunked(sse([STREAM[0], error])))
        with self.assertRaises(APIError) as raised:
            list(self.make_client().responses.create(model="m", input="x", stream=True))
        self.assertIn("The provider broke off.", str(raised.exception))

    def test_retrieve_and_delete_by_percent_encoded_id(self) -> None:
        self.server.enqueue(
            respond_json(200, RESPONSE),
            respond_json(200, {"id": RESPONSE["id"], "object": "response", "deleted": True}),
            respond_json(404, error_body("There is no stored response.", "not_found_error", "response_not_found")),
        )
        client = self.make_client(max_retries=0)
        self.assertEqual(client.responses.retrieve(RESPONSE["id"])["output_text"], "Hello there")
        self.assertIsNone(client.responses.delete(RESPONSE["id"]))
        with self.assertRaises(NotFoundError):
            client.responses.retrieve("a/b?c")
        self.assertEqual([(request.method, request.target) for request in self.server.requests], [
            ("GET", "/v1/responses/" + RESPONSE["id"]),
            ("DELETE", "/v1/responses/" + RESPONSE["id"]),
            ("GET", "/v1/responses/a%2Fb%3Fc"),
        ])
        with self.assertRaises(ValueError):
            client.responses.retrieve("")
