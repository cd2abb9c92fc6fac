"""Request bodies: a length-limited input stream and the form parsers (``werkzeug.formparser``).

``LimitedStream`` wraps ``wsgi.input`` so a reader can never read past ``Content-Length`` (which
would block on a keep-alive socket) nor past the app's size limit: crossing the limit raises
``RequestEntityTooLarge`` (413) at the moment it happens, before the body is in memory. A body
without Content-Length (``Transfer-Encoding: chunked``) is read only when the server says the
input is terminated (``wsgi.input_terminated``); otherwise it is empty, as PEP 3333 allows.

``FormDataParser`` picks the parser by media type. ``application/x-www-form-urlencoded`` is read
whole (at most MAX_FORM_MEMORY_SIZE bytes) and split on ``&``. ``multipart/form-data``
(RFC 7578, framed as in RFC 2046 section 5.1.1) is parsed as a stream in one pass:

1. The delimiter is ``LF "--" boundary``. The body is read in 256 KiB chunks and searched with
   ``bytes.find``; a chunk's end that could start a delimiter (at most ``len(delimiter)`` bytes)
   stays in the buffer, so a delimiter cut in two is still found and no byte is searched twice
   but those few.
2. Preamble (before the first delimiter) and epilogue (after ``--boundary--``) are dropped.
3. After a delimiter come the part's header lines (bounded in size and count), then its body up
   to the next delimiter. A CR just before the delimiter belongs to the delimiter.
4. A part with a ``filename`` streams into ``stream_factory()`` (a spooled temporary file:
   memory until FILE_SPOOL_THRESHOLD bytes, then disk); any other part is a text field of at most
   MAX_FORM_MEMORY_SIZE bytes. MAX_FORM_PARTS bounds the number of parts.

Malformed bodies give 400, bodies over a limit 413; files already written are closed on error.
Does not: decode ``Transfer-Encoding: chunked`` itself (the server does, see ``serving``), nor
honour a part's ``charset`` (fields are UTF-8, as HTML forms send and Werkzeug assumes).
See docs/multipart.md for a byte-by-byte walk through a body.
"""

from __future__ import annotations

import io
from typing import IO, Any, Callable, Iterator, Optional

from .datastructures import FileStorage, Headers, MultiDict
from .exceptions import BadRequest, RequestEntityTooLarge
from .http import parse_content_length, parse_options_header, parse_query_string

#: Bytes read from the input at a time (and so the most a multipart scan holds at once).
#: NOTE(formparser): measured on a 20 MB upload, 64 KiB chunks spent a fifth of the parse in
#: per-chunk costs (a loop turn, a read, a write syscall); 256 KiB cuts that to a twentieth and
#: still fits a CPU's L2 cache, where ``find`` and ``write`` read the chunk again.
CHUNK_SIZE = 256 * 1024
#: An uploaded file stays in memory up to this many bytes, then moves to a temporary file.
FILE_SPOOL_THRESHOLD = 500 * 1024
#: Most bytes one part's header block may hold (browsers send about 150).
MAX_PART_HEADER_SIZE = 8 * 1024
#: Most header lines one part may have (browsers send two).
MAX_PART_HEADER_LINES = 32
#: Most bytes of whitespace allowed between a boundary and the end of its line (RFC 2046).
MAX_BOUNDARY_PADDING = 256
#: The characters RFC 2046 section 5.1.1 allows in a boundary (``bchars``).
BOUNDARY_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
)

#: A function that returns a writable, seekable binary file for one upload.
StreamFactory = Callable[..., IO[bytes]]


class ClientDisconnected(BadRequest):
    """The body ended before Content-Length bytes arrived."""

    description = "The client sent fewer bytes than its Content-Length header announced."


class MultipartError(BadRequest):
    """A ``multipart/form-data`` body that does not follow RFC 7578 / RFC 2046."""


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


def default_stream_factory(
    total_content_length: Optional[int],
    content_type: Optional[str],
    filename: Optional[str],
    content_length: Optional[int] = None,
) -> IO[bytes]:
    """Where one uploaded file is written: memory up to FILE_SPOOL_THRESHOLD bytes, then disk.

    The temporary file has no name on disk and is deleted when closed (``Request.close``).
    """
    import tempfile

    return tempfile.SpooledTemporaryFile(max_size=FILE_SPOOL_THRESHOLD, mode="rb+")


