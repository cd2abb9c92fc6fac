"""Tests for microflask.datastructures: multi-dicts, headers, Accept lists, auth, caching, ranges."""

from __future__ import annotations

import copy
import json
import pickle
from base64 import b64encode
from io import BytesIO

import pytest

from microflask.datastructures import (
    Accept,
    Authorization,
    CallbackDict,
    CharsetAccept,
    CombinedMultiDict,
    ContentRange,
    EnvironHeaders,
    ETags,
    FileStorage,
    Headers,
    HeaderSet,
    ImmutableDict,
    ImmutableList,
    ImmutableMultiDict,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    TypeConversionDict,
    WWWAuthenticate,
)
from microflask.exceptions import BadRequestKeyError


def basic(credentials: bytes) -> str:
    return "Basic " + b64encode(credentials).decode("ascii")


@pytest.fixture
def md():
    return MultiDict([("a", "1"), ("b", "2"), ("a", "3")])


@pytest.fixture
def headers():
    return Headers([("X-A", "1"), ("Content-Type", "text/html"), ("x-a", "2")])


# -- TypeConversionDict, immutable types, CallbackDict ------------------------------------------


@pytest.mark.parametrize("data, default, expected", [({"n": "3"}, 1, 3), ({"n": "x"}, 1, 1), ({}, 1, 1)],
                         ids=["converts", "default-when-conversion-fails", "default-when-missing"])
def test_type_conversion_dict_get_converts_or_falls_back_to_default(data, default, expected):
    assert TypeConversionDict(data).get("n", default, type=int) == expected


DICT_CHANGES = [
    lambda d: d.__setitem__("b", 2), lambda d: d.__delitem__("a"), lambda d: d.setdefault("b", 2),
    lambda d: d.update(b=2), lambda d: d.pop("a"), lambda d: d.popitem(), lambda d: d.clear(),
]


@pytest.mark.parametrize("change", DICT_CHANGES)
def test_immutable_dict_refuses_every_change(change):
    d = ImmutableDict(a=1)
    with pytest.raises(TypeError):
        change(d)
    assert d == {"a": 1}


@pytest.mark.parametrize("change", [
    lambda items: items.append(3), lambda items: items.__setitem__(0, 9),
    lambda items: items.__delitem__(0), lambda items: items.sort(), lambda items: items.pop(),
])
def test_immutable_list_refuses_every_change(change):
    items = ImmutableList([1, 2])
    with pytest.raises(TypeError):
        change(items)
    assert items == [1, 2]


@pytest.mark.parametrize("make", [lambda: ImmutableDict(a=1, b=2), lambda: ImmutableList([1, 2]),
                                  lambda: ImmutableMultiDict([("a", "1"), ("a", "2")])])
def test_immutable_types_are_hashable_by_content(make):
    assert {make(): "found"}[make()] == "found"


@pytest.mark.parametrize("immutable", [ImmutableDict(a="1"), ImmutableMultiDict([("a", "1")]),
                                       CombinedMultiDict([MultiDict([("a", "1")])])])
def test_copy_of_an_immutable_dict_is_mutable(immutable):
    copied = immutable.copy()
    copied["b"] = "2"
    assert dict(copied) == {"a": "1", "b": "2"}


@pytest.mark.parametrize("change", DICT_CHANGES + [lambda d: d.__ior__({"b": 2})])
def test_callback_dict_calls_on_update_after_each_change(change):
    calls = []
    d = CallbackDict({"a": 1}, on_update=calls.append)
    change(d)
    assert calls == [d]


def test_callback_dict_does_not_call_on_update_on_reads_or_no_op_setdefault():
    calls = []
    d = CallbackDict({"a": 1}, on_update=calls.append)
    d["a"], d.get("a"), list(d), len(d), "a" in d, d.copy(), d.setdefault("a", 2)
    assert calls == []


# -- MultiDict ----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    [("a", "1"), ("b", "2"), ("a", "3")], {"a": ["1", "3"], "b": "2"},
    MultiDict([("a", "1"), ("b", "2"), ("a", "3")]),
], ids=["pairs", "dict-with-list-values", "multidict"])
def test_multidict_construction_keeps_every_value(source):
    assert MultiDict(source).to_dict(flat=False) == {"a": ["1", "3"], "b": ["2"]}


