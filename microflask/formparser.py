"""Request bodies: a length-limited input stream and the form parsers.

``LimitedStream`` wraps ``wsgi.input`` so a reader can never read past ``Content-Length`` (which
would block on a keep-alive socket) nor past the app's size limit: crossing the limit raises
``RequestEntityTooLarge`` (413) at the moment it happens, before the body is in memory.
A body without Content-Length is read only when the server says the input is terminated
(``wsgi.input_terminated``, e.g. a de-chunked body); otherwise it is empty, as PEP 3333 allows.

``parse_form_data`` turns an ``application/x-www-form-urlencoded`` body into (form, files) pairs.
Does not (yet): parse ``multipart/form-data``; such bodies give empty form and files for now.
"""

from __future__ import annotations

import io
from typing import Any, Iterator, Optional

from .exceptions import BadRequest, RequestEntityTooLarge
from .http import parse_query_string

#: Bytes read from the socket at a time.
CHUNK_SIZE = 64 * 1024


class ClientDisconnected(BadRequest):
    """The body ended before Content-Length bytes arrived."""

    description = "The client sent fewer bytes than its Content-Length header announced."


class LimitedStream(io.RawIOBase):
    """Read at most ``length`` bytes from ``stream``; more than ``limit`` bytes raises 413.

    ``length`` None means "until EOF" (only for terminated inputs); ``limit`` None means no limit.
    """

    def __init__(self, stream: Any, length: Optional[int], limit: Optional[int] = None) -> None:
        super().__init__()
        self._stream = stream
        self._remaining = length
        self._limit = limit
        self._read_total = 0
        self._expect_exact = length is not None

    @classmethod
    def from_environ(cls, environ: dict, length: Optional[int], limit: Optional[int]) -> LimitedStream:
        stream = environ.get("wsgi.input")
        if stream is None:
            return cls.from_bytes(b"")
        if length is None and not environ.get("wsgi.input_terminated"):
            return cls.from_bytes(b"")
        return cls(stream, length, limit)

    @classmethod
    def from_bytes(cls, data: bytes) -> LimitedStream:
        return cls(io.BytesIO(data), len(data))

    def readable(self) -> bool:
        return True

    @property
    def is_exhausted(self) -> bool:
        return self._remaining == 0

    def _allowance(self, size: int) -> int:
        """How many bytes the next read may ask for (``size`` < 0 means as many as allowed)."""
        if self._remaining is not None and (size < 0 or size > self._remaining):
            size = self._remaining
        if size < 0 or size > CHUNK_SIZE:
            size = CHUNK_SIZE
        return size

    def _count(self, data: bytes, wanted: int) -> bytes:
        self._read_total += len(data)
        if self._remaining is not None:
            self._remaining -= len(data)
            if not data and wanted and self._expect_exact:
                self._remaining = 0
                raise ClientDisconnected()
        if self._limit is not None and self._read_total > self._limit:
            raise RequestEntityTooLarge(
                f"The request body is larger than this server's limit of {self._limit} bytes."
            )
        return data

    def read_chunk(self, size: int = -1) -> bytes:
        """One read from the underlying stream (at most CHUNK_SIZE bytes)."""
        wanted = self._allowance(size)
        if wanted == 0:
            return b""
        return self._count(self._stream.read(wanted), wanted)

    def read(self, size: Optional[int] = -1) -> bytes:
        if size is not None and size >= 0:
            parts = []
            while size > 0:
                chunk = self.read_chunk(size)
                if not chunk:
                    break
                parts.append(chunk)
                size -= len(chunk)
            return b"".join(parts)
        return b"".join(iter(self.read_chunk, b""))

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: Optional[int] = -1) -> bytes:
        wanted = self._allowance(-1 if size is None else size)
        if wanted == 0:
            return b""
        line = self._stream.readline(wanted)
        if not line and self._remaining is not None:
            return self._count(line, 0)
        return self._count(line, wanted)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def drain(self) -> None:
        """Read and drop the rest of the body (keeps a keep-alive connection in sync)."""
        while self.read_chunk(CHUNK_SIZE):
            pass


def parse_form_data(
    stream: LimitedStream,
    mimetype: str,
    options: dict[str, str],
    content_length: Optional[int],
    limits: dict[str, Optional[int]],
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """Parse a form body into ``(fields, files)``, each a list of (name, value) pairs."""
    if mimetype == "application/x-www-form-urlencoded":
        return parse_urlencoded(stream, limits), []
    return [], []


def parse_urlencoded(stream: LimitedStream, limits: dict[str, Optional[int]]) -> list[tuple[str, str]]:
    """``a=1&b=2`` bodies; MAX_FORM_MEMORY_SIZE bounds the body, MAX_FORM_PARTS the pairs."""
    limit = limits.get("max_form_memory_size")
    data = stream.read(-1 if limit is None else limit + 1)
    if limit is not None and len(data) > limit:
        raise RequestEntityTooLarge(
            f"The form body is larger than MAX_FORM_MEMORY_SIZE ({limit} bytes)."
        )
    try:
        return parse_query_string(data, max_pairs=limits.get("max_form_parts"))
    except ValueError as e:
        raise RequestEntityTooLarge(f"The form has too many fields: {e}") from e
