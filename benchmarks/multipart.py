"""Multipart uploads: parse a 20 MB form body (ten fields, one file); memory of a 200 MB upload.

    python benchmarks/multipart.py [--quick]

Speed: each call builds a fresh environ over the same in-memory body, parses it with the
library's own entry point (microflask and Werkzeug ``parse_form_data(environ)``, Bottle
``BaseRequest(environ).POST``), checks the ten fields and the file size, and closes the file.
Every parser spills the file to a temporary file, so the disk write is in every time.

Memory: a 200 MB body is produced lazily by a stream that makes each chunk when it is read, so
the benchmark itself holds no more than one chunk; ``tracemalloc`` reports the peak of Python
allocations while one parser reads it.

Targets: throughput >= 2x Werkzeug's (microflask/werkzeug time <= 0.5); peak memory growth while
parsing the 200 MB upload < 10 MB.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import available, interleave, print_table  # noqa: E402

#: A browser-style boundary (Chrome's shape), as real uploads carry.
BOUNDARY = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
FIELDS = 10
FILE_SIZE = 20 * 1024 * 1024
BIG_FILE_SIZE = 200 * 1024 * 1024
#: One 64 KiB block of file content, repeated; pseudo-random bytes with CRs and LFs in them.
BLOCK = bytes((i * 7919 + (i >> 8) * 31) % 256 for i in range(64 * 1024))


def build_head() -> bytes:
    """The ten text fields and the file part's headers."""
    parts = [
        b"--%s\r\nContent-Disposition: form-data; name=\"field%d\"\r\n\r\nvalue number %d\r\n"
        % (BOUNDARY, i, i)
        for i in range(FIELDS)
    ]
    parts.append(
        b"--%s\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"data.bin\"\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n" % BOUNDARY
    )
    return b"".join(parts)


def build_tail() -> bytes:
    return b"\r\n--%s--\r\n" % BOUNDARY


class GeneratedBody(io.RawIOBase):
    """A multipart body of ``file_size`` file bytes, made chunk by chunk as it is read."""

    def __init__(self, file_size: int) -> None:
        super().__init__()
        self._pieces = [build_head(), None, build_tail()]
        self._file_left = file_size
        self.length = len(self._pieces[0]) + file_size + len(self._pieces[2])

    def readable(self) -> bool:
        return True

    def _next_bytes(self, size: int) -> bytes:
        while self._pieces:
            piece = self._pieces[0]
            if piece is None:
                if self._file_left:
                    data = BLOCK[: min(size, self._file_left, len(BLOCK))]
                    self._file_left -= len(data)
                    return data
                self._pieces.pop(0)
            elif piece:
                self._pieces[0] = piece[size:]
                return piece[:size]
            else:
                self._pieces.pop(0)
        return b""

    def readinto(self, buffer) -> int:
        data = self._next_bytes(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def make_environ(stream, length: int) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/upload",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=" + BOUNDARY.decode(),
        "CONTENT_LENGTH": str(length),
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def parse_microflask(environ: dict):
    from microflask.formparser import parse_form_data

    _, form, files = parse_form_data(environ, max_form_parts=1000, max_form_memory_size=500_000)
    return form, files["upload"]


def parse_werkzeug(environ: dict):
    from werkzeug.formparser import parse_form_data

    _, form, files = parse_form_data(environ)
    return form, files["upload"]


def parse_bottle(environ: dict):
    import bottle

    request = bottle.BaseRequest(environ)
    post = request.POST
    return {key: post[key] for key in post if not isinstance(post[key], bottle.FileUpload)}, post["upload"]


PARSERS = {"microflask": parse_microflask, "werkzeug": parse_werkzeug, "bottle": parse_bottle}
MODULES = {"microflask": "microflask", "werkzeug": "werkzeug", "bottle": "bottle"}


def file_size_of(upload) -> int:
    stream = getattr(upload, "stream", None) or upload.file
    stream.seek(0, 2)
    return stream.tell()


def close_upload(upload) -> None:
    stream = getattr(upload, "stream", None) or upload.file
    stream.close()


def make_call(parse, body: bytes):
    def call() -> None:
        form, upload = parse(make_environ(io.BytesIO(body), len(body)))
        assert len(form) == FIELDS and form["field3"] == "value number 3", form
        assert file_size_of(upload) == FILE_SIZE
        close_upload(upload)

    return call


def measure_peak(parse, file_size: int) -> tuple[float, float]:
    """(peak MB of Python allocations, seconds) while ``parse`` reads a generated upload."""
    body = GeneratedBody(file_size)
    environ = make_environ(body, body.length)
    tracemalloc.start()
    start = time.perf_counter()
    form, upload = parse(environ)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert file_size_of(upload) == file_size
    close_upload(upload)
    return peak / 1e6, elapsed


def main(quick: bool = False) -> dict:
    names = [name for name in PARSERS if name == "microflask" or available(MODULES[name])]
    body = build_head() + (BLOCK * (FILE_SIZE // len(BLOCK) + 1))[:FILE_SIZE] + build_tail()
    calls = {name: make_call(PARSERS[name], body) for name in names}
    times = interleave(calls, number=1, rounds=5 if quick else 21)
    print_table(f"multipart: parse a {len(body) / 1e6:.1f} MB body (10 fields, one 20 MiB file)",
                times, target="microflask/werkzeug <= 0.5 (2x the throughput)")
    for name, seconds in times.items():
        print(f"  {name:<22} {FILE_SIZE / seconds / 1e6:9.1f} MB/s")
    big = 40 * 1024 * 1024 if quick else BIG_FILE_SIZE
    print(f"\n== multipart: peak Python memory while parsing a {big // 2**20} MiB upload (tracemalloc)")
    for name in names:
        peak, seconds = measure_peak(PARSERS[name], big)
        print(f"  {name:<22} {peak:9.2f} MB peak   ({big / seconds / 1e6:.0f} MB/s under tracemalloc)")
    print("  target: microflask < 10 MB")
    return times


if __name__ == "__main__":
    main("--quick" in sys.argv)
