"""send_file, send_from_directory and static files, through the test client with real files.

Every scenario was first run on Flask 3.1.3 / Werkzeug 3.1.8 in a scratch shell. Where the result
differs on purpose (RFC 9110 asks for something else, or Werkzeug sends a broken response) the
test says "deviation" and names both behaviours. See docs/files.md.
"""

from __future__ import annotations

import io
import os
import tempfile
import zlib
from datetime import timedelta
from wsgiref.util import FileWrapper

import pytest

from microflask import Blueprint, Flask, send_file, send_from_directory, url_for
from microflask import utils
from microflask.exceptions import NotFound
from microflask.test import create_environ
from microflask.wrappers import Response

DATA = b"0123456789abcdefghijklmnopqrstuvwxyz"  # 36 bytes, each one easy to point at
MTIME = 1_600_000_000  # Sun, 13 Sep 2020 12:26:40 GMT
MTIME_HTTP = "Sun, 13 Sep 2020 12:26:40 GMT"


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(DATA)
    os.utime(path, (MTIME, MTIME))
    return path


@pytest.fixture
def etag(data_file):
    """The ETag Werkzeug gives this file: "mtime-size-adler32(path)"."""
    checksum = zlib.adler32(str(data_file).encode()) & 0xFFFFFFFF
    return f'"{float(MTIME)}-{len(DATA)}-{checksum}"'


def serve(tmp_path, view, **config):
    """A test client for an app whose ``/f`` view is ``view`` (GET, HEAD and POST)."""
    app = Flask(__name__, root_path=str(tmp_path), static_folder=None)
    app.config.update(TESTING=True, **config)
    app.add_url_rule("/f", "f", view, methods=["GET", "HEAD", "POST"])
    return app.test_client()


def get_file(tmp_path, path, headers=None, method="GET", **send_kwargs):
    client = serve(tmp_path, lambda: send_file(path, **send_kwargs))
    return client.open("/f", method=method, headers=headers or {})


def make_static_app(tmp_path, **kwargs):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body { color: red; }")
    (static / "app.js").write_text("alert(1);")
    (tmp_path / "secret.txt").write_text("top secret")
    kwargs.setdefault("static_folder", str(static))
    app = Flask(__name__, root_path=str(tmp_path), **kwargs)
    app.config["TESTING"] = True
    return app


class RecordingFileWrapper:
    """A ``wsgi.file_wrapper`` that records what the app handed it."""

    calls: list = []

    def __init__(self, file, block_size=8192):
        RecordingFileWrapper.calls.append((file, block_size))
        self.file = file

    def __iter__(self):
        return iter(lambda: self.file.read(8192), b"")

    def close(self):
        self.file.close()


@pytest.fixture
def file_wrapper():
    RecordingFileWrapper.calls = []
    return RecordingFileWrapper


