"""Tests for microflask.templating.loaders: finding template source, refusing unsafe names,
staleness checks and every loader type."""

from __future__ import annotations

import os
import sys
import uuid
import zipfile

import pytest

from microflask.templating.exceptions import TemplateNotFound
from microflask.templating.loaders import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    FunctionLoader,
    PackageLoader,
    PrefixLoader,
    split_template_path,
)


class RecordingEnvironment:
    """Stands in for Environment: records what ``compile_loaded`` was asked to compile."""

    def __init__(self):
        self.calls = []

    def compile_loaded(self, name, source, filename, uptodate, globals):
        self.calls.append((name, source, filename, uptodate, globals))
        return ("compiled", name, source)


@pytest.fixture
def env():
    return RecordingEnvironment()


def write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def set_mtime(path, seconds):
    os.utime(path, (seconds, seconds))


# -- split_template_path -------------------------------------------------------------------------


def test_split_template_path_splits_on_slashes():
    assert split_template_path("admin/users/list.html") == ["admin", "users", "list.html"]


def test_split_template_path_ignores_dot_and_empty_segments():
    assert split_template_path("./admin//./list.html/") == ["admin", "list.html"]


@pytest.mark.parametrize("name", ["..", "../secret.txt", "a/../../secret.txt", "a/..", "a/../b"])
def test_split_template_path_refuses_parent_segments(name):
    with pytest.raises(TemplateNotFound, match="leave the search folders"):
        split_template_path(name)


@pytest.mark.parametrize("name", ["...", "a/.../b", ".. ", "a/. ./b"])
def test_split_template_path_refuses_segments_windows_reads_as_parent(name):
    with pytest.raises(TemplateNotFound):
        split_template_path(name)


@pytest.mark.parametrize("name", ["/etc/passwd", "//server/share/x.html"])
def test_split_template_path_refuses_absolute_paths(name):
    with pytest.raises(TemplateNotFound, match="absolute"):
        split_template_path(name)


@pytest.mark.parametrize("name", ["C:/Windows/win.ini", "c:win.ini", "a/D:x.html"])
def test_split_template_path_refuses_drive_paths(name):
    with pytest.raises(TemplateNotFound, match="drive"):
        split_template_path(name)


@pytest.mark.parametrize("name", ["a\\b.html", "..\\secret.txt", "\\\\server\\share"])
def test_split_template_path_refuses_backslashes(name):
    with pytest.raises(TemplateNotFound, match="backslash"):
        split_template_path(name)


def test_split_template_path_refuses_nul_bytes():
    with pytest.raises(TemplateNotFound, match="NUL"):
        split_template_path("index.html\x00.txt")


@pytest.mark.parametrize("name", ["", ".", "./", "./."])
def test_split_template_path_refuses_empty_names(name):
    with pytest.raises(TemplateNotFound):
        split_template_path(name)


def test_split_template_path_error_carries_the_name():
    with pytest.raises(TemplateNotFound) as info:
        split_template_path("../x.html")
    assert info.value.name == "../x.html"
    assert "'../x.html'" in str(info.value)


def test_split_template_path_refuses_non_string_names():
    with pytest.raises(TypeError, match="str"):
        split_template_path(42)


# -- BaseLoader ----------------------------------------------------------------------------------


class OneTemplateLoader(BaseLoader):
    def get_source(self, environment, template):
        if template != "only.html":
            raise TemplateNotFound(template)
        return "hello", "/virtual/only.html", None


def test_base_loader_has_source_access():
    assert BaseLoader.has_source_access is True


def test_base_loader_get_source_raises_not_found(env):
    with pytest.raises(TemplateNotFound):
        BaseLoader().get_source(env, "index.html")


def test_base_loader_cannot_list_templates():
    with pytest.raises(TypeError, match="cannot list"):
        BaseLoader().list_templates()


