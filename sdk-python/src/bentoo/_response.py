"""``BinaryResponseContent``: a streamed, non-JSON body such as an audit export.

The body is read from the socket as the caller consumes it, so exporting a
long time range never holds the whole file in memory.
"""

from __future__ import annotations

import http.client
import os
import socket
import tempfile
from typing import Any, Iterator, Mapping, Optional, Union

from ._body import ResponseBody
from ._errors import APIConnectionError, BentooError
from ._streaming import iter_lines

__all__ = ["BinaryResponseContent"]

_DEFAULT_CHUNK_SIZE = 64 * 1024


class BinaryResponseContent:
    """A response body to stream once: ``iter_bytes()``, ``iter_lines()``,
    ``read()`` or ``write_to_file()``. Close it (or use ``with``) when done."""

    response: http.client.HTTPResponse

    def __init__(
        self,
        *,
        response: http.client.HTTPResponse,
        connection: Optional[http.client.HTTPConnection] = None,
        sock: Optional[socket.socket] = None,
    ) -> None:
        self.response = response
        self._body = ResponseBody(response, connection, sock)
        self._consumed = False

    @property
    def headers(self) -> Mapping[str, str]:
        return self.response.headers

    @property
    def content_type(self) -> Optional[str]:
        return self.response.headers.get("content-type")

    @property
    def request_id(self) -> Optional[str]:
        return self.response.headers.get("x-request-id")

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        """Yields the body in pieces of ``chunk_size`` bytes (the last may be
        shorter), or as it arrives when ``chunk_size`` is None."""
        if chunk_size is not None and chunk_size <= 0:
            raise ValueError("chunk_size must be a positive number of bytes")
        pending = b""
        for chunk in self._raw_chunks():
            if chunk_size is None:
                yield chunk
                continue
            pending += chunk
            while len(pending) >= chunk_size:
                yield pending[:chunk_size]
                pending = pending[chunk_size:]
        if pending:
            yield pending

    def iter_lines(self) -> Iterator[str]:
        """Yields the body's lines, decoded as UTF-8, without line terminators."""
        for line in iter_lines(self._raw_chunks()):
            yield line.decode("utf-8", errors="replace")

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def write_to_file(self, path: Union[str, "os.PathLike[str]"]) -> int:
        """Streams the body into ``path`` and returns the number of bytes written.
        The file appears only once the whole body arrived (written to a temporary
        file next to it, then renamed), so a failed export leaves no partial file."""
        target = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(target))
        handle = tempfile.NamedTemporaryFile(
            "wb", dir=directory, prefix=".bentoo-export-", delete=False)
        written = 0
        try:
            with handle:
                for chunk in self.iter_bytes():
                    handle.write(chunk)
                    written += len(chunk)
            os.replace(handle.name, target)
        except BaseException:
            try:
                os.unlink(handle.name)
            except OSError:
                pass
            raise
        return written

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> "BinaryResponseContent":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _raw_chunks(self) -> Iterator[bytes]:
        if self._consumed:
            raise BentooError("The response body was already read; it can be streamed only once.")
        self._consumed = True
        try:
            for chunk in self._body.chunks():
                yield chunk
            # http.client reports a body cut short of its Content-Length as a
            # plain end of file; the remaining length tells them apart.
            remaining = self.response.length
            if not self._body.closed and remaining:
                raise APIConnectionError(
                    "The response ended %d bytes before its Content-Length." % remaining)
        finally:
            self.close()
