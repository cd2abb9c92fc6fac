"""Signing (the itsdangerous role): prove that a value was made by someone holding the secret key.

A signed value is ``value.signature`` where the signature is an HMAC (RFC 2104) of the value under
a key derived from the secret key and a *salt* (so a signature made for one purpose, such as the
session cookie, is useless for another, such as a CSRF token):
1. ``Signer`` appends ``.`` + URL-safe base64 (RFC 4648 section 5, no padding) of the HMAC and
   checks it with ``hmac.compare_digest`` (constant time).
2. ``TimestampSigner`` signs ``value.timestamp`` so ``unsign(max_age=)`` can refuse old values.
3. ``URLSafeTimedSerializer`` turns an object into JSON (compressed with zlib when that is
   shorter; then the payload starts with ``.``), base64s it and signs it with a timestamp:
   exactly the format Flask's session cookie uses, so cookies move between Flask and microflask.
A list of secret keys rotates keys: the last one signs, all of them verify.

Does not: encrypt. Anyone can read a signed value; only the holder of the key can make one.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import time
import zlib
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional, Union

_Key = Union[str, bytes]


def want_bytes(value: Union[str, bytes], encoding: str = "utf-8") -> bytes:
    return value.encode(encoding) if isinstance(value, str) else value


# NOTE(signing): the URL-safe alphabet (RFC 4648 section 5) differs from the standard one in
# two characters, so encoding and decoding are the C codec plus one ``bytes.translate``.
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_URLSAFE_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The HMAC pads (RFC 2104): every byte of the padded key XORed with 0x36 (inner) or 0x5C (outer).
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


def base64_encode(value: Union[str, bytes]) -> bytes:
    """URL-safe base64 without ``=`` padding."""
    return _encode_urlsafe(want_bytes(value))


def _encode_urlsafe(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def base64_decode(value: Union[str, bytes]) -> bytes:
    """The inverse of ``base64_encode`` (padding optional); ``BadData`` for anything else."""
    if isinstance(value, str):
        if not value.isascii():
            raise BadData("Invalid base64-encoded data")
        value = value.encode("ascii")
    return _decode_urlsafe(value)


def _decode_urlsafe(value: bytes) -> bytes:
    value = value.rstrip(b"=")
    if value.translate(None, _URLSAFE_ALPHABET):  # something outside the alphabet is left
        raise BadData("Invalid base64-encoded data")
    try:
        return binascii.a2b_base64(value.translate(_FROM_URLSAFE) + b"=" * (-len(value) % 4))
    except (TypeError, ValueError) as e:
        raise BadData("Invalid base64-encoded data") from e


def int_to_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")


def bytes_to_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


#: The last second datetime can hold (9999-12-31T23:59:59Z); later timestamps are malformed.
MAX_TIMESTAMP = 253402300799


def timestamp_to_datetime(timestamp: int) -> Optional[datetime]:
    """The UTC datetime of a Unix timestamp; None when it is out of the datetime range."""
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


# -- Errors ---------------------------------------------------------------------------------


class BadData(Exception):
    """Base class of every signing error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadSignature(BadData):
    """The signature does not match; ``payload`` is the (untrusted) value that was signed."""

    def __init__(self, message: str, payload: Any = None) -> None:
        super().__init__(message)
        self.payload = payload


class BadTimeSignature(BadSignature):
    """The timestamp is missing or malformed."""

    def __init__(self, message: str, payload: Any = None, date_signed: Any = None) -> None:
        super().__init__(message, payload)
        self.date_signed = date_signed


class SignatureExpired(BadTimeSignature):
    """The signature is valid but older than ``max_age``."""


class BadHeader(BadSignature):
    """A header of a signed value is invalid (kept for itsdangerous compatibility)."""


class BadPayload(BadData):
    """The signature is valid but the payload cannot be loaded (so the key signed garbage)."""

    def __init__(self, message: str, original_error: Optional[Exception] = None) -> None:
        super().__init__(message)
        self.original_error = original_error


# -- Signers ---------------------------------------------------------------------------------


def _keys(secret_key: Union[_Key, Iterable[_Key]]) -> list[bytes]:
    if isinstance(secret_key, (str, bytes)):
        return [want_bytes(secret_key)]
    keys = [want_bytes(key) for key in secret_key]
    if not keys:
        raise TypeError("The secret key must not be empty.")
    return keys


