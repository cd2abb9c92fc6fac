"""Tests for microflask.security: password hashes, salts and safe_join (plus utils.secure_filename)."""

from __future__ import annotations

import hashlib
import string
import subprocess
import sys
import time

import pytest

from microflask import security
from microflask.security import check_password_hash, gen_salt, generate_password_hash, safe_join
from microflask.utils import secure_filename

FAST_SCRYPT = "scrypt:16384:8:1"
FAST_PBKDF2 = "pbkdf2:sha256:1000"

# Generated once with Werkzeug 3.1's generate_password_hash; stored hashes from Flask apps must verify.
WERKZEUG_HASHES = [
    ("correct horse battery staple", "scrypt:32768:8:1$bQNSgHUT06xafP7q$8a3c20d7603e2ca289e43ed3a7afb64bfc549d8943e3b65f568e3afceffedd2a802e658d75a1391dbbbc1e40181dab676b54dc045a6e171180bb8fed5e69df8e"),
    ("correct horse battery staple", "scrypt:16384:8:1$svDSjsati9jsdKtD$db54c03b1094768a0676160bd76c9d2475947a4a0f10d7afe0c9446aeff3ad3c77b4331b10d2cf1d4bd258793cae7c8107dd2e00cb6671e0d171ab56a7983272"),
    ("pässwörd ключ 🔑", "scrypt:16384:8:1$GMjuIx9EhS9jv4bj$aa4caa92996c78a4ad34e15befde07f26ae23a4d6a4856a1baf2d39b179d5c841db0d4b19d75df973cdbba2c20844144866cee6f96f0dfc19c7189e91e7ca88e"),
    ("", "scrypt:1024:8:1$s0PvulwimvQ1Eydo$b5465a8d429ce82ad17e944f0aa84843fcbd96c70ed7ccb50a1f1c2fc232973c308e793693f6a282ef5af85b95601c0ed294ce28760df557b203d3e4fabe484a"),
    ("p@$$:word", "scrypt:1024:8:2$h8w0VTk2pc2gP6sH$84fbd62c6a757166153674583c13844ef98637d06880e9fba91731f50c10241777d4b315471e9b13ffadf9ef515b37f78f3c4677d0a9e2ac82fa9a45b5ab7b04"),
    ("correct horse battery staple", "pbkdf2:sha256:1000000$CfBInMbE26RCsB5n$2021b6bf80d5c3e4bd4b95c7d924da8a258874bf9f3de09c7eacdb7898d2f17d"),
    ("correct horse battery staple", "pbkdf2:sha256:1000$fkNmKcg9mwc6XTSN$e3059e87b9b23db4188a084a4bfddad6d92b75059165dee34f3d87d661962133"),
    ("pässwörd ключ 🔑", "pbkdf2:sha256:1000$s9ACSt5UEe4rfI2N$ef0a211531e8e498b9a26ae42bad6fd5d0931049a8001c02508c75767cc3b5ce"),
    ("p@$$:word", "pbkdf2:sha512:2000$gexhXoGP1xTEj4NY$59cf59d9be96629da6f854756ce826207d288b53a7b9d367570b121f496d8868f127e40f739b7f355243930aaaaa0a0c9c61b8515ee74bcd440d1759eae93729"),
    ("été", "pbkdf2:sha1:1000$WmF3aFL6hi8ehjPa$aedcb2a39b841ad121457885ff2fd8fda36e1384"),
]

# A fast valid hash; the malformed variants below are built from its parts.
STAPLE_PASSWORD, STAPLE_HASH = WERKZEUG_HASHES[6]
METHOD, SALT, DIGEST = STAPLE_HASH.split("$")


# -- gen_salt ---------------------------------------------------------------------------------------


def test_gen_salt_returns_the_requested_number_of_characters():
    assert [len(gen_salt(n)) for n in (1, 16, 64)] == [1, 16, 64]


def test_gen_salt_uses_only_ascii_letters_and_digits():
    assert set(gen_salt(500)) <= set(string.ascii_letters + string.digits)


