"""The template engine's errors, named and shaped as Jinja's so ``except`` clauses port as is.

``TemplateSyntaxError`` carries the template name and line; ``str()`` adds the offending line with
a caret under the column, so a mistake is found without opening the file. ``TemplateNotFound``
lists every place a loader looked.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence


class TemplateError(Exception):
    """Base class of every template error."""

    @property
    def message(self) -> Optional[str]:
        return self.args[0] if self.args else None


class TemplateNotFound(IOError, LookupError, TemplateError):
    """No loader has the template ``name``; ``tried`` lists where they looked."""

    def __init__(self, name: Any, message: Optional[str] = None, tried: Sequence[str] = ()) -> None:
        if message is None:
            message = str(getattr(name, "name", name))
            if tried:
                message += " (looked in: " + ", ".join(tried) + ")"
        super().__init__(message)
        self.name = name
        self.templates = [name]
        self.tried = list(tried)

    def __str__(self) -> str:
        return str(self.message)


class TemplatesNotFound(TemplateNotFound):
    """None of the templates ``names`` exists (``select_template``)."""

    def __init__(self, names: Iterable[Any] = (), message: Optional[str] = None,
                 tried: Sequence[str] = ()) -> None:
        names = list(names)
        if message is None:
            shown = ", ".join(str(getattr(name, "name", name)) for name in names)
            message = f"none of the templates given were found: {shown}"
            if tried:
                message += " (looked in: " + ", ".join(tried) + ")"
        super().__init__(names[-1] if names else None, message, tried)
        self.templates = names


class TemplateSyntaxError(TemplateError):
    """A template that cannot be parsed: ``name`` (or ``filename``), ``lineno`` and, when known,
    ``column``; ``str()`` shows the line with a caret."""

    def __init__(self, message: str, lineno: int, name: Optional[str] = None,
                 filename: Optional[str] = None, column: Optional[int] = None) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.name = name
        self.filename = filename
        self.column = column
        self.source: Optional[str] = None
        self.translated = False

    def __str__(self) -> str:
        text = str(self.message)
        location = f"line {self.lineno}"
        where = self.filename or self.name
        if where:
            location = f'File "{where}", {location}'
        if self.column is not None:
            location += f", column {self.column}"
        text = f"{text}\n  {location}"
        if self.source is not None:
            lines = self.source.splitlines()
            if 0 < self.lineno <= len(lines):
                line = lines[self.lineno - 1]
                text += f"\n    {line.strip()}"
                if self.column is not None:
                    indent = len(line) - len(line.lstrip())
                    text += "\n    " + " " * max(0, self.column - 1 - indent) + "^"
        return text


class TemplateAssertionError(TemplateSyntaxError):
    """A template that parses but cannot compile, such as one using an unknown filter."""


class TemplateRuntimeError(TemplateError):
    """An error raised by the engine while rendering (e.g. an unknown filter in a taken branch)."""


class UndefinedError(TemplateRuntimeError):
    """An undefined value was used in a way that needs a value (attribute, call, iteration...)."""


class SecurityError(TemplateRuntimeError):
    """A template tried to reach something it may not (a private or internal attribute)."""


__all__ = [
    "TemplateError", "TemplateNotFound", "TemplatesNotFound", "TemplateSyntaxError",
    "TemplateAssertionError", "TemplateRuntimeError", "UndefinedError", "SecurityError",
]
