"""Tests for microflask.routing: converters, precedence, redirects, subdomains, building."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from microflask.exceptions import MethodNotAllowed, NotFound
from microflask.routing import (
    BaseConverter,
    BuildError,
    Map,
    MapAdapter,
    RequestRedirect,
    Rule,
    ValidationError,
    parse_converter_arguments,
)

#: A copy of the team's shared GitHub API route table (``../shared/data/routes_github.txt``).
ROUTE_TABLE = Path(__file__).resolve().parent.parent / "benchmarks" / "routes_github.txt"


def bind(*rules: Rule, server_name: str = "example.com", **map_options) -> MapAdapter:
    return Map(list(rules), **map_options).bind(server_name)


def redirect_of(adapter: MapAdapter, path: str, method: str = "GET") -> str:
    with pytest.raises(RequestRedirect) as info:
        adapter.match(path, method)
    return info.value.new_url


# -- converters ------------------------------------------------------------------------------


def test_default_converter_matches_one_segment_only():
    adapter = bind(Rule("/u/<name>", endpoint="user"))
    assert adapter.match("/u/ann") == ("user", {"name": "ann"})
    with pytest.raises(NotFound):
        adapter.match("/u/ann/bob")


def test_string_length_requires_exact_length():
    adapter = bind(Rule("/l/<string(length=2):lang>", endpoint="lang"))
    assert adapter.match("/l/de") == ("lang", {"lang": "de"})
    with pytest.raises(NotFound):
        adapter.match("/l/deu")


def test_string_minlength_and_maxlength_bound_the_segment():
    adapter = bind(Rule("/s/<string(minlength=2, maxlength=3):code>", endpoint="code"))
    assert adapter.match("/s/abc")[1] == {"code": "abc"}
    for path in ("/s/a", "/s/abcd"):
        with pytest.raises(NotFound):
            adapter.match(path)


def test_int_converter_returns_an_int():
    adapter = bind(Rule("/n/<int:n>", endpoint="n"))
    assert adapter.match("/n/042") == ("n", {"n": 42})


def test_int_converter_rejects_letters_signs_and_non_ascii_digits():
    adapter = bind(Rule("/n/<int:n>", endpoint="n"))
    for path in ("/n/4x", "/n/-4", "/n/+4", "/n/\u0661"):
        with pytest.raises(NotFound):
            adapter.match(path)


def test_int_segment_too_long_for_int_is_a_404_not_a_crash():
    # Python versions limiting int() to 4300 digits make this a 404; older ones match it.
    try:
        bind(Rule("/n/<int:n>", endpoint="n")).match("/n/" + "9" * 5000)
    except NotFound:
        pass


def test_int_min_and_max_bound_the_value():
    adapter = bind(Rule("/n/<int(min=1, max=10):n>", endpoint="n"))
    assert adapter.match("/n/10")[1] == {"n": 10}
    for path in ("/n/0", "/n/11"):
        with pytest.raises(NotFound):
            adapter.match(path)


def test_signed_int_accepts_a_minus_sign():
    adapter = bind(Rule("/n/<int(signed=True):n>", endpoint="n"))
    assert adapter.match("/n/-3")[1] == {"n": -3}


def test_int_fixed_digits_requires_the_width_and_pads_when_building():
    adapter = bind(Rule("/y/<int(fixed_digits=4):year>", endpoint="year"))
    assert adapter.match("/y/0999")[1] == {"year": 999}
    with pytest.raises(NotFound):
        adapter.match("/y/999")
    assert adapter.build("year", {"year": 7}) == "/y/0007"


def test_float_converter_requires_a_dot():
    adapter = bind(Rule("/f/<float:x>", endpoint="f"))
    assert adapter.match("/f/1.5")[1] == {"x": 1.5}
    with pytest.raises(NotFound):
        adapter.match("/f/1")


def test_signed_float_with_negative_min_from_converter_arguments():
    adapter = bind(Rule("/f/<float(signed=True, min=-2.5):x>", endpoint="f"))
    assert adapter.match("/f/-2.5")[1] == {"x": -2.5}
    with pytest.raises(NotFound):
        adapter.match("/f/-3.0")


def test_uuid_converter_returns_a_uuid():
    adapter = bind(Rule("/u/<uuid:id>", endpoint="u"))
    value = "12345678-1234-1234-1234-1234567890AB"
    assert adapter.match(f"/u/{value}")[1] == {"id": uuid.UUID(value)}
    assert adapter.build("u", {"id": uuid.UUID(int=5)}) == "/u/00000000-0000-0000-0000-000000000005"


def test_any_converter_matches_only_its_words():
    adapter = bind(Rule('/<any(about, help, "imprint"):page>', endpoint="page"))
    assert adapter.match("/imprint")[1] == {"page": "imprint"}
    with pytest.raises(NotFound):
        adapter.match("/contact")


def test_any_converter_refuses_to_build_another_word():
    adapter = bind(Rule("/<any(about, help):page>", endpoint="page"))
    with pytest.raises(ValueError, match="not one of"):
        adapter.build("page", {"page": "contact"})


def test_path_converter_spans_slashes():
    adapter = bind(Rule("/files/<path:name>", endpoint="file"))
    assert adapter.match("/files/a/b/c.txt")[1] == {"name": "a/b/c.txt"}


def test_path_converter_can_be_followed_by_a_static_segment():
    adapter = bind(Rule("/src/<path:name>/edit", endpoint="edit"))
    assert adapter.match("/src/a/b/edit")[1] == {"name": "a/b"}


class ListConverter(BaseConverter):
    def to_python(self, value):
        return value.split(",")

    def to_url(self, value):
        return ",".join(super(ListConverter, self).to_url(item) for item in value)


def test_custom_converter_registered_on_the_map_converts_both_ways():
    url_map = Map()
    url_map.converters["list"] = ListConverter
    url_map.add(Rule("/tags/<list:tags>", endpoint="tags"))
    adapter = url_map.bind("example.com")
    assert adapter.match("/tags/a,b")[1] == {"tags": ["a", "b"]}
    assert adapter.build("tags", {"tags": ["x", "y z"]}) == "/tags/x,y%20z"


class EvenConverter(BaseConverter):
    regex = "[0-9]+"

    def to_python(self, value):
        if int(value) % 2:
            raise ValidationError()
        return int(value)


def test_validation_error_in_a_converter_falls_through_to_the_next_rule():
    adapter = bind(Rule("/n/<even:n>", endpoint="even"), Rule("/n/<m>", endpoint="other"),
                   converters={"even": EvenConverter})
    assert adapter.match("/n/4") == ("even", {"n": 4})
    assert adapter.match("/n/5") == ("other", {"m": "5"})


class DatePathConverter(BaseConverter):
    regex = "[0-9]{4}/[0-9]{2}"


def test_converter_whose_regex_has_a_slash_spans_segments():
    adapter = bind(Rule("/blog/<date:month>/<slug>", endpoint="post"), converters={"date": DatePathConverter})
    assert adapter.match("/blog/2024/05/hello")[1] == {"month": "2024/05", "slug": "hello"}


class WordsConverter(BaseConverter):
    regex = "[a-z/]+?"
    part_isolating = False


def test_converter_that_is_not_part_isolating_spans_segments():
    adapter = bind(Rule("/w/<words:w>/end", endpoint="w"), converters={"words": WordsConverter})
    assert adapter.match("/w/a/b/end")[1] == {"w": "a/b"}


def test_converter_arguments_are_python_literals_and_bare_names_are_strings():
    assert parse_converter_arguments('about, "x y", 3, -1.5, True, None, max=5') == (
        ("about", "x y", 3, -1.5, True, None),
        {"max": 5},
    )


def test_converters_are_per_map():
    first = Map()
    first.converters["list"] = ListConverter
    assert "list" not in Map().converters
    assert "list" not in Map.default_converters


# -- rules -----------------------------------------------------------------------------------


def test_rule_must_start_with_a_slash():
    with pytest.raises(ValueError, match="must start with a slash"):
        Rule("users", endpoint="users")


def test_unknown_converter_raises_lookup_error_naming_the_rule():
    with pytest.raises(LookupError, match=r"'nope'.*'/a/<nope:x>'"):
        Map([Rule("/a/<nope:x>", endpoint="a")])


def test_duplicate_variable_name_raises_value_error():
    with pytest.raises(ValueError, match="used twice"):
        Map([Rule("/<int:x>/<x>", endpoint="a")])


def test_malformed_variable_raises_value_error_naming_the_rule():
    with pytest.raises(ValueError, match=r"malformed URL rule '/a/<x'"):
        Rule("/a/<x", endpoint="a")


def test_unparsable_converter_arguments_raise_value_error():
    with pytest.raises(ValueError, match="bad converter"):
        Map([Rule("/a/<int(max=):x>", endpoint="a")])


def test_unknown_converter_keyword_raises_value_error():
    with pytest.raises(ValueError, match="bad converter"):
        Map([Rule("/a/<int(maximum=3):x>", endpoint="a")])


def test_methods_as_a_string_is_rejected():
    with pytest.raises(TypeError):
        Rule("/", methods="GET", endpoint="index")


def test_get_rule_also_allows_head_and_upper_cases_methods():
    assert Rule("/", methods=["get", "post"], endpoint="index").methods == {"GET", "HEAD", "POST"}


def test_rule_arguments_include_variables_and_defaults():
    url_map = Map([Rule("/page/<int:n>", defaults={"lang": "en"}, endpoint="page")])
    assert next(url_map.iter_rules()).arguments == {"n", "lang"}


def test_rule_cannot_be_bound_to_two_maps():
    rule = Rule("/", endpoint="index")
    Map([rule])
    with pytest.raises(RuntimeError, match="already bound"):
        Map([rule])


def test_iter_rules_filters_by_endpoint_in_registration_order():
    first, second, other = Rule("/a", endpoint="x"), Rule("/b", endpoint="x"), Rule("/c", endpoint="y")
    url_map = Map([first, other, second])
    assert list(url_map.iter_rules("x")) == [first, second]
    assert list(url_map.iter_rules()) == [first, other, second]


def test_is_endpoint_expecting_checks_the_arguments_of_its_rules():
    url_map = Map([Rule("/<lang>/page", endpoint="page"), Rule("/about", endpoint="about")])
    assert url_map.is_endpoint_expecting("page", "lang")
    assert not url_map.is_endpoint_expecting("about", "lang")


def test_match_returns_the_rule_and_values_including_defaults():
    rule = Rule("/page/<int:n>", defaults={"lang": "en"}, endpoint="page")
    adapter = Map([rule]).bind("example.com")
    assert adapter.match("/page/2", return_rule=True) == (rule, {"n": 2, "lang": "en"})


# -- precedence ------------------------------------------------------------------------------

PRECEDENCE_RULES = [
    ("/<a>/x", "a_x"), ("/b/<c>", "b_c"), ("/<int:n>", "int"), ("/<s>", "string"),
    ("/<name>.html", "html"), ("/v<int:version>", "version"), ("/<path:p>", "path"), ("/z/<a>-<b>", "pair"),
]
PRECEDENCE_CASES = [
    ("/b/x", "b_c", {"c": "x"}),
    ("/b/y", "b_c", {"c": "y"}),
    ("/q/x", "a_x", {"a": "q"}),
    ("/5", "int", {"n": 5}),
    ("/five", "string", {"s": "five"}),
    ("/a.html", "html", {"name": "a"}),
    ("/v2", "version", {"version": 2}),
    ("/q/y/z", "path", {"p": "q/y/z"}),
    ("/z/a-b", "pair", {"a": "a", "b": "b"}),
]


@pytest.mark.parametrize("order", [1, -1], ids=["registered-forwards", "registered-backwards"])
@pytest.mark.parametrize("path, endpoint, values", PRECEDENCE_CASES)
def test_precedence_does_not_depend_on_registration_order(order, path, endpoint, values):
    adapter = bind(*[Rule(rule, endpoint=name) for rule, name in PRECEDENCE_RULES[::order]])
    assert adapter.match(path) == (endpoint, values)


def test_static_rule_wins_over_a_dynamic_one_added_first():
    adapter = bind(Rule("/users/<name>", endpoint="user"), Rule("/users/new", endpoint="new"))
    assert adapter.match("/users/new") == ("new", {})


def test_backtracking_leaves_a_static_branch_that_fails_deeper():
    adapter = bind(Rule("/users/new/form", endpoint="form"), Rule("/users/<name>/posts", endpoint="posts"))
    assert adapter.match("/users/new/posts") == ("posts", {"name": "new"})


def test_custom_regex_converter_wins_over_string():
    adapter = bind(Rule("/n/<m>", endpoint="string"), Rule("/n/<even:n>", endpoint="even"),
                   converters={"even": EvenConverter})
    assert adapter.match("/n/8")[0] == "even"


# -- methods ---------------------------------------------------------------------------------


def test_unknown_path_is_not_found():
    with pytest.raises(NotFound):
        bind(Rule("/a", endpoint="a")).match("/b")


def test_method_not_allowed_lists_the_methods_of_all_matching_rules():
    adapter = bind(Rule("/x/<int:n>", methods=["POST"], endpoint="a"), Rule("/x/<s>", methods=["PUT"], endpoint="b"))
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/x/5", "DELETE")
    assert info.value.valid_methods == ["POST", "PUT"]
    assert ("Allow", "POST, PUT") in info.value.get_headers()


def test_rule_with_the_right_method_wins_over_one_with_another_method():
    adapter = bind(Rule("/m", methods=["GET"], endpoint="read"), Rule("/m", methods=["POST"], endpoint="write"))
    assert adapter.match("/m", "POST")[0] == "write"
    assert adapter.match("/m", "HEAD")[0] == "read"


def test_more_specific_rule_for_another_method_does_not_hide_a_general_one():
    adapter = bind(Rule("/items/new", methods=["POST"], endpoint="create"), Rule("/items/<name>", endpoint="item"))
    assert adapter.match("/items/new", "GET") == ("item", {"name": "new"})


def test_method_defaults_to_the_bound_default_method():
    adapter = Map([Rule("/m", methods=["POST"], endpoint="write")]).bind("example.com", default_method="post")
    assert adapter.match("/m") == ("write", {})


def test_rule_without_methods_accepts_any_method():
    assert bind(Rule("/any", endpoint="any")).match("/any", "PATCH")[0] == "any"


def test_rules_whose_converters_refuse_do_not_count_for_405():
    adapter = bind(Rule("/n/<int(max=5):n>", methods=["GET"], endpoint="n"))
    with pytest.raises(NotFound):
        adapter.match("/n/9", "POST")


def test_allowed_methods_of_a_path():
    adapter = bind(Rule("/m", methods=["GET"], endpoint="read"), Rule("/m", methods=["DELETE"], endpoint="drop"))
    assert adapter.allowed_methods("/m") == ["DELETE", "GET", "HEAD"]
    assert adapter.allowed_methods("/nothing") == []


# -- slashes and redirects -------------------------------------------------------------------


def test_branch_rule_redirects_a_missing_slash_keeping_the_query_string():
    adapter = Map([Rule("/a/", endpoint="a")]).bind("example.com", "/script", query_args="x=1")
    assert redirect_of(adapter, "/a") == "http://example.com/script/a/?x=1"


def test_slash_redirect_encodes_query_args_given_as_a_dict():
    adapter = bind(Rule("/a/", endpoint="a"))
    with pytest.raises(RequestRedirect) as info:
        adapter.match("/a", query_args={"q": ["1", "2"], "s": "a b"})
    assert info.value.new_url == "http://example.com/a/?q=1&q=2&s=a+b"


def test_slash_redirect_wins_over_a_path_converter():
    adapter = bind(Rule("/docs/", endpoint="docs"), Rule("/<path:p>", endpoint="page"))
    assert redirect_of(adapter, "/docs") == "http://example.com/docs/"


def test_tail_branch_rule_redirects_a_missing_slash():
    adapter = bind(Rule("/t/<path:p>/", endpoint="tree"))
    assert redirect_of(adapter, "/t/a/b") == "http://example.com/t/a/b/"


def test_leaf_rule_requested_with_a_trailing_slash_is_not_found():
    with pytest.raises(NotFound):
        bind(Rule("/a", endpoint="a")).match("/a/")


def test_strict_slashes_false_matches_both_spellings():
    adapter = bind(Rule("/a/", endpoint="a"), Rule("/b", endpoint="b"), strict_slashes=False)
    assert adapter.match("/a")[0] == "a"
    assert adapter.match("/b/")[0] == "b"


def test_doubled_slashes_redirect_to_the_merged_path():
    adapter = bind(Rule("/a/b/<int:n>", endpoint="ab"))
    assert redirect_of(adapter, "/a//b///3") == "http://example.com/a/b/3"


def test_merge_slashes_false_leaves_doubled_slashes_unmatched():
    with pytest.raises(NotFound):
        bind(Rule("/a/b", endpoint="ab"), merge_slashes=False).match("/a//b")


def test_path_without_or_with_many_leading_slashes_is_matched_as_one():
    adapter = bind(Rule("/a/b", endpoint="ab"))
    assert adapter.match("a/b")[0] == "ab"
    assert adapter.match("//a/b")[0] == "ab"


def test_redirect_to_string_fills_in_the_values():
    adapter = bind(Rule("/old/<int:n>", redirect_to="/new/<n>"))
    assert redirect_of(adapter, "/old/3") == "http://example.com/new/3"


def test_redirect_to_callable_gets_the_adapter_and_values():
    adapter = bind(Rule("/old/<name>", redirect_to=lambda adapter, name: f"/people/{name.upper()}"))
    assert redirect_of(adapter, "/old/ann") == "http://example.com/people/ANN"


def test_url_spelling_out_defaults_redirects_to_the_rule_with_them():
    adapter = bind(Rule("/page/", defaults={"n": 1}, endpoint="page"), Rule("/page/<int:n>", endpoint="page"))
    assert redirect_of(adapter, "/page/1") == "http://example.com/page/"
    assert adapter.match("/page/2") == ("page", {"n": 2})
    assert adapter.match("/page/") == ("page", {"n": 1})


def test_defaults_redirect_does_not_depend_on_registration_order():
    adapter = bind(Rule("/page/<int:n>", endpoint="page"), Rule("/page/", defaults={"n": 1}, endpoint="page"))
    assert redirect_of(adapter, "/page/1") == "http://example.com/page/"


def test_redirect_defaults_false_matches_the_spelled_out_url():
    adapter = bind(Rule("/page/", defaults={"n": 1}, endpoint="page"), Rule("/page/<int:n>", endpoint="page"),
                   redirect_defaults=False)
    assert adapter.match("/page/1") == ("page", {"n": 1})


def test_alias_rule_redirects_to_the_canonical_rule():
    adapter = bind(Rule("/about", endpoint="about"), Rule("/about-us", endpoint="about", alias=True))
    assert redirect_of(adapter, "/about-us") == "http://example.com/about"
    assert adapter.build("about") == "/about"


def test_request_redirect_carries_code_308_and_a_location_header():
    redirect = RequestRedirect("http://example.com/a/")
    assert redirect.code == 308
    assert ("Location", "http://example.com/a/") in redirect.get_headers()


def test_request_redirect_response_is_a_308_with_location():
    response = RequestRedirect("http://example.com/a/").get_response()
    assert response.status_code == 308
    assert response.headers["Location"] == "http://example.com/a/"


# -- subdomains and hosts --------------------------------------------------------------------


SUBDOMAIN_RULES = [
    Rule("/", subdomain="api", endpoint="api"), Rule("/", subdomain="<user>", endpoint="user_home"),
    Rule("/", endpoint="index"),
]


def subdomain_adapter(subdomain):
    return Map([Rule(rule.rule, subdomain=rule.subdomain, endpoint=rule.endpoint) for rule in SUBDOMAIN_RULES]).bind(
        "example.com", subdomain=subdomain
    )


def test_rule_without_subdomain_matches_the_default_subdomain():
    assert subdomain_adapter(None).match("/")[0] == "index"


def test_static_subdomain_wins_over_a_variable_one():
    assert subdomain_adapter("api").match("/")[0] == "api"


def test_variable_subdomain_captures_its_value():
    assert subdomain_adapter("ann").match("/") == ("user_home", {"user": "ann"})


def test_bind_to_environ_derives_the_subdomain_from_the_host():
    url_map = Map([Rule("/", subdomain="api", endpoint="api"), Rule("/", endpoint="index")])
    environ = {"HTTP_HOST": "API.example.com:80", "wsgi.url_scheme": "http", "PATH_INFO": "/"}
    adapter = url_map.bind_to_environ(environ, server_name="example.com")
    assert (adapter.subdomain, adapter.match()) == ("api", ("api", {}))


def test_host_outside_the_server_name_matches_nothing():
    url_map = Map([Rule("/", subdomain="<user>", endpoint="user_home"), Rule("/", endpoint="index")])
    environ = {"HTTP_HOST": "other.org", "wsgi.url_scheme": "http", "PATH_INFO": "/"}
    adapter = url_map.bind_to_environ(environ, server_name="example.com")
    with pytest.raises(NotFound):
        adapter.match()


def test_bind_to_environ_reads_script_name_path_query_method_and_port():
    environ = {
        "SERVER_NAME": "Example.com", "SERVER_PORT": "8080", "wsgi.url_scheme": "http", "SCRIPT_NAME": "/app",
        "PATH_INFO": "/caf\xc3\xa9", "QUERY_STRING": "a=1", "REQUEST_METHOD": "POST",
    }
    adapter = Map().bind_to_environ(environ)
    assert (adapter.server_name, adapter.script_name, adapter.path_info) == ("example.com:8080", "/app/", "/café")
    assert (adapter.query_args, adapter.default_method) == ("a=1", "POST")


def test_bind_to_environ_drops_the_default_port_of_the_scheme():
    environ = {"HTTP_HOST": "example.com:443", "wsgi.url_scheme": "https", "PATH_INFO": "/"}
    assert Map().bind_to_environ(environ).server_name == "example.com"


def test_host_matching_captures_variables_of_the_host():
    url_map = Map([Rule("/", host="<tenant>.example.com", endpoint="tenant"),
                   Rule("/", host="example.com", endpoint="main")], host_matching=True)
    assert url_map.bind("acme.example.com").match("/") == ("tenant", {"tenant": "acme"})
    assert url_map.bind("example.com").match("/") == ("main", {})
    with pytest.raises(NotFound):
        url_map.bind("other.org").match("/")


def test_host_matching_builds_an_absolute_url_for_another_host():
    url_map = Map([Rule("/", host="<tenant>.example.com", endpoint="tenant")], host_matching=True)
    adapter = url_map.bind("acme.example.com")
    assert adapter.build("tenant", {"tenant": "acme"}) == "/"
    assert adapter.build("tenant", {"tenant": "beta"}) == "http://beta.example.com/"


# -- building --------------------------------------------------------------------------------


def build_adapter(**bind_options):
    rules = [
        Rule("/user/<name>", endpoint="user"), Rule("/files/<path:name>", endpoint="file"),
        Rule("/page/", defaults={"n": 1}, endpoint="page"), Rule("/page/<int:n>", endpoint="page"),
        Rule("/post", methods=["POST"], endpoint="post"), Rule("/post/form", methods=["GET"], endpoint="post"),
        Rule("/", subdomain="api", endpoint="api"), Rule("/users", endpoint="users"),
    ]
    return Map(rules).bind("example.com", **bind_options)


def test_build_prefixes_the_script_name():
    assert build_adapter(script_name="/app").build("user", {"name": "ann"}) == "/app/user/ann"


def test_build_appends_unknown_values_as_the_query_string():
    assert build_adapter().build("user", {"name": "ann", "q": "a b&c"}) == "/user/ann?q=a+b%26c"


def test_build_repeats_the_key_of_a_list_value_and_drops_none():
    url = build_adapter().build("user", {"name": "ann", "tag": ["x", "y"], "skip": None})
    assert url == "/user/ann?tag=x&tag=y"


def test_build_leaves_out_unknown_values_when_told():
    assert build_adapter().build("user", {"name": "ann", "q": "1"}, append_unknown=False) == "/user/ann"


def test_build_quotes_a_segment_value_but_leaves_slashes_as_flask_does():
    assert build_adapter().build("user", {"name": "a b/c?é"}) == "/user/a%20b/c%3F%C3%A9"


def test_build_keeps_slashes_of_a_path_value():
    assert build_adapter().build("file", {"name": "docs/a b.txt"}) == "/files/docs/a%20b.txt"


def test_build_force_external_uses_the_scheme_and_host():
    adapter = build_adapter()
    assert adapter.build("users", force_external=True) == "http://example.com/users"
    assert adapter.build("users", force_external=True, url_scheme="https") == "https://example.com/users"


def test_build_for_another_subdomain_is_absolute():
    assert build_adapter().build("api") == "http://api.example.com/"
    assert build_adapter(subdomain="api").build("users") == "http://example.com/users"


def test_build_picks_the_rule_whose_defaults_match():
    adapter = build_adapter()
    assert adapter.build("page") == "/page/"
    assert adapter.build("page", {"n": 1}) == "/page/"
    assert adapter.build("page", {"n": 2}) == "/page/2"


def test_build_picks_the_rule_for_the_method():
    adapter = build_adapter()
    assert adapter.build("post", method="POST") == "/post"
    assert adapter.build("post") == "/post/form"


class PairList:
    """A MultiDict-like value source: several values per key."""

    def __init__(self, pairs):
        self.pairs = pairs

    def keys(self):
        return list(dict.fromkeys(key for key, _ in self.pairs))

    def getlist(self, key):
        return [value for name, value in self.pairs if name == key]

    def items(self):
        return [(key, self.getlist(key)[0]) for key in self.keys()]


def test_build_accepts_multidict_like_values():
    values = PairList([("name", "ann"), ("q", "1"), ("q", "2")])
    assert build_adapter().build("user", values) == "/user/ann?q=1&q=2"


def test_build_sorts_query_parameters_when_the_map_says_so():
    adapter = Map([Rule("/", endpoint="index")], sort_parameters=True).bind("example.com")
    assert adapter.build("index", {"b": 1, "a": 2, "c": [3, 1]}) == "/?a=2&b=1&c=3&c=1"


def test_build_error_names_the_missing_values():
    with pytest.raises(BuildError, match=r"Did you forget to specify values \['name'\]\?"):
        build_adapter().build("user")


def test_build_error_suggests_a_close_endpoint():
    with pytest.raises(BuildError, match="Did you mean 'users' instead?"):
        build_adapter().build("userss")


def test_build_error_suggests_the_methods_of_the_endpoint():
    with pytest.raises(BuildError, match=r"\('PUT'\)\. Did you mean to use methods \['GET', 'HEAD', 'POST'\]"):
        build_adapter().build("post", method="PUT")


def test_build_error_is_a_lookup_error_with_its_details():
    with pytest.raises(LookupError) as info:
        build_adapter().build("user", {"nam": 1})
    assert (info.value.endpoint, info.value.values, info.value.method) == ("user", {"nam": 1}, None)


# -- the compiled trie -----------------------------------------------------------------------


def test_describe_shows_the_trie_with_static_and_regex_edges_and_rules():
    url_map = Map([Rule("/users/<int:id>", methods=["GET"], endpoint="user"), Rule("/users/", endpoint="users")])
    assert url_map.describe().splitlines() == [
        "subdomain ''",
        "  /users",
        "    /",
        "      -> 'users' [any method] '/users/'",
        "    /([0-9]+)  (regex)",
        "      -> 'user' [GET, HEAD] '/users/<int:id>'",
    ]


def test_describe_marks_tail_edges_that_match_the_rest_of_the_path():
    assert "/([^/].*?)  (regex, rest of path)" in Map([Rule("/f/<path:p>", endpoint="f")]).describe()


def load_github_routes():
    lines = [line.split() for line in ROUTE_TABLE.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return [(method, re.sub(r":(\w+)", r"<\1>", path)) for method, path in lines]


def test_github_route_table_matches_every_route_to_itself():
    routes = load_github_routes()
    adapter = bind(*[Rule(path, methods=[method], endpoint=f"{method} {path}") for method, path in routes])
    for method, path in routes:
        names = re.findall(r"<(\w+)>", path)
        request_path = re.sub(r"<(\w+)>", r"\1-value", path)
        assert adapter.match(request_path, method) == (f"{method} {path}", {name: f"{name}-value" for name in names})
