"""Commands, options and arguments: the part of Click that Flask apps use, on ``argparse``.

``@command`` turns a function into a ``Command``; ``@option`` and ``@argument`` declare its
parameters; ``@group`` gathers commands under one name, nested as deep as needed. Running a
command line (Click's model, https://click.palletsprojects.com/en/stable/):

1. ``Command.main`` makes a ``Context``: the command, its parent's context, the parsed values;
2. ``parse_args`` builds an ``argparse`` parser from the command's options, which separates option
   values from positional words; positional words are dealt to the arguments left to right, the
   one ``nargs=-1`` argument taking what the others leave. A group stops at its subcommand's name;
3. each parameter resolves its value -- command line, else environment variable, else default,
   else prompt -- converts it with its type, checks ``required`` and runs its callback;
4. the callback runs with the values as keyword arguments; a group then runs its subcommand on
   the rest of the command line, in a child context.

Errors print as Click's: ``UsageError`` (exit 2) shows the usage line, a help hint and
"Error: ..."; ``ClickException`` (exit 1) "Error: ..."; ``Abort`` "Aborted!". ``--help`` is
laid out as Click lays it out. Import it as Click: ``from microflask import cli as click``.

Does not: shell completion, chained groups, result callbacks, ``Tuple``/``DateTime``/``UUID``
types, colours other than the 16 named ones, pagers, progress bars or editors (docs/cli.md).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from contextlib import ExitStack, contextmanager
from enum import Enum
from functools import update_wrapper
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar, Union

F = TypeVar("F", bound=Callable[..., Any])

#: Help is wrapped to the terminal's width, but never wider than this (Click's default).
MAX_HELP_WIDTH = 80
#: An option's names may take this many columns in help before its text moves to the next line.
HELP_COLUMN_MAX = 30
#: A command's one-line summary in its group's help is cut to about this many characters.
SHORT_HELP_LIMIT = 45


class _Unset:
    """The default of a parameter that was given no ``default``."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# -- Exceptions ------------------------------------------------------------------------------------


class ClickException(Exception):
    """An error the command reports to its user: ``Error: message`` on stderr, exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def format_message(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        echo(f"Error: {self.format_message()}", file=file or sys.stderr)


class UsageError(ClickException):
    """The command line is wrong: the usage line, a help hint and the error; exit code 2."""

    exit_code = 2

    def __init__(self, message: str, ctx: Optional[Context] = None) -> None:
        super().__init__(message)
        self.ctx = ctx if ctx is not None else get_current_context(silent=True)
        self.cmd = self.ctx.command if self.ctx is not None else None

    def show(self, file: Any = None) -> None:
        file = file or sys.stderr
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option_names(self.ctx):
                hint = f"Try '{self.ctx.command_path} {self.ctx.help_option_names[0]}' for help.\n"
            echo(f"{self.ctx.get_usage()}\n{hint}", file=file)
        echo(f"Error: {self.format_message()}", file=file)


class NoArgsIsHelp(UsageError):
    """A group (or a ``no_args_is_help`` command) was called bare: its help goes to stderr."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.get_help(), ctx)

    def show(self, file: Any = None) -> None:
        echo(self.message, file=file or sys.stderr)


class BadParameter(UsageError):
    """A parameter's value is invalid: ``Error: Invalid value for '--port': ...``."""

    def __init__(self, message: str, ctx: Optional[Context] = None, param: Optional[Parameter] = None,
                 param_hint: Union[str, Sequence[str], None] = None) -> None:
        super().__init__(message, ctx)
        self.param = param
        self.param_hint = param_hint

    def describe_param(self) -> Optional[str]:
        if self.param_hint is not None:
            if isinstance(self.param_hint, str):
                return self.param_hint
            return " / ".join(f"'{hint}'" for hint in self.param_hint)
        if self.param is not None:
            return self.param.get_error_hint(self.ctx)
        return None

    def format_message(self) -> str:
        hint = self.describe_param()
        return f"Invalid value for {hint}: {self.message}" if hint else f"Invalid value: {self.message}"


class MissingParameter(BadParameter):
    """A required parameter got no value: ``Error: Missing argument 'NAME'.``"""

    def __init__(self, message: Optional[str] = None, ctx: Optional[Context] = None,
                 param: Optional[Parameter] = None, param_hint: Optional[str] = None,
                 param_type: Optional[str] = None) -> None:
        super().__init__(message or "", ctx, param, param_hint)
        self.param_type = param_type

    def format_message(self) -> str:
        kind = self.param_type or (self.param.param_type_name if self.param is not None else "parameter")
        hint = self.describe_param()
        text = f"Missing {kind} {hint}." if hint else f"Missing {kind}."
        return f"{text} {self.message}" if self.message else text


class NoSuchOption(UsageError):
    """An option the command does not have: ``Error: No such option '--nmae'. (Did you mean...)``"""

    def __init__(self, option_name: str, message: Optional[str] = None,
                 possibilities: Optional[Sequence[str]] = None, ctx: Optional[Context] = None) -> None:
        if message is None:
            message = f"No such option '{option_name}'."
            if possibilities:
                message += _suggestion(possibilities)
        super().__init__(message, ctx)
        self.option_name = option_name
        self.possibilities = possibilities


def _suggestion(possibilities: Sequence[str]) -> str:
    quoted = ", ".join(f"'{name}'" for name in possibilities)
    if len(possibilities) == 1:
        return f" (Did you mean {quoted}?)"
    return f" (Did you mean one of: {quoted}?)"


class BadOptionUsage(UsageError):
    """An option was used wrongly (a value missing, say)."""

    def __init__(self, option_name: str, message: str, ctx: Optional[Context] = None) -> None:
        super().__init__(message, ctx)
        self.option_name = option_name


class BadArgumentUsage(UsageError):
    """Positional arguments were used wrongly."""


class FileError(ClickException):
    """A file could not be opened."""

    def __init__(self, filename: str, hint: Optional[str] = None) -> None:
        super().__init__(hint or "unknown error")
        self.filename = filename

    def format_message(self) -> str:
        return f"Could not open file '{self.filename}': {self.message}"


class Abort(RuntimeError):
    """Stop the command: ``Aborted!`` on stderr, exit code 1 (Ctrl-C and end of input raise it)."""


