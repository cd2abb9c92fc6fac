"""Templates: microflask's engine (``microflask.templating``) against Jinja2, side by side.

    python benchmarks/templates.py [--quick]

Measures, in one run with the rounds interleaved:
  * bigtable: 1000 rows x 10 columns of dicts, autoescaped, one render per call;
  * realistic page: a layout with ``title``/``content`` blocks extended by a page that loops over
    100 items (``loop.index``, ``loop.cycle``, an ``if``, ``title``/``truncate``/``default``/
    ``format`` filters, a macro and an ``{% include %}`` per item, a footer include), autoescaped,
    loaded through a ``DictLoader`` and pre-loaded, so one call is one render;
  * compile: ``env.compile(source, name)`` of the realistic page's five templates from source,
    no cache involved (lexing, parsing, code generation and CPython's ``compile``).
Before timing, both engines must produce byte-identical output for each benchmark; nothing is
normalised, and the first differing position is printed if they do not.
Targets: render <= 1.0x Jinja2 on both pages; compile <= 1.0x Jinja2.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import available, interleave, print_table  # noqa: E402

BIGTABLE_SOURCE = ("<table>{% for row in table %}<tr>{% for col in row.values() %}<td>{{ col }}</td>"
                   "{% endfor %}</tr>{% endfor %}</table>")

LAYOUT_SOURCE = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{% block title %}Shop{% endblock %} | {{ site_name }}</title>
</head>
<body>
  <nav>
  {%- for link in navigation %}
    <a href="{{ link.href }}"{% if link.href == active %} class="active"{% endif %}>{{ link.caption }}</a>
  {%- endfor %}
  </nav>
  <main>
  {% block content %}<p>Nothing here.</p>{% endblock %}
  </main>
  {% include "footer.html" %}
</body>
</html>
"""

PAGE_SOURCE = """\
{% extends "layout.html" %}
{% from "macros.html" import badge %}
{% block title %}{{ heading|title }}{% endblock %}
{% block content %}
<h1>{{ heading|title }}</h1>
<p>{{ intro }}</p>
<ul class="items">
{% for item in items %}
  <li class="{{ loop.cycle('odd', 'even') }}" id="item-{{ item.id }}">
    <span class="rank">{{ loop.index }}.</span>
    <a href="/items/{{ item.id }}">{{ item.name|title }}</a>
    <span class="summary">{{ item.description|truncate(20) }}</span>
    <span class="price">{{ "%.2f EUR"|format(item.price) }}</span>
    <span class="note">{{ item.note|default("no note") }}</span>
    {% if item.on_sale %}{{ badge("sale", "hot") }}{% else %}{{ badge(item.category) }}{% endif %}
    {% include "item_meta.html" %}
  </li>
{% endfor %}
</ul>
{% endblock %}
"""

MACROS_SOURCE = """\
{% macro badge(label, kind="info") -%}
<span class="badge badge-{{ kind }}">{{ label|upper }}</span>
{%- endmacro %}
"""

ITEM_META_SOURCE = """\
<small>{% if item.stock > 0 %}{{ item.stock }} in stock{% else %}sold out{% endif %}, \
seller {{ item.seller }}{% if loop.last %} (last){% endif %}</small>"""

FOOTER_SOURCE = """\
<footer>&copy; {{ year }} {{ site_name }} - {{ items|length }} items</footer>
"""

PAGE_TEMPLATES = {
    "layout.html": LAYOUT_SOURCE,
    "page.html": PAGE_SOURCE,
    "macros.html": MACROS_SOURCE,
    "item_meta.html": ITEM_META_SOURCE,
    "footer.html": FOOTER_SOURCE,
}

CATEGORIES = ("books", "garden", "kitchen", "toys & games", "<tools>")


def make_bigtable() -> list[dict[str, int]]:
    return [dict(a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9, j=10) for _ in range(1000)]


def make_item(index: int) -> dict[str, Any]:
    """One product; every third lacks a note (``default`` fires), some text needs escaping."""
    item: dict[str, Any] = {
        "id": index,
        "name": f"item number {index} of the <catalogue>",
        "description": f"A fine & sturdy product, model {index * 7}, for everyday \"use\" at home",
        "price": index * 1.37 + 0.5,
        "category": CATEGORIES[index % len(CATEGORIES)],
        "on_sale": index % 4 == 0,
        "stock": index % 5,
        "seller": f"O'Brien & Sons #{index % 9}",
    }
    if index % 3:
        item["note"] = f"ships in {index % 6 + 1} days"
    return item


