"""Tests for microflask.signing: signers, timestamps, serializers, and fixed vectors.

The vectors at the bottom were produced once by itsdangerous on the development machine with
``time.time`` patched to FIXED_TIME; the tests patch microflask's clock to the same second and
expect byte-identical output, and expect the stored itsdangerous strings to load.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from datetime import datetime, timezone

import pytest
from conftest import FIXED_TIME

import microflask.signing
from microflask.signing import (
    BadData,
    BadPayload,
    BadSignature,
    BadTimeSignature,
    Serializer,
    SignatureExpired,
    Signer,
    TimedSerializer,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
    base64_encode,
)



# -- Signer ---------------------------------------------------------------------------------


def test_signer_unsign_returns_the_value_that_was_signed():
    signer = Signer("secret")
    assert signer.unsign(signer.sign("hello")) == b"hello"


def test_signer_appends_the_separator_and_a_signature():
    value, sig = Signer("secret").sign("hello").rsplit(b".", 1)
    assert value == b"hello" and len(sig) == 27  # SHA-1: 20 bytes -> 27 base64 characters


def test_signer_refuses_a_changed_value():
    signed = Signer("secret").sign("hello")
    with pytest.raises(BadSignature) as info:
        Signer("secret").unsign(b"jello" + signed[5:])
    assert info.value.payload == b"jello"


def test_signer_refuses_a_changed_signature():
    signed = Signer("secret").sign("hello")
    tampered = signed[:-1] + (b"A" if signed[-1:] != b"A" else b"B")
    with pytest.raises(BadSignature):
        Signer("secret").unsign(tampered)


def test_signer_refuses_a_value_without_separator():
    with pytest.raises(BadSignature) as info:
        Signer("secret").unsign(b"no-separator-here")
    assert info.value.payload is None


def test_signer_refuses_a_signature_made_with_another_key():
    with pytest.raises(BadSignature):
        Signer("other").unsign(Signer("secret").sign("hello"))


def test_signer_refuses_a_signature_made_with_another_salt():
    with pytest.raises(BadSignature):
        Signer("secret", salt="b").unsign(Signer("secret", salt="a").sign("hello"))


def test_signer_validate_answers_true_or_false():
    signer = Signer("secret")
    assert signer.validate(signer.sign("x")) is True
    assert signer.validate(b"x.wrong") is False


def test_signer_verifies_with_hmac_compare_digest(monkeypatch):
    calls = []
    real = microflask.signing.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(microflask.signing.hmac, "compare_digest", spy)
    Signer("secret").validate(b"hello.forged")
    assert calls and calls[0][0] == b"forged"


@pytest.mark.parametrize("digest", [hashlib.sha1, hashlib.sha256, hashlib.sha512, hashlib.md5, hashlib.blake2b])
@pytest.mark.parametrize("key_length", [1, 64, 65, 200])
def test_signature_is_the_hmac_of_the_derived_key(digest, key_length):
    signer = Signer(b"k" * key_length, salt="s", key_derivation="none", digest_method=digest)
    expected = base64_encode(hmac.new(b"k" * key_length, b"message", digest).digest())
    assert signer.get_signature(b"message") == expected


def test_a_digest_method_that_wraps_hashlib_signs_like_hashlib():
    def lazy_sha1(data=b""):
        return hashlib.sha1(data)

    wrapped = Signer("secret", salt="s", key_derivation="hmac", digest_method=lazy_sha1)
    plain = Signer("secret", salt="s", key_derivation="hmac", digest_method=hashlib.sha1)
    assert wrapped.sign(b"value") == plain.sign(b"value")


@pytest.mark.parametrize("derivation", ["concat", "django-concat", "hmac", "none"])
def test_each_key_derivation_round_trips(derivation):
    signer = Signer("secret", salt="s", key_derivation=derivation)
    assert signer.unsign(signer.sign("v")) == b"v"


def test_key_derivations_give_different_signatures():
    signatures = {Signer("secret", key_derivation=kd).sign("v") for kd in ("concat", "django-concat", "hmac", "none")}
    assert len(signatures) == 4


def test_unknown_key_derivation_is_a_type_error():
    with pytest.raises(TypeError, match="key derivation"):
        Signer("secret", key_derivation="rot13").sign("v")


@pytest.mark.parametrize("sep", ["-", "_", "=", "a", "Z", "5"])
def test_separators_that_can_occur_in_a_signature_are_refused(sep):
    with pytest.raises(ValueError, match="separator"):
        Signer("secret", sep=sep)


def test_a_custom_separator_splits_at_the_last_occurrence():
    signer = Signer("secret", sep="$")
    signed = signer.sign("a$b")
    assert signed.count(b"$") == 2 and signer.unsign(signed) == b"a$b"


def test_a_list_of_keys_signs_with_the_newest():
    assert Signer(["old", "new"]).sign("v") == Signer("new").sign("v")


def test_a_list_of_keys_verifies_with_every_key():
    rotated = Signer(["old", "new"])
    assert rotated.unsign(Signer("old").sign("v")) == b"v"
    assert rotated.unsign(Signer("new").sign("v")) == b"v"


def test_an_empty_key_list_is_refused():
    with pytest.raises(TypeError, match="empty"):
        Signer([])


# -- TimestampSigner --------------------------------------------------------------------------


def test_timestamp_signer_returns_the_value_and_the_signing_time(clock):
    signer = TimestampSigner("secret")
    value, signed_at = signer.unsign(signer.sign("v"), return_timestamp=True)
    assert value == b"v"
    assert signed_at == datetime.fromtimestamp(FIXED_TIME, timezone.utc)


def test_one_timestamp_signer_stamps_each_value_with_the_time_it_was_signed(clock):
    signer = TimestampSigner("secret")
    first = signer.sign("v")
    clock(FIXED_TIME + 90)
    second = signer.sign("v")
    assert signer.unsign(first, return_timestamp=True)[1] == datetime.fromtimestamp(FIXED_TIME, timezone.utc)
    assert signer.unsign(second, return_timestamp=True)[1] == datetime.fromtimestamp(FIXED_TIME + 90, timezone.utc)


def test_timestamp_signer_accepts_a_value_within_max_age(clock):
    signed = TimestampSigner("secret").sign("v")
    clock(FIXED_TIME + 10)
    assert TimestampSigner("secret").unsign(signed, max_age=10) == b"v"


def test_expired_value_raises_signature_expired_with_date_signed(clock):
    signed = TimestampSigner("secret").sign("v")
    clock(FIXED_TIME + 11)
    with pytest.raises(SignatureExpired) as info:
        TimestampSigner("secret").unsign(signed, max_age=10)
    assert info.value.payload == b"v"
    assert info.value.date_signed == datetime.fromtimestamp(FIXED_TIME, timezone.utc)


def test_expired_value_is_a_bad_signature_too():
    assert issubclass(SignatureExpired, BadTimeSignature) and issubclass(BadTimeSignature, BadSignature)


def test_future_timestamp_is_refused_when_max_age_is_given(clock):
    signed = TimestampSigner("secret").sign("v")
    clock(FIXED_TIME - 100)
    with pytest.raises(SignatureExpired, match="< 0"):
        TimestampSigner("secret").unsign(signed, max_age=1000)


def test_future_timestamp_is_accepted_without_max_age(clock):
    signed = TimestampSigner("secret").sign("v")
    clock(FIXED_TIME - 100)
    assert TimestampSigner("secret").unsign(signed) == b"v"


def test_malformed_timestamp_raises_bad_time_signature():
    signed = Signer("secret").sign(b"v.!!!")  # a valid signature over a non-base64 timestamp
    with pytest.raises(BadTimeSignature, match="Malformed timestamp") as info:
        TimestampSigner("secret").unsign(signed)
    assert info.value.payload == b"v"


def test_out_of_range_timestamp_raises_bad_time_signature():
    signed = Signer("secret").sign(b"v." + base64_encode(b"\xff" * 20))
    with pytest.raises(BadTimeSignature, match="Malformed timestamp"):
        TimestampSigner("secret").unsign(signed)


def test_missing_timestamp_raises_bad_time_signature():
    with pytest.raises(BadTimeSignature, match="timestamp missing"):
        TimestampSigner("secret").unsign(Signer("secret").sign(b"v"))


def test_bad_signature_wins_over_a_good_timestamp():
    signed = TimestampSigner("secret").sign("v")
    with pytest.raises(BadSignature) as info:
        TimestampSigner("other").unsign(signed)
    assert not isinstance(info.value, BadTimeSignature)
    assert info.value.payload == b"v"


def test_timestamp_signer_validate_checks_max_age(clock):
    signed = TimestampSigner("secret").sign("v")
    clock(FIXED_TIME + 5)
    assert TimestampSigner("secret").validate(signed, max_age=5) is True
    assert TimestampSigner("secret").validate(signed, max_age=4) is False


# -- Serializers -------------------------------------------------------------------------------

SERIALIZERS = [Serializer, TimedSerializer, URLSafeSerializer, URLSafeTimedSerializer]


@pytest.mark.parametrize("cls", SERIALIZERS)
def test_serializers_round_trip_json_values(cls):
    obj = {"a": [1, 2.5, None, True], "b": "é☃", "c": {"d": "e"}}
    serializer = cls("secret")
    assert serializer.loads(serializer.dumps(obj)) == obj


@pytest.mark.parametrize("cls", SERIALIZERS)
def test_serializers_separate_salts(cls):
    with pytest.raises(BadSignature):
        cls("secret", salt="activate").loads(cls("secret", salt="reset").dumps(1))


def test_dumps_and_loads_accept_a_salt_per_call():
    serializer = URLSafeSerializer("secret")
    assert serializer.loads(serializer.dumps(1, salt="x"), salt="x") == 1
    with pytest.raises(BadSignature):
        serializer.loads(serializer.dumps(1, salt="x"), salt="y")


def test_url_safe_output_uses_only_url_safe_characters():
    value = URLSafeTimedSerializer("secret").dumps({"x": "<>?/&= \x00 é" * 3})
    assert set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_url_safe_serializer_compresses_long_payloads_behind_a_dot():
    value = URLSafeSerializer("secret").dumps("a" * 500)
    assert value.startswith(".") and len(value) < 100
    assert URLSafeSerializer("secret").loads(value) == "a" * 500


def test_url_safe_serializer_leaves_short_payloads_uncompressed():
    assert not URLSafeSerializer("secret").dumps({"id": 5}).startswith(".")


def test_timed_serializer_enforces_max_age(clock):
    value = URLSafeTimedSerializer("secret").dumps(1)
    clock(FIXED_TIME + 61)
    with pytest.raises(SignatureExpired):
        URLSafeTimedSerializer("secret").loads(value, max_age=60)


def test_timed_serializer_returns_the_timestamp_on_request(clock):
    serializer = URLSafeTimedSerializer("secret")
    assert serializer.loads(serializer.dumps(1), return_timestamp=True) == (
        1, datetime.fromtimestamp(FIXED_TIME, timezone.utc))


def _signed_payload(payload: bytes, salt: str = "itsdangerous") -> bytes:
    """A correctly signed URL-safe payload, so only the payload itself is wrong."""
    return Signer("secret", salt=salt).sign(payload)


def test_bad_base64_payload_with_valid_signature_is_bad_payload():
    with pytest.raises(BadPayload, match="base64") as info:
        URLSafeSerializer("secret").loads(_signed_payload(b"!!!!"))
    assert isinstance(info.value.original_error, BadData)


def test_bad_zlib_payload_with_valid_signature_is_bad_payload():
    with pytest.raises(BadPayload, match="decompress"):
        URLSafeSerializer("secret").loads(_signed_payload(b"." + base64_encode(b"not zlib")))


def test_bad_json_payload_with_valid_signature_is_bad_payload():
    with pytest.raises(BadPayload, match="unserializing") as info:
        URLSafeSerializer("secret").loads(_signed_payload(base64_encode(b"{not json")))
    assert isinstance(info.value.original_error, ValueError)


def test_payload_that_decompresses_beyond_the_limit_is_bad_payload():
    bomb = zlib.compress(b"[" + b" " * (microflask.signing.MAX_DECOMPRESSED_SIZE + 10) + b"]")
    with pytest.raises(BadPayload, match="decompress"):
        URLSafeSerializer("secret").loads(_signed_payload(b"." + base64_encode(bomb)))


def test_bad_payload_is_not_a_bad_signature():
    assert not issubclass(BadPayload, BadSignature) and issubclass(BadPayload, BadData)


def test_loads_unsafe_returns_the_payload_of_a_bad_signature():
    value = URLSafeSerializer("secret").dumps({"a": 1})
    assert URLSafeSerializer("other").loads_unsafe(value) == (False, {"a": 1})


def test_loads_unsafe_reports_a_good_signature():
    serializer = URLSafeSerializer("secret")
    assert serializer.loads_unsafe(serializer.dumps([1])) == (True, [1])


def test_loads_unsafe_gives_none_for_garbage():
    assert URLSafeSerializer("secret").loads_unsafe("garbage") == (False, None)


def test_a_serializer_with_a_key_list_loads_values_signed_with_an_old_key():
    old = URLSafeTimedSerializer("old").dumps("x")
    assert URLSafeTimedSerializer(["old", "new"]).loads(old) == "x"


def test_a_custom_serializer_is_used_for_the_payload():
    class Upper:
        def dumps(self, obj):
            return obj.upper()

        def loads(self, payload):
            return payload.lower()

    signed = Serializer("secret", serializer=Upper()).dumps("abc")
    assert signed.startswith("ABC.") and Serializer("secret", serializer=Upper()).loads(signed) == "abc"


# -- Fixed vectors from itsdangerous -------------------------------------------------------------

SIGNER_VECTORS = {
    "concat": b"hello world.lkuVTQYzLko0KCK2iXTJE5SUYgM",
    "django-concat": b"hello world.JgYJYdg_hBASKp30FKK8JGbK6yU",
    "hmac": b"hello world.VU1xOa16aZB7C_9jDR1aQjh5iC4",
    "none": b"hello world.uEsAIHcVJkam2pIc9YEhcFFQqWc",
}


@pytest.mark.parametrize("derivation", sorted(SIGNER_VECTORS))
def test_signer_matches_itsdangerous_for_each_key_derivation(derivation):
    signer = Signer("secret-key", salt="the-salt", key_derivation=derivation)
    assert signer.sign("hello world") == SIGNER_VECTORS[derivation]
    assert signer.unsign(SIGNER_VECTORS[derivation]) == b"hello world"


def test_signer_matches_itsdangerous_with_sha256():
    signer = Signer("secret-key", salt="the-salt", digest_method=hashlib.sha256, key_derivation="hmac")
    assert signer.sign("hello") == b"hello._xzlZUmUIgkxgj22hodb07FjRD9d-oo63w3mOs-GNrA"


def test_signer_matches_itsdangerous_with_a_custom_separator():
    assert Signer("secret-key", sep="$").sign("a.b") == b"a.b$W0U72B29IcPNDNsMSmXlI2pVx1w"


def test_timestamp_signer_matches_itsdangerous(clock):
    assert TimestampSigner("secret-key").sign("hello") == b"hello.ZVPxAA.UQx3EIPGLNk6IyY28rz4wwlRRWI"


SERIALIZER_VECTORS = [
    (Serializer, {}, {"a": [1, 2], "b": "é"}, '{"a": [1, 2], "b": "\\u00e9"}.62ldNy5_OrCumm6BNy0sbMtaKMs'),
    (TimedSerializer, {}, [1, "x"], '[1, "x"].ZVPxAA.jtIF9GEpyoCXtV0uXvcS8jcxb9w'),
    (URLSafeSerializer, {}, {"id": 5}, "eyJpZCI6NX0.Miy6DmCsMs_TuHx_Rl2OXEaAyKo"),
    (URLSafeTimedSerializer, {"salt": "activate"}, {"id": 5}, "eyJpZCI6NX0.ZVPxAA.71UOeN9NSZB4_BWCbYzTaRlKDlE"),
    (URLSafeTimedSerializer, {}, "a" * 200, ".eJxTShwmQAkAKU5MDQ.ZVPxAA.YbwEYtnpMReHEBU87OpaKFwDw8o"),
]
VECTOR_IDS = ["Serializer", "TimedSerializer", "URLSafeSerializer", "URLSafeTimedSerializer", "compressed"]


@pytest.mark.parametrize("cls, kwargs, obj, expected", SERIALIZER_VECTORS, ids=VECTOR_IDS)
def test_serializers_produce_itsdangerous_bytes(clock, cls, kwargs, obj, expected):
    assert cls("secret-key", **kwargs).dumps(obj) == expected


@pytest.mark.parametrize("cls, kwargs, obj, expected", SERIALIZER_VECTORS, ids=VECTOR_IDS)
def test_serializers_load_itsdangerous_output(clock, cls, kwargs, obj, expected):
    assert cls("secret-key", **kwargs).loads(expected) == obj


def test_key_list_signature_matches_itsdangerous(clock):
    assert URLSafeTimedSerializer(["old", "new"]).dumps("x") == "Ingi.ZVPxAA.tNaiBtE_L1Epo2hIw3j7grpnSio"


def test_itsdangerous_value_signed_with_an_old_key_loads_with_a_key_list(clock):
    assert URLSafeTimedSerializer(["old", "new"]).loads("Ingi.ZVPxAA.NChjjQszmYUDA8nuVGUtjHnLxAg") == "x"


def test_a_custom_signing_algorithm_is_refused_not_ignored():
    with pytest.raises(TypeError, match="digest_method"):
        Signer("key", algorithm=object())