class Signer:
    """Signs values with HMAC; ``key_derivation`` is how the salt enters the key: ``concat``
    (hash of salt+key), ``django-concat`` (salt+"signer"+key, the default), ``hmac`` (HMAC of the
    salt under the key, Flask's sessions use it) or ``none``."""

    default_digest_method: Callable[..., Any] = staticmethod(hashlib.sha1)
    default_key_derivation = "django-concat"

    def __init__(self, secret_key: Union[_Key, Iterable[_Key]], salt: Optional[_Key] = b"itsdangerous.Signer",
                 sep: _Key = b".", key_derivation: Optional[str] = None,
                 digest_method: Optional[Callable[..., Any]] = None, algorithm: Any = None) -> None:
        if algorithm is not None:  # accepted by name for itsdangerous' signature, never ignored
            raise TypeError("Custom signing algorithms are not supported; choose the HMAC's digest_method.")
        self.secret_keys = _keys(secret_key)
        self.sep = want_bytes(sep)
        if self.sep in b"-_=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789":
            raise ValueError("The given separator cannot be used because it may be contained in the signature itself.")
        self.salt = want_bytes(salt) if salt is not None else b"itsdangerous.Signer"
        self.key_derivation = key_derivation or self.default_key_derivation
        self.digest_method = digest_method or self.default_digest_method
        self._keyed: dict[bytes, tuple[Any, Any]] = {}

    @property
    def secret_key(self) -> bytes:
        """The newest key, the one that signs."""
        return self.secret_keys[-1]

    def derive_key(self, secret_key: Optional[bytes] = None) -> bytes:
        key = self.secret_key if secret_key is None else secret_key
        if self.key_derivation == "concat":
            return self.digest_method(self.salt + key).digest()
        if self.key_derivation == "django-concat":
            return self.digest_method(self.salt + b"signer" + key).digest()
        if self.key_derivation == "hmac":
            return hmac.new(key, self.salt, self.digest_method).digest()
        if self.key_derivation == "none":
            return key
        raise TypeError("Unknown key derivation method")

    def get_signature(self, value: _Key, secret_key: Optional[bytes] = None) -> bytes:
        """URL-safe base64 of HMAC(derived key, value) (RFC 2104)."""
        key = self.secret_keys[-1] if secret_key is None else secret_key
        inner, outer = self._keyed.get(key) or self._keyed_hashes(key)
        inner = inner.copy()
        inner.update(value if type(value) is bytes else want_bytes(value))
        outer = outer.copy()
        outer.update(inner.digest())
        return binascii.b2a_base64(outer.digest(), newline=False).translate(_TO_URLSAFE).rstrip(b"=")

    def _keyed_hashes(self, secret_key: bytes) -> tuple[Any, Any]:
        # NOTE(signing): HMAC(K, m) = H((K ^ opad) + H((K ^ ipad) + m)), K padded with zeros to
        # the hash's block size (and hashed first when longer). The two keyed prefixes are
        # hashed once per key; a signature then copies two plain hash states, cheaper than
        # ``hmac.new`` or an HMAC copy, and C-speed for any hashlib-style ``digest_method``.
        key = self.derive_key(secret_key)
        block_size = getattr(self.digest_method(), "block_size", 64)  # 64, as hmac assumes
        if len(key) > block_size:
            key = self.digest_method(key).digest()
        key = key.ljust(block_size, b"\0")
        self._keyed[secret_key] = (self.digest_method(key.translate(_IPAD)), self.digest_method(key.translate(_OPAD)))
        return self._keyed[secret_key]

    def sign(self, value: _Key) -> bytes:
        value = want_bytes(value)
        return value + self.sep + self.get_signature(value)

    def verify_signature(self, value: _Key, sig: _Key) -> bool:
        """True if ``sig`` is the signature of ``value`` under any key, newest key first."""
        sig = want_bytes(sig)
        for key in reversed(self.secret_keys):
            if hmac.compare_digest(sig, self.get_signature(value, key)):
                return True
        return False

    def unsign(self, signed_value: _Key) -> bytes:
        value, sep, sig = want_bytes(signed_value).rpartition(self.sep)
        if not sep:
            raise BadSignature(f"No {self.sep.decode()!r} found in value")
        if self.verify_signature(value, sig):
            return value
        raise BadSignature(f"Signature {sig!r} does not match", payload=value)

    def validate(self, signed_value: _Key) -> bool:
        try:
            self.unsign(signed_value)
        except BadSignature:
            return False
        return True


