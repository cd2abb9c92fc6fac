"""Form bodies as a view sees them: ``request.form``, ``request.files``, the limits, bad input.

Most tests post through the test client to one view that answers a JSON summary of the parsed
form; hand-built bodies (``raw(...)``) exercise the multipart framing byte by byte. The tricky
cases were compared with Werkzeug 3.1 and match it except where a test says otherwise.
"""

from __future__ import annotations

import io
import os
import tempfile
import time

import pytest

from microflask import Flask, request
from microflask.datastructures import FileStorage
from microflask.exceptions import BadRequest, RequestEntityTooLarge
from microflask.formparser import (
    FILE_SPOOL_THRESHOLD,
    MAX_PART_HEADER_LINES,
    MAX_PART_HEADER_SIZE,
    FormDataParser,
    LimitedStream,
    MultiPartParser,
    check_boundary,
    default_stream_factory,
    parse_form_data,
)
from microflask.test import create_environ

BOUNDARY = "b0undary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def field(name: str, value: str = "1", *headers: str) -> bytes:
    """One part (without its delimiter line) holding a text field."""
    lines = [f'Content-Disposition: form-data; name="{name}"', *headers]
    return ("\r\n".join(lines) + "\r\n\r\n" + value).encode()


def file_part(name: str, filename: str, data: bytes, *headers: str) -> bytes:
    lines = [f'Content-Disposition: form-data; name="{name}"; filename="{filename}"', *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def raw(*parts: bytes, boundary: str = BOUNDARY) -> bytes:
    """A well-framed body: each part after ``--boundary CRLF``, then ``--boundary--``."""
    dash = b"--" + boundary.encode()
    return b"".join(dash + b"\r\n" + part + b"\r\n" for part in parts) + dash + b"--\r\n"


def summarize() -> dict:
    files = {
        key: [
            {"filename": f.filename, "content_type": f.content_type, "data": f.read().decode("latin-1")}
            for f in storages
        ]
        for key, storages in request.files.lists()
    }
    return {"form": request.form.to_dict(flat=False), "files": files}


@pytest.fixture
def app(app):
    @app.route("/", methods=["GET", "POST", "PUT"])
    def index():
        return summarize()

    return app


def post_raw(client, data: bytes, content_type: str = MULTIPART, **kwargs):
    return client.post("/", data=data, content_type=content_type, **kwargs)


def parsed(client, data: bytes, **kwargs) -> dict:
    response = post_raw(client, data, **kwargs)
    assert response.status_code == 200, response.text
    return response.json


def open_files_under(directory) -> list[str]:
    """Paths of this process's open files that live in ``directory`` (Linux /proc)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux /proc")


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """Temporary upload files go to ``tmp_path`` during the test."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


# -- Through the test client --------------------------------------------------------------------


def test_fields_and_a_file_posted_by_the_test_client_arrive_in_form_and_files(client):
    data = {"title": "Report", "upload": (io.BytesIO(b"file body"), "report.txt")}
    result = client.post("/", data=data).json
    assert result == {
        "form": {"title": ["Report"]},
        "files": {"upload": [{"filename": "report.txt", "content_type": "text/plain", "data": "file body"}]},
    }


def test_several_files_under_one_name_are_all_in_getlist(app, client):
    @app.route("/names", methods=["POST"])
    def names():
        return {"names": [f.filename for f in request.files.getlist("photos")]}

    data = {"photos": [(io.BytesIO(b"1"), "a.png"), (io.BytesIO(b"2"), "b.png")]}
    assert client.post("/names", data=data).json == {"names": ["a.png", "b.png"]}


def test_values_combines_the_query_string_and_a_multipart_form(app, client):
    @app.route("/values", methods=["POST"])
    def values():
        return request.values.to_dict(flat=False)

    data = {"b": "2", "f": (io.BytesIO(b""), "f.txt")}
    assert client.post("/values?a=1", data=data).json == {"a": ["1"], "b": ["2"]}


def test_a_file_input_left_empty_is_a_falsy_file_with_an_empty_filename(app, client):
    @app.route("/empty", methods=["POST"])
    def empty():
        upload = request.files["photo"]
        return {"filename": upload.filename, "truthy": bool(upload), "form": list(request.form)}

    body = raw(file_part("photo", "", b"", "Content-Type: application/octet-stream"))
    response = client.post("/empty", data=body, content_type=MULTIPART)
    assert response.json == {"filename": "", "truthy": False, "form": []}


def test_get_data_after_the_form_was_parsed_is_empty(app, client):
    @app.route("/data", methods=["POST"])
    def data():
        return {"form": request.form.to_dict(), "data": request.get_data(as_text=True)}

    response = client.post("/data", data=raw(field("a")), content_type=MULTIPART)
    assert response.json == {"form": {"a": "1"}, "data": ""}


def test_the_form_is_still_parsed_after_get_data_read_the_body(app, client):
    @app.route("/data-first", methods=["POST"])
    def data_first():
        size = len(request.get_data())
        return {"size": size, "form": request.form.to_dict()}

    body = raw(field("a", "xyz"))
    response = client.post("/data-first", data=body, content_type=MULTIPART)
    assert response.json == {"size": len(body), "form": {"a": "xyz"}}


def test_the_stream_of_a_non_form_body_is_left_unread_by_form(app, client):
    @app.route("/json", methods=["POST"])
    def json_body():
        return {"form": len(request.form), "data": request.get_data(as_text=True)}

    response = client.post("/json", data='{"a": 1}', content_type="application/json")
    assert response.json == {"form": 0, "data": '{"a": 1}'}


def test_urlencoded_form_fields_arrive_in_form(client):
    response = client.post("/", data={"a": "1", "b": "x y"})
    assert response.json["form"] == {"a": ["1"], "b": ["x y"]}


# -- FileStorage as uploaded --------------------------------------------------------------------


@pytest.fixture
def upload_view(app):
    """``/upload`` runs ``check(request.files["f"])`` and answers its result."""
    holder = {}

    @app.route("/upload", methods=["POST"])
    def upload():
        return {"result": holder["check"](request.files["f"])}

    return holder


def post_upload(client, holder, check, data: bytes = b"line 1\nline 2\n", filename="a.txt", *headers):
    holder["check"] = check
    body = raw(file_part("f", filename, data, *headers))
    response = client.post("/upload", data=body, content_type=MULTIPART)
    assert response.status_code == 200, response.text
    return response.json["result"]


def test_an_upload_knows_its_field_name_filename_and_headers(client, upload_view):
    result = post_upload(client, upload_view, lambda f: [f.name, f.filename, f.headers.get("X-Note")],
                         b"", "a.txt", "X-Note: hello")
    assert result == ["f", "a.txt", "hello"]


def test_an_upload_content_type_keeps_its_parameters_and_mimetype_is_lowercase(client, upload_view):
    result = post_upload(client, upload_view,
                         lambda f: [f.content_type, f.mimetype, f.mimetype_params],
                         b"x", "a.txt", "Content-Type: Text/Plain; charset=UTF-8")
    assert result == ["Text/Plain; charset=UTF-8", "text/plain", {"charset": "UTF-8"}]


def test_an_upload_without_a_content_type_has_none(client, upload_view):
    assert post_upload(client, upload_view, lambda f: [f.content_type, f.mimetype]) == [None, ""]


def test_an_upload_content_length_comes_from_its_part_header_as_in_werkzeug(client, upload_view):
    check = lambda f: f.content_length  # noqa: E731
    assert post_upload(client, upload_view, check, b"xy", "a", "Content-Length: 2") == 2
    assert post_upload(client, upload_view, check, b"xy", "a") == 0


def test_iterating_an_upload_gives_its_lines(client, upload_view):
    assert post_upload(client, upload_view, lambda f: [line.decode() for line in f]) == ["line 1\n", "line 2\n"]


def test_an_upload_repr_names_its_filename_and_content_type(client, upload_view):
    result = post_upload(client, upload_view, repr, b"", "a.txt", "Content-Type: text/plain")
    assert result == "<FileStorage: 'a.txt' ('text/plain')>"


def test_save_writes_an_upload_to_a_path(client, upload_view, tmp_path):
    target = tmp_path / "saved.txt"
    post_upload(client, upload_view, lambda f: f.save(target, buffer_size=4))
    assert target.read_bytes() == b"line 1\nline 2\n"


def test_save_writes_an_upload_to_an_open_file(client, upload_view):
    out = io.BytesIO()
    post_upload(client, upload_view, lambda f: f.save(out))
    assert out.getvalue() == b"line 1\nline 2\n"


def test_a_large_upload_saves_intact(client, upload_view, tmp_path):
    data = os.urandom(2 * FILE_SPOOL_THRESHOLD + 7)
    target = tmp_path / "big.bin"
    post_upload(client, upload_view, lambda f: f.save(str(target)), data, "big.bin")
    assert target.read_bytes() == data


def test_an_upload_answers_seekable_and_readable_on_every_python(client, upload_view):
    assert post_upload(client, upload_view, lambda f: [f.seekable(), f.readable()]) == [True, True]


def test_uploads_are_closed_when_the_request_ends(app, client):
    kept = []

    @app.route("/keep", methods=["POST"])
    def keep():
        kept.extend(request.files.getlist("f"))
        return ""

    data = {"f": [(io.BytesIO(b"a"), "a.txt"), (io.BytesIO(b"b" * (FILE_SPOOL_THRESHOLD + 1)), "b.txt")]}
    client.post("/keep", data=data)
    assert [storage.stream.closed for storage in kept] == [True, True]


@needs_proc
def test_an_upload_over_the_spool_threshold_is_on_disk_and_removed_after_the_request(app, client, temp_dir):
    seen = []

    @app.route("/spill", methods=["POST"])
    def spill():
        request.files["f"]
        seen.append(open_files_under(temp_dir))
        return ""

    client.post("/spill", data={"f": (io.BytesIO(b"x" * (FILE_SPOOL_THRESHOLD + 1)), "big.bin")})
    assert (len(seen[0]), open_files_under(temp_dir), os.listdir(temp_dir)) == (1, [], [])


@needs_proc
def test_an_upload_under_the_spool_threshold_stays_in_memory(app, client, temp_dir):
    seen = []

    @app.route("/small", methods=["POST"])
    def small():
        request.files["f"]
        seen.append(open_files_under(temp_dir))
        return ""

    client.post("/small", data={"f": (io.BytesIO(b"x" * 1000), "small.bin")})
    assert seen == [[]]


def test_request_class_can_send_uploads_to_its_own_stream(app, client):
    class DiskRequest(app.request_class):
        def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
            stream = io.BytesIO()
            stream.name = f"custom-{filename}"
            return stream

    app.request_class = DiskRequest

    @app.route("/custom", methods=["POST"])
    def custom():
        return request.files["f"].stream.name

    assert client.post("/custom", data={"f": (io.BytesIO(b"1"), "a.txt")}).text == "custom-a.txt"


# -- Multipart framing (RFC 2046 section 5.1.1, RFC 7578) -----------------------------------------


def test_a_quoted_boundary_in_the_content_type_is_unquoted(client):
    content_type = f'multipart/form-data; boundary="{BOUNDARY}"'
    assert parsed(client, raw(field("a")), content_type=content_type)["form"] == {"a": ["1"]}


def test_a_boundary_with_every_allowed_character_works(client):
    boundary = "0aZ'()+_,-./:=? x"
    content_type = f'multipart/form-data; boundary="{boundary}"'
    assert parsed(client, raw(field("a"), boundary=boundary), content_type=content_type)["form"] == {"a": ["1"]}


def test_preamble_and_epilogue_are_ignored(client):
    body = b"This is the preamble.\r\n" + raw(field("a")) + b"This is the epilogue.\r\n--b0undary\r\n"
    assert parsed(client, body)["form"] == {"a": ["1"]}


def test_a_closing_delimiter_without_a_final_crlf_ends_the_body(client):
    assert parsed(client, raw(field("a"))[:-2])["form"] == {"a": ["1"]}


def test_bare_lf_line_endings_are_accepted(client):
    body = b'--b0undary\nContent-Disposition: form-data; name="a"\n\nvalue\n--b0undary--\n'
    assert parsed(client, body)["form"] == {"a": ["value"]}


def test_crlfs_inside_a_value_are_kept(client):
    assert parsed(client, raw(field("a", "\r\nline\r\n\r\n")))["form"] == {"a": ["\r\nline\r\n\r\n"]}


def test_a_value_ending_in_a_lone_cr_keeps_it(client):
    body = b'--b0undary\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\r\n--b0undary--'
    assert parsed(client, body)["form"] == {"a": ["x\r"]}


def test_boundary_text_followed_by_other_characters_is_data(client):
    value = "x\r\n--b0undaryX\r\n--b0undary-\r\ny"
    assert parsed(client, raw(field("a", value)))["form"] == {"a": [value]}


def test_whitespace_after_a_boundary_is_transport_padding(client):
    body = b'--b0undary \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b0undary--  \r\n'
    assert parsed(client, body)["form"] == {"a": ["1"]}


def test_an_empty_field_is_an_empty_string(client):
    assert parsed(client, raw(field("a", "")))["form"] == {"a": [""]}


def test_repeated_field_names_keep_every_value_in_order(client):
    assert parsed(client, raw(field("a", "1"), field("a", "2")))["form"] == {"a": ["1", "2"]}


def test_header_names_and_the_disposition_are_case_insensitive(client):
    body = raw(b'content-DISPOSITION: FORM-DATA; NAME="a"\r\n\r\n1')
    assert parsed(client, body)["form"] == {"a": ["1"]}


def test_a_folded_header_line_continues_the_previous_header(client):
    body = raw(b'Content-Disposition: form-data;\r\n name="a"\r\n\r\n1')
    assert parsed(client, body)["form"] == {"a": ["1"]}


def test_a_header_line_without_a_colon_is_ignored(client):
    assert parsed(client, raw(field("a", "1", "garbage")))["form"] == {"a": ["1"]}


def test_a_part_without_content_disposition_is_skipped(client):
    body = raw(b"Content-Type: text/plain\r\n\r\nlost", field("a"))
    assert parsed(client, body)["form"] == {"a": ["1"]}


def test_a_part_without_a_name_is_skipped_unlike_werkzeug(client):
    # Werkzeug files it under the key None; RFC 7578 section 4.2 requires a name.
    body = raw(b"Content-Disposition: form-data\r\n\r\nlost", field("a"))
    assert parsed(client, body) == {"form": {"a": ["1"]}, "files": {}}


def test_a_field_is_utf8_whatever_its_part_charset_says(client):
    latin1 = b'Content-Disposition: form-data; name="b"\r\nContent-Type: text/plain; charset=latin-1\r\n\r\n\xe9'
    body = raw(field("a", "é", "Content-Type: text/plain; charset=utf-8"), latin1)
    assert parsed(client, body)["form"] == {"a": ["é"], "b": ["\ufffd"]}


def test_a_utf8_field_name_is_decoded(client):
    body = raw('Content-Disposition: form-data; name="café"\r\n\r\n1'.encode())
    assert parsed(client, body)["form"] == {"café": ["1"]}


def test_a_field_with_a_content_type_is_still_a_field(client):
    body = raw(field("meta", '{"a": 1}', "Content-Type: application/json"))
    assert parsed(client, body)["form"] == {"meta": ['{"a": 1}']}


def test_an_empty_multipart_body_is_an_empty_form(client):
    assert parsed(client, b"") == {"form": {}, "files": {}}


def test_a_body_of_only_the_closing_delimiter_is_an_empty_form(client):
    assert parsed(client, b"--b0undary--\r\n") == {"form": {}, "files": {}}


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        (b'filename="a\\"b\\\\c.txt"', 'a"b\\c.txt'),
        (b'filename="a%22b.txt"', 'a"b.txt'),
        (b'filename="a%0Ab.txt"', "a%0Ab.txt"),
        (b'filename="C:\\dir\\a.txt"', "C:\\dir\\a.txt"),
        (b'filename="x;y.txt"', "x;y.txt"),
        (b"filename=plain.txt", "plain.txt"),
        ("filename=\"€.txt\"".encode(), "€.txt"),
        (b"filename=\"plain.txt\"; filename*=UTF-8''%E2%82%AC%22.txt", '€".txt'),
        (b"filename*=UTF-8''na%C3%AFve.txt; filename=\"plain.txt\"", "naïve.txt"),
        (b'filename="\xff.txt"', "\ufffd.txt"),
    ],
    ids=["escaped-quote-and-backslash", "html-percent-22", "percent-0a-kept", "windows-path-kept",
         "semicolon-in-quotes", "unquoted", "raw-utf8", "filename-star-wins", "filename-star-first",
         "bad-utf8"],
)
def test_filenames_are_decoded_like_werkzeug(client, disposition, expected):
    part = b'Content-Disposition: form-data; name="f"; ' + disposition + b"\r\n\r\nx"
    assert parsed(client, raw(part))["files"]["f"][0]["filename"] == expected


