"""Configuration: a dict with loaders (Flask's ``flask.config``).

``app.config`` is a ``Config``: a plain dict of UPPER_CASE keys with helpers that fill it from a
Python object or file, a JSON/TOML file, environment variables or a mapping. Only upper-case names
are taken from objects and files, so helper variables in a settings module stay out.

Does not: watch files or reload; the app reads keys when it needs them.
"""

from __future__ import annotations

import errno
import os
import types
from typing import Any, Callable, Mapping, Optional


class ConfigAttribute:
    """An app attribute that reads and writes a config key (``app.debug`` is ``config['DEBUG']``)."""

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

    def __init__(self, root_path: str | os.PathLike = "", defaults: Optional[dict] = None) -> None:
        super().__init__(defaults or {})
        self.root_path = os.fspath(root_path)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by environment variable ``variable_name``."""
        path = os.environ.get(variable_name)
        if not path:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such configuration"
                " could not be loaded. Set this variable and make it point to a configuration file"
            )
        return self.from_pyfile(path, silent=silent)

    def from_prefixed_env(self, prefix: str = "FLASK", *, loads: Optional[Callable[[str], Any]] = None) -> bool:
        """Load ``PREFIX_KEY`` environment variables; values parsed as JSON (``loads``, by
        default ``json.loads``) when they can be.

        ``PREFIX_DB__HOST=x`` sets ``config['DB']['HOST']`` (``__`` descends into dicts).
        """
        if loads is None:
            import json  # here, not at the top: most apps never call this, and json is slow to import

            loads = json.loads
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            value: Any = os.environ[key]
            try:
                value = loads(value)
            except Exception:  # noqa: BLE001 - any loads failure means "keep it a string"
                pass
            self._set_nested(key[len(prefix):], value)
        return True

    def _set_nested(self, key: str, value: Any) -> None:
        *parents, last = key.split("__")
        current: Any = self
        for part in parents:
            current = current.setdefault(part, {})
        current[last] = value

    def from_pyfile(self, filename: str | os.PathLike, silent: bool = False) -> bool:
        """Execute a Python file and take its upper-case names."""
        filename = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = filename
        try:
            with open(filename, mode="rb") as config_file:
                exec(compile(config_file.read(), filename, "exec"), module.__dict__)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Take the upper-case attributes of an object, class or module (or its import path)."""
        if isinstance(obj, str):
            from .utils import import_string

            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(self, filename: str | os.PathLike, load: Callable[[Any], Mapping],
                  silent: bool = False, text: bool = True) -> bool:
        """Load a file with ``load`` (``json.load``, ``tomllib.load`` with ``text=False``...)."""
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, "r" if text else "rb") as file:
                data = load(file)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(data)

    def from_mapping(self, mapping: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> bool:
        """Take the upper-case keys of a mapping and keyword arguments."""
        values: dict[str, Any] = dict(mapping or {})
        values.update(kwargs)
        for key, value in values.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(self, namespace: str, lowercase: bool = True, trim_namespace: bool = True) -> dict[str, Any]:
        """The keys starting with ``namespace`` (``'IMAGE_STORE_'``), trimmed and lower-cased."""
        result = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace):] if trim_namespace else key
            result[name.lower() if lowercase else name] = value
        return result
