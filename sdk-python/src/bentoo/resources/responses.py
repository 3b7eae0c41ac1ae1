"""``client.responses`` -> OpenAI's Responses API: ``POST /responses``,
``GET /responses/{id}`` and ``DELETE /responses/{id}``
(https://platform.openai.com/docs/api-reference/responses)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Literal, Optional, Union, cast, overload
from urllib.parse import quote

from .._resource import SyncAPIResource
from .._streaming import Stream
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import Response, ResponseStreamEvent

__all__ = ["Responses"]

# The events a Responses stream ends with (no ``data: [DONE]`` follows them).
_LAST_EVENTS = frozenset(["response.completed", "response.incomplete", "response.failed"])


def _is_last(event: Any) -> bool:
    return isinstance(event, dict) and event.get("type") in _LAST_EVENTS


def _with_output_text(response: Any) -> Response:
    """Adds ``output_text``: every ``output_text`` part of the output's messages,
    joined (as OpenAI's SDK offers it)."""
    if isinstance(response, dict):
        texts = [
            part.get("text", "")
            for item in response.get("output") or []
            if isinstance(item, dict) and item.get("type") == "message"
            for part in item.get("content") or []
            if isinstance(part, dict) and part.get("type") == "output_text"
        ]
        response["output_text"] = "".join(texts)
    return cast(Response, response)


def _response_path(response_id: str) -> str:
    if not isinstance(response_id, str) or not response_id:
        raise ValueError("Expected a non-empty response id, such as 'resp_...'.")
    return "/responses/" + quote(response_id, safe="")


class Responses(SyncAPIResource):
    @overload
    def create(
        self,
        *,
        model: str,
        input: Union[str, Iterable[Dict[str, Any]], NotGiven] = NOT_GIVEN,
        stream: Literal[False] = False,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Response: ...

    @overload
    def create(
        self,
        *,
        model: str,
        input: Union[str, Iterable[Dict[str, Any]], NotGiven] = NOT_GIVEN,
        stream: Literal[True],
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Stream[ResponseStreamEvent]: ...

    def create(
        self,
        *,
        model: str,
        input: Union[str, Iterable[Dict[str, Any]], NotGiven] = NOT_GIVEN,
        stream: bool = False,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Union[Response, Stream[ResponseStreamEvent]]:
        """Creates a response. Every other keyword argument (``instructions``,
        ``tools``, ``text``, ``previous_response_id``, ``store``...) is sent as a
        body field as is. With ``stream=True`` returns a ``Stream`` of semantic
        events that ends with ``response.completed`` (or ``.incomplete``, or
        ``.failed`` after an ``error`` event, which raises the matching error)."""
        body: Dict[str, Any] = {"model": model}
        if not isinstance(input, NotGiven):
            body["input"] = input if isinstance(input, str) else list(input)
        body.update(params)
        if stream:
            body["stream"] = True
        body.update(extra_body or {})
        options = self._options(
            "POST",
            "/responses",
            json_body=body,
            accept="text/event-stream" if stream else "application/json",
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
            max_retries=max_retries,
        )
        if stream:
            return cast("Stream[ResponseStreamEvent]", self._client._request_stream(options, is_last=_is_last))
        return _with_output_text(self._client._request_json(options))

    def retrieve(
        self,
        response_id: str,
        *,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> Response:
        """A stored response of this account (``NotFoundError`` for any other)."""
        options = self._options(
            "GET", _response_path(response_id), extra_headers=extra_headers, extra_query=extra_query,
            timeout=timeout, max_retries=max_retries)
        return _with_output_text(self._client._request_json(options))

    def delete(
        self,
        response_id: str,
        *,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> None:
        """Deletes a stored response of this account (``NotFoundError`` for any other)."""
        options = self._options(
            "DELETE", _response_path(response_id), extra_headers=extra_headers, extra_query=extra_query,
            timeout=timeout, max_retries=max_retries)
        self._client._request_json(options)