@pytest.mark.parametrize("lookup", [
    lambda: MultiDict([("a", "1")])["missing"], lambda: MultiDict([("a", "1")]).pop("missing"),
    lambda: CombinedMultiDict([MultiDict([("a", "1")])])["missing"], lambda: Headers()["missing"],
    lambda: EnvironHeaders({"HTTP_HOST": "h"})["missing"],
], ids=["multidict", "multidict-pop", "combined", "headers", "environ-headers"])
def test_missing_key_raises_bad_request_key_error_which_is_a_key_error(lookup):
    with pytest.raises(BadRequestKeyError) as info:
        lookup()
    assert isinstance(info.value, KeyError) and info.value.code == 400


@pytest.mark.parametrize("view, expected", [
    (lambda md: md["a"], "1"),
    (lambda md: MultiDict([("a", "x"), ("a", "3")]).get("a", -1, type=int), -1),
    (lambda md: MultiDict([("a", "1"), ("a", "x"), ("a", "3")]).getlist("a", type=int), [1, 3]),
    (lambda md: md.getlist("missing"), []),
    (lambda md: list(md.items(multi=True)), [("a", "1"), ("a", "3"), ("b", "2")]),
    (lambda md: list(md.items()), [("a", "1"), ("b", "2")]),
    (lambda md: list(md.lists()), [("a", ["1", "3"]), ("b", ["2"])]),
    (lambda md: list(md.values()), ["1", "2"]),
    (lambda md: md.to_dict(), {"a": "1", "b": "2"}),
    (lambda md: md.to_dict(flat=False), {"a": ["1", "3"], "b": ["2"]}),
    (dict, {"a": "1", "b": "2"}),
    (lambda md: json.loads(json.dumps(md)), {"a": "1", "b": "2"}),
    (repr, "MultiDict([('a', '1'), ('a', '3'), ('b', '2')])"),
], ids=["item-is-first-value", "get-with-type-converts-only-first-value",
        "getlist-with-type-skips-values-that-do-not-convert", "getlist-of-missing-key-is-empty",
        "items-multi", "items", "lists", "values", "to_dict", "to_dict-not-flat", "dict", "json",
        "repr"])
def test_multidict_reads_give_first_or_all_values(md, view, expected):
    assert view(md) == expected


@pytest.mark.parametrize("change, expected", [
    (lambda md: md.add("a", "4"), {"a": ["1", "3", "4"], "b": ["2"]}),
    (lambda md: md.__setitem__("a", "9"), {"a": ["9"], "b": ["2"]}),
    (lambda md: md.setlist("a", ["x", "y"]), {"a": ["x", "y"], "b": ["2"]}),
    (lambda md: md.setlistdefault("c", ["5"]).append("6"), {"a": ["1", "3"], "b": ["2"], "c": ["5", "6"]}),
    (lambda md: md.setlistdefault("a", ["9"]), {"a": ["1", "3"], "b": ["2"]}),
    (lambda md: md.update({"a": "4", "c": ["5"]}), {"a": ["1", "3", "4"], "b": ["2"], "c": ["5"]}),
    (lambda md: md.update(MultiDict([("b", "5")])), {"a": ["1", "3"], "b": ["2", "5"]}),
], ids=["add-appends", "setitem-replaces-all", "setlist-replaces", "setlistdefault-returns-live-list",
        "setlistdefault-keeps-existing", "update-adds-from-dict", "update-adds-from-multidict"])
def test_multidict_writes_add_or_replace_values(md, change, expected):
    change(md)
    assert md.to_dict(flat=False) == expected


@pytest.mark.parametrize("remove, returned, left", [
    (lambda md: md.pop("a"), "1", ["b"]),
    (lambda md: md.pop("missing", "d"), "d", ["a", "b"]),
    (lambda md: md.poplist("a"), ["1", "3"], ["b"]),
    (lambda md: md.popitem(), ("b", "2"), ["a"]),
], ids=["pop-gives-first-value", "pop-default", "poplist-gives-all", "popitem-gives-first-value"])
def test_multidict_pops_return_values_and_remove_the_key(md, remove, returned, left):
    assert remove(md) == returned
    assert list(md) == left


