"""Routing: rule strings -> a trie of path segments; one regex per dynamic segment.

Owns the role of ``werkzeug.routing``: a ``Rule`` parses ``/users/<int:id>``; a ``Map`` compiles
its rules; a ``MapAdapter`` (the map bound to one host) matches a path to ``(endpoint, values)``
and builds URLs back from values; converters turn URL text into Python values and back.

``Map.add`` compiles a rule into steps, one for its subdomain (or host, with ``host_matching``)
and one per "/"-separated path segment, and inserts them into a trie shared by all rules. A
static segment is a dict key; a segment with converters (``<int:id>``, ``<name>.html``) is one
regex edge; from a converter that can match "/" (``path``) on, the rest of the rule is one
"tail" regex over the rest of the path. Fully static rules are also in a ``{path: node}`` dict.

Matching walks the trie depth first, so cost grows with path depth, never with rule count. At
each node it tries: 1. the static child (a dict lookup); 2. the dynamic edges, most specific
first: more literal text, then lower converter weights (int/float 50 < uuid 60 < any 70 <
custom 100 < string 110), then pattern text; 3. the tails (``path``: 200). A failure deeper
backtracks to the next candidate. Where the path ends, the rules for the request's method are
tried in turn; a converter raising ``ValidationError`` skips its rule. So precedence depends on
the rules, never on the order they were added (but among identical rules the first wins). Only
when nothing matches does a second walk collect the methods of matching rules for 405's Allow.

Redirects are 308 (RFC 9110 section 15.4.9): a "branch" rule (``/a/``) requested without its
slash, doubled slashes, a URL spelling out another rule's defaults, and ``redirect_to``.
Building quotes each value for its place in the URL (RFC 3986 sections 3.3 and 3.4).

Does not: know about apps, views or requests (see ``ctx.RequestContext.match_request`` and
``app.Flask.url_for``); websockets; Werkzeug's RuleFactory/Submount helpers.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Tuple, Union
from urllib.parse import quote, urlencode, urljoin

from .exceptions import HTTPException, MethodNotAllowed, NotFound
from .http import _decode_wsgi

#: Characters left unquoted in a built query string (RFC 3986 query chars that are not "&=+#").
QUERY_SAFE = "!$'()*,/:;?@"
#: Characters ``to_url`` leaves unquoted (RFC 3986 ``pchar`` plus "/").
# NOTE(routing): "/" stays unquoted even for ``string`` values, as Flask does, so
# ``url_for("user", name="a/b")`` gives ``/user/a/b`` (which that rule then does not match).
SEGMENT_SAFE = "!$&'()*+,/:;=@"
#: The same for values that may span segments (the ``path`` converter).
PATH_SAFE = SEGMENT_SAFE
#: The adapter's subdomain when the request's host is not under the configured server name.
INVALID_SUBDOMAIN = "<invalid>"

_VARIABLE = re.compile(
    r"""<(?:
        (?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)    # converter name
        (?:\((?P<arguments>.*?)\))?              # optional (arguments)
        :)?
        (?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>        # variable name
    """,
    re.VERBOSE,
)
_PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?(?P<name>[^<>]+)>")
_SLASHES = re.compile("/{2,}")
_NEGATED_CLASS = re.compile(r"\[\^[^\]]*\]")
_ANY_SEGMENT = "([^/]+)"
_SEGMENT, _TAIL = 0, 1

Token = Union[str, Tuple[str, str, str]]  # literal text, or (converter, arguments, name)
Step = Tuple[Optional[str], Optional[tuple], Optional[Tuple[int, ...]]]  # (text, edge key, groups)


class RoutingException(Exception):
    """Base of the exceptions the router raises to steer a request or a build."""


class RequestRedirect(HTTPException, RoutingException):
    """The URL has a canonical spelling elsewhere: a 308 response with ``Location``."""

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(f"This URL has moved to {new_url}.")
        self.new_url = new_url

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ), ("Location", self.new_url)]

    def get_response(self, environ: dict | None = None, scope: Any = None) -> Any:
        """The same "Redirecting..." page ``redirect()`` sends."""
        from .utils import redirect

        return redirect(self.new_url, self.code)


class BuildError(RoutingException, LookupError):
    """No rule can build a URL for ``endpoint`` with ``values`` (and ``method``)."""

    def __init__(self, endpoint: Any, values: Mapping[str, Any], method: str | None,
                 adapter: MapAdapter | None = None) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint, self.values, self.method, self.adapter = endpoint, dict(values), method, adapter

    def suggest(self) -> str:
        """A hint at what is most likely wrong: the endpoint's name, the method or missing values."""
        if self.adapter is None:
            return ""
        by_endpoint = self.adapter.map._rules_by_endpoint
        rules = by_endpoint.get(self.endpoint)
        if not rules:
            known = [str(endpoint) for endpoint in by_endpoint if endpoint is not None]
            import difflib

            close = difflib.get_close_matches(str(self.endpoint), known, n=1)
            return f" Did you mean {close[0]!r} instead?" if close else ""
        if self.method and not any(rule._accepts_method(self.method) for rule in rules):
            methods = sorted(set().union(*(rule.methods or () for rule in rules)))
            return f" Did you mean to use methods {methods!r}?"
        missing = min((rule._required - self.values.keys() for rule in rules), key=len)
        if missing:
            return f" Did you forget to specify values {sorted(missing)!r}?"
        return " The values do not match the defaults of any of its rules."

    def __str__(self) -> str:
        message = f"Could not build url for endpoint {self.endpoint!r}"
        if self.method:
            message += f" ({self.method!r})"
        if self.values:
            message += f" with values {sorted(self.values)!r}"
        return f"{message}.{self.suggest()}"


class ValidationError(ValueError):
    """Raised by a converter's ``to_python``: this rule does not match, try the next one."""


class _SlashRedirect(Exception):
    """Internal: the path matches a branch rule once a trailing slash is added."""


# -- converters ----------------------------------------------------------------------------------


class BaseConverter:
    """Turns one URL part into a Python value and back; ``regex`` says what the part looks like."""

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        self.map = map

    def to_python(self, value: str) -> Any:
        return value

    def to_url(self, value: Any) -> str:
        return quote(str(value), safe=SEGMENT_SAFE)


class UnicodeConverter(BaseConverter):
    """``<name>`` or ``<string(minlength=1, maxlength=None, length=None):name>``: one segment."""

    weight = 110

    def __init__(self, map: Map, minlength: int = 1, maxlength: int | None = None,
                 length: int | None = None) -> None:
        super().__init__(map)
        # NOTE(routing): a length bound makes the segment more specific than a bare string.
        if length is not None:
            self.regex, self.weight = f"[^/]{{{int(length)}}}", 100
        elif minlength != 1 or maxlength is not None:
            upper = "" if maxlength is None else int(maxlength)
            self.regex, self.weight = f"[^/]{{{int(minlength)},{upper}}}", 100


class AnyConverter(BaseConverter):
    """``<any(about, help, "imprint"):page>``: one of a fixed set of words."""

    weight = 70

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("the 'any' converter needs at least one item")
        self.items = tuple(str(item) for item in items)
        self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")"

    def to_url(self, value: Any) -> str:
        if value not in self.items:
            raise ValueError(f"{value!r} is not one of {', '.join(map(repr, self.items))}")
        return super().to_url(value)


class PathConverter(BaseConverter):
    """``<path:name>``: the rest of the path, slashes included."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False

    def to_url(self, value: Any) -> str:
        return quote(str(value), safe=PATH_SAFE)


class NumberConverter(BaseConverter):
    """Shared by ``int`` and ``float``: optional sign, fixed digit count and bounds."""

    weight = 50
    number_type: Callable[[str], Any] = int

    def __init__(self, map: Map, fixed_digits: int = 0, min: Any = None, max: Any = None,
                 signed: bool = False) -> None:
        super().__init__(map)
        if signed:
            self.regex = "-?" + self.regex
        self.fixed_digits, self.min, self.max, self.signed = fixed_digits, min, max, signed

    def to_python(self, value: str) -> Any:
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        try:
            number = self.number_type(value)
        except ValueError:  # more digits than int() converts (see sys.set_int_max_str_digits)
            raise ValidationError() from None
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        text = str(self.number_type(value))
        return text.zfill(self.fixed_digits) if self.fixed_digits else text


class IntegerConverter(NumberConverter):
    """``<int(fixed_digits=0, min=None, max=None, signed=False):name>``; ASCII digits only."""

    regex = "[0-9]+"


class FloatConverter(NumberConverter):
    """``<float(min=None, max=None, signed=False):name>``; needs a dot: ``1.5``, not ``1``."""

    regex = r"[0-9]+\.[0-9]+"
    number_type = float


class UUIDConverter(BaseConverter):
    """``<uuid:name>``: a hyphenated UUID, as a ``uuid.UUID``."""

    regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
    weight = 60

    def to_python(self, value: str) -> Any:
        import uuid  # imported on first use: it is slow to import and most apps never need it

        return uuid.UUID(value)


DEFAULT_CONVERTERS: dict[str, type[BaseConverter]] = {
    "default": UnicodeConverter, "string": UnicodeConverter, "any": AnyConverter, "path": PathConverter,
    "int": IntegerConverter, "float": FloatConverter, "uuid": UUIDConverter,
}


# -- compiling rule strings ----------------------------------------------------------------------


def parse_rule(rule: str) -> list[Token]:
    """Split ``/a/<int(min=1):b>`` into literal text and ``(converter, arguments, name)``."""
    tokens: list[Token] = []
    position = 0
    for found in _VARIABLE.finditer(rule):
        tokens.append(rule[position : found.start()])
        tokens.append((found["converter"] or "default", found["arguments"] or "", found["name"]))
        position = found.end()
    tokens.append(rule[position:])
    if any(isinstance(token, str) and "<" in token for token in tokens):
        raise ValueError(f"malformed URL rule {rule!r}: expected '<converter(arguments):name>'")
    return [token for token in tokens if token != ""]


def parse_converter_arguments(text: str) -> tuple[tuple, dict[str, Any]]:
    """``1, "a", b, max=5`` -> ``((1, "a", "b"), {"max": 5})``; a bare name is a string."""
    import ast

    call = ast.parse(f"converter({text})", mode="eval").body
    if not isinstance(call, ast.Call) or any(keyword.arg is None for keyword in call.keywords):
        raise ValueError(f"cannot parse converter arguments {text!r}")
    args = tuple(_evaluate_literal(node) for node in call.args)
    return args, {keyword.arg: _evaluate_literal(keyword.value) for keyword in call.keywords}


def _evaluate_literal(node: Any) -> Any:
    import ast

    return node.id if isinstance(node, ast.Name) else ast.literal_eval(node)


def _is_tail(converter: BaseConverter) -> bool:
    """Whether a converter can match "/": declared so, or "/" outside a ``[^/]``-style class."""
    return not converter.part_isolating or "/" in _NEGATED_CLASS.sub("", converter.regex)


def _compile_step(tokens: list[Token], converters: dict[str, BaseConverter], kind: int = _SEGMENT) -> Step:
    """One trie step: ``(text, None, None)`` if static, else ``(None, edge key, group numbers)``."""
    if all(isinstance(token, str) for token in tokens):
        return "".join(tokens), None, None  # type: ignore[arg-type]
    pieces, weights, numbers, literal, group = [], [], [], 0, 1
    for token in tokens:
        if isinstance(token, str):
            pieces.append(re.escape(token))
            literal += len(token)
            continue
        converter = converters[token[2]]
        pieces.append(f"({converter.regex})")
        weights.append(converter.weight)
        numbers.append(group)
        group += 1 + re.compile(converter.regex).groups
    # NOTE(routing): group numbers are kept only when a converter's regex has groups of its own.
    groups = None if group == len(numbers) + 1 else tuple(numbers)
    return None, (kind, -literal, tuple(weights), "".join(pieces)), groups


def _compile_path_steps(tokens: list[Token], converters: dict[str, BaseConverter]) -> list[Step]:
    """One step per "/"-separated segment; from a segment with a tail converter on, one tail step."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        pieces = token.split("/") if isinstance(token, str) else [token]
        segments[-1].extend(pieces[:1] if pieces[0] else [])
        segments.extend([piece] if piece else [] for piece in pieces[1:])
    segments = segments[1:]  # what precedes the leading slash: nothing
    steps = []
    for index, segment in enumerate(segments):
        if any(not isinstance(token, str) and _is_tail(converters[token[2]]) for token in segment):
            rest = [token for number, part in enumerate(segments[index:]) for token in ["/"][:number] + part]
            return [*steps, _compile_step(rest, converters, _TAIL)]
        steps.append(_compile_step(segment, converters))
    return steps


def _compile_convert(converters: dict[str, BaseConverter], defaults: dict | None) -> tuple[str, Callable]:
    """Source and function turning captured strings into view values, for example
    ``lambda captures: {**defaults, 'id': to_python_0(captures[0])}``."""
    namespace: dict[str, Any] = {"defaults": defaults}
    items = ["**defaults"] if defaults else []
    for index, (name, converter) in enumerate(converters.items()):
        value = f"captures[{index}]"
        # NOTE(routing): the base to_python is the identity; not calling it is a measured win.
        if type(converter).to_python is not BaseConverter.to_python:
            namespace[f"to_python_{index}"] = converter.to_python
            value = f"to_python_{index}({value})"
        items.append(f"{name!r}: {value}")
    source = "lambda captures: {" + ", ".join(items) + "}"
    return source, eval(source, namespace)  # noqa: S307 - built from identifiers _VARIABLE checked


# -- rules ---------------------------------------------------------------------------------------


class Rule:
    """One URL pattern, e.g. ``Rule("/users/<int:id>", endpoint="user", methods=["GET"])``."""

    def __init__(
        self, string: str, defaults: Mapping[str, Any] | None = None, subdomain: str | None = None,
        methods: Iterable[str] | None = None, build_only: bool = False, endpoint: Any = None,
        strict_slashes: bool | None = None, merge_slashes: bool | None = None,
        redirect_to: str | Callable[..., str] | None = None, alias: bool = False,
        host: str | None = None, websocket: bool = False,
    ) -> None:
        if not string.startswith("/"):
            raise ValueError(f"URL rule {string!r} must start with a slash.")
        if isinstance(methods, str):
            raise TypeError(f"'methods' of URL rule {string!r} must be a list of strings, not a string.")
        self.rule, self.endpoint, self.subdomain, self.host = string, endpoint, subdomain, host
        self.defaults = dict(defaults) if defaults else None
        self.methods = None if methods is None else {method.upper() for method in methods}
        if self.methods is not None and "GET" in self.methods:
            self.methods.add("HEAD")
        self.build_only, self.alias, self.websocket = build_only, alias, websocket
        self.strict_slashes, self.merge_slashes, self.redirect_to = strict_slashes, merge_slashes, redirect_to
        self.arguments: set[str] = set(self.defaults or ())
        self.map: Map | None = None
        #: Set by the app: whether it answers OPTIONS for this rule itself.
        self.provide_automatic_options: bool | None = None
        self._path_tokens = self._parse(string)

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach to ``map``: take its settings where unset, then compile. Called by ``Map.add``."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"URL rule {self.rule!r} is already bound to map {self.map!r}")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self._compile(map)

    def _parse(self, text: str) -> list[Token]:
        try:
            return parse_rule(text)
        except ValueError as e:
            raise ValueError(f"{e} (in URL rule {self.rule!r})") from e

    def _compile(self, map: Map) -> None:
        self._domain_tokens = self._parse((self.host if map.host_matching else self.subdomain) or "")
        tokens = [*self._domain_tokens, *self._path_tokens]
        self._converters = self._make_converters(map, [token for token in tokens if not isinstance(token, str)])
        self.arguments = set(self._converters) | set(self.defaults or ())
        self._required = frozenset(self._converters) - set(self.defaults or ())
        self._convert_source, self._convert = _compile_convert(self._converters, self.defaults)
        self._steps = [_compile_step(self._domain_tokens, self._converters)]
        self._steps += _compile_path_steps(self._path_tokens, self._converters)
        self._canonical: list[Rule] = []
        self._redirects = self.redirect_to is not None

    def _make_converters(self, map: Map, variables: list) -> dict[str, BaseConverter]:
        converters: dict[str, BaseConverter] = {}
        for converter_name, arguments, name in variables:
            if name in converters:
                raise ValueError(f"variable name {name!r} is used twice in URL rule {self.rule!r}")
            converter_class = map.converters.get(converter_name)
            if converter_class is None:
                raise LookupError(f"the converter {converter_name!r} in URL rule {self.rule!r} does not exist")
            try:
                args, kwargs = parse_converter_arguments(arguments)
                converters[name] = converter_class(map, *args, **kwargs)
            except (SyntaxError, ValueError, TypeError) as e:
                message = f"bad converter <{converter_name}({arguments})> in URL rule {self.rule!r}: {e}"
                raise ValueError(message) from e
        return converters

    def _accepts_method(self, method: str | None) -> bool:
        return method is None or self.methods is None or method in self.methods

    def _suitable_for(self, values: Mapping[str, Any], method: str | None) -> bool:
        """Whether this rule can build a URL from ``values``: its defaults must agree with them."""
        if not self._accepts_method(method) or not self._required <= values.keys():
            return False
        return all(values.get(key, default) == default for key, default in (self.defaults or {}).items())

    def _is_canonical_for(self, other: Rule) -> bool:
        """Whether URLs matched by ``other`` redirect here (it is an alias, or spells out our defaults)."""
        if other is self or self.build_only or self.arguments != other.arguments:
            return False
        if other.alias and not self.alias:
            return True
        return bool(self.defaults) and set(self.defaults) > set(other.defaults or ())

    def _build_key(self) -> tuple:
        # NOTE(routing): build tries non-aliases first, then the rules using the most values.
        return self.alias, -len(self.arguments), -len(self.defaults or ())

    def _to_url(self, name: str, value: Any) -> str:
        converter = self._converters.get(name)
        return converter.to_url(value) if converter else quote(str(value), safe=SEGMENT_SAFE)

    def _build(self, values: Mapping[str, Any]) -> tuple[str, str]:
        """``(domain, path)`` for ``values``, each value quoted by its converter."""
        values = {**self.defaults, **values} if self.defaults else values
        return self._join(self._domain_tokens, values), self._join(self._path_tokens, values)

    def _join(self, tokens: list[Token], values: Mapping[str, Any]) -> str:
        return "".join(token if isinstance(token, str) else self._to_url(token[2], values[token[2]])
                       for token in tokens)

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<Rule {self.rule!r}{methods} -> {self.endpoint}>"


# -- the compiled trie and the walk over it ------------------------------------------------------


class _Node:
    """A trie node: children by static text and by edge key, and the rules ending here."""

    __slots__ = ("static", "edges", "dynamic", "tails", "rules", "by_method", "any_method",
                 "pattern", "fullmatch", "groups", "simple", "wildcard")

    def __init__(self, pattern: str | None = None, groups: tuple[int, ...] | None = None) -> None:
        self.static: dict[str, _Node] = {}
        self.edges: dict[tuple, _Node] = {}
        self.dynamic: list[tuple] = []  # (fullmatch, or None for "any segment"; groups; node), in order
        self.tails: list[tuple] = []
        self.rules: list[Rule] = []
        self.by_method: dict[str | None, list[Rule]] = {}  # None -> all rules, to collect 405's Allow
        self.any_method: list[Rule] = []  # rules without methods, for a method no rule names
        self.pattern, self.groups = pattern, groups
        self.fullmatch = None if pattern in (None, _ANY_SEGMENT) else re.compile(pattern).fullmatch
        # For the walk's loop: only static children; or one edge, taking any non-empty segment.
        self.simple, self.wildcard = True, None

    def add_rule(self, rule: Rule) -> None:
        """End ``rule`` here; the request's method then selects candidates with one lookup."""
        self.rules.append(rule)
        self.any_method = [rule for rule in self.rules if rule.methods is None]
        methods = {method for rule in self.rules for method in rule.methods or ()}
        self.by_method = {method: [rule for rule in self.rules if rule._accepts_method(method)]
                          for method in methods}
        self.by_method[None] = self.rules

    def add_static(self, text: str) -> _Node:
        child = self.static.get(text)
        if child is None:
            child = self.static[text] = _Node()
        return child

    def add_edge(self, key: tuple, groups: tuple[int, ...] | None) -> _Node:
        child = self.edges.get(key)
        if child is None:
            child = self.edges[key] = _Node(key[-1], groups)
            ordered = sorted(self.edges.items(), key=lambda item: item[0])
            edges = [(edge_key[0], (node.fullmatch, node.groups, node)) for edge_key, node in ordered]
            self.dynamic = [edge for kind, edge in edges if kind == _SEGMENT]
            self.tails = [edge for kind, edge in edges if kind == _TAIL]
            only = len(self.edges) == 1 and key[0] == _SEGMENT and child.pattern == _ANY_SEGMENT
            self.simple, self.wildcard = False, child if only else None
        return child


def _captured(found: re.Match, groups: tuple[int, ...] | None) -> Iterable[str]:
    return found.groups() if groups is None else [found.group(number) for number in groups]


def _accept(rules: list[Rule], captures: list[str], allowed: list | None) -> tuple | None:
    """``(rule, values)`` for the first of ``rules`` whose converters take ``captures``.

    When collecting (``allowed`` is a list and the walk's method None), record the methods of
    every such rule instead and find nothing, so that the walk visits every matching rule.
    """
    for rule in rules:
        try:
            values = rule._convert(captures)
        except ValidationError:
            continue
        if allowed is None:
            return rule, values
        allowed.extend(rule.methods or ())
    return None


def _follow(edge: tuple, segment: str, captures: list) -> _Node | None:
    """The edge's node if ``segment`` matches it (adding what it captured), else None."""
    fullmatch, groups, child = edge
    if fullmatch is None:  # the "any non-empty segment" edge needs no regex
        if not segment:
            return None
        captures.append(segment)
        return child
    matched = fullmatch(segment)
    if matched is None:
        return None
    captures.extend(_captured(matched, groups))
    return child


def _match_node(node: _Node, segments: list[str], index: int, captures: list, method: str | None,
                allowed: list | None) -> tuple | None:
    """Depth-first search below ``node`` for ``segments[index:]``: ``(rule, values)`` or None.

    A level with one way on is a step of this loop; only a real choice recurses, to backtrack.
    """
    size = len(segments)
    while index < size:
        segment = segments[index]
        child = node.static.get(segment)
        if node.simple:
            if child is None:
                return _match_loose_slash(node, segments, index, captures, method, allowed)
        elif child is None and node.wildcard is not None and segment:
            captures.append(segment)
            child = node.wildcard
        else:
            return _match_choices(node, child, segments, index, captures, method, allowed)
        node, index = child, index + 1
    if node.rules:
        found = _accept(node.by_method.get(method, node.any_method), captures, allowed)
        if found is not None:
            return found
    return _match_branch(node, captures, method, allowed)


def _match_choices(node: _Node, child: _Node | None, segments: list[str], index: int, captures: list,
                   method: str | None, allowed: list | None) -> tuple | None:
    """Try the static child, then each dynamic edge, then the tails; backtrack between them."""
    if child is not None:
        found = _match_node(child, segments, index + 1, captures, method, allowed)
        if found is not None:
            return found
    mark = len(captures)
    for edge in node.dynamic:
        child = _follow(edge, segments[index], captures)
        if child is not None:
            found = _match_node(child, segments, index + 1, captures, method, allowed)
            if found is not None:
                return found
            del captures[mark:]
    if node.tails:
        found = _match_tails(node, "/".join(segments[index:]), captures, method, allowed)
        if found is not None:
            return found
    return _match_loose_slash(node, segments, index, captures, method, allowed)


def _match_branch(node: _Node, captures: list, method: str | None, allowed: list | None) -> tuple | None:
    """The path ends at ``node`` but no rule there fits: try a branch rule one "/" further."""
    branch = node.static.get("")
    if branch is None or not branch.rules:
        return None
    found = _accept(branch.by_method.get(method, branch.any_method), captures, allowed)
    if found is not None and found[0].strict_slashes:
        raise _SlashRedirect()
    return found


def _match_loose_slash(node: _Node, segments: list[str], index: int, captures: list, method: str | None,
                       allowed: list | None) -> tuple | None:
    """``/a/`` requested (only an empty segment is left), and a rule ``/a`` has ``strict_slashes=False``."""
    if index != len(segments) - 1 or segments[index] or not node.rules:
        return None
    rules = node.by_method.get(method, node.any_method)
    return _accept([rule for rule in rules if not rule.strict_slashes], captures, allowed)


def _match_tails(node: _Node, rest: str, captures: list, method: str | None,
                 allowed: list | None) -> tuple | None:
    """Tail edges fullmatch the rest of the path, or it plus "/" for a branch rule (a redirect)."""
    for fullmatch, groups, child in node.tails:
        rules = child.by_method.get(method, child.any_method)
        matched = fullmatch(rest)
        if matched is not None:
            found = _accept(rules, [*captures, *_captured(matched, groups)], allowed)
            if found is not None:
                return found
            continue
        matched = fullmatch(rest + "/")
        found = None if matched is None else _accept(rules, [*captures, *_captured(matched, groups)], allowed)
        if found is not None and found[0].strict_slashes:
            raise _SlashRedirect()
        if found is not None:
            return found
    return None


def _describe_node(node: _Node, depth: int, lines: list[str], kind: str = "") -> None:
    """Append ``node``'s rules and children, in match order, one indented line each."""
    indent = "  " * depth
    for rule in node.rules:
        methods = ", ".join(sorted(rule.methods)) if rule.methods else "any method"
        target = f"redirect to {rule.redirect_to!r}" if rule.redirect_to else repr(rule.endpoint)
        lines.append(f"{indent}-> {target} [{methods}] {rule.rule!r}")
    for text in sorted(node.static):  # the root's children are domains; the others, segments
        lines.append(f"{kind} {text!r}" if kind else f"{indent}/{text}")
        _describe_node(node.static[text], depth + 1, lines)
    for label, edges in (("regex", node.dynamic), ("regex, rest of path", node.tails)):
        for _, _, child in edges:
            edge = f"{kind} {child.pattern}" if kind else f"{indent}/{child.pattern}"
            lines.append(f"{edge}  ({label})")
            _describe_node(child, depth + 1, lines)


# -- the map and its adapter ---------------------------------------------------------------------


class Map:
    """All URL rules of an app, compiled into one trie. ``bind`` it to a host to match and build."""

    default_converters: Mapping[str, type[BaseConverter]] = DEFAULT_CONVERTERS

    def __init__(
        self, rules: Iterable[Rule] | None = None, default_subdomain: str = "", strict_slashes: bool = True,
        merge_slashes: bool = True, redirect_defaults: bool = True,
        converters: Mapping[str, type[BaseConverter]] | None = None, sort_parameters: bool = False,
        sort_key: Callable[[Any], Any] | None = None, host_matching: bool = False,
    ) -> None:
        self.converters = {**self.default_converters, **(converters or {})}
        self.default_subdomain, self.host_matching = default_subdomain, host_matching
        self.strict_slashes, self.merge_slashes = strict_slashes, merge_slashes
        self.redirect_defaults = redirect_defaults
        self.sort_parameters, self.sort_key = sort_parameters, sort_key
        self._rules: list[Rule] = []
        self._rules_by_endpoint: dict[Any, list[Rule]] = {}
        self._root = _Node()
        self._static: dict[str, dict[str, _Node]] = {}
        for rule in rules or ():
            self.add(rule)

    def add(self, rule: Rule) -> None:
        """Bind ``rule`` to this map and compile it into the trie; a bad rule raises here."""
        rule.bind(self)
        self._rules.append(rule)
        family = self._rules_by_endpoint.setdefault(rule.endpoint, [])
        family.append(rule)
        family.sort(key=Rule._build_key)
        if self.redirect_defaults:
            self._link_canonical(rule, family)
        if not rule.build_only:
            self._insert(rule)

    def _link_canonical(self, rule: Rule, family: list[Rule]) -> None:
        """Record which rules of the endpoint a URL matched by another should redirect to."""
        rule._canonical = [other for other in family if other._is_canonical_for(rule)]
        rule._redirects = bool(rule._canonical) or rule.redirect_to is not None
        for other in family:
            if rule._is_canonical_for(other):
                other._canonical.append(rule)
                other._redirects = True

    def _insert(self, rule: Rule) -> None:
        node = self._root
        for text, key, groups in rule._steps:
            node = node.add_static(text) if key is None else node.add_edge(key, groups)  # type: ignore[arg-type]
        node.add_rule(rule)
        if all(key is None for _, key, _ in rule._steps):
            self._static.setdefault(rule._steps[0][0], {})[rule.rule] = node  # type: ignore[index]

    def _match(self, domain: str | None, path: str, method: str | None,
               allowed: list | None = None) -> tuple | None:
        """``(rule, values)`` or None; a static path is one dict lookup before the trie walk.

        With ``allowed`` (a list) and method None, collect the methods of all matching rules.
        The domain None (an invalid subdomain) matches no rule.
        """
        if domain is None:
            return None
        table = self._static.get(domain)
        if table is not None and allowed is None:
            node = table.get(path)
            if node is not None:
                rules = node.by_method.get(method, node.any_method)
                if rules:  # static rules have no converters that could refuse
                    return rules[0], rules[0]._convert(())
        segments = path.split("/")
        if segments[0] or len(segments) < 2:
            return None  # no leading slash: the adapter retries with one
        segments[0] = domain
        return _match_node(self._root, segments, 0, [], method, allowed)

    def match_environ(self, environ: Mapping[str, Any], subdomain: str = "",
                      method: str | None = None) -> tuple | None:
        """``(rule, values)`` for a request that plainly matches a rule of ``subdomain``; else None.

        The shortcut for the common request: no adapter is bound and no host is parsed. None
        means "ask ``bind_to_environ(environ).match()``", which raises the 404, 405 or redirect.
        """
        path = environ.get("PATH_INFO") or "/"
        if not path.isascii():
            path = _decode_wsgi(path)
        try:
            found = self._match(subdomain, path, method or environ.get("REQUEST_METHOD", "GET").upper())
        except _SlashRedirect:
            return None
        if found is None or found[0]._redirects:
            return None
        return found

    def iter_rules(self, endpoint: Any = None) -> Iterator[Rule]:
        """The rules in the order they were added, optionally only those of ``endpoint``."""
        if endpoint is None:
            return iter(self._rules)
        return (rule for rule in self._rules if rule.endpoint == endpoint)

    def is_endpoint_expecting(self, endpoint: Any, *arguments: str) -> bool:
        """Whether some rule of ``endpoint`` takes all of ``arguments``."""
        return any(set(arguments) <= rule.arguments for rule in self._rules_by_endpoint.get(endpoint, ()))

    def bind(self, server_name: str, script_name: str | None = None, subdomain: str | None = None,
             url_scheme: str = "http", default_method: str = "GET", path_info: str | None = None,
             query_args: str | Mapping[str, Any] | None = None) -> MapAdapter:
        """An adapter for one host; ``script_name`` is the URL prefix the app is mounted at."""
        if self.host_matching and subdomain is not None:
            raise RuntimeError("A subdomain cannot be given with host matching: the host selects rules.")
        if subdomain is None and not self.host_matching:
            subdomain = self.default_subdomain
        script_name = (script_name or "").rstrip("/") + "/"
        return MapAdapter(self, server_name.lower(), script_name, subdomain, url_scheme, path_info or "/",
                          default_method.upper(), query_args)

    def bind_to_environ(self, environ: Mapping[str, Any], server_name: str | None = None,
                        subdomain: str | None = None) -> MapAdapter:
        """An adapter for a WSGI request (PEP 3333): host, script name, path, query and method.

        With ``server_name`` given, the subdomain is what the request's host adds in front of it;
        a host outside ``server_name`` gets ``INVALID_SUBDOMAIN``, which matches no rule. With
        ``host_matching``, the request's host is the server name.
        """
        scheme = environ.get("wsgi.url_scheme", "http")
        host = _strip_default_port(_host_from_environ(environ).lower(), scheme)
        if server_name is None or self.host_matching:
            server_name = host
        else:
            server_name = _strip_default_port(server_name.lower(), scheme)
            if subdomain is None:
                subdomain = _subdomain_of(host, server_name)
        return self.bind(
            server_name, _decode_wsgi(environ.get("SCRIPT_NAME", "")), subdomain, scheme,
            environ.get("REQUEST_METHOD", "GET"), _decode_wsgi(environ.get("PATH_INFO", "")),
            environ.get("QUERY_STRING", ""),
        )

    def describe(self) -> str:
        """The compiled trie, one edge or rule per line, children in the order they are tried."""
        lines: list[str] = []
        _describe_node(self._root, 0, lines, "host" if self.host_matching else "subdomain")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Map({self._rules!r})"


class MapAdapter:
    """A ``Map`` bound to one server name, script name and subdomain: ``match`` and ``build``."""

    def __init__(self, map: Map, server_name: str, script_name: str, subdomain: str | None,
                 url_scheme: str, path_info: str, default_method: str,
                 query_args: str | Mapping[str, Any] | None = None) -> None:
        self.map, self.server_name, self.script_name, self.subdomain = map, server_name, script_name, subdomain
        self.url_scheme, self.path_info, self.default_method = url_scheme, path_info, default_method
        self.query_args = query_args
        self._domain: str = server_name if map.host_matching else subdomain  # type: ignore[assignment]
        self._match_domain = None if subdomain == INVALID_SUBDOMAIN else self._domain

    def match(self, path_info: str | None = None, method: str | None = None, return_rule: bool = False,
              query_args: str | Mapping[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """``(endpoint, values)``, or ``(rule, values)`` with ``return_rule``, for a path.

        Raises ``NotFound``; ``MethodNotAllowed`` naming every method that rules matching the
        path allow; or ``RequestRedirect`` to the canonical URL (keeping ``query_args``).
        """
        path = self.path_info if path_info is None else path_info
        method = method.upper() if method else self.default_method
        try:
            found = self.map._match(self._match_domain, path, method)
        except _SlashRedirect:
            raise RequestRedirect(self._redirect_url(_normalize_path(path) + "/", query_args)) from None
        if found is None:
            return self._match_unmatched(path, method, return_rule, query_args)
        rule, values = found
        if rule._redirects:
            self._raise_rule_redirect(rule, values, method, query_args)
        return (rule if return_rule else rule.endpoint), values

    def _match_unmatched(self, path: str, method: str, return_rule: bool, query_args: Any) -> tuple:
        """Retry ``b`` or ``//b`` as ``/b``; else 405 if rules match for other methods; else
        redirect to the path with "//" merged if that matches; else 404."""
        normalized = _normalize_path(path)
        if normalized != path:
            return self.match(normalized, method, return_rule, query_args)
        allowed = self.allowed_methods(path)
        if allowed:
            raise MethodNotAllowed(allowed)
        if "//" not in path:
            raise NotFound()
        merged = _SLASHES.sub("/", path)
        rule, _ = self.match(merged, method, return_rule=True, query_args=query_args)
        if not rule.merge_slashes:
            raise NotFound()
        raise RequestRedirect(self._redirect_url(merged, query_args))

    def _raise_rule_redirect(self, rule: Rule, values: dict[str, Any], method: str, query_args: Any) -> None:
        """Follow ``redirect_to``; or send a URL spelling out defaults to the rule that has them."""
        if rule.redirect_to is not None:
            raise RequestRedirect(self._resolve_redirect_to(rule, values))
        for canonical in rule._canonical:
            if canonical._suitable_for(values, method):
                domain, path = canonical._build(values)
                raise RequestRedirect(self._absolute_url(domain, path, self._redirect_query(query_args)))

    def _resolve_redirect_to(self, rule: Rule, values: dict[str, Any]) -> str:
        target = rule.redirect_to
        if callable(target):
            target = target(self, **values)
        else:
            target = _PLACEHOLDER.sub(lambda found: rule._to_url(found["name"], values[found["name"]]), target)
        return urljoin(self._absolute_url(self._domain, "/"), target)

    def allowed_methods(self, path_info: str | None = None) -> list[str]:
        """The methods the rules matching ``path_info`` allow (a rule allowing any adds none)."""
        allowed: list[str] = []
        path = _normalize_path(self.path_info if path_info is None else path_info)
        self.map._match(self._match_domain, path, None, allowed)
        return sorted(set(allowed))

    def build(self, endpoint: Any, values: Mapping[str, Any] | None = None, method: str | None = None,
              force_external: bool = False, append_unknown: bool = True, url_scheme: str | None = None) -> str:
        """The URL of ``endpoint`` for ``values``; values no rule uses become the query string.

        Absolute (with scheme and host) with ``force_external`` or when the rule lives on another
        subdomain or host. ``None`` values are left out; a list repeats its key in the query.
        """
        values = _normalize_values(values)
        rule = self._find_build_rule(endpoint, values, method.upper() if method else None)
        domain, path = rule._build(values)
        query = _encode_query(self.map, values, rule.arguments) if append_unknown else ""
        if force_external or domain != self._domain:
            return self._absolute_url(domain, path, query, url_scheme)
        return self._relative_url(path, query)

    def _find_build_rule(self, endpoint: Any, values: dict[str, Any], method: str | None) -> Rule:
        rules = self.map._rules_by_endpoint.get(endpoint, ())
        # NOTE(routing): without a method, prefer a rule for the default method, then any rule.
        for wanted in (method,) if method else (self.default_method, None):
            for rule in rules:
                if rule._suitable_for(values, wanted):
                    return rule
        raise BuildError(endpoint, values, method, self)

    def _host_for(self, domain: str) -> str:
        if self.map.host_matching:
            return domain
        return f"{domain}.{self.server_name}" if domain else self.server_name

    def _relative_url(self, path: str, query: str = "") -> str:
        url = self.script_name[:-1] + path
        return f"{url}?{query}" if query else url

    def _absolute_url(self, domain: str, path: str, query: str = "", url_scheme: str | None = None) -> str:
        return f"{url_scheme or self.url_scheme}://{self._host_for(domain)}{self._relative_url(path, query)}"

    def _redirect_url(self, path: str, query_args: Any) -> str:
        return self._absolute_url(self._domain, quote(path, safe=PATH_SAFE), self._redirect_query(query_args))

    def _redirect_query(self, query_args: Any) -> str:
        query = self.query_args if query_args is None else query_args
        if not query:
            return ""
        return query if isinstance(query, str) else _encode_query(self.map, _normalize_values(query))

    def __repr__(self) -> str:
        return f"<MapAdapter {self.server_name!r} {self.script_name!r} subdomain={self.subdomain!r}>"


def _normalize_path(path: str) -> str:
    """Exactly one leading slash: ``b`` and ``//b`` mean ``/b``."""
    return path if path[:1] == "/" and path[1:2] != "/" else "/" + path.lstrip("/")


def _normalize_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A plain dict without ``None`` values; a MultiDict key with several values maps to a list."""
    if values is None:
        return {}
    if hasattr(values, "getlist"):
        lists = {key: values.getlist(key) for key in values.keys()}  # type: ignore[attr-defined]
        values = {key: items[0] if len(items) == 1 else items for key, items in lists.items()}
    return {key: value for key, value in values.items() if value is not None}


def _encode_query(map: Map, values: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    """The ``application/x-www-form-urlencoded`` query of the ``values`` not in ``skip``."""
    pairs = []
    for key, value in values.items():
        if key not in skip:
            items = value if isinstance(value, (list, tuple)) else (value,)
            pairs.extend((key, item) for item in items if item is not None)
    if map.sort_parameters:
        pairs.sort(key=map.sort_key or (lambda pair: pair[0]))
    return urlencode(pairs, safe=QUERY_SAFE)


def _host_from_environ(environ: Mapping[str, Any]) -> str:
    host = environ.get("HTTP_HOST")
    if host:
        return host
    return f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}".rstrip(":")


_DEFAULT_PORTS = {"http": ":80", "https": ":443", "ws": ":80", "wss": ":443"}


def _strip_default_port(host: str, scheme: str) -> str:
    port = _DEFAULT_PORTS.get(scheme)
    return host[: -len(port)] if port and host.endswith(port) else host


def _subdomain_of(host: str, server_name: str) -> str:
    if host == server_name:
        return ""
    if host.endswith("." + server_name):
        return host[: -len(server_name) - 1]
    return INVALID_SUBDOMAIN
