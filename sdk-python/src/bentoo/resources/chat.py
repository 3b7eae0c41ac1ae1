"""``client.chat.completions.create()`` -> ``POST /chat/completions``
(https://platform.openai.com/docs/api-reference/chat/create)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, Literal, Optional, Union, cast, overload

from .._resource import SyncAPIResource
from .._streaming import Stream
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

if TYPE_CHECKING:
    from .._base_client import SyncAPIClient

__all__ = ["Chat", "Completions"]


class Completions(SyncAPIResource):
    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[False] = False,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> ChatCompletion: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: Literal[True],
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Stream[ChatCompletionChunk]: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: bool,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Union[ChatCompletion, Stream[ChatCompletionChunk]]: ...

    def create(
        self,
        *,
        model: str,
        messages: Iterable[ChatCompletionMessageParam],
        stream: bool = False,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        **params: Any,
    ) -> Union[ChatCompletion, Stream[ChatCompletionChunk]]:
        """Creates a chat completion. Every other keyword argument (``temperature``,
        ``tools``, ``response_format``, ``stream_options``...) is sent as a body
        field as is. With ``stream=True`` returns a ``Stream`` of chunks."""
        body: Dict[str, Any] = {"model": model, "messages": list(messages)}
        body.update(params)
        if stream:
            body["stream"] = True
        body.update(extra_body or {})
        options = self._options(
            "POST",
            "/chat/completions",
            json_body=body,
            accept="text/event-stream" if stream else "application/json",
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
            max_retries=max_retries,
        )
        if stream:
            return cast("Stream[ChatCompletionChunk]", self._client._request_stream(options))
        return cast(ChatCompletion, self._client._request_json(options))


class Chat(SyncAPIResource):
    completions: Completions

    def __init__(self, client: "SyncAPIClient") -> None:
        super().__init__(client)
        self.completions = Completions(client)
