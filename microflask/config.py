"""Configuration: a dict with loaders (Flask's ``flask.config``).

``app.config`` is a ``Config``: a plain dict of UPPER_CASE keys, filled from the app's
``default_config`` and then by the ``from_*`` loaders:

1. ``from_object`` / ``from_pyfile`` / ``from_envvar`` take the upper-case attributes of an
   object, an import string or an executed Python file, so helper names stay out;
2. ``from_file`` reads a file with any ``load`` function (``json.load``, ``tomllib.load``) and
   ``from_mapping`` takes the upper-case keys of a mapping;
3. ``from_prefixed_env`` reads ``FLASK_*`` environment variables in sorted order, parses each
   value with ``json.loads`` when it parses (else keeps the string), and ``__`` nests into dicts.

Relative file names are joined to ``root_path``: the app's root, or its instance folder with
``Flask(..., instance_relative_config=True)``. ``ConfigAttribute`` mirrors a key as an app
attribute (``app.debug`` is ``app.config["DEBUG"]``).
Flask docs: https://flask.palletsprojects.com/en/stable/config/ and
https://flask.palletsprojects.com/en/stable/api/#configuration.

Does not: watch files or reload; the app reads keys when it needs them.
"""

from __future__ import annotations

import errno
import os
import types
from collections import abc
from typing import IO, Any, Callable, Mapping, Optional

#: ``from_pyfile(silent=True)`` ignores these errors (the file is missing, not broken).
_MISSING_FILE_ERRORS = (errno.ENOENT, errno.EISDIR, errno.ENOTDIR)
#: ``from_file(silent=True)`` ignores these, as Flask does.
_MISSING_DATA_FILE_ERRORS = (errno.ENOENT, errno.EISDIR)