def test_a_field_name_with_html_percent_22_is_decoded(client):
    body = raw(b'Content-Disposition: form-data; name="a%22b"\r\n\r\n1')
    assert parsed(client, body)["form"] == {'a"b': ["1"]}


# -- Bad input: a clear 400 or 413, quickly, with no temporary file left -------------------------


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", 'multipart/form-data; boundary=""', "multipart/form-data; boundary=" + "a" * 71,
     'multipart/form-data; boundary="a@b"', 'multipart/form-data; boundary="ends in space "'],
    ids=["missing", "empty", "too-long", "forbidden-character", "trailing-space"],
)
def test_a_missing_or_malformed_boundary_is_400(client, content_type):
    response = post_raw(client, raw(field("a")), content_type=content_type)
    assert response.status_code == 400
    assert "boundary" in response.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (raw(field("a"))[: -len("--b0undary--\r\n")], "before its closing boundary"),
        (b"--b0undary\r\n" + field("a"), "before its closing boundary"),
        (b'--b0undary\r\nContent-Disposition: form-data; name="a"\r\n', "inside a part&#39;s headers"),
        (b"no boundary anywhere", "No boundary line"),
        (b"--b0undary", "No boundary line"),
        (raw(field("a"))[:-4], "inside a boundary line"),
    ],
    ids=["no-closing-delimiter", "ends-in-a-body", "ends-in-headers", "no-boundary", "bare-boundary",
         "closing-delimiter-cut"],
)
def test_an_unterminated_body_is_400(client, body, reason):
    response = post_raw(client, body)
    assert response.status_code == 400
    assert reason in response.text