def check_boundary(boundary: Optional[str]) -> bytes:
    """The boundary as bytes, or ``MultipartError`` (400) when RFC 2046 section 5.1.1 forbids it.

    A boundary is 1 to 70 ``bchars`` (letters, digits, ``'()+_,-./:=?`` and space), not ending in
    a space.
    """
    if not boundary:
        raise MultipartError("The multipart/form-data Content-Type has no boundary parameter.")
    if len(boundary) > 70 or boundary.endswith(" ") or not BOUNDARY_CHARS.issuperset(boundary):
        raise MultipartError(
            f"Invalid multipart boundary {boundary[:80]!r}: RFC 2046 allows 1 to 70 letters, "
            "digits and '()+_,-./:=? or space, not ending in a space."
        )
    return boundary.encode("ascii")


# -- The multipart scanner ---------------------------------------------------------------------

_NEED_MORE = "need more bytes"
_NOT_DELIMITER = "not a delimiter"
_NEXT_PART = "next part"
_FINAL = "final delimiter"


class MultipartReader:
    """Pull the parts of a ``multipart/form-data`` body out of ``stream``, one pass, flat memory.

    ``for _ in reader.iter_body(): pass`` skips the preamble; then, while ``reader.more_parts``,
    ``reader.read_headers()`` gives a part's header lines and ``reader.iter_body()`` its bytes.
    """

    def __init__(self, stream: Any, boundary: bytes, chunk_size: int = CHUNK_SIZE,
                 max_header_size: int = MAX_PART_HEADER_SIZE,
                 max_header_lines: int = MAX_PART_HEADER_LINES) -> None:
        self._read = getattr(stream, "read_chunk", stream.read)
        self._delimiter = b"\n--" + boundary
        self._chunk_size = chunk_size
        self.max_header_size = max_header_size
        self.max_header_lines = max_header_lines
        # NOTE(formparser): a CRLF in front makes a delimiter at the very start of the body look
        # like every other one, so the preamble is just "data before the first delimiter".
        self._buffer = b"\r\n"
        self._pos = 0
        self._eof = False
        #: True while another part follows the last delimiter read.
        self.more_parts = True
        #: False until the body has given at least one byte.
        self.started = False

    def _refill(self, keep_from: int) -> bool:
        """Drop the buffer before ``keep_from`` and append one chunk; False at end of body."""
        if self._eof:
            return False
        chunk = self._read(self._chunk_size)
        if not chunk:
            self._eof = True
            return False
        self.started = True
        self._buffer = self._buffer[keep_from:] + chunk
        return True

    def iter_body(self) -> Iterator[memoryview]:
        """The bytes up to the next delimiter, in chunks; consumes the delimiter's line too."""
        delimiter = self._delimiter
        start = search = self._pos
        while True:
            buffer = self._buffer
            found = buffer.find(delimiter, search)
            if found < 0:
                safe = self._find_safe_end(buffer, start)
                if safe > start:
                    yield memoryview(buffer)[start:safe]
                    start = safe
                if not self._refill(start):
                    raise MultipartError("The multipart body ended before its closing boundary.")
                start = search = 0
                continue
            kind, after = self._classify_delimiter(found + len(delimiter))
            if kind is _NOT_DELIMITER:
                search = found + 1
                continue
            if kind is _NEED_MORE:
                head = max(start, found - 1)
                if head > start:
                    yield memoryview(buffer)[start:head]
                if not self._refill(head):
                    raise MultipartError("The multipart body ended inside a boundary line.")
                start, search = 0, found - head
                continue
            end = found - 1 if found > start and buffer[found - 1] == 13 else found  # 13 is CR
            if end > start:
                yield memoryview(buffer)[start:end]
            self._pos = after
            self.more_parts = kind is _NEXT_PART
            return

    def _find_safe_end(self, buffer: bytes, start: int) -> int:
        """Where the bytes that cannot be part of a delimiter cut by the buffer's end stop.

        Only a final LF that starts a prefix of the delimiter (and a CR before it) is kept back,
        so most chunks are handed on whole and the next one needs no copy.
        """
        delimiter = self._delimiter
        end = len(buffer)
        newline = buffer.rfind(b"\n", max(start, end - len(delimiter) + 1))
        if newline >= 0 and delimiter.startswith(buffer[newline:]):
            end = newline
        if end > start and buffer[end - 1] == 13:  # 13 is CR, which may precede the delimiter
            end -= 1
        return end

    def _classify_delimiter(self, at: int) -> tuple[str, int]:
        """What follows ``--boundary`` at ``at``: ``--`` (final), padding + line end, or data."""
        buffer = self._buffer
        rest = buffer[at:at + MAX_BOUNDARY_PADDING + 2]
        if rest[:2] == b"--":
            return _FINAL, at + 2
        stripped = rest.lstrip(b" \t")
        padding = len(rest) - len(stripped)
        if stripped[:1] == b"\n":
            return _NEXT_PART, at + padding + 1
        if stripped[:2] == b"\r\n":
            return _NEXT_PART, at + padding + 2
        if stripped in (b"", b"\r") or rest == b"-":
            complete = len(rest) == MAX_BOUNDARY_PADDING + 2 or self._eof
            return (_NOT_DELIMITER if complete else _NEED_MORE), at
        return _NOT_DELIMITER, at

    def read_headers(self) -> list[tuple[str, str]]:
        """The header lines of the next part as ``(name, value)`` pairs, up to the blank line."""
        headers: list[tuple[str, str]] = []
        start = self._pos
        lines = 0
        while True:
            line_end = self._buffer.find(b"\n", self._pos)
            if line_end < 0:
                self._check_header_size(len(self._buffer) - start)
                if not self._refill(start):
                    raise MultipartError("The multipart body ended inside a part's headers.")
                self._pos -= start
                start = 0
                continue
            self._check_header_size(line_end - start)
            line = self._buffer[self._pos:line_end].rstrip(b"\r")
            self._pos = line_end + 1
            if not line:
                return headers
            lines += 1
            if lines > self.max_header_lines:
                raise RequestEntityTooLarge(
                    f"A multipart part has more than {self.max_header_lines} header lines."
                )
            add_header_line(headers, line)

    def _check_header_size(self, size: int) -> None:
        if size > self.max_header_size:
            raise RequestEntityTooLarge(
                f"A multipart part's headers are larger than {self.max_header_size} bytes."
            )

    def drain(self) -> None:
        """Read and drop the epilogue, so the whole body has been consumed."""
        self._buffer, self._pos = b"", 0
        while self._refill(0):
            self._buffer = b""