def test_multidict_copy_does_not_share_value_lists(md):
    md.copy().add("a", "4")
    assert md.getlist("a") == ["1", "3"]


def test_multidict_deepcopy_copies_the_values_too():
    md = MultiDict([("a", [1])])
    copy.deepcopy(md)["a"].append(2)
    assert md["a"] == [1]


def test_multidict_survives_a_pickle_round_trip(md):
    assert pickle.loads(pickle.dumps(md)).to_dict(flat=False) == md.to_dict(flat=False)


@pytest.mark.parametrize("change", [
    lambda d: d.__setitem__("a", "2"), lambda d: d.add("a", "2"), lambda d: d.setlist("a", ["2"]),
    lambda d: d.update({"a": "2"}), lambda d: d.pop("a"), lambda d: d.poplist("a"),
    lambda d: d.setlistdefault("b"), lambda d: d.__delitem__("a"), lambda d: d.clear(),
])
def test_immutable_multidict_refuses_every_change(change):
    d = ImmutableMultiDict([("a", "1")])
    with pytest.raises(TypeError):
        change(d)
    assert d.getlist("a") == ["1"]


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda d: pickle.loads(pickle.dumps(d))],
                         ids=["deepcopy", "pickle"])
def test_immutable_multidict_stays_immutable_when_duplicated(duplicate):
    assert type(duplicate(ImmutableMultiDict([("a", "1")]))) is ImmutableMultiDict


# -- CombinedMultiDict --------------------------------------------------------------------------


@pytest.fixture
def combined():
    return CombinedMultiDict([MultiDict([("a", "1")]), MultiDict([("a", "2"), ("b", "3")])])


@pytest.mark.parametrize("view, expected", [
    (lambda c: (c["a"], c["b"]), ("1", "3")),
    (lambda c: c.getlist("a"), ["1", "2"]),
    (lambda c: (sorted(c.keys()), len(c)), (["a", "b"], 2)),
    (lambda c: CombinedMultiDict([MultiDict([("n", "x")]), MultiDict([("n", "2")])]).get("n", type=int), 2),
    (lambda c: c.to_dict(), {"a": "1", "b": "3"}),
    (lambda c: c.to_dict(flat=False), {"a": ["1", "2"], "b": ["3"]}),
], ids=["item-from-first-dict-holding-key", "getlist-concatenates-in-order", "keys-are-the-union",
        "get-with-type-falls-through-to-later-value", "to-dict", "to-dict-not-flat"])
def test_combined_multidict_reads_search_dicts_in_order(combined, view, expected):
    assert view(combined) == expected


def test_deepcopy_of_combined_multidict_is_a_multidict_with_every_value(combined):
    copied = copy.deepcopy(combined)
    assert type(copied) is MultiDict and copied.to_dict(flat=False) == combined.to_dict(flat=False)


def test_combined_multidict_refuses_changes(combined):
    with pytest.raises(TypeError):
        combined["a"] = "9"


# -- Headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view, expected", [
    (lambda h: h.get("CONTENT-TYPE"), "text/html"),
    (lambda h: ("content-type" in h, "Vary" in h), (True, False)),
    (lambda h: h.getlist("X-a"), ["1", "2"]),
    (lambda h: h[1], ("Content-Type", "text/html")),
    (lambda h: h[1:], Headers([("Content-Type", "text/html"), ("x-a", "2")])),
    (lambda h: type(h[1:]), Headers),
    (lambda h: h.to_wsgi_list(), [("X-A", "1"), ("Content-Type", "text/html"), ("x-a", "2")]),
    (str, "X-A: 1\r\nContent-Type: text/html\r\nx-a: 2\r\n\r\n"),
], ids=["get-ignores-case", "contains-ignores-case", "getlist-gives-every-value", "int-index-gives-pair",
        "slice-gives-pairs", "slice-is-headers", "to-wsgi-list", "str-is-wire-format"])