@pytest.mark.parametrize("character", [b"\r", b"\0"], ids=["cr", "nul"])
def test_a_cr_or_nul_inside_a_part_header_is_400(client, character):
    body = raw(b'Content-Disposition: form-data; name="a"\r\nX-Bad: a' + character + b"b\r\n\r\n1")
    assert post_raw(client, body).status_code == 400


def test_part_headers_over_the_size_limit_are_413(client):
    header = "X-Padding: " + "y" * MAX_PART_HEADER_SIZE
    response = post_raw(client, raw(field("a", "1", header)))
    assert response.status_code == 413
    assert "headers are larger" in response.text


def test_part_headers_without_an_end_are_413_not_read_forever(client):
    body = b"--b0undary\r\n" + b"y" * (10 * MAX_PART_HEADER_SIZE)
    assert post_raw(client, body).status_code == 413


def test_too_many_part_header_lines_are_413(client):
    headers = ["X-Line: 1"] * MAX_PART_HEADER_LINES
    response = post_raw(client, raw(field("a", "1", *headers)))
    assert response.status_code == 413
    assert "header lines" in response.text


def test_thousands_of_tiny_parts_past_max_form_parts_are_413(app, client):
    body = raw(*[field("p", "") for _ in range(5000)])
    start = time.perf_counter()
    response = post_raw(client, body)
    assert (response.status_code, time.perf_counter() - start < 2) == (413, True)
    assert "MAX_FORM_PARTS" in response.text


