"""The lexer: template source -> a flat list of tokens (Jinja's delimiters and whitespace rules).

1. Text is scanned for the next ``{{``, ``{%`` or ``{#``; everything before it is a ``data``
   token. ``{# comments #}`` are dropped, ``{% raw %}...{% endraw %}`` becomes data verbatim.
2. Inside ``{{ }}`` and ``{% %}`` one compiled regex reads names, numbers, strings and
   operators until the closing delimiter appears outside any bracket (so ``{{ {'a': 1} }}``
   works).
3. Whitespace control: a ``-`` inside a delimiter (``{%-``, ``-%}``) strips the whitespace on
   that side; ``trim_blocks`` drops the newline after a block tag and ``lstrip_blocks`` the
   indentation before one; a ``+`` (``{%+``, ``+%}``) turns those two off for one tag.

Jinja's template designer docs describe the syntax: https://jinja.palletsprojects.com/en/stable/templates/

Does not: understand statements (see ``parser``).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from .exceptions import TemplateSyntaxError

_TAG_START = re.compile(r"\{([{%#])([-+]?)")
_RAW_START = re.compile(r"\s*raw\s*([-+]?)%\}")
_RAW_END = re.compile(r"\{%([-+]?)\s*endraw\s*([-+]?)%\}")
_COMMENT_END = re.compile(r"([-+]?)#\}")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<float>\d(?:_?\d)*\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*)
    |(?P<integer>\d(?:_?\d)*)
    |(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)
    |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<operator>\*\*|//|==|!=|<=|>=|[-+*/%~<>=()\[\]{}.,:|])
    """,
    re.S | re.X,
)
_CLOSING = {")": "(", "]": "[", "}": "{"}


class Token:
    """One token: ``type`` is data, variable_begin/end, block_begin/end, name, string,
    integer, float, operator or eof; ``lineno`` and ``column`` are 1-based."""

    __slots__ = ("type", "value", "lineno", "column")

    def __init__(self, type: str, value: Any, lineno: int, column: int = 0) -> None:
        self.type, self.value, self.lineno, self.column = type, value, lineno, column

    def test(self, type: str, value: Any = None) -> bool:
        return self.type == type and (value is None or self.value == value)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r}, line {self.lineno})"


