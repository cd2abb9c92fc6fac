"""Tests for microflask.markup: escape, Markup and its escaping str operations.

Expected strings are literals observed from MarkupSafe 3.0 for the same calls.
"""

from __future__ import annotations

import pickle
import time

import pytest

from microflask.markup import Markup, escape, escape_silent, escape_text, soft_str


class Html:
    """An object that renders itself as safe HTML."""

    def __html__(self):
        return "<h>"

    def __str__(self):
        return "<s>"

    def __repr__(self):
        return "<r>"


class HtmlMarkup:
    def __html__(self):
        return Markup("<h>")


class HtmlFormat:
    def __html_format__(self, format_spec):
        return Markup(f"<{format_spec}>")


class HtmlFormatPlain:
    def __html_format__(self, format_spec):
        return f"<{format_spec}>"


class Bold(Markup):
    """A Markup subclass, to check that operations keep the caller's type."""


# -- escape, escape_silent, soft_str, escape_text ------------------------------------------------


def test_escape_replaces_the_five_html_special_characters():
    assert escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"


def test_escape_returns_markup():
    assert type(escape("<")) is Markup


def test_escape_turns_none_into_the_text_none():
    assert escape(None) == Markup("None")


@pytest.mark.parametrize(
    "value, expected",
    [(5, "5"), (1.5, "1.5"), (True, "True"), (b"<", "b&#39;&lt;&#39;"), ([1, "<"], "[1, &#39;&lt;&#39;]")],
)
def test_escape_converts_other_objects_with_str(value, expected):
    assert escape(value) == expected


def test_escape_uses_the_html_method_of_an_object_that_has_one():
    assert escape(Html()) == Markup("<h>")


def test_escape_does_not_escape_markup_twice():
    assert escape(Markup("<b>&amp;</b>")) == "<b>&amp;</b>"


def test_escaping_escaped_text_again_changes_nothing():
    assert escape(escape("<&>")) == "&lt;&amp;&gt;"


def test_escape_of_a_markup_subclass_returns_plain_markup():
    assert type(escape(Bold("<b>"))) is Markup


def test_escape_uses_str_of_a_str_subclass():
    class Shouting(str):
        def __str__(self):
            return "X<"

    assert escape(Shouting("<")) == "X&lt;"


def test_escape_silent_turns_none_into_empty_markup():
    assert escape_silent(None) == Markup("")


@pytest.mark.parametrize("value, expected", [("<", "&lt;"), (0, "0"), (False, "False")])
def test_escape_silent_escapes_everything_else_like_escape(value, expected):
    assert escape_silent(value) == expected


def test_soft_str_returns_markup_unchanged():
    markup = Markup("<b>")
    assert soft_str(markup) is markup


def test_soft_str_converts_other_objects_to_plain_str():
    assert soft_str(None) == "None"
    assert type(soft_str(5)) is str


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ""),
        ("plain text", "plain text"),
        ("Tom & Jerry's <b>\"x\"</b>", "Tom &amp; Jerry&#39;s &lt;b&gt;&#34;x&#34;&lt;/b&gt;"),
        ("&lt;", "&amp;lt;"),
        ("<<>>", "&lt;&lt;&gt;&gt;"),
    ],
)
def test_escape_text_escapes_a_plain_string(text, expected):
    assert escape_text(text) == expected


def test_escape_text_returns_a_plain_str():
    assert type(escape_text("<b>")) is str


# -- Building Markup ---------------------------------------------------------------------------


def test_markup_keeps_its_text_unescaped():
    assert str(Markup("<b>")) == "<b>"


def test_markup_of_an_html_object_uses_its_html():
    assert Markup(Html()) == "<h>"


def test_markup_without_arguments_is_empty():
    assert Markup() == ""


def test_markup_decodes_bytes_given_an_encoding():
    assert Markup(b"caf\xc3\xa9", "utf-8") == "café"
    assert Markup(b"\xff", "utf-8", "replace") == "\ufffd"


def test_markup_of_bytes_without_an_encoding_is_their_repr():
    assert Markup(b"abc", errors="strict") == "b'abc'"


def test_markup_html_method_returns_the_same_object():
    markup = Markup("<b>")
    assert markup.__html__() is markup


def test_markup_repr_names_the_class():
    assert repr(Markup("<b>")) == "Markup('<b>')"
    assert repr(Bold("x")) == "Bold('x')"


def test_markup_equals_and_hashes_like_its_text():
    assert Markup("a") == "a"
    assert {Markup("a"): 1}["a"] == 1


