"""Tests for microflask.http: header, cookie, date, ETag and range parsing and dumping."""

from __future__ import annotations

import time
import warnings
from datetime import date, datetime, timedelta, timezone

import pytest

from microflask import http
from microflask.http import (
    dump_cookie,
    dump_header,
    dump_options_header,
    http_date,
    is_resource_modified,
    parse_accept_header,
    parse_cookie,
    parse_date,
    parse_options_header,
    parse_query_string,
    parse_range_header,
)

UTC = timezone.utc
NOV_6_1994 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


def cookie_pairs(header):
    return list(parse_cookie(header, cls=list))


# -- Status codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, phrase",
    [(200, "OK"), (404, "Not Found"), (413, "Content Too Large"), (418, "I'm a teapot"),
     (422, "Unprocessable Content"), (429, "Too Many Requests"),
     (451, "Unavailable For Legal Reasons"), (511, "Network Authentication Required")],
)
def test_status_codes_use_rfc_reason_phrases(code, phrase):
    assert http.HTTP_STATUS_CODES[code] == phrase


# -- Query strings ------------------------------------------------------------------------------


def test_query_string_splits_pairs_on_ampersand():
    assert parse_query_string("a=1&b=2&a=3") == [("a", "1"), ("b", "2"), ("a", "3")]


def test_query_string_semicolon_is_not_a_separator():
    assert parse_query_string("a=1;b=2") == [("a", "1;b=2")]


def test_query_string_plus_is_space():
    assert parse_query_string("a+b=c+d") == [("a b", "c d")]


def test_query_string_escaped_plus_stays_a_plus():
    assert parse_query_string("a=%2B") == [("a", "+")]


def test_query_string_pair_without_equals_has_empty_value():
    assert parse_query_string("flag&a=") == [("flag", ""), ("a", "")]


def test_query_string_skips_empty_pairs():
    assert parse_query_string("&&a=1&&") == [("a", "1")]


def test_query_string_keeps_pair_with_empty_name():
    assert parse_query_string("=x") == [("", "x")]


def test_query_string_splits_on_first_equals():
    assert parse_query_string("a=1=2") == [("a", "1=2")]


@pytest.mark.parametrize("raw", ["%zz", "%4", "%", "100%", "%%41"])
def test_query_string_keeps_malformed_percent_escapes_literally(raw):
    expected = raw.replace("%41", "A")
    assert parse_query_string("a=" + raw) == [("a", expected)]


def test_query_string_decodes_percent_encoded_utf8():
    assert parse_query_string("caf%C3%A9=%E2%82%AC") == [("café", "€")]


def test_query_string_replaces_invalid_utf8_with_replacement_character():
    assert parse_query_string("a=%FFok%C3") == [("a", "\ufffdok\ufffd")]


def test_query_string_reads_wsgi_string_as_latin1_bytes_of_utf8():
    wsgi_string = "q=café".encode("utf-8").decode("latin-1")
    assert parse_query_string(wsgi_string) == [("q", "café")]


def test_query_string_accepts_bytes():
    assert parse_query_string(b"a=%C3%A9") == [("a", "é")]


def test_query_string_over_max_pairs_raises_value_error():
    with pytest.raises(ValueError, match="More than 2 fields"):
        parse_query_string("a=1&b=2&c=3", max_pairs=2)


def test_query_string_empty_parts_do_not_count_toward_max_pairs():
    assert parse_query_string("a=1&&&b=2&", max_pairs=2) == [("a", "1"), ("b", "2")]


def test_form_urlencoded_parses_like_a_query_string():
    assert http.parse_form_urlencoded(b"name=Ada+L&x") == [("name", "Ada L"), ("x", "")]


# -- Quoting, lists and dicts -------------------------------------------------------------------


def test_quote_header_value_leaves_tokens_bare():
    assert http.quote_header_value("utf-8") == "utf-8"


def test_quote_header_value_escapes_quotes_and_backslashes():
    assert http.quote_header_value('a "b"\\c') == '"a \\"b\\"\\\\c"'