class ConfigAttribute:
    """An app attribute that reads and writes a config key (``app.debug`` is ``config['DEBUG']``).

    ``get_converter`` converts the stored value on read, e.g. seconds to a ``timedelta``.
    """

    def __init__(self, name: str, get_converter: Optional[Callable[[Any], Any]] = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        return self.get_converter(value) if self.get_converter is not None else value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.config[self.__name__] = value


class Config(dict):
    """The app's settings, with ``from_*`` loaders. ``root_path`` anchors relative file names."""

    def __init__(self, root_path: str | os.PathLike = "", defaults: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(defaults or {})
        self.root_path = os.fspath(root_path)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

    # -- Python objects and files --------------------------------------------------------------

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by environment variable ``variable_name`` (``from_pyfile``).

        An unset or empty variable raises RuntimeError, or returns False when ``silent``.
        """
        path = os.environ.get(variable_name)
        if not path:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such configuration"
                " could not be loaded. Set this variable and make it point to a configuration file"
            )
        return self.from_pyfile(path, silent=silent)

    def from_pyfile(self, filename: str | os.PathLike, silent: bool = False) -> bool:
        """Execute a Python file (relative to ``root_path``) and take its upper-case names.

        A missing file raises OSError naming it, or returns False when ``silent``. An error raised
        by the file's own code propagates unchanged; its traceback shows the file and line.
        """
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, mode="rb") as config_file:
                source = config_file.read()
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRORS:
                return False
            _describe_load_error(e)
            raise
        module = types.ModuleType("config")
        module.__file__ = filename
        try:
            exec(compile(source, filename, "exec"), module.__dict__)
        except Exception as e:
            _add_note(e, f"while executing configuration file {filename!r}")
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Take the upper-case attributes of an object, class or module (or its import string).

        ``from_object("myapp.settings.Production")`` imports the name first.
        """
        if isinstance(obj, str):
            from .utils import import_string

            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    # -- Data files, mappings, environment -----------------------------------------------------

    def from_file(self, filename: str | os.PathLike, load: Callable[[IO[Any]], Mapping[str, Any]],
                  silent: bool = False, text: bool = True) -> bool:
        """Read a file with ``load`` and take the upper-case keys of what it returns.

        ``from_file("config.json", json.load)``; ``from_file("config.toml", tomllib.load,
        text=False)`` (``tomllib`` reads bytes). A missing file returns False when ``silent``.
        """
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, "r" if text else "rb") as file:
                data = _load_data(load, file, filename)
        except OSError as e:
            if silent and e.errno in _MISSING_DATA_FILE_ERRORS:
                return False
            _describe_load_error(e)
            raise
        if not isinstance(data, abc.Mapping):
            raise TypeError(
                f"Configuration file {filename!r} must hold a mapping of keys to values, but"
                f" {getattr(load, '__name__', load)!r} returned a {type(data).__name__}."
            )
        return self.from_mapping(data)

    def from_mapping(self, mapping: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> bool:
        """Take the upper-case keys of a mapping and of keyword arguments; always True."""
        values: dict[str, Any] = dict(mapping or {})
        values.update(kwargs)
        for key, value in values.items():
            if key.isupper():
                self[key] = value
        return True

    def from_prefixed_env(self, prefix: str = "FLASK", *, loads: Optional[Callable[[str], Any]] = None) -> bool:
        """Load ``PREFIX_KEY`` environment variables, in sorted order; always True.

        Each value goes through ``loads`` (``json.loads`` by default) and stays a string if that
        raises, so ``FLASK_PORT=8000`` is ``8000`` and ``FLASK_NAME=x`` is ``"x"``.
        ``FLASK_DB__HOST=x`` sets ``config["DB"]["HOST"]``: ``__`` descends into dicts, created
        as needed.
        """
        if loads is None:
            import json  # here, not at the top: most apps never call this, and json is slow to import

            loads = json.loads
        prefix = f"{prefix}_"
        for name in sorted(os.environ):
            if name.startswith(prefix):
                value = _parse_env_value(os.environ[name], loads)
                self._set_nested(name, name[len(prefix):], value)
        return True

    def _set_nested(self, variable: str, key: str, value: Any) -> None:
        """``config[A][B] = value`` for key ``A__B``; ``variable`` names the source in errors."""
        *parents, last = key.split("__")
        current: Any = self
        for part in parents:
            current = current.setdefault(part, {})
            if not isinstance(current, dict):
                raise TypeError(
                    f"Environment variable {variable!r} sets a key inside {part!r}, but that key"
                    f" holds a value of type {type(current).__name__}, not a dict. Rename one of the variables."
                )
        current[last] = value

    # -- Reading -------------------------------------------------------------------------------

    def get_namespace(self, namespace: str, lowercase: bool = True, trim_namespace: bool = True) -> dict[str, Any]:
        """The keys starting with ``namespace`` (e.g. ``'IMAGE_STORE_'``) as a new dict.

        The prefix is cut off (``trim_namespace``) and the rest lower-cased (``lowercase``), so
        the result can be passed as keyword arguments: ``Store(**config.get_namespace(...))``.
        """
        result = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace):] if trim_namespace else key
            result[name.lower() if lowercase else name] = value
        return result


def _describe_load_error(error: OSError) -> None:
    """Reword ``error`` in place to say that a configuration file failed to load."""
    # NOTE(config): the type and errno stay (callers catch FileNotFoundError); str(error) then
    # reads "[Errno 2] Unable to load configuration file (No such file or directory): 'path'".
    error.strerror = f"Unable to load configuration file ({error.strerror})"


def _load_data(load: Callable[[IO[Any]], Any], file: IO[Any], filename: str) -> Any:
    """``load(file)``; a parse error propagates unchanged, with a note naming the file."""
    try:
        return load(file)
    except (ValueError, TypeError) as e:  # json/tomllib decode errors are ValueErrors
        _add_note(e, f"while loading configuration file {filename!r}")
        raise


def _parse_env_value(text: str, loads: Callable[[str], Any]) -> Any:
    try:
        return loads(text)
    except Exception:  # noqa: BLE001 - any failure to parse means "keep the string"
        return text


def _add_note(error: BaseException, note: str) -> None:
    """Attach ``note`` to the traceback display where Python supports it (3.11+)."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)
