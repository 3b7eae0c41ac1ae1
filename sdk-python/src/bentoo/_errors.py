"""The exception hierarchy, named after openai-python's (and the JS SDK's).

``BentooError`` is the root of everything the SDK raises on purpose. An
``APIError`` carries what the gateway said (OpenAI's envelope
``{"error":{"message","type","param","code"}}``); ``APIStatusError`` and its
subclasses add the HTTP status, one class per status. Nothing here ever holds
request headers, so the API key cannot leak through an exception.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
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
]

# Longest slice of a non-JSON error body quoted in a message (an HTML error page
# from a proxy is useful to see, but not in full).
_MAX_TEXT_IN_MESSAGE = 500


class BentooError(Exception):
    """Base class of every error the SDK raises."""


class APIError(BentooError):
    """An error reported by (or while talking to) the Bentoo API."""

    message: str
    status: Optional[int]
    code: Optional[str]
    type: Optional[str]
    param: Optional[str]
    request_id: Optional[str]
    body: Any
    headers: Optional[Mapping[str, str]]

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # Like openai-python, ``body`` is the inner ``error`` object when the
        # response is the standard envelope, else the decoded body.
        self.body = body
        self.headers = headers
        self.request_id = request_id
        fields = body if isinstance(body, dict) else {}
        self.code = _optional_str(fields.get("code"))
        self.type = _optional_str(fields.get("type"))
        self.param = _optional_str(fields.get("param"))

    @property
    def status_code(self) -> Optional[int]:
        """Alias of ``status``, the name openai-python uses."""
        return self.status

    def __str__(self) -> str:
        return self.message


class APIStatusError(APIError):
    """The API answered with a non-success HTTP status."""

    status: int


class BadRequestError(APIStatusError):
    """400: the request is invalid; the message says which part."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed, unknown, revoked or expired."""


class InsufficientCreditsError(APIStatusError):
    """402: the account's credit balance cannot cover the request."""


class PermissionDeniedError(APIStatusError):
    """403: IP not allowed, or a plan limit was reached."""


class NotFoundError(APIStatusError):
    """404: unknown model or resource."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state; retried automatically."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: the account's rate limit was hit; retried automatically."""


class InternalServerError(APIStatusError):
    """5xx: Bentoo or the upstream provider failed; retried automatically."""


class APIConnectionError(APIError):
    """The request could not reach the API, or the response was cut off."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request took longer than its ``timeout``."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


_CLASS_BY_STATUS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

# A stream that already answered 200 reports failures as an error event; its
# ``type`` tells which status the error would have had (packages/core/src/errors.ts).
_STATUS_BY_ERROR_TYPE: Dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "insufficient_quota": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "rate_limit_error": 429,
    "api_error": 500,
    "server_error": 500,
    "upstream_error": 502,
}


def status_error_class(status: int) -> Type[APIStatusError]:
    if status >= 500:
        return InternalServerError
    return _CLASS_BY_STATUS.get(status, APIStatusError)


def make_status_error(
    status: int,
    raw_body: bytes,
    headers: Optional[Mapping[str, str]],
) -> APIStatusError:
    """Builds the exception for a non-success response from its status and body."""
    body = decode_error_body(raw_body)
    detail = _error_message(body)
    message = "Error code: %d - %s" % (status, detail) if detail else "Error code: %d" % status
    request_id = headers.get("x-request-id") if headers is not None else None
    return status_error_class(status)(
        message, status=status, body=body, headers=headers, request_id=request_id
    )


def make_stream_error(
    body: Any,
    headers: Optional[Mapping[str, str]],
) -> APIError:
    """Builds the exception for an error event inside a stream.

    ``body`` is the event's decoded ``error`` object. Its ``status`` (if any) or
    its ``type`` picks the class; ``status`` is then the status the error
    would have had, since the HTTP status of the stream itself was 200.
    """
    fields = body if isinstance(body, dict) else {}
    status = fields.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        status = _STATUS_BY_ERROR_TYPE.get(str(fields.get("type")))
    detail = _error_message(body) or "An error occurred during streaming."
    request_id = headers.get("x-request-id") if headers is not None else None
    if status is None:
        return APIError(detail, body=body, headers=headers, request_id=request_id)
    message = "Error code: %d - %s" % (status, detail)
    return status_error_class(status)(
        message, status=status, body=body, headers=headers, request_id=request_id
    )


def redact_secret(error: APIError, secret: str) -> APIError:
    """Removes ``secret`` from an error built from a response body, in case a
    misbehaving proxy echoed the request's ``Authorization`` header back."""
    if secret and secret in error.message:
        error.message = error.message.replace(secret, "[REDACTED]")
        error.args = (error.message,)
    error.body = _redact_value(error.body, secret)
    return error


def _redact_value(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "[REDACTED]") if secret and secret in value else value
    if isinstance(value, dict):
        return {key: _redact_value(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_value(item, secret) for item in value]
    return value


def decode_error_body(raw_body: bytes) -> Any:
    """The inner ``error`` object of an envelope, other JSON as is, else text."""
    text = raw_body.decode("utf-8", errors="replace")
    if not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return parsed["error"]
    return parsed


def _error_message(body: Any) -> str:
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
        return json.dumps(body)[:_MAX_TEXT_IN_MESSAGE]
    if isinstance(body, str):
        return body.strip()[:_MAX_TEXT_IN_MESSAGE]
    if body is None:
        return ""
    return json.dumps(body)[:_MAX_TEXT_IN_MESSAGE]


def _optional_str(value: Any) -> Optional[str]:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
