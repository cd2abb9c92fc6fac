"""Tests for ``microflask.config``: ``app.config`` defaults, the ``from_*`` loaders, namespaces,
relative paths and the app attributes that mirror config keys."""

from __future__ import annotations

import json
import sys
import traceback
from datetime import timedelta

import pytest

from microflask import Config, Flask

#: Flask 3.1's ``default_config``, with ``DEBUG`` as set when FLASK_DEBUG is unset.
FLASK_DEFAULT_CONFIG = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "USE_X_SENDFILE": False,
    "TRUSTED_HOSTS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "TRAP_HTTP_EXCEPTIONS": False,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "PREFERRED_URL_SCHEME": "http",
    "TEMPLATES_AUTO_RELOAD": None,
    "MAX_COOKIE_SIZE": 4093,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}


@pytest.fixture
def no_debug_env(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("MICROFLASK_DEBUG", raising=False)


@pytest.fixture
def config(tmp_path):
    return Config(tmp_path)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# -- Defaults ------------------------------------------------------------------------------------


def test_app_config_holds_exactly_flasks_default_keys_and_values(no_debug_env):
    assert dict(Flask("defaults_app", root_path="/nonexistent").config) == FLASK_DEFAULT_CONFIG


def test_app_config_default_debug_follows_the_flask_debug_environment_variable(no_debug_env, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert Flask("debug_app", root_path="/nonexistent").config["DEBUG"] is True


def test_app_config_is_a_config_whose_root_path_is_the_app_root(tmp_path):
    app = Flask("rooted_app", root_path=str(tmp_path))
    assert isinstance(app.config, Config)
    assert app.config.root_path == str(tmp_path)


def test_config_repr_names_the_class_and_shows_the_values():
    assert repr(Config("", {"A": 1})) == "<Config {'A': 1}>"


# -- from_object ---------------------------------------------------------------------------------


def test_from_object_takes_only_uppercase_attributes(config):
    class Settings:
        DEBUG = True
        SECRET_KEY = "dev"
        helper = "ignored"
        Mixed_Case = "ignored"

    config.from_object(Settings)
    assert config == {"DEBUG": True, "SECRET_KEY": "dev"}


def test_from_object_takes_inherited_attributes_of_a_class(config):
    class Base:
        DATABASE = "sqlite://"

    class Production(Base):
        DEBUG = False

    config.from_object(Production)
    assert config == {"DATABASE": "sqlite://", "DEBUG": False}


def test_from_object_imports_a_dotted_import_string(config, tmp_path, monkeypatch):
    write(tmp_path / "mf_settings_module.py", "class Production:\n    SERVER_NAME = 'example.com'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config.from_object("mf_settings_module.Production")
    assert config["SERVER_NAME"] == "example.com"


def test_from_object_imports_a_module_by_name(config, tmp_path, monkeypatch):
    write(tmp_path / "mf_settings_flat.py", "PORT = 8080\nhelper = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config.from_object("mf_settings_flat")
    assert config == {"PORT": 8080}


def test_from_object_with_an_unknown_import_string_raises_import_error(config):
    with pytest.raises(ImportError):
        config.from_object("mf_no_such_settings_module.Production")


# -- from_pyfile ---------------------------------------------------------------------------------


def test_from_pyfile_executes_the_file_and_takes_uppercase_names(config, tmp_path):
    write(tmp_path / "settings.cfg", "import os\nSECRET_KEY = 'abc'\nPORT = 40 + 2\nlocal = 1\n")
    assert config.from_pyfile("settings.cfg") is True
    assert config == {"SECRET_KEY": "abc", "PORT": 42}


def test_from_pyfile_sets_file_for_the_executed_code(config, tmp_path):
    path = write(tmp_path / "settings.py", "HERE = __file__\n")
    config.from_pyfile("settings.py")
    assert config["HERE"] == str(path)


def test_from_pyfile_accepts_an_absolute_path_outside_root_path(tmp_path):
    path = write(tmp_path / "abs.py", "VALUE = 'absolute'\n")
    config = Config("/nonexistent-root")
    config.from_pyfile(str(path))
    assert config["VALUE"] == "absolute"


def test_from_pyfile_missing_file_raises_file_not_found_naming_the_file(config, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        config.from_pyfile("missing.cfg")
    message = str(info.value)
    assert "Unable to load configuration file" in message
    assert str(tmp_path / "missing.cfg") in message


def test_from_pyfile_missing_file_with_silent_returns_false(config):
    assert config.from_pyfile("missing.cfg", silent=True) is False
    assert config == {}


def test_from_pyfile_directory_with_silent_returns_false(config, tmp_path):
    (tmp_path / "folder").mkdir()
    assert config.from_pyfile("folder", silent=True) is False


def test_from_pyfile_error_raised_by_the_file_propagates_with_the_file_in_its_traceback(config, tmp_path):
    path = write(tmp_path / "broken.cfg", "A = 1\nraise ValueError('bad setting')\n")
    with pytest.raises(ValueError, match="bad setting") as info:
        config.from_pyfile("broken.cfg", silent=True)
    shown = "".join(traceback.format_exception(info.type, info.value, info.tb))
    assert f'File "{path}", line 2' in shown
    assert config == {}


def test_from_pyfile_syntax_error_names_the_file_and_line(config, tmp_path):
    path = write(tmp_path / "syntax.cfg", "A = 1\nB = (\n")
    with pytest.raises(SyntaxError) as info:
        config.from_pyfile("syntax.cfg")
    assert info.value.filename == str(path)


# -- from_envvar ---------------------------------------------------------------------------------


def test_from_envvar_loads_the_file_the_variable_names(config, tmp_path, monkeypatch):
    path = write(tmp_path / "env.cfg", "FROM_ENV = True\n")
    monkeypatch.setenv("MF_TEST_SETTINGS", str(path))
    assert config.from_envvar("MF_TEST_SETTINGS") is True
    assert config["FROM_ENV"] is True


def test_from_envvar_unset_variable_raises_runtime_error_naming_it(config, monkeypatch):
    monkeypatch.delenv("MF_TEST_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'MF_TEST_SETTINGS' is not set"):
        config.from_envvar("MF_TEST_SETTINGS")


def test_from_envvar_unset_variable_with_silent_returns_false(config, monkeypatch):
    monkeypatch.delenv("MF_TEST_SETTINGS", raising=False)
    assert config.from_envvar("MF_TEST_SETTINGS", silent=True) is False


def test_from_envvar_variable_naming_a_missing_file_with_silent_returns_false(config, tmp_path, monkeypatch):
    monkeypatch.setenv("MF_TEST_SETTINGS", str(tmp_path / "missing.cfg"))
    assert config.from_envvar("MF_TEST_SETTINGS", silent=True) is False


def test_from_envvar_variable_naming_a_missing_file_raises_file_not_found(config, tmp_path, monkeypatch):
    monkeypatch.setenv("MF_TEST_SETTINGS", str(tmp_path / "missing.cfg"))
    with pytest.raises(FileNotFoundError, match="missing.cfg"):
        config.from_envvar("MF_TEST_SETTINGS")


# -- from_prefixed_env ---------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch):
    """No FLASK_* or MF_* variables from the surrounding shell."""
    import os

    for name in list(os.environ):
        if name.startswith(("FLASK_", "MF_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_from_prefixed_env_reads_flask_prefixed_variables_by_default(config, clean_env):
    clean_env.setenv("FLASK_SECRET_KEY", "s3cret")
    clean_env.setenv("OTHER_SECRET_KEY", "not-mine")
    assert config.from_prefixed_env() is True
    assert config == {"SECRET_KEY": "s3cret"}


def test_from_prefixed_env_parses_values_as_json(config, clean_env):
    clean_env.setenv("FLASK_PORT", "8000")
    clean_env.setenv("FLASK_TESTING", "true")
    clean_env.setenv("FLASK_HOSTS", '["a", "b"]')
    clean_env.setenv("FLASK_NOTHING", "null")
    config.from_prefixed_env()
    assert config == {"PORT": 8000, "TESTING": True, "HOSTS": ["a", "b"], "NOTHING": None}


def test_from_prefixed_env_keeps_values_that_are_not_json_as_strings(config, clean_env):
    clean_env.setenv("FLASK_NAME", "hello world")
    clean_env.setenv("FLASK_BROKEN", "[1, 2")
    config.from_prefixed_env()
    assert config == {"NAME": "hello world", "BROKEN": "[1, 2"}


def test_from_prefixed_env_uses_a_custom_prefix(config, clean_env):
    clean_env.setenv("MF_APP_PORT", "1")
    clean_env.setenv("FLASK_PORT", "2")
    config.from_prefixed_env("MF_APP")
    assert config == {"PORT": 1}


def test_from_prefixed_env_nests_double_underscore_keys_into_dicts(config, clean_env):
    clean_env.setenv("FLASK_DB__HOST", "db.local")
    clean_env.setenv("FLASK_DB__OPTIONS__TIMEOUT", "5")
    config.from_prefixed_env()
    assert config == {"DB": {"HOST": "db.local", "OPTIONS": {"TIMEOUT": 5}}}


def test_from_prefixed_env_nested_key_updates_an_existing_dict(tmp_path, clean_env):
    config = Config(tmp_path, {"DB": {"HOST": "default", "PORT": 5432}})
    clean_env.setenv("FLASK_DB__HOST", "db.local")
    config.from_prefixed_env()
    assert config["DB"] == {"HOST": "db.local", "PORT": 5432}


def test_from_prefixed_env_reads_variables_in_sorted_order(config, clean_env):
    # FLASK_DB sorts before FLASK_DB__PORT, so the JSON dict is set first and then extended.
    clean_env.setenv("FLASK_DB__PORT", "5432")
    clean_env.setenv("FLASK_DB", '{"HOST": "db.local"}')
    config.from_prefixed_env()
    assert config["DB"] == {"HOST": "db.local", "PORT": 5432}


def test_from_prefixed_env_passes_each_value_to_a_custom_loads_in_sorted_order(config, clean_env):
    seen = []

    def loads(text):
        seen.append(text)
        return text.upper()

    clean_env.setenv("FLASK_B", "second")
    clean_env.setenv("FLASK_A", "first")
    config.from_prefixed_env(loads=loads)
    assert seen == ["first", "second"]
    assert config == {"A": "FIRST", "B": "SECOND"}


def test_from_prefixed_env_keeps_the_string_when_custom_loads_raises(config, clean_env):
    clean_env.setenv("FLASK_PORT", "eighty")
    config.from_prefixed_env(loads=int)
    assert config == {"PORT": "eighty"}


def test_from_prefixed_env_nesting_into_a_non_dict_raises_type_error_naming_the_variable(config, clean_env):
    clean_env.setenv("FLASK_DB", "1")
    clean_env.setenv("FLASK_DB__HOST", "db.local")
    with pytest.raises(TypeError, match="'FLASK_DB__HOST'"):
        config.from_prefixed_env()


# -- from_file -----------------------------------------------------------------------------------


def test_from_file_loads_json_and_takes_uppercase_keys(config, tmp_path):
    write(tmp_path / "config.json", json.dumps({"SECRET_KEY": "j", "PORT": 1, "lower": 2}))
    assert config.from_file("config.json", load=json.load) is True
    assert config == {"SECRET_KEY": "j", "PORT": 1}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is in the standard library from Python 3.11")
def test_from_file_loads_toml_in_binary_mode_with_text_false(config, tmp_path):
    import tomllib  # novermin - the test is skipped before Python 3.11

    write(tmp_path / "config.toml", 'SECRET_KEY = "t"\n[DB]\nHOST = "db.local"\n')
    assert config.from_file("config.toml", load=tomllib.load, text=False) is True
    assert config == {"SECRET_KEY": "t", "DB": {"HOST": "db.local"}}


def test_from_file_opens_the_file_in_text_mode_by_default(config, tmp_path):
    write(tmp_path / "config.txt", "x")
    modes = []

    def load(file):
        modes.append(file.read())
        return {}

    config.from_file("config.txt", load=load)
    config.from_file("config.txt", load=load, text=False)
    assert modes == ["x", b"x"]


def test_from_file_missing_file_with_silent_returns_false(config):
    assert config.from_file("missing.json", load=json.load, silent=True) is False


def test_from_file_missing_file_raises_file_not_found_naming_the_file(config, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        config.from_file("missing.json", load=json.load)
    assert "Unable to load configuration file" in str(info.value)
    assert str(tmp_path / "missing.json") in str(info.value)


def test_from_file_invalid_json_raises_value_error(config, tmp_path):
    write(tmp_path / "bad.json", '{"A": 1,')
    with pytest.raises(ValueError):
        config.from_file("bad.json", load=json.load)


def test_from_file_data_that_is_not_a_mapping_raises_type_error_naming_the_file(config, tmp_path):
    write(tmp_path / "list.json", "[1, 2]")
    with pytest.raises(TypeError, match="list.json"):
        config.from_file("list.json", load=json.load)


# -- from_mapping and get_namespace --------------------------------------------------------------


def test_from_mapping_takes_only_uppercase_keys_from_mapping_and_keywords(config):
    assert config.from_mapping({"A": 1, "b": 2}, C=3, d=4) is True
    assert config == {"A": 1, "C": 3}


def test_from_mapping_without_arguments_changes_nothing(config):
    config.from_mapping()
    assert config == {}


def test_get_namespace_trims_and_lowercases_by_default():
    config = Config("", {"IMAGE_STORE_TYPE": "fs", "IMAGE_STORE_PATH": "/img", "OTHER": 1})
    assert config.get_namespace("IMAGE_STORE_") == {"type": "fs", "path": "/img"}


def test_get_namespace_keeps_case_with_lowercase_false():
    config = Config("", {"IMAGE_STORE_TYPE": "fs"})
    assert config.get_namespace("IMAGE_STORE_", lowercase=False) == {"TYPE": "fs"}


def test_get_namespace_keeps_the_prefix_with_trim_namespace_false():
    config = Config("", {"IMAGE_STORE_TYPE": "fs"})
    assert config.get_namespace("IMAGE_STORE_", trim_namespace=False) == {"image_store_type": "fs"}


# -- Relative paths ------------------------------------------------------------------------------


def test_app_config_resolves_relative_files_against_root_path(tmp_path):
    write(tmp_path / "app.cfg", "WHERE = 'root'\n")
    app = Flask("root_relative_app", root_path=str(tmp_path))
    app.config.from_pyfile("app.cfg")
    assert app.config["WHERE"] == "root"


def test_instance_relative_config_resolves_relative_files_against_instance_path(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    write(instance / "app.cfg", "WHERE = 'instance'\n")
    write(tmp_path / "app.cfg", "WHERE = 'root'\n")
    app = Flask("instance_app", root_path=str(tmp_path), instance_path=str(instance),
                instance_relative_config=True)
    app.config.from_pyfile("app.cfg")
    assert app.config["WHERE"] == "instance"


def test_instance_relative_config_applies_to_from_file_too(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    write(instance / "app.json", '{"WHERE": "instance"}')
    app = Flask("instance_json_app", root_path=str(tmp_path), instance_path=str(instance),
                instance_relative_config=True)
    app.config.from_file("app.json", load=json.load)
    assert app.config["WHERE"] == "instance"


# -- Mirrored app attributes ---------------------------------------------------------------------


def test_app_debug_reads_and_writes_the_debug_key(no_debug_env):
    app = Flask("mirror_debug", root_path="/nonexistent")
    assert app.debug is False
    app.debug = True
    assert app.config["DEBUG"] is True
    app.config["DEBUG"] = False
    assert app.debug is False


def test_app_testing_reads_and_writes_the_testing_key():
    app = Flask("mirror_testing", root_path="/nonexistent")
    app.testing = True
    assert app.config["TESTING"] is True
    app.config["TESTING"] = False
    assert app.testing is False


def test_app_secret_key_reads_and_writes_the_secret_key_key():
    app = Flask("mirror_secret", root_path="/nonexistent")
    assert app.secret_key is None
    app.secret_key = "k"
    assert app.config["SECRET_KEY"] == "k"
    app.config["SECRET_KEY"] = "other"
    assert app.secret_key == "other"


def test_permanent_session_lifetime_defaults_to_31_days():
    assert Flask("mirror_lifetime", root_path="/nonexistent").permanent_session_lifetime == timedelta(days=31)


def test_permanent_session_lifetime_reads_integer_seconds_as_a_timedelta():
    app = Flask("mirror_seconds", root_path="/nonexistent")
    app.permanent_session_lifetime = 3600
    assert app.config["PERMANENT_SESSION_LIFETIME"] == 3600
    assert app.permanent_session_lifetime == timedelta(hours=1)


def test_permanent_session_lifetime_from_config_seconds_is_a_timedelta():
    app = Flask("mirror_config_seconds", root_path="/nonexistent")
    app.config.from_mapping(PERMANENT_SESSION_LIFETIME=60)
    assert app.permanent_session_lifetime == timedelta(seconds=60)
