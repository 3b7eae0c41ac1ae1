"""``client.models`` -> ``GET /models`` and ``GET /models/{id}``: the catalog,
with pricing and context length per model."""

from __future__ import annotations

from typing import Optional, Union, cast
from urllib.parse import quote

from .._resource import SyncAPIResource
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import Model, ModelList

__all__ = ["Models", "model_path"]


def model_path(model: str) -> str:
    """``/models/<id>`` with each segment of the id percent-encoded and its slashes
    kept (``openai/gpt-6.2-sol`` -> ``/models/openai/gpt-6.2-sol``). Empty, ``.`` and ``..``
    segments are refused: a server or proxy normalising the path would otherwise
    send the request, with the key, to another endpoint."""
    if not isinstance(model, str) or not model:
        raise ValueError("Expected a non-empty model id, such as 'openai/gpt-6-luna'.")
    segments = model.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise ValueError("Invalid model id %r: expected a catalog id such as 'openai/gpt-6.2-sol'." % model)
    return "/models/" + "/".join(quote(segment, safe="") for segment in segments)


class Models(SyncAPIResource):
    def list(
        self,
        *,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> ModelList:
        """Every model in the catalog: ``client.models.list()["data"]``."""
        options = self._options(
            "GET", "/models", extra_headers=extra_headers, extra_query=extra_query,
            timeout=timeout, max_retries=max_retries)
        return cast(ModelList, self._client._request_json(options))

    def retrieve(
        self,
        model: str,
        *,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> Model:
        """One model by id, e.g. ``client.models.retrieve("openai/gpt-6.2-sol")``."""
        options = self._options(
            "GET", model_path(model), extra_headers=extra_headers, extra_query=extra_query,
            timeout=timeout, max_retries=max_retries)
        return cast(Model, self._client._request_json(options))