def test_load_hands_the_source_to_environment_compile_loaded(env):
    result = OneTemplateLoader().load(env, "only.html", {"site": "x"})
    assert env.calls == [("only.html", "hello", "/virtual/only.html", None, {"site": "x"})]
    assert result == ("compiled", "only.html", "hello")


def test_load_passes_empty_globals_when_none_given(env):
    OneTemplateLoader().load(env, "only.html")
    assert env.calls[0][4] == {}


def test_load_raises_not_found_without_compiling(env):
    with pytest.raises(TemplateNotFound):
        OneTemplateLoader().load(env, "other.html")
    assert env.calls == []


# -- FileSystemLoader ----------------------------------------------------------------------------


def test_filesystem_loader_returns_source_and_absolute_filename(tmp_path, env):
    path = write(tmp_path / "index.html", "Hello {{ name }}")
    source, filename, uptodate = FileSystemLoader(str(tmp_path)).get_source(env, "index.html")
    assert (source, filename) == ("Hello {{ name }}", str(path))
    assert callable(uptodate)


def test_filesystem_loader_makes_relative_search_folders_absolute(tmp_path, monkeypatch, env):
    write(tmp_path / "templates" / "index.html", "x")
    monkeypatch.chdir(tmp_path)
    loader = FileSystemLoader("templates")
    monkeypatch.chdir(tmp_path.parent)
    _, filename, _ = loader.get_source(env, "index.html")
    assert filename == str(tmp_path / "templates" / "index.html")


def test_filesystem_loader_accepts_pathlike_and_lists(tmp_path, env):
    write(tmp_path / "b" / "page.html", "from b")
    loader = FileSystemLoader([tmp_path / "a", tmp_path / "b"])
    assert loader.get_source(env, "page.html")[0] == "from b"


def test_filesystem_loader_refuses_bytes_search_folders(tmp_path):
    with pytest.raises(TypeError, match="str or PathLike"):
        FileSystemLoader([os.fsencode(str(tmp_path))])


def test_filesystem_loader_first_folder_wins(tmp_path, env):
    write(tmp_path / "app" / "layout.html", "app layout")
    write(tmp_path / "theme" / "layout.html", "theme layout")
    loader = FileSystemLoader([tmp_path / "app", tmp_path / "theme"])
    assert loader.get_source(env, "layout.html")[0] == "app layout"


def test_filesystem_loader_falls_back_to_later_folders(tmp_path, env):
    write(tmp_path / "app" / "layout.html", "app layout")
    path = write(tmp_path / "theme" / "footer.html", "theme footer")
    loader = FileSystemLoader([tmp_path / "app", tmp_path / "theme"])
    assert loader.get_source(env, "footer.html")[:2] == ("theme footer", str(path))


def test_filesystem_loader_loads_from_subfolders(tmp_path, env):
    path = write(tmp_path / "admin" / "users" / "list.html", "users")
    source, filename, _ = FileSystemLoader(tmp_path).get_source(env, "admin/users/list.html")
    assert (source, filename) == ("users", str(path))


def test_filesystem_loader_decodes_utf8_by_default(tmp_path, env):
    write(tmp_path / "café.html", "crème brûlée ☕")
    assert FileSystemLoader(tmp_path).get_source(env, "café.html")[0] == "crème brûlée ☕"


def test_filesystem_loader_decodes_with_the_given_encoding(tmp_path, env):
    write(tmp_path / "old.html", "déjà vu", encoding="latin-1")
    loader = FileSystemLoader(tmp_path, encoding="latin-1")
    assert loader.get_source(env, "old.html")[0] == "déjà vu"


def test_filesystem_loader_normalizes_windows_newlines(tmp_path, env):
    (tmp_path / "crlf.html").write_bytes(b"a\r\nb\r\n")
    assert FileSystemLoader(tmp_path).get_source(env, "crlf.html")[0] == "a\nb\n"


