"""Security helpers with no app state (the role of ``werkzeug.security``).

Owns: ``safe_join`` (join untrusted path parts under a directory, refusing anything that could
escape it) and salted password hashing: ``gen_salt``, ``generate_password_hash`` and
``check_password_hash``. Does not: store users, rate-limit logins or make CSRF tokens.

A password hash is one string, ``method$salt$hexdigest``, the format Werkzeug writes, so hashes move
freely between a Flask app and a microflask app:

1. ``method`` names the key-derivation function and its cost parameters in full, e.g.
   ``scrypt:32768:8:1`` (RFC 7914: n, r, p) or ``pbkdf2:sha256:1000000`` (RFC 8018: HMAC hash,
   iterations), so old hashes keep verifying after the defaults are raised.
2. ``salt`` is ``salt_length`` random letters and digits from ``secrets``; it is hashed as UTF-8.
3. The derived key is written in lowercase hex: 64 bytes for scrypt, the hash's digest size for
   PBKDF2.
4. Checking splits the string, re-derives the key with the stored method and salt, and compares in
   constant time (``hmac.compare_digest``).

Defaults follow the OWASP Password Storage Cheat Sheet and Werkzeug 3.1. Stored cost parameters are
capped (``PBKDF2_MAX_ITERATIONS``, ``SCRYPT_MAX_MEMORY``, ``SCRYPT_MAX_WORK``; reassign them to
change the caps) so a corrupt or planted hash cannot make a login take minutes or gigabytes.
See https://www.rfc-editor.org/rfc/rfc7914 and https://www.rfc-editor.org/rfc/rfc8018.
"""

from __future__ import annotations

import os
import posixpath
from typing import Callable, Optional, Tuple

_os_alt_seps = [sep for sep in (os.path.sep, os.path.altsep) if sep is not None and sep != "/"]

SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
DEFAULT_PBKDF2_HASH = "sha256"
DEFAULT_PBKDF2_ITERATIONS = 1_000_000
DEFAULT_SCRYPT_PARAMS = (2**15, 8, 1)
SCRYPT_KEY_LENGTH = 64
#: Most PBKDF2 iterations accepted (10x the default, several seconds of CPU).
PBKDF2_MAX_ITERATIONS = 10_000_000
#: Most memory scrypt may use, in bytes (4x the default's 32 MiB).
SCRYPT_MAX_MEMORY = 128 * 1024 * 1024
#: Most scrypt work, measured as n * r * p (16x the default).
SCRYPT_MAX_WORK = 2**22
_MAX_NUMBER_DIGITS = 18

# A key-derivation step: (password bytes, salt bytes) -> hex digest.
_Derive = Callable[[bytes, bytes], str]


def safe_join(directory: str, *pathnames: str) -> Optional[str]:
    """``directory`` joined with ``pathnames``, or None if a part could reach outside it.

    Each part is normalized (``a/./b/../c`` -> ``a/c``) and refused when it is absolute (``/x``,
    a Windows drive), climbs out with ``..``, or holds a backslash or a NUL byte. The result is not
    checked against symlinks: a link inside ``directory`` is followed.
    """
    # NOTE(security): Werkzeug refuses backslashes only on Windows, where they separate paths. They
    # are refused everywhere here: a Linux server may sit behind a Windows proxy or serve a folder
    # shared with Windows, and no URL a browser builds needs a backslash in a file name.
    if not directory:
        directory = "."
    parts = [directory]
    for filename in pathnames:
        if filename != "":
            filename = posixpath.normpath(filename)
        if _is_unsafe_part(filename):
            return None
        parts.append(filename)
    return posixpath.join(*parts)


def _is_unsafe_part(filename: str) -> bool:
    """True for a normalized path part that is absolute or climbs out, or holds ``\\``/NUL."""
    return (
        "\\" in filename
        or "\x00" in filename
        or any(sep in filename for sep in _os_alt_seps)
        or os.path.isabs(filename)
        or bool(os.path.splitdrive(filename)[0])
        or filename.startswith("/")
        or filename == ".."
        or filename.startswith("../")
    )


def gen_salt(length: int) -> str:
    """A random string of ``length`` ASCII letters and digits, from ``secrets``."""
    import secrets

    if length <= 0:
        raise ValueError(f"Salt length must be at least 1, got {length}.")
    return "".join(secrets.choice(SALT_CHARS) for _ in range(length))


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """Hash ``password`` with a fresh salt as ``method$salt$hexdigest``.

    ``method`` is ``"scrypt"`` (same as ``"scrypt:32768:8:1"``, i.e. ``n:r:p``) or ``"pbkdf2"``
    (same as ``"pbkdf2:sha256:1000000"``, i.e. ``hash:iterations``; the iterations may be left
    off). Raises ValueError for an unknown method, malformed or out-of-range parameters, or a
    ``salt_length`` below 1.
    """
    _require_str(password, "password")
    salt = gen_salt(salt_length)  # ValueError for a length below 1
    canonical_method, derive = _parse_hash_method(method)
    return f"{canonical_method}${salt}${derive(_encode_text(password), _encode_text(salt))}"


def check_password_hash(pwhash: str, password: str) -> bool:
    """True if ``password`` matches ``pwhash`` from ``generate_password_hash`` (or Werkzeug's).

    A malformed hash, an unknown method or cost parameters above the caps give False.
    """
    # NOTE(security): Werkzeug raises ValueError/TypeError for many malformed hashes; a login view
    # should not turn a corrupt database row into a 500, so every malformed hash is simply False.
    _require_str(password, "password")
    parts = pwhash.split("$") if isinstance(pwhash, str) else []
    if len(parts) != 3:
        return False
    method, salt, expected = parts
    try:
        _, derive = _parse_hash_method(method)
        actual = derive(_encode_text(password), _encode_text(salt))
    except ValueError:
        return False
    import hmac

    # NOTE(security): compare bytes, not str: compare_digest raises TypeError on non-ASCII str.
    return hmac.compare_digest(actual.encode("ascii"), _encode_text(expected))