def _unquote_string(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    import ast  # only strings with escapes pay for it

    return ast.literal_eval(text)


class Lexer:
    """Turns source into tokens; one per environment, since the whitespace options live here."""

    def __init__(self, trim_blocks: bool = False, lstrip_blocks: bool = False,
                 keep_trailing_newline: bool = False) -> None:
        self.trim_blocks = trim_blocks
        self.lstrip_blocks = lstrip_blocks
        self.keep_trailing_newline = keep_trailing_newline

    def tokenize(self, source: str, name: Optional[str] = None) -> list[Token]:
        """All tokens of ``source``, ending with ``eof``; TemplateSyntaxError on bad input."""
        scan = _Scan(self, source.replace("\r\n", "\n").replace("\r", "\n"), name)
        tokens = list(scan.run())
        tokens.append(Token("eof", None, scan.line_of(len(scan.source))))
        return tokens


class _Scan:
    """The state of one tokenize() call: position, pending whitespace stripping, line lookup."""

    def __init__(self, lexer: Lexer, source: str, name: Optional[str]) -> None:
        if not lexer.keep_trailing_newline and source.endswith("\n"):
            source = source[:-1]
        self.lexer, self.source, self.name = lexer, source, name
        self.pos = 0
        self.strip_next = False  # a "-%}" asked to strip the whitespace that follows
        self.trim_newline = False  # trim_blocks: drop one newline after a block tag
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def line_of(self, pos: int) -> int:
        import bisect

        return bisect.bisect_right(self._line_starts, pos)

    def column_of(self, pos: int) -> int:
        return pos - self._line_starts[self.line_of(pos) - 1] + 1

    def fail(self, message: str, pos: int) -> TemplateSyntaxError:
        error = TemplateSyntaxError(message, self.line_of(pos), self.name, column=self.column_of(pos))
        error.source = self.source
        return error

    def run(self) -> Iterator[Token]:
        source = self.source
        while self.pos <= len(source):
            match = _TAG_START.search(source, self.pos)
            end = match.start() if match else len(source)
            data = self._take_data(self.pos, end, match)
            if data:
                yield Token("data", data, self.line_of(self.pos))
            if match is None:
                return
            kind = match.group(1)
            if kind == "#":
                self._skip_comment(match)
            elif kind == "%" and _RAW_START.match(source, match.end()):
                yield from self._raw(match)
            else:
                yield from self._tag(match, kind)

    def _take_data(self, start: int, end: int, tag: Optional[re.Match]) -> str:
        """The text before a tag, with the whitespace rules of both neighbours applied."""
        data = self.source[start:end]
        if self.strip_next:
            data = data.lstrip()
        elif self.trim_newline and data.startswith("\n"):
            data = data[1:]
        self.strip_next = self.trim_newline = False
        if tag is None:
            return data
        modifier = tag.group(2)
        if modifier == "-":
            return data.rstrip()
        if self.lexer.lstrip_blocks and tag.group(1) in "%#" and modifier != "+":
            return self._lstrip_line(data, start, end)
        return data

    def _lstrip_line(self, data: str, data_start: int, tag_pos: int) -> str:
        """Drop the spaces/tabs before a block tag when nothing else precedes it on its line."""
        line_start = self.source.rfind("\n", 0, tag_pos) + 1
        indent = self.source[line_start:tag_pos]
        if line_start < data_start or indent.strip(" \t"):
            return data
        return data[: max(0, len(data) - len(indent))]

    def _after_tag(self, end_modifier: str, is_block: bool) -> None:
        if end_modifier == "-":
            self.strip_next = True
        elif is_block and self.lexer.trim_blocks and end_modifier != "+":
            self.trim_newline = True

    def _skip_comment(self, start: re.Match) -> None:
        end = _COMMENT_END.search(self.source, start.end())
        if end is None:
            raise self.fail("Missing end of comment tag.", start.start())
        self.pos = end.end()
        self._after_tag(end.group(1), True)

    def _raw(self, start: re.Match) -> Iterator[Token]:
        opening = _RAW_START.match(self.source, start.end())
        end = _RAW_END.search(self.source, opening.end())  # type: ignore[union-attr]
        if end is None:
            raise self.fail("Missing end of raw directive.", start.start())
        text = self.source[opening.end():end.start()]  # type: ignore[union-attr]
        if opening.group(1) == "-":  # type: ignore[union-attr]
            text = text.lstrip()
        if end.group(1) == "-":
            text = text.rstrip()
        if text:
            yield Token("data", text, self.line_of(opening.end()))  # type: ignore[union-attr]
        self.pos = end.end()
        self._after_tag(end.group(2), True)

    def _tag(self, start: re.Match, kind: str) -> Iterator[Token]:
        """``{{ ... }}`` or ``{% ... %}``: begin token, expression tokens, end token."""
        is_block = kind == "%"
        closing = "%}" if is_block else "}}"
        yield Token("block_begin" if is_block else "variable_begin", None, self.line_of(start.start()),
                    self.column_of(start.start()))
        source, pos, stack = self.source, start.end(), []
        while True:
            if not stack:
                end_modifier = self._closing_at(pos, closing)
                if end_modifier is not None:
                    end = pos + len(closing) + len(end_modifier)
                    yield Token("block_end" if is_block else "variable_end", None, self.line_of(pos),
                                self.column_of(pos))
                    self.pos = end
                    self._after_tag(end_modifier, is_block)
                    return
            match = _TOKEN.match(source, pos)
            if match is None:
                if pos >= len(source):
                    what = "block" if is_block else "variable"
                    raise self.fail(f"Unexpected end of template. Missing end of {what} tag '{closing}'.",
                                    start.start())
                raise self.fail(f"Unexpected character {source[pos]!r}.", pos)
            token = self._token_of(match, stack)
            if token is not None:
                yield token
            pos = match.end()

    def _closing_at(self, pos: int, closing: str) -> Optional[str]:
        """The closing delimiter's modifier ("", "-" or "+") if it starts at ``pos``."""
        source = self.source
        if source.startswith(closing, pos):
            return ""
        if source[pos:pos + 1] in ("-", "+") and source.startswith(closing, pos + 1):
            return source[pos]
        return None

    def _token_of(self, match: re.Match, stack: list[str]) -> Optional[Token]:
        kind, text, pos = match.lastgroup, match.group(), match.start()
        if kind == "ws":
            return None
        lineno, column = self.line_of(pos), self.column_of(pos)
        if kind == "operator":
            self._balance(text, stack, pos)
            return Token("operator", text, lineno, column)
        if kind == "integer":
            return Token("integer", int(text.replace("_", "")), lineno, column)
        if kind == "float":
            return Token("float", float(text.replace("_", "")), lineno, column)
        if kind == "string":
            return Token("string", _unquote_string(text), lineno, column)
        return Token("name", text, lineno, column)

    def _balance(self, text: str, stack: list[str], pos: int) -> None:
        if text in "([{":
            stack.append(text)
        elif text in _CLOSING:
            if not stack or stack[-1] != _CLOSING[text]:
                raise self.fail(f"Unexpected '{text}'.", pos)
            stack.pop()


__all__ = ["Lexer", "Token"]
