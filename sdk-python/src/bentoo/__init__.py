"""The official Python SDK for Bentoo, the self-hostable OpenAI-compatible AI API
gateway: one API key for every model in the catalog.

    from bentoo import Bentoo
    client = Bentoo()  # reads BENTOO_API_KEY and BENTOO_BASE_URL
"""

from . import types
from ._client import DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, Bentoo
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BentooError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._pagination import SyncCursorPage
from ._response import BinaryResponseContent
from ._streaming import ServerSentEvent, SSEDecoder, Stream
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .types import (
    ApiKeyInfo,
    AuditPage,
    AuditRecord,
    ChatCompletion,
    ChatCompletionChunk,
    CompletionUsage,
    CreateEmbeddingResponse,
    Embedding,
    Model,
    ModelList,
    Response,
    ResponseStreamEvent,
    ResponseUsage,
)

__all__ = [
    "Bentoo",
    "__version__",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "NOT_GIVEN",
    "NotGiven",
    "Stream",
    "ServerSentEvent",
    "SSEDecoder",
    "SyncCursorPage",
    "BinaryResponseContent",
    "BentooError",
    "APIError",
    "APIStatusError",
    "APIConnectionError",
    "APITimeoutError",
    "BadRequestError",
    "AuthenticationError",
    "InsufficientCreditsError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "types",
    "ChatCompletion",
    "ChatCompletionChunk",
    "CompletionUsage",
    "CreateEmbeddingResponse",
    "Embedding",
    "Model",
    "ModelList",
    "Response",
    "ResponseStreamEvent",
    "ResponseUsage",
    "ApiKeyInfo",
    "AuditRecord",
    "AuditPage",
]
