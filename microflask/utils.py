"""Small helpers with no app state (the role of ``werkzeug.utils``).

``redirect`` builds a redirect response, ``import_string`` imports ``"pkg.module:name"`` strings,
``secure_filename`` makes an uploaded file name safe to store, ``send_file`` answers with a file
and full HTTP caching (ETag, Last-Modified, 304, Range/206/416), and ``send_from_directory`` does so
for an untrusted path inside a folder.

How ``send_file`` answers: open the file (or take the caller's binary file from its position) and
learn its size and mtime; set Content-Type (``mimetypes``), Content-Disposition (RFC 6266),
Content-Length, Last-Modified, Cache-Control and the ETag; let ``Response.make_conditional`` turn
it into a 304/412/206/416 (RFC 9110 sections 13-14); stream the body in blocks, or hand a whole
real file to the server's ``wsgi.file_wrapper`` (PEP 3333) so it can use ``sendfile(2)``.
See docs/files.md.
"""

from __future__ import annotations

import importlib
import io
import mimetypes
import os
import re
import unicodedata
import zlib
from datetime import timedelta
from time import time
from typing import Any, Iterator, Optional
from urllib.parse import quote

from .exceptions import escape_html
from .wrappers import Response as _Response
from .wrappers import cached_property  # noqa: F401 - Werkzeug exports it from utils too


def redirect(location: str, code: int = 302, Response: Optional[type] = None) -> Any:  # noqa: N803
    """A response that redirects the client to ``location`` (302 unless ``code`` says otherwise)."""
    response_class = Response or _Response
    safe_location = escape_html(location)
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        f"<p>You should be redirected automatically to the target URL: <a href=\"{safe_location}\">"
        f"{safe_location}</a>. If not, click the link.\n"
    )
    response = response_class(body, code, mimetype="text/html")
    response.headers["Location"] = quote(location, safe="/:?#[]@!$&'()*+,;=%~")
    return response


def import_string(import_name: str, silent: bool = False) -> Any:
    """Import ``"package.module"``, ``"package.module:attr"`` or ``"package.module.attr"``."""
    import_name = import_name.replace(":", ".")
    try:
        try:
            return importlib.import_module(import_name)
        except ImportError:
            if "." not in import_name:
                raise
        module_name, _, attribute = import_name.rpartition(".")
        module = importlib.import_module(module_name)
        try:
            return getattr(module, attribute)
        except AttributeError as e:
            raise ImportError(f"module {module_name!r} has no attribute {attribute!r}") from e
    except ImportError:
        if not silent:
            raise
        return None


_filename_ascii_strip = re.compile(r"[^A-Za-z0-9_.-]")
_windows_device_files = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}


def secure_filename(filename: str) -> str:
    """An ASCII-only name with no path separators, safe to join to an upload folder.

    ``secure_filename("../../etc/passwd")`` is ``"etc_passwd"``; may return ``""``.
    """
    filename = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    for separator in (os.sep, os.path.altsep):
        if separator:
            filename = filename.replace(separator, " ")
    filename = _filename_ascii_strip.sub("", "_".join(filename.split())).strip("._")
    if os.name == "nt" and filename and filename.split(".")[0].upper() in _windows_device_files:
        filename = f"_{filename}"
    return filename


# -- send_file ------------------------------------------------------------------------------------

#: Bytes read per block when a file is streamed (and the block size asked of wsgi.file_wrapper).
SEND_FILE_BLOCK_SIZE = 64 * 1024
# NOTE(utils): Werkzeug's wording, so code (and people) that know that message recognise it.
_TEXT_MODE_ERROR = "Files must be opened in binary mode or use BytesIO."


class _FileSource:
    """What ``send_file`` knows about its file: the open binary file (None with X-Sendfile), the
    path it came from (None for a file object), the bytes to send, the modification time, and the
    position the body starts at (None when the file cannot seek); unknown values are None."""

    def __init__(self, file: Any, path: Optional[str], size: Optional[int], mtime: Optional[float],
                 offset: Optional[int] = 0) -> None:
        self.file, self.path, self.size, self.mtime, self.offset = file, path, size, mtime, offset

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _open_source(path_or_file: Any, root_path: Optional[str], stat_only: bool) -> _FileSource:
    """Open a path (joined to ``root_path`` when relative) or inspect a binary file object."""
    if not isinstance(path_or_file, (str, os.PathLike)):
        return _inspect_file_object(path_or_file)
    path = os.fspath(path_or_file)
    if root_path is not None:
        path = os.path.join(root_path, path)
    if stat_only:
        stat = os.stat(path)
        return _FileSource(None, path, stat.st_size, stat.st_mtime)
    file = open(path, "rb")  # noqa: SIM115 - the response closes it once the body is sent
    try:
        stat = os.fstat(file.fileno())
    except OSError:
        file.close()
        raise
    return _FileSource(file, path, stat.st_size, stat.st_mtime)


