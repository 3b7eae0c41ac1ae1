"""One exception class per HTTP status, carrying what the server said."""

from __future__ import annotations

from bentoo import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BentooError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

from .support import ServerTestCase, error_body, respond_json, respond_raw

CASES = [
    (400, BadRequestError, "invalid_request_error", "invalid_request", "messages"),
    (401, AuthenticationError, "authentication_error", "invalid_api_key", None),
    (402, InsufficientCreditsError, "billing_error", "insufficient_credits", None),
    (403, PermissionDeniedError, "permission_error", "plan_limit_reached", None),
    (404, NotFoundError, "not_found_error", "model_not_found", "model"),
    (409, ConflictError, "invalid_request_error", "conflict", None),
    (422, UnprocessableEntityError, "invalid_request_error", "unprocessable", "tools"),
    (429, RateLimitError, "rate_limit_error", "rate_limit_exceeded", None),
    (500, InternalServerError, "api_error", "internal_error", None),
    (502, InternalServerError, "upstream_error", "upstream_error", None),
    (503, InternalServerError, "upstream_error", "upstream_unavailable", None),
    (504, InternalServerError, "upstream_error", "upstream_timeout", None),
]


class StatusErrorTest(ServerTestCase):
    def test_each_status_raises_its_class_with_the_server_fields(self) -> None:
        client = self.make_client(max_retries=0)
        for status, error_class, error_type, code, param in CASES:
            with self.subTest(status=status):
                message = "Problem %d: do something about it." % status
                self.server.enqueue(respond_json(
                    status, error_body(message, error_type, code, param),
                    {"x-request-id": "req_%d" % status}))
                with self.assertRaises(error_class) as caught:
                    client.models.retrieve("openai/gpt-4o")
                error = caught.exception
                self.assertIs(type(error), error_class)
                self.assertIsInstance(error, APIStatusError)
                self.assertIsInstance(error, APIError)
                self.assertIsInstance(error, BentooError)
                self.assertEqual(error.status, status)
                self.assertEqual(error.status_code, status)
                self.assertEqual(error.code, code)
                self.assertEqual(error.type, error_type)
                self.assertEqual(error.param, param)
                self.assertEqual(error.request_id, "req_%d" % status)
                self.assertEqual(error.body, error_body(message, error_type, code, param)["error"])
                self.assertEqual(error.message, "Error code: %d - %s" % (status, message))
                self.assertEqual(str(error), error.message)

    def test_unmapped_status_is_a_plain_status_error(self) -> None:
        self.server.enqueue(respond_json(413, error_body("Body too large.", "invalid_request_error",
                                                         "request_too_large")))
        with self.assertRaises(APIStatusError) as caught:
            self.make_client().models.list()
        self.assertIs(type(caught.exception), APIStatusError)
        self.assertEqual(caught.exception.status, 413)
        self.assertEqual(caught.exception.code, "request_too_large")

    def test_non_json_body_is_tolerated(self) -> None:
        page = b"<html><body>502 Bad Gateway</body></html>"
        self.server.enqueue(respond_raw(502, page, {"Content-Type": "text/html", "x-request-id": "req_html"}))
        with self.assertRaises(InternalServerError) as caught:
            self.make_client(max_retries=0).models.list()
        error = caught.exception
        self.assertEqual(error.message, "Error code: 502 - " + page.decode())
        self.assertEqual(error.body, page.decode())
        self.assertIsNone(error.code)
        self.assertIsNone(error.type)
        self.assertEqual(error.request_id, "req_html")

    def test_empty_body_gives_the_status_alone(self) -> None:
        self.server.enqueue(respond_raw(404, b""))
        with self.assertRaises(NotFoundError) as caught:
            self.make_client().models.list()
        self.assertEqual(caught.exception.message, "Error code: 404")
        self.assertIsNone(caught.exception.body)
        self.assertIsNone(caught.exception.request_id)

    def test_json_without_envelope_is_kept_as_body(self) -> None:
        self.server.enqueue(respond_json(400, {"detail": "nope"}))
        with self.assertRaises(BadRequestError) as caught:
            self.make_client().models.list()
        self.assertEqual(caught.exception.body, {"detail": "nope"})
        self.assertIn('"detail": "nope"', caught.exception.message)

    def test_errors_never_carry_request_headers(self) -> None:
        self.server.enqueue(respond_json(401, error_body("Invalid API key.", "authentication_error",
                                                         "invalid_api_key")))
        with self.assertRaises(AuthenticationError) as caught:
            self.make_client(default_headers={"X-Secret-Header": "hunter2"}).models.list()
        error = caught.exception
        dump = repr(vars(error)) + str(error)
        self.assertNotIn("hunter2", dump)
        self.assertNotIn(self.api_key, dump)
        self.assertNotIn("Bearer", dump)

    def test_connection_errors_are_api_errors_without_status(self) -> None:
        self.assertTrue(issubclass(APITimeoutError, APIConnectionError))
        self.assertTrue(issubclass(APIConnectionError, APIError))
        self.assertFalse(issubclass(APIConnectionError, APIStatusError))
        self.assertIsNone(APIConnectionError().status)
        self.assertEqual(str(APITimeoutError()), "Request timed out.")