def make_page_context() -> dict[str, Any]:
    return {
        "site_name": "Tom & Jerry's <Shop>",
        "year": 2026,
        "active": "/items",
        "navigation": [{"href": href, "caption": caption} for href, caption in
                       (("/", "Home"), ("/items", "Items"), ("/about", "About <us>"))],
        "heading": "all the products we sell",
        "intro": "Prices include VAT & shipping <within the EU>.",
        "items": [make_item(index) for index in range(1, 101)],
    }


def make_environments(module: Any) -> tuple[Any, Any]:
    """(string environment, DictLoader environment) of a Jinja-compatible module, autoescaped."""
    return (module.Environment(autoescape=True),
            module.Environment(loader=module.DictLoader(PAGE_TEMPLATES), autoescape=True))


def load_engines() -> Dict[str, Any]:
    import microflask.templating

    engines = {"microflask": microflask.templating}
    if available("jinja2"):
        import jinja2

        engines["jinja2"] = jinja2
    return engines


def describe_difference(expected: str, actual: str) -> str:
    """Where two outputs first differ, with a little context on each side."""
    position = next((index for index, (a, b) in enumerate(zip(expected, actual)) if a != b),
                    min(len(expected), len(actual)))
    start = max(0, position - 60)
    return (f"first difference at character {position} (lengths {len(expected)} vs {len(actual)}):\n"
            f"    jinja2:     {expected[start:position + 60]!r}\n"
            f"    microflask: {actual[start:position + 60]!r}")


def check_same_output(title: str, renders: Dict[str, Callable[[], str]]) -> None:
    """Every engine must render exactly what Jinja2 renders; the difference is a bug to report."""
    outputs = {name: render() for name, render in renders.items()}
    reference = outputs.get("jinja2")
    if reference is None:
        return
    mine = outputs["microflask"]
    if mine != reference:
        raise AssertionError(f"{title}: microflask's output differs from Jinja2's; "
                             f"{describe_difference(reference, mine)}")


def bench_bigtable(engines: Dict[str, Any], quick: bool) -> Dict[str, float]:
    table = make_bigtable()
    renders = {}
    for name, module in engines.items():
        template = make_environments(module)[0].from_string(BIGTABLE_SOURCE)
        renders[name] = lambda template=template: template.render(table=table)
    check_same_output("bigtable", renders)
    times = interleave(renders, number=5 if quick else 20, rounds=3 if quick else 9)
    print_table("templates bigtable: 1000x10 dict table, autoescaped, one render per call",
                times, target="microflask/jinja2 <= 1.0")
    return times


def bench_page(engines: Dict[str, Any], quick: bool) -> Dict[str, float]:
    context = make_page_context()
    renders = {}
    for name, module in engines.items():
        environment = make_environments(module)[1]
        template = environment.get_template("page.html")
        for other in PAGE_TEMPLATES:  # pre-load the includes, imports and layout
            environment.get_template(other)
        renders[name] = lambda template=template: template.render(context)
    check_same_output("realistic page", renders)
    times = interleave(renders, number=20 if quick else 100, rounds=3 if quick else 9)
    print_table("templates realistic page: layout + blocks, 100 items with filters, macro and "
                "include each, DictLoader, one render per call", times, target="microflask/jinja2 <= 1.0")
    return times


def compile_all(environment: Any) -> list:
    return [environment.compile(source, name) for name, source in PAGE_TEMPLATES.items()]


def bench_compile(engines: Dict[str, Any], quick: bool) -> Dict[str, float]:
    compilers = {}
    for name, module in engines.items():
        environment = make_environments(module)[1]
        compilers[name] = lambda environment=environment: compile_all(environment)
    times = interleave(compilers, number=5 if quick else 30, rounds=3 if quick else 9)
    print_table(f"templates compile: env.compile(source, name) of the realistic page's "
                f"{len(PAGE_TEMPLATES)} templates per call, no cache", times, target="microflask/jinja2 <= 1.0")
    return times


def main(quick: bool = False) -> dict:
    engines = load_engines()
    return {
        "bigtable": bench_bigtable(engines, quick),
        "page": bench_page(engines, quick),
        "compile": bench_compile(engines, quick),
    }


if __name__ == "__main__":
    main("--quick" in sys.argv)
