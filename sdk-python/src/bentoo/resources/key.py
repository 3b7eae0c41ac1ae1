"""``client.key.retrieve()`` -> ``GET /key``: the calling key, its account, rate
limits and credit balance. Never returns the key itself, only its key ID."""

from __future__ import annotations

from typing import Optional, Union, cast

from .._resource import SyncAPIResource
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import ApiKeyInfo

__all__ = ["Key"]


class Key(SyncAPIResource):
    def retrieve(
        self,
        *,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> ApiKeyInfo:
        options = self._options(
            "GET", "/key", extra_headers=extra_headers, extra_query=extra_query,
            timeout=timeout, max_retries=max_retries)
        return cast(ApiKeyInfo, self._client._request_json(options))