def test_filesystem_loader_refuses_to_climb_out_of_its_folder(tmp_path, env):
    write(tmp_path / "secret.txt", "password")
    (tmp_path / "templates").mkdir()
    with pytest.raises(TemplateNotFound):
        FileSystemLoader(tmp_path / "templates").get_source(env, "../secret.txt")


def test_filesystem_loader_refuses_absolute_names_of_existing_files(tmp_path, env):
    secret = write(tmp_path / "secret.txt", "password")
    (tmp_path / "templates").mkdir()
    with pytest.raises(TemplateNotFound):
        FileSystemLoader(tmp_path / "templates").get_source(env, str(secret))


def test_filesystem_loader_does_not_load_folders_as_templates(tmp_path, env):
    (tmp_path / "admin").mkdir()
    with pytest.raises(TemplateNotFound):
        FileSystemLoader(tmp_path).get_source(env, "admin")


def test_filesystem_loader_not_found_names_template_and_every_folder(tmp_path, env):
    first, second = tmp_path / "app", tmp_path / "theme"
    with pytest.raises(TemplateNotFound) as info:
        FileSystemLoader([first, second]).get_source(env, "missing.html")
    message = str(info.value)
    assert "missing.html" in message and str(first) in message and str(second) in message
    assert info.value.tried == [str(first), str(second)]


def test_filesystem_uptodate_is_true_while_file_is_unchanged(tmp_path, env):
    path = write(tmp_path / "index.html", "v1")
    set_mtime(path, 1_000_000)
    _, _, uptodate = FileSystemLoader(tmp_path).get_source(env, "index.html")
    assert uptodate() is True


def test_filesystem_uptodate_is_false_after_file_is_touched(tmp_path, env):
    path = write(tmp_path / "index.html", "v1")
    set_mtime(path, 1_000_000)
    _, _, uptodate = FileSystemLoader(tmp_path).get_source(env, "index.html")
    write(path, "v2")
    set_mtime(path, 1_000_100)
    assert uptodate() is False


def test_filesystem_uptodate_is_false_after_file_is_deleted(tmp_path, env):
    path = write(tmp_path / "index.html", "v1")
    _, _, uptodate = FileSystemLoader(tmp_path).get_source(env, "index.html")
    path.unlink()
    assert uptodate() is False


def test_filesystem_loader_load_compiles_with_filename_and_uptodate(tmp_path, env):
    path = write(tmp_path / "index.html", "hi")
    FileSystemLoader(tmp_path).load(env, "index.html")
    name, source, filename, uptodate, _ = env.calls[0]
    assert (name, source, filename, uptodate()) == ("index.html", "hi", str(path), True)


def test_filesystem_list_templates_is_sorted_recursive_and_deduplicated(tmp_path):
    for relative in ["app/z.html", "app/admin/users/list.html", "theme/a.html", "theme/z.html"]:
        write(tmp_path / relative, "x")
    loader = FileSystemLoader([tmp_path / "app", tmp_path / "theme"])
    assert loader.list_templates() == ["a.html", "admin/users/list.html", "z.html"]


def test_filesystem_list_templates_ignores_missing_folders(tmp_path):
    assert FileSystemLoader(tmp_path / "nowhere").list_templates() == []


needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                                    reason="needs POSIX symlinks")


@needs_symlinks
def test_filesystem_list_templates_skips_symlinked_folders_by_default(tmp_path):
    write(tmp_path / "shared" / "part.html", "x")
    write(tmp_path / "templates" / "index.html", "x")
    os.symlink(tmp_path / "shared", tmp_path / "templates" / "shared")
    assert FileSystemLoader(tmp_path / "templates").list_templates() == ["index.html"]


@needs_symlinks
def test_filesystem_list_templates_follows_symlinked_folders_when_asked(tmp_path):
    write(tmp_path / "shared" / "part.html", "x")
    write(tmp_path / "templates" / "index.html", "x")
    os.symlink(tmp_path / "shared", tmp_path / "templates" / "shared")
    loader = FileSystemLoader(tmp_path / "templates", followlinks=True)
    assert loader.list_templates() == ["index.html", "shared/part.html"]