def test_quote_header_value_quotes_tokens_when_tokens_are_not_allowed():
    assert http.quote_header_value("abc", allow_token=False) == '"abc"'


def test_unquote_header_value_undoes_quote_and_backslash_escapes():
    assert http.unquote_header_value('"a\\"b\\\\c"') == 'a"b\\c'


def test_unquote_header_value_keeps_backslashes_of_windows_paths():
    assert http.unquote_header_value('"C:\\dir\\a.txt"') == "C:\\dir\\a.txt"


@pytest.mark.parametrize("value", ['"', '"abc', 'abc"', "abc"])
def test_unquote_header_value_leaves_unbalanced_quotes_alone(value):
    assert http.unquote_header_value(value) == value


def test_list_header_keeps_commas_inside_quoted_strings():
    assert http.parse_list_header('a, "b, c", d') == ["a", "b, c", "d"]


def test_list_header_skips_empty_items():
    assert http.parse_list_header(" ,a,, b ,") == ["a", "b"]


def test_list_header_unterminated_quote_swallows_the_rest():
    assert http.parse_list_header('a, "b, c') == ["a", '"b, c']


def test_dict_header_reads_values_and_bare_keys():
    assert http.parse_dict_header('a=1, b="x, y", c') == {"a": "1", "b": "x, y", "c": None}


def test_dict_header_decodes_extended_values():
    assert http.parse_dict_header("title*=UTF-8''%C3%A9t%C3%A9") == {"title": "été"}


def test_set_header_drops_items_differing_only_in_case():
    assert http.parse_set_header('gzip, "br", GZIP, deflate') == ["gzip", "br", "deflate"]


def test_dump_header_quotes_list_items_that_are_not_tokens():
    assert dump_header(["a", "b c", 'd"e']) == 'a, "b c", "d\\"e"'


def test_dump_header_writes_dict_items_with_none_as_bare_keys():
    assert dump_header({"no-cache": None, "max-age": 60, "x": "a b"}) == (
        'no-cache, max-age=60, x="a b"'
    )


# -- Options headers (Content-Type, Content-Disposition) ----------------------------------------


def test_options_header_splits_value_and_parameters():
    assert parse_options_header('text/html; charset="utf-8"') == ("text/html", {"charset": "utf-8"})


def test_options_header_lowercases_value_and_parameter_names():
    assert parse_options_header("Text/HTML; Charset=UTF-8") == ("text/html", {"charset": "UTF-8"})


def test_options_header_unescapes_quoted_parameter():
    assert parse_options_header('attachment; filename="a\\"b.txt"')[1] == {"filename": 'a"b.txt'}


def test_options_header_keeps_semicolons_inside_quotes():
    result = parse_options_header('form-data; name="a;b"; x=1')
    assert result == ("form-data", {"name": "a;b", "x": "1"})


def test_options_header_keeps_backslashes_of_windows_filenames():
    result = parse_options_header('form-data; filename="C:\\dir\\a.txt"')
    assert result[1]["filename"] == "C:\\dir\\a.txt"


def test_options_header_decodes_rfc8187_extended_filename():
    result = parse_options_header("attachment; filename*=UTF-8''na%C3%AFve.txt")
    assert result == ("attachment", {"filename": "naïve.txt"})


@pytest.mark.parametrize(
    "value",
    ["attachment; filename=plain.txt; filename*=UTF-8''na%C3%AFve.txt",
     "attachment; filename*=UTF-8''na%C3%AFve.txt; filename=plain.txt"],
)
def test_options_header_extended_filename_wins_in_either_order(value):
    assert parse_options_header(value)[1] == {"filename": "naïve.txt"}


def test_options_header_decodes_latin1_extended_value():
    assert parse_options_header("a; filename*=iso-8859-1'en'%E9.txt")[1] == {"filename": "é.txt"}


def test_options_header_keeps_extended_value_with_unknown_charset_encoded():
    assert parse_options_header("a; filename*=bogus''%E9.txt")[1] == {"filename": "%E9.txt"}


def test_options_header_replaces_invalid_utf8_in_extended_value():
    assert parse_options_header("a; filename*=UTF-8''%FF.txt")[1] == {"filename": "\ufffd.txt"}