def test_markup_instances_take_no_attributes():
    with pytest.raises(AttributeError):
        Markup("a").extra = 1


def test_markup_survives_pickling_with_its_type():
    restored = pickle.loads(pickle.dumps(Bold("<b>")))
    assert restored == "<b>"
    assert type(restored) is Bold


def test_markup_escape_classmethod_escapes_text():
    assert Markup.escape("<") == Markup("&lt;")


def test_markup_escape_classmethod_returns_the_subclass():
    assert type(Bold.escape("<")) is Bold
    assert type(Bold.escape(Markup("<b>"))) is Bold


def test_markup_escape_classmethod_leaves_markup_as_is():
    assert Bold.escape(Markup("<b>")) == "<b>"


# -- Operators ---------------------------------------------------------------------------------


def test_adding_a_plain_string_escapes_it():
    assert Markup("<b>") + "<" == Markup("<b>&lt;")


def test_adding_markup_to_a_plain_string_escapes_the_string():
    result = "<" + Markup("<b>")
    assert result == "&lt;<b>"
    assert type(result) is Markup


def test_adding_two_markups_escapes_neither():
    assert Markup("&amp;<b>") + Markup("<i>") == "&amp;<b><i>"


def test_adding_an_html_object_uses_its_html():
    assert Markup("a") + Html() == "a<h>"


def test_adding_a_number_raises_type_error():
    with pytest.raises(TypeError):
        Markup("a") + 1
    with pytest.raises(TypeError):
        1 + Markup("a")


def test_multiplying_repeats_the_markup():
    assert Markup("<b>") * 2 == Markup("<b><b>")
    assert type(3 * Markup("<")) is Markup


def test_multiplying_by_a_float_raises_type_error():
    with pytest.raises(TypeError):
        Markup("a") * 1.5


# -- % formatting ------------------------------------------------------------------------------


def test_percent_escapes_a_single_value():
    assert Markup("<b>%s</b>") % "<i>" == Markup("<b>&lt;i&gt;</b>")


def test_percent_escapes_each_value_of_a_tuple():
    assert Markup("%s and %s") % ("<", 5) == "&lt; and 5"


def test_percent_escapes_the_values_of_a_mapping():
    assert Markup("%(a)s|%(b)r") % {"a": "<", "b": "<"} == "&lt;|&#39;&lt;&#39;"


def test_percent_inserts_markup_as_is():
    assert Markup("%s%s") % ("<", Markup("<")) == "&lt;<"


def test_percent_s_uses_the_html_method_and_percent_r_escapes_the_repr():
    assert Markup("%s %r") % (Html(), Html()) == "<h> &lt;r&gt;"


def test_percent_formats_numbers():
    assert Markup("%d %.2f %i %5.1f %e") % (3.7, 2, 4.5, 1, 3) == "3 2.00 4   1.0 3.000000e+00"


def test_percent_x_formats_integers():
    assert Markup("#%02x%02X%o") % (255, 10, 8) == "#ff0A10"


def test_percent_x_of_a_string_raises_type_error():
    with pytest.raises(TypeError):
        Markup("%x") % "<"


def test_percent_treats_a_list_as_one_value():
    assert Markup("%s") % [1, "<"] == "[1, &#39;&lt;&#39;]"


def test_percent_pads_the_escaped_text():
    assert Markup("%5s|%-5s|") % ("<", "&") == " &lt;|&amp;|"


def test_percent_with_too_few_values_raises_type_error():
    with pytest.raises(TypeError, match="not enough arguments"):
        Markup("%s %s") % ("a",)


# -- format and format_map ---------------------------------------------------------------------


def test_format_escapes_positional_and_keyword_arguments():
    assert Markup("<{}>{x}").format("&", x="<") == Markup("<&amp;>&lt;")


def test_format_inserts_markup_arguments_as_is():
    assert Markup("{}").format(Markup("<b>")) == "<b>"


def test_format_inserts_the_markup_returned_by_html():
    assert Markup("{}").format(HtmlMarkup()) == "<h>"


def test_format_escapes_a_plain_str_returned_by_html():
    assert Markup("{}").format(Html()) == "&lt;h&gt;"


def test_format_passes_the_spec_to_html_format():
    assert Markup("{:x}").format(HtmlFormat()) == "<x>"


def test_format_escapes_a_plain_str_returned_by_html_format():
    assert Markup("{:x}").format(HtmlFormatPlain()) == "&lt;x&gt;"