def test_max_form_parts_counts_fields_and_files(app, client):
    app.config["MAX_FORM_PARTS"] = 2
    assert post_raw(client, raw(field("a"), file_part("f", "f.txt", b"x"))).status_code == 200
    assert post_raw(client, raw(field("a"), field("b"), file_part("f", "f.txt", b"x"))).status_code == 413


def test_a_field_over_max_form_memory_size_is_413(app, client):
    app.config["MAX_FORM_MEMORY_SIZE"] = 100
    assert post_raw(client, raw(field("a", "x" * 100))).status_code == 200
    response = post_raw(client, raw(field("a", "x" * 101)))
    assert response.status_code == 413
    assert "MAX_FORM_MEMORY_SIZE" in response.text


def test_a_file_larger_than_max_form_memory_size_is_accepted(app, client):
    app.config["MAX_FORM_MEMORY_SIZE"] = 100
    result = parsed(client, raw(file_part("f", "f.bin", b"x" * 1000)))
    assert len(result["files"]["f"][0]["data"]) == 1000


def test_a_limit_set_on_one_request_applies_to_it(app, client):
    @app.before_request
    def tighten():
        request.max_form_memory_size = 3

    assert post_raw(client, raw(field("a", "1234"))).status_code == 413


def test_a_multipart_body_over_max_content_length_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/", data={"f": (io.BytesIO(b"x" * 1000), "f.bin")})
    assert response.status_code == 413