def test_headers_reads_ignore_name_case_and_keep_order(headers, view, expected):
    assert view(headers) == expected


def test_headers_add_with_options_quotes_parameters():
    headers = Headers()
    headers.add("Content-Disposition", "attachment", filename="a b.txt")
    assert headers["Content-Disposition"] == 'attachment; filename="a b.txt"'


@pytest.mark.parametrize("change, expected", [
    (lambda h: h.set("x-a", "9"), [("x-a", "9"), ("Content-Type", "text/html")]),
    (lambda h: h.__setitem__("Vary", "Cookie"),
     [("X-A", "1"), ("Content-Type", "text/html"), ("x-a", "2"), ("Vary", "Cookie")]),
    (lambda h: h.setlist("X-A", ["7", "8"]), [("X-A", "7"), ("Content-Type", "text/html"), ("X-A", "8")]),
    (lambda h: h.update({"X-A": "5", "Vary": ["Cookie", "Accept"]}),
     [("X-A", "5"), ("Content-Type", "text/html"), ("Vary", "Cookie"), ("Vary", "Accept")]),
    (lambda h: h.extend({"X-A": "3"}),
     [("X-A", "1"), ("Content-Type", "text/html"), ("x-a", "2"), ("X-A", "3")]),
    (lambda h: h.remove("x-A"), [("Content-Type", "text/html")]),
    (lambda h: h.__delitem__("x-a"), [("Content-Type", "text/html")]),
    (lambda h: h.__delitem__(0), [("Content-Type", "text/html"), ("x-a", "2")]),
], ids=["set-replaces-in-place", "setitem-appends-new-name", "setlist", "update-replaces-named",
        "extend-keeps-existing", "remove-drops-all", "del-name-drops-all", "del-index"])
def test_headers_writes_keep_order_and_ignore_name_case(headers, change, expected):
    change(headers)
    assert list(headers) == expected


@pytest.mark.parametrize("pop, returned, left", [
    (lambda h: h.pop("X-A"), "1", 1), (lambda h: h.pop("Missing", "d"), "d", 3),
    (lambda h: h.pop(), ("x-a", "2"), 2),
], ids=["name-gives-first-value-drops-all", "missing-name-default", "no-key-gives-last-pair"])
def test_headers_pop_returns_the_removed_value(headers, pop, returned, left):
    assert pop(headers) == returned and len(headers) == left


def test_headers_equality_ignores_name_case_and_order():
    assert Headers([("X", "1"), ("Y", "2")]) == Headers([("y", "2"), ("x", "1")])
    assert Headers([("X", "1")]) != Headers([("X", "2")])


def test_headers_convert_values_with_str():
    headers = Headers()
    headers.add("X-Int", 5)
    headers["X-Float"] = 1.5
    assert list(headers) == [("X-Int", "5"), ("X-Float", "1.5")]


HEADER_WRITES = [
    lambda h, name, value: h.add(name, value),
    lambda h, name, value: h.set(name, value),
    lambda h, name, value: h.__setitem__(name, value),
    lambda h, name, value: h.extend([(name, value)]),
    lambda h, name, value: Headers([(name, value)]),
    lambda h, name, value: h.add(name, "attachment", filename=value),
]
HEADER_WRITE_IDS = ["add", "set", "setitem", "extend", "constructor", "add-option"]


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "a\r\nSet-Cookie: evil=1"])
@pytest.mark.parametrize("write", HEADER_WRITES, ids=HEADER_WRITE_IDS)
def test_headers_refuse_control_characters_in_value(write, bad):
    headers = Headers()
    with pytest.raises(ValueError):
        write(headers, "X-Test", bad)
    assert len(headers) == 0


@pytest.mark.parametrize("bad", ["X\n", "X\rY", "X\x00"])
@pytest.mark.parametrize("write", HEADER_WRITES, ids=HEADER_WRITE_IDS)
def test_headers_refuse_control_characters_in_name(write, bad):
    headers = Headers()
    with pytest.raises(ValueError):
        write(headers, bad, "v")
    assert len(headers) == 0


