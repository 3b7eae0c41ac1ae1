"""``ResponseBody``: reads a live HTTP response body as it arrives, and closes it
safely even from another thread.

``http.client`` is not thread-safe, so a read and a close must not overlap: a
close first shuts the socket down (which wakes a read blocked in another
thread), then waits for that read to return before closing the response.
"""

from __future__ import annotations

import http.client
import socket
import threading
from typing import Iterator, Optional

from ._errors import APIConnectionError, APITimeoutError

__all__ = ["ResponseBody", "close_response"]

_READ_SIZE = 64 * 1024


class ResponseBody:
    def __init__(
        self,
        response: http.client.HTTPResponse,
        connection: Optional[http.client.HTTPConnection] = None,
        sock: Optional[socket.socket] = None,
    ) -> None:
        self.response = response
        self._connection = connection
        # http.client hands the socket over to the response (and forgets it) when
        # the server closes the connection after the body, so keep our own handle.
        self._socket = sock
        self._lock = threading.Lock()
        self.closed = False

    def chunks(self) -> Iterator[bytes]:
        """Yields body bytes as they arrive; socket failures become SDK errors,
        except after ``close()``, which just ends the iteration."""
        while True:
            with self._lock:
                if self.closed:
                    return
                try:
                    chunk = self.response.read1(_READ_SIZE)
                except socket.timeout:
                    if self.closed:
                        return
                    raise APITimeoutError("Timed out while reading the streamed response.") from None
                except (OSError, ValueError, http.client.HTTPException) as error:
                    if self.closed:
                        return
                    raise APIConnectionError(
                        "Connection lost while reading the streamed response (%s)." % type(error).__name__
                    ) from None
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            close_response(self.response, self._connection)


def close_response(
    response: http.client.HTTPResponse,
    connection: Optional[http.client.HTTPConnection],
) -> None:
    response.close()
    if connection is not None:
        connection.close()