class TimestampSigner(Signer):
    """Adds the signing time, so ``unsign(max_age=seconds)`` can refuse old values."""

    #: The last timestamp signed and its encoding.
    _stamp: tuple[Optional[int], bytes] = (None, b"")

    def get_timestamp(self) -> int:
        return int(time.time())

    def sign(self, value: _Key) -> bytes:
        timestamp = self.get_timestamp()
        stamp = self._stamp  # read once: another thread may replace it meanwhile
        if timestamp != stamp[0]:  # the encoded timestamp changes once a second
            stamp = self._stamp = (timestamp, _encode_urlsafe(int_to_bytes(timestamp)))
        value = want_bytes(value) + self.sep + stamp[1]
        return value + self.sep + self.get_signature(value)

    def unsign(self, signed_value: _Key, max_age: Optional[float] = None,
               return_timestamp: bool = False) -> Any:  # type: ignore[override]
        try:
            signed = super().unsign(signed_value)
        except BadSignature as e:  # report the payload without its timestamp
            if e.payload:
                value, sep, _ = e.payload.rpartition(self.sep)
                if sep:
                    e.payload = value
            raise
        value, sep, encoded_time = signed.rpartition(self.sep)
        if not sep:
            raise BadTimeSignature("timestamp missing", payload=signed)
        try:
            timestamp = int.from_bytes(_decode_urlsafe(encoded_time), "big")
        except BadData:
            timestamp = MAX_TIMESTAMP + 1
        if timestamp > MAX_TIMESTAMP:
            raise BadTimeSignature("Malformed timestamp", payload=value)
        if max_age is not None:
            age = self.get_timestamp() - timestamp
            if age > max_age or age < 0:
                comparison = f"> {max_age}" if age > max_age else "< 0"
                raise SignatureExpired(f"Signature age {age} {comparison} seconds", payload=value,
                                       date_signed=timestamp_to_datetime(timestamp))
        return (value, timestamp_to_datetime(timestamp)) if return_timestamp else value

    def validate(self, signed_value: _Key, max_age: Optional[float] = None) -> bool:  # type: ignore[override]
        try:
            self.unsign(signed_value, max_age=max_age)
        except BadSignature:
            return False
        return True


# -- Serializers ---------------------------------------------------------------------------


class _PlainJSON:
    """The plain serializers' default: ``json.dumps`` with its default separators."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        import json

        return json.dumps(obj, **kwargs)

    @staticmethod
    def loads(payload: Any) -> Any:
        import json

        return json.loads(payload)


class _CompactJSON:
    """The URL-safe serializers' default: JSON without spaces."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        import json

        return json.dumps(obj, separators=(",", ":"), **kwargs)

    @staticmethod
    def loads(payload: Any) -> Any:
        import json

        return json.loads(payload)