def test_a_part_full_of_crlf_parses_in_linear_time(client):
    data = b"\r\n" * (2 * 1024 * 1024)
    start = time.perf_counter()
    result = parsed(client, raw(file_part("f", "f.bin", data)))
    assert (len(result["files"]["f"][0]["data"]), time.perf_counter() - start < 2) == (len(data), True)


def test_a_part_full_of_near_miss_delimiters_parses_in_linear_time(client):
    data = b"\r\n--b0undar" * 100_000 + b"\r\n-" * 100_000
    start = time.perf_counter()
    result = parsed(client, raw(file_part("f", "f.bin", data)))
    assert (len(result["files"]["f"][0]["data"]), time.perf_counter() - start < 2) == (len(data), True)


def test_a_body_shorter_than_its_content_length_is_400(client):
    body = raw(field("a"))
    response = post_raw(client, body, headers={"Content-Length": str(len(body) + 10)})
    assert response.status_code == 400


def test_bytes_after_content_length_are_ignored(client):
    body = raw(field("a"))
    assert parsed(client, body + b"garbage", headers={"Content-Length": str(len(body))})["form"] == {"a": ["1"]}


@needs_proc
@pytest.mark.parametrize(
    ("tail", "status"),
    [(b"", 400), (b"\r\n--b0undary\r\n" + field("a", "x" * 2000), 413)],
    ids=["unterminated", "field-too-large"],
)
def test_a_failed_parse_leaves_no_temporary_file_open(app, client, temp_dir, tail, status):
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    body = b"--b0undary\r\n" + file_part("f", "big.bin", b"z" * (FILE_SPOOL_THRESHOLD + 10)) + tail
    assert post_raw(client, body).status_code == status
    assert (open_files_under(temp_dir), os.listdir(temp_dir)) == ([], [])