def test_format_spec_for_an_object_with_only_html_raises_value_error():
    with pytest.raises(ValueError, match="does not define __html_format__"):
        Markup("{:x}").format(HtmlMarkup())


def test_format_spec_for_a_markup_argument_raises_value_error():
    with pytest.raises(ValueError, match="Unsupported format specification for Markup"):
        Markup("{:>3}").format(Markup("x"))


def test_format_applies_the_spec_before_escaping():
    assert Markup("{:>5}").format("<") == "    &lt;"


def test_format_conversions_escape_the_converted_text():
    assert Markup("{0!r}|{0!s}|{0!a}").format("<é") == "&#39;&lt;é&#39;|&lt;é|&#39;&lt;\\xe9&#39;"


def test_format_str_conversion_escapes_markup():
    assert Markup("{0!s}|{0}").format(Markup("<b>")) == "&lt;b&gt;|<b>"


def test_format_escapes_items_and_attributes_of_arguments():
    assert Markup("{a[0]}{b.real}").format(a=["<"], b=3) == "&lt;3"


def test_format_map_escapes_the_mapping_values():
    assert Markup("<{a}>").format_map({"a": "<"}) == Markup("<&lt;>")


def test_format_map_uses_missing_of_a_dict_subclass():
    class Defaults(dict):
        def __missing__(self, key):
            return f"<{key}>"

    assert Markup("{a}").format_map(Defaults()) == "&lt;a&gt;"


def test_format_of_a_subclass_returns_the_subclass():
    assert type(Bold("{}").format("<")) is Bold


# -- join, split and the other str methods -----------------------------------------------------


def test_join_escapes_items_but_keeps_markup_and_html_objects():
    assert Markup(", ").join(["<", Markup("<b>"), Html()]) == "&lt;, <b>, <h>"


def test_join_of_a_string_joins_its_escaped_characters():
    assert Markup("-").join("a<") == "a-&lt;"


@pytest.mark.parametrize(
    "text, method, args, expected",
    [
        ("a<b>b", "split", ("<b>",), ["a", "b"]),
        ("a b", "split", (), ["a", "b"]),
        ("a,b,,c", "split", (",", 1), ["a", "b,,c"]),
        ("a b c", "rsplit", (None, 1), ["a b", "c"]),
        ("a\r\nb\n", "splitlines", (), ["a", "b"]),
        ("a\r\nb\n", "splitlines", (True,), ["a\r\n", "b\n"]),
        ("a<b", "partition", ("<",), ("a", "<", "b")),
        ("a<b<c", "rpartition", ("<",), ("a<b", "<", "c")),
    ],
)
def test_splitting_returns_markup_parts(text, method, args, expected):
    parts = getattr(Markup(text), method)(*args)
    assert parts == expected
    assert type(parts) is type(expected)
    assert all(type(part) is Markup for part in parts)


def test_split_does_not_escape_the_separator():
    assert Markup("a&lt;b<c").split("<") == ["a&lt;b", "c"]


@pytest.mark.parametrize(
    "method, args, expected",
    [
        ("upper", (), " A&LT;B<C "),
        ("lower", (), " a&lt;b<c "),
        ("title", (), " A&Lt;B<C "),
        ("capitalize", (), " a&lt;b<c "),
        ("swapcase", (), " A&LT;B<c "),
        ("casefold", (), " a&lt;b<c "),
        ("strip", (), "a&lt;b<C"),
        ("lstrip", (" a",), "&lt;b<C "),
        ("rstrip", ("C ",), " a&lt;b<"),
        ("removeprefix", (" a&",), "lt;b<C "),
        ("removesuffix", ("<C ",), " a&lt;b"),
        ("translate", ({ord("<"): "&"},), " a&lt;b&C "),
        ("__getitem__", (1,), "a"),
        ("__getitem__", (slice(None, None, -1),), " C<b;tl&a "),
        ("ljust", (12,), " a&lt;b<C   "),
        ("rjust", (12, "-"), "-- a&lt;b<C "),
        ("center", (13, "-"), "-- a&lt;b<C -"),
        ("zfill", (12,), "00 a&lt;b<C "),
    ],
)
def test_string_methods_return_markup(method, args, expected):
    result = getattr(Markup(" a&lt;b<C "), method)(*args)
    assert result == expected
    assert type(result) is Markup


def test_expandtabs_returns_markup():
    assert Markup("<a>\tb").expandtabs(4) == Markup("<a> b")