# -- EnvironHeaders and HeaderSet ---------------------------------------------------------------


@pytest.fixture
def environ_headers():
    return EnvironHeaders({"HTTP_USER_AGENT": "ua", "HTTP_X_FORWARDED_FOR": "1.2.3.4",
                           "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "3",
                           "SERVER_NAME": "example.com"})


@pytest.mark.parametrize("view, expected", [
    (lambda h: h["user-agent"], "ua"),
    (lambda h: (h["Content-Type"], h.get("Content-Length", type=int)), ("text/plain", 3)),
    (sorted, [("Content-Length", "3"), ("Content-Type", "text/plain"), ("User-Agent", "ua"),
              ("X-Forwarded-For", "1.2.3.4")]),
    (len, 4),
], ids=["http-key", "content-type-and-length-without-prefix", "iterates-title-cased-headers-only",
        "len-counts-headers-only"])
def test_environ_headers_read_the_wsgi_environ(environ_headers, view, expected):
    assert view(environ_headers) == expected


def test_environ_headers_skip_empty_content_type():
    assert list(EnvironHeaders({"CONTENT_TYPE": "", "HTTP_HOST": "h"})) == [("Host", "h")]


@pytest.mark.parametrize("change", [
    lambda h: h.__setitem__("X", "1"), lambda h: h.add("X", "1"), lambda h: h.set("X", "1"),
    lambda h: h.__delitem__("User-Agent"), lambda h: h.remove("User-Agent"),
    lambda h: h.pop("User-Agent"), lambda h: h.extend({"X": "1"}),
])
def test_environ_headers_are_read_only(environ_headers, change):
    with pytest.raises(TypeError):
        change(environ_headers)
    assert environ_headers["User-Agent"] == "ua"


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.add("accept"), "Accept, Cookie"), (lambda s: s.discard("cookie"), "Accept"),
    (lambda s: s.remove("COOKIE"), "Accept"),
    (lambda s: s.update(["cookie", "Vary"]), "Accept, Cookie, Vary"), (lambda s: s.clear(), ""),
], ids=["add-ignores-case", "discard-ignores-case", "remove-ignores-case", "update-skips-duplicates",
        "clear"])
def test_header_set_changes_ignore_case(change, expected):
    vary = HeaderSet(["Accept", "Cookie"])
    change(vary)
    assert vary.to_header() == expected


def test_header_set_membership_ignores_case():
    assert "ACCEPT" in HeaderSet(["Accept"]) and "Cookie" not in HeaderSet(["Accept"])


def test_header_set_remove_of_missing_header_raises_key_error():
    with pytest.raises(KeyError):
        HeaderSet(["Accept"]).remove("Cookie")


def test_header_set_calls_on_update_only_on_real_changes():
    calls = []
    vary = HeaderSet([], on_update=calls.append)
    vary.add("Cookie"), vary.add("cookie"), vary.discard("Accept"), vary.update(["Accept"])
    assert len(calls) == 2


# -- Accept headers -----------------------------------------------------------------------------


def test_accept_sorts_by_quality_then_specificity():
    accept = MIMEAccept([("*/*", 0.5), ("text/*", 1), ("application/json", 0.8), ("text/html", 1)])
    assert list(accept.values()) == ["text/html", "text/*", "application/json", "*/*"]


@pytest.mark.parametrize("cls, entries, value, quality", [
    (MIMEAccept, [("text/html", 0.8), ("*/*", 0.1)], "text/html", 0.8),
    (MIMEAccept, [("text/html", 0.8), ("*/*", 0.1)], "image/png", 0.1),
    (MIMEAccept, [("text/*", 0.7), ("*/*", 0.1)], "text/plain", 0.7),
    (MIMEAccept, [("text/html", 1)], "image/png", 0),
    (MIMEAccept, [("text/html", 0.8)], "TEXT/HTML", 0.8),
    (Accept, [("gzip", 0.5)], "GZIP", 0.5),
    (LanguageAccept, [("en", 0.7)], "en-GB", 0.7),
    (CharsetAccept, [("UTF8", 0.3)], "utf-8", 0.3),
], ids=["exact", "star-star", "most-specific-entry", "uncovered-is-zero", "mime-ignores-case",
        "plain-ignores-case", "language-prefix-covers-region", "charset-codec-alias"])