def _inspect_file_object(file: Any) -> _FileSource:
    """A caller's open file: binary mode is required; its size is what is left after ``tell()``."""
    if not callable(getattr(file, "read", None)):
        raise TypeError(
            f"send_file needs a path (str or os.PathLike) or a binary file object with a read()"
            f" method, not {type(file).__name__}."
        )
    # NOTE(utils): read(0) returns "" from any text-mode file, even ones that are not TextIOBase.
    if isinstance(file, io.TextIOBase) or isinstance(file.read(0), str):
        raise ValueError(_TEXT_MODE_ERROR)
    offset, size = _measure_remaining(file)
    return _FileSource(file, None, size, None, offset)


def _measure_remaining(file: Any) -> tuple[Optional[int], Optional[int]]:
    """``(position, bytes from there to the end)``, or ``(None, None)`` if the file cannot seek."""
    try:
        if not file.seekable():
            return None, None
        position = file.tell()
        file.seek(0, os.SEEK_END)
        end = file.tell()
        file.seek(position)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return None, None
    return position, max(0, end - position)


def _dump_content_disposition(download_name: str, as_attachment: bool) -> str:
    """``inline; filename=a.txt`` (RFC 6266); a non-ASCII name also goes as RFC 8187 ``filename*``
    (ex RFC 5987) after an ASCII fallback for old clients, as Werkzeug writes it."""
    from .http import quote_header_value

    kind = "attachment" if as_attachment else "inline"
    if download_name.isascii():
        return f"{kind}; filename={quote_header_value(download_name)}"
    fallback = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
    encoded = quote(download_name, safe="!#$&+-.^_`|~")
    return f"{kind}; filename={quote_header_value(fallback)}; filename*=UTF-8''{encoded}"


def _add_type_headers(headers: Any, mimetype: Optional[str], download_name: Optional[str],
                      as_attachment: bool) -> str:
    """Add Content-Encoding/Content-Disposition to ``headers``; return the mimetype to send."""
    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "Unable to detect the MIME type because a file name is not available. Either set"
                " 'download_name', pass a path instead of a file, or set 'mimetype'."
            )
        mimetype, encoding = mimetypes.guess_type(download_name)
        mimetype = mimetype or "application/octet-stream"
        if encoding is not None:  # "x.tar.gz" is a tar archive sent gzip-compressed
            headers["Content-Encoding"] = encoding
    if download_name is not None:
        headers["Content-Disposition"] = _dump_content_disposition(download_name, as_attachment)
    elif as_attachment:
        raise TypeError(
            "No name provided for attachment. Either set 'download_name' or pass a path instead"
            " of a file."
        )
    return mimetype


def _build_file_response(source: _FileSource, response_class: type, mimetype: Optional[str],
                         as_attachment: bool, download_name: Optional[str]) -> Any:
    """The 200 response: type and disposition headers, Content-Length, the unread file as body."""
    from .datastructures import Headers

    if download_name is None and source.path is not None:
        download_name = os.path.basename(source.path)
    headers = Headers()
    mimetype = _add_type_headers(headers, mimetype, download_name, as_attachment)
    body: Any = None
    if source.file is None:
        headers["X-Sendfile"] = source.path
    else:
        body = _FileBody(source.file, source.offset, source.size)
    response = response_class(body, mimetype=mimetype, headers=headers, direct_passthrough=True)
    if source.size is not None:
        response.headers["Content-Length"] = str(source.size)
    return response


def _set_cache_headers(response: Any, max_age: Any) -> None:
    """Cache-Control and Expires for ``max_age`` seconds; None means ``no-cache`` (revalidate
    every time, cheap with the ETag: RFC 9111 section 5.2.2.4)."""
    if max_age is None:
        response.headers["Cache-Control"] = "no-cache"
        return
    if isinstance(max_age, timedelta):
        max_age = max_age.total_seconds()
    max_age = int(max_age)
    if max_age < 0:
        raise ValueError(f"max_age must be a number of seconds >= 0 or None, got {max_age}.")
    # NOTE(utils): 0 gives "no-cache, max-age=0" as in Werkzeug: stored, but always revalidated.
    directives = f"public, max-age={max_age}" if max_age else "no-cache, max-age=0"
    response.headers["Cache-Control"] = directives
    response.expires = time() + max_age


def _make_file_etag(source: _FileSource) -> Optional[str]:
    """Werkzeug's ETag for a file path: ``mtime-size-adler32(path)``; None for a file object."""
    if source.path is None or source.mtime is None:
        return None
    checksum = zlib.adler32(source.path.encode("utf-8", "replace")) & 0xFFFFFFFF
    return f"{source.mtime}-{source.size}-{checksum}"


def _set_validators(response: Any, source: _FileSource, etag: Any, last_modified: Any,
                    max_age: Any) -> None:
    """Last-Modified, caching headers and the ETag, in the order Werkzeug sends them."""
    if last_modified is None:
        last_modified = source.mtime
    if last_modified is not None:
        response.last_modified = last_modified
    _set_cache_headers(response, max_age(source.path) if callable(max_age) else max_age)
    if etag is True:
        etag = _make_file_etag(source)
    if isinstance(etag, str):
        response.set_etag(etag)