def test_replace_escapes_the_replacement():
    assert Markup("a&b").replace("&", "<&>") == Markup("a&lt;&amp;&gt;b")


def test_replace_keeps_a_markup_replacement():
    assert Markup("x x").replace("x", Markup("<y>"), 1) == "<y> x"


def test_replace_does_not_escape_the_searched_text():
    assert Markup("a&lt;b<c").replace("<", "x") == "a&lt;bxc"


def test_strip_does_not_escape_its_characters():
    assert Markup("&<").strip("&") == "<"


def test_a_fill_character_that_needs_escaping_is_refused():
    with pytest.raises(TypeError):
        Markup("a").center(5, "<")


def test_methods_that_do_not_return_text_are_unchanged():
    markup = Markup("a&lt;b<c")
    assert (markup.count("<"), markup.find("<"), markup.startswith("a&")) == (1, 6, True)


def test_iterating_over_markup_yields_plain_characters():
    assert [type(char) for char in Markup("ab")] == [str, str]


@pytest.mark.parametrize(
    "operation",
    [
        lambda m: m + "<",
        lambda m: "<" + m,
        lambda m: m * 2,
        lambda m: m % (),
        lambda m: m.format(),
        lambda m: m.join(["a", "b"]),
        lambda m: m.upper(),
        lambda m: m[0],
        lambda m: m.replace("b", "<"),
        lambda m: m.split("b")[0],
        lambda m: m.partition("b")[2],
    ],
    ids=["add", "radd", "mul", "mod", "format", "join", "upper", "getitem", "replace", "split", "partition"],
)
def test_operations_on_a_subclass_keep_the_subclass(operation):
    assert type(operation(Bold("<b>"))) is Bold


# -- unescape and striptags --------------------------------------------------------------------


def test_unescape_decodes_character_references_to_a_plain_str():
    text = Markup("&lt;&amp;&#39;&#34;&nbsp;&#x263a;").unescape()
    assert text == "<&'\"\xa0\u263a"
    assert type(text) is str


def test_striptags_returns_the_text_as_a_plain_str():
    text = Markup("<em>Hello</em> <!-- c --> &amp; <b>World</b>").striptags()
    assert text == "Hello & World"
    assert type(text) is str


@pytest.mark.parametrize(
    "html, expected",
    [
        ("a<!-- <b> > -->b", "ab"),
        ("x<!-- a --><!-- b -->y", "xy"),
        ("<!-- a -- b -->c", "c"),
        ("<!---->", ""),
        ("<!-->x", "x"),
        ("<!--->x", "x"),
        ("<!<!--x-->-- y > z -->after", "after"),
        ("<scr<!-- -->ipt>x", "x"),
    ],
    ids=["tag-inside", "adjacent", "double-dash", "empty", "abrupt", "abrupt-dash", "joined", "split-tag"],
)
def test_striptags_removes_comments(html, expected):
    assert Markup(html).striptags() == expected


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<div><p>One</p>\n\n<p>Two</p></div>", "One Two"),
        ("<a<b>c>", "c>"),
        ("1 < 2 > 0", "1 0"),
        ("<p title='a > b'>t</p>", "b'>t"),
    ],
    ids=["nested", "lt-inside-tag", "comparison", "gt-in-attribute"],
)
def test_striptags_removes_from_each_lt_to_the_next_gt(html, expected):
    assert Markup(html).striptags() == expected


@pytest.mark.parametrize(
    "html", ["a < b", "a <b", "a <!-- b", "a<!--x--"], ids=["spaced", "open-tag", "open-comment", "no-gt"]
)
def test_striptags_keeps_an_unclosed_tag_or_comment(html):
    assert Markup(html).striptags() == html


def test_striptags_collapses_whitespace():
    assert Markup(" a \n\t b ").striptags() == "a b"


def test_striptags_decodes_references_after_removing_tags():
    assert Markup("&lt;b&gt; &amp;amp;").striptags() == "<b> &amp;"


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<" * 100_000 + "!--x-->" * 100_000, ""),
        ("<!" * 100_000 + "--x-->" * 100_000, ""),
        ("<!-- -->" * 400_000, ""),
        ("<" * 200_000, "<" * 200_000),
        ("<!--" * 200_000 + "-->", ""),
    ],
    ids=["joined-openers", "joined-openers-2", "many-comments", "many-lt", "nested-openers"],
)
def test_striptags_takes_linear_time_on_hostile_input(html, expected):
    started = time.perf_counter()
    assert Markup(html).striptags() == expected
    assert time.perf_counter() - started < 10