def test_accept_item_by_value_is_its_quality(cls, entries, value, quality):
    assert cls(entries)[value] == quality


@pytest.mark.parametrize("view, expected", [
    (lambda a: ("text/plain" in a, "image/png" in a), (True, False)),
    (lambda a: (a.find("text/plain"), a.index("text/plain")), (1, 1)),
    (lambda a: a.find("image/png"), -1),
    (lambda a: a.best, "application/json"),
    (lambda a: a.to_header(), "application/json,text/*;q=0.5"),
], ids=["contains-covered-by-wildcard", "find-and-index-give-position", "find-uncovered-is-minus-one",
        "best-is-top-value", "to-header-writes-quality-below-one"])
def test_accept_lookups_match_wildcards_and_keep_order(view, expected):
    assert view(MIMEAccept([("text/*", 0.5), ("application/json", 1)])) == expected


def test_accept_index_of_uncovered_value_raises_value_error():
    with pytest.raises(ValueError):
        MIMEAccept([("text/html", 1)]).index("image/png")


@pytest.mark.parametrize("entries, offers, expected", [
    ([("text/html", 1), ("application/json", 0.5)], ["application/json", "text/html"], "text/html"),
    ([("text/html", 0), ("*/*", 0.5)], ["text/html"], "none"),
    ([("text/html", 0), ("*/*", 0.5)], ["text/html", "image/png"], "image/png"),
    ([("text/html", 1)], ["image/png"], "none"),
    ([("*/*", 1)], ["application/json", "text/html"], "application/json"),
    ([("text/*", 0.5)], ["application/json", "text/plain"], "text/plain"),
    ([("text/*", 1), ("text/plain", 1)], ["text/html", "text/plain"], "text/plain"),
    ([("text/html", 0.5), ("application/json", 0.5)], ["application/json", "text/html"],
     "application/json"),
    ([("text/html;level=1", 1)], ["text/html"], "none"),
], ids=["highest-quality", "q0-not-acceptable", "q0-beaten-by-wildcard", "no-match-default",
        "star-star-earlier-offer", "subtype-wildcard", "tie-more-specific-entry",
        "tie-earlier-offer", "entry-parameters-must-match"])
def test_best_match_picks_the_offer_the_client_prefers(entries, offers, expected):
    assert MIMEAccept(entries).best_match(offers, default="none") == expected


@pytest.mark.parametrize("entries, html, json_", [
    ([("application/json", 1)], False, True), ([("text/html", 1)], True, False),
    ([("*/*", 1)], True, True), ([("text/*", 1)], True, False),
])
def test_accept_html_and_accept_json_follow_the_header(entries, html, json_):
    accept = MIMEAccept(entries)
    assert (accept.accept_html, accept.accept_json) == (html, json_)


@pytest.mark.parametrize("cls, entries, offers, expected", [
    (LanguageAccept, [("en", 1)], ["de", "en-US"], "en-US"),
    (LanguageAccept, [("en_US", 1)], ["en-us"], "en-us"),
    (LanguageAccept, [("en-US", 1)], ["de", "en"], "en"),
    (LanguageAccept, [("de-CH", 1), ("fr", 0.8)], ["fr-FR", "de-DE"], "fr-FR"),
    (LanguageAccept, [("en-US", 1)], ["fr", "de"], "none"),
    (CharsetAccept, [("latin1", 1)], ["utf-8", "ISO-8859-1"], "ISO-8859-1"),
], ids=["prefix-covers-region", "underscore-is-hyphen", "primary-subtag-fallback",
        "quality-beats-fallback", "no-primary-match-default", "charset-offer-returned-as-given"])
def test_language_and_charset_best_match_picks_the_preferred_offer(cls, entries, offers, expected):
    assert cls(entries).best_match(offers, default="none") == expected


# -- Authorization and WWW-Authenticate ----------------------------------------------------------