def test_a_failed_parse_closes_the_files_already_written(app, client):
    made = []

    class RecordingRequest(app.request_class):
        def _get_file_stream(self, *args, **kwargs):
            made.append(io.BytesIO())
            return made[-1]

    app.request_class = RecordingRequest
    body = raw(file_part("f", "a.bin", b"a"), file_part("g", "b.bin", b"b"))[:-4]
    assert post_raw(client, body).status_code == 400
    assert [stream.closed for stream in made] == [True, True]


def test_form_reads_as_empty_after_a_failed_parse(app, client):
    app.config["MAX_FORM_MEMORY_SIZE"] = 3

    @app.errorhandler(413)
    def too_large(error):
        return {"form_after_error": request.form.to_dict()}, 413

    response = post_raw(client, raw(field("a", "1234")))
    assert (response.status_code, response.json) == (413, {"form_after_error": {}})


# -- Chunked and unsized bodies -----------------------------------------------------------------


def chunked_environ(body: bytes, terminated: bool) -> dict:
    return {"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": terminated}


def test_a_chunked_multipart_body_is_parsed_when_the_input_is_terminated(client):
    body = raw(field("a"), file_part("f", "f.txt", b"data"))
    response = client.post("/", input_stream=io.BytesIO(body), content_type=MULTIPART,
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.json["form"] == {"a": ["1"]}
    assert response.json["files"]["f"][0]["data"] == "data"


def test_a_body_without_content_length_is_not_read_unless_the_input_is_terminated(client):
    body = raw(field("a"))
    response = client.post("/", input_stream=io.BytesIO(body), content_type=MULTIPART)
    assert response.json == {"form": {}, "files": {}}


def test_a_chunked_body_over_max_content_length_is_413_while_streaming(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = raw(file_part("f", "f.bin", b"x" * 5000))
    response = client.post("/", input_stream=io.BytesIO(body), content_type=MULTIPART,
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


def test_a_chunked_urlencoded_body_is_parsed_when_the_input_is_terminated(client):
    response = client.post("/", input_stream=io.BytesIO(b"a=1&b=2"),
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.json["form"] == {"a": ["1"], "b": ["2"]}


# -- The parser's public functions ----------------------------------------------------------------


def multipart_environ(body: bytes, **extra) -> dict:
    environ = create_environ("/", method="POST", input_stream=io.BytesIO(body),
                             content_length=len(body), content_type=MULTIPART)
    environ.update(extra)
    return environ


def test_parse_form_data_reads_a_wsgi_environ(tmp_path):
    body = raw(field("a"), file_part("f", "f.txt", b"data"))
    stream, form, files = parse_form_data(multipart_environ(body))
    assert (form.to_dict(), files["f"].read(), stream.read()) == ({"a": "1"}, b"data", b"")
    files["f"].close()


def test_parse_form_data_enforces_max_content_length_from_the_header():
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(multipart_environ(raw(field("a"))), max_content_length=10)


def test_a_silent_parser_gives_an_empty_form_for_a_malformed_body_as_werkzeug_does():
    parser = FormDataParser(silent=True)
    _, form, files = parser.parse(io.BytesIO(b"garbage"), "multipart/form-data", 7, {"boundary": "b"})
    assert (len(form), len(files)) == (0, 0)


def test_a_silent_parser_still_raises_413_for_a_limit():
    parser = FormDataParser(silent=True, max_form_parts=1)
    body = raw(field("a"), field("b"))
    with pytest.raises(RequestEntityTooLarge):
        parser.parse(LimitedStream.from_bytes(body), "multipart/form-data", len(body), {"boundary": BOUNDARY})


def test_form_data_parser_leaves_other_media_types_unread():
    stream = io.BytesIO(b"{}")
    _, form, files = FormDataParser().parse(stream, "application/json", 2, {})
    assert (len(form), len(files), stream.read()) == (0, 0, b"{}")


def test_form_data_parser_returns_its_cls():
    from microflask.datastructures import ImmutableMultiDict

    body = raw(field("a"))
    _, form, _ = FormDataParser(cls=ImmutableMultiDict).parse(
        io.BytesIO(body), "multipart/form-data", len(body), {"boundary": BOUNDARY})
    assert isinstance(form, ImmutableMultiDict)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 11, 13, 64])
def test_multipart_parser_gives_the_same_result_for_every_chunk_size(chunk_size):
    value = "\r\n--b0undar\r\n\r" * 3
    data = b"\r\n--b0undaryX\r\n\r\r"
    body = b"pre\r\n" + raw(field("a", value), file_part("f", "f.bin", data), field("b", ""))
    parser = MultiPartParser(buffer_size=chunk_size)
    form, files = parser.parse(io.BytesIO(body), BOUNDARY.encode(), len(body))
    assert (form.to_dict(), files["f"].read()) == ({"a": value, "b": ""}, data)


def test_multipart_parser_uses_the_stream_factory_it_is_given():
    calls = []

    def factory(total_content_length, content_type, filename, content_length=None):
        calls.append((total_content_length, content_type, filename, content_length))
        return io.BytesIO()

    body = raw(file_part("f", "f.txt", b"data", "Content-Type: text/plain", "Content-Length: 4"))
    MultiPartParser(stream_factory=factory).parse(io.BytesIO(body), BOUNDARY.encode(), len(body))
    assert calls == [(len(body), "text/plain", "f.txt", 4)]


@pytest.mark.parametrize("boundary", ["a", "a" * 70, "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a b", "'()+_,-./:=?"])
def test_check_boundary_accepts_what_rfc_2046_allows(boundary):
    assert check_boundary(boundary) == boundary.encode()


@pytest.mark.parametrize("boundary", [None, "", "a" * 71, "a\nb", "é", "a "])
def test_check_boundary_rejects_what_rfc_2046_forbids(boundary):
    with pytest.raises(BadRequest):
        check_boundary(boundary)


def test_default_stream_factory_keeps_small_files_in_memory_and_spools_large_ones():
    stream = default_stream_factory(None, "text/plain", "a.txt")
    stream.write(b"x" * FILE_SPOOL_THRESHOLD)
    in_memory = isinstance(stream._file, io.BytesIO)
    stream.write(b"x")
    on_disk = not isinstance(stream._file, io.BytesIO)
    stream.close()
    assert (in_memory, on_disk) == (True, True)


def test_file_storage_from_the_parser_is_a_file_storage():
    body = raw(file_part("f", "f.txt", b"data"))
    _, files = MultiPartParser().parse(io.BytesIO(body), BOUNDARY.encode(), len(body))
    assert isinstance(files["f"], FileStorage)
    files["f"].close()


def test_an_app_without_limits_still_parses():
    app = Flask("unlimited")
    app.config.update(MAX_FORM_MEMORY_SIZE=None, MAX_FORM_PARTS=None)

    @app.route("/", methods=["POST"])
    def index():
        return summarize()

    response = app.test_client().post("/", data=raw(field("a", "x" * 600_000)), content_type=MULTIPART)
    assert len(response.json["form"]["a"][0]) == 600_000