@pytest.mark.parametrize("value", [None, "", "   ", "; charset=utf-8", "  ; a=1"])
def test_options_header_without_a_value_is_empty(value):
    assert parse_options_header(value) == ("", {})


def test_options_header_skips_parameters_without_name_or_value():
    assert parse_options_header("text/plain; ; flag; =x; key=; b c=1; a=1") == (
        "text/plain", {"a": "1"}
    )


@pytest.mark.parametrize(
    "value",
    ['text/html; charset="unterminated', 'a; b="\\', '"; "; "', "a; filename*=UTF-8'x",
     "a;" * 1000, 'a; b="' + "\\\"" * 1000],
)
def test_options_header_never_raises_on_malformed_input(value):
    mimetype, params = parse_options_header(value)
    assert isinstance(mimetype, str) and isinstance(params, dict)


def test_dump_options_header_quotes_only_when_needed():
    result = dump_options_header("text/html", {"charset": "utf-8", "x": "a b", "skip": None})
    assert result == 'text/html; charset=utf-8; x="a b"'


def test_dump_options_header_sends_non_ascii_as_extended_value():
    header = dump_options_header("attachment", {"filename": "naïve €.txt"})
    assert header == "attachment; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt"
    assert parse_options_header(header)[1] == {"filename": "naïve €.txt"}


# -- Accept and Cache-Control -------------------------------------------------------------------


def test_accept_header_reads_qualities_in_header_order():
    result = parse_accept_header("text/html, application/json;q=0.9, */*;q=0.1", cls=list)
    assert result == [("text/html", 1), ("application/json", 0.9), ("*/*", 0.1)]


def test_accept_header_keeps_media_type_parameters_with_the_value():
    assert parse_accept_header("text/html;level=1;q=0.5", cls=list) == [("text/html; level=1", 0.5)]


def test_accept_header_reads_q_case_insensitively():
    assert parse_accept_header("en;Q=0.3", cls=list) == [("en", 0.3)]


@pytest.mark.parametrize("quality", ["bad", "1.5", "-1", "nan", "inf", "", "2"])
def test_accept_header_skips_entries_with_invalid_quality(quality):
    assert parse_accept_header(f"a;q={quality}, b", cls=list) == [("b", 1)]


def test_accept_header_keeps_entries_with_zero_quality():
    assert parse_accept_header("gzip;q=0, br", cls=list) == [("gzip", 0.0), ("br", 1)]


def test_accept_header_skips_empty_entries():
    assert parse_accept_header(" , ;q=0.5, a", cls=list) == [("a", 1)]


def test_accept_header_defaults_to_accept_class():
    from microflask.datastructures import Accept

    assert isinstance(parse_accept_header("a"), Accept)


def test_cache_control_header_passes_lowercased_directives_and_callback():
    def on_update(value):
        return None

    seen = http.parse_cache_control_header(
        'No-Cache, Max-Age=60, private="x, y"', on_update, cls=lambda *args: args
    )
    assert seen == ({"no-cache": None, "max-age": "60", "private": "x, y"}, on_update)


def test_cache_control_header_of_none_is_empty():
    assert http.parse_cache_control_header(None, cls=lambda *args: args) == ({}, None)


# -- ETags ----------------------------------------------------------------------------------------


def test_quote_etag_writes_strong_and_weak_forms():
    assert (http.quote_etag("abc"), http.quote_etag("abc", weak=True)) == ('"abc"', 'W/"abc"')


@pytest.mark.parametrize("etag", ['a"b', "a\r\nb", "a\x00"])
def test_quote_etag_rejects_quotes_and_control_characters(etag):
    with pytest.raises(ValueError, match="Invalid ETag"):
        http.quote_etag(etag)


@pytest.mark.parametrize(
    "value, expected",
    [('"abc"', ("abc", False)), ('W/"abc"', ("abc", True)), ('w/"abc"', ("abc", True)),
     ("abc", ("abc", False)), (' "x" ', ("x", False)), (None, (None, None))],
)
def test_unquote_etag_returns_tag_and_weakness(value, expected):
    assert http.unquote_etag(value) == expected