class Serializer:
    """Signs a serialized object: ``dumps(obj)`` -> signed string, ``loads(s)`` -> obj."""

    default_signer: type = Signer
    # NOTE(signing): plain serializers write ``{"a": 1}`` and URL-safe ones ``{"a":1}``, as
    # itsdangerous does, so values signed by either library verify in the other.
    default_serializer: Any = _PlainJSON()

    def __init__(self, secret_key: Union[_Key, Iterable[_Key]], salt: Optional[_Key] = b"itsdangerous",
                 serializer: Any = None, serializer_kwargs: Optional[dict[str, Any]] = None,
                 signer: Optional[type] = None, signer_kwargs: Optional[dict[str, Any]] = None) -> None:
        self.secret_keys = _keys(secret_key)
        self.salt = want_bytes(salt) if salt is not None else None
        self.serializer = serializer if serializer is not None else self.default_serializer
        self.serializer_kwargs = serializer_kwargs or {}
        self.signer = signer or self.default_signer
        self.signer_kwargs = signer_kwargs or {}
        self._default_signer: Optional[Signer] = None

    def make_signer(self, salt: Optional[_Key] = None) -> Signer:
        if salt is not None:
            return self.signer(self.secret_keys, salt=salt, **self.signer_kwargs)
        if self._default_signer is None:  # reused, so its keyed HMACs are computed once
            self._default_signer = self.signer(self.secret_keys, salt=self.salt, **self.signer_kwargs)
        return self._default_signer

    def dump_payload(self, obj: Any) -> bytes:
        return want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))

    def load_payload(self, payload: bytes) -> Any:
        try:
            return self.serializer.loads(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
        except Exception as e:  # noqa: BLE001 - any failure of a custom serializer is a bad payload
            raise BadPayload("Could not load the payload because an exception occurred on"
                             " unserializing the data.", original_error=e) from e

    def dumps(self, obj: Any, salt: Optional[_Key] = None) -> str:
        return self.make_signer(salt).sign(self.dump_payload(obj)).decode("utf-8")

    def loads(self, s: _Key, salt: Optional[_Key] = None, **kwargs: Any) -> Any:
        return self.load_payload(self.make_signer(salt).unsign(s, **kwargs))

    def loads_unsafe(self, s: _Key, salt: Optional[_Key] = None) -> tuple[bool, Any]:
        """``(signature_ok, payload)``; the payload may be forged, so only use it for debugging."""
        try:
            return True, self.loads(s, salt=salt)
        except BadSignature as e:
            if e.payload is None:
                return False, None
            try:
                return False, self.load_payload(e.payload)
            except BadPayload:
                return False, None


class TimedSerializer(Serializer):
    """A Serializer whose ``loads(s, max_age=)`` refuses old values."""

    default_signer = TimestampSigner

    def loads(self, s: _Key, max_age: Optional[float] = None, return_timestamp: bool = False,
              salt: Optional[_Key] = None) -> Any:  # type: ignore[override]
        signer = self.make_signer(salt)
        if not return_timestamp:
            return self.load_payload(signer.unsign(s, max_age=max_age))
        value, timestamp = signer.unsign(s, max_age=max_age, return_timestamp=True)
        return self.load_payload(value), timestamp


class _URLSafeMixin:
    """URL-safe payloads: base64 of the JSON, zlib-compressed (and prefixed ``.``) when shorter."""

    default_serializer: Any = _CompactJSON()

    def dump_payload(self, obj: Any) -> bytes:
        data = super().dump_payload(obj)  # type: ignore[misc]
        compressed = zlib.compress(data)
        is_compressed = len(compressed) < len(data) - 1
        encoded = _encode_urlsafe(compressed if is_compressed else data)
        return b"." + encoded if is_compressed else encoded

    def load_payload(self, payload: bytes) -> Any:
        decompress = payload.startswith(b".")
        try:
            data = base64_decode(payload[1:] if decompress else payload)
        except BadData as e:
            raise BadPayload("Could not base64 decode the payload because of an exception", original_error=e) from e
        if decompress:
            try:
                # NOTE(signing): bounded, so a small forged-but-signed payload cannot expand into
                # gigabytes (a "zip bomb"); only holders of the key can sign, but keys leak.
                decompressor = zlib.decompressobj()
                data = decompressor.decompress(data, MAX_DECOMPRESSED_SIZE)
                if decompressor.unconsumed_tail:
                    raise ValueError("decompressed payload too large")
            except (zlib.error, ValueError) as e:
                raise BadPayload("Could not zlib decompress the payload before decoding the payload",
                                 original_error=e) from e
        return super().load_payload(data)  # type: ignore[misc]


#: Largest decompressed payload a URL-safe serializer accepts (bytes).
MAX_DECOMPRESSED_SIZE = 1_000_000


class URLSafeSerializer(_URLSafeMixin, Serializer):
    """Signed, URL-safe JSON (no timestamp)."""


class URLSafeTimedSerializer(_URLSafeMixin, TimedSerializer):
    """Signed, timestamped, URL-safe JSON: the format of Flask's session cookie."""


__all__ = [
    "Signer", "TimestampSigner", "Serializer", "TimedSerializer", "URLSafeSerializer",
    "URLSafeTimedSerializer", "BadData", "BadSignature", "BadTimeSignature", "SignatureExpired",
    "BadHeader", "BadPayload", "base64_encode", "base64_decode", "want_bytes",
]
