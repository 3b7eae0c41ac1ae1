"""End-to-end tests of the Python SDK against a real, running Bentoo.

``setUpClass`` starts the built server exactly as ``npm start`` runs it
(``node apps/gateway/dist/main.js``, on 127.0.0.1 and an ephemeral port, with a
temporary SQLite database) and the fake OpenAI-compatible upstream of
``packages/test-kit``. The server's catalog has one model, ``fake/chat``, served
by that upstream: the demo test key printed in the banner is answered by the
sandbox, a live key created through the admin API reaches the fake upstream.

``npm test`` builds everything first. Without ``node`` or without the build the
tests are skipped with the reason, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

import bentoo
from bentoo import (
    AuthenticationError,
    Bentoo,
    InsufficientCreditsError,
    NotFoundError,
    RateLimitError,
)

from .gateway_process import GATEWAY_MAIN, REPO, Process, child_env, require_built, start_gateway

FAKE_UPSTREAM = os.path.join(REPO, "packages", "test-kit", "dist", "fake-upstream.js")
SDK_SRC = os.path.join(REPO, "sdk-python", "src")
SDK_README = os.path.join(REPO, "sdk-python", "README.md")

ADMIN_TOKEN = "sdk-python-e2e-admin-token-0123456789"
MODEL = "fake/chat"
OUTPUT_MICROS_PER_TOKEN = 1000  # the catalog's $1000 per million output tokens
EMBEDDING_MODEL = "fake/embed"
EMBEDDING_INPUT_MICROS_PER_TOKEN = 1000  # the catalog's $1000 per million input tokens
LIVE_GRANT_MICROS = 10_000_000


# Started with `node --input-type=module -e`: prints its URL as one JSON line, then
# one JSON line per request it receives, and serves until it is terminated.
FAKE_UPSTREAM_RUNNER = """
import { pathToFileURL } from "node:url";
const { startFakeUpstream } = await import(pathToFileURL(process.argv[1]).href);
const upstream = await startFakeUpstream();
const push = upstream.requests.push.bind(upstream.requests);
upstream.requests.push = (...requests) => {
  for (const request of requests) {
    const body = request.body !== null && typeof request.body === "object" ? request.body : {};
    console.log(JSON.stringify({ request: { method: request.method, path: request.path, model: body.model ?? null, stream: body.stream === true } }));
  }
  return push(...requests);
};
console.log(JSON.stringify({ url: upstream.url }));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => upstream.close().then(() => process.exit(0)));
"""


def _readme_python_blocks(after: str) -> List[str]:
    """The ```python blocks of sdk-python/README.md that follow the text ``after``."""
    with open(SDK_README, encoding="utf-8") as handle:
        readme = handle.read()
    at = readme.find(after)
    if at < 0:
        raise AssertionError("sdk-python/README.md has no %r" % after)
    return re.findall(r"```python\n(.*?)```", readme[at:], flags=re.S)


class EndToEndServerTest(unittest.TestCase):
    origin: str
    base_url: str
    test_key: str
    live_key: Dict[str, Any]
    live_account: Dict[str, Any]
    tmp: str
    gateway: Optional[Process] = None
    upstream: Optional[Process] = None

    @classmethod
    def setUpClass(cls) -> None:
        require_built(GATEWAY_MAIN, FAKE_UPSTREAM)

        cls.tmp = tempfile.mkdtemp(prefix="bentoo-sdk-python-e2e-")
        try:
            cls._start()
        except BaseException:
            cls._stop()
            raise

    @classmethod
    def _start(cls) -> None:
        cls.upstream = Process(
            ["node", "--input-type=module", "-e", FAKE_UPSTREAM_RUNNER, FAKE_UPSTREAM], child_env({}))
        text = cls.upstream.wait_for("the fake upstream", lambda out: '{"url":' in out)
        upstream_url = json.loads(next(line for line in text.splitlines() if line.startswith('{"url":')))["url"]

        catalog = os.path.join(cls.tmp, "catalog.json")
        with open(catalog, "w", encoding="utf-8") as handle:
            json.dump({
                "providers": [{"id": "fake", "type": "openai", "base_url": upstream_url, "api_key_env": None}],
                "models": [{
                    "id": MODEL, "provider": "fake", "upstream_model": "fake-model",
                    "input_price_per_mtok": 0, "output_price_per_mtok": 1000,
                    "context_length": 8192, "max_output_tokens": 50,
                }, {
                    "id": EMBEDDING_MODEL, "kind": "embedding", "provider": "fake", "upstream_model": "fake-embed",
                    "input_price_per_mtok": 1000, "context_length": 8191, "dimensions": 16, "min_dimensions": 4,
                }],
            }, handle)
        cls.gateway, cls.origin, demo_key = start_gateway({
            "BENTOO_DATABASE_URL": "sqlite:" + os.path.join(cls.tmp, "bentoo.db"),
            "BENTOO_CATALOG": catalog,
            "BENTOO_ADMIN_TOKEN": ADMIN_TOKEN,
            # The demo account is on the free plan (60 requests a minute); this file sends more.
            "BENTOO_PLAN_FREE_RPM": "100000",
        })
        assert demo_key is not None
        cls.test_key = demo_key
        cls.base_url = cls.origin + "/v1"
        cls.live_account, cls.live_key = cls.new_account("live@sdk-python.e2e", "pro", "live")
        cls.admin("POST", "/admin/v1/accounts/%s/credits" % cls.live_account["id"], {"amount_micros": LIVE_GRANT_MICROS})

    @classmethod
    def tearDownClass(cls) -> None:
        cls._stop()

    @classmethod
    def _stop(cls) -> None:
        for process in (cls.gateway, cls.upstream):
            if process is not None:
                process.stop()
        cls.gateway = cls.upstream = None
        if getattr(cls, "tmp", None):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers -------------------------------------------------------------

    @classmethod
    def admin(cls, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        headers = {"Authorization": "Bearer " + ADMIN_TOKEN}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(cls.origin + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise AssertionError("%s %s answered %d: %s" % (method, path, error.code, error.read().decode("utf-8", "replace")))
        return json.loads(text) if text else {}

    @classmethod
    def new_account(cls, email: str, plan: str, mode: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        account = cls.admin("POST", "/admin/v1/accounts", {"email": email, "plan": plan})
        key = cls.admin("POST", "/admin/v1/accounts/%s/keys" % account["id"], {"name": email + " key", "mode": mode, "scopes": ["inference", "audit:read", "key:read"]})
        return account, key

    def client(self, api_key: str, **options: Any) -> Bentoo:
        options.setdefault("timeout", 15)
        return Bentoo(api_key=api_key, base_url=self.base_url, **options)

    def upstream_requests(self) -> List[Dict[str, Any]]:
        assert self.upstream is not None
        requests = []
        for line in self.upstream.output().splitlines():
            if line.startswith('{"request":'):
                requests.append(json.loads(line)["request"])
        return requests

    def eventually(self, what: str, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what)
            time.sleep(0.2)

    @staticmethod
    def collect(stream: "bentoo.Stream[Any]") -> Tuple[List[Dict[str, Any]], str]:
        with stream:
            chunks = list(stream)
        text = "".join((chunk["choices"][0]["delta"].get("content") or "") for chunk in chunks if chunk["choices"])
        return chunks, text

    # -- the sandbox test key --------------------------------------------------

    def test_chat_with_the_sandbox_test_key(self) -> None:
        completion = self.client(self.test_key).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hello from the Python SDK"}])
        self.assertEqual(completion["object"], "chat.completion")
        self.assertEqual(completion["model"], MODEL)
        self.assertEqual(len(completion["choices"]), 1)
        message = completion["choices"][0]["message"]
        self.assertEqual(message["role"], "assistant")
        self.assertIn('Sandbox answer from fake/chat to "Hello from the Python SDK"', message["content"])
        self.assertEqual(completion["choices"][0]["finish_reason"], "stop")
        usage = completion["usage"]
        self.assertEqual(usage["total_tokens"], usage["prompt_tokens"] + usage["completion_tokens"])
        self.assertEqual(usage["cost_micros"], 0)  # test keys spend nothing

    def test_stream_with_the_sandbox_test_key(self) -> None:
        client = self.client(self.test_key)
        messages = [{"role": "user", "content": "Stream to the Python SDK"}]
        whole = client.chat.completions.create(model=MODEL, messages=messages)
        stream = client.chat.completions.create(
            model=MODEL, messages=messages, stream=True, stream_options={"include_usage": True})
        self.assertIsInstance(stream, bentoo.Stream)
        self.assertRegex(stream.request_id or "", r"^req_")
        chunks, text = self.collect(stream)
        self.assertGreater(len(chunks), 3)
        for chunk in chunks:
            self.assertEqual(chunk["object"], "chat.completion.chunk")
        self.assertEqual(chunks[0]["choices"][0]["delta"].get("role"), "assistant")
        # The sandbox is deterministic: the stream says what the JSON answer said.
        self.assertEqual(text, whole["choices"][0]["message"]["content"])
        self.assertTrue(any(chunk["choices"] and chunk["choices"][0].get("finish_reason") == "stop" for chunk in chunks))
        last = chunks[-1]
        self.assertEqual(last["choices"], [])
        self.assertGreater(last["usage"]["completion_tokens"], 0)
        self.assertEqual(last["usage"]["total_tokens"], last["usage"]["prompt_tokens"] + last["usage"]["completion_tokens"])

    def test_responses_create_stream_continue_retrieve_delete_with_the_test_key(self) -> None:
        client = self.client(self.test_key)
        created = client.responses.create(model=MODEL, instructions="Be brief.", input="Hello from responses")
        self.assertEqual((created["object"], created["status"], created["model"], created["store"]), ("response", "completed", MODEL, True))
        self.assertIn('Sandbox answer from fake/chat to "Hello from responses"', created["output_text"])
        with client.responses.create(model=MODEL, input="Go on", previous_response_id=created["id"], stream=True) as stream:
            events = list(stream)
        self.assertEqual([event["sequence_number"] for event in events], list(range(len(events))))
        self.assertEqual(events[-1]["type"], "response.completed")
        self.assertEqual(events[-1]["response"]["previous_response_id"], created["id"])
        self.assertEqual(client.responses.retrieve(created["id"])["output_text"], created["output_text"])
        client.responses.delete(created["id"])
        with self.assertRaises(bentoo.NotFoundError):
            client.responses.retrieve(created["id"])

    def test_stream_closed_early_leaves_the_client_usable(self) -> None:
        client = self.client(self.test_key)
        stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Stop early"}], stream=True)
        received = 0
        with stream:
            for chunk in stream:
                received += len(chunk["choices"])
                if received >= 2:
                    break
        self.assertEqual(received, 2)
        self.assertEqual(client.models.list()["object"], "list")

    def test_models_list_and_retrieve(self) -> None:
        client = self.client(self.test_key)
        listed = client.models.list()
        self.assertEqual(listed["object"], "list")
        self.assertEqual([model["id"] for model in listed["data"]], [MODEL, EMBEDDING_MODEL])  # BENTOO_CATALOG replaces the built-ins
        model = client.models.retrieve(MODEL)
        self.assertEqual(model["id"], MODEL)
        self.assertEqual(model["object"], "model")
        self.assertEqual(model["context_length"], 8192)
        self.assertEqual(model["pricing"]["input_per_mtok"], 0)
        self.assertEqual(model["pricing"]["output_per_mtok"], 1000)
        self.assertEqual(model, listed["data"][0])
        with self.assertRaises(NotFoundError) as caught:
            client.models.retrieve("fake/no-such-model")
        self.assertEqual(caught.exception.status, 404)

    def test_embeddings_with_the_sandbox_test_key(self) -> None:
        client = self.client(self.test_key)
        decoded = client.embeddings.create(model=EMBEDDING_MODEL, input=["first text", "second text"])
        self.assertEqual([entry["index"] for entry in decoded["data"]], [0, 1])
        first = decoded["data"][0]["embedding"]
        self.assertEqual(len(first), 16)
        self.assertAlmostEqual(sum(value * value for value in first), 1.0, places=5)
        self.assertEqual(decoded["usage"]["prompt_tokens"], 4)
        self.assertEqual(decoded["usage"]["cost_micros"], 0)
        floats = client.embeddings.create(model=EMBEDDING_MODEL, input="first text", encoding_format="float")
        self.assertEqual([round(value, 6) for value in floats["data"][0]["embedding"]], [round(value, 6) for value in first])
        raw = client.embeddings.create(model=EMBEDDING_MODEL, input="first text", encoding_format="base64")
        self.assertIsInstance(raw["data"][0]["embedding"], str)
        self.assertEqual(len(client.embeddings.create(model=EMBEDDING_MODEL, input="short", dimensions=4)["data"][0]["embedding"]), 4)

    def test_key_retrieve_with_the_test_key(self) -> None:
        info = self.client(self.test_key).key.retrieve()
        self.assertEqual(info["object"], "api_key")
        self.assertEqual(info["key_id"], self.test_key[-4:])
        self.assertEqual(info["name"], "demo test key")
        self.assertEqual(info["mode"], "test")
        self.assertEqual(info["account"]["plan"], "free")
        self.assertEqual(info["credits"]["balance_micros"], 0)
        self.assertEqual(info["rate_limits"]["requests_per_minute"], 100000)
        self.assertNotIn(self.test_key, json.dumps(info))

    # -- a live key through the fake upstream ------------------------------------

    def test_key_retrieve_with_a_live_key(self) -> None:
        _, key = self.new_account("introspect@sdk-python.e2e", "pro", "live")
        info = self.client(key["key"]).key.retrieve()
        self.assertEqual(info["id"], key["id"])
        self.assertEqual(info["key_id"], key["key_id"])
        self.assertEqual(info["mode"], "live")
        self.assertEqual(info["account"]["plan"], "pro")
        self.assertEqual(info["rate_limits"]["requests_per_minute"], 600)
        self.assertEqual(info["credits"]["balance_micros"], 0)

    def test_live_chat_through_the_fake_upstream(self) -> None:
        client = self.client(self.live_key["key"])
        before = client.key.retrieve()["credits"]["balance_micros"]
        sent = len(self.upstream_requests())
        completion = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hello from the Python live key"}])
        answer = "Fake answer to: Hello from the Python live key"
        self.assertEqual(completion["choices"][0]["message"]["content"], answer)
        self.assertEqual(completion["model"], MODEL)
        # The fake upstream counts one token per word of its answer.
        tokens = len(answer.split())
        self.assertEqual(completion["usage"]["completion_tokens"], tokens)
        self.assertEqual(completion["usage"]["cost_micros"], tokens * OUTPUT_MICROS_PER_TOKEN)
        requests = self.eventually("the upstream call", lambda: self.upstream_requests()[sent:])
        self.assertEqual(requests[0]["model"], "fake-model")
        self.assertEqual(requests[0]["path"], "/v1/chat/completions")
        expected = before - tokens * OUTPUT_MICROS_PER_TOKEN
        self.eventually(
            "the charge on the balance",
            lambda: client.key.retrieve()["credits"]["balance_micros"] == expected)

    def test_live_embeddings_through_the_fake_upstream(self) -> None:
        client = self.client(self.live_key["key"])
        before = client.key.retrieve()["credits"]["balance_micros"]
        created = client.embeddings.create(model=EMBEDDING_MODEL, input=["one two three", "four"])
        self.assertEqual([len(entry["embedding"]) for entry in created["data"]], [16, 16])
        # The fake upstream counts one token per word of the inputs.
        self.assertEqual(created["usage"]["prompt_tokens"], 4)
        self.assertEqual(created["usage"]["cost_micros"], 4 * EMBEDDING_INPUT_MICROS_PER_TOKEN)
        expected = before - 4 * EMBEDDING_INPUT_MICROS_PER_TOKEN
        self.eventually(
            "the charge on the balance",
            lambda: client.key.retrieve()["credits"]["balance_micros"] == expected)

    def test_live_stream_through_the_fake_upstream(self) -> None:
        stream = self.client(self.live_key["key"]).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Stream the Python live answer"}],
            stream=True, stream_options={"include_usage": True})
        chunks, text = self.collect(stream)
        self.assertEqual(text, "Fake answer to: Stream the Python live answer")
        self.assertTrue(any(chunk["choices"] and chunk["choices"][0].get("finish_reason") == "stop" for chunk in chunks))
        last = chunks[-1]
        self.assertEqual(last["choices"], [])
        self.assertEqual(last["usage"]["completion_tokens"], len(text.split()))
        streamed = self.eventually(
            "the upstream call", lambda: [r for r in self.upstream_requests() if r["stream"]])
        self.assertEqual(streamed[-1]["model"], "fake-model")

    def test_live_stream_reports_its_cost_in_the_usage_chunk(self) -> None:
        stream = self.client(self.live_key["key"]).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "What does a stream cost"}], stream=True,
            stream_options={"include_usage": True})
        chunks, _ = self.collect(stream)
        usage = chunks[-1]["usage"]
        self.assertEqual(usage.get("cost_micros"), usage["completion_tokens"] * OUTPUT_MICROS_PER_TOKEN)

    # -- errors ----------------------------------------------------------------

    def test_revoked_key_raises_authentication_error(self) -> None:
        _, key = self.new_account("revoked@sdk-python.e2e", "free", "live")
        client = self.client(key["key"])
        self.assertEqual(client.key.retrieve()["key_id"], key["key_id"])
        self.admin("DELETE", "/admin/v1/keys/%s" % quote(key["id"]))
        with self.assertRaises(AuthenticationError) as caught:
            client.models.list()
        error = caught.exception
        self.assertIsInstance(error, bentoo.APIStatusError)
        self.assertEqual(error.status, 401)
        self.assertEqual(error.code, "revoked_api_key")
        self.assertEqual(error.type, "authentication_error")
        self.assertRegex(error.request_id or "", r"^req_[0-9A-Za-z]+$")
        self.assertIn(key["key_id"], str(error))
        for text in (str(error), repr(error), repr(error.body)):
            self.assertNotIn(key["key"], text)
        # The same for a streamed chat completion: raised before any chunk.
        with self.assertRaises(AuthenticationError) as streamed:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True)
        self.assertEqual(streamed.exception.code, "revoked_api_key")

    def test_insufficient_credits_raises_insufficient_credits_error(self) -> None:
        account, key = self.new_account("broke@sdk-python.e2e", "free", "live")
        self.admin("POST", "/admin/v1/accounts/%s/credits" % account["id"], {"amount_micros": 10})
        client = self.client(key["key"])
        sent = len(self.upstream_requests())
        for stream in (False, True):
            with self.subTest(stream=stream):
                with self.assertRaises(InsufficientCreditsError) as caught:
                    client.chat.completions.create(
                        model=MODEL, messages=[{"role": "user", "content": "Too expensive"}], max_tokens=50, stream=stream)
                self.assertEqual(caught.exception.status, 402)
                self.assertEqual(caught.exception.code, "insufficient_credits")
                self.assertRegex(caught.exception.request_id or "", r"^req_")
        time.sleep(0.2)
        self.assertEqual(len(self.upstream_requests()), sent)  # refused before the provider

    def test_rate_limit_raises_rate_limit_error_without_retrying(self) -> None:
        account, key = self.new_account("limited@sdk-python.e2e", "free", "test")
        self.admin("PATCH", "/admin/v1/accounts/%s" % account["id"], {"rpm_limit": 1})
        client = self.client(key["key"], max_retries=0)
        messages = [{"role": "user", "content": "One a minute"}]
        client.chat.completions.create(model=MODEL, messages=messages)
        started = time.monotonic()
        with self.assertLogs("bentoo", level="DEBUG") as logs:
            with self.assertRaises(RateLimitError) as caught:
                client.chat.completions.create(model=MODEL, messages=messages)
        error = caught.exception
        self.assertEqual(error.status, 429)
        self.assertEqual(error.code, "rate_limit_exceeded")
        self.assertEqual(error.type, "rate_limit_error")
        self.assertRegex(error.request_id or "", r"^req_")
        self.assertGreater(int(error.headers["retry-after"]), 0)  # type: ignore[index]
        # One request, no retry (the server asks for ~60 s, so a retry would be slow).
        self.assertEqual(sum("Request:" in line for line in logs.output), 1, logs.output)
        self.assertFalse(any("Retrying" in line for line in logs.output), logs.output)
        self.assertLess(time.monotonic() - started, 5)

    # -- audit logs ------------------------------------------------------------

    def _make_audited_requests(self) -> Tuple[str, List[str]]:
        """Five sandbox requests with a user agent of their own; returns it and the streams' request ids."""
        agent = "bentoo-python-e2e/" + uuid.uuid4().hex
        client = self.client(self.test_key, default_headers={"User-Agent": agent})
        stream_ids = []
        for index in range(3):
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "audit %d" % index}])
        for index in range(2):
            stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "audit stream %d" % index}], stream=True)
            self.collect(stream)
            stream_ids.append(stream.request_id)
        return agent, stream_ids

    def _all_records(self, **filters: Any) -> List[Dict[str, Any]]:
        return list(self.client(self.test_key).audit.logs.list(**filters))

    def test_audit_logs_list_auto_paginates(self) -> None:
        start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
        agent, stream_ids = self._make_audited_requests()
        # The audit writer flushes in batches (every 200 ms): wait until the records are stored.
        self.eventually("the audit records", lambda: len([r for r in self._all_records(start=start, limit=1000) if r.get("user_agent") == agent]) == 5)

        end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        page = self.client(self.test_key).audit.logs.list(start=start, end=end, limit=2)
        self.assertEqual(len(page.data), 2)
        self.assertTrue(page.has_next_page())
        pages = list(page.iter_pages())
        self.assertGreaterEqual(len(pages), 3)
        for each in pages:
            self.assertLessEqual(len(each.data), 2)

        records = list(self.client(self.test_key).audit.logs.list(start=start, end=end, limit=2))
        self.assertGreater(len(records), 4)
        self.assertEqual(len({record["id"] for record in records}), len(records))  # no page repeats a record
        ours = [record for record in records if record.get("user_agent") == agent]
        self.assertEqual(len(ours), 5)
        for record in ours:
            self.assertEqual(record["object"], "audit_log")
            self.assertEqual(record["type"], "request")
            self.assertEqual(record["model"], MODEL)
            self.assertEqual(record["status"], 200)
            self.assertEqual(record["key_id"], self.test_key[-4:])
        by_request = {record["request_id"] for record in records}
        for request_id in stream_ids:
            self.assertIn(request_id, by_request)
        times = [record["timestamp"] for record in records]
        self.assertEqual(times, sorted(times))  # oldest first
        self.assertNotIn(self.test_key, json.dumps(records))

        filtered = self._all_records(start=start, model=MODEL, status=200, limit=3)
        self.assertGreaterEqual(len(filtered), 5)
        for record in filtered:
            self.assertEqual((record["model"], record["status"]), (MODEL, 200))

    def test_audit_logs_export_to_a_file(self) -> None:
        start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
        agent, stream_ids = self._make_audited_requests()
        self.eventually("the audit records", lambda: len([r for r in self._all_records(start=start, limit=1000) if r.get("user_agent") == agent]) == 5)
        client = self.client(self.test_key)

        target = os.path.join(self.tmp, "audit.jsonl")
        with client.audit.logs.export(format="jsonl", start=start) as export:
            self.assertIn("application/x-ndjson", export.content_type or "")
            self.assertRegex(export.request_id or "", r"^req_")
            written = export.write_to_file(target)
        self.assertEqual(written, os.path.getsize(target))
        with open(target, encoding="utf-8") as handle:
            lines = [line for line in handle.read().split("\n") if line]
        records = [json.loads(line) for line in lines]
        for record in records:
            self.assertEqual(record["object"], "audit_log")
        self.assertEqual(len([record for record in records if record.get("user_agent") == agent]), 5)
        exported_ids = {record["request_id"] for record in records}
        for request_id in stream_ids:
            self.assertIn(request_id, exported_ids)

        with client.audit.logs.export(format="csv", start=start) as export:
            rows = list(export.iter_lines())
        self.assertIn("request_id", rows[0])
        for request_id in stream_ids:
            self.assertTrue(any(request_id in row for row in rows[1:]), request_id)

    # -- the README ------------------------------------------------------------

    def test_readme_quickstart_runs_against_a_fresh_server(self) -> None:
        """The Quickstart of sdk-python/README.md, its ``...`` placeholders filled in,
        then the block that prints the answer, run with python3 against what
        ``npm start`` serves on a fresh install (built-in catalog, demo test key)."""
        blocks = _readme_python_blocks("## Quickstart")
        self.assertGreaterEqual(len(blocks), 2, "the Quickstart and the block after it")
        quickstart, printing = blocks[0], blocks[1]
        self.assertIn("from bentoo import Bentoo", quickstart)
        body = re.sub(r"\b(model|messages|start|end)=\.\.\.", r"\1=\1", quickstart)
        body = re.sub(r"for (\w+) in ([^\n]*?): \.\.\.", r"for \1 in \2: seen.append(\1)", body)
        self.assertNotIn("...", body.replace('"btoo_sk_live_..."', ""))
        program = "\n".join([
            "import datetime",
            'model = "openai/gpt-6-luna"',
            'messages = [{"role": "user", "content": "Hello"}]',
            "end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)",
            "start = end - datetime.timedelta(hours=1)",
            "seen = []",
            body,
            printing,
            'print("streamed:", "".join((c["choices"][0]["delta"].get("content") or "") for c in seen if c.get("object") == "chat.completion.chunk" and c["choices"]))',
            'print("audit records:", sum(1 for x in seen if x.get("object") == "audit_log"))',
        ])
        script = os.path.join(self.tmp, "quickstart.py")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(program)

        fresh, origin, demo_key = start_gateway({"BENTOO_DATABASE_URL": "sqlite:" + os.path.join(self.tmp, "readme.db")})
        try:
            assert demo_key is not None
            env = child_env({"BENTOO_API_KEY": demo_key, "BENTOO_BASE_URL": origin + "/v1", "PYTHONPATH": SDK_SRC})
            result = subprocess.run(
                [sys.executable or "python3", script], cwd=self.tmp, env=env, capture_output=True, text=True, timeout=60)
        finally:
            fresh.stop()
        sys.stderr.write("\n--- sdk-python README quickstart (exit %d) ---\n%s%s" % (result.returncode, result.stdout, result.stderr))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertRegex(lines[0], r'^Sandbox answer from openai/gpt-6-luna to "Hello"\.')
        self.assertRegex(lines[1], r"^\d+ 0$")  # total_tokens, cost_micros (test keys cost 0)
        self.assertRegex(lines[2], r'^streamed: Sandbox answer from openai/gpt-6-luna to "Hello"\.')
        self.assertRegex(lines[3], r"^audit records: [1-9]\d*$")


if __name__ == "__main__":
    unittest.main()