def test_parse_etags_separates_strong_and_weak_tags():
    tags = http.parse_etags('"a", W/"b", c')
    assert (tags.is_strong("a"), tags.is_strong("c"), tags.is_weak("b")) == (True, True, True)
    assert not tags.is_strong("b") and not tags.star_tag


def test_parse_etags_keeps_commas_inside_quoted_tags():
    assert http.parse_etags('"a,b"').is_strong("a,b")


def test_parse_etags_star_matches_anything():
    assert http.parse_etags('"a", *').star_tag


def test_generate_etag_is_sha1_hex_of_the_data():
    assert http.generate_etag(b"hello") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"


def test_if_range_with_a_date_returns_the_date():
    assert http.parse_if_range("Sun, 06 Nov 1994 08:49:37 GMT") == (None, NOV_6_1994)


def test_if_range_with_a_strong_etag_returns_it_unquoted():
    assert http.parse_if_range('"abc"') == ("abc", None)


def test_if_range_returns_weak_etag_as_sent_so_it_never_matches():
    assert http.parse_if_range('W/"abc"') == ('W/"abc"', None)


# -- Dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [784111777, 784111777.9, NOV_6_1994, datetime(1994, 11, 6, 8, 49, 37),
     datetime(1994, 11, 6, 10, 49, 37, tzinfo=timezone(timedelta(hours=2)))],
)
def test_http_date_writes_imf_fixdate_in_gmt(value):
    assert http_date(value) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_http_date_of_a_date_is_midnight():
    assert http_date(date(1994, 11, 6)) == "Sun, 06 Nov 1994 00:00:00 GMT"


def test_http_date_of_none_is_now(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 0.0)
    assert http_date() == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize(
    "value",
    ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
     "Sun Nov  6 08:49:37 1994", "  Sun, 06 Nov 1994 08:49:37 GMT  "],
)
def test_parse_date_reads_all_three_http_date_formats(value):
    parsed = parse_date(value)
    assert parsed == NOV_6_1994 and parsed.tzinfo == UTC


def test_parse_date_converts_numeric_zones_to_utc():
    parsed = parse_date("Sun, 06 Nov 1994 10:49:37 +0200")
    assert parsed == NOV_6_1994 and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [None, "", "garbage", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
     "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 99999 08:49:37 GMT", "1 2 3"],
)
def test_parse_date_returns_none_for_invalid_dates(value):
    assert parse_date(value) is None


def test_parse_age_reads_delta_seconds():
    assert http.parse_age("60") == timedelta(seconds=60)


@pytest.mark.parametrize("value", [None, "", "-1", "1e3", "abc", "9" * 30])
def test_parse_age_returns_none_for_invalid_values(value):
    assert http.parse_age(value) is None


def test_dump_age_accepts_timedelta_and_int():
    assert (http.dump_age(timedelta(minutes=1)), http.dump_age(60), http.dump_age()) == (
        "60", "60", None
    )


def test_dump_age_rejects_negative_ages():
    with pytest.raises(ValueError, match="negative"):
        http.dump_age(-1)


# -- Content-Length and ranges ----------------------------------------------------------------------


def test_content_length_reads_digits():
    assert http.parse_content_length(" 1234 ") == 1234


@pytest.mark.parametrize("value", [None, "", "-1", "+5", "1e3", "1 2", "\u0663", "9" * 30])
def test_content_length_returns_none_for_anything_but_digits(value):
    assert http.parse_content_length(value) is None


def test_range_header_reads_a_closed_range_with_exclusive_stop():
    parsed = parse_range_header("bytes=0-499")
    assert (parsed.units, parsed.ranges) == ("bytes", [(0, 500)])


def test_range_header_reads_open_and_suffix_ranges():
    assert parse_range_header("bytes=500-").ranges == [(500, None)]
    assert parse_range_header("bytes=-500").ranges == [(-500, None)]


def test_range_header_reads_several_ranges_with_spaces():
    assert parse_range_header("Bytes= 0-9 , 20-29, -5").ranges == [(0, 10), (20, 30), (-5, None)]


