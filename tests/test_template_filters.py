"""Built-in filters and tests, called the way a compiled template calls them.

``apply("name", value, ...)`` looks the filter up in ``FILTERS`` and passes the context, eval
context or environment first when the filter asks for it, exactly like ``{{ value|name(...) }}``.
Expected values are literals observed on Jinja 3.1 for the same input. A small fake environment
stands in for the real one: Jinja's getattr/getitem fallbacks, its policies, an autoescape flag.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

import pytest

from microflask.markup import Markup
from microflask.templating.exceptions import SecurityError, TemplateRuntimeError, UndefinedError
from microflask.templating.filters import FILTERS, FilterArgumentError
from microflask.templating.runtime import EvalContext, Undefined, pass_arg_of
from microflask.templating.tests import TESTS


class FakeEnvironment:
    undefined = Undefined

    def __init__(self, autoescape: bool = False, **policies: Any) -> None:
        self.autoescape = autoescape
        self.filters = dict(FILTERS)
        self.tests = dict(TESTS)
        self.newline_sequence = "\n"
        self.policies = {"truncate.leeway": 5, "urlize.rel": "noopener", "urlize.target": None,
                         "urlize.extra_schemes": None, "json.dumps_function": None,
                         "json.dumps_kwargs": {"sort_keys": True}}
        self.policies.update({key.replace("_", ".", 1): value for key, value in policies.items()})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise SecurityError(f"access to attribute {attribute!r} is unsafe")
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        try:
            return obj[argument]
        except (AttributeError, TypeError, LookupError):
            if isinstance(argument, str):
                try:
                    return getattr(obj, argument)
                except AttributeError:
                    pass
            return self.undefined(obj=obj, name=argument)


class FakeContext:
    def __init__(self, environment: FakeEnvironment) -> None:
        self.environment = environment
        self.eval_ctx = EvalContext(environment)


def apply(name: str, value: Any, *args: Any, autoescape: bool = False, env: Any = None, **kwargs: Any) -> Any:
    env = env or FakeEnvironment(autoescape)
    function = env.filters[name]
    first = {"context": [FakeContext(env)], "eval_context": [EvalContext(env)], "environment": [env]}
    return function(*first.get(pass_arg_of(function), []), value, *args, **kwargs)


def check(name: str, value: Any, *args: Any) -> bool:
    env = FakeEnvironment()
    function = env.tests[name]
    return function(*([env] if pass_arg_of(function) == "environment" else []), value, *args)


class User:
    def __init__(self, name: str, age: int) -> None:
        self.name = name
        self.age = age


USERS = [
    {"name": "bob", "age": 3, "city": "Paris", "tags": ["x", "y"]},
    {"name": "Al", "age": 1, "city": "paris", "tags": ["z"]},
    {"name": "cy", "age": 2, "city": "Berlin", "tags": []},
]
WORDS = ["b", "A", "a", "B", "c"]


def names(users: Any) -> list:
    return [user["name"] for user in users]


def test_every_jinja_filter_and_test_is_registered():
    assert len(FILTERS) == 54 and {"d", "e", "count", "tojson", "xmlattr"} <= set(FILTERS)
    assert len(TESTS) == 39 and {"==", "lessthan", "sameas", "filter", "test"} <= set(TESTS)


# -- Text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, expected", [
    ("capitalize", "hELLO World", "Hello world"),
    ("title", "hello wORLD-foo(bar) [baz] {q} <z> it's x_y a.b", "Hello World-Foo(Bar) [Baz] {Q} <Z> It's X_y A.b"),
    ("upper", "ab", "AB"),
    ("lower", "AB", "ab"),
    ("trim", "  x \n", "x"),
    ("center", "ab", " " * 39 + "ab" + " " * 39),
    ("wordcount", "a b, c-d e_f 1", 6),
    ("string", 5, "5"),
    ("pprint", {"b": [1, 2], "a": "x"}, "{'a': 'x', 'b': [1, 2]}"),
])
def test_text_filter_gives_jinja_result(name, value, expected):
    assert apply(name, value) == expected


def test_title_keeps_whitespace_between_words():
    assert apply("title", "  a\tb") == "  A\tB"


def test_trim_removes_given_characters():
    assert apply("trim", "xxaxx", "x") == "a"


def test_center_uses_given_width():
    assert apply("center", "ab", 6) == "  ab  "


@pytest.mark.parametrize("name", ["upper", "capitalize", "trim", "center", "string"])
def test_string_methods_keep_markup_safe(name):
    result = apply(name, Markup("<b> "))
    assert isinstance(result, Markup)


def test_title_of_markup_is_a_plain_string_as_in_jinja():
    assert type(apply("title", Markup("<b>x</b>"))) is str


@pytest.mark.parametrize("name", ["upper", "title", "trim", "capitalize", "string", "wordcount", "center"])
def test_text_filters_treat_undefined_as_empty(name):
    assert apply(name, Undefined(name="x")) in ("", 0, " " * 80)


def test_format_fills_positional_arguments():
    assert apply("format", "%s-%s", 1, 2) == "1-2"


def test_format_fills_keyword_arguments():
    assert apply("format", "%(a)s", a="<") == "<"


def test_format_refuses_positional_and_keyword_arguments_together():
    with pytest.raises(FilterArgumentError, match="positional and keyword"):
        apply("format", "%s", 1, a=2)


def test_format_on_markup_escapes_the_arguments():
    assert apply("format", Markup("%s!"), "<x>") == Markup("&lt;x&gt;!")


def test_replace_without_autoescape_works_on_plain_strings():
    assert apply("replace", "a<b", "<", ">") == "a>b"


def test_replace_honours_count():
    assert apply("replace", "aaa", "a", "b", 2) == "bba"


def test_replace_converts_non_strings():
    assert apply("replace", 123, 2, 5) == "153"


def test_replace_with_autoescape_returns_plain_text_for_plain_arguments():
    result = apply("replace", "a<b", "a", "x", autoescape=True)
    assert result == "x<b" and type(result) is str


def test_replace_with_autoescape_and_markup_replacement_escapes_the_subject_first():
    result = apply("replace", "a<b", "a", Markup("<i>"), autoescape=True)
    assert result == Markup("<i>&lt;b") and isinstance(result, Markup)


def test_replace_with_autoescape_on_markup_escapes_the_replacement():
    assert apply("replace", Markup("a<b>"), "b", "<i>", autoescape=True) == "a<&lt;i&gt;>"


@pytest.mark.parametrize("args, kwargs, expected", [
    ((5,), {}, "he..."),                              # cut at the space would be too short
    ((8,), {}, "hello world"),                        # within the default leeway of 5
    ((8,), {"leeway": 0}, "hello..."),
    ((8, True), {"leeway": 0}, "hello..."),
    ((8,), {"end": "!", "leeway": 0}, "hello!"),
    ((3,), {"end": "", "leeway": 0}, "hel"),
    ((11,), {"leeway": 0}, "hello world"),
])
def test_truncate_gives_jinja_result(args, kwargs, expected):
    assert apply("truncate", "hello world", *args, **kwargs) == expected


def test_truncate_cuts_at_the_last_space():
    assert apply("truncate", "a b c d e f", 5, leeway=0) == "a..."


def test_truncate_reads_the_leeway_policy():
    env = FakeEnvironment(truncate_leeway=0)
    assert apply("truncate", "hello world", 8, env=env) == "hello..."


def test_truncate_keeps_markup():
    result = apply("truncate", Markup("<b>hello world</b>"), 8, leeway=0)
    assert result == Markup("<b>he...") and isinstance(result, Markup)


def test_truncate_refuses_a_length_shorter_than_the_end_marker():
    with pytest.raises(FilterArgumentError, match="expected length >= 3, got 2"):
        apply("truncate", "hello world", 2)


def test_truncate_refuses_a_negative_leeway():
    with pytest.raises(FilterArgumentError, match="expected leeway >= 0, got -1"):
        apply("truncate", "hello world", 5, leeway=-1)


@pytest.mark.parametrize("value, args, kwargs, expected", [
    ("The quick brown fox jumps", (10,), {}, "The quick\nbrown fox\njumps"),
    ("The quick brown fox jumps", (10,), {"wrapstring": "<br>"}, "The quick<br>brown fox<br>jumps"),
    ("Averyveryverylongword here", (5,), {}, "Avery\nveryv\nerylo\nngwor\nd\nhere"),
    ("Averyveryverylongword here", (5, False), {}, "Averyveryverylongword\nhere"),
    ("well-known thing", (6,), {}, "well-\nknown\nthing"),
    ("well-known thing", (6,), {"break_on_hyphens": False}, "well-k\nnown\nthing"),
    ("a\n\nb\tc  d", (3,), {}, "a\n\nb\tc\nd"),
    ("line one\r\nline two", (20,), {}, "line one\nline two"),
])
def test_wordwrap_gives_jinja_result(value, args, kwargs, expected):
    assert apply("wordwrap", value, *args, **kwargs) == expected


@pytest.mark.parametrize("value, args, kwargs, expected", [
    ("a\nb\n", (), {}, "a\n    b\n"),
    ("a\r\nb\rc", (2, True), {}, "  a\n  b\n  c"),
    ("a\n\nb", (2,), {"blank": True}, "a\n  \n  b"),
    ("a\n\nb", ("> ",), {}, "a\n\n> b"),
    ("", (), {"first": True}, "    "),
    ("a\n", (), {"blank": True}, "a\n    "),
])
def test_indent_gives_jinja_result(value, args, kwargs, expected):
    assert apply("indent", value, *args, **kwargs) == expected


def test_indent_of_markup_keeps_markup_and_trusts_the_indent_string():
    result = apply("indent", Markup("a\nb"), "<x>")
    assert result == Markup("a\n<x>b") and isinstance(result, Markup)


def test_indent_with_markup_prefix_escapes_plain_lines():
    assert apply("indent", "<x>\n<b>", Markup("> ")) == "<x>\n> &lt;b&gt;"


def test_indent_of_undefined_raises():
    with pytest.raises(UndefinedError):
        apply("indent", Undefined(name="x"))


@pytest.mark.parametrize("value, expected", [
    ("a b&c/d", "a%20b%26c/d"),
    ({"a b": "c&d", "e": "/"}, "a+b=c%26d&e=%2F"),
    ([("a", "1"), ("b", 2)], "a=1&b=2"),
    (42, "42"),
    ("é~-._", "%C3%A9~-._"),
    (Undefined(name="x"), ""),
])
def test_urlencode_gives_jinja_result(value, expected):
    assert apply("urlencode", value) == expected


@pytest.mark.parametrize("value, binary, expected", [
    (1, False, "1 Byte"),
    (0, False, "0 Bytes"),
    (999, False, "999 Bytes"),
    (1000, False, "1.0 kB"),
    (1500000, False, "1.5 MB"),
    ("1000", False, "1.0 kB"),
    (1023, True, "1023 Bytes"),
    (1024, True, "1.0 KiB"),
    (10 ** 30, True, "827180.6 YiB"),
    (10 ** 30, False, "1000000.0 YB"),
    (-5, False, "-5 Bytes"),
    (1.5, False, "1 Bytes"),
])
def test_filesizeformat_gives_jinja_result(value, binary, expected):
    assert apply("filesizeformat", value, binary) == expected


def test_filesizeformat_of_text_raises_value_error():
    with pytest.raises(ValueError):
        apply("filesizeformat", "x")


# -- Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, kwargs, expected", [
    ("42", {}, 42),
    (" 42 ", {}, 42),
    ("1_000", {}, 1000),
    ("3.7", {}, 3),
    (3.9, {}, 3),
    (True, {}, 1),
    ("1A", {"base": 16}, 26),
    ("0x1A", {"base": 16}, 26),
    ("0b101", {"base": 0}, 5),
    ("4.2", {"base": 16}, 4),
    ("x", {}, 0),
    ("inf", {}, 0),
    ("nan", {}, 0),
    ([1], {}, 0),
    (None, {"default": 5}, 5),
    ("zz", {"base": 16, "default": -1}, -1),
])
def test_int_gives_jinja_result(value, kwargs, expected):
    assert apply("int", value, **kwargs) == expected


def test_int_of_an_infinite_float_raises_overflow_error():
    with pytest.raises(OverflowError):
        apply("int", float("inf"))


def test_int_of_undefined_raises():
    with pytest.raises(UndefinedError):
        apply("int", Undefined(name="x"))


@pytest.mark.parametrize("value, args, expected", [("1e3", (), 1000.0), (42, (), 42.0), ("abc", (), 0.0),
                                                   ("abc", (1.5,), 1.5), (None, (), 0.0)])
def test_float_gives_jinja_result(value, args, expected):
    assert apply("float", value, *args) == expected


@pytest.mark.parametrize("value, args, expected", [
    (2.5, (), 2.0),
    (3.14159, (2,), 3.14),
    (2.1, (0, "ceil"), 3.0),
    (2.15, (1, "floor"), 2.1),
    (-2.5, (0, "ceil"), -2.0),
    (3, (0,), 3),
    (1234, (-2,), 1200),
])
def test_round_gives_jinja_result(value, args, expected):
    result = apply("round", value, *args)
    assert result == expected and type(result) is type(expected)


def test_round_refuses_an_unknown_method():
    with pytest.raises(FilterArgumentError, match="method must be common, ceil or floor"):
        apply("round", 2.1, method="bad")


def test_abs_is_pythons():
    assert apply("abs", -3.5) == 3.5


# -- Sequences -----------------------------------------------------------------------------------


def test_default_replaces_undefined():
    assert apply("default", Undefined(name="x"), "d") == "d"


def test_default_keeps_falsy_values_unless_boolean():
    assert (apply("d", "", "d"), apply("d", None, "d"), apply("d", "", "d", True)) == ("", None, "d")


def test_attr_reads_attributes_not_items():
    assert isinstance(apply("attr", {"a": 1}, "a"), Undefined)
    assert apply("attr", User("bob", 3), "name") == "bob"


def test_attr_refuses_internal_names():
    with pytest.raises(SecurityError):
        apply("attr", "x", "__class__")


def test_first_and_last_of_a_list():
    assert (apply("first", [1, 2, 3]), apply("last", (1, 2, 3)), apply("last", "abc")) == (1, 3, "c")


@pytest.mark.parametrize("name", ["first", "last", "random", "max", "min"])
def test_picking_from_an_empty_sequence_gives_undefined(name):
    assert isinstance(apply(name, []), Undefined)


def test_random_picks_an_item():
    assert apply("random", [7]) == 7


def test_reverse_reverses_strings_and_iterates_lists_backwards():
    assert apply("reverse", "abc") == "cba"
    assert list(apply("reverse", [3, 1, 2])) == [2, 1, 3]


def test_reverse_copies_iterables_that_cannot_be_reversed():
    assert apply("reverse", (x for x in [1, 2])) == [2, 1]


def test_reverse_refuses_non_iterables():
    with pytest.raises(FilterArgumentError, match="argument must be iterable"):
        apply("reverse", 5)


def test_items_gives_the_pairs_of_any_mapping():
    assert list(apply("items", MappingProxyType({"a": 1}))) == [("a", 1)]


def test_items_of_undefined_is_empty():
    assert list(apply("items", Undefined(name="x"))) == []


def test_items_of_a_list_raises_type_error():
    with pytest.raises(TypeError, match="Can only get item pairs from a mapping."):
        list(apply("items", [1]))


@pytest.mark.parametrize("kwargs, expected", [
    ({}, [("A", 2), ("a", 0), ("b", 1)]),
    ({"by": "value"}, [("a", 0), ("b", 1), ("A", 2)]),
    ({"by": "value", "reverse": True}, [("A", 2), ("b", 1), ("a", 0)]),
])
def test_dictsort_gives_jinja_result(kwargs, expected):
    assert apply("dictsort", {"b": 1, "A": 2, "a": 0}, **kwargs) == expected


def test_dictsort_is_case_insensitive_by_default():
    assert apply("dictsort", {"b": "X", "a": "y", "c": "x"}, by="value") == [("b", "X"), ("c", "x"), ("a", "y")]


def test_dictsort_refuses_other_sort_keys():
    with pytest.raises(FilterArgumentError, match='either "key" or "value"'):
        apply("dictsort", {"b": 1}, by="x")


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ["A", "a", "b", "B", "c"]),
    ({"case_sensitive": True}, ["A", "B", "a", "b", "c"]),
    ({"reverse": True}, ["c", "b", "B", "A", "a"]),
])
def test_sort_gives_jinja_result(kwargs, expected):
    assert apply("sort", WORDS, **kwargs) == expected


def test_sort_by_several_comma_separated_attributes():
    assert names(apply("sort", USERS, attribute="city,age")) == ["cy", "Al", "bob"]


def test_sort_by_attribute_of_objects():
    assert [user.name for user in apply("sort", [User("b", 2), User("a", 1)], attribute="age")] == ["a", "b"]


def test_sort_by_an_item_index_in_a_dotted_path():
    assert apply("sort", [[2, "b"], [1, "a"]], attribute="1") == [[1, "a"], [2, "b"]]


def test_sort_by_a_path_missing_on_some_items_raises():
    with pytest.raises(UndefinedError):
        apply("sort", USERS, attribute="tags.0")


def test_unique_is_case_insensitive_and_keeps_first_spelling():
    assert list(apply("unique", WORDS)) == ["b", "A", "c"]
    assert list(apply("unique", WORDS, True)) == ["b", "A", "a", "B", "c"]


def test_unique_by_attribute():
    assert names(apply("unique", USERS, attribute="city")) == ["bob", "cy"]


def test_min_and_max_are_case_insensitive_by_default():
    assert (apply("min", WORDS), apply("max", WORDS), apply("min", ["b", "B"])) == ("A", "c", "b")


def test_max_by_attribute_returns_the_item():
    assert apply("max", USERS, attribute="age")["name"] == "bob"


def test_sum_of_attribute_with_start():
    assert (apply("sum", USERS, attribute="age"), apply("sum", [1, 2], start=10)) == (6, 13)


def test_length_and_count_of_undefined_are_zero():
    assert apply("length", Undefined(name="x")) == apply("count", Undefined(name="x")) == 0


def test_list_of_a_string_gives_characters():
    assert apply("list", "ab") == ["a", "b"]


def test_join_with_attribute():
    assert apply("join", USERS, ", ", attribute="name") == "bob, Al, cy"


def test_join_of_undefined_is_empty():
    assert apply("join", Undefined(name="x"), ",") == ""


def test_join_with_autoescape_leaves_plain_items_for_the_output_escaping():
    result = apply("join", ["<a>", "b"], "<br>", autoescape=True)
    assert result == "<a><br>b" and type(result) is str


def test_join_with_autoescape_escapes_plain_items_when_one_is_markup():
    result = apply("join", ["<a>", Markup("<b>")], "<br>", autoescape=True)
    assert result == Markup("&lt;a&gt;&lt;br&gt;<b>") and isinstance(result, Markup)


def test_join_with_autoescape_and_markup_separator_escapes_items():
    assert apply("join", ["<a>", "b"], Markup("<br>"), autoescape=True) == Markup("&lt;a&gt;<br>b")


def test_join_without_autoescape_ignores_markup():
    assert apply("join", ["<a>", Markup("<b>")], "<br>") == "<a><br><b>"


@pytest.mark.parametrize("args, expected", [
    ((2, "x"), [[1, 2], [3, 4], [5, "x"]]),
    ((2,), [[1, 2], [3, 4], [5]]),
    ((0,), [[], [1, 2, 3, 4, 5]]),
    ((-1,), [[1, 2, 3, 4, 5]]),
])
def test_batch_gives_jinja_result(args, expected):
    assert list(apply("batch", [1, 2, 3, 4, 5], *args)) == expected


@pytest.mark.parametrize("args, expected", [
    ((3,), [[1, 2, 3], [4, 5], [6, 7]]),
    ((3, 0), [[1, 2, 3], [4, 5, 0], [6, 7, 0]]),
    ((-1,), []),
])
def test_slice_gives_jinja_result(args, expected):
    assert list(apply("slice", [1, 2, 3, 4, 5, 6, 7], *args)) == expected


def test_slice_into_zero_columns_is_refused():
    with pytest.raises(FilterArgumentError):
        list(apply("slice", [1, 2], 0))


def test_groupby_is_sorted_case_insensitive_and_shows_the_first_spelling():
    groups = apply("groupby", USERS, "city")
    assert [(group.grouper, names(group.list)) for group in groups] == [("Berlin", ["cy"]), ("Paris", ["bob", "Al"])]


def test_groupby_case_sensitive_keeps_spellings_apart():
    assert [group.grouper for group in apply("groupby", USERS, "city", case_sensitive=True)] == ["Berlin", "Paris", "paris"]


def test_groupby_default_groups_items_missing_the_attribute():
    assert [grouper for grouper, _ in apply("groupby", USERS, "tags.0", default="none")] == ["none", "x", "z"]


def test_groupby_groups_print_as_tuples():
    assert str(apply("groupby", [{"k": 1}], "k")) == "[(1, [{'k': 1}])]"


def test_map_reads_a_dotted_attribute_path_with_default():
    assert list(apply("map", USERS, attribute="tags.0", default="-")) == ["x", "z", "-"]


def test_map_gives_undefined_for_missing_attributes():
    assert isinstance(list(apply("map", USERS, attribute="tags.0"))[2], Undefined)


def test_map_applies_a_named_filter_with_arguments():
    assert list(apply("map", ["a", "b"], "replace", "a", "x")) == ["x", "b"]


def test_map_passes_the_environment_to_filters_that_want_it():
    assert list(apply("map", [[3, 1]], "sort", reverse=True)) == [[3, 1]]


def test_map_without_filter_or_attribute_is_refused():
    with pytest.raises(FilterArgumentError, match="map requires a filter argument"):
        list(apply("map", [1]))


def test_map_refuses_unknown_keyword_arguments_with_attribute():
    with pytest.raises(FilterArgumentError, match="Unexpected keyword argument 'foo'"):
        list(apply("map", [1], attribute="x", foo=1))


def test_map_with_an_unknown_filter_raises():
    with pytest.raises(TemplateRuntimeError, match="No filter named 'nope'."):
        list(apply("map", [1], "nope"))


def test_select_and_reject_with_a_named_test():
    assert list(apply("select", [1, 2, 3, 4], "divisibleby", 2)) == [2, 4]
    assert list(apply("reject", [1, 2, 3, 4], "odd")) == [2, 4]


def test_select_without_a_test_keeps_truthy_items():
    assert list(apply("select", [0, 1, "", None, "a"])) == [1, "a"]


def test_select_with_an_operator_test():
    assert list(apply("select", [1, 2, 3], "<", 3)) == [1, 2]


def test_select_with_an_unknown_test_raises():
    with pytest.raises(TemplateRuntimeError, match="No test named 'nope'."):
        list(apply("select", [1], "nope"))


def test_selectattr_and_rejectattr():
    assert names(apply("selectattr", USERS, "age", "gt", 1)) == ["bob", "cy"]
    assert names(apply("rejectattr", USERS, "tags")) == ["cy"]


def test_selectattr_without_attribute_name_is_refused():
    with pytest.raises(FilterArgumentError, match="Missing parameter for attribute name"):
        list(apply("selectattr", USERS))


# -- HTML ----------------------------------------------------------------------------------------


def test_escape_escapes_text_and_trusts_markup():
    assert apply("escape", "<b>") == Markup("&lt;b&gt;")
    assert apply("e", Markup("<b>")) == Markup("<b>")


def test_forceescape_escapes_markup_too():
    assert apply("forceescape", Markup("<b>x</b>")) == Markup("&lt;b&gt;x&lt;/b&gt;")


def test_safe_marks_text_safe():
    result = apply("safe", "<b>")
    assert result == "<b>" and isinstance(result, Markup)


@pytest.mark.parametrize("value, expected", [
    ("a <b>b</b>  <!-- c -->  d &amp; e\n f", "a b d & e f"),
    (Markup("<p>a&lt;b</p>"), "a<b"),
    (5, "5"),
])
def test_striptags_gives_jinja_result(value, expected):
    assert apply("striptags", value) == expected


def test_tojson_escapes_html_characters_and_sorts_keys():
    result = apply("tojson", {"b": "<a href='x'>&</a>", "a": [1, 2]})
    assert result == '{"a": [1, 2], "b": "\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\u003c/a\\u003e"}'
    assert isinstance(result, Markup)


def test_tojson_indents():
    assert apply("tojson", {"b": 1, "a": [1]}, 2) == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'


def test_tojson_uses_the_dumps_policies():
    env = FakeEnvironment(json_dumps_function=lambda value, **kw: json.dumps(value, separators=(",", ":"), **kw),
                          json_dumps_kwargs={})
    assert apply("tojson", {"b": ["<"], "a": 1}, env=env) == '{"b":["\\u003c"],"a":1}'


def test_tojson_of_undefined_raises_type_error():
    with pytest.raises(TypeError):
        apply("tojson", Undefined(name="x"))


def test_xmlattr_escapes_values_and_skips_none_and_undefined():
    attributes = {"a": 1, "b": None, "c": "<x>", "d": Undefined(name="d")}
    assert apply("xmlattr", attributes) == ' a="1" c="&lt;x&gt;"'


def test_xmlattr_returns_markup_only_under_autoescape():
    assert isinstance(apply("xmlattr", {"a": 1}, autoescape=True), Markup)
    assert type(apply("xmlattr", {"a": 1})) is str


def test_xmlattr_without_autospace_and_empty_dict():
    assert apply("xmlattr", {"a": Markup("<x>")}, False) == 'a="<x>"'
    assert apply("xmlattr", {}) == ""


@pytest.mark.parametrize("key", ["a b", "a/b", "a>b", "a=b", "a\tb", "onclick\n", "a\x0bb"])
def test_xmlattr_refuses_attribute_names_that_could_inject_markup(key):
    with pytest.raises(ValueError, match="Invalid character in attribute name"):
        apply("xmlattr", {key: 1})


def test_xmlattr_escapes_quotes_in_attribute_names():
    assert apply("xmlattr", {'a"b': 1, "\u00a0": 2}) == ' a&#34;b="1" \u00a0="2"'


@pytest.mark.parametrize("value, expected", [
    ("see http://example.com/a?b=1&c=2 now",
     'see <a href="http://example.com/a?b=1&amp;c=2" rel="noopener">http://example.com/a?b=1&amp;c=2</a> now'),
    ("www.example.com", '<a href="https://www.example.com" rel="noopener">www.example.com</a>'),
    ("example.org.", '<a href="https://example.org" rel="noopener">example.org</a>.'),
    ("foo.io a.com", "foo.io a.com"),
    ("(http://example.com/wiki/Foo_(bar)).",
     '(<a href="http://example.com/wiki/Foo_(bar)" rel="noopener">http://example.com/wiki/Foo_(bar)</a>).'),
    ("<http://x.com>", '&lt;<a href="http://x.com" rel="noopener">http://x.com</a>&gt;'),
    ("http://[::1]:80/", '<a href="http://[::1]:80/" rel="noopener">http://[::1]:80/</a>'),
    ("mail me@example.com.", 'mail <a href="mailto:me@example.com">me@example.com</a>.'),
    ("mailto:me@example.com", '<a href="mailto:me@example.com">me@example.com</a>'),
    ("@x@y.com a:b@ex.com", "@x@y.com a:b@ex.com"),
    ("<script>http://a.com</script>", "&lt;script&gt;http://a.com&lt;/script&gt;"),
    ('http://example.com"onclick=x', "http://example.com&#34;onclick=x"),
])
def test_urlize_gives_jinja_result(value, expected):
    assert apply("urlize", value) == expected


@pytest.mark.parametrize("value", ["javascript:alert(1)", "javascript://example.com/%0aalert(1)",
                                   "JavaScript://www.example.com", "data:text/html,x"])
def test_urlize_never_links_other_schemes(value):
    assert "<a" not in apply("urlize", value)


def test_urlize_trims_long_link_text():
    assert apply("urlize", "http://example.com/long", 10) == \
        '<a href="http://example.com/long" rel="noopener">http://exa...</a>'


def test_urlize_merges_rel_nofollow_and_target():
    assert apply("urlize", "http://x.com", nofollow=True, rel="me", target="_blank") == \
        '<a href="http://x.com" rel="me nofollow noopener" target="_blank">http://x.com</a>'


def test_urlize_links_extra_schemes():
    assert apply("urlize", "tel:+123 tel:", extra_schemes=["tel:"]) == \
        '<a href="tel:+123" rel="noopener">tel:+123</a> tel:'


def test_urlize_refuses_invalid_extra_schemes():
    with pytest.raises(FilterArgumentError, match="'tel' is not a valid URI scheme prefix."):
        apply("urlize", "x", extra_schemes=["tel"])


def test_urlize_reads_policies():
    env = FakeEnvironment(urlize_rel=None, urlize_target="_top", urlize_extra_schemes=["ftp://"])
    assert apply("urlize", "ftp://x", env=env) == '<a href="ftp://x" target="_top">ftp://x</a>'


def test_urlize_returns_markup_only_under_autoescape():
    assert isinstance(apply("urlize", "x", autoescape=True), Markup)
    assert type(apply("urlize", "x")) is str


def test_urlize_does_not_escape_markup_input_again():
    assert apply("urlize", Markup("<b>x</b> www.ab.com")) == \
        '<b>x</b> <a href="https://www.ab.com" rel="noopener">www.ab.com</a>'


def test_urlize_links_an_uppercase_scheme_to_itself():
    # Regression: Jinja 3.1 prefixes https:// to "HTTP://x.com", giving a broken link.
    assert apply("urlize", "HTTP://x.com") == '<a href="HTTP://x.com" rel="noopener">HTTP://x.com</a>'


def test_urlize_balances_many_brackets_in_linear_time():
    text = "http://x.com/" + "(" * 100_000 + ".)" * 100_000
    assert apply("urlize", text).endswith(")</a>")


# -- Tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value, expected", [
    ("defined", Undefined(name="x"), False), ("undefined", Undefined(name="x"), True),
    ("none", None, True), ("boolean", 1, False), ("boolean", False, True), ("false", 0, False),
    ("true", True, True), ("number", True, True), ("number", "1", False), ("integer", True, False),
    ("integer", 1, True), ("float", 1, False), ("string", Markup("a"), True), ("mapping", [], False),
    ("mapping", MappingProxyType({}), True), ("iterable", 1, False), ("iterable", "a", True),
    ("sequence", {}, True), ("sequence", 1, False), ("sequence", Undefined(name="x"), True),
    ("callable", Undefined(name="x"), True), ("callable", 1, False),
    ("odd", 3, True), ("even", 3, False), ("even", 2.0, True), ("lower", "a", True), ("lower", "", False),
    ("lower", 1, False), ("upper", "A1", True), ("escaped", "a", False), ("escaped", Markup("a"), True),
])
def test_builtin_test_gives_jinja_result(name, value, expected):
    assert check(name, value) is expected


@pytest.mark.parametrize("name, value, other, expected", [
    ("divisibleby", 9, 3, True), ("divisibleby", 4.5, 1.5, True), ("in", 1, [1, 2], True),
    ("sameas", None, None, True), ("sameas", [], [], False), ("eq", 1, 1, True), ("==", 1, 2, False),
    ("equalto", "a", "a", True), ("ne", 1, 2, True), ("!=", 1, 1, False), ("lt", 1, 2, True),
    ("lessthan", 2, 1, False), ("<", 1, 1, False), ("le", 1, 1, True), ("<=", 2, 1, False),
    ("gt", 2, 1, True), ("greaterthan", 1, 2, False), (">", 1, 1, False), ("ge", 1, 1, True), (">=", 0, 1, False),
])
def test_comparison_test_gives_jinja_result(name, value, other, expected):
    assert check(name, value, other) is expected


def test_filter_and_test_tests_look_names_up_in_the_environment():
    assert (check("filter", "upper"), check("filter", "odd"), check("test", "odd"), check("test", "nope")) == \
        (True, False, True, False)


def test_divisibleby_zero_raises():
    with pytest.raises(ZeroDivisionError):
        check("divisibleby", 3, 0)


def test_odd_of_undefined_raises():
    with pytest.raises(UndefinedError):
        check("odd", Undefined(name="x"))