def _parse_hash_method(method: str) -> Tuple[str, _Derive]:
    """``method`` with every default filled in, and the function that derives its hex digest.

    ``_parse_hash_method("pbkdf2:sha512")[0] == "pbkdf2:sha512:1000000"``. Raises ValueError.
    """
    _require_str(method, "method")
    name, *params = method.split(":")
    if name == "scrypt":
        return _parse_scrypt_params(params)
    if name == "pbkdf2":
        return _parse_pbkdf2_params(params)
    raise ValueError(f"Invalid hash method {name!r}; use 'scrypt' or 'pbkdf2'.")


def _parse_scrypt_params(params: list[str]) -> Tuple[str, _Derive]:
    """The canonical ``scrypt:n:r:p`` method and its deriver; ``params`` is ``[]`` or ``[n, r, p]``."""
    if not params:
        n, r, p = DEFAULT_SCRYPT_PARAMS
    elif len(params) == 3:
        n, r, p = (_parse_cost_number(text, "scrypt parameter") for text in params)
    else:
        raise ValueError(
            f"'scrypt' takes three parameters n:r:p (e.g. 'scrypt:32768:8:1'), got {params}."
        )
    _check_scrypt_cost(n, r, p)
    return f"scrypt:{n}:{r}:{p}", lambda password, salt: _derive_scrypt(password, salt, n, r, p)


def _parse_pbkdf2_params(params: list[str]) -> Tuple[str, _Derive]:
    """The canonical ``pbkdf2:hash:iterations`` method and its deriver; ``params`` holds at most
    a hash name and an iteration count."""
    if len(params) > 2:
        raise ValueError(f"'pbkdf2' takes at most two parameters hash:iterations, got {params}.")
    hash_name = params[0] if params else DEFAULT_PBKDF2_HASH
    iterations = DEFAULT_PBKDF2_ITERATIONS
    if len(params) == 2:
        iterations = _parse_cost_number(params[1], "pbkdf2 iterations")
    if not hash_name:
        raise ValueError("'pbkdf2' needs a hash name, e.g. 'pbkdf2:sha256'.")
    if iterations > PBKDF2_MAX_ITERATIONS:
        raise ValueError(
            f"pbkdf2 iterations {iterations} exceed PBKDF2_MAX_ITERATIONS ({PBKDF2_MAX_ITERATIONS})."
        )
    method = f"pbkdf2:{hash_name}:{iterations}"
    return method, lambda password, salt: _derive_pbkdf2(password, salt, hash_name, iterations)


def _parse_cost_number(text: str, what: str) -> int:
    """``text`` as a positive integer written in plain ASCII digits; ValueError otherwise."""
    # NOTE(security): Werkzeug passes cost numbers to int(), so " 1000" and "1_000" work there;
    # only plain digits are accepted here, and the length cap keeps int() cheap on garbage.
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_NUMBER_DIGITS or int(text) < 1:
        raise ValueError(f"{what} must be a positive integer, got {text!r}.")
    return int(text)


def _check_scrypt_cost(n: int, r: int, p: int) -> None:
    """Raise ValueError unless n is a power of two above 1 and the cost is within the caps."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"scrypt n must be a power of 2 greater than 1, got {n}.")
    if _measure_scrypt_memory(n, r, p) > SCRYPT_MAX_MEMORY:
        raise ValueError(
            f"scrypt:{n}:{r}:{p} needs more memory than SCRYPT_MAX_MEMORY ({SCRYPT_MAX_MEMORY} bytes)."
        )
    if n * r * p > SCRYPT_MAX_WORK:
        raise ValueError(f"scrypt:{n}:{r}:{p} exceeds SCRYPT_MAX_WORK ({SCRYPT_MAX_WORK} = n * r * p).")


def _measure_scrypt_memory(n: int, r: int, p: int) -> int:
    """Bytes scrypt allocates: the ``p`` blocks B plus the ``n``-entry table V, 128 * r each."""
    # NOTE(security): this is OpenSSL's own bound, so it doubles as ``maxmem``; too small a
    # maxmem makes hashlib.scrypt refuse, and OpenSSL's 32 MiB default is too small for n=2**15.
    return 128 * r * (n + p + 2)


def _derive_scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> str:
    """The 64-byte scrypt key (RFC 7914) as lowercase hex."""
    import hashlib

    maxmem = _measure_scrypt_memory(n, r, p)
    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=SCRYPT_KEY_LENGTH).hex()


def _derive_pbkdf2(password: bytes, salt: bytes, hash_name: str, iterations: int) -> str:
    """The PBKDF2-HMAC key (RFC 8018), one digest long, as lowercase hex."""
    import hashlib

    try:
        return hashlib.pbkdf2_hmac(hash_name, password, salt, iterations).hex()
    except ValueError as e:
        raise ValueError(f"pbkdf2 cannot use hash {hash_name!r}: {e}") from e


def _encode_text(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates (from undecodable request data) are kept, not fatal."""
    # NOTE(security): Werkzeug raises UnicodeEncodeError here; "surrogatepass" gives the same bytes
    # for every valid string and lets a stray surrogate in a login form fail the check instead.
    return text.encode("utf-8", "surrogatepass")


def _require_str(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}.")
