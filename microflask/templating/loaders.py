"""Template loaders: turn a template name into source text, and say when that text is stale.

A loader owns finding a template's source and knowing whether it changed; it does not parse,
compile or cache (the ``Environment`` does). ``get_source(environment, name)`` returns
``(source, filename, uptodate)``: ``filename`` is where the text came from (or None) and
``uptodate()`` answers "is the source I gave you still current?" (None means "always"). The
environment keeps compiled templates and, when auto-reload is on, calls ``uptodate()`` before
reusing one; False makes it call ``load()`` again, so an edited file shows up without a restart.

Security rule: a template name is a "/"-separated path *inside* the search folders, never outside.
``split_template_path`` refuses ``..``, absolute and drive paths, backslashes, NUL bytes and empty
names with ``TemplateNotFound``, so user input reaching ``render_template`` cannot read other files.

Shapes follow Jinja's loaders: https://jinja.palletsprojects.com/en/stable/api/#loaders
"""

from __future__ import annotations

import importlib.util
import os
import re
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Tuple, Union

from .exceptions import TemplateNotFound

Uptodate = Optional[Callable[[], bool]]
Source = Tuple[str, Optional[str], Uptodate]
SearchPath = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]

_DRIVE = re.compile(r"[A-Za-z]:")


def split_template_path(template: str) -> list[str]:
    """The segments of ``template``, ignoring ``.`` and empty ones; TemplateNotFound if the name
    is empty or could leave the search folders."""
    if not isinstance(template, str):
        raise TypeError(f"template name must be a str, not {type(template).__name__}")
    reason = _find_unsafe_part(template)
    pieces = [piece for piece in template.split("/") if piece not in ("", ".")]
    if reason is None and not pieces:
        reason = "it is empty"
    if reason is not None:
        raise TemplateNotFound(template, f"{template!r} is not a valid template name: {reason}")
    return pieces


def _find_unsafe_part(template: str) -> Optional[str]:
    """Why ``template`` may not be used as a path, or None if it is safe."""
    if "\x00" in template:
        return "it contains a NUL byte"
    if "\\" in template:
        return "it contains a backslash (separate folders with '/')"
    if template.startswith("/") or os.path.isabs(template):
        return "it is an absolute path"
    for segment in template.split("/"):
        # NOTE(loaders): Windows treats "..." and ".. " like "..", and "C:x" as a drive path.
        if segment not in ("", ".") and not segment.strip(". "):
            return "'..' would leave the search folders"
        if _DRIVE.match(segment):
            return "it names a drive"
    return None


class BaseLoader:
    """The loader interface: override ``get_source`` (and ``list_templates`` if you can)."""

    has_source_access = True

    def get_source(self, environment: Any, template: str) -> Source:
        """``(source, filename, uptodate)`` for ``template``; TemplateNotFound if missing."""
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """Every template name this loader knows, sorted; TypeError if it cannot enumerate."""
        raise TypeError(f"{type(self).__name__} cannot list its templates")

    def load(self, environment: Any, name: str, globals: Optional[Mapping[str, Any]] = None) -> Any:
        """Get the source of ``name`` and have ``environment`` compile it into a Template."""
        if globals is None:
            globals = {}
        source, filename, uptodate = self.get_source(environment, name)
        return environment.compile_loaded(name, source, filename, uptodate, globals)


class FileSystemLoader(BaseLoader):
    """Templates from one or more folders, tried in order; the first folder holding it wins.

    ``followlinks`` only affects ``list_templates`` (whether symlinked folders are walked); a
    symlink placed inside a search folder is trusted when loading, as the operator put it there.
    """

    def __init__(self, searchpath: SearchPath, encoding: str = "utf-8", followlinks: bool = False) -> None:
        if isinstance(searchpath, (str, os.PathLike)):
            searchpath = [searchpath]
        # NOTE(loaders): folders are made absolute now, so a later chdir does not move them.
        self.searchpath = [os.path.abspath(os.fspath(folder)) for folder in searchpath]
        if not all(isinstance(folder, str) for folder in self.searchpath):
            raise TypeError("FileSystemLoader search folders must be str or PathLike (not bytes)")
        self.encoding = encoding
        self.followlinks = followlinks

    def get_source(self, environment: Any, template: str) -> Source:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            found = _read_file(os.path.join(folder, *pieces), self.encoding)
            if found is not None:
                return found
        raise TemplateNotFound(template, tried=self.searchpath)

    def list_templates(self) -> list[str]:
        names = set()
        for folder in self.searchpath:
            names.update(_list_folder(folder, self.followlinks))
        return sorted(name for name in names if _find_unsafe_part(name) is None)


def _read_file(filename: str, encoding: str) -> Optional[Source]:
    """The source of a regular file with an mtime-based ``uptodate``, or None if there is none."""
    if not os.path.isfile(filename):
        return None
    try:
        # NOTE(loaders): mtime is taken before reading: a write racing the read makes it stale.
        mtime = os.path.getmtime(filename)
        with open(filename, encoding=encoding) as file:
            source = file.read()
    except FileNotFoundError:
        return None

    def uptodate() -> bool:
        try:
            return os.path.getmtime(filename) == mtime
        except OSError:
            return False

    return source, filename, uptodate