class Exit(RuntimeError):
    """Stop the command with ``exit_code``, printing nothing (``ctx.exit(code)`` raises it)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.exit_code = code


# -- Output and input ------------------------------------------------------------------------------

_ANSI_SEQUENCE = re.compile(r"\x1b\[[\d;]*[A-Za-z]")
_COLOR_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_STYLE_CODES = {"bold": (1, 22), "dim": (2, 22), "italic": (3, 23), "underline": (4, 24),
                "blink": (5, 25), "reverse": (7, 27), "strikethrough": (9, 29)}
_RESET_ALL = "\x1b[0m"


def echo(message: Any = None, file: Any = None, nl: bool = True, err: bool = False,
         color: Optional[bool] = None) -> None:
    """Print ``message`` (any object; bytes go to the binary stream) and flush.

    Writes to stdout, or stderr with ``err=True``, looked up at call time (so redirecting
    ``sys.stdout`` captures it). ANSI styles are removed unless the stream is a terminal or
    ``color=True``.
    """
    stream = file if file is not None else (sys.stderr if err else sys.stdout)
    if stream is None:  # no console at all (pythonw)
        return
    if isinstance(message, (bytes, bytearray)):
        _write_bytes(stream, bytes(message) + (b"\n" if nl else b""))
        return
    text = "" if message is None else str(message)
    text += "\n" if nl else ""
    if not text:
        return
    if not _keeps_styles(stream, color):
        text = unstyle(text)
    stream.write(text)
    stream.flush()


def _write_bytes(stream: Any, data: bytes) -> None:
    binary = getattr(stream, "buffer", None)
    stream.flush()
    if binary is None:
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
    else:
        binary.write(data)
        binary.flush()


def _keeps_styles(stream: Any, color: Optional[bool]) -> bool:
    if color is not None:
        return color
    ctx = get_current_context(silent=True)
    if ctx is not None and ctx.color is not None:
        return ctx.color
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def _color_code(name: str, base: int) -> int:
    if name == "reset":
        return base + 9
    bright = name.startswith("bright_")
    plain = name[len("bright_"):] if bright else name
    if plain not in _COLOR_NAMES:
        raise TypeError(f"Unknown color {name!r}; use one of {', '.join(_COLOR_NAMES)}, 'bright_...' or 'reset'.")
    return base + _COLOR_NAMES.index(plain) + (60 if bright else 0)


def style(text: Any, fg: Optional[str] = None, bg: Optional[str] = None, bold: Optional[bool] = None,
          dim: Optional[bool] = None, underline: Optional[bool] = None, italic: Optional[bool] = None,
          blink: Optional[bool] = None, reverse: Optional[bool] = None,
          strikethrough: Optional[bool] = None, reset: bool = True) -> str:
    """``text`` wrapped in ANSI codes: ``style("ok", fg="green", bold=True)``."""
    codes = []
    if fg:
        codes.append(_color_code(fg, 30))
    if bg:
        codes.append(_color_code(bg, 40))
    flags = {"bold": bold, "dim": dim, "italic": italic, "underline": underline, "blink": blink,
             "reverse": reverse, "strikethrough": strikethrough}
    for name, value in flags.items():
        if value is not None:
            codes.append(_STYLE_CODES[name][0 if value else 1])
    prefix = "".join(f"\x1b[{code}m" for code in codes)
    return prefix + str(text) + (_RESET_ALL if reset else "")


def unstyle(text: str) -> str:
    """``text`` without ANSI style codes."""
    return _ANSI_SEQUENCE.sub("", text)


def secho(message: Any = None, file: Any = None, nl: bool = True, err: bool = False,
          color: Optional[bool] = None, **styles: Any) -> None:
    """``echo(style(message, **styles))``."""
    if message is not None and not isinstance(message, (bytes, bytearray)):
        message = style(message, **styles)
    echo(message, file=file, nl=nl, err=err, color=color)


def get_text_stream(name: str, encoding: Optional[str] = None, errors: Optional[str] = "strict") -> Any:
    """``sys.stdin``, ``sys.stdout`` or ``sys.stderr`` by name."""
    streams = {"stdin": sys.stdin, "stdout": sys.stdout, "stderr": sys.stderr}
    if name not in streams:
        raise TypeError(f"Unknown standard stream {name!r}")
    return streams[name]


def _read_answer(hidden: bool) -> str:
    """One line the user typed; hidden input is not echoed. Ctrl-C or end of input aborts."""
    reader = getattr(sys.stdin, "read_prompt_answer", None)  # the test runner's stdin
    try:
        if reader is not None:
            return reader(hidden)
        if hidden and sys.stdin is not None and sys.stdin.isatty():
            import getpass

            return getpass.getpass("")
        return input()
    except (KeyboardInterrupt, EOFError):
        raise Abort() from None


def _ask(message: str, hidden: bool, err: bool) -> str:
    echo(message, nl=False, err=err)
    return _read_answer(hidden)


def _prompt_text(text: str, suffix: str, default: Any, show_default: Any, param_type: Any) -> str:
    if isinstance(param_type, Choice):
        text += f" ({', '.join(map(str, param_type.choices))})"
    if default is not None and show_default:
        shown = show_default if isinstance(show_default, str) else _describe_default(default)
        text += f" [{shown}]"
    return text + suffix


def prompt(text: str, default: Any = None, hide_input: bool = False,
           confirmation_prompt: Union[bool, str] = False, type: Any = None,  # noqa: A002 - Click's name
           value_proc: Optional[Callable[[str], Any]] = None, prompt_suffix: str = ": ",
           show_default: Union[bool, str] = True, err: bool = False, show_choices: bool = True) -> Any:
    """Ask for a value until one converts with ``type``; an empty answer takes ``default``."""
    param_type = convert_type(type, default)
    convert = value_proc or (lambda value: param_type(value))
    message = _prompt_text(text, prompt_suffix, default, show_default, show_choices and param_type)
    while True:
        answer = _ask(message, hide_input, err)
        if not answer:
            if default is None:
                continue
            answer = default
        try:
            result = convert(answer)
        except UsageError as e:
            echo("Error: The value you entered was invalid." if hide_input else f"Error: {e.message}", err=err)
            continue
        if not confirmation_prompt or _confirms(answer, confirmation_prompt, prompt_suffix, hide_input, err):
            return result


def _confirms(answer: Any, confirmation_prompt: Union[bool, str], suffix: str, hidden: bool, err: bool) -> bool:
    text = confirmation_prompt if isinstance(confirmation_prompt, str) else "Repeat for confirmation"
    if _ask(text + suffix, hidden, err) == answer:
        return True
    echo("Error: The two entered values do not match.", err=err)
    return False


def confirm(text: str, default: Optional[bool] = False, abort: bool = False, prompt_suffix: str = ": ",
            show_default: bool = True, err: bool = False) -> bool:
    """Ask a yes/no question; ``abort=True`` raises ``Abort`` on no."""
    choices = "y/n" if default is None else ("Y/n" if default else "y/N")
    message = f"{text} [{choices}]{prompt_suffix}" if show_default else f"{text}{prompt_suffix}"
    while True:
        answer = _ask(message, False, err).strip().lower()
        if answer in ("y", "yes"):
            result = True
        elif answer in ("n", "no"):
            result = False
        elif answer == "" and default is not None:
            result = default
        else:
            echo("Error: invalid input", err=err)
            continue
        if abort and not result:
            raise Abort()
        return result


# -- Types -----------------------------------------------------------------------------------------


class ParamType:
    """Converts a command-line string to a value; ``fail`` reports a bad one as ``BadParameter``."""

    name = "text"
    #: How an environment variable holding several values is split (None: on whitespace).
    envvar_list_splitter: Optional[str] = None

    def __call__(self, value: Any, param: Optional[Parameter] = None, ctx: Optional[Context] = None) -> Any:
        if value is not None:
            return self.convert(value, param, ctx)
        return None

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        return value

    def get_metavar(self, param: Parameter) -> Optional[str]:
        return None

    def split_envvar_value(self, value: str) -> list[str]:
        return (value or "").split(self.envvar_list_splitter)

    def fail(self, message: str, param: Optional[Parameter] = None, ctx: Optional[Context] = None) -> Any:
        raise BadParameter(message, ctx=ctx, param=param)

    def __repr__(self) -> str:
        return self.name.upper()


class StringParamType(ParamType):
    name = "text"

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        if isinstance(value, bytes):
            return value.decode(sys.getfilesystemencoding(), "replace")
        return str(value)


class _UnprocessedParamType(ParamType):
    name = "text"


class _NumberParamType(ParamType):
    number: Callable[[Any], Any]

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        try:
            return self.number(value)
        except (TypeError, ValueError):
            return self.fail(f"{value!r} is not a valid {self.name}.", param, ctx)


class IntParamType(_NumberParamType):
    name = "integer"
    number = staticmethod(int)


class FloatParamType(_NumberParamType):
    name = "float"
    number = staticmethod(float)


class BoolParamType(ParamType):
    name = "boolean"
    true_words = frozenset({"1", "true", "t", "yes", "y", "on"})
    false_words = frozenset({"", "0", "false", "f", "no", "n", "off"})

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in self.true_words:
            return True
        if word in self.false_words:
            return False
        known = ", ".join(sorted(self.true_words | self.false_words))
        return self.fail(f"{value!r} is not a valid boolean. Recognized values: {known}", param, ctx)


class FuncParamType(ParamType):
    """A plain callable used as a type: ``type=Decimal``; a ValueError becomes BadParameter."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.name = getattr(function, "__name__", "function")
        self.function = function

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        try:
            return self.function(value)
        except ValueError as e:
            return self.fail(str(e) or f"{value!r} is not a valid {self.name}.", param, ctx)


class Choice(ParamType):
    """One of the given strings: ``type=Choice(["red", "blue"])``, optionally case-insensitive."""

    name = "choice"

    def __init__(self, choices: Sequence[Any], case_sensitive: bool = True) -> None:
        self.choices = list(choices)
        self.case_sensitive = case_sensitive

    def get_metavar(self, param: Parameter) -> Optional[str]:
        shown = [str(choice) if self.case_sensitive else str(choice).lower() for choice in self.choices]
        return f"[{'|'.join(shown)}]"

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        for choice in self.choices:
            if self._matches(str(choice), str(value)):
                return choice
        if len(self.choices) == 1:
            return self.fail(f"{value!r} is not {str(self.choices[0])!r}.", param, ctx)
        listed = ", ".join(repr(str(choice)) for choice in self.choices)
        return self.fail(f"{value!r} is not one of {listed}.", param, ctx)

    def _matches(self, choice: str, value: str) -> bool:
        return choice == value if self.case_sensitive else choice.casefold() == value.casefold()

    def __repr__(self) -> str:
        return f"Choice({self.choices!r})"


