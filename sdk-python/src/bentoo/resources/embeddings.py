"""``client.embeddings.create()`` -> ``POST /embeddings``
(https://platform.openai.com/docs/api-reference/embeddings/create)."""

from __future__ import annotations

import base64
import struct
from typing import Any, Dict, List, Optional, Union, cast

from .._resource import SyncAPIResource
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import CreateEmbeddingResponse

__all__ = ["Embeddings", "decode_float32"]

EmbeddingInput = Union[str, List[str], List[int], List[List[int]]]


def decode_float32(text: str) -> List[float]:
    """Little-endian float32 values from base64 (OpenAI's ``encoding_format="base64"``)."""
    raw = base64.b64decode(text)
    return list(struct.unpack("<%df" % (len(raw) // 4), raw[: len(raw) // 4 * 4]))


class Embeddings(SyncAPIResource):
    def create(
        self,
        *,
        model: str,
        input: EmbeddingInput,
        encoding_format: Union[str, NotGiven] = NOT_GIVEN,
        dimensions: Union[int, NotGiven] = NOT_GIVEN,
        user: Union[str, NotGiven] = NOT_GIVEN,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        extra_body: Optional[Dict[str, Any]] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> CreateEmbeddingResponse:
        """Embedding vectors for ``input`` (a string, a list of strings, a list of
        token ids, or a list of such lists; at most 2,048 inputs), in order, from an
        embedding model of the catalog. Without ``encoding_format`` the vectors
        travel as base64 and come back decoded into lists of floats, as OpenAI's
        SDK does; with ``encoding_format="base64"`` each ``embedding`` is the
        base64 text as sent. ``dimensions`` asks for shorter vectors from models
        that can shorten theirs."""
        decode = isinstance(encoding_format, NotGiven)
        body: Dict[str, Any] = {"model": model, "input": input, "encoding_format": "base64" if decode else encoding_format}
        if not isinstance(dimensions, NotGiven):
            body["dimensions"] = dimensions
        if not isinstance(user, NotGiven):
            body["user"] = user
        body.update(extra_body or {})
        options = self._options(
            "POST",
            "/embeddings",
            json_body=body,
            extra_headers=extra_headers,
            extra_query=extra_query,
            timeout=timeout,
            max_retries=max_retries,
        )
        response = cast(CreateEmbeddingResponse, self._client._request_json(options))
        if decode:
            for entry in response.get("data", []):
                embedding = entry.get("embedding")
                if isinstance(embedding, str):
                    entry["embedding"] = decode_float32(embedding)
        return response