def _list_folder(root: str, followlinks: bool) -> list[str]:
    """Relative "/"-joined names of the files under ``root``; each real folder is walked once,
    so symlink loops end."""
    names: list[str] = []
    pending = [("", root)]
    seen = set()
    while pending:
        prefix, folder = pending.pop()
        try:
            info = os.stat(folder)
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        for entry in entries:
            if entry.is_dir(follow_symlinks=followlinks):
                pending.append((prefix + entry.name + "/", entry.path))
            elif entry.is_file():
                names.append(prefix + entry.name)
    return names


class PackageLoader(FileSystemLoader):
    """Templates from the folder ``package_path`` inside the installed package ``package_name``.

    Only packages on disk are supported; a package imported from a zip file raises ValueError.
    """

    def __init__(self, package_name: str, package_path: str = "templates", encoding: str = "utf-8") -> None:
        spec = importlib.util.find_spec(package_name)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {package_name!r}", name=package_name)
        roots = list(spec.submodule_search_locations or [])
        if not roots and spec.origin and spec.has_location:
            roots = [os.path.dirname(spec.origin)]
        folders = [os.path.join(root, package_path) for root in roots]
        folder = next((folder for folder in folders if os.path.isdir(folder)), None)
        if folder is None:
            raise ValueError(
                f"PackageLoader found no {package_path!r} folder in package {package_name!r}"
                f" (looked in: {', '.join(folders) or 'nowhere'}; zip imports are not supported)")
        super().__init__(folder, encoding)
        self.package_name = package_name
        self.package_path = package_path


class DictLoader(BaseLoader):
    """Templates from a mapping of name -> source; a template is stale once its entry changes."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = mapping

    def get_source(self, environment: Any, template: str) -> Source:
        if template not in self.mapping:
            raise TemplateNotFound(template)
        source = self.mapping[template]
        return source, None, lambda: self.mapping.get(template) == source

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


class FunctionLoader(BaseLoader):
    """Templates from ``load_func(name)``: a source str, ``(source, filename, uptodate)``, or
    None when there is no such template."""

    def __init__(self, load_func: Callable[[str], Union[str, Source, None]]) -> None:
        self.load_func = load_func

    def get_source(self, environment: Any, template: str) -> Source:
        result = self.load_func(template)
        if result is None:
            raise TemplateNotFound(template)
        if isinstance(result, str):
            return result, None, None
        if isinstance(result, (tuple, list)) and len(result) == 3 and isinstance(result[0], str):
            return result[0], result[1], result[2]
        raise TypeError(
            f"FunctionLoader's load_func returned {type(result).__name__} for {template!r};"
            " expected a str, a (source, filename, uptodate) tuple, or None")


class PrefixLoader(BaseLoader):
    """Templates named ``<prefix><delimiter><name>``, loaded by ``mapping[prefix]`` as ``name``."""

    def __init__(self, mapping: Mapping[str, BaseLoader], delimiter: str = "/") -> None:
        if not delimiter:
            raise ValueError("PrefixLoader needs a non-empty delimiter")
        self.mapping = mapping
        self.delimiter = delimiter

    def get_loader(self, template: str) -> Tuple[BaseLoader, str]:
        """The child loader for ``template`` and the name to ask it for."""
        prefix, delimiter, name = template.partition(self.delimiter)
        if not delimiter or prefix not in self.mapping:
            raise TemplateNotFound(template)
        return self.mapping[prefix], name

    def get_source(self, environment: Any, template: str) -> Source:
        loader, name = self.get_loader(template)
        try:
            return loader.get_source(environment, name)
        except TemplateNotFound as error:
            raise _rename_not_found(error, name, template) from error

    def load(self, environment: Any, name: str, globals: Optional[Mapping[str, Any]] = None) -> Any:
        # NOTE(loaders): as in Jinja, the child compiles the template under its local name.
        loader, local_name = self.get_loader(name)
        try:
            return loader.load(environment, local_name, globals)
        except TemplateNotFound as error:
            raise _rename_not_found(error, local_name, name) from error

    def list_templates(self) -> list[str]:
        return sorted(prefix + self.delimiter + name
                      for prefix, loader in self.mapping.items() for name in loader.list_templates())


def _rename_not_found(error: TemplateNotFound, local_name: str, full_name: str) -> TemplateNotFound:
    """``error`` about ``full_name`` if it was about ``local_name``; else ``error`` itself, since
    it concerns some other template (e.g. one that the loaded template pulls in)."""
    if error.name != local_name:
        return error
    return TemplateNotFound(full_name, tried=error.tried)


class ChoiceLoader(BaseLoader):
    """Try ``loaders`` in order; the first one that has the template wins."""

    def __init__(self, loaders: Iterable[BaseLoader]) -> None:
        self.loaders = list(loaders)

    def get_source(self, environment: Any, template: str) -> Source:
        return self._try_each(template, lambda loader: loader.get_source(environment, template))

    def load(self, environment: Any, name: str, globals: Optional[Mapping[str, Any]] = None) -> Any:
        return self._try_each(name, lambda loader: loader.load(environment, name, globals))

    def _try_each(self, template: str, attempt: Callable[[BaseLoader], Any]) -> Any:
        tried: list[str] = []
        for loader in self.loaders:
            try:
                return attempt(loader)
            except TemplateNotFound as error:
                if error.name != template:
                    raise
                tried.extend(place for place in error.tried if place not in tried)
        raise TemplateNotFound(template, tried=tried)

    def list_templates(self) -> list[str]:
        return sorted({name for loader in self.loaders for name in loader.list_templates()})


__all__ = [
    "BaseLoader", "FileSystemLoader", "PackageLoader", "DictLoader", "FunctionLoader",
    "PrefixLoader", "ChoiceLoader", "split_template_path",
]