@pytest.mark.parametrize(
    "value",
    [None, "", "bytes=", "bytes=abc", "items=0-5", "bytes=5-4", "bytes=-", "bytes=-0",
     "bytes=1-2-3", "bytes=+1-2", "bytes=0-499,", "bytes=0x1-2", "0-499", "bytes=\u0661-2"],
)
def test_range_header_returns_none_for_invalid_ranges(value):
    assert parse_range_header(value) is None


@pytest.mark.parametrize("value", ["bytes=0-499,400-600", "bytes=500-,0-1", "bytes=10-20,0-5"])
def test_range_header_rejects_overlapping_or_descending_ranges(value):
    assert parse_range_header(value) is None


def test_range_header_with_too_many_ranges_is_ignored():
    specs = ",".join(f"{n * 10}-{n * 10 + 1}" for n in range(http.MAX_RANGES + 1))
    assert parse_range_header("bytes=" + specs) is None


def test_content_range_header_reads_start_stop_and_length():
    parsed = http.parse_content_range_header("bytes 0-499/1234")
    assert (parsed.units, parsed.start, parsed.stop, parsed.length) == ("bytes", 0, 500, 1234)


def test_content_range_header_reads_unknown_length_and_unsatisfied_form():
    assert http.parse_content_range_header("bytes 0-499/*").length is None
    unsatisfied = http.parse_content_range_header("bytes */1234")
    assert (unsatisfied.start, unsatisfied.stop, unsatisfied.length) == (None, None, 1234)


@pytest.mark.parametrize(
    "value",
    [None, "", "bytes 0-499", "bytes 500-400/1234", "bytes 0-1234/1234", "bytes */*",
     "items 0-5/10", "bytes x-y/z", "bytes 0-499/-1"],
)
def test_content_range_header_returns_none_for_invalid_values(value):
    assert http.parse_content_range_header(value) is None


def test_authorization_header_missing_is_none():
    assert http.parse_authorization_header(None) is None


def test_authorization_header_delegates_to_authorization_class():
    from microflask.datastructures import Authorization

    assert isinstance(http.parse_authorization_header("Basic dXNlcjpwYXNz"), Authorization)


# -- is_resource_modified ---------------------------------------------------------------------------

JAN_1 = datetime(2020, 1, 1, tzinfo=UTC)
JAN_1_TEXT = "Wed, 01 Jan 2020 00:00:00 GMT"
DEC_31_TEXT = "Tue, 31 Dec 2019 00:00:00 GMT"


def test_resource_without_conditional_headers_is_modified():
    assert is_resource_modified({}, etag="abc", last_modified=JAN_1)


def test_resource_matching_if_none_match_is_not_modified():
    assert not is_resource_modified({"HTTP_IF_NONE_MATCH": '"x", "abc"'}, etag="abc")


def test_resource_if_none_match_uses_weak_comparison():
    assert not is_resource_modified({"HTTP_IF_NONE_MATCH": 'W/"abc"'}, etag='"abc"')
    assert not is_resource_modified({"HTTP_IF_NONE_MATCH": '"abc"'}, etag='W/"abc"')


def test_resource_if_none_match_star_matches_any_existing_etag():
    assert not is_resource_modified({"HTTP_IF_NONE_MATCH": "*"}, etag="abc")


def test_resource_if_none_match_without_an_etag_is_modified():
    assert is_resource_modified({"HTTP_IF_NONE_MATCH": '"abc"'}, last_modified=JAN_1)


def test_resource_if_none_match_beats_if_modified_since():
    environ = {"HTTP_IF_NONE_MATCH": '"other"', "HTTP_IF_MODIFIED_SINCE": JAN_1_TEXT}
    assert is_resource_modified(environ, etag="abc", last_modified=JAN_1)


def test_resource_matching_if_none_match_ignores_an_older_if_modified_since():
    environ = {"HTTP_IF_NONE_MATCH": '"abc"', "HTTP_IF_MODIFIED_SINCE": DEC_31_TEXT}
    assert not is_resource_modified(environ, etag="abc", last_modified=JAN_1)