class _NumberRange(ParamType):
    """A number within ``min``..``max`` (either may be None); ``clamp`` moves others to the edge."""

    def __init__(self, min: Optional[float] = None, max: Optional[float] = None,  # noqa: A002
                 min_open: bool = False, max_open: bool = False, clamp: bool = False) -> None:
        self.min, self.max, self.min_open, self.max_open, self.clamp = min, max, min_open, max_open, clamp

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        number = super().convert(value, param, ctx)  # type: ignore[misc]
        if self._is_in_range(number):
            return number
        if self.clamp:
            return self.min if self.min is not None and number < self.min else self.max
        return self.fail(f"{number} is not in the range {self.describe_range()}.", param, ctx)

    def _is_in_range(self, number: float) -> bool:
        if self.min is not None and (number < self.min or (self.min_open and number == self.min)):
            return False
        return self.max is None or not (number > self.max or (self.max_open and number == self.max))

    def describe_range(self) -> str:
        low = "" if self.min is None else f"{self.min}{'<' if self.min_open else '<='}"
        high = "" if self.max is None else f"{'<' if self.max_open else '<='}{self.max}"
        if self.min is None:
            return f"x{high}"
        return f"{low}x{high}"


class IntRange(_NumberRange, IntParamType):
    name = "integer range"


class FloatRange(_NumberRange, FloatParamType):
    name = "float range"


class Path(ParamType):
    """A filesystem path, checked as asked: ``Path(exists=True, dir_okay=False)``.

    The value stays a ``str`` unless ``path_type`` (``pathlib.Path``, say) is given.
    """

    envvar_list_splitter = os.pathsep

    def __init__(self, exists: bool = False, file_okay: bool = True, dir_okay: bool = True,
                 writable: bool = False, readable: bool = True, resolve_path: bool = False,
                 allow_dash: bool = False, path_type: Optional[type] = None) -> None:
        self.exists, self.file_okay, self.dir_okay = exists, file_okay, dir_okay
        self.writable, self.readable, self.resolve_path = writable, readable, resolve_path
        self.allow_dash, self.path_type = allow_dash, path_type
        if file_okay and not dir_okay:
            self.name = "file"
        elif dir_okay and not file_okay:
            self.name = "directory"
        else:
            self.name = "path"

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        if self.allow_dash and value in ("-", b"-"):
            return self._coerce(value)
        given = os.fspath(value)
        path = os.path.realpath(given) if self.resolve_path else given
        problem = self._find_problem(path)
        if problem:
            return self.fail(f"{self.name.title()} {given!r} {problem}.", param, ctx)
        return self._coerce(path)

    def _find_problem(self, path: Any) -> Optional[str]:
        import stat

        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "does not exist" if self.exists else None
        if not self.file_okay and stat.S_ISREG(mode):
            return "is a file"
        if not self.dir_okay and stat.S_ISDIR(mode):
            return "is a directory"
        if self.readable and not os.access(path, os.R_OK):
            return "is not readable"
        if self.writable and not os.access(path, os.W_OK):
            return "is not writable"
        return None

    def _coerce(self, path: Any) -> Any:
        if self.path_type is None or isinstance(path, self.path_type):
            return path
        if self.path_type is bytes:
            return os.fsencode(path)
        if self.path_type is str:
            return os.fsdecode(path)
        return self.path_type(path)


class File(ParamType):
    """An open file (``-`` is stdin or stdout); it is closed when the command's context ends."""

    name = "filename"
    envvar_list_splitter = os.pathsep

    def __init__(self, mode: str = "r", encoding: Optional[str] = None, errors: Optional[str] = "strict") -> None:
        self.mode, self.encoding, self.errors = mode, encoding, errors

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        if hasattr(value, "read") or hasattr(value, "write"):
            return value
        if value == "-":
            stream = sys.stdin if "r" in self.mode else sys.stdout
            return stream.buffer if "b" in self.mode else stream
        text_mode = "b" not in self.mode
        try:
            handle = open(value, self.mode, encoding=self.encoding if text_mode else None,
                          errors=self.errors if text_mode else None)
        except OSError as e:
            return self.fail(f"'{os.fsdecode(value)}': {e.strerror}", param, ctx)
        if ctx is not None:
            ctx.call_on_close(handle.close)
        return handle


STRING = StringParamType()
INT = IntParamType()
FLOAT = FloatParamType()
BOOL = BoolParamType()
UNPROCESSED = _UnprocessedParamType()


def convert_type(ty: Any, default: Any = None) -> ParamType:
    """The ParamType for ``type=`` (a ParamType, ``str``/``int``/``float``/``bool`` or a callable);
    with no type, the default value's type decides, as in Click."""
    if ty is None:
        sample = default[0] if isinstance(default, (list, tuple)) and default else default
        ty = type(sample) if sample is not None and sample is not UNSET and not callable(sample) else str
    if isinstance(ty, ParamType):
        return ty
    builtin = {str: STRING, int: INT, float: FLOAT, bool: BOOL}.get(ty) if isinstance(ty, type) else None
    if builtin is not None:
        return builtin
    if isinstance(ty, tuple):
        raise TypeError("Tuple types (type=(str, int)) are not supported; use nargs with one type.")
    if callable(ty):
        return FuncParamType(ty)
    raise TypeError(f"Unsupported parameter type {ty!r}: pass a ParamType, a type such as int, or a function.")


# -- Context ---------------------------------------------------------------------------------------

_context_stack = threading.local()


def get_current_context(silent: bool = False) -> Optional[Context]:
    """The context of the command running now (``RuntimeError`` outside one unless ``silent``)."""
    stack = getattr(_context_stack, "contexts", None)
    if stack:
        return stack[-1]
    if not silent:
        raise RuntimeError("There is no active click context.")
    return None


def _push_context(ctx: Context) -> None:
    _context_stack.__dict__.setdefault("contexts", []).append(ctx)


def _pop_context() -> None:
    _context_stack.contexts.pop()


class ParameterSource(Enum):
    """Where a parameter's value came from: ``ctx.get_parameter_source("debug")``."""

    COMMANDLINE = 1
    ENVIRONMENT = 2
    DEFAULT = 3
    DEFAULT_MAP = 4
    PROMPT = 5


