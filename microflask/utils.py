"""Small helpers with no app state (the role of ``werkzeug.utils``).

``redirect`` builds a redirect response, ``import_string`` imports ``"pkg.module:name"`` strings,
``secure_filename`` makes an uploaded file name safe to store, ``send_file`` answers with a file
and full HTTP caching (ETag, Last-Modified, 304, Range/206/416).
"""

from __future__ import annotations

import importlib
import mimetypes
import os
import re
import unicodedata
import zlib
from time import time
from typing import Any, Optional
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


def _content_disposition(download_name: str, as_attachment: bool) -> str:
    """``attachment; filename=...`` with an RFC 5987 ``filename*`` for non-ASCII names."""
    kind = "attachment" if as_attachment else "inline"
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        quoted = quote(download_name, safe="!#$&+-.^_`|~")
        return f'{kind}; filename="{_quote_filename(simple)}"; filename*=UTF-8\'\'{quoted}'
    return f'{kind}; filename="{_quote_filename(download_name)}"'


def _quote_filename(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


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
    """Answer with the contents of a file path or a binary file object.

    The body is streamed in blocks (through ``wsgi.file_wrapper`` when the server offers one).
    With ``conditional`` the response answers If-None-Match/If-Modified-Since with 304 and Range
    with 206/416. ``max_age`` (seconds, or a function of the path) sets Cache-Control.
    """
    response_class = response_class or _Response
    path: Optional[str] = None
    size: Optional[int] = None
    mtime: Optional[float] = None
    if isinstance(path_or_file, (os.PathLike, str)):
        path = os.fspath(path_or_file)
        if _root_path is not None:
            path = os.path.join(_root_path, path)
        stat = os.stat(path)
        size, mtime = stat.st_size, stat.st_mtime
        file = open(path, "rb")
    else:
        file = path_or_file
    if download_name is None and path is not None:
        download_name = os.path.basename(path)
    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "Unable to detect the MIME type because a file name is not available. Either set"
                " 'download_name', pass a path instead of a file, or set 'mimetype'."
            )
        mimetype = mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    headers: list[tuple[str, str]] = []
    if download_name is not None and (as_attachment or download_name != os.path.basename(path or "")):
        headers.append(("Content-Disposition", _content_disposition(download_name, as_attachment)))
    elif as_attachment:
        raise TypeError("No name provided for attachment.")
    if size is None and hasattr(file, "seek") and hasattr(file, "tell"):
        position = file.tell()
        size = file.seek(0, os.SEEK_END) - position
        file.seek(position)
    body = _FileBody(file)
    response = response_class(body, mimetype=mimetype, headers=headers, direct_passthrough=True)
    if size is not None:
        response.headers["Content-Length"] = str(size)
    if last_modified is not None or mtime is not None:
        response.last_modified = last_modified if last_modified is not None else int(mtime)  # type: ignore[arg-type]
    if callable(max_age):
        max_age = max_age(path)
    if max_age is not None:
        if max_age > 0:
            response.cache_control.no_cache = None
            response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.expires = int(time() + max_age)
    else:
        response.cache_control.no_cache = True
    if etag is True and path is not None:
        check = zlib.adler32(path.encode("utf-8", "replace")) & 0xFFFFFFFF
        response.set_etag(f"{mtime}-{size}-{check}")
    elif isinstance(etag, str):
        response.set_etag(etag)
    if conditional:
        response = _make_file_conditional(response, file, environ, size)
    return response


class _FileBody:
    """Iterate a file in blocks; ``range`` cuts a byte span; closes the file at the end."""

    block_size = 64 * 1024

    def __init__(self, file: Any) -> None:
        self.file = file
        self.start = 0
        self.stop: Optional[int] = None

    def __iter__(self) -> Any:
        if self.start:
            self.file.seek(self.start)
        remaining = None if self.stop is None else self.stop - self.start
        while remaining is None or remaining > 0:
            size = self.block_size if remaining is None else min(self.block_size, remaining)
            data = self.file.read(size)
            if not data:
                break
            if remaining is not None:
                remaining -= len(data)
            yield data

    def close(self) -> None:
        self.file.close()


def _make_file_conditional(response: Any, file: Any, environ: dict, size: Optional[int]) -> Any:
    """make_conditional for a file: a Range cuts the file body instead of loading it."""
    from .exceptions import RequestedRangeNotSatisfiable

    body = response.response
    try:
        response.make_conditional(environ, accept_ranges=True, complete_length=size)
    except RequestedRangeNotSatisfiable:
        file.close()
        raise
    if response.status_code == 206:
        start, _, rest = response.headers["Content-Range"].partition(" ")[2].partition("-")
        body.start = int(start)
        body.stop = int(rest.partition("/")[0]) + 1
    elif response.status_code == 304:
        file.close()
    return response


__all__ = ["redirect", "import_string", "secure_filename", "send_file", "cached_property"]
