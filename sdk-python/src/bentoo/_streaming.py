"""Server-sent events: a line splitter, an SSE decoder and the ``Stream`` iterator.

The wire format is the WHATWG event-stream format
(https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream)
as OpenAI uses it: ``data: <json>`` events separated by blank lines, ending with
``data: [DONE]``. Bytes are split into lines first and each complete line is
decoded, so a UTF-8 character cut in two by the network is never mangled.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any, Callable, Generic, Iterable, Iterator, List, Mapping, Optional, TypeVar

from ._body import ResponseBody
from ._errors import APIConnectionError, APIError, make_stream_error

__all__ = ["ServerSentEvent", "SSEDecoder", "Stream", "iter_lines"]

_T = TypeVar("_T")
DONE = "[DONE]"


def iter_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yields lines without terminators; ``\\n``, ``\\r\\n`` and ``\\r`` all end a line,
    even when a ``\\r\\n`` pair is split across two chunks. A last line without a
    terminator is yielded too."""
    partial: List[bytes] = []
    skip_leading_lf = False
    for chunk in chunks:
        if skip_leading_lf:
            skip_leading_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not chunk:
            continue
        if b"\n" not in chunk and b"\r" not in chunk:
            partial.append(chunk)
            continue
        partial.append(chunk)
        lines = b"".join(partial).splitlines(keepends=True)
        partial = []
        for line in lines:
            if line.endswith(b"\r\n"):
                yield line[:-2]
            elif line.endswith((b"\n", b"\r")):
                yield line[:-1]
            else:
                partial.append(line)  # only the last piece can lack a terminator
        skip_leading_lf = chunk.endswith(b"\r")
    if partial:
        yield b"".join(partial)


class ServerSentEvent:
    __slots__ = ("event", "data", "id", "retry")

    def __init__(
        self,
        *,
        event: Optional[str] = None,
        data: str = "",
        id: Optional[str] = None,
        retry: Optional[int] = None,
    ) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def json(self) -> Any:
        return json.loads(self.data)

    def __repr__(self) -> str:
        return "ServerSentEvent(event=%r, data=%r, id=%r, retry=%r)" % (
            self.event, self.data, self.id, self.retry)


class SSEDecoder:
    """Turns decoded lines into events; an empty line dispatches the pending event."""

    def __init__(self) -> None:
        self._event: Optional[str] = None
        self._data: List[str] = []
        self._saw_data = False
        self._last_event_id: Optional[str] = None
        self._retry: Optional[int] = None

    def decode(self, line: str) -> Optional[ServerSentEvent]:
        if line == "":
            return self.flush()
        if line.startswith(":"):
            return None  # a comment, such as a keep-alive ``: ping``
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._saw_data = True
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._last_event_id = value
        elif field == "retry":
            if value.isdigit():
                self._retry = int(value)
        return None

    def flush(self) -> Optional[ServerSentEvent]:
        """Returns the pending event (if any) and starts a new one."""
        if not self._saw_data and self._event is None:
            return None
        event = ServerSentEvent(
            event=self._event or None,
            data="\n".join(self._data),
            id=self._last_event_id,
            retry=self._retry,
        )
        self._event = None
        self._data = []
        self._saw_data = False
        return event

    def iter_events(self, chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
        first = True
        for raw_line in iter_lines(chunks):
            line = raw_line.decode("utf-8", errors="replace")
            if first:
                first = False
                if line.startswith("\ufeff"):
                    line = line[1:]
            event = self.decode(line)
            if event is not None:
                yield event


class Stream(Generic[_T]):
    """Iterates the JSON events of a streamed response until ``data: [DONE]`` or,
    for an API whose streams have no ``[DONE]`` (the Responses API), until the
    event ``is_last`` recognises; such an API's named events are all yielded.

    Use it as a context manager, or call ``close()``, to release the connection
    when you stop early; ``close()`` may be called from another thread to abort.
    Raises ``APIError`` (the status class matching the error) on an error event
    and ``APIConnectionError`` if the body ends before its end.
    """

    response: http.client.HTTPResponse

    def __init__(
        self,
        *,
        response: http.client.HTTPResponse,
        connection: Optional[http.client.HTTPConnection] = None,
        sock: Optional[socket.socket] = None,
        is_last: Optional[Callable[[Any], bool]] = None,
    ) -> None:
        self.response = response
        self._body = ResponseBody(response, connection, sock)
        self._is_last = is_last
        self._iterator = self._iterate()

    @property
    def request_id(self) -> Optional[str]:
        return self.response.headers.get("x-request-id")

    @property
    def headers(self) -> Mapping[str, str]:
        return self.response.headers

    def __iter__(self) -> Iterator[_T]:
        return self

    def __next__(self) -> _T:
        return next(self._iterator)

    def __enter__(self) -> "Stream[_T]":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        self._body.close()

    def _iterate(self) -> Iterator[_T]:
        decoder = SSEDecoder()
        try:
            for event in decoder.iter_events(self._body.chunks()):
                if self._body.closed:
                    return  # events still buffered when close() was called
                if event.data == DONE:
                    return
                if event.event == "error":
                    raise make_stream_error(_error_object(event.data), self.response.headers)
                named = event.event not in (None, "message")
                if not event.data or (named and self._is_last is None):
                    continue  # named events this SDK does not know about yet
                payload = _parse_event(event.data)
                if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                    raise make_stream_error(payload["error"], self.response.headers)
                yield payload
                if self._is_last is not None and self._is_last(payload):
                    return
            if self._body.closed:
                return
            pending = decoder.flush()
            if pending is not None and pending.data == DONE:
                return
            raise APIConnectionError(
                "The stream ended before %s; the response is incomplete."
                % ("data: [DONE]" if self._is_last is None else "its last event"))
        finally:
            self.close()


def _parse_event(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise APIError("Could not parse a stream event as JSON.", body=data) from None


def _error_object(data: str) -> Any:
    try:
        parsed = json.loads(data)
    except ValueError:
        return {"message": data} if data else None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return parsed["error"]
    return parsed
