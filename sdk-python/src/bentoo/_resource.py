"""The base of every resource class: a handle on the client plus a helper that
turns per-call keyword options into ``RequestOptions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from ._types import NOT_GIVEN, Headers, NotGiven, Query, RequestOptions, Timeout

if TYPE_CHECKING:
    from ._base_client import SyncAPIClient


class SyncAPIResource:
    def __init__(self, client: "SyncAPIClient") -> None:
        self._client = client

    @staticmethod
    def _options(
        method: str,
        path: str,
        *,
        query: Optional[Query] = None,
        json_body: Optional[Dict[str, Any]] = None,
        accept: str = "application/json",
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> RequestOptions:
        merged_query: Dict[str, Any] = dict(query or {})
        merged_query.update(extra_query or {})
        return RequestOptions(
            method,
            path,
            query=merged_query,
            json_body=json_body,
            accept=accept,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