def test_gen_salt_differs_between_calls():
    assert gen_salt(32) != gen_salt(32)


@pytest.mark.parametrize("length", [0, -1])
def test_gen_salt_rejects_a_length_below_one(length):
    with pytest.raises(ValueError, match="at least 1"):
        gen_salt(length)


# -- generate_password_hash -------------------------------------------------------------------------


def test_default_method_is_scrypt_32768_8_1_with_a_16_char_salt_and_128_hex_digest():
    method, salt, digest = generate_password_hash("hunter2").split("$")
    assert (method, len(salt), len(digest)) == ("scrypt:32768:8:1", 16, 128)
    assert set(digest) <= set("0123456789abcdef")


def test_default_cost_scrypt_hash_round_trips():
    assert check_password_hash(generate_password_hash("hunter2"), "hunter2")


def test_plain_pbkdf2_method_means_sha256_with_a_million_iterations():
    method, _salt, digest = generate_password_hash("hunter2", "pbkdf2").split("$")
    assert (method, len(digest)) == ("pbkdf2:sha256:1000000", 64)


def test_pbkdf2_with_only_a_hash_name_gets_the_default_iterations():
    assert generate_password_hash("x", "pbkdf2:sha1").startswith("pbkdf2:sha1:1000000$")


def test_custom_pbkdf2_iterations_are_written_into_the_hash():
    assert generate_password_hash("x", "pbkdf2:sha256:1234").startswith("pbkdf2:sha256:1234$")


def test_custom_scrypt_parameters_are_written_into_the_hash():
    assert generate_password_hash("x", "scrypt:1024:4:2").startswith("scrypt:1024:4:2$")


def test_salt_length_sets_the_salt_size():
    _method, salt, _digest = generate_password_hash("x", FAST_PBKDF2, salt_length=5).split("$")
    assert len(salt) == 5


def test_hashing_the_same_password_twice_gives_different_hashes():
    assert generate_password_hash("x", FAST_PBKDF2) != generate_password_hash("x", FAST_PBKDF2)


def test_pbkdf2_digest_is_hex_pbkdf2_hmac_of_utf8_password_and_salt():
    _method, salt, digest = generate_password_hash("pässwörd", "pbkdf2:sha512:1000").split("$")
    assert digest == hashlib.pbkdf2_hmac("sha512", "pässwörd".encode(), salt.encode(), 1000).hex()


def test_scrypt_digest_is_hex_64_byte_scrypt_of_utf8_password_and_salt():
    _method, salt, digest = generate_password_hash("pässwörd", "scrypt:1024:8:1").split("$")
    expected = hashlib.scrypt("pässwörd".encode(), salt=salt.encode(), n=1024, r=8, p=1, dklen=64)
    assert digest == expected.hex()


@pytest.mark.parametrize("method", [FAST_SCRYPT, FAST_PBKDF2, "pbkdf2:sha512:1000", "scrypt:1024:1:1"])
@pytest.mark.parametrize("password", ["", "pässwörd ключ 🔑", "a$b:c"])
def test_generated_hash_checks_against_the_same_password(method, password):
    assert check_password_hash(generate_password_hash(password, method), password)


@pytest.mark.parametrize("method", ["md5", "plain", "sha256", "", "PBKDF2", "bcrypt:12"])
def test_unknown_method_raises_value_error_naming_it(method):
    with pytest.raises(ValueError, match="Invalid hash method"):
        generate_password_hash("x", method)


@pytest.mark.parametrize("method", ["scrypt:16384", "scrypt:16384:8", "scrypt:16384:8:1:1", "scrypt:"])
def test_scrypt_with_other_than_three_parameters_raises_value_error(method):
    with pytest.raises(ValueError, match="three parameters"):
        generate_password_hash("x", method)


def test_pbkdf2_with_three_parameters_raises_value_error():
    with pytest.raises(ValueError, match="at most two parameters"):
        generate_password_hash("x", "pbkdf2:sha256:1000:5")


