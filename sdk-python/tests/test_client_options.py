"""Client construction: key and base URL resolution, key hygiene, headers."""

from __future__ import annotations

import logging
import os

from bentoo import APITimeoutError, AuthenticationError, Bentoo, BentooError

from .support import ServerTestCase, error_body, hang, make_key, respond_json, respond_raw

MODELS = {"object": "list", "data": []}


class ApiKeyResolutionTest(ServerTestCase):
    def test_missing_key_names_the_environment_variable_and_the_argument(self) -> None:
        with self.assertRaises(BentooError) as caught:
            Bentoo(base_url=self.server.base_url)
        self.assertIn("BENTOO_API_KEY", str(caught.exception))
        self.assertIn("api_key=", str(caught.exception))

    def test_empty_environment_variable_counts_as_missing(self) -> None:
        os.environ["BENTOO_API_KEY"] = ""
        with self.assertRaises(BentooError) as caught:
            Bentoo(base_url=self.server.base_url)
        self.assertIn("BENTOO_API_KEY", str(caught.exception))

    def test_key_is_read_from_the_environment(self) -> None:
        os.environ["BENTOO_API_KEY"] = self.api_key
        os.environ["BENTOO_BASE_URL"] = self.server.base_url
        self.server.enqueue(respond_json(200, MODELS))
        Bentoo().models.list()
        self.assertEqual(self.server.requests[0].headers["authorization"], "Bearer " + self.api_key)

    def test_explicit_key_wins_over_the_environment(self) -> None:
        os.environ["BENTOO_API_KEY"] = make_key("live")
        self.server.enqueue(respond_json(200, MODELS))
        self.make_client().models.list()
        self.assertEqual(self.server.requests[0].headers["authorization"], "Bearer " + self.api_key)

    def test_malformed_key_is_rejected_before_any_request(self) -> None:
        os.environ["BENTOO_BASE_URL"] = self.server.base_url
        bad_checksum = self.api_key[:-1] + ("A" if self.api_key[-1] != "A" else "B")
        for candidate in ["sk-abcdef", self.api_key[:-2], bad_checksum, "btoo_sk_live_" + "x" * 32]:
            with self.assertRaises(BentooError) as caught:
                Bentoo(api_key=candidate)
            message = str(caught.exception)
            self.assertIn("doesn't look like a Bentoo key", message)
            self.assertNotIn(candidate, message)
            self.assertNotIn(candidate[-10:], message)
        self.assertEqual(self.server.requests, [])

    def test_malformed_key_from_the_environment_is_rejected(self) -> None:
        os.environ["BENTOO_API_KEY"] = "btoo_sk_live_short"
        with self.assertRaises(BentooError) as caught:
            Bentoo(base_url=self.server.base_url)
        self.assertNotIn("btoo_sk_live_short", str(caught.exception))


class KeyHygieneTest(ServerTestCase):
    def test_repr_and_str_show_only_the_key_id(self) -> None:
        client = self.make_client()
        for text in (repr(client), str(client), "%s" % client, repr(client.with_options(timeout=5))):
            self.assertNotIn(self.api_key, text)
            self.assertNotIn(self.api_key[13:-4], text)
            self.assertIn(self.api_key[-4:], text)
        self.assertEqual(client.key_id, self.api_key[-4:])
        self.assertEqual(client.mode, "test")

    def test_key_is_absent_from_errors_even_when_the_server_echoes_it(self) -> None:
        echo = "Invalid API key Bearer %s" % self.api_key
        self.server.enqueue(respond_json(401, error_body(echo, "authentication_error", "invalid_api_key")))
        with self.assertRaises(AuthenticationError) as caught:
            self.make_client().models.list()
        error = caught.exception
        for text in (str(error), repr(error), error.message, repr(error.body), repr(error.args)):
            self.assertNotIn(self.api_key, text)
        self.assertIn("[REDACTED]", error.message)

    def test_key_is_absent_from_non_json_error_bodies(self) -> None:
        page = "<html>Authorization: Bearer %s</html>" % self.api_key
        self.server.enqueue(respond_raw(400, page.encode(), {"Content-Type": "text/html"}))
        with self.assertRaises(BentooError) as caught:
            self.make_client().models.list()
        self.assertNotIn(self.api_key, str(caught.exception))
        self.assertNotIn(self.api_key, repr(caught.exception.body))  # type: ignore[attr-defined]

    def test_key_is_absent_from_logs(self) -> None:
        self.server.enqueue(respond_json(503, error_body("busy", "api_error", "service_unavailable")),
                            respond_json(200, MODELS))
        with self.assertLogs("bentoo", level=logging.DEBUG) as logs:
            self.make_client().models.list()
        self.assertGreaterEqual(len(logs.output), 3)
        for line in logs.output:
            self.assertNotIn(self.api_key, line)
            self.assertNotIn("Bearer", line)


