"""``client.audit.logs`` -> ``GET /audit/logs`` (cursor-paginated) and
``GET /audit/logs/export?format=jsonl|csv`` (streamed)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, Optional, Union

from .._pagination import SyncCursorPage
from .._resource import SyncAPIResource
from .._response import BinaryResponseContent
from .._types import NOT_GIVEN, Headers, NotGiven, Query, Timeout
from ..types import AuditRecord

if TYPE_CHECKING:
    from .._base_client import SyncAPIClient

__all__ = ["Audit", "Logs", "format_time"]

TimeArg = Union[_dt.datetime, _dt.date, str, None]
StatusArg = Union[int, str, None]

_EXPORT_ACCEPT = {
    "jsonl": "application/x-ndjson, application/jsonl;q=0.9, */*;q=0.1",
    "csv": "text/csv, */*;q=0.1",
}


def format_time(value: TimeArg) -> Optional[str]:
    """RFC 3339 in UTC (``2025-01-31T12:00:00Z``). A naive datetime is taken as
    UTC, a date as its midnight UTC; strings are sent unchanged."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        value = value.astimezone(_dt.timezone.utc)
    elif isinstance(value, _dt.date):
        value = _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)
    else:
        raise TypeError("expected a datetime, a date or an RFC 3339 string, got %s" % type(value).__name__)
    timespec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _filters(
    start: TimeArg, end: TimeArg, key_id: Optional[str], model: Optional[str],
    status: StatusArg, event: Optional[str], endpoint: Optional[str],
) -> Dict[str, Any]:
    return {
        "start": format_time(start),
        "end": format_time(end),
        "key_id": key_id,
        "model": model,
        "status": status,
        "event": event,
        "endpoint": endpoint,
    }


class Logs(SyncAPIResource):
    def list(
        self,
        *,
        start: TimeArg = None,
        end: TimeArg = None,
        key_id: Optional[str] = None,
        model: Optional[str] = None,
        status: StatusArg = None,
        event: Optional[str] = None,
        endpoint: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> SyncCursorPage[AuditRecord]:
        """Audit records, oldest first, as a page. Iterating the page yields every
        record of the range, fetching later pages (``cursor=next_cursor``) as needed.
        ``status`` is an HTTP status (``429``) or a class the server understands;
        ``endpoint`` a route path such as ``"/v1/chat/completions"``."""
        query = _filters(start, end, key_id, model, status, event, endpoint)
        query["limit"] = limit

        def fetch(page_cursor: Optional[str]) -> SyncCursorPage[AuditRecord]:
            page_query = dict(query)
            page_query["cursor"] = page_cursor
            options = self._options(
                "GET", "/audit/logs", query=page_query, extra_headers=extra_headers,
                extra_query=extra_query, timeout=timeout, max_retries=max_retries)
            body = self._client._request_json(options)
            return SyncCursorPage(body, fetch_page=fetch, cursor=page_cursor)

        return fetch(cursor)

    def export(
        self,
        *,
        format: str = "jsonl",
        start: TimeArg = None,
        end: TimeArg = None,
        key_id: Optional[str] = None,
        model: Optional[str] = None,
        status: StatusArg = None,
        event: Optional[str] = None,
        endpoint: Optional[str] = None,
        extra_headers: Optional[Headers] = None,
        extra_query: Optional[Query] = None,
        timeout: Union[Timeout, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
    ) -> BinaryResponseContent:
        """Streams a whole range as JSON Lines or CSV. The body is read as you
        consume it: ``write_to_file(path)``, ``iter_lines()`` or ``iter_bytes()``."""
        if format not in _EXPORT_ACCEPT:
            raise ValueError("format must be 'jsonl' or 'csv', got %r" % (format,))
        query = _filters(start, end, key_id, model, status, event, endpoint)
        query["format"] = format
        options = self._options(
            "GET", "/audit/logs/export", query=query, accept=_EXPORT_ACCEPT[format],
            extra_headers=extra_headers, extra_query=extra_query, timeout=timeout,
            max_retries=max_retries)
        return self._client._request_binary(options)


class Audit(SyncAPIResource):
    logs: Logs

    def __init__(self, client: "SyncAPIClient") -> None:
        super().__init__(client)
        self.logs = Logs(client)
