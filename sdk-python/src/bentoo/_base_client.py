"""The transport: builds requests, sends them with ``http.client``, retries.

One connection per request keeps the client thread-safe without a pool, and
``http.client`` lets a streamed body be read as it arrives. The retry policy is
openai-python's: 408/409/429/5xx, connection errors and timeouts; the server's
``retry-after-ms`` / ``Retry-After`` when it is within 60 s, else 0.5 s doubling
to 8 s with up to 25 % jitter. A stream is never retried once its body started.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import socket
import ssl
import time
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import urlencode

from ._body import close_response
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    make_status_error,
    redact_secret,
)
from ._response import BinaryResponseContent
from ._streaming import Stream
from ._types import NotGiven, Query, RequestOptions, Timeout
from ._version import __version__

log = logging.getLogger("bentoo")

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_SERVER_RETRY_DELAY = 60.0
_RETRYABLE_STATUSES = frozenset({408, 409, 429})
# Enough of an error body to show its message; the rest is never needed.
_MAX_ERROR_BODY = 1024 * 1024


class _Exchange(NamedTuple):
    connection: http.client.HTTPConnection
    response: http.client.HTTPResponse
    sock: Optional[socket.socket]


class SyncAPIClient:
    base_url: str
    timeout: Timeout
    max_retries: int

    def __init__(
        self,
        *,
        api_key: str,
        scheme: str,
        host: str,
        port: Optional[int],
        base_path: str,
        timeout: Timeout,
        max_retries: int,
        default_headers: Optional[Mapping[str, Optional[str]]],
    ) -> None:
        self._api_key = api_key
        self._scheme = scheme
        self._host = host
        self._port = port
        self._base_path = base_path
        self.timeout = timeout
        self.max_retries = max_retries
        self._default_headers: Dict[str, Optional[str]] = dict(default_headers or {})
        self._ssl_context: Optional[ssl.SSLContext] = None
        # Injection points so tests can assert exact retry delays without waiting.
        self._sleep: Callable[[float], None] = time.sleep
        self._random: Callable[[], float] = random.random
        self._clock: Callable[[], float] = time.time

    # -- the three response kinds -------------------------------------------------

    def _request_json(self, options: RequestOptions) -> Any:
        exchange, raw = self._attempts(options, read_body=True)
        response = exchange.response
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise APIError(
                "Could not parse the response body as JSON (status %d)." % response.status,
                status=response.status,
                body=raw.decode("utf-8", errors="replace")[:500],
                headers=response.headers,
                request_id=response.headers.get("x-request-id"),
            ) from None

    def _request_stream(self, options: RequestOptions, is_last: Optional[Callable[[Any], bool]] = None) -> Stream[Any]:
        """``is_last`` recognises the last event of a stream that has no ``data: [DONE]``."""
        exchange, _ = self._attempts(options, read_body=False)
        return Stream(response=exchange.response, connection=exchange.connection, sock=exchange.sock, is_last=is_last)

    def _request_binary(self, options: RequestOptions) -> BinaryResponseContent:
        exchange, _ = self._attempts(options, read_body=False)
        return BinaryResponseContent(
            response=exchange.response, connection=exchange.connection, sock=exchange.sock)

    # -- retries ------------------------------------------------------------------

    def _attempts(self, options: RequestOptions, *, read_body: bool) -> Tuple[_Exchange, bytes]:
        """Sends the request, retrying as the policy allows. With ``read_body`` the
        whole body is read (and a failed read retried); without it the body is left
        unread for a stream, which is therefore never retried once it started."""
        max_retries = self._resolve_max_retries(options)
        timeout = self.timeout if isinstance(options.timeout, NotGiven) else options.timeout
        target = self._build_target(options.path, options.query)
        headers = self._build_headers(options)
        body = None if options.json_body is None else json.dumps(options.json_body).encode("utf-8")
        retries_done = 0
        while True:
            log.debug("Request: %s %s", options.method, self._display_url(target))
            response_headers: Optional[Mapping[str, str]] = None
            try:
                exchange = self._send_once(options.method, target, headers, body, timeout)
                connection, response = exchange.connection, exchange.response
                log.debug("Response: %d %s (request id %s)", response.status, target,
                          response.headers.get("x-request-id"))
                if not 200 <= response.status < 300:
                    raw_error = _read_error_body(response)
                    close_response(response, connection)
                    error: APIError = redact_secret(
                        make_status_error(response.status, raw_error, response.headers), self._api_key)
                    if retries_done >= max_retries or not _should_retry(response):
                        raise error
                    response_headers = response.headers
                elif not read_body:
                    return exchange, b""
                else:
                    try:
                        raw = response.read()
                    finally:
                        close_response(response, connection)
                    return exchange, raw
            except socket.timeout as cause:
                error = APITimeoutError()
                if retries_done >= max_retries:
                    raise error from cause
            except (OSError, http.client.HTTPException) as cause:
                error = APIConnectionError(
                    "Connection error: could not complete the request to %s (%s)."
                    % (self._display_origin(), type(cause).__name__))
                if retries_done >= max_retries:
                    raise error from cause
            delay = self._retry_delay(retries_done, response_headers)
            log.info("Retrying %s %s in %.3f s after: %s", options.method, target, delay, error.message)
            self._sleep(delay)
            retries_done += 1

    def _retry_delay(self, retries_done: int, headers: Optional[Mapping[str, str]]) -> float:
        server_delay = self._server_retry_delay(headers)
        if server_delay is not None and 0 < server_delay <= MAX_SERVER_RETRY_DELAY:
            return server_delay
        backoff = min(INITIAL_RETRY_DELAY * (2 ** retries_done), MAX_RETRY_DELAY)
        return backoff * (1 - self._random() * 0.25)

    def _server_retry_delay(self, headers: Optional[Mapping[str, str]]) -> Optional[float]:
        """Seconds the server asked to wait: ``retry-after-ms`` first, then
        ``Retry-After`` as seconds or as an HTTP date."""
        if headers is None:
            return None
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            try:
                return float(milliseconds) / 1000.0
            except ValueError:
                pass
        retry_after = headers.get("retry-after")
        if retry_after is None:
            return None
        try:
            return float(retry_after)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(retry_after)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return when.timestamp() - self._clock()

    def _resolve_max_retries(self, options: RequestOptions) -> int:
        if isinstance(options.max_retries, NotGiven):
            return self.max_retries
        return validate_max_retries(options.max_retries)

    # -- one attempt ---------------------------------------------------------------

    def _send_once(
        self, method: str, target: str, headers: Dict[str, str], body: Optional[bytes], timeout: Timeout
    ) -> _Exchange:
        connection: http.client.HTTPConnection
        if self._scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=self._ssl_context)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        try:
            connection.request(method, target, body=body, headers=headers)
            sock = connection.sock  # getresponse() may hand it over to the response
            return _Exchange(connection, connection.getresponse(), sock)
        except BaseException:
            connection.close()
            raise

    def _build_target(self, path: str, query: Optional[Query]) -> str:
        target = self._base_path + path
        pairs = encode_query(query)
        return target + "?" + urlencode(pairs) if pairs else target

    def _build_headers(self, options: RequestOptions) -> Dict[str, str]:
        merged: Dict[str, Tuple[str, Optional[str]]] = {}
        layers: List[Mapping[str, Optional[str]]] = [
            {
                "Authorization": "Bearer " + self._api_key,
                "Content-Type": "application/json",
                "Accept": options.accept,
                "X-Bentoo-SDK": "python/" + __version__,
                "User-Agent": "bentoo-python/" + __version__,
            },
            self._default_headers,
            options.extra_headers or {},
        ]
        for layer in layers:
            for name, value in layer.items():
                merged[name.lower()] = (name, value)  # a None value removes the header
        return {name: value for name, value in merged.values() if value is not None}

    def _display_origin(self) -> str:
        host = "[%s]" % self._host if ":" in self._host else self._host
        port = "" if self._port is None else ":%d" % self._port
        return "%s://%s%s" % (self._scheme, host, port)

    def _display_url(self, target: str) -> str:
        return self._display_origin() + target


def encode_query(query: Optional[Query]) -> List[Tuple[str, str]]:
    """Query pairs: None values are left out, booleans are ``true``/``false``,
    lists and tuples repeat the key."""
    pairs: List[Tuple[str, str]] = []
    for name, value in (query or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((name, str(item)))
    return pairs


def validate_max_retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("max_retries must be a non-negative integer")
    return value


def _should_retry(response: http.client.HTTPResponse) -> bool:
    # The server may decide explicitly, as OpenAI's does.
    verdict = (response.headers.get("x-should-retry") or "").strip().lower()
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return response.status in _RETRYABLE_STATUSES or response.status >= 500


def _read_error_body(response: http.client.HTTPResponse) -> bytes:
    try:
        return response.read(_MAX_ERROR_BODY)
    except (OSError, http.client.HTTPException):
        return b""
