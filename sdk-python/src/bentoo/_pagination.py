"""``SyncCursorPage``: one page of a cursor-paginated list, iterable across pages.

The server answers ``{"object":"list","data":[...],"has_more":bool,
"next_cursor":str|None}``; the next page is the same request with
``cursor=<next_cursor>``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, Iterator, List, Optional, TypeVar

from ._errors import APIError, BentooError

__all__ = ["SyncCursorPage"]

_T = TypeVar("_T")


class SyncCursorPage(Generic[_T]):
    """Iterating a page yields every item of this page and of all later pages,
    fetching them lazily. ``iter_pages()`` yields the pages themselves."""

    data: List[_T]
    has_more: bool
    next_cursor: Optional[str]
    object: str

    def __init__(
        self,
        body: Any,
        *,
        fetch_page: Callable[[str], "SyncCursorPage[_T]"],
        cursor: Optional[str] = None,
    ) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise APIError("Expected a list object with a data array.", body=body)
        self._body: Dict[str, Any] = body
        self._fetch_page = fetch_page
        self.cursor = cursor  # the cursor that fetched this page; None for the first
        self.object = str(body.get("object", "list"))
        self.data = body["data"]
        self.has_more = body.get("has_more") is True
        next_cursor = body.get("next_cursor")
        self.next_cursor = next_cursor if isinstance(next_cursor, str) and next_cursor else None

    def has_next_page(self) -> bool:
        return self.has_more and self.next_cursor is not None

    def get_next_page(self) -> "SyncCursorPage[_T]":
        if not self.has_next_page():
            raise BentooError(
                "No next page: check has_next_page() before calling get_next_page().")
        assert self.next_cursor is not None
        if self.next_cursor == self.cursor:
            # A server bug would otherwise turn iteration into an endless loop.
            raise APIError("The server returned the same cursor twice.", body=self._body)
        return self._fetch_page(self.next_cursor)

    def iter_pages(self) -> Iterator["SyncCursorPage[_T]"]:
        page: SyncCursorPage[_T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[_T]:
        for page in self.iter_pages():
            for item in page.data:
                yield item

    def to_dict(self) -> Dict[str, Any]:
        """The raw response body of this page."""
        return dict(self._body)

    def __repr__(self) -> str:
        return "SyncCursorPage(items=%d, has_more=%r, next_cursor=%r)" % (
            len(self.data), self.has_more, self.next_cursor)