@pytest.mark.parametrize("method", ["pbkdf2:sha256:0", "pbkdf2:sha256:-5", "pbkdf2:sha256:abc",
                                    "pbkdf2:sha256:", "pbkdf2:sha256:1_000", "scrypt:16384:0:1"])
def test_non_positive_or_non_numeric_cost_raises_value_error(method):
    with pytest.raises(ValueError, match="positive integer"):
        generate_password_hash("x", method)


def test_scrypt_n_that_is_not_a_power_of_two_raises_value_error():
    with pytest.raises(ValueError, match="power of 2"):
        generate_password_hash("x", "scrypt:1000:8:1")


def test_unsupported_pbkdf2_hash_name_raises_value_error():
    with pytest.raises(ValueError, match="pbkdf2 cannot use hash 'nosuch'"):
        generate_password_hash("x", "pbkdf2:nosuch:1000")


def test_empty_pbkdf2_hash_name_raises_value_error():
    with pytest.raises(ValueError, match="needs a hash name"):
        generate_password_hash("x", "pbkdf2::1000")


def test_pbkdf2_iterations_above_the_cap_raise_value_error():
    with pytest.raises(ValueError, match="PBKDF2_MAX_ITERATIONS"):
        generate_password_hash("x", "pbkdf2:sha256:10000001")


def test_scrypt_memory_above_the_cap_raises_value_error():
    with pytest.raises(ValueError, match="SCRYPT_MAX_MEMORY"):
        generate_password_hash("x", "scrypt:1048576:8:1")


def test_scrypt_work_above_the_cap_raises_value_error():
    with pytest.raises(ValueError, match="SCRYPT_MAX_WORK"):
        generate_password_hash("x", "scrypt:16384:8:64")


def test_pbkdf2_cap_is_read_when_hashing(monkeypatch):
    monkeypatch.setattr(security, "PBKDF2_MAX_ITERATIONS", 10)
    with pytest.raises(ValueError, match="PBKDF2_MAX_ITERATIONS"):
        generate_password_hash("x", "pbkdf2:sha256:11")


@pytest.mark.parametrize("salt_length", [0, -3])
def test_salt_length_below_one_raises_value_error(salt_length):
    with pytest.raises(ValueError, match="at least 1"):
        generate_password_hash("x", FAST_PBKDF2, salt_length=salt_length)


def test_bytes_password_raises_type_error():
    with pytest.raises(TypeError, match="password must be a str"):
        generate_password_hash(b"x", FAST_PBKDF2)


def test_password_with_a_lone_surrogate_round_trips():
    assert check_password_hash(generate_password_hash("\udcff!", FAST_PBKDF2), "\udcff!")


# -- check_password_hash ----------------------------------------------------------------------------


@pytest.mark.parametrize("password, pwhash", WERKZEUG_HASHES)
def test_hash_made_by_werkzeug_checks_against_its_password(password, pwhash):
    assert check_password_hash(pwhash, password) is True


@pytest.mark.parametrize("password, pwhash", [case for case in WERKZEUG_HASHES if ":1000000$" not in case[1]
                                              and ":32768:" not in case[1]])
def test_hash_made_by_werkzeug_rejects_a_different_password(password, pwhash):
    assert check_password_hash(pwhash, password + "!") is False


def test_check_is_case_sensitive_about_the_password():
    assert check_password_hash(STAPLE_HASH, "Correct horse battery staple") is False


def test_check_with_a_lone_surrogate_password_returns_false():
    assert check_password_hash(STAPLE_HASH, "\ud800") is False


