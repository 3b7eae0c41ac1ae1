"""``Bentoo``: the client. Reads its configuration once, checks the key format
before any request, and exposes the API as resources (``client.chat``,
``client.responses``, ``client.embeddings``, ``client.models``, ``client.key``,
``client.audit``)."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

from ._base_client import SyncAPIClient, validate_max_retries
from ._errors import BentooError
from ._key_format import key_mode
from ._types import NOT_GIVEN, NotGiven, Timeout
from .resources.audit import Audit
from .resources.chat import Chat
from .resources.embeddings import Embeddings
from .resources.key import Key
from .resources.models import Models
from .resources.responses import Responses

__all__ = ["Bentoo", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES"]

# Bentoo is self-hosted: `npm start` serves the gateway here by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"
DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2

MISSING_KEY_MESSAGE = (
    "No API key found. Set the BENTOO_API_KEY environment variable, or pass "
    'api_key="btoo_sk_..." to Bentoo(). Keys are created in the dashboard under '
    "Settings -> API Keys."
)
MALFORMED_KEY_MESSAGE = (
    "The API key doesn't look like a Bentoo key: expected btoo_sk_live_ or "
    "btoo_sk_test_ followed by 32 letters and digits with a valid checksum. "
    "Copy the whole key again from the dashboard (Settings -> API Keys)."
)


class Bentoo(SyncAPIClient):
    """The Bentoo API client.

    ``api_key`` defaults to ``BENTOO_API_KEY``; ``base_url`` to ``BENTOO_BASE_URL``,
    else ``http://127.0.0.1:8080/v1``. ``timeout`` is in seconds and applies to
    connecting and to each read (None waits forever).
    """

    chat: Chat
    responses: Responses
    embeddings: Embeddings
    models: Models
    key: Key
    audit: Audit

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, Optional[str]]] = None,
    ) -> None:
        api_key = _resolve_api_key(api_key)
        base_url = _resolve_base_url(base_url)
        scheme, host, port, base_path = _parse_base_url(base_url)
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
            raise ValueError("timeout must be a positive number of seconds, or None")
        super().__init__(
            api_key=api_key,
            scheme=scheme,
            host=host,
            port=port,
            base_path=base_path,
            timeout=None if timeout is None else float(timeout),
            max_retries=validate_max_retries(max_retries),
            default_headers=default_headers,
        )
        self.base_url = base_url
        self._mode = key_mode(api_key)
        self.chat = Chat(self)
        self.responses = Responses(self)
        self.embeddings = Embeddings(self)
        self.models = Models(self)
        self.key = Key(self)
        self.audit = Audit(self)

    @property
    def key_id(self) -> str:
        """The key's ID as Bentoo shows it everywhere: its last 4 characters."""
        return self._api_key[-4:]

    @property
    def mode(self) -> str:
        """``"live"`` or ``"test"`` (test keys are served by the sandbox provider)."""
        return self._mode or ""

    def with_options(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        default_headers: Optional[Mapping[str, Optional[str]]] = None,
    ) -> "Bentoo":
        """A copy of this client with some options replaced; ``default_headers``
        are merged into the current ones."""
        headers = dict(self._default_headers)
        headers.update(default_headers or {})
        copy = Bentoo(
            api_key=api_key if api_key is not None else self._api_key,
            base_url=base_url if base_url is not None else self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
        )
        copy._sleep, copy._random, copy._clock = self._sleep, self._random, self._clock
        return copy

    copy = with_options

    def close(self) -> None:
        """Nothing to release (each request uses its own connection); present so
        ``with Bentoo() as client:`` works as in openai-python."""

    def __enter__(self) -> "Bentoo":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never the key itself: only its mode and key ID, as the dashboard shows it.
        return "Bentoo(base_url=%r, mode=%r, key_id=%r)" % (self.base_url, self.mode, self.key_id)

    __str__ = __repr__


def _resolve_api_key(api_key: Optional[str]) -> str:
    if api_key is None:
        api_key = os.environ.get("BENTOO_API_KEY")
    if api_key is not None and not isinstance(api_key, str):
        raise BentooError(MALFORMED_KEY_MESSAGE)
    api_key = (api_key or "").strip()
    if not api_key:
        raise BentooError(MISSING_KEY_MESSAGE)
    if key_mode(api_key) is None:
        raise BentooError(MALFORMED_KEY_MESSAGE)
    return api_key


def _resolve_base_url(base_url: Optional[str]) -> str:
    if base_url is None:
        base_url = os.environ.get("BENTOO_BASE_URL") or DEFAULT_BASE_URL
    base_url = base_url.strip()
    while base_url.endswith("/"):
        base_url = base_url[:-1]
    return base_url


def _parse_base_url(base_url: str) -> Tuple[str, str, Optional[int], str]:
    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        raise BentooError("base_url %r is not a valid URL." % base_url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BentooError(
            "base_url must be an http:// or https:// URL such as %s, got %r." % (DEFAULT_BASE_URL, base_url))
    if parts.username is not None or parts.query or parts.fragment:
        raise BentooError("base_url must not contain credentials, a query or a fragment.")
    return parts.scheme, parts.hostname, port, parts.path