class UnseekableStream(io.RawIOBase):
    """A binary stream that can only be read forward, like a pipe."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# -- send_file: the body and its description ------------------------------------------------------


def test_send_file_answers_with_the_file_bytes(tmp_path, data_file):
    response = get_file(tmp_path, data_file)
    assert response.status_code == 200
    assert response.data == DATA


def test_send_file_sets_content_length_to_the_file_size(tmp_path, data_file):
    assert get_file(tmp_path, data_file).headers["Content-Length"] == str(len(DATA))


def test_send_file_guesses_the_mimetype_from_the_file_name(tmp_path):
    (tmp_path / "site.css").write_text("p {}")
    response = get_file(tmp_path, tmp_path / "site.css")
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"


def test_send_file_sends_binary_types_without_a_charset(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    assert get_file(tmp_path, tmp_path / "logo.png").headers["Content-Type"] == "image/png"


def test_unknown_extension_is_sent_as_octet_stream(tmp_path):
    (tmp_path / "blob.unknownext").write_bytes(b"?")
    response = get_file(tmp_path, tmp_path / "blob.unknownext")
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_compressed_file_name_sets_content_encoding(tmp_path):
    # Matched Werkzeug: mimetypes says "x.tar.gz" is a tar archive with gzip encoding.
    (tmp_path / "backup.tar.gz").write_bytes(b"\x1f\x8b")
    response = get_file(tmp_path, tmp_path / "backup.tar.gz")
    assert response.headers["Content-Type"] == "application/x-tar"
    assert response.headers["Content-Encoding"] == "gzip"


def test_explicit_mimetype_wins_over_the_guess(tmp_path, data_file):
    response = get_file(tmp_path, data_file, mimetype="application/x-custom")
    assert response.headers["Content-Type"] == "application/x-custom"


def test_path_is_sent_inline_with_its_base_name(tmp_path, data_file):
    # Matched Werkzeug: a path always gets Content-Disposition, "inline" unless as_attachment.
    assert get_file(tmp_path, data_file).headers["Content-Disposition"] == "inline; filename=data.txt"


def test_as_attachment_asks_the_browser_to_download(tmp_path, data_file):
    response = get_file(tmp_path, data_file, as_attachment=True)
    assert response.headers["Content-Disposition"] == "attachment; filename=data.txt"


def test_download_name_replaces_the_file_name_and_picks_the_mimetype(tmp_path, data_file):
    response = get_file(tmp_path, data_file, download_name="report.csv", as_attachment=True)
    assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_download_name_that_is_not_a_token_is_quoted(tmp_path, data_file):
    response = get_file(tmp_path, data_file, download_name='my "best" file.txt')
    assert response.headers["Content-Disposition"] == 'inline; filename="my \\"best\\" file.txt"'


def test_non_ascii_download_name_gets_filename_star_and_an_ascii_fallback(tmp_path, data_file):
    # The exact header Werkzeug 3.1 writes: NFKD ASCII fallback, then RFC 5987 UTF-8 form.
    response = get_file(tmp_path, data_file, download_name="résumé €.txt", as_attachment=True)
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"resume .txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.txt"
    )


def test_download_name_without_ascii_letters_falls_back_to_an_empty_filename(tmp_path, data_file):
    # Matched Werkzeug: the fallback is empty, so old clients pick their own name.
    response = get_file(tmp_path, data_file, download_name="日本")
    assert response.headers["Content-Disposition"] == "inline; filename=\"\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC"


def test_download_name_with_a_newline_is_refused(tmp_path, data_file):
    with pytest.raises(ValueError, match="must not contain"):
        get_file(tmp_path, data_file, download_name="a\r\nSet-Cookie: x=1")


def test_relative_path_is_taken_from_the_app_root_path(tmp_path, data_file):
    assert get_file(tmp_path, "data.txt").data == DATA


def test_missing_path_raises_file_not_found(tmp_path):
    # Matched Flask: send_file trusts its path, so a missing one is a server error, not a 404.
    with pytest.raises(FileNotFoundError):
        get_file(tmp_path, tmp_path / "missing.txt")


def test_large_file_is_streamed_in_blocks_not_read_at_once(tmp_path):
    big = bytes(range(256)) * 1000  # 256000 bytes, several blocks
    (tmp_path / "big.bin").write_bytes(big)
    app = serve(tmp_path, lambda: send_file("big.bin")).application
    chunks = app(create_environ("/f"), lambda status, headers: None)
    try:
        received = list(chunks)
    finally:
        chunks.close()
    assert len(received) > 1
    assert b"".join(received) == big


# -- send_file: file objects ----------------------------------------------------------------------


def test_bytesio_is_sent_with_its_length(tmp_path):
    response = get_file(tmp_path, io.BytesIO(b"abcdef"), mimetype="text/plain")
    assert response.data == b"abcdef"
    assert response.headers["Content-Length"] == "6"


def test_bytesio_with_download_name_gets_type_and_disposition(tmp_path):
    response = get_file(tmp_path, io.BytesIO(b"a,b"), download_name="table.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "inline; filename=table.csv"


def test_bytesio_is_sent_from_its_current_position(tmp_path):
    # Deviation: Werkzeug sends b"cdef" with Content-Length: 6, a response the client cannot read.
    stream = io.BytesIO(b"abcdef")
    stream.seek(2)
    response = get_file(tmp_path, stream, mimetype="text/plain")
    assert (response.data, response.headers["Content-Length"]) == (b"cdef", "4")


def test_binary_file_object_gets_a_content_length(tmp_path, data_file):
    # Deviation: Werkzeug sends an open file without Content-Length (and so without ranges).
    response = get_file(tmp_path, open(data_file, "rb"), mimetype="text/plain")  # noqa: SIM115
    assert response.headers["Content-Length"] == str(len(DATA))


def test_file_object_is_not_named_after_its_name_attribute(tmp_path, data_file):
    # Matched Werkzeug: only download_name names a file object; file.name may be a server path.
    response = get_file(tmp_path, open(data_file, "rb"), mimetype="text/plain")  # noqa: SIM115
    assert "Content-Disposition" not in response.headers


def test_file_object_gets_no_etag_or_last_modified(tmp_path):
    response = get_file(tmp_path, io.BytesIO(b"abc"), mimetype="text/plain")
    assert "ETag" not in response.headers
    assert "Last-Modified" not in response.headers


def test_unseekable_stream_is_sent_without_content_length(tmp_path):
    stream = io.BufferedReader(UnseekableStream(b"streamed"))
    response = get_file(tmp_path, stream, mimetype="text/plain", headers={"Range": "bytes=0-1"})
    assert (response.status_code, response.data) == (200, b"streamed")
    assert "Content-Length" not in response.headers


def test_file_object_without_name_or_mimetype_raises_type_error(tmp_path):
    with pytest.raises(TypeError, match="Unable to detect the MIME type"):
        get_file(tmp_path, io.BytesIO(b"abc"))


def test_attachment_without_any_name_raises_type_error(tmp_path):
    with pytest.raises(TypeError, match="No name provided for attachment"):
        get_file(tmp_path, io.BytesIO(b"abc"), mimetype="text/plain", as_attachment=True)


@pytest.mark.parametrize(
    "make_file",
    [lambda path: io.StringIO("text"), lambda path: open(path),  # noqa: SIM115
     lambda path: tempfile.SpooledTemporaryFile(mode="w+")],  # noqa: SIM115
    ids=["stringio", "open-text", "spooled-text"],
)
def test_text_mode_file_raises_value_error(tmp_path, data_file, make_file):
    with pytest.raises(ValueError, match="binary mode"):
        get_file(tmp_path, make_file(data_file), mimetype="text/plain")


def test_bytes_instead_of_a_path_raises_type_error(tmp_path):
    with pytest.raises(TypeError, match="path .* or a binary file object"):
        get_file(tmp_path, b"data.txt", mimetype="text/plain")


def test_file_object_is_closed_after_the_response_is_sent(tmp_path, data_file):
    file = open(data_file, "rb")  # noqa: SIM115
    get_file(tmp_path, file, mimetype="text/plain")
    assert file.closed


@pytest.mark.parametrize(
    ("method", "headers"),
    [("HEAD", {}), ("GET", {"If-Modified-Since": MTIME_HTTP}), ("GET", {"Range": "bytes=99-"})],
    ids=["head", "304", "416"],
)
def test_file_object_is_closed_when_no_body_is_sent(tmp_path, data_file, method, headers):
    file = open(data_file, "rb")  # noqa: SIM115
    get_file(tmp_path, file, method=method, headers=headers, mimetype="text/plain",
             last_modified=MTIME)
    assert file.closed


# -- Caching headers ----------------------------------------------------------------------------


def test_default_max_age_sends_no_cache(tmp_path, data_file):
    # Matched Flask 3.1: SEND_FILE_MAX_AGE_DEFAULT is None, so browsers revalidate with the ETag.
    response = get_file(tmp_path, data_file)
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Expires" not in response.headers


def test_max_age_sends_public_max_age_and_expires(tmp_path, data_file):
    response = get_file(tmp_path, data_file, max_age=60)
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert (response.expires - response.date).total_seconds() == pytest.approx(60, abs=1)


def test_max_age_zero_sends_no_cache_max_age_zero(tmp_path, data_file):
    # Matched Werkzeug's header for 0.
    assert get_file(tmp_path, data_file, max_age=0).headers["Cache-Control"] == "no-cache, max-age=0"


def test_callable_max_age_is_called_with_the_file_path(tmp_path, data_file):
    seen = []
    response = get_file(tmp_path, data_file, max_age=lambda path: seen.append(path) or 7)
    assert seen == [str(data_file)]
    assert response.headers["Cache-Control"] == "public, max-age=7"


@pytest.mark.parametrize("setting", [3600, timedelta(hours=1)])
def test_send_file_max_age_default_config_sets_the_default(tmp_path, data_file, setting):
    client = serve(tmp_path, lambda: send_file(data_file), SEND_FILE_MAX_AGE_DEFAULT=setting)
    assert client.get("/f").headers["Cache-Control"] == "public, max-age=3600"


def test_negative_max_age_raises_value_error(tmp_path, data_file):
    with pytest.raises(ValueError, match="max_age"):
        get_file(tmp_path, data_file, max_age=-1)


def test_path_gets_last_modified_from_its_mtime(tmp_path, data_file):
    assert get_file(tmp_path, data_file).headers["Last-Modified"] == MTIME_HTTP


def test_path_gets_werkzeug_style_etag(tmp_path, data_file, etag):
    assert get_file(tmp_path, data_file).headers["ETag"] == etag


def test_etag_false_sends_no_etag(tmp_path, data_file):
    assert "ETag" not in get_file(tmp_path, data_file, etag=False).headers


def test_etag_string_is_sent_quoted(tmp_path, data_file):
    assert get_file(tmp_path, data_file, etag="v2").headers["ETag"] == '"v2"'


def test_last_modified_argument_overrides_the_mtime(tmp_path, data_file):
    response = get_file(tmp_path, data_file, last_modified=0)
    assert response.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


# -- Conditional requests (RFC 9110 section 13) ----------------------------------------------------


def test_matching_if_none_match_gives_304_without_body(tmp_path, data_file, etag):
    response = get_file(tmp_path, data_file, headers={"If-None-Match": etag})
    assert (response.status_code, response.data) == (304, b"")


@pytest.mark.parametrize("value", ["W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_compares_weakly_and_accepts_lists_and_star(tmp_path, data_file, etag, value):
    response = get_file(tmp_path, data_file, headers={"If-None-Match": value.format(etag=etag)})
    assert response.status_code == 304


def test_other_if_none_match_gives_the_file(tmp_path, data_file):
    response = get_file(tmp_path, data_file, headers={"If-None-Match": '"other"'})
    assert (response.status_code, response.data) == (200, DATA)


def test_if_modified_since_at_last_modified_gives_304(tmp_path, data_file):
    assert get_file(tmp_path, data_file, headers={"If-Modified-Since": MTIME_HTTP}).status_code == 304


@pytest.mark.parametrize("value", ["Sat, 12 Sep 2020 00:00:00 GMT", "not a date"])
def test_older_or_invalid_if_modified_since_gives_the_file(tmp_path, data_file, value):
    assert get_file(tmp_path, data_file, headers={"If-Modified-Since": value}).status_code == 200


def test_if_none_match_decides_over_if_modified_since(tmp_path, data_file):
    # RFC 9110 section 13.2.2: If-Modified-Since is only read when If-None-Match is absent.
    headers = {"If-None-Match": '"other"', "If-Modified-Since": MTIME_HTTP}
    assert get_file(tmp_path, data_file, headers=headers).status_code == 200


def test_304_keeps_validators_and_caching_headers_but_no_content_headers(tmp_path, data_file, etag):
    response = get_file(tmp_path, data_file, max_age=60, headers={"If-None-Match": etag})
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Expires" in response.headers
    assert "Content-Length" not in response.headers
    assert "Content-Type" not in response.headers


def test_failed_if_match_gives_412_without_body(tmp_path, data_file):
    # Deviation: Werkzeug sends the whole file with its 412.
    response = get_file(tmp_path, data_file, headers={"If-Match": '"other"'})
    assert (response.status_code, response.data) == (412, b"")
    assert response.headers["Content-Length"] == "0"


def test_matching_if_match_gives_the_file(tmp_path, data_file, etag):
    assert get_file(tmp_path, data_file, headers={"If-Match": etag}).status_code == 200


def test_failed_if_unmodified_since_gives_412(tmp_path, data_file):
    # Deviation: Werkzeug ignores If-Unmodified-Since; RFC 9110 section 13.1.4 asks for 412.
    headers = {"If-Unmodified-Since": "Sat, 12 Sep 2020 00:00:00 GMT"}
    assert get_file(tmp_path, data_file, headers=headers).status_code == 412


def test_conditional_false_ignores_validators_and_ranges(tmp_path, data_file, etag):
    headers = {"If-None-Match": etag, "Range": "bytes=0-1"}
    response = get_file(tmp_path, data_file, conditional=False, headers=headers)
    assert (response.status_code, response.data) == (200, DATA)
    assert "Accept-Ranges" not in response.headers


def test_post_ignores_range_and_if_none_match(tmp_path, data_file, etag):
    headers = {"If-None-Match": etag, "Range": "bytes=0-1"}
    response = get_file(tmp_path, data_file, method="POST", headers=headers)
    assert (response.status_code, response.data) == (200, DATA)


def test_head_gives_the_headers_and_no_body(tmp_path, data_file):
    response = get_file(tmp_path, data_file, method="HEAD")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.data == b""


# -- Ranges (RFC 9110 section 14) ---------------------------------------------------------------


def get_range(tmp_path, path, value, **kwargs):
    headers = {"Range": value, **kwargs.pop("headers", {})}
    return get_file(tmp_path, path, headers=headers, **kwargs)


def test_file_response_advertises_byte_ranges(tmp_path, data_file):
    assert get_file(tmp_path, data_file).headers["Accept-Ranges"] == "bytes"


def test_range_gives_206_with_content_range(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=10-14")
    assert (response.status_code, response.data) == (206, b"abcde")
    assert response.headers["Content-Range"] == "bytes 10-14/36"
    assert response.headers["Content-Length"] == "5"


def test_suffix_range_gives_the_last_bytes(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=-3")
    assert (response.data, response.headers["Content-Range"]) == (b"xyz", "bytes 33-35/36")


def test_open_ended_range_runs_to_the_end(tmp_path, data_file):
    assert get_range(tmp_path, data_file, "bytes=30-").data == b"uvwxyz"


def test_range_past_the_end_is_cut_at_the_end(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=30-999")
    assert (response.data, response.headers["Content-Range"]) == (b"uvwxyz", "bytes 30-35/36")


def test_suffix_longer_than_the_file_gives_the_whole_file_as_206(tmp_path, data_file):
    # Deviation: Werkzeug answers 416; RFC 9110 section 14.1.2 says the entire representation.
    response = get_range(tmp_path, data_file, "bytes=-100")
    assert (response.status_code, response.headers["Content-Range"]) == (206, "bytes 0-35/36")


@pytest.mark.parametrize("value", ["bytes=36-", "bytes=100-200"])
def test_range_starting_past_the_end_gives_416_with_the_size(tmp_path, data_file, value):
    response = get_range(tmp_path, data_file, value)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */36"


@pytest.mark.parametrize(
    "value",
    ["garbage", "bytes=", "bytes=5-2", "bytes=a-b", "bytes=--1", "bytes=1-2-3", "items=0-1",
     "bytes=0-1;x", "bytes=" + ",".join(f"{n}-{n}" for n in range(0, 202, 2))],
    ids=["no-unit", "empty-set", "last-before-first", "letters", "double-dash", "three-parts",
         "unknown-unit", "trailing-junk", "too-many-ranges"],
)
def test_malformed_range_is_ignored(tmp_path, data_file, value):
    # Deviation: Werkzeug answers 416; RFC 9110 section 14.2 lets a server ignore such a header.
    response = get_range(tmp_path, data_file, value)
    assert (response.status_code, response.data) == (200, DATA)


def test_multiple_ranges_get_the_whole_file(tmp_path, data_file):
    # Deviation: Werkzeug answers 416. No multipart/byteranges here; RFC 9110 section 14.2 lets
    # the server ignore Range, and the full 200 is a body every client can use.
    response = get_range(tmp_path, data_file, "bytes=0-1,5-6")
    assert (response.status_code, response.data) == (200, DATA)


def test_multiple_unsatisfiable_ranges_give_416(tmp_path, data_file):
    assert get_range(tmp_path, data_file, "bytes=50-60,70-80").status_code == 416


def test_range_on_an_empty_file_is_ignored(tmp_path):
    # Matched Werkzeug: an empty body has no bytes to cut, so the (empty) 200 is sent.
    (tmp_path / "empty.bin").write_bytes(b"")
    response = get_range(tmp_path, tmp_path / "empty.bin", "bytes=0-")
    assert (response.status_code, response.data) == (200, b"")


def test_range_across_block_boundaries_gives_the_right_bytes(tmp_path):
    big = bytes(range(256)) * 1000
    (tmp_path / "big.bin").write_bytes(big)
    response = get_range(tmp_path, tmp_path / "big.bin", "bytes=65530-131080")
    assert response.data == big[65530:131081]


def test_range_of_a_bytesio_counts_from_its_position(tmp_path):
    stream = io.BytesIO(b"abcdef")
    stream.seek(2)
    response = get_range(tmp_path, stream, "bytes=1-2", mimetype="text/plain")
    assert (response.data, response.headers["Content-Range"]) == (b"de", "bytes 1-2/4")


def test_head_with_range_gives_206_headers_without_body(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=0-1", method="HEAD")
    assert (response.status_code, response.headers["Content-Length"], response.data) == (206, "2", b"")


def test_if_range_with_the_current_etag_gives_the_range(tmp_path, data_file, etag):
    response = get_range(tmp_path, data_file, "bytes=0-1", headers={"If-Range": etag})
    assert (response.status_code, response.data) == (206, b"01")


def test_if_range_with_a_stale_etag_gives_the_whole_file(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=0-1", headers={"If-Range": '"stale"'})
    assert (response.status_code, response.data) == (200, DATA)


def test_if_range_with_a_weak_etag_gives_the_whole_file(tmp_path, data_file, etag):
    # Deviation: Werkzeug sends the range; RFC 9110 section 13.1.5 requires a strong match.
    response = get_range(tmp_path, data_file, "bytes=0-1", headers={"If-Range": "W/" + etag})
    assert response.status_code == 200


def test_if_range_with_the_exact_last_modified_date_gives_the_range(tmp_path, data_file):
    response = get_range(tmp_path, data_file, "bytes=0-1", headers={"If-Range": MTIME_HTTP})
    assert response.status_code == 206


def test_if_range_with_a_later_date_gives_the_whole_file(tmp_path, data_file):
    # Deviation: Werkzeug sends the range; RFC 9110 section 13.1.5 asks for an exact match.
    headers = {"If-Range": "Mon, 01 Jan 2035 00:00:00 GMT"}
    assert get_range(tmp_path, data_file, "bytes=0-1", headers=headers).status_code == 200


def test_if_none_match_is_answered_before_range(tmp_path, data_file, etag):
    # Deviation: Werkzeug sends 206; RFC 9110 section 13.2.2 evaluates If-None-Match first.
    response = get_range(tmp_path, data_file, "bytes=0-1", headers={"If-None-Match": etag})
    assert response.status_code == 304


# -- wsgi.file_wrapper (PEP 3333) and X-Sendfile ----------------------------------------------------


def test_server_file_wrapper_gets_the_whole_real_file(tmp_path, data_file, file_wrapper):
    client = serve(tmp_path, lambda: send_file(data_file))
    response = client.get("/f", environ_overrides={"wsgi.file_wrapper": file_wrapper})
    assert response.data == DATA
    [(file, block_size)] = file_wrapper.calls
    assert file.name == str(data_file)
    assert block_size == utils.SEND_FILE_BLOCK_SIZE


def test_file_wrapper_is_closed_with_its_file(tmp_path, data_file, file_wrapper):
    client = serve(tmp_path, lambda: send_file(data_file))
    client.get("/f", environ_overrides={"wsgi.file_wrapper": file_wrapper})
    assert file_wrapper.calls[0][0].closed


@pytest.mark.parametrize(
    ("path_or_file", "headers"),
    [("data.txt", {"Range": "bytes=0-1"}), (io.BytesIO(DATA), {})],
    ids=["range", "bytesio"],
)
def test_file_wrapper_is_used_only_for_a_whole_real_file(tmp_path, data_file, file_wrapper,
                                                        path_or_file, headers):
    client = serve(tmp_path, lambda: send_file(path_or_file, mimetype="text/plain"))
    client.get("/f", headers=headers, environ_overrides={"wsgi.file_wrapper": file_wrapper})
    assert file_wrapper.calls == []


def test_file_wrapper_object_reaches_the_server_unwrapped(tmp_path, data_file, file_wrapper):
    # PEP 3333: a server recognises its own wrapper (to use sendfile) only if it gets it back.
    app = serve(tmp_path, lambda: send_file(data_file)).application
    environ = create_environ("/f")
    environ["wsgi.file_wrapper"] = file_wrapper
    app_iter = app(environ, lambda status, headers: None)
    app_iter.close()
    assert isinstance(app_iter, file_wrapper)


def test_wsgiref_file_wrapper_serves_the_file(tmp_path, data_file):
    client = serve(tmp_path, lambda: send_file(data_file))
    assert client.get("/f", environ_overrides={"wsgi.file_wrapper": FileWrapper}).data == DATA


def test_use_x_sendfile_names_the_file_for_the_front_server(tmp_path, data_file):
    # Matched Flask: X-Sendfile holds the path, Content-Length the size, and the body is empty.
    client = serve(tmp_path, lambda: send_file("data.txt"), USE_X_SENDFILE=True)
    response = client.get("/f")
    assert response.headers["X-Sendfile"] == str(data_file)
    assert (response.headers["Content-Length"], response.data) == (str(len(DATA)), b"")


# -- send_from_directory ------------------------------------------------------------------------


@pytest.fixture
def files_dir(tmp_path):
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"file a")
    (folder / "sub" / "b.txt").write_bytes(b"file b")
    (tmp_path / "secret.txt").write_bytes(b"top secret")
    return folder


def get_from_directory(tmp_path, directory, filename, **kwargs):
    client = serve(tmp_path, lambda: send_from_directory(directory, filename, **kwargs))
    return client.get("/f")


def test_send_from_directory_serves_a_file_inside(tmp_path, files_dir):
    assert get_from_directory(tmp_path, files_dir, "a.txt").data == b"file a"


def test_send_from_directory_serves_a_file_in_a_subfolder(tmp_path, files_dir):
    assert get_from_directory(tmp_path, files_dir, "sub/b.txt").data == b"file b"


def test_send_from_directory_takes_a_relative_directory_from_the_root_path(tmp_path, files_dir):
    assert get_from_directory(tmp_path, "files", "a.txt").data == b"file a"


def test_send_from_directory_works_with_a_relative_root_path(tmp_path, files_dir, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)
    app = Flask(__name__, root_path=tmp_path.name, static_folder=None)
    app.add_url_rule("/f", "f", lambda: send_from_directory("files", "a.txt"))
    assert app.test_client().get("/f").data == b"file a"


def test_send_from_directory_gives_404_when_the_file_vanishes_after_the_check(tmp_path, files_dir,
                                                                              monkeypatch):
    monkeypatch.setattr(os.path, "isfile", lambda path: True)  # the file is removed after the check
    assert get_from_directory(tmp_path, files_dir, "missing.txt").status_code == 404


def test_send_from_directory_normalizes_dot_segments_that_stay_inside(tmp_path, files_dir):
    assert get_from_directory(tmp_path, files_dir, "sub/../a.txt").data == b"file a"


@pytest.mark.parametrize(
    "filename",
    ["../secret.txt", "sub/../../secret.txt", "..", "/etc/passwd", "{secret}", "..\\secret.txt",
     "sub\\..\\..\\secret.txt", "C:\\Windows\\win.ini", "a.txt\x00.png", "\x00"],
    ids=["dotdot", "nested-dotdot", "bare-dotdot", "absolute", "absolute-inside-tmp",
         "backslash-dotdot", "backslash-nested", "windows-drive", "nul-suffix", "nul"],
)
def test_send_from_directory_refuses_paths_outside_the_directory(tmp_path, files_dir, filename):
    filename = filename.format(secret=tmp_path / "secret.txt")
    response = get_from_directory(tmp_path, files_dir, filename)
    assert response.status_code == 404
    assert b"top secret" not in response.data


@pytest.mark.skipif(os.name == "nt", reason="a backslash cannot be part of a Windows file name")
def test_send_from_directory_refuses_backslashes_even_where_they_are_legal_in_names(tmp_path, files_dir):
    # Deviation: Werkzeug refuses backslashes only on Windows and would send this file on Linux.
    (files_dir / "sub\\b.txt").write_bytes(b"backslash")
    assert get_from_directory(tmp_path, files_dir, "sub\\b.txt").status_code == 404


@pytest.mark.parametrize("filename", ["sub", "", ".", "sub/.."], ids=["folder", "empty", "dot", "up"])
def test_send_from_directory_gives_404_for_a_directory(tmp_path, files_dir, filename):
    assert get_from_directory(tmp_path, files_dir, filename).status_code == 404


def test_send_from_directory_gives_404_for_a_missing_file(tmp_path, files_dir):
    assert get_from_directory(tmp_path, files_dir, "missing.txt").status_code == 404


def test_send_from_directory_passes_options_to_send_file(tmp_path, files_dir):
    response = get_from_directory(tmp_path, files_dir, "a.txt", as_attachment=True, max_age=30)
    assert response.headers["Content-Disposition"] == "attachment; filename=a.txt"
    assert response.headers["Cache-Control"] == "public, max-age=30"


def test_utils_send_from_directory_raises_not_found_without_an_app(files_dir):
    with pytest.raises(NotFound):
        utils.send_from_directory(files_dir, "../secret.txt", create_environ())


def test_utils_send_file_works_without_an_app(data_file):
    environ = create_environ(headers={"Range": "bytes=0-2"})
    with utils.send_file(data_file, environ) as response:
        assert (response.status_code, response.get_data()) == (206, b"012")


# -- Static files --------------------------------------------------------------------------------


def test_static_file_is_served_from_the_static_folder(tmp_path):
    response = make_static_app(tmp_path).test_client().get("/static/css/site.css")
    assert response.data == b"body { color: red; }"
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"


def test_url_for_static_builds_the_file_url(tmp_path):
    app = make_static_app(tmp_path)
    with app.test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"


def test_custom_static_url_path_serves_under_that_prefix(tmp_path):
    client = make_static_app(tmp_path, static_url_path="/assets").test_client()
    assert client.get("/assets/app.js").data == b"alert(1);"
    assert client.get("/static/app.js").status_code == 404


def test_empty_static_url_path_serves_from_the_site_root(tmp_path):
    assert make_static_app(tmp_path, static_url_path="").test_client().get("/app.js").status_code == 200


def test_static_url_path_defaults_to_the_folder_name(tmp_path):
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "robots.txt").write_text("User-agent: *")
    app = make_static_app(tmp_path, static_folder="public")
    assert app.test_client().get("/public/robots.txt").data == b"User-agent: *"


def test_static_folder_none_adds_no_static_route(tmp_path):
    app = make_static_app(tmp_path, static_folder=None)
    assert "static" not in app.view_functions
    assert app.test_client().get("/static/app.js").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/static/../secret.txt", "/static/..%2fsecret.txt", "/static/%2e%2e/secret.txt",
     "/static/css/..%2f..%2fsecret.txt", "/static/..%5csecret.txt", "/static/%2fetc%2fpasswd",
     "/static//etc/passwd", "/static/C:%5cWindows%5cwin.ini", "/static/app.js%00.png",
     "/static/%00"],
    ids=["dotdot", "encoded-slash", "encoded-dots", "nested-encoded", "encoded-backslash",
         "encoded-absolute", "double-slash", "windows-drive", "nul-suffix", "nul"],
)
def test_static_route_refuses_paths_outside_the_folder(tmp_path, url):
    # Matched Flask: "//" (also as %2f) is merged by the router with a 308 to /static/etc/passwd,
    # which stays inside the folder and is a 404 there.
    response = make_static_app(tmp_path).test_client().get(url, follow_redirects=True)
    assert response.status_code == 404
    assert b"top secret" not in response.data


@pytest.mark.parametrize("url", ["/static/css", "/static/css/", "/static/missing.js"])
def test_static_directory_or_missing_file_gives_404(tmp_path, url):
    assert make_static_app(tmp_path).test_client().get(url).status_code == 404


def test_static_files_use_send_file_max_age_default(tmp_path):
    app = make_static_app(tmp_path)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(days=1)
    assert app.test_client().get("/static/app.js").headers["Cache-Control"] == "public, max-age=86400"


def test_get_send_file_max_age_can_choose_per_file(tmp_path):
    class LongCacheForCSS(Flask):
        def get_send_file_max_age(self, filename):
            return 31536000 if filename.endswith(".css") else None

    app = make_static_app(tmp_path)
    app.__class__ = LongCacheForCSS
    client = app.test_client()
    assert client.get("/static/css/site.css").headers["Cache-Control"] == "public, max-age=31536000"
    assert client.get("/static/app.js").headers["Cache-Control"] == "no-cache"


def test_static_file_answers_if_none_match_with_304(tmp_path):
    client = make_static_app(tmp_path).test_client()
    etag = client.get("/static/app.js").headers["ETag"]
    assert client.get("/static/app.js", headers={"If-None-Match": etag}).status_code == 304


def test_static_file_answers_a_range_with_206(tmp_path):
    response = make_static_app(tmp_path).test_client().get("/static/app.js", headers={"Range": "bytes=0-4"})
    assert (response.status_code, response.data) == (206, b"alert")


def test_static_file_answers_head_without_body(tmp_path):
    response = make_static_app(tmp_path).test_client().head("/static/app.js")
    assert (response.status_code, response.headers["Content-Length"], response.data) == (200, "9", b"")


def test_static_host_serves_static_files_on_that_host_only(tmp_path):
    app = make_static_app(tmp_path, static_host="cdn.example.com", host_matching=True)
    client = app.test_client()
    assert client.get("/static/app.js", headers={"Host": "cdn.example.com"}).status_code == 200
    assert client.get("/static/app.js", headers={"Host": "example.com"}).status_code == 404


def test_url_for_static_with_static_host_is_external(tmp_path):
    app = make_static_app(tmp_path, static_host="cdn.example.com", host_matching=True)
    with app.test_request_context(headers={"Host": "example.com"}):
        assert url_for("static", filename="app.js") == "http://cdn.example.com/static/app.js"


def test_static_host_without_host_matching_is_refused(tmp_path):
    # Matched Flask: the static route needs host matching to be bound to a host.
    with pytest.raises(AssertionError, match="static_host"):
        make_static_app(tmp_path, static_host="cdn.example.com")


def make_blueprint_app(tmp_path, **register_options):
    app = make_static_app(tmp_path)
    (tmp_path / "admin_static").mkdir()
    (tmp_path / "admin_static" / "admin.css").write_text("admin")
    bp = Blueprint("admin", __name__, root_path=str(tmp_path), static_folder="admin_static",
                   static_url_path="/assets", url_prefix="/admin")
    app.register_blueprint(bp, **register_options)
    return app


def test_blueprint_static_is_served_under_url_prefix_and_static_url_path(tmp_path):
    client = make_blueprint_app(tmp_path).test_client()
    assert client.get("/admin/assets/admin.css").data == b"admin"


def test_url_for_blueprint_static_builds_the_prefixed_url(tmp_path):
    app = make_blueprint_app(tmp_path)
    with app.test_request_context():
        assert url_for("admin.static", filename="admin.css") == "/admin/assets/admin.css"


def test_blueprint_static_follows_the_url_prefix_given_at_registration(tmp_path):
    client = make_blueprint_app(tmp_path, url_prefix="/backoffice").test_client()
    assert client.get("/backoffice/assets/admin.css").status_code == 200


@pytest.mark.parametrize("url", ["/admin/assets/../../secret.txt", "/admin/assets/..%2f..%2fsecret.txt",
                                 "/admin/assets/..%5c..%5csecret.txt", "/admin/assets/%00"])
def test_blueprint_static_refuses_paths_outside_its_folder(tmp_path, url):
    response = make_blueprint_app(tmp_path).test_client().get(url)
    assert response.status_code == 404
    assert b"top secret" not in response.data


def test_blueprint_static_uses_the_app_max_age(tmp_path):
    app = make_blueprint_app(tmp_path)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 120
    assert app.test_client().get("/admin/assets/admin.css").headers["Cache-Control"] == "public, max-age=120"


def test_app_and_blueprint_static_folders_stay_separate(tmp_path):
    client = make_blueprint_app(tmp_path).test_client()
    assert client.get("/admin/assets/app.js").status_code == 404
    assert client.get("/static/admin.css").status_code == 404


# -- Response.make_conditional with ranges ----------------------------------------------------------


def test_make_conditional_cuts_a_streamed_body_with_complete_length():
    # Regression: a generator body was left whole while Content-Length said 3 bytes.
    response = Response(iter([b"hello", b" world"]))
    response.make_conditional(create_environ(headers={"Range": "bytes=2-4"}), accept_ranges=True,
                              complete_length=11)
    assert (response.status_code, response.get_data()) == (206, b"llo")


def test_make_conditional_leaves_an_error_response_alone():
    # Deviation: Werkzeug turns a 404 with a matching ETag into a 304; RFC 9110 section 13.2.1
    # says preconditions do not apply to responses other than 2xx.
    response = Response("not here", status=404)
    response.set_etag("x")
    response.make_conditional(create_environ(headers={"If-None-Match": '"x"'}))
    assert response.status_code == 404