@needs_symlinks
def test_filesystem_list_templates_ends_on_symlink_loops(tmp_path):
    write(tmp_path / "templates" / "index.html", "x")
    os.symlink(tmp_path / "templates", tmp_path / "templates" / "loop")
    loader = FileSystemLoader(tmp_path / "templates", followlinks=True)
    assert loader.list_templates() == ["index.html"]


@needs_symlinks
def test_filesystem_list_templates_leaves_out_names_that_cannot_be_loaded(tmp_path):
    write(tmp_path / "ok.html", "x")
    write(tmp_path / "back\\slash.html", "x")
    assert FileSystemLoader(tmp_path).list_templates() == ["ok.html"]


# -- PackageLoader -------------------------------------------------------------------------------


@pytest.fixture
def make_package(tmp_path, monkeypatch):
    """Create an importable package (or plain module) with a unique name under tmp_path."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(init=True, module=False):
        name = "mf_tpl_pkg_" + uuid.uuid4().hex
        if module:
            write(tmp_path / (name + ".py"), "")
            return name, tmp_path
        folder = tmp_path / name
        folder.mkdir()
        if init:
            write(folder / "__init__.py", "")
        return name, folder

    yield make
    for name in [name for name in sys.modules if name.startswith("mf_tpl_pkg_")]:
        monkeypatch.delitem(sys.modules, name)


def test_package_loader_loads_from_the_package_templates_folder(make_package, env):
    name, folder = make_package()
    path = write(folder / "templates" / "mail" / "welcome.txt", "Welcome!")
    source, filename, _ = PackageLoader(name).get_source(env, "mail/welcome.txt")
    assert (source, filename) == ("Welcome!", str(path))


def test_package_loader_uses_the_given_package_path(make_package, env):
    name, folder = make_package()
    write(folder / "views" / "page.html", "page")
    assert PackageLoader(name, "views").get_source(env, "page.html")[0] == "page"


def test_package_loader_uses_the_given_encoding(make_package, env):
    name, folder = make_package()
    write(folder / "templates" / "old.html", "déjà", encoding="latin-1")
    assert PackageLoader(name, encoding="latin-1").get_source(env, "old.html")[0] == "déjà"


def test_package_loader_supports_plain_modules(make_package, env):
    name, folder = make_package(module=True)
    write(folder / "templates" / "page.html", "beside the module")
    assert PackageLoader(name).get_source(env, "page.html")[0] == "beside the module"


def test_package_loader_supports_namespace_packages(make_package, env):
    name, folder = make_package(init=False)
    write(folder / "templates" / "page.html", "namespace")
    assert PackageLoader(name).get_source(env, "page.html")[0] == "namespace"


def test_package_loader_lists_its_templates(make_package):
    name, folder = make_package()
    write(folder / "templates" / "b.html", "x")
    write(folder / "templates" / "a" / "c.html", "x")
    assert PackageLoader(name).list_templates() == ["a/c.html", "b.html"]


def test_package_loader_without_the_folder_raises_value_error(make_package):
    name, folder = make_package()
    with pytest.raises(ValueError, match="no 'templates' folder") as info:
        PackageLoader(name)
    assert str(folder / "templates") in str(info.value)


def test_package_loader_for_an_unknown_package_raises_module_not_found():
    with pytest.raises(ModuleNotFoundError):
        PackageLoader("mf_tpl_no_such_package_" + uuid.uuid4().hex)


def test_package_loader_refuses_zip_imported_packages(tmp_path, monkeypatch):
    name = "mf_tpl_pkg_" + uuid.uuid4().hex
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"{name}/__init__.py", "")
        bundle.writestr(f"{name}/templates/index.html", "zipped")
    monkeypatch.syspath_prepend(str(archive))
    with pytest.raises(ValueError, match="zip imports are not supported"):
        PackageLoader(name)


# -- DictLoader ----------------------------------------------------------------------------------


def test_dict_loader_returns_the_mapped_source_without_filename(env):
    source, filename, _ = DictLoader({"index.html": "Hi"}).get_source(env, "index.html")
    assert (source, filename) == ("Hi", None)


def test_dict_loader_missing_name_raises_not_found(env):
    with pytest.raises(TemplateNotFound):
        DictLoader({"index.html": "Hi"}).get_source(env, "other.html")


def test_dict_uptodate_is_true_while_mapping_holds_same_source(env):
    _, _, uptodate = DictLoader({"index.html": "Hi"}).get_source(env, "index.html")
    assert uptodate() is True


def test_dict_uptodate_is_false_after_source_changes(env):
    mapping = {"index.html": "Hi"}
    _, _, uptodate = DictLoader(mapping).get_source(env, "index.html")
    mapping["index.html"] = "Hello"
    assert uptodate() is False


def test_dict_uptodate_is_false_after_entry_is_removed(env):
    mapping = {"index.html": "Hi"}
    _, _, uptodate = DictLoader(mapping).get_source(env, "index.html")
    del mapping["index.html"]
    assert uptodate() is False


def test_dict_loader_lists_sorted_names():
    assert DictLoader({"b.html": "", "a.html": ""}).list_templates() == ["a.html", "b.html"]


# -- FunctionLoader ------------------------------------------------------------------------------


def test_function_loader_accepts_a_source_string(env):
    loader = FunctionLoader(lambda name: f"source of {name}")
    assert loader.get_source(env, "page.html") == ("source of page.html", None, None)


def test_function_loader_accepts_a_full_tuple(env):
    check = lambda: True  # noqa: E731
    loader = FunctionLoader(lambda name: ("src", "/db/" + name, check))
    assert loader.get_source(env, "page.html") == ("src", "/db/page.html", check)


def test_function_loader_treats_none_as_not_found(env):
    with pytest.raises(TemplateNotFound):
        FunctionLoader(lambda name: None).get_source(env, "page.html")


@pytest.mark.parametrize("result", [b"bytes", ("only", "two"), 42])
def test_function_loader_rejects_other_results_with_a_clear_error(env, result):
    with pytest.raises(TypeError, match="expected a str, a \\(source, filename, uptodate\\) tuple"):
        FunctionLoader(lambda name: result).get_source(env, "page.html")


def test_function_loader_cannot_list_templates():
    with pytest.raises(TypeError):
        FunctionLoader(lambda name: None).list_templates()


# -- PrefixLoader --------------------------------------------------------------------------------


def test_prefix_loader_routes_to_the_child_with_the_local_name(env):
    loader = PrefixLoader({"app": DictLoader({"index.html": "app index"}),
                           "admin": DictLoader({"index.html": "admin index"})})
    assert loader.get_source(env, "admin/index.html")[0] == "admin index"


def test_prefix_loader_keeps_subfolders_in_the_local_name(tmp_path, env):
    write(tmp_path / "users" / "list.html", "users")
    loader = PrefixLoader({"admin": FileSystemLoader(tmp_path)})
    assert loader.get_source(env, "admin/users/list.html")[0] == "users"


def test_prefix_loader_unknown_prefix_raises_not_found(env):
    with pytest.raises(TemplateNotFound):
        PrefixLoader({"app": DictLoader({"index.html": ""})}).get_source(env, "shop/index.html")


def test_prefix_loader_name_without_delimiter_raises_not_found(env):
    with pytest.raises(TemplateNotFound):
        PrefixLoader({"app": DictLoader({"index.html": ""})}).get_source(env, "index.html")


def test_prefix_loader_child_miss_reports_full_name_and_child_folders(tmp_path, env):
    loader = PrefixLoader({"app": FileSystemLoader(tmp_path)})
    with pytest.raises(TemplateNotFound) as info:
        loader.get_source(env, "app/missing.html")
    assert info.value.name == "app/missing.html"
    assert info.value.tried == [str(tmp_path)]


def test_prefix_loader_supports_a_custom_delimiter(env):
    loader = PrefixLoader({"app": DictLoader({"index.html": "hi"})}, delimiter=":")
    assert loader.get_source(env, "app:index.html")[0] == "hi"


def test_prefix_loader_refuses_an_empty_delimiter():
    with pytest.raises(ValueError, match="delimiter"):
        PrefixLoader({}, delimiter="")


def test_prefix_loader_load_delegates_to_the_child_load(env):
    class Child(BaseLoader):
        def load(self, environment, name, globals=None):
            return ("child loaded", name, globals)

    loader = PrefixLoader({"app": Child()})
    assert loader.load(env, "app/index.html", {"g": 1}) == ("child loaded", "index.html", {"g": 1})


def test_prefix_loader_load_keeps_the_child_uptodate(env):
    mapping = {"index.html": "v1"}
    PrefixLoader({"app": DictLoader(mapping)}).load(env, "app/index.html")
    uptodate = env.calls[0][3]
    mapping["index.html"] = "v2"
    assert uptodate() is False


def test_prefix_loader_load_miss_reports_the_full_name(env):
    with pytest.raises(TemplateNotFound) as info:
        PrefixLoader({"app": DictLoader({})}).load(env, "app/index.html")
    assert info.value.name == "app/index.html"


def test_prefix_loader_lists_prefixed_names():
    loader = PrefixLoader({"b": DictLoader({"x.html": ""}), "a": DictLoader({"y.html": "", "x.html": ""})})
    assert loader.list_templates() == ["a/x.html", "a/y.html", "b/x.html"]


# -- ChoiceLoader --------------------------------------------------------------------------------


def test_choice_loader_uses_the_first_loader_that_has_the_template(env):
    loader = ChoiceLoader([DictLoader({"a.html": "first"}), DictLoader({"a.html": "second"})])
    assert loader.get_source(env, "a.html")[0] == "first"


def test_choice_loader_falls_through_to_later_loaders(env):
    loader = ChoiceLoader([DictLoader({"a.html": "first"}), DictLoader({"b.html": "second"})])
    assert loader.get_source(env, "b.html")[0] == "second"


def test_choice_loader_not_found_lists_every_folder_of_every_loader(tmp_path, env):
    app, theme = tmp_path / "app", tmp_path / "theme"
    loader = ChoiceLoader([FileSystemLoader(app), DictLoader({}), FileSystemLoader([theme, app])])
    with pytest.raises(TemplateNotFound) as info:
        loader.get_source(env, "missing.html")
    assert info.value.tried == [str(app), str(theme)]
    assert str(app) in str(info.value) and str(theme) in str(info.value)


def test_choice_loader_load_delegates_to_the_loader_that_has_it(env):
    loader = ChoiceLoader([DictLoader({}), DictLoader({"b.html": "second"})])
    assert loader.load(env, "b.html") == ("compiled", "b.html", "second")


def test_choice_loader_does_not_hide_a_missing_template_needed_by_the_found_one(env):
    class BrokenLoader(BaseLoader):
        def load(self, environment, name, globals=None):
            raise TemplateNotFound("layout.html")

    loader = ChoiceLoader([BrokenLoader(), DictLoader({"page.html": "fallback"})])
    with pytest.raises(TemplateNotFound) as info:
        loader.load(env, "page.html")
    assert info.value.name == "layout.html"


def test_choice_loader_lists_the_union_of_names():
    loader = ChoiceLoader([DictLoader({"b.html": "", "a.html": ""}), DictLoader({"a.html": "", "c.html": ""})])
    assert loader.list_templates() == ["a.html", "b.html", "c.html"]