@pytest.mark.parametrize(
    "last_modified",
    [JAN_1, JAN_1_TEXT, datetime(2020, 1, 1), datetime(2020, 1, 1, 0, 0, 0, 900000, tzinfo=UTC)],
)
def test_resource_not_modified_since_its_last_modified_second(last_modified):
    environ = {"HTTP_IF_MODIFIED_SINCE": JAN_1_TEXT}
    assert not is_resource_modified(environ, last_modified=last_modified)


def test_resource_changed_after_if_modified_since_is_modified():
    assert is_resource_modified({"HTTP_IF_MODIFIED_SINCE": DEC_31_TEXT}, last_modified=JAN_1)


def test_resource_with_invalid_if_modified_since_is_modified():
    assert is_resource_modified({"HTTP_IF_MODIFIED_SINCE": "garbage"}, last_modified=JAN_1)


def test_resource_etag_is_computed_from_data():
    environ = {"HTTP_IF_NONE_MATCH": '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"'}
    assert not is_resource_modified(environ, data=b"hello")


def test_resource_with_failing_if_range_is_modified_unless_ignored():
    environ = {"HTTP_RANGE": "bytes=0-1", "HTTP_IF_RANGE": '"old"', "HTTP_IF_NONE_MATCH": '"abc"'}
    assert is_resource_modified(environ, etag="abc", ignore_if_range=False)
    assert not is_resource_modified(environ, etag="abc")


def test_resource_with_matching_if_range_date_follows_other_validators():
    environ = {"HTTP_RANGE": "bytes=0-1", "HTTP_IF_RANGE": JAN_1_TEXT,
               "HTTP_IF_MODIFIED_SINCE": JAN_1_TEXT}
    assert not is_resource_modified(environ, last_modified=JAN_1, ignore_if_range=False)


# -- Cookies ----------------------------------------------------------------------------------------


def test_cookie_header_splits_pairs_and_strips_spaces():
    assert cookie_pairs(" a = 1 ;b=2;\tc=3\t") == [("a", "1"), ("b", "2"), ("c", "3")]


def test_cookie_header_skips_pairs_with_empty_name():
    assert cookie_pairs("a=1; =__Host-x=evil; b=2") == [("a", "1"), ("b", "2")]


def test_cookie_header_skips_pairs_without_equals():
    assert cookie_pairs("flag; a=1") == [("a", "1")]


def test_cookie_header_splits_on_first_equals():
    assert cookie_pairs("a=x=y") == [("a", "x=y")]


def test_cookie_header_keeps_repeated_names():
    assert cookie_pairs("a=1; a=2") == [("a", "1"), ("a", "2")]


def test_cookie_header_unquotes_backslash_and_octal_escapes():
    assert cookie_pairs('a="x\\"y\\\\z\\073"') == [("a", 'x"y\\z;')]


def test_cookie_header_decodes_octal_escaped_utf8():
    assert cookie_pairs('a="caf\\303\\251"') == [("a", "café")]


def test_cookie_header_replaces_invalid_utf8():
    assert cookie_pairs(b"a=caf\xc3\xa9; b=\xff") == [("a", "café"), ("b", "\ufffd")]


@pytest.mark.parametrize("value", ['"', '"open', 'x"y', '"a"b'])
def test_cookie_header_keeps_unbalanced_quotes_literally(value):
    assert cookie_pairs("a=" + value) == [("a", value)]


def test_cookie_header_of_none_is_an_empty_multidict():
    from microflask.datastructures import MultiDict

    parsed = parse_cookie(None)
    assert isinstance(parsed, MultiDict) and len(parsed) == 0


def test_dump_cookie_writes_plain_value_with_default_path():
    assert dump_cookie("sid", "abc") == "sid=abc; Path=/"


@pytest.mark.parametrize(
    "value, written",
    [("x;y", '"x\\073y"'), ("x y", '"x y"'), ('x"y', '"x\\"y"'), ("x\\y", '"x\\\\y"'),
     ("x,y", '"x\\054y"'), ("café", '"caf\\303\\251"'), ("x\ty", '"x\\011y"'), ("x=y", "x=y"),
     ("", "")],
)
def test_dump_cookie_quotes_values_outside_the_cookie_octet_set(value, written):
    assert dump_cookie("a", value, path=None) == f"a={written}"