class BaseUrlTest(ServerTestCase):
    def test_default_base_url_is_the_local_gateway(self) -> None:
        self.assertEqual(Bentoo(api_key=self.api_key).base_url, "http://127.0.0.1:8080/v1")

    def test_base_url_from_the_environment(self) -> None:
        os.environ["BENTOO_BASE_URL"] = self.server.base_url
        self.server.enqueue(respond_json(200, MODELS))
        client = Bentoo(api_key=self.api_key)
        client.models.list()
        self.assertEqual(client.base_url, self.server.base_url)
        self.assertEqual(self.server.requests[0].path, "/v1/models")

    def test_trailing_slash_is_tolerated(self) -> None:
        self.server.enqueue(respond_json(200, MODELS))
        self.make_client(base_url=self.server.base_url + "/").models.list()
        self.assertEqual(self.server.requests[0].path, "/v1/models")

    def test_non_http_base_url_is_rejected(self) -> None:
        for url in ("ftp://example.com/v1", "127.0.0.1:8080/v1", "http:///v1"):
            with self.assertRaises(BentooError):
                Bentoo(api_key=self.api_key, base_url=url)


class HeadersAndOptionsTest(ServerTestCase):
    def test_standard_headers(self) -> None:
        self.server.enqueue(respond_json(200, MODELS))
        self.make_client().models.list()
        headers = self.server.requests[0].headers
        self.assertEqual(headers["authorization"], "Bearer " + self.api_key)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["accept"], "application/json")
        self.assertEqual(headers["x-bentoo-sdk"], "python/0.1.0")
        self.assertEqual(headers["user-agent"], "bentoo-python/0.1.0")

    def test_default_and_extra_headers(self) -> None:
        self.server.enqueue(respond_json(200, MODELS), respond_json(200, MODELS))
        client = self.make_client(default_headers={"X-Team": "search", "X-Trace": "a"})
        client.models.list(extra_headers={"x-trace": "b", "X-Team": None})
        client.models.list()
        first, second = self.server.requests
        self.assertEqual(first.headers.get("x-trace"), "b")
        self.assertNotIn("x-team", first.headers)
        self.assertEqual(second.headers.get("x-team"), "search")
        self.assertEqual(second.headers.get("x-trace"), "a")

    def test_extra_query(self) -> None:
        self.server.enqueue(respond_json(200, MODELS))
        self.make_client().models.list(extra_query={"provider": "openai"})
        self.assertEqual(self.server.requests[0].query, {"provider": ["openai"]})

    def test_per_call_timeout_overrides_the_client_timeout(self) -> None:
        self.server.enqueue(hang(self.server))
        client = self.make_client(timeout=600.0, max_retries=0)
        with self.assertRaises(APITimeoutError):
            client.models.list(timeout=0.2)
        self.assertEqual(len(self.server.requests), 1)

    def test_with_options_keeps_the_key(self) -> None:
        self.server.enqueue(respond_json(200, MODELS))
        copy = self.make_client().with_options(max_retries=5, timeout=3)
        copy.models.list()
        self.assertEqual(copy.max_retries, 5)
        self.assertEqual(copy.timeout, 3.0)
        self.assertEqual(self.server.requests[0].headers["authorization"], "Bearer " + self.api_key)

    def test_invalid_options_are_rejected(self) -> None:
        with self.assertRaises(ValueError):
            self.make_client(max_retries=-1)
        with self.assertRaises(ValueError):
            self.make_client(timeout=0)