@pytest.mark.parametrize(
    "pwhash",
    [
        "",
        "garbage",
        "$$",
        f"{METHOD}${SALT}",
        f"{METHOD}${SALT}${DIGEST}$",
        f"{METHOD}${SALT}${DIGEST[:-1]}",
        f"{METHOD}${SALT}${DIGEST.upper()}",
        f"{METHOD}${SALT}$é{DIGEST[1:]}",
        f"{METHOD.upper()}${SALT}${DIGEST}",
        f"plain${SALT}${DIGEST}",
        f"pbkdf2:${SALT}${DIGEST}",
        f"pbkdf2:nosuch:1000${SALT}${DIGEST}",
        f"pbkdf2:shake_128:1000${SALT}${DIGEST}",
        f"pbkdf2:sha256:abc${SALT}${DIGEST}",
        f"pbkdf2:sha256:0${SALT}${DIGEST}",
        f"pbkdf2:sha256:1000:1${SALT}${DIGEST}",
        f"pbkdf2:sha256:{'9' * 5000}${SALT}${DIGEST}",
        f"scrypt:${SALT}${DIGEST}",
        f"scrypt:16384:8${SALT}${DIGEST}",
        f"scrypt:1000:8:1${SALT}${DIGEST}",
        f"scrypt:16384:8:0${SALT}${DIGEST}",
    ],
)
def test_malformed_hash_returns_false(pwhash):
    assert check_password_hash(pwhash, STAPLE_PASSWORD) is False


@pytest.mark.parametrize("pwhash", [None, 5, b"pbkdf2:sha256:1000$a$b"])
def test_hash_that_is_not_a_str_returns_false(pwhash):
    assert check_password_hash(pwhash, "x") is False


@pytest.mark.parametrize(
    "method",
    ["pbkdf2:sha256:99999999999", "scrypt:1048576:8:1", "scrypt:16384:8:1000", "scrypt:2:1048576:1",
     "scrypt:1073741824:8:1"],
)
def test_hash_with_absurd_cost_returns_false_without_computing(method):
    started = time.perf_counter()
    assert check_password_hash(f"{method}${SALT}${DIGEST}", STAPLE_PASSWORD) is False
    assert time.perf_counter() - started < 0.5


def test_check_with_a_bytes_password_raises_type_error():
    with pytest.raises(TypeError, match="password must be a str"):
        check_password_hash(STAPLE_HASH, STAPLE_PASSWORD.encode())


def test_importing_security_does_not_load_hashlib():
    code = "import sys, microflask.security\nprint('hashlib' in sys.modules, 'secrets' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


# -- safe_join --------------------------------------------------------------------------------------


def test_safe_join_joins_relative_parts_under_the_directory():
    assert safe_join("/srv/files", "a", "b.txt") == "/srv/files/a/b.txt"


def test_safe_join_normalizes_dot_segments_that_stay_inside():
    assert safe_join("/srv/files", "a/./../b//c.txt") == "/srv/files/b/c.txt"


@pytest.mark.parametrize("parts", [("..",), ("../etc/passwd",), ("a/../../etc",), ("a", "../../b"), ("/etc/passwd",),
                                   ("//etc/passwd",)])
def test_safe_join_returns_none_for_a_path_that_escapes(parts):
    assert safe_join("/srv/files", *parts) is None


def test_safe_join_returns_none_for_a_nul_byte():
    assert safe_join("/srv/files", "a\x00.txt") is None


def test_safe_join_keeps_names_that_only_start_with_dots():
    assert safe_join("/srv/files", "..hidden") == "/srv/files/..hidden"


def test_safe_join_with_empty_directory_joins_under_the_current_one():
    assert safe_join("", "a.txt") == "./a.txt"


# -- utils.secure_filename --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("My cool movie.mov", "My_cool_movie.mov"),
        ("../../../etc/passwd", "etc_passwd"),
        ("i contain cool \xfcml\xe4uts.txt", "i_contain_cool_umlauts.txt"),
        ("foo$bar&baz.txt", "foobarbaz.txt"),
        ("f\x00oo.txt", "foo.txt"),
        (".hidden", "hidden"),
    ],
)
def test_secure_filename_keeps_only_a_safe_ascii_name(filename, expected):
    assert secure_filename(filename) == expected


@pytest.mark.parametrize("filename", ["..", "", "___", "ключ"])
def test_secure_filename_may_return_an_empty_string(filename):
    assert secure_filename(filename) == ""