def test_dump_cookie_value_round_trips_through_parse_cookie():
    value = 'semi;comma, "quote" back\\slash naïve\r\n'
    assert cookie_pairs(dump_cookie("a", value).split("; Path=")[0]) == [("a", value)]


def test_dump_cookie_max_age_also_sets_expires(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 784111717.0)
    assert dump_cookie("a", "b", max_age=timedelta(minutes=1)) == (
        "a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Max-Age=60; Path=/"
    )


def test_dump_cookie_with_max_age_and_expires_keeps_both_as_given():
    assert dump_cookie("a", "", max_age=0, expires=0, path=None) == (
        "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"
    )


@pytest.mark.parametrize("expires", [NOV_6_1994, 784111777, "Sun, 06 Nov 1994 08:49:37 GMT"])
def test_dump_cookie_writes_expires_from_datetime_timestamp_or_string(expires):
    assert dump_cookie("a", "b", expires=expires, path=None) == (
        "a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT"
    )


def test_dump_cookie_rejects_expires_string_with_semicolon():
    with pytest.raises(ValueError, match="expires"):
        dump_cookie("a", "b", expires="x; Domain=evil.com")


def test_dump_cookie_writes_flags_in_a_fixed_order():
    assert dump_cookie("a", "b", domain="example.com", secure=True, httponly=True,
                       samesite="lax") == (
        "a=b; Domain=example.com; Secure; HttpOnly; Path=/; SameSite=Lax"
    )


def test_dump_cookie_drops_the_leading_dot_of_a_domain():
    assert dump_cookie("a", "b", domain=".example.com", path=None) == "a=b; Domain=example.com"


def test_dump_cookie_encodes_international_domains_with_idna():
    assert dump_cookie("a", "b", domain="bücher.example", path=None) == (
        "a=b; Domain=xn--bcher-kva.example"
    )


@pytest.mark.parametrize("domain", ["ex ample.com", "example.com; Secure", "a\r\nb.com"])
def test_dump_cookie_rejects_invalid_domains(domain):
    with pytest.raises(ValueError, match="cookie domain"):
        dump_cookie("a", "b", domain=domain)


@pytest.mark.parametrize("samesite, written", [("strict", "Strict"), ("LAX", "Lax"), ("None", "None")])
def test_dump_cookie_normalizes_samesite(samesite, written):
    assert dump_cookie("a", "b", path=None, samesite=samesite) == f"a=b; SameSite={written}"


def test_dump_cookie_rejects_unknown_samesite():
    with pytest.raises(ValueError, match="SameSite"):
        dump_cookie("a", "b", samesite="sometimes")


def test_dump_cookie_partitioned_implies_secure():
    assert dump_cookie("a", "b", partitioned=True) == "a=b; Secure; Path=/; Partitioned"


def test_dump_cookie_percent_encodes_unsafe_path_characters():
    assert dump_cookie("a", "b", path="/é;x y") == "a=b; Path=/%C3%A9%3Bx%20y"


@pytest.mark.parametrize("key", ["a;b", "a\r\nb", "a b", "a=b", "", "café"])
def test_dump_cookie_rejects_names_that_are_not_tokens(key):
    with pytest.raises(ValueError, match="Invalid cookie name"):
        dump_cookie(key, "v")


def test_dump_cookie_warns_when_the_header_is_one_byte_over_the_limit():
    with pytest.warns(UserWarning, match="'a' cookie is too large: .* 4094 bytes"):
        dump_cookie("a", "b" * 4084)


def test_dump_cookie_does_not_warn_at_the_size_limit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(dump_cookie("a", "b" * 4083)) == http.COOKIE_MAX_SIZE


def test_options_header_keeps_a_quoted_empty_parameter_and_drops_a_bare_one():
    assert http.parse_options_header('form-data; name="f"; filename=""') == ("form-data", {"name": "f", "filename": ""})
    assert http.parse_options_header("text/html; charset=; q=1") == ("text/html", {"q": "1"})