@pytest.mark.parametrize("credentials, username, password", [
    (b"user:pass", "user", "pass"), ("jösé:pw".encode(), "jösé", "pw"), (b"user:a:b", "user", "a:b"),
], ids=["ascii", "utf8-username", "password-with-colons"])
def test_authorization_parses_basic_credentials(credentials, username, password):
    auth = Authorization.from_header(basic(credentials))
    assert (auth.type, auth.username, auth.password) == ("basic", username, password)


@pytest.mark.parametrize("value", ["Basic !!!not-base64", "Basic dXNlcjpwYXN", basic(b"nocolon"), "", None],
                         ids=["bad-alphabet", "bad-padding", "missing-colon", "empty", "none"])
def test_authorization_malformed_basic_is_none(value):
    assert Authorization.from_header(value) is None


@pytest.mark.parametrize("value, read, expected", [
    ("Bearer abc.def-ghi==", lambda a: (a.type, a.token, a.username), ("bearer", "abc.def-ghi==", None)),
    ('Digest username="u", realm="r w", uri="/x"', lambda a: (a.type, a.realm, a["uri"], a.username),
     ("digest", "r w", "/x", "u")),
], ids=["bearer-token", "digest-parameters"])
def test_authorization_parses_other_schemes(value, read, expected):
    assert read(Authorization.from_header(value)) == expected


@pytest.mark.parametrize("value", ["Bearer abc.def", basic("jösé:p:q".encode())])
def test_authorization_to_header_round_trips(value):
    auth = Authorization.from_header(value)
    assert Authorization.from_header(auth.to_header()) == auth


@pytest.mark.parametrize("challenge, expected", [
    (WWWAuthenticate("basic", {"realm": "Login Required"}), 'Basic realm="Login Required"'),
    (WWWAuthenticate("basic", {"realm": 'a"b'}), 'Basic realm="a\\"b"'),
    (WWWAuthenticate("bearer", token="abc"), "Bearer abc"),
], ids=["quotes-realm", "escapes-quotes", "token"])
def test_www_authenticate_to_header_writes_the_challenge(challenge, expected):
    assert challenge.to_header() == expected


# -- Cache-Control ------------------------------------------------------------------------------


@pytest.mark.parametrize("directives, name, expected", [
    ({"no-store": None}, "no_store", True), ({}, "only_if_cached", False),
    ({"max-age": "60"}, "max_age", 60), ({"max-age": "soon"}, "max_age", None),
    ({"min-fresh": "5"}, "min_fresh", 5),
], ids=["flag-present", "flag-absent", "int", "invalid-int", "min-fresh"])
def test_request_cache_control_properties_parse_directives(directives, name, expected):
    assert getattr(RequestCacheControl(directives), name) == expected


def test_setting_cache_control_properties_writes_the_header():
    cc = ResponseCacheControl()
    cc.max_age, cc.public, cc.no_cache = 3600, True, "Set-Cookie"
    assert cc.to_header() == "max-age=3600, public, no-cache=Set-Cookie"


@pytest.mark.parametrize("cleared", [None, False])
def test_setting_cache_control_property_to_none_or_false_removes_it(cleared):
    cc = ResponseCacheControl({"max-age": "60", "public": None})
    cc.max_age = cc.public = cleared
    assert cc.to_header() == ""


def test_cache_control_changes_call_on_update():
    calls = []
    cc = ResponseCacheControl(on_update=calls.append)
    cc.max_age, cc.private = 10, True
    assert calls == [cc, cc] and str(cc) == "max-age=10, private"


def test_cache_control_reads_do_not_call_on_update():
    calls = []
    cc = ResponseCacheControl({"max-age": "1"}, on_update=calls.append)
    cc.max_age, cc.public, cc.to_header()
    assert calls == []


# -- ETags, Range, ContentRange ------------------------------------------------------------------


