"""The template engine end to end, through ``Environment`` and ``Template``: syntax, expressions,
statements, scoping, autoescape, undefined values, errors, tracebacks, streaming, caching and
security.

Every expected output is the literal Jinja 3.1 renders for the same template and context; the
few places where microflask differs on purpose (the security checks) say so. The tables are
module-level lists so that they read as a specification of the template language.
"""

from __future__ import annotations

import os
import traceback

import pytest

from microflask.markup import Markup
from microflask.templating.environment import Environment, Template
from microflask.templating.exceptions import (
    SecurityError,
    TemplateAssertionError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from microflask.templating.loaders import DictLoader, FileSystemLoader
from microflask.templating.runtime import ChainableUndefined, DebugUndefined, StrictUndefined


def render(source, options=None, **context):
    return Environment(**(options or {})).from_string(source).render(**context)


def render_main(templates, options=None, **context):
    """Render the template "main" of ``templates``, loaded through a DictLoader."""
    environment = Environment(loader=DictLoader(templates), **(options or {}))
    return environment.get_template("main").render(**context)


class Thing:
    """An object with an attribute and a method, for attribute-lookup tests."""

    colour = "red"

    def shout(self, word):
        return word.upper() + "!"


def show_call(*args, **kwargs):
    return f"{args}{sorted(kwargs.items())}"


TRIM_AND_LSTRIP = {"trim_blocks": True, "lstrip_blocks": True}

# -- Syntax: delimiters, comments, whitespace control, raw -------------------------------------

SYNTAX = [
    pytest.param("Hello {{ name }}!", {}, "Hello World!", id="variable"),
    pytest.param("a {# comment {{ x }} #} b", {}, "a  b", id="comment-dropped"),
    pytest.param("{# multi\nline #}ok", {}, "ok", id="multiline-comment"),
    pytest.param("a {#- comment -#} b", {}, "ab", id="comment-with-minus-strips-both-sides"),
    pytest.param("a\n  {%- if true %} x {% endif -%}\n  b", {}, "a x b", id="minus-strips-newlines"),
    pytest.param("a  {{- 1 -}}  b {{ 2 -}}\n\n c", {}, "a1b 2c", id="minus-on-variables"),
    pytest.param("  {% if true %}\nx\n  {% endif %}\ny", {}, "  \nx\n  \ny", id="no-trimming-by-default"),
    pytest.param("  {% if true %}\nx\n  {% endif %}\ny", TRIM_AND_LSTRIP, "x\ny", id="trim-and-lstrip-blocks"),
    pytest.param("  {%+ if true %}\nx\n  {% endif +%}\ny", TRIM_AND_LSTRIP, "  x\n\ny", id="plus-disables-both"),
    pytest.param("  {# c #}\nx", TRIM_AND_LSTRIP, "x", id="lstrip-and-trim-apply-to-comments"),
    pytest.param("  {{ 1 }}\nx", TRIM_AND_LSTRIP, "  1\nx", id="variables-are-never-stripped"),
    pytest.param("a {% if true %}b{% endif %}\nc", TRIM_AND_LSTRIP, "a bc", id="lstrip-only-at-line-start"),
    pytest.param("{% for x in [1] %}\n{{ x }}\n{% endfor %}\n", {"trim_blocks": True}, "1\n",
                 id="trim-blocks-eats-one-newline"),
    pytest.param("{% raw %}{{ x }}{% if %}{% endraw %}", {}, "{{ x }}{% if %}", id="raw"),
    pytest.param("{%- raw -%}  {{ x }}  {%- endraw %}!", {}, "{{ x }}!", id="raw-with-whitespace-control"),
    pytest.param("{{ '{{' }} {{ '}}' }} {{ \"{%\" }}", {}, "{{ }} {%", id="delimiters-inside-strings"),
    pytest.param("{{ {'a': 1} }}", {}, "{'a': 1}", id="braces-inside-variable"),
    pytest.param("a\n", {}, "a", id="trailing-newline-dropped"),
    pytest.param("a\n", {"keep_trailing_newline": True}, "a\n", id="keep-trailing-newline"),
    pytest.param("a\r\nb", {}, "a\nb", id="newlines-normalised"),
]


@pytest.mark.parametrize("source, options, expected", SYNTAX)
def test_template_syntax_renders_as_jinja_does(source, options, expected):
    assert render(source, options, name="World") == expected


# -- Expressions -------------------------------------------------------------------------------

EXPRESSIONS = [
    pytest.param("{{ 1 }}|{{ 1.5 }}|{{ 'a' \"b\" }}|{{ [1, 2] }}|{{ (1,) }}|{{ {'a': 1} }}", {},
                 "1|1.5|ab|[1, 2]|(1,)|{'a': 1}", id="literals"),
    pytest.param("{{ true }}|{{ True }}|{{ false }}|{{ none }}|{{ None }}", {}, "True|True|False|None|None",
                 id="constants-in-both-spellings"),
    pytest.param("{{ 1_000 }} {{ 1e3 }} {{ 2.5e-1 }}", {}, "1000 1000.0 0.25", id="number-forms"),
    pytest.param("{{ 'it''s' }}|{{ \"a\\nb\" }}|{{ '\\u00e9' }}", {}, "its|a\nb|\u00e9", id="string-escapes"),
    pytest.param("{{ 1, 2 }}", {}, "(1, 2)", id="implicit-tuple"),
    pytest.param("{{ d.a }} {{ d['a'] }} {{ o.colour }} {{ o['colour'] }} {{ l.0 }}",
                 {"d": {"a": "x"}, "o": Thing(), "l": [9]}, "x x red red 9", id="attribute-and-item-fall-back"),
    pytest.param("{{ {'a': {'b': 2}}.a.b }} {{ [1, 2, 3][1] }} {{ 'abc'.upper() }} {{ o.shout('hi') }}",
                 {"o": Thing()}, "2 2 ABC HI!", id="lookups-on-literals-and-method-calls"),
    pytest.param("{{ f(1, 2, *rest, k=3, **more) }}", {"rest": [4], "more": {"z": 1}},
                 "(1, 2, 4)[('k', 3), ('z', 1)]", id="call-with-star-args"),
    pytest.param("{{ f(*[1, 2]) }}|{{ f(**{'a': 1}) }}|{{ f(1, a=2) }}", {},
                 "(1, 2)[]|()[('a', 1)]|(1,)[('a', 2)]", id="call-forms"),
    pytest.param("{{ s[1:3] }} {{ s[::-1] }} {{ s[:2] }} {{ s[-1] }} {{ [1, 2, 3, 4][::2] }}", {"s": "hello"},
                 "el olleh he o [1, 3]", id="slicing"),
    pytest.param("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ 7 / 2 }} {{ 7 % 3 }} {{ 2 ** 3 ** 2 }}", {},
                 "7 9 3 3.5 1 64", id="arithmetic-precedence"),
    pytest.param("{{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 2 * 3 % 4 }} {{ 2 ** -1 }} {{ 2 ** 2 * 3 }}", {},
                 "4 5 2 0.5 12", id="unary-minus-and-associativity"),
    pytest.param("{{ [1] + [2] }} {{ 'ab' * 2 }} {{ '%s-%s' % (1, 2) }}", {}, "[1, 2] abab 1-2",
                 id="operators-on-sequences"),
    pytest.param("{{ 1 ~ 2 * 3 }} {{ 2 * 3 ~ 1 }} {{ 'a' ~ none ~ 1 }}", {}, "16 61 aNone1",
                 id="tilde-binds-looser-than-multiplication"),
    pytest.param("{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 3 >= 4 }} {{ 1 + 2 == 3 }}", {},
                 "True True True False True", id="comparisons"),
    pytest.param("{{ 1 in [1] }} {{ 2 not in [1] }} {{ not 1 in [1] }} {{ 'b' in 'abc' }}", {},
                 "True True False True", id="membership"),
    pytest.param("{{ true and false or true }} {{ not false and false }} {{ 0 or 'x' }} [{{ '' and 1 }}]", {},
                 "True False x []", id="boolean-operators"),
    pytest.param("{{ not 1 == 2 }} {{ not x is none }} {{ x is not none and x is number }}", {"x": 1},
                 "True True True", id="not-binds-looser-than-comparisons-and-tests"),
    pytest.param("{{ 3 is odd }} {{ x is not defined }} {{ 1 is number and 2 is even }}", {},
                 "True True True", id="tests-without-arguments"),
    pytest.param("{{ 4 is divisibleby 2 }} {{ 4 is divisibleby(3) }} {{ 2 is in [1, 2] }} {{ 5 is gt(3) }}", {},
                 "True False True True", id="tests-with-arguments"),
    pytest.param("{{ 1 is eq 1 }} {{ 1 is ne 1 }} {{ 1 is le 1 }} {{ x is sameas none }}", {"x": None},
                 "True False True True", id="comparison-tests"),
    pytest.param("{{ 'hello'|upper|replace('L', 'l') }} {{ [3, 1, 2]|sort(reverse=true)|join(',') }}", {},
                 "HEllO 3,2,1", id="filter-chain-with-arguments"),
    pytest.param("{{ -x|abs }} {{ x|default(5) + 1 }} {{ y|default(5) + 1 }}", {"x": 3}, "3 4 6",
                 id="filters-apply-after-unary-minus-before-operators"),
    pytest.param("{{ 'a' if x else 'b' }} {{ 'y' if true }}|{{ 'y' if false }}|", {}, "b y||",
                 id="conditional-expressions"),
    pytest.param("{{ 1 if x is none else 2 if y else 3 }}", {"x": 1}, "3", id="chained-conditional"),
    pytest.param("{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ dict(a=1) }}", {},
                 "[0, 1, 2] [1, 4, 7] {'a': 1}", id="range-and-dict-globals"),
    pytest.param("{{ cycler('a', 'b').next() }} {% set c = cycler(1, 2) %}{{ c.next() }}{{ c.next() }}"
                 "{{ c.next() }}{{ c.current }}", {}, "a 1212", id="cycler-global"),
    pytest.param("{% set j = joiner('|') %}{% for x in 'ab' %}{{ j() }}{{ x }}{% endfor %}", {}, "a|b",
                 id="joiner-global"),
]


@pytest.mark.parametrize("source, context, expected", EXPRESSIONS)
def test_expression_renders_as_jinja_does(source, context, expected):
    assert render(source, f=show_call, **context) == expected


# -- Statements ------------------------------------------------------------------------------

STATEMENTS = [
    pytest.param("{% if x %}a{% elif y %}b{% else %}c{% endif %}", {"y": 1}, "b", id="if-elif-else"),
    pytest.param("{% for k, v in d|dictsort %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 2, "a": 1}},
                 "a=1;b=2;", id="for-unpacking"),
    pytest.param("{% for a, (b, c) in items %}{{ a }}{{ b }}{{ c }} {% endfor %}", {"items": [(1, (2, 3))]},
                 "123 ", id="for-nested-unpacking"),
    pytest.param("{% for (a, b) in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}", {}, "12", id="for-parenthesised-target"),
    pytest.param("{% for x in [] %}x{% else %}empty{% endfor %}", {}, "empty", id="for-else"),
    pytest.param("{% for x in [0] if x %}{{ x }}{% else %}none{% endfor %}", {}, "none",
                 id="for-else-when-filter-drops-everything"),
    pytest.param("{% for x in range(10) if x is odd %}{{ x }}{{ loop.index }}/{{ loop.length }} {% endfor %}", {},
                 "11/5 32/5 53/5 74/5 95/5 ", id="for-inline-if-counts-kept-items"),
    pytest.param("{% for i in items recursive %}[{{ i.n }}{% if i.c %}{{ loop(i.c) }}{% endif %}]{% endfor %}",
                 {"items": [{"n": 1, "c": [{"n": 2, "c": [{"n": 3}]}]}, {"n": 4}]}, "[1[2[3]]][4]",
                 id="recursive-loop"),
    pytest.param("{% for i in items recursive %}{{ loop.depth }}{{ loop.depth0 }}{% if i.c %}({{ loop(i.c) }})"
                 "{% endif %}{% endfor %}", {"items": [{"n": 1, "c": [{"n": 2}]}]}, "10(21)", id="loop-depth"),
    pytest.param("{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}, "12", id="set-unpacking"),
    pytest.param("{% set (a, b) = (1, 2) %}{{ a }}{{ b }}", {}, "12", id="set-parenthesised-target"),
    pytest.param("{% set s %}<b>{{ 1 }}</b>{% endset %}{{ s }}", {}, "<b>1</b>", id="set-block"),
    pytest.param("{% set s | upper %}abc{% endset %}{{ s }}", {}, "ABC", id="set-block-with-filter"),
    pytest.param("{% set ns = namespace(found=false, n=0) %}{% for x in [1, 2, 3] %}{% if x == 2 %}"
                 "{% set ns.found = true %}{% endif %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.found }} {{ ns.n }}",
                 {}, "True 6", id="namespace-carries-values-out-of-loop"),
    pytest.param("{% set ns = namespace() %}{% set ns.x %}hi{% endset %}{{ ns.x }}", {}, "hi",
                 id="namespace-set-block"),
    pytest.param("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", {}, "3", id="with"),
    pytest.param("{% with a = 1 %}{% with b = a + 1 %}{{ b }}{% endwith %}{% endwith %}", {}, "2", id="nested-with"),
    pytest.param("{% macro m(a, b=2) %}{{ a }}{{ b }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1) }}|"
                 "{{ m(1, 3, 4, 5, z=6) }}", {}, "12(){}|13(4, 5){'z': 6}", id="macro-defaults-varargs-kwargs"),
    pytest.param("{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('x') }}", {}, "x!",
                 id="macro-default-uses-earlier-argument"),
    pytest.param("{% macro m(a) %}[{{ a }}]{% endmacro %}{{ m() }}{{ m(a=5) }}", {}, "[][5]",
                 id="macro-missing-argument-is-undefined"),
    pytest.param("{% macro m(a, b) %}{% endmacro %}{{ m.arguments }} {{ m.name }} {{ m.catch_kwargs }}", {},
                 "('a', 'b') m False", id="macro-introspection"),
    pytest.param("{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}body{% endcall %}", {}, "<body>",
                 id="call-block"),
    pytest.param("{% macro m(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}{% endmacro %}"
                 "{% call(x, n) m([5, 6]) %}{{ n }}:{{ x }} {% endcall %}", {}, "1:5 2:6 ", id="call-block-with-args"),
    pytest.param("{% macro m(a) %}{{ a }}{{ caller(a=2) }}{% endmacro %}{% call(a=1) m(0) %}{{ a }}{% endcall %}", {},
                 "02", id="call-block-argument-defaults"),
    pytest.param("{% filter upper %}hello {{ x }}{% endfilter %}", {"x": "w"}, "HELLO W", id="filter-block"),
    pytest.param("{% filter replace('a', 'b')|upper %}aaa{% endfilter %}", {}, "BBB", id="filter-block-chain"),
]


@pytest.mark.parametrize("source, context, expected", STATEMENTS)
def test_statement_renders_as_jinja_does(source, context, expected):
    assert render(source, **context) == expected


LOOP_ATTRIBUTES = [
    pytest.param("{% for x in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                 "{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}",
                 "1032TrueFalse3 2121FalseFalse3 3210FalseTrue3 ", id="positions"),
    pytest.param("{% for x in items %}{{ loop.cycle('odd', 'even') }} {% endfor %}", "odd even odd ", id="cycle"),
    pytest.param("{% for x in items %}{{ loop.previtem }}-{{ x }}-{{ loop.nextitem }} {% endfor %}",
                 "-a-b a-b-c b-c- ", id="previtem-and-nextitem"),
    pytest.param("{% for x in items %}{{ loop.previtem is defined }}{{ loop.nextitem is defined }} {% endfor %}",
                 "FalseTrue TrueTrue TrueFalse ", id="missing-neighbours-are-undefined"),
    pytest.param("{% for x in items %}{{ x }}{% if loop.last %}!{% endif %}{{ loop.length }}{% endfor %}",
                 "a3b3c!3", id="last-before-length"),
    pytest.param("{% for x in items if x != 'b' %}{{ x }}{{ loop.index }}{{ loop.length }}{{ loop.last }}{% endfor %}",
                 "a12Falsec22True", id="length-after-inline-if"),
    pytest.param("{% for x in items %}{{ loop.index }}{% for y in 'de' %}{{ loop.index }}{% endfor %}{% endfor %}",
                 "112212312", id="inner-loop-shadows-outer"),
]


@pytest.mark.parametrize("source, expected", LOOP_ATTRIBUTES)
@pytest.mark.parametrize("make_items", [lambda: "abc", lambda: (letter for letter in "abc")], ids=["string", "generator"])
def test_loop_attributes_match_jinja_on_sequences_and_generators(source, expected, make_items):
    assert render(source, items=make_items()) == expected


def test_loop_changed_reports_only_new_values():
    assert render("{% for x in [1, 1, 2, 3, 3] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}") == "123"


# -- Scoping ---------------------------------------------------------------------------------

SCOPING = [
    pytest.param("{% for x in [1, 2] %}{% endfor %}[{{ x }}][{{ loop }}]", {}, "[][]", id="loop-vars-do-not-leak"),
    pytest.param("{% for i in [1] %}{{ i }}{% endfor %}{{ i }}", {"i": "ctx"}, "1ctx", id="loop-var-shadows-context"),
    pytest.param("{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}{{ x }}{% endfor %}{{ x }}", {}, "121",
                 id="set-in-loop-is-local"),
    pytest.param("{% for x in [1] %}{% set inner = 'i' %}{% endfor %}[{{ inner }}]", {}, "[]",
                 id="set-in-loop-does-not-leak"),
    pytest.param("{% set y = 5 %}{% for x in [1, 2] %}{{ y }}{% set y = x %}{{ y }}{% endfor %}{{ y }}", {},
                 "51525", id="each-iteration-starts-from-outer-value"),
    pytest.param("{% set x = 'outer' %}{% if true %}{% set x = 'inner' %}{% endif %}{{ x }}", {}, "inner",
                 id="if-does-not-open-a-scope"),
    pytest.param("{% set x = 'outer' %}{% with %}{% set x = 'inner' %}{{ x }}{% endwith %}{{ x }}", {},
                 "innerouter", id="with-opens-a-scope"),
    pytest.param("{% macro m() %}{% set x = 'in' %}{{ x }}{% endmacro %}{% set x = 'out' %}{{ m() }}{{ x }}", {},
                 "inout", id="macro-scope"),
    pytest.param("{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }}", {}, "2",
                 id="macro-sees-top-level-value-at-call-time"),
    pytest.param("{% macro m() %}{{ y }}{% endmacro %}{% for y in [1] %}{{ m() }}{% endfor %}", {"y": "ctx"}, "ctx",
                 id="macro-does-not-see-callers-loop-variable"),
]


@pytest.mark.parametrize("source, context, expected", SCOPING)
def test_scoping_follows_jinja(source, context, expected):
    assert render(source, **context) == expected


# -- Inheritance, includes and imports ---------------------------------------------------------

BASE = "<{% block head %}H{% endblock %}|{% block body %}B{% endblock %}>"
MACROS = "{% macro f() %}{{ x }}{% endmacro %}{% set v = 1 %}{% set _hidden = 2 %}"

COMPOSITION = [
    pytest.param({"main": "{% extends 'base' %}{% block body %}b{{ super() }}{% endblock %}"}, {}, "<H|bB>",
                 id="extends-with-super"),
    pytest.param({"main": "{% extends 'base' %}ignored{% block head %}{{ self.body() }}{% endblock %}"}, {},
                 "<B|B>", id="self-renders-a-block-and-text-outside-blocks-is-dropped"),
    pytest.param({"main": "{% extends parent %}{% block body %}dyn{% endblock %}"}, {"parent": "base"}, "<H|dyn>",
                 id="dynamic-extends"),
    pytest.param({"mid": "{% extends 'base' %}{% block body %}M{{ super() }}{% endblock %}",
                  "main": "{% extends 'mid' %}{% block body %}C{{ super() }}{% endblock %}"}, {}, "<H|CMB>",
                 id="super-through-two-levels"),
    pytest.param({"main": "{% extends 'base' %}{% block head %}{% endblock %}{% block body %}{{ super() }}"
                          "{{ super() }}{% endblock %}"}, {}, "<|BB>", id="empty-override-and-repeated-super"),
    pytest.param({"main": "{% if true %}{% extends 'base' %}{% endif %}tail"}, {}, "<H|B>",
                 id="extends-inside-top-level-if"),
    pytest.param({"base": "{% for i in [1, 2] %}{% block b %}[{{ i }}]{% endblock %}{% endfor %}",
                  "main": "{% extends 'base' %}{% block b %}({{ i }}){% endblock %}"}, {}, "()()",
                 id="unscoped-block-does-not-see-loop"),
    pytest.param({"base": "{% for i in [1, 2] %}{% block b scoped %}[{{ i }}]{% endblock %}{% endfor %}",
                  "main": "{% extends 'base' %}{% block b %}({{ i }}){% endblock %}"}, {}, "(1)(2)",
                 id="scoped-block-sees-loop"),
    pytest.param({"base": "<{% block b required %}{% endblock %}>",
                  "main": "{% extends 'base' %}{% block b %}filled{% endblock %}"}, {}, "<filled>",
                 id="required-block-overridden"),
    pytest.param({"base": "{% block a %}{% block b %}inner{% endblock %}{% endblock %}",
                  "main": "{% extends 'base' %}{% block b %}child{% endblock %}"}, {}, "child", id="nested-blocks"),
    pytest.param({"base": "{% set v = 'base' %}{{ v }}{% block b %}{{ v }}{% endblock %}",
                  "main": "{% extends 'base' %}{% set v = 'child' %}{% block b %}{{ v }}{% endblock %}"}, {},
                 "basebase", id="parent-top-level-set-wins-in-blocks"),
    pytest.param({"inc": "[{{ x }}{{ y }}]", "main": "{% set y = 2 %}{% include 'inc' %}"
                                                     "{% include 'inc' without context %}{% include 'inc' with context %}"},
                 {"x": 1}, "[12][][12]", id="include-with-and-without-context"),
    pytest.param({"inc": "[{{ i }}]", "main": "{% for i in [1, 2] %}{% include 'inc' %}{% endfor %}"}, {}, "[1][2]",
                 id="include-sees-loop-variable"),
    pytest.param({"main": "a{% include 'nope' ignore missing %}b"}, {}, "ab", id="include-ignore-missing"),
    pytest.param({"main": "a{% include ['nope', 'inc'] %}b", "inc": "I"}, {}, "aIb", id="include-first-of-list"),
    pytest.param({"main": "a{% include ['nope', 'nada'] ignore missing with context %}b"}, {}, "ab",
                 id="include-list-ignore-missing"),
    pytest.param({"main": "{% include tpl %}", "inc": "I"}, {"tpl": "inc"}, "I", id="include-dynamic-name"),
    pytest.param({"m": MACROS, "main": "{% import 'm' as m %}[{{ m.f() }}]{{ m.v }}{{ m._hidden }}"}, {"x": "X"},
                 "[]1", id="import-without-context-exports-public-names"),
    pytest.param({"m": MACROS, "main": "{% import 'm' as m with context %}[{{ m.f() }}]"}, {"x": "X"}, "[X]",
                 id="import-with-context"),
    pytest.param({"m": MACROS, "main": "{% from 'm' import f %}[{{ f() }}]"}, {"x": "X"}, "[]", id="from-import"),
    pytest.param({"m": MACROS, "main": "{% from 'm' import f as g, v with context %}[{{ g() }}{{ v }}]"},
                 {"x": "X"}, "[X1]", id="from-import-alias-with-context"),
    pytest.param({"m": MACROS, "main": "{% from 'm' import nope %}[{{ nope }}]"}, {}, "[]",
                 id="from-import-missing-name-is-undefined"),
    pytest.param({"main": "{% filter upper %}{% include 'inc' %}{% endfilter %}", "inc": "abc"}, {}, "ABC",
                 id="include-inside-filter-block"),
]


@pytest.mark.parametrize("templates, context, expected", COMPOSITION)
def test_template_composition_renders_as_jinja_does(templates, context, expected):
    assert render_main({"base": BASE, **templates}, **context) == expected


def test_extends_accepts_a_template_object():
    environment = Environment(loader=DictLoader({"base": BASE}))
    parent = environment.get_template("base")
    child = environment.from_string("{% extends parent %}{% block head %}T{% endblock %}")
    assert child.render(parent=parent) == "<T|B>"


def test_a_required_block_left_empty_raises_when_rendered():
    templates = {"base": "<{% block b required %}{% endblock %}>", "main": "{% extends 'base' %}"}
    with pytest.raises(TemplateRuntimeError, match="Required block 'b' not found"):
        render_main(templates)


def test_template_module_exposes_macros_and_variables():
    module = Environment().from_string("{% macro hello(n) %}Hi {{ n }}{% endmacro %}{% set title = 'T' %}body").module
    assert (module.hello("x"), module.title, str(module)) == ("Hi x", "T", "body")


# -- Autoescape on every output path -----------------------------------------------------------

SAFE = Markup("<i>safe</i>")

AUTOESCAPE = [
    pytest.param("{{ x }}|{{ m }}", "&lt;b&gt;|<i>safe</i>", id="variables"),
    pytest.param("{{ q }}", "&lt;b&gt;&amp;&#39;&#34;", id="quotes-and-ampersands"),
    pytest.param("{{ x|upper }}|{{ x|safe }}|{{ m|upper }}|{{ x|e|e }}|{{ m|forceescape }}",
                 "&lt;B&gt;|<b>|<I>SAFE</I>|&lt;b&gt;|&lt;i&gt;safe&lt;/i&gt;", id="filters"),
    pytest.param("{{ m|replace('safe', '<u>') }}", "<i>&lt;u&gt;</i>", id="replace-keeps-markup-safe"),
    pytest.param("{% macro p(v) %}<p>{{ v }}</p>{% endmacro %}{{ p(x) }}|{{ p(x)|upper }}",
                 "<p>&lt;b&gt;</p>|<P>&LT;B&GT;</P>", id="macros"),
    pytest.param("{% macro p() %}<p>{{ caller() }}</p>{% endmacro %}{% call p() %}<i>{{ x }}</i>{% endcall %}",
                 "<p><i>&lt;b&gt;</i></p>", id="call-blocks"),
    pytest.param("{% set s %}<p>{{ x }}</p>{% endset %}{{ s }}|{{ s|length }}", "<p>&lt;b&gt;</p>|16",
                 id="set-blocks"),
    pytest.param("{% set s = '<p>' %}{{ s }}", "&lt;p&gt;", id="set-string-literal"),
    pytest.param("{{ x ~ m }}|{{ x ~ 'y' }}|{{ m ~ m }}|{{ '<' ~ 1 }}",
                 "&lt;b&gt;<i>safe</i>|&lt;b&gt;y|<i>safe</i><i>safe</i>|&lt;1", id="tilde-with-markup"),
    pytest.param("{% filter upper %}<p>{{ x }}</p>{% endfilter %}", "<P>&LT;B&GT;</P>", id="filter-blocks"),
    pytest.param("{{ [x, m]|join('<br>') }}", "&lt;b&gt;&lt;br&gt;<i>safe</i>", id="join"),
    pytest.param("{{ ['<a>'] }}", "[&#39;&lt;a&gt;&#39;]", id="containers-are-escaped-as-text"),
    pytest.param("{% for v in l recursive %}<li>{{ v.n }}{% if v.c %}<ul>{{ loop(v.c) }}</ul>{% endif %}</li>"
                 "{% endfor %}", "<li>&lt;1&gt;<ul><li>&lt;2&gt;</li></ul></li>", id="recursive-loop"),
    pytest.param("{{ s }}", "{{ 7*7 }}", id="template-data-is-not-evaluated"),
]


@pytest.mark.parametrize("source, expected", AUTOESCAPE)
def test_autoescape_covers_output_path(source, expected):
    context = {"x": "<b>", "m": SAFE, "q": "<b>&'\"", "s": "{{ 7*7 }}",
               "l": [{"n": "<1>", "c": [{"n": "<2>"}]}]}
    assert render(source, {"autoescape": True}, **context) == expected


def test_without_autoescape_values_are_written_as_they_are():
    assert render("{{ x }}", x="<b>") == "<b>"


def test_includes_and_imports_escape_by_their_own_template_name():
    templates = {"inc.html": "<i>{{ x }}</i>", "inc.txt": "<t>{{ x }}</t>",
                 "macros.html": "{% macro m(v) %}<m>{{ v }}</m>{% endmacro %}",
                 "page.txt": "{% include 'inc.html' %}|{% include 'inc.txt' %}|"
                             "{% from 'macros.html' import m %}{{ m(x) }}"}
    environment = Environment(loader=DictLoader(templates), autoescape=lambda name: name.endswith(".html"))
    rendered = environment.get_template("page.txt").render(x="<&>")
    assert rendered == "<i>&lt;&amp;&gt;</i>|<t><&></t>|<m>&lt;&amp;&gt;</m>"


# -- Undefined values --------------------------------------------------------------------------

UNDEFINED = [
    pytest.param(None, "[{{ x }}][{{ x|length }}][{% for a in x %}a{% endfor %}][{{ x is defined }}][{{ not x }}]",
                 "[][0][][False][True]", id="default-renders-empty"),
    pytest.param(None, "[{{ d.missing }}][{{ l[5] }}][{{ x|default('d') }}][{{ 'a' in x }}]", "[][][d][False]",
                 id="default-missing-attribute-and-item"),
    pytest.param(StrictUndefined, "{{ x is defined }}|{{ x is undefined }}|{{ x|default('d') }}", "False|True|d",
                 id="strict-allows-tests-and-default"),
    pytest.param(StrictUndefined, "{{ 'a' if false }}", "", id="strict-inline-if-without-else-is-empty"),
    pytest.param(ChainableUndefined, "{{ x.a.b.c }}|{{ x['a'].b }}|{{ x.a|default('d') }}|{{ d.a.b }}", "||d|",
                 id="chainable"),
    pytest.param(DebugUndefined, "{{ x }}|{{ d.y }}|{{ d[1] }}",
                 "{{ x }}|{{ no such element: dict object['y'] }}|{{ no such element: dict object[1] }}", id="debug"),
]


@pytest.mark.parametrize("undefined, source, expected", UNDEFINED)
def test_undefined_renders_as_jinja_does(undefined, source, expected):
    options = {"undefined": undefined} if undefined else {}
    assert render(source, options, d={}, l=[1]) == expected


UNDEFINED_ERRORS = [
    pytest.param(None, "{{ x.y }}", "'x' is undefined", id="attribute-of-undefined"),
    pytest.param(None, "{{ x() }}", "'x' is undefined", id="call-of-undefined"),
    pytest.param(None, "{{ x + 1 }}", "'x' is undefined", id="arithmetic-on-undefined"),
    pytest.param(None, "{{ d.missing.y }}", "'dict object' has no attribute 'missing'", id="names-the-missing-key"),
    pytest.param(None, "{{ l[5].a }}", "list object has no element 5", id="names-the-missing-element"),
    pytest.param(None, "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}", "No caller defined",
                 id="caller-outside-call-block"),
    pytest.param(StrictUndefined, "{{ x }}", "'x' is undefined", id="strict-print"),
    pytest.param(StrictUndefined, "{% if x %}t{% endif %}", "'x' is undefined", id="strict-truth"),
    pytest.param(StrictUndefined, "{% for a in x %}{% endfor %}", "'x' is undefined", id="strict-iteration"),
    pytest.param(StrictUndefined, "{{ x == 1 }}", "'x' is undefined", id="strict-comparison"),
    pytest.param(StrictUndefined, "{{ d.missing }}", "'dict object' has no attribute 'missing'", id="strict-attribute"),
    pytest.param(ChainableUndefined, "{{ x.a() }}", "'x' is undefined", id="chainable-call"),
]


@pytest.mark.parametrize("undefined, source, message", UNDEFINED_ERRORS)
def test_using_an_undefined_value_raises_undefined_error(undefined, source, message):
    options = {"undefined": undefined} if undefined else {}
    with pytest.raises(UndefinedError) as caught:
        render(source, options, d={}, l=[1])
    assert str(caught.value) == message


def test_from_import_of_a_missing_name_says_where_it_was_imported():
    templates = {"m": "", "main": "\n{% from 'm' import nope %}{{ nope() }}"}
    with pytest.raises(UndefinedError) as caught:
        render_main(templates)
    assert str(caught.value) == "the template 'm' (imported on line 2 in 'main') does not export the requested name 'nope'"


# -- Errors ---------------------------------------------------------------------------------------


def syntax_error_of(source, name="bad.html"):
    environment = Environment(loader=DictLoader({name: source}))
    with pytest.raises(TemplateSyntaxError) as caught:
        environment.get_template(name)
    return caught.value


def test_syntax_error_names_template_line_and_column_with_a_caret():
    error = syntax_error_of("ok\n\n   {% endfro %}")
    assert (error.name, error.lineno, error.column) == ("bad.html", 3, 7)
    assert str(error) == ("Encountered unknown tag 'endfro'.\n  File \"bad.html\", line 3, column 7\n"
                          "    {% endfro %}\n       ^")


def test_syntax_error_from_a_file_names_the_file(tmp_path):
    (tmp_path / "bad.html").write_text("ok\n{{ x + }}")
    with pytest.raises(TemplateSyntaxError) as caught:
        Environment(loader=FileSystemLoader(str(tmp_path))).get_template("bad.html")
    assert caught.value.filename == os.path.join(str(tmp_path), "bad.html")
    assert f'File "{caught.value.filename}", line 2, column 8' in str(caught.value)


SYNTAX_ERRORS = [
    pytest.param("line1\n  {% for x in y %}\n{{ x }}\n{% endfro %}", 4,
                 "Encountered unknown tag 'endfro'. Jinja was looking for the following tags: 'endfor' or 'else'. "
                 "The innermost block that needs to be closed is 'for'.", id="unknown-tag-in-for"),
    pytest.param("{% if x %}", 1, "Unexpected end of template. Jinja was looking for the following tags: 'elif' or "
                 "'else' or 'endif'. The innermost block that needs to be closed is 'if'.", id="unclosed-if"),
    pytest.param("{% endif %}", 1, "Encountered unknown tag 'endif'.", id="stray-end-tag"),
    pytest.param("<{% block b required %}x{% endblock %}>", 1,
                 "Required blocks can only contain comments or whitespace", id="required-block-with-content"),
]


@pytest.mark.parametrize("source, lineno, message", SYNTAX_ERRORS)
def test_syntax_error_message_says_what_was_expected(source, lineno, message):
    error = syntax_error_of(source)
    assert (error.message, error.lineno) == (message, lineno)


ASSERTION_ERRORS = [
    pytest.param("{{ x|nope }}", "No filter named 'nope'.", id="unknown-filter"),
    pytest.param("\n{{ x is nope }}", "No test named 'nope'.", id="unknown-test"),
    pytest.param("{% block a %}{% endblock %}{% block a %}{% endblock %}", "block 'a' defined twice", id="twice"),
    pytest.param("{% macro m() %}{% extends 'base' %}{% endmacro %}", "cannot use extend from a non top-level scope",
                 id="extends-in-macro"),
    pytest.param("{% from 'm' import _f %}", "names starting with an underline can not be imported",
                 id="private-import"),
]


@pytest.mark.parametrize("source, message", ASSERTION_ERRORS)
def test_template_that_cannot_compile_raises_assertion_error(source, message):
    error = syntax_error_of(source)
    assert isinstance(error, TemplateAssertionError)
    assert (error.message, error.lineno) == (message, source.count("\n") + 1)


def test_unknown_filter_in_an_untaken_branch_does_not_fail():
    assert render("{% if x %}{{ 1|nope }}{% endif %}|{{ 1 if true else 1|nope }}") == "|1"


@pytest.mark.parametrize("source, message", [
    ("{% if x %}{{ 1|nope }}{% endif %}", "No filter named 'nope' found."),
    ("{% if x %}{{ 1 is nope }}{% endif %}", "No test named 'nope' found."),
])
def test_unknown_filter_or_test_in_a_taken_branch_fails_when_it_runs(source, message):
    template = Environment().from_string(source)
    with pytest.raises(TemplateRuntimeError) as caught:
        template.render(x=1)
    assert str(caught.value) == message


def test_template_not_found_lists_every_folder_searched(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    environment = Environment(loader=FileSystemLoader([str(first), str(second)]))
    with pytest.raises(TemplateNotFound) as caught:
        environment.get_template("zz.html")
    assert caught.value.name == "zz.html"
    assert str(first) in str(caught.value) and str(second) in str(caught.value)


def test_select_template_returns_the_first_that_exists():
    environment = Environment(loader=DictLoader({"b.html": "B", "c.html": "C"}))
    assert environment.select_template(["a.html", "b.html", "c.html"]).render() == "B"


def test_select_template_raises_templates_not_found_naming_them_all():
    environment = Environment(loader=DictLoader({}))
    with pytest.raises(TemplatesNotFound) as caught:
        environment.select_template(["x.html", "y.html"])
    assert caught.value.templates == ["x.html", "y.html"]
    assert str(caught.value).startswith("none of the templates given were found: x.html, y.html")


def test_select_template_from_an_empty_list_says_so():
    with pytest.raises(TemplatesNotFound, match="Tried to select from an empty list of templates."):
        Environment(loader=DictLoader({})).select_template([])


def test_include_of_a_missing_template_raises_template_not_found():
    with pytest.raises(TemplateNotFound):
        render_main({"main": "a{% include 'nope' %}b"})


# -- Tracebacks point at the template -----------------------------------------------------------


def fail_loudly():
    raise ValueError("boom")


def last_frames(error, count):
    return [(frame.filename, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)[-count:]]


def test_error_while_rendering_points_at_the_template_file_and_line(tmp_path):
    (tmp_path / "page.html").write_text("line1\n{% set x = 1 %}\n{{ 1 // zero }}\nline4\n")
    template = Environment(loader=FileSystemLoader(str(tmp_path))).get_template("page.html")
    with pytest.raises(ZeroDivisionError) as caught:
        template.render(zero=0)
    assert last_frames(caught.value, 1) == [(os.path.join(str(tmp_path), "page.html"), 3)]


def test_error_inside_a_child_block_points_at_the_child_file(tmp_path):
    (tmp_path / "base.html").write_text("a\n{% block b %}{% endblock %}")
    (tmp_path / "child.html").write_text("{% extends 'base.html' %}\n{% block b %}\n\n{{ fail() }}\n{% endblock %}")
    template = Environment(loader=FileSystemLoader(str(tmp_path))).get_template("child.html")
    with pytest.raises(ValueError) as caught:
        template.render(fail=fail_loudly)
    assert last_frames(caught.value, 3)[0] == (os.path.join(str(tmp_path), "child.html"), 4)


def test_error_while_streaming_points_at_the_template_line(tmp_path):
    (tmp_path / "page.html").write_text("a\n\n{{ 1 // zero }}")
    template = Environment(loader=FileSystemLoader(str(tmp_path))).get_template("page.html")
    with pytest.raises(ZeroDivisionError) as caught:
        list(template.generate(zero=0))
    assert last_frames(caught.value, 1) == [(os.path.join(str(tmp_path), "page.html"), 3)]


# -- Compiling, streaming and caching --------------------------------------------------------------


def test_generate_yields_output_before_consuming_the_whole_context_generator():
    consumed = []

    def numbers():
        for number in range(3):
            consumed.append(number)
            yield number

    stream = Environment().from_string("a{% for n in numbers %}[{{ n }}]{% endfor %}z").generate(numbers=numbers())
    progress = [(piece, list(consumed)) for piece in stream]
    assert progress[0] == ("a", [])
    assert progress[1][1] == [0]
    assert "".join(piece for piece, _ in progress) == "a[0][1][2]z"


def test_template_source_is_python_that_names_the_template():
    environment = Environment(loader=DictLoader({"page.html": "Hello {{ name|upper }}!"}))
    source = environment.get_template("page.html").source
    compile(source, "<generated>", "exec")
    assert "'page.html'" in source and "Hello " in source


def test_template_class_compiles_with_a_default_environment():
    assert (Template("x{{ y }}").render(y=1), Template("<{{ y }}>", autoescape=True).render(y="<")) == ("x1", "<&lt;>")


def test_get_template_compiles_once_and_caches(tmp_path):
    (tmp_path / "a.html").write_text("v1")
    environment = Environment(loader=FileSystemLoader(str(tmp_path)))
    assert environment.get_template("a.html") is environment.get_template("a.html")


def bump_and_rewrite(path, text):
    before = os.stat(path).st_mtime
    path.write_text(text)
    os.utime(path, (before + 10, before + 10))


def test_auto_reload_recompiles_a_template_whose_file_changed(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("v1")
    environment = Environment(loader=FileSystemLoader(str(tmp_path)))
    first = environment.get_template("a.html")
    bump_and_rewrite(path, "v2")
    second = environment.get_template("a.html")
    assert (second is not first, second.render()) == (True, "v2")


def test_without_auto_reload_a_changed_file_is_not_reread(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("v1")
    environment = Environment(loader=FileSystemLoader(str(tmp_path)), auto_reload=False)
    first = environment.get_template("a.html")
    bump_and_rewrite(path, "v2")
    assert environment.get_template("a.html") is first


# -- Security ------------------------------------------------------------------------------------
# NOTE: Jinja (outside its sandbox) allows these; microflask refuses them on purpose.

REFUSED = [
    pytest.param("{{ ''.__class__ }}", id="dunder-attribute"),
    pytest.param("{{ ([1]|map('string')).gi_frame }}", id="generator-frame-from-a-filter"),
    pytest.param("{{ ([1]|map('string'))|attr('gi_code') }}", id="generator-code-through-attr-filter"),
    pytest.param("{{ dict.mro() }}", id="class-mro"),
    pytest.param("{{ '{0.__globals__}'.format(lipsum) }}", id="format-string-field"),
    pytest.param("{{ '{0:{1.__class__}}'.format(1, 2) }}", id="nested-format-string-field"),
]


@pytest.mark.parametrize("source", REFUSED)
def test_access_to_interpreter_internals_raises_security_error(source):
    with pytest.raises(SecurityError):
        render(source)


def test_generator_frame_globals_cannot_reach_builtins_regression():
    source = "{{ ([1]|map('string')).gi_frame.f_globals['__builtins__']['__import__']('os').getcwd() }}"
    with pytest.raises(SecurityError):
        render(source)


def test_harmless_format_strings_still_work():
    assert render("{{ '{0}-{a}'.format(1, a=2) }}|{{ '{x}'.format_map({'x': 3}) }}") == "1-2|3"


def test_huge_range_is_refused_with_overflow_error():
    with pytest.raises(OverflowError):
        render("{% for x in range(10**9) %}{% endfor %}")


def test_context_string_that_looks_like_a_template_renders_literally():
    assert render("{{ s }}", s="{{ 7*7 }}{% if true %}x{% endif %}") == "{{ 7*7 }}{% if true %}x{% endif %}"


def test_assigning_an_attribute_of_a_non_namespace_is_refused():
    with pytest.raises(TemplateRuntimeError, match="cannot assign attribute on non-namespace object"):
        render("{% set d = {} %}{% set d.x = 1 %}")