class Context:
    """One command's invocation: its parsed ``params``, its ``parent`` context and a user ``obj``.

    ``obj`` and ``meta`` are shared down the chain; resources registered with ``with_resource``
    or ``call_on_close`` are released when the outermost ``with ctx:`` ends.
    """

    def __init__(self, command: Command, parent: Optional[Context] = None, info_name: Optional[str] = None,
                 obj: Any = None, auto_envvar_prefix: Optional[str] = None,
                 default_map: Optional[dict[str, Any]] = None, terminal_width: Optional[int] = None,
                 max_content_width: Optional[int] = None, allow_extra_args: bool = False,
                 help_option_names: Optional[list[str]] = None, color: Optional[bool] = None,
                 show_default: Optional[bool] = None) -> None:
        self.command, self.parent, self.info_name = command, parent, info_name
        self.params: dict[str, Any] = {}
        self.args: list[str] = []
        self._protected_args: list[str] = []
        self.obj = obj if obj is not None or parent is None else parent.obj
        self.meta: dict[str, Any] = parent.meta if parent is not None else {}
        self.default_map = default_map if default_map is not None else self._inherited_default_map()
        self.invoked_subcommand: Optional[str] = None
        self.terminal_width = terminal_width or (parent.terminal_width if parent else None)
        self.max_content_width = max_content_width or (parent.max_content_width if parent else None)
        self.allow_extra_args = allow_extra_args
        self.help_option_names = help_option_names or (parent.help_option_names if parent else ["--help"])
        self.color = color if color is not None or parent is None else parent.color
        self.show_default = show_default if show_default is not None or parent is None else parent.show_default
        self.auto_envvar_prefix = self._envvar_prefix(auto_envvar_prefix)
        self.resilient_parsing = False
        self._sources: dict[str, ParameterSource] = {}
        self._depth = 0
        self._exit_stack = ExitStack()

    def _inherited_default_map(self) -> Optional[dict[str, Any]]:
        if self.parent is None or not self.parent.default_map or self.info_name is None:
            return None
        return self.parent.default_map.get(self.info_name)

    def _envvar_prefix(self, prefix: Optional[str]) -> Optional[str]:
        """Click's rule: a subcommand's prefix is its parent's plus ``_NAME`` (``FLASK_RUN``)."""
        if prefix is None and self.parent is not None and self.parent.auto_envvar_prefix and self.info_name:
            prefix = f"{self.parent.auto_envvar_prefix}_{self.info_name.upper()}"
        return prefix.upper().replace("-", "_") if prefix else None

    def __enter__(self) -> Context:
        self._depth += 1
        _push_context(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.close()
        _pop_context()

    @contextmanager
    def scope(self, cleanup: bool = True) -> Iterator[Context]:
        """Make this the current context for a block; ``cleanup=False`` keeps its resources."""
        if not cleanup:
            self._depth += 1
        try:
            with self as ctx:
                yield ctx
        finally:
            if not cleanup:
                self._depth -= 1

    @property
    def command_path(self) -> str:
        """The words that invoked this command: ``microflask users add``."""
        name = self.info_name or ""
        if self.parent is not None:
            return f"{self.parent.command_path} {name}".strip()
        return name

    def find_root(self) -> Context:
        ctx = self
        while ctx.parent is not None:
            ctx = ctx.parent
        return ctx

    def find_object(self, object_type: type) -> Any:
        """The nearest ``obj`` (this context's, then its parents') of type ``object_type``."""
        ctx: Optional[Context] = self
        while ctx is not None:
            if isinstance(ctx.obj, object_type):
                return ctx.obj
            ctx = ctx.parent
        return None

    def ensure_object(self, object_type: type) -> Any:
        """``find_object``, else a new ``object_type()`` stored as this context's ``obj``."""
        found = self.find_object(object_type)
        if found is None:
            self.obj = found = object_type()
        return found

    def lookup_default(self, name: str, call: bool = True) -> Any:
        if not self.default_map or name not in self.default_map:
            return None
        value = self.default_map[name]
        return value() if call and callable(value) else value

    def with_resource(self, context_manager: Any) -> Any:
        """Enter ``context_manager`` now and exit it when this context closes."""
        return self._exit_stack.enter_context(context_manager)

    def call_on_close(self, function: F) -> F:
        self._exit_stack.callback(function)
        return function

    def close(self) -> None:
        self._exit_stack.close()
        self._exit_stack = ExitStack()

    def fail(self, message: str) -> Any:
        """Stop with a usage error (exit code 2)."""
        raise UsageError(message, self)

    def abort(self) -> Any:
        raise Abort()

    def exit(self, code: int = 0) -> Any:
        raise Exit(code)

    def get_usage(self) -> str:
        return self.command.get_usage(self)

    def get_help(self) -> str:
        return self.command.get_help(self)

    def set_parameter_source(self, name: str, source: ParameterSource) -> None:
        self._sources[name] = source

    def get_parameter_source(self, name: str) -> Optional[ParameterSource]:
        return self._sources.get(name)

    def invoke(self, callback: Any, *args: Any, **kwargs: Any) -> Any:
        """Call ``callback``, or another ``Command``'s callback with its defaults filled in."""
        ctx = self
        if isinstance(callback, Command):
            other = callback
            if other.callback is None:
                raise TypeError("The given command does not have a callback that can be invoked.")
            callback = other.callback
            ctx = Context(other, parent=self, info_name=other.name)
            for param in other.params:
                if param.expose_value and param.name not in kwargs:
                    kwargs[param.name] = param.type_cast_value(ctx, param.get_default(ctx))
        with ctx:
            return callback(*args, **kwargs)

    def forward(self, command: Command, *args: Any, **kwargs: Any) -> Any:
        """Invoke ``command`` with this context's parameters (``kwargs`` win)."""
        return self.invoke(command, *args, **{**self.params, **kwargs})


# -- Parameters ------------------------------------------------------------------------------------


class Parameter:
    """What options and arguments share: a name, a type, a default and how to resolve a value."""

    param_type_name = "parameter"

    def __init__(self, param_decls: Optional[Sequence[str]] = None, type: Any = None,  # noqa: A002
                 required: bool = False, default: Any = UNSET,
                 callback: Optional[Callable[[Context, Parameter, Any], Any]] = None,
                 nargs: Optional[int] = None, multiple: bool = False, metavar: Optional[str] = None,
                 expose_value: bool = True, is_eager: bool = False,
                 envvar: Union[str, Sequence[str], None] = None) -> None:
        self.name, self.opts, self.secondary_opts = self._parse_decls(list(param_decls or ()), expose_value)
        self.type = convert_type(type, default)
        self.required, self.default, self.callback = required, default, callback
        self.nargs = 1 if nargs is None else nargs
        self.multiple, self.metavar, self.expose_value = multiple, metavar, expose_value
        self.is_eager, self.envvar = is_eager, envvar

    def _parse_decls(self, decls: list[str], expose_value: bool) -> tuple[Optional[str], list[str], list[str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    def takes_many(self) -> bool:
        """Whether the value is a tuple (``multiple`` or ``nargs`` other than 1)."""
        return self.multiple or self.nargs != 1

    def get_default(self, ctx: Context, call: bool = True) -> Any:
        value = None if self.default is UNSET else self.default
        return value() if call and callable(value) else value

    def value_from_envvar(self, ctx: Context) -> Any:
        """The raw value of the first set environment variable named for this parameter."""
        raw = _first_set_envvar(self._envvar_names(ctx))
        if raw is not None and self.takes_many:
            return self.type.split_envvar_value(raw)
        return raw

    def _envvar_names(self, ctx: Context) -> list[str]:
        if self.envvar is None:
            return []
        return [self.envvar] if isinstance(self.envvar, str) else list(self.envvar)

    def consume_value(self, ctx: Context, parsed: dict[str, Any]) -> tuple[Any, ParameterSource]:
        """Command line, else environment, else the context's default map, else the default."""
        value = parsed.get(self.name) if self.name else None  # type: ignore[arg-type]
        if value is not None:
            return value, ParameterSource.COMMANDLINE
        value = self.value_from_envvar(ctx)
        if value is not None:
            return value, ParameterSource.ENVIRONMENT
        value = ctx.lookup_default(self.name) if self.name else None
        if value is not None:
            return value, ParameterSource.DEFAULT_MAP
        return self.get_default(ctx), ParameterSource.DEFAULT

    def type_cast_value(self, ctx: Context, value: Any) -> Any:
        """``value`` converted by the type: one value, a tuple for ``nargs``, tuples for ``multiple``."""
        if value is None:
            return () if self.multiple or self.nargs == -1 else None
        if self.multiple:
            return tuple(self._convert_group(ctx, item) for item in _as_list(value))
        return self._convert_group(ctx, value)

    def _convert_group(self, ctx: Context, value: Any) -> Any:
        if self.nargs == 1:
            return self.type(value, self, ctx)
        items = _as_list(value)
        if self.nargs > 1 and len(items) != self.nargs:
            raise BadParameter(f"Takes {self.nargs} values but {len(items)} were given.", ctx=ctx, param=self)
        return tuple(self.type(item, self, ctx) for item in items)

    def value_is_missing(self, value: Any) -> bool:
        return value is None or (self.takes_many and value == ())

    def process_value(self, ctx: Context, value: Any) -> Any:
        value = self.type_cast_value(ctx, value)
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    def handle_parse_result(self, ctx: Context, parsed: dict[str, Any]) -> Any:
        """Resolve, convert and check this parameter's value; store it in ``ctx.params``.

        Parameters may share a name (a feature switch); a default never replaces a value that
        an earlier one of them got from the command line or the environment.
        """
        value, source = self.consume_value(ctx, parsed)
        previous = ctx.get_parameter_source(self.name) if self.name else None
        shadowed = source is ParameterSource.DEFAULT and previous not in (None, ParameterSource.DEFAULT)
        if self.name and not shadowed:
            ctx.set_parameter_source(self.name, source)
        value = self.process_value(ctx, value)
        if self.expose_value and self.name and not shadowed:
            ctx.params[self.name] = value
        return value

    def get_error_hint(self, ctx: Optional[Context]) -> str:
        return " / ".join(f"'{opt}'" for opt in self.opts)

    def get_usage_pieces(self, ctx: Context) -> list[str]:
        return []

    def get_help_record(self, ctx: Context) -> Optional[tuple[str, str]]:
        return None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _first_set_envvar(names: Sequence[str]) -> Optional[str]:
    for name in names:
        value = os.environ.get(name)
        if value:  # an empty variable counts as unset, as in Click
            return value
    return None


def _describe_default(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if callable(value):
        return "(dynamic)"
    return str(value)


class Option(Parameter):
    """A named parameter: ``--name VALUE``, a flag ``--force``, or ``--shout/--no-shout``."""

    param_type_name = "option"

    def __init__(self, param_decls: Optional[Sequence[str]] = None, show_default: Union[bool, str, None] = None,
                 prompt: Union[bool, str] = False, confirmation_prompt: Union[bool, str] = False,
                 hide_input: bool = False, is_flag: Optional[bool] = None, flag_value: Any = None,
                 multiple: bool = False, count: bool = False, allow_from_autoenv: bool = True,
                 type: Any = None, help: Optional[str] = None, hidden: bool = False,  # noqa: A002
                 show_choices: bool = True, show_envvar: bool = False, **attrs: Any) -> None:
        default_given = "default" in attrs
        super().__init__(param_decls, type=type, multiple=multiple, **attrs)
        if is_flag is None:
            is_flag = flag_value is not None or bool(self.secondary_opts)
        if count:
            is_flag = False
            self.type = IntRange(min=0) if type is None else self.type
            self.default = 0 if not default_given else self.default
        self.flag_value: Any = None
        if is_flag:
            self._set_up_flag(default_given, flag_value, type)
        self.is_flag, self.count = is_flag, count
        self.is_bool_flag = bool(is_flag and isinstance(self.type, BoolParamType))
        if self.multiple and not default_given:
            self.default = ()
        self.prompt = self._prompt_text(prompt)
        self.confirmation_prompt, self.hide_input = confirmation_prompt, hide_input
        self.show_default, self.show_choices, self.show_envvar = show_default, show_choices, show_envvar
        self.allow_from_autoenv, self.help, self.hidden = allow_from_autoenv, help, hidden

    def _set_up_flag(self, default_given: bool, flag_value: Any, type_given: Any) -> None:
        """A flag defaults to False and, given, stores ``flag_value`` (True if unset). In a feature
        switch (several flags, one name, each its own ``flag_value``) ``default=True`` marks the
        flag whose value is the default."""
        if not default_given:
            self.default = False
        if flag_value is None:
            flag_value = True
        elif self.default is True and not isinstance(flag_value, bool):
            self.default = flag_value
        self.flag_value = flag_value
        if type_given is None:
            self.type = convert_type(None, flag_value)

    def _prompt_text(self, prompt: Union[bool, str]) -> Optional[str]:
        if prompt is True:
            return (self.name or "value").replace("_", " ").capitalize()
        return prompt or None

    def _parse_decls(self, decls: list[str], expose_value: bool) -> tuple[Optional[str], list[str], list[str]]:
        name = None
        opts: list[str] = []
        secondary: list[str] = []
        for decl in decls:
            if decl.isidentifier():
                if name is not None:
                    raise TypeError(f"Name {decl!r} defined twice")
                name = decl
            elif "/" in decl:
                first, second = decl.split("/", 1)
                opts.append(first.rstrip())
                secondary.append(second.lstrip())
            else:
                opts.append(decl)
        if not opts:
            raise TypeError(f"No options defined but a name was passed ({name}). Give it an option "
                            f"string such as '--{name}'.")
        if name is None:
            name = _name_from_options(opts)
        return name, opts, secondary

    def get_error_hint(self, ctx: Optional[Context]) -> str:
        return " / ".join(f"'{opt}'" for opt in self.opts)

    def _envvar_names(self, ctx: Context) -> list[str]:
        names = super()._envvar_names(ctx)
        if not names and self.allow_from_autoenv and ctx.auto_envvar_prefix and self.name:
            names = [f"{ctx.auto_envvar_prefix}_{self.name.upper()}"]
        return names

    def consume_value(self, ctx: Context, parsed: dict[str, Any]) -> tuple[Any, ParameterSource]:
        value, source = super().consume_value(ctx, parsed)
        if self.prompt is not None and source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
            return self.prompt_for_value(ctx), ParameterSource.PROMPT
        return value, source

    def prompt_for_value(self, ctx: Context) -> Any:
        default = self.get_default(ctx)
        if self.is_bool_flag:
            return confirm(self.prompt or "", default)
        return prompt(self.prompt or "", default=default, type=self.type, hide_input=self.hide_input,
                      show_choices=self.show_choices, confirmation_prompt=self.confirmation_prompt,
                      value_proc=lambda answer: self.type_cast_value(ctx, answer))

    def make_metavar(self) -> str:
        metavar = self.metavar or self.type.get_metavar(self) or self.type.name.upper()
        return f"{metavar}..." if self.nargs != 1 else metavar

    def get_help_record(self, ctx: Context) -> Optional[tuple[str, str]]:
        if self.hidden:
            return None
        names = _join_options(self.opts)
        if self.secondary_opts:
            names += " / " + _join_options(self.secondary_opts)
        if not self.is_flag and not self.count:
            names += " " + self.make_metavar()
        extras = self._help_extras(ctx)
        text = self.help or ""
        if extras:
            text = f"{text}  [{'; '.join(extras)}]" if text else f"[{'; '.join(extras)}]"
        return names, text

    def _help_extras(self, ctx: Context) -> list[str]:
        extras = []
        if self.show_envvar and self._envvar_names(ctx):
            extras.append(f"env var: {', '.join(self._envvar_names(ctx))}")
        default = self._shown_default(ctx)
        if default is not None:
            extras.append(f"default: {default}")
        if isinstance(self.type, _NumberRange) and not self.count:
            extras.append(self.type.describe_range())
        if self.required:
            extras.append("required")
        return extras

    def _shown_default(self, ctx: Context) -> Optional[str]:
        show = self.show_default if self.show_default is not None else ctx.show_default
        if not show:
            return None
        if isinstance(show, str):
            return f"({show})"
        value = self.get_default(ctx, call=False)
        if value is None or value == () or (self.is_flag and not self.secondary_opts and value is False):
            return None
        if self.is_bool_flag and self.secondary_opts:
            return _option_word((self.opts if value else self.secondary_opts)[0])
        return _describe_default(value)

    def add_to_parser(self, parser: Any, dest: str) -> None:
        """Declare this option on an ``argparse`` parser; absent options leave ``dest`` unset."""
        import argparse

        common = {"dest": dest, "default": argparse.SUPPRESS}
        if self.count:
            parser.add_argument(*self.opts, action="count", **common)
        elif self.is_flag and self.secondary_opts:  # --x/--no-x: True or False, whatever the default
            parser.add_argument(*self.opts, action="store_const", const=True, **common)
            parser.add_argument(*self.secondary_opts, action="store_const", const=False, **common)
        elif self.is_flag:
            parser.add_argument(*self.opts, action="store_const", const=self.flag_value, **common)
        else:
            nargs = None if self.nargs == 1 else self.nargs
            parser.add_argument(*self.opts, action="append" if self.multiple else "store", nargs=nargs, **common)


def _option_word(opt: str) -> str:
    return opt.lstrip("-")


def _name_from_options(opts: Sequence[str]) -> Optional[str]:
    """Click's rule: the first of the longest-prefixed names, dashes to underscores, lowercase."""
    ranked = sorted(opts, key=lambda opt: -(len(opt) - len(opt.lstrip("-"))))
    name = ranked[0].lstrip("-").replace("-", "_").lower()
    return name if name.isidentifier() else None


def _join_options(opts: Sequence[str]) -> str:
    """``-c, --count``: short names first, as Click lists them."""
    return ", ".join(sorted(opts, key=lambda opt: len(opt) - len(opt.lstrip("-"))))


class Argument(Parameter):
    """A positional parameter; ``nargs=-1`` takes any number of words."""

    param_type_name = "argument"

    def __init__(self, param_decls: Sequence[str], required: Optional[bool] = None, **attrs: Any) -> None:
        if "multiple" in attrs:
            raise TypeError("Arguments take no 'multiple'; use nargs=-1 for any number of values.")
        if required is None:
            required = attrs.get("default", UNSET) is UNSET and (attrs.get("nargs") or 1) > 0
        super().__init__(param_decls, required=required, **attrs)
        if self.nargs == -1 and self.default is UNSET:
            self.default = ()

    def _parse_decls(self, decls: list[str], expose_value: bool) -> tuple[Optional[str], list[str], list[str]]:
        if len(decls) != 1:
            raise TypeError(f"Arguments take exactly one parameter declaration, got {len(decls)}: {decls}.")
        name = decls[0].replace("-", "_").lower()
        return name, [decls[0]], []

    @property
    def human_readable_name(self) -> str:
        return self.metavar or (self.name or "").upper()

    def make_metavar(self) -> str:
        metavar = self.metavar or self.type.get_metavar(self) or (self.name or "").upper()
        if not self.required:
            metavar = f"[{metavar}]"
        return f"{metavar}..." if self.nargs != 1 else metavar

    def get_error_hint(self, ctx: Optional[Context]) -> str:
        metavar = self.metavar or (self.name or "").upper()
        return f"'{metavar}...'" if self.nargs != 1 else f"'{metavar}'"

    def get_usage_pieces(self, ctx: Context) -> list[str]:
        return [self.make_metavar()]


def _deal_words(words: list[str], arguments: list[Argument]) -> tuple[dict[str, Any], list[str]]:
    """Give each argument its words, as Click does: fixed counts from the left up to the
    ``nargs=-1`` argument, fixed counts from the right after it, the rest to it. Returns the
    values by name and the words nobody took."""
    star = next((i for i, argument in enumerate(arguments) if argument.nargs == -1), None)
    head = arguments if star is None else arguments[:star]
    tail = [] if star is None else arguments[star + 1:]
    values: dict[str, Any] = {}
    remaining = list(words)
    for argument in head:
        values[argument.name or ""], remaining = _take_words(argument, remaining, from_end=False)
    for argument in reversed(tail):
        values[argument.name or ""], remaining = _take_words(argument, remaining, from_end=True)
    if star is not None:
        values[arguments[star].name or ""] = remaining or None
        remaining = []
    return values, remaining


def _take_words(argument: Argument, words: list[str], from_end: bool) -> tuple[Any, list[str]]:
    count = argument.nargs
    if not words:
        return None, words
    if len(words) < count:
        raise BadArgumentUsage(f"Argument {argument.get_error_hint(None)} takes {count} values.")
    taken, rest = (words[-count:], words[:-count]) if from_end else (words[:count], words[count:])
    return (taken[0] if count == 1 else taken), rest


# -- Commands --------------------------------------------------------------------------------------


def _make_argparse_parser(prog: str) -> Any:
    """An ``argparse`` parser that raises ``_ParserError`` instead of printing and exiting."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> Any:  # type: ignore[override]
            raise _ParserError(message)

    return _Parser(prog=prog, add_help=False, allow_abbrev=False)


class _ParserError(Exception):
    """argparse rejected the command line; the message is turned into a UsageError."""


_ARGPARSE_MESSAGES = (
    (re.compile(r"argument (\S+?)(?:/\S+)*: expected one argument"), "Option '{0}' requires an argument."),
    (re.compile(r"argument (\S+?)(?:/\S+)*: expected (\d+) arguments"), "Option '{0}' requires {1} arguments."),
    (re.compile(r"argument (\S+?)(?:/\S+)*: ignored explicit argument '.*'"), "Option '{0}' does not take a value."),
)


def _translate_argparse_message(message: str, options: Sequence[Option]) -> str:
    """argparse's wording made Click's ("Option '--name' requires an argument.")."""
    for pattern, template in _ARGPARSE_MESSAGES:
        match = pattern.match(message)
        if match:
            return template.format(_longest_option_name(match.group(1), options), *match.groups()[1:])
    return message[:1].upper() + message[1:]


def _longest_option_name(name: str, options: Sequence[Option]) -> str:
    for option in options:
        names = [*option.opts, *option.secondary_opts]
        if name in names:
            return max(names, key=len)
    return name


class Command:
    """A command: a callback, its parameters and its help (``@command`` makes one)."""

    #: Whether unexpected extra words are kept in ``ctx.args`` instead of being an error.
    allow_extra_args = False

    def __init__(self, name: Optional[str], context_settings: Optional[dict[str, Any]] = None,
                 callback: Optional[Callable[..., Any]] = None, params: Optional[list[Parameter]] = None,
                 help: Optional[str] = None, epilog: Optional[str] = None,  # noqa: A002
                 short_help: Optional[str] = None, options_metavar: Optional[str] = "[OPTIONS]",
                 add_help_option: bool = True, no_args_is_help: bool = False, hidden: bool = False) -> None:
        self.name = name
        self.context_settings = dict(context_settings or {})
        self.callback = callback
        self.params: list[Parameter] = list(params or [])
        self.help = _clean_help(help) if help else help
        self.epilog, self.short_help, self.options_metavar = epilog, short_help, options_metavar
        self.add_help_option, self.no_args_is_help, self.hidden = add_help_option, no_args_is_help, hidden

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # -- Running ---------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.main(*args, **kwargs)

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the command on ``args`` (``sys.argv[1:]``).

        In standalone mode (the default) errors are printed and the process exits with the
        command's exit code; otherwise exceptions propagate and the callback's result is returned.
        """
        args = list(sys.argv[1:] if args is None else args)
        prog_name = prog_name or _detect_program_name()
        try:
            try:
                with self.make_context(prog_name, args, **extra) as ctx:
                    result = self.invoke(ctx)
                    if not standalone_mode:
                        return result
                    ctx.exit()
            except (EOFError, KeyboardInterrupt) as e:
                echo(file=sys.stderr)
                raise Abort() from e
            except ClickException as e:
                if not standalone_mode:
                    raise
                e.show()
                sys.exit(e.exit_code)
        except Exit as e:
            if standalone_mode:
                sys.exit(e.exit_code)
            return e.exit_code
        except Abort:
            if not standalone_mode:
                raise
            echo("Aborted!", file=sys.stderr)
            sys.exit(1)
        return None

    def make_context(self, info_name: Optional[str], args: Sequence[str], parent: Optional[Context] = None,
                     **extra: Any) -> Context:
        """A context for this command with ``args`` parsed into ``ctx.params``."""
        for key, value in self.context_settings.items():
            extra.setdefault(key, value)
        extra.setdefault("allow_extra_args", self.allow_extra_args)
        ctx = Context(self, info_name=info_name, parent=parent, **extra)
        try:
            with ctx.scope(cleanup=False):
                self.parse_args(ctx, list(args))
        except BaseException:
            ctx.close()  # ``--help`` or a usage error: release what parsing pushed (an app context)
            raise
        return ctx

    def invoke(self, ctx: Context) -> Any:
        if self.callback is not None:
            return ctx.invoke(self.callback, **ctx.params)
        return None

    # -- Parsing ---------------------------------------------------------------------------

    def get_help_option_names(self, ctx: Context) -> list[str]:
        return list(ctx.help_option_names) if self.add_help_option else []

    def get_params(self, ctx: Context) -> list[Parameter]:
        """The declared parameters plus the ``--help`` option."""
        names = self.get_help_option_names(ctx)
        if not names:
            return list(self.params)
        return [*self.params, _help_option(names)]

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Fill ``ctx.params`` from ``args``; words no argument takes end up in ``ctx.args``."""
        if not args and self.no_args_is_help:
            raise NoArgsIsHelp(ctx)
        extra = self._parse_params(ctx, args)
        if extra and not ctx.allow_extra_args:
            plural = "s" if len(extra) > 1 else ""
            ctx.fail(f"Got unexpected extra argument{plural} ({' '.join(extra)})")
        ctx.args = extra
        return extra

    def _parse_params(self, ctx: Context, args: list[str]) -> list[str]:
        params = self.get_params(ctx)
        parsed, words = self._parse_options(ctx, args, [p for p in params if isinstance(p, Option)])
        values, extra = _deal_words(words, [p for p in params if isinstance(p, Argument)])
        parsed.update(values)
        for param in sorted(params, key=lambda p: not p.is_eager):
            param.handle_parse_result(ctx, parsed)
        return extra

    def _parse_options(self, ctx: Context, args: list[str],
                       options: list[Option]) -> tuple[dict[str, Any], list[str]]:
        """argparse does the splitting: option values by parameter name, and the positional words."""
        parser = _make_argparse_parser(ctx.command_path)
        for index, option in enumerate(options):
            option.add_to_parser(parser, f"option_{index}")
        parser.add_argument("words", nargs="*")
        # NOTE(commands): words after "--" are split off here: argparse's intermixed parsing loses
        # them when "--" comes first or right after an option (seen on CPython 3.9 and 3.11).
        head, tail = (args[:args.index("--")], args[args.index("--") + 1:]) if "--" in args else (args, [])
        try:
            namespace, unknown = parser.parse_known_intermixed_args(head)
        except _ParserError as e:
            raise UsageError(_translate_argparse_message(str(e), options), ctx) from None
        if unknown:
            raise _no_such_option(ctx, unknown[0], options)
        parsed = {option.name or "": getattr(namespace, f"option_{index}")
                  for index, option in enumerate(options) if hasattr(namespace, f"option_{index}")}
        return parsed, [*namespace.words, *tail]

    # -- Help ------------------------------------------------------------------------------

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def get_usage(self, ctx: Context) -> str:
        import textwrap

        prefix = f"Usage: {ctx.command_path} "
        pieces = " ".join(self.collect_usage_pieces(ctx))
        if not pieces:
            return prefix.rstrip()
        return textwrap.fill(pieces, _help_width(ctx), initial_indent=prefix,
                             subsequent_indent=" " * len(prefix), break_on_hyphens=False)

    def get_help(self, ctx: Context) -> str:
        """The ``--help`` text, laid out as Click lays it out."""
        width = _help_width(ctx)
        sections = [self.get_usage(ctx)]
        if self.help:
            sections.append(_indent_paragraphs(self.help.split("\f", 1)[0], width))
        rows = [record for record in (param.get_help_record(ctx) for param in self.get_params(ctx)) if record]
        if rows:
            sections.append("Options:\n" + _format_rows(rows, width))
        sections.extend(self.format_extra_sections(ctx, width))
        if self.epilog:
            sections.append(_indent_paragraphs(_clean_help(self.epilog), width))
        return "\n\n".join(sections)

    def format_extra_sections(self, ctx: Context, width: int) -> list[str]:
        return []

    def get_short_help_str(self, limit: int = SHORT_HELP_LIMIT) -> str:
        """The one-line summary shown in a group's help: ``short_help``, else the help's first sentence."""
        if self.short_help:
            return _clean_help(self.short_help)
        if self.help:
            return _make_short_help(self.help.split("\f", 1)[0], limit)
        return ""


def _no_such_option(ctx: Context, token: str, options: Sequence[Option]) -> NoSuchOption:
    import difflib

    name = token.split("=", 1)[0]
    known = [opt for option in options for opt in (*option.opts, *option.secondary_opts)]
    return NoSuchOption(name, possibilities=difflib.get_close_matches(name, known), ctx=ctx)


def _help_option(names: list[str]) -> Option:
    def show_help(ctx: Context, param: Parameter, value: Any) -> None:
        if value:
            echo(ctx.get_help(), color=ctx.color)
            ctx.exit()

    return Option(names, is_flag=True, expose_value=False, is_eager=True, callback=show_help,
                  help="Show this message and exit.")


def _detect_program_name() -> str:
    """``microflask`` for a script, ``python -m package`` for ``python -m``, as Click names it."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        package = spec.name[: -len(".__main__")] if spec.name.endswith(".__main__") else spec.name
        return f"python -m {package}"
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "cli"


def _help_width(ctx: Context) -> int:
    import shutil

    columns = ctx.terminal_width or shutil.get_terminal_size().columns
    return max(min(columns, ctx.max_content_width or MAX_HELP_WIDTH) - 2, 50)


def _clean_help(text: str) -> str:
    """A docstring dedented as ``inspect.cleandoc`` does (without importing inspect)."""
    import textwrap

    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    rest = textwrap.dedent("\n".join(lines[1:]))
    return f"{lines[0].strip()}\n{rest}".strip()


def _indent_paragraphs(text: str, width: int) -> str:
    """Each paragraph rewrapped and indented two spaces; a paragraph led by ``\\b`` stays as is."""
    import textwrap

    paragraphs = re.split(r"\n[ \t]*\n", text.strip())
    blocks = []
    for paragraph in paragraphs:
        if paragraph.startswith("\b"):
            lines = paragraph[1:].strip("\n").splitlines()
            blocks.append("\n".join(f"  {line}".rstrip() for line in lines))
        else:
            blocks.append(textwrap.fill(" ".join(paragraph.split()), width, initial_indent="  ",
                                        subsequent_indent="  "))
    return "\n\n".join(blocks)


def _format_rows(rows: Sequence[tuple[str, str]], width: int) -> str:
    """Two columns as in Click's help: names padded to the widest (at most HELP_COLUMN_MAX),
    texts wrapped beside them; a longer name puts its text on the next line."""
    import textwrap

    first_width = min(max(len(first) for first, _ in rows), HELP_COLUMN_MAX)
    indent = " " * (first_width + 4)
    lines = []
    for first, second in rows:
        wrapped = textwrap.wrap(second, max(width - first_width - 4, 10)) or [""]
        if len(first) <= first_width:
            lines.append(f"  {first:<{first_width}}  {wrapped[0]}".rstrip())
        else:
            lines.append(f"  {first}")
            if second:
                lines.append(indent + wrapped[0])
        lines.extend(indent + line for line in wrapped[1:])
    return "\n".join(lines)


def _make_short_help(text: str, limit: int) -> str:
    """The first sentence of the first paragraph, cut at a word with ``...`` past ``limit``."""
    words = re.split(r"\n[ \t]*\n", text.strip())[0].split()
    chosen: list[str] = []
    for word in words:
        if len(" ".join([*chosen, word])) > limit:
            return " ".join(chosen) + "..."
        chosen.append(word)
        if word.endswith("."):
            break
    return " ".join(chosen)


class Group(Command):
    """A command whose subcommands run after it: ``@group()`` then ``@that_group.command()``."""

    #: The class ``@group.command()`` makes (None: ``Command``).
    command_class: Optional[type] = None
    #: The class ``@group.group()`` makes (None: ``Group``; ``type``: this group's own class).
    group_class: Optional[type] = None

    def __init__(self, name: Optional[str] = None, commands: Union[dict[str, Command], Sequence[Command], None] = None,
                 invoke_without_command: bool = False, no_args_is_help: Optional[bool] = None,
                 subcommand_metavar: str = "COMMAND [ARGS]...", **attrs: Any) -> None:
        if no_args_is_help is None:
            no_args_is_help = not invoke_without_command
        super().__init__(name, no_args_is_help=no_args_is_help, **attrs)
        if isinstance(commands, (list, tuple)):
            commands = {command.name or "": command for command in commands}
        self.commands: dict[str, Command] = dict(commands or {})
        self.invoke_without_command = invoke_without_command
        self.subcommand_metavar = subcommand_metavar

    def add_command(self, cmd: Command, name: Optional[str] = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self.commands[name] = cmd

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """``@group.command()`` (or bare ``@group.command``): a command added to this group."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.command()(args[0])
        if self.command_class is not None:
            kwargs.setdefault("cls", self.command_class)

        def decorator(function: Callable[..., Any]) -> Command:
            cmd = command(*args, **kwargs)(function)
            self.add_command(cmd)
            return cmd

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Any:
        """``@group.group()``: a nested group."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.group()(args[0])
        if self.group_class is not None:
            kwargs.setdefault("cls", type(self) if self.group_class is type else self.group_class)

        def decorator(function: Callable[..., Any]) -> Group:
            cmd = group(*args, **kwargs)(function)
            self.add_command(cmd)
            return cmd

        return decorator

    def get_command(self, ctx: Context, cmd_name: str) -> Optional[Command]:
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted(self.commands)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), self.subcommand_metavar]

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """Parse the group's own options; keep the subcommand and its words for ``invoke``."""
        if not args and self.no_args_is_help:
            raise NoArgsIsHelp(ctx)
        own, rest = self._split_at_subcommand(ctx, args)
        self._parse_params(ctx, own)
        ctx._protected_args, ctx.args = rest[:1], rest[1:]
        return ctx.args

    def _split_at_subcommand(self, ctx: Context, args: list[str]) -> tuple[list[str], list[str]]:
        """``args`` cut before the first word that is not an option or an option's value."""
        options = [p for p in self.get_params(ctx) if isinstance(p, Option)]
        valued = {opt: option.nargs for option in options if not option.is_flag and not option.count
                  for opt in option.opts}
        positionals = sum(p.nargs for p in self.params if isinstance(p, Argument) and p.nargs > 0)
        index = 0
        while index < len(args):
            word = args[index]
            if word == "--":
                return args[:index], args[index + 1:]
            if word.startswith("-") and word != "-":
                index += 1 + (valued.get(word, 0) if "=" not in word else 0)
                continue
            if positionals == 0:
                return args[:index], args[index:]
            positionals -= 1
            index += 1
        return args, []

    def invoke(self, ctx: Context) -> Any:
        if not ctx._protected_args:
            if self.invoke_without_command:
                return super().invoke(ctx)
            ctx.fail("Missing command.")
        name, args = ctx._protected_args[0], ctx.args
        cmd = self.resolve_command(ctx, name)
        ctx.invoked_subcommand = name
        super().invoke(ctx)
        sub_ctx = cmd.make_context(name, list(args), parent=ctx)
        with sub_ctx:
            return sub_ctx.command.invoke(sub_ctx)

    def resolve_command(self, ctx: Context, name: str) -> Command:
        cmd = self.get_command(ctx, name)
        if cmd is None:
            ctx.fail(f"No such command {name!r}.")
        return cmd  # type: ignore[return-value]

    def format_extra_sections(self, ctx: Context, width: int) -> list[str]:
        listed = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        listed = [(name, cmd) for name, cmd in listed if cmd is not None and not cmd.hidden]
        if not listed:
            return []
        limit = width - 6 - max(len(name) for name, _ in listed)
        rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in listed]  # type: ignore[union-attr]
        return ["Commands:\n" + _format_rows(rows, width)]


# -- Decorators ------------------------------------------------------------------------------------


def _command_name(function_name: str) -> str:
    """``init_db_command`` -> ``init-db``: Click drops a ``_command``/``_cmd``/``_group``/``_grp`` suffix."""
    name = function_name.lower()
    for suffix in ("_command", "_cmd", "_group", "_grp"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name.replace("_", "-")


def command(name: Union[str, Callable[..., Any], None] = None, cls: Optional[type] = None, **attrs: Any) -> Any:
    """``@command()``: the function becomes a ``Command`` named after it (``init_db`` -> ``init-db``);
    its docstring is the help. The ``@option``/``@argument`` decorators below it add parameters."""
    if callable(name):
        return command(cls=cls, **attrs)(name)
    command_class = cls or Command

    def decorator(function: Callable[..., Any]) -> Command:
        if isinstance(function, Command):
            raise TypeError("Attempted to convert a callback into a command twice.")
        settings = dict(attrs)
        declared = getattr(function, "__click_params__", [])
        if "__click_params__" in getattr(function, "__dict__", {}):
            del function.__click_params__  # type: ignore[attr-defined]
        params = [*(settings.pop("params", None) or []), *reversed(declared)]
        help_text = settings.pop("help", None) or function.__doc__
        cmd = command_class(name=name or _command_name(function.__name__), callback=function,
                            params=params, help=help_text, **settings)
        cmd.__doc__ = function.__doc__
        return cmd

    return decorator


def group(name: Union[str, Callable[..., Any], None] = None, cls: Optional[type] = None, **attrs: Any) -> Any:
    """``@group()``: a ``Group``; add commands with ``@that_group.command()``."""
    if callable(name):
        return group(cls=cls, **attrs)(name)
    return command(name, cls=cls or Group, **attrs)


def _attach_param(function: Any, param: Parameter) -> None:
    if isinstance(function, Command):
        function.params.append(param)
    else:
        if "__click_params__" not in function.__dict__:
            function.__click_params__ = []
        function.__click_params__.append(param)


def option(*param_decls: str, cls: Optional[type] = None, **attrs: Any) -> Callable[[F], F]:
    """``@option("--count", "-c", default=1, help="...")``: declare an option."""

    def decorator(function: F) -> F:
        _attach_param(function, (cls or Option)(param_decls, **attrs))
        return function

    return decorator


def argument(*param_decls: str, cls: Optional[type] = None, **attrs: Any) -> Callable[[F], F]:
    """``@argument("name", nargs=-1)``: declare a positional argument."""

    def decorator(function: F) -> F:
        _attach_param(function, (cls or Argument)(param_decls, **attrs))
        return function

    return decorator


def pass_context(function: F) -> F:
    """Call the function with the current ``Context`` as first argument."""

    def new_function(*args: Any, **kwargs: Any) -> Any:
        return function(get_current_context(), *args, **kwargs)

    return update_wrapper(new_function, function)  # type: ignore[return-value]


def pass_obj(function: F) -> F:
    """Call the function with the context's ``obj`` as first argument."""

    def new_function(*args: Any, **kwargs: Any) -> Any:
        return function(get_current_context().obj, *args, **kwargs)  # type: ignore[union-attr]

    return update_wrapper(new_function, function)  # type: ignore[return-value]


def make_pass_decorator(object_type: type, ensure: bool = False) -> Callable[[F], F]:
    """A decorator passing the nearest context object of ``object_type`` (made if ``ensure``)."""

    def decorator(function: F) -> F:
        def new_function(*args: Any, **kwargs: Any) -> Any:
            ctx = get_current_context()
            found = ctx.ensure_object(object_type) if ensure else ctx.find_object(object_type)  # type: ignore[union-attr]
            if found is None:
                raise RuntimeError(f"Managed to invoke callback without a context object of type"
                                   f" {object_type.__name__!r} existing.")
            return ctx.invoke(function, found, *args, **kwargs)  # type: ignore[union-attr]

        return update_wrapper(new_function, function)  # type: ignore[return-value]

    return decorator


def version_option(version: Optional[str] = None, *param_decls: str, package_name: Optional[str] = None,
                   prog_name: Optional[str] = None, message: str = "%(prog)s, version %(version)s",
                   **kwargs: Any) -> Callable[[F], F]:
    """A ``--version`` flag that prints ``message`` and exits. Give ``version`` or ``package_name``
    (looked up with importlib.metadata); unlike Click, the package is not guessed."""
    if version is None and package_name is None:
        raise TypeError("version_option() needs version='1.0' or package_name='yourpackage'.")

    def show_version(ctx: Context, param: Parameter, value: Any) -> None:
        if not value:
            return
        resolved = version
        if resolved is None:
            from importlib.metadata import version as package_version

            resolved = package_version(package_name)  # type: ignore[arg-type]
        name = prog_name or ctx.find_root().info_name
        echo(message % {"prog": name, "package": package_name, "version": resolved})
        ctx.exit()

    kwargs.setdefault("help", "Show the version and exit.")
    return option(*(param_decls or ("--version",)), is_flag=True, expose_value=False, is_eager=True,
                  callback=show_version, **kwargs)


def confirmation_option(*param_decls: str, **kwargs: Any) -> Callable[[F], F]:
    """A ``--yes`` flag; without it the user is asked to confirm, and a no aborts."""

    def check(ctx: Context, param: Parameter, value: Any) -> None:
        if not value:
            ctx.abort()

    kwargs.setdefault("help", "Confirm the action without prompting.")
    kwargs.setdefault("prompt", "Do you want to continue?")
    return option(*(param_decls or ("--yes",)), is_flag=True, expose_value=False, callback=check, **kwargs)


def password_option(*param_decls: str, **kwargs: Any) -> Callable[[F], F]:
    """A ``--password`` option asked for (hidden, twice) when not given."""
    kwargs.setdefault("prompt", True)
    kwargs.setdefault("confirmation_prompt", True)
    kwargs.setdefault("hide_input", True)
    return option(*(param_decls or ("--password",)), **kwargs)