def _answer_conditionally(response: Any, source: _FileSource, environ: dict) -> None:
    """304 / 412 / 206 / 416 through ``make_conditional`` (RFC 9110 sections 13 and 14).

    A 304 or 412 sends no body, so the file is closed at once; a 416 is raised."""
    response.make_conditional(environ, accept_ranges=True, complete_length=source.size)
    if response.status_code in (304, 412):
        source.close()
        response.response = []
        if response.status_code == 412:
            response.headers["Content-Length"] = "0"


def _use_file_wrapper(response: Any, source: _FileSource, environ: dict) -> None:
    """Hand a whole real file to the server's ``wsgi.file_wrapper`` (PEP 3333), which may send
    it with ``sendfile(2)``; partial bodies and in-memory files keep the block iterator."""
    file_wrapper = environ.get("wsgi.file_wrapper")
    if file_wrapper is None or response.status_code != 200:
        return
    if not isinstance(response.response, _FileBody) or not _has_fileno(source.file):
        return
    response.response = file_wrapper(source.file, SEND_FILE_BLOCK_SIZE)


def _has_fileno(file: Any) -> bool:
    try:
        file.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def send_file(
    path_or_file: Any,
    environ: dict,
    mimetype: Optional[str] = None,
    as_attachment: bool = False,
    download_name: Optional[str] = None,
    conditional: bool = True,
    etag: Any = True,
    last_modified: Any = None,
    max_age: Any = None,
    use_x_sendfile: bool = False,
    response_class: Optional[type] = None,
    _root_path: Optional[str] = None,
) -> Any:
    """Answer with a file's contents: a path, or a binary file object (read from its position).

    ``mimetype`` is guessed from ``download_name`` (default: the path's base name), which is also
    sent in Content-Disposition, ``attachment`` with ``as_attachment``. A path gets Last-Modified
    and an ETag (``etag`` may be a string, or False for none). ``max_age`` (seconds, or a function
    of the path) sets Cache-Control; None means ``no-cache``. With ``conditional`` the response
    answers If-Match/If-None-Match/If-Modified-Since with 412/304 and one Range with 206 (raising
    416 when unsatisfiable). The body is streamed in blocks, or through ``wsgi.file_wrapper``.
    Raises TypeError when no type or attachment name can be found, ValueError for a text file,
    and OSError (FileNotFoundError, ...) for a path that cannot be opened.
    """
    source = _open_source(path_or_file, _root_path, use_x_sendfile)
    try:
        response = _build_file_response(
            source, response_class or _Response, mimetype, as_attachment, download_name
        )
        _set_validators(response, source, etag, last_modified, max_age)
        if conditional:
            _answer_conditionally(response, source, environ)
    except BaseException:
        source.close()
        raise
    _use_file_wrapper(response, source, environ)
    return response


def send_from_directory(directory: Any, path: Any, environ: dict, **kwargs: Any) -> Any:
    """``send_file`` for ``path`` inside ``directory``, 404 (NotFound) for anything else.

    ``path`` is untrusted (usually from the URL): ``security.safe_join`` refuses ``..``, absolute
    paths, backslashes and NUL bytes; a missing file or a directory is 404 too. A relative
    ``directory`` is taken from ``_root_path`` when given. Other arguments go to ``send_file``.
    """
    from .exceptions import NotFound
    from .security import safe_join

    joined = safe_join(os.fspath(directory), os.fspath(path))
    if joined is None:
        raise NotFound()
    if kwargs.get("_root_path") is not None:
        joined = os.path.join(kwargs["_root_path"], joined)
        kwargs["_root_path"] = None
    if not os.path.isfile(joined):
        raise NotFound()
    try:
        return send_file(joined, environ, **kwargs)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        # NOTE(utils): the file was removed or replaced between the check and open().
        raise NotFound() from e


class _FileBody:
    """A file's bytes in blocks: ``length`` bytes from ``offset`` (to the end when None).

    ``select_range`` narrows it for a 206 by seeking, not reading through; ``close`` closes the
    file, and the server calls it when the response is done (PEP 3333)."""

    def __init__(self, file: Any, offset: Optional[int], length: Optional[int]) -> None:
        self.file, self.offset, self.length = file, offset, length

    def select_range(self, start: int, stop: int) -> None:
        self.offset = (self.offset or 0) + start
        self.length = stop - start

    def __iter__(self) -> Iterator[bytes]:
        if self.offset is not None:
            self.file.seek(self.offset)
        remaining = self.length
        while remaining is None or remaining > 0:
            size = SEND_FILE_BLOCK_SIZE if remaining is None else min(SEND_FILE_BLOCK_SIZE, remaining)
            data = self.file.read(size)
            if not data:
                return
            if remaining is not None:
                remaining -= len(data)
            yield data

    def close(self) -> None:
        self.file.close()


__all__ = [
    "redirect", "import_string", "secure_filename", "send_file", "send_from_directory",
    "cached_property",
]