def add_header_line(headers: list[tuple[str, str]], line: bytes) -> None:
    """Append ``Name: value`` to ``headers``; a folded line (RFC 5322 obs-fold) continues the last.

    Lines without a colon are ignored; a CR or NUL inside a line is a 400.
    """
    if b"\r" in line or b"\0" in line:
        raise MultipartError("A multipart part header contains a CR or NUL character.")
    text = line.decode("utf-8", "replace")
    if text[0] in " \t":
        if headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
        return
    name, colon, value = text.partition(":")
    if colon and name.strip():
        headers.append((name.strip(), value.strip()))


# -- Parsers -----------------------------------------------------------------------------------


def decode_html_escapes(value: str) -> str:
    """Undo the ``%22`` that HTML forms write for ``"`` in names and filenames (WHATWG HTML).

    ``%0A`` and ``%0D`` are left as sent, so a filename never gains a line break.
    """
    return value.replace("%22", '"') if "%22" in value else value


def parse_content_disposition(value: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """``form-data; name="a"; filename="b.txt"`` -> ``("a", "b.txt")``; ``filename*`` wins."""
    _, options = parse_options_header(value)
    name = options.get("name")
    filename = options.get("filename")
    if name is not None:
        name = decode_html_escapes(name)
    if filename is not None and "filename*" not in (value or "").lower():
        filename = decode_html_escapes(filename)
    return name, filename


class MultiPartParser:
    """Parse a ``multipart/form-data`` body into ``(form, files)`` MultiDicts.

    ``max_form_memory_size`` bounds each text field, ``max_form_parts`` the number of parts; both
    raise 413. Files go to ``stream_factory(total_content_length, content_type, filename,
    content_length)``.
    """

    def __init__(
        self,
        stream_factory: Optional[StreamFactory] = None,
        max_form_memory_size: Optional[int] = None,
        cls: Optional[type] = None,
        buffer_size: int = CHUNK_SIZE,
        max_form_parts: Optional[int] = None,
        max_part_header_size: int = MAX_PART_HEADER_SIZE,
        max_part_header_lines: int = MAX_PART_HEADER_LINES,
    ) -> None:
        self.stream_factory = stream_factory or default_stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.cls = cls or MultiDict
        self.buffer_size = buffer_size
        self.max_form_parts = max_form_parts
        self.max_part_header_size = max_part_header_size
        self.max_part_header_lines = max_part_header_lines

    def parse(self, stream: Any, boundary: bytes, content_length: Optional[int]) -> tuple[Any, Any]:
        """Read the whole body from ``stream``; on any error close the files written so far.

        ``stream`` must end where the body ends: a ``LimitedStream``, or any file when
        ``content_length`` is given.
        """
        if not isinstance(stream, LimitedStream) and content_length is not None:
            stream = LimitedStream(stream, content_length)
        reader = MultipartReader(stream, boundary, self.buffer_size,
                                 self.max_part_header_size, self.max_part_header_lines)
        fields: list[tuple[str, Any]] = []
        files: list[tuple[str, Any]] = []
        try:
            self._read_parts(reader, content_length, fields, files)
        except BaseException:
            for _, storage in files:
                storage.close()
            raise
        return self.cls(fields), self.cls(files)

    def _read_parts(self, reader: MultipartReader, content_length: Optional[int],
                    fields: list, files: list) -> None:
        try:
            for _ in reader.iter_body():  # the preamble
                pass
        except MultipartError:
            if not reader.started:
                return  # an empty body is an empty form
            raise MultipartError(
                "No boundary line ('--' + boundary + CRLF) was found in the multipart body."
            ) from None
        parts = 0
        while reader.more_parts:
            parts += 1
            if self.max_form_parts is not None and parts > self.max_form_parts:
                raise RequestEntityTooLarge(
                    f"The form has more than MAX_FORM_PARTS ({self.max_form_parts}) parts."
                )
            self._read_part(reader, Headers(reader.read_headers()), content_length, fields, files)
        reader.drain()

    def _read_part(self, reader: MultipartReader, headers: Headers, content_length: Optional[int],
                   fields: list, files: list) -> None:
        name, filename = parse_content_disposition(headers.get("Content-Disposition"))
        if name is None:
            # NOTE(formparser): RFC 7578 section 4.2 requires a name; Werkzeug files a nameless
            # part under the key None, which no view can ask for, so it is skipped here.
            for _ in reader.iter_body():
                pass
        elif filename is None:
            fields.append((name, self._read_field(reader, name)))
        else:
            files.append((name, self._read_file(reader, headers, name, filename, content_length)))

    def _read_field(self, reader: MultipartReader, name: str) -> str:
        limit = self.max_form_memory_size
        chunks = []
        size = 0
        for chunk in reader.iter_body():
            size += len(chunk)
            if limit is not None and size > limit:
                raise RequestEntityTooLarge(
                    f"The form field {name!r} is larger than MAX_FORM_MEMORY_SIZE ({limit} bytes)."
                )
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    def _read_file(self, reader: MultipartReader, headers: Headers, name: str, filename: str,
                   content_length: Optional[int]) -> FileStorage:
        content_type = headers.get("Content-Type")
        part_length = parse_content_length(headers.get("Content-Length"))
        stream = self.stream_factory(content_length, content_type, filename, part_length)
        storage = FileStorage(stream, filename, name, headers=headers)
        try:
            write = stream.write
            for chunk in reader.iter_body():
                write(chunk)
            stream.seek(0)
        except BaseException:
            storage.close()
            raise
        return storage


def parse_urlencoded(stream: Any, max_form_memory_size: Optional[int] = None,
                     max_form_parts: Optional[int] = None) -> list[tuple[str, str]]:
    """``a=1&b=2`` bodies; MAX_FORM_MEMORY_SIZE bounds the body, MAX_FORM_PARTS the pairs."""
    limit = max_form_memory_size
    data = stream.read(-1 if limit is None else limit + 1)
    if limit is not None and len(data) > limit:
        raise RequestEntityTooLarge(
            f"The form body is larger than MAX_FORM_MEMORY_SIZE ({limit} bytes)."
        )
    try:
        return parse_query_string(data, max_pairs=max_form_parts)
    except ValueError as e:
        raise RequestEntityTooLarge(f"The form has too many fields: {e}") from e


class FormDataParser:
    """Parse a request body by its media type into ``(stream, form, files)``.

    Urlencoded and multipart bodies are parsed; any other type leaves the stream unread and gives
    empty MultiDicts. ``silent=True`` turns a malformed body's 400 into an empty form, as
    Werkzeug does by default; size limits always raise 413.
    """

    def __init__(
        self,
        stream_factory: Optional[StreamFactory] = None,
        max_form_memory_size: Optional[int] = None,
        max_content_length: Optional[int] = None,
        cls: Optional[type] = None,
        silent: bool = False,
        *,
        max_form_parts: Optional[int] = None,
    ) -> None:
        self.stream_factory = stream_factory or default_stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_content_length = max_content_length
        self.cls = cls or MultiDict
        self.silent = silent
        self.max_form_parts = max_form_parts

    def parse_from_environ(self, environ: dict) -> tuple[Any, Any, Any]:
        """Parse the body of a WSGI ``environ`` (Content-Length or a terminated chunked input)."""
        content_length = get_content_length(environ)
        limit = self.max_content_length
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge(
                f"The request body is {content_length} bytes; this server accepts at most {limit}."
            )
        stream = LimitedStream.from_environ(environ, content_length, limit)
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE"))
        return self.parse(stream, mimetype, content_length, options)

    def parse(self, stream: Any, mimetype: str, content_length: Optional[int],
              options: Optional[dict] = None) -> tuple[Any, Any, Any]:
        """``(stream, form, files)``; the stream is consumed when the body was a form."""
        options = options or {}
        try:
            if mimetype == "application/x-www-form-urlencoded":
                pairs = parse_urlencoded(stream, self.max_form_memory_size, self.max_form_parts)
                return stream, self.cls(pairs), self.cls()
            if mimetype == "multipart/form-data":
                form, files = self._parse_multipart(stream, content_length, options)
                return stream, form, files
        except BadRequest:
            if not self.silent:
                raise
        return stream, self.cls(), self.cls()

    def _parse_multipart(self, stream: Any, content_length: Optional[int],
                         options: dict) -> tuple[Any, Any]:
        boundary = check_boundary(options.get("boundary"))
        parser = MultiPartParser(
            self.stream_factory, self.max_form_memory_size, self.cls,
            max_form_parts=self.max_form_parts,
        )
        return parser.parse(stream, boundary, content_length)


def get_content_length(environ: dict) -> Optional[int]:
    """The body's declared length; None when it is chunked or not given."""
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return None
    return parse_content_length(environ.get("CONTENT_LENGTH"))


def parse_form_data(
    environ: dict,
    stream_factory: Optional[StreamFactory] = None,
    max_form_memory_size: Optional[int] = None,
    max_content_length: Optional[int] = None,
    cls: Optional[type] = None,
    silent: bool = False,
    *,
    max_form_parts: Optional[int] = None,
) -> tuple[Any, Any, Any]:
    """Parse the form in a WSGI ``environ`` without a Request: returns ``(stream, form, files)``.

    The caller closes the files (``for f in files.values(): f.close()``).
    """
    parser = FormDataParser(stream_factory, max_form_memory_size, max_content_length, cls,
                            silent, max_form_parts=max_form_parts)
    return parser.parse_from_environ(environ)
