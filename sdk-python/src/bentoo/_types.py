"""Private helper types: the ``NOT_GIVEN`` sentinel and per-request options."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Union

__all__ = ["NotGiven", "NOT_GIVEN", "RequestOptions", "Headers", "Query", "Timeout"]

Headers = Mapping[str, Optional[str]]
Query = Mapping[str, Any]
# Seconds; None waits forever. Applies to connecting and to each socket read.
Timeout = Optional[float]


class NotGiven:
    """Marks an argument the caller left out, where ``None`` has a meaning of its own
    (``timeout=None`` disables the timeout)."""

    _instance: Optional["NotGiven"] = None

    def __new__(cls) -> "NotGiven":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class RequestOptions:
    """Everything the transport needs for one call, after per-call overrides."""

    __slots__ = ("method", "path", "query", "json_body", "stream", "accept",
                 "extra_headers", "timeout", "max_retries")

    def __init__(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Query] = None,
        json_body: Optional[Dict[str, Any]] = None,
        stream: bool = False,
        accept: str = "application/json",
        extra_headers: Optional[Headers] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.json_body = json_body
        self.stream = stream
        self.accept = accept
        self.extra_headers = extra_headers
        self.timeout = timeout
        self.max_retries = max_retries