@pytest.mark.parametrize("check, expected", [
    (lambda e: [e.contains("a"), e.contains("b"), "b" in e], [True, False, False]),
    (lambda e: [e.contains_weak("a"), e.contains_weak("b"), e.contains_weak("c")], [True, True, False]),
    (lambda e: [e.contains_raw('"a"'), e.contains_raw('W/"b"'), e.contains_raw('"b"')], [True, True, False]),
    (lambda e: e.to_header(), '"a", W/"b"'),
], ids=["contains-strong-only", "contains-weak-matches-both", "contains-raw-uses-given-weakness",
        "to-header"])
def test_etags_compare_strong_and_weak_tags(check, expected):
    assert check(ETags(["a"], ["b"])) == expected


def test_star_etags_match_anything():
    assert ETags(star_tag=True).contains("x") and ETags(star_tag=True).to_header() == "*"


@pytest.mark.parametrize("ranges, length, expected", [
    ([(0, 500)], 1000, (0, 500)), ([(0, 500)], 100, (0, 100)), ([(100, None)], 1000, (100, 1000)),
    ([(-200, None)], 1000, (800, 1000)), ([(-2000, None)], 1000, (0, 1000)),
    ([(1000, None)], 1000, None), ([(0, 10), (20, 30)], 1000, None), ([(0, 10)], 0, None),
    ([(-10, None)], 0, None), ([(0, 10)], None, None),
], ids=["normal", "clipped", "open-ended", "suffix", "suffix-longer-than-length", "start-past-end",
        "multiple", "zero-length", "suffix-of-empty", "unknown-length"])
def test_range_for_length_gives_the_satisfiable_span_or_none(ranges, length, expected):
    assert Range("bytes", ranges).range_for_length(length) == expected


@pytest.mark.parametrize("value, expected", [
    (Range("bytes", [(0, 500), (-100, None), (600, None)]), "bytes=0-499,-100,600-"),
    (Range("bytes", [(-100, None)]).make_content_range(1000), "bytes 900-999/1000"),
    (ContentRange("bytes", 0, 500, 1000), "bytes 0-499/1000"),
    (ContentRange("bytes", 0, 500), "bytes 0-499/*"),
    (ContentRange("bytes", None, None, 1000), "bytes */1000"),
], ids=["range-inclusive-ends", "content-range-for-suffix", "content-range", "unknown-length",
        "unsatisfied"])
def test_ranges_to_header_write_inclusive_ends(value, expected):
    assert value.to_header() == expected


def test_content_range_unset_makes_it_empty_and_false():
    content_range = ContentRange("bytes", 0, 500, 1000)
    content_range.unset()
    assert (content_range.to_header(), bool(content_range)) == ("", False)


# -- FileStorage --------------------------------------------------------------------------------


def test_file_storage_save_to_path(tmp_path):
    FileStorage(BytesIO(b"data"), "a.txt").save(tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_bytes() == b"data"


def test_file_storage_save_to_open_file_leaves_it_open(tmp_path):
    with open(tmp_path / "out.bin", "wb") as target:
        FileStorage(BytesIO(b"data"), "a.txt").save(target)
        assert not target.closed
    assert (tmp_path / "out.bin").read_bytes() == b"data"


def test_file_storage_read_and_iteration_go_to_the_stream():
    upload = FileStorage(BytesIO(b"a\nb\nc\n"), "a.txt")
    assert (upload.read(2), list(upload)) == (b"a\n", [b"b\n", b"c\n"])


@pytest.mark.parametrize("name, expected", [("/up/a.bin", "/up/a.bin"), (b"/up/a.bin", "/up/a.bin"),
                                            ("<stdin>", None)], ids=["str", "bytes", "pseudo-name"])
def test_file_storage_filename_defaults_to_the_stream_name(name, expected):
    stream = BytesIO(b"x")
    stream.name = name
    assert FileStorage(stream).filename == expected


def test_file_storage_mimetype_and_params_come_from_content_type():
    upload = FileStorage(BytesIO(b""), "a.txt", content_type="Text/Plain; charset=utf-8")
    assert (upload.mimetype, upload.mimetype_params) == ("text/plain", {"charset": "utf-8"})


def test_file_storage_is_false_without_a_filename():
    assert (bool(FileStorage(BytesIO(b"x"))), bool(FileStorage(BytesIO(b"x"), "a.txt"))) == (False, True)
