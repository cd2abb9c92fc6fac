"""Tests for ``microflask.logging``: ``app.logger``, its default handler (WSGI errors stream in a
request, stderr outside), its level in debug mode, and the logging of unhandled exceptions.

Loggers are process-wide, so each test uses an app named after the test and the ``logger_name``
fixture restores the logger afterwards. pytest's own capture handler sits on the root logger;
tests of the default handler set ``propagate = False`` before ``app.logger`` is first read, so
the app sees a logger that nothing handles, as in a fresh process.
"""

from __future__ import annotations

import io
import logging

import pytest

from microflask import Flask
from microflask.logging import default_handler


@pytest.fixture
def logger_name(request):
    name = f"microflask_test_logging.{request.node.name}"
    yield name
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


@pytest.fixture
def make_app(logger_name):
    def make(unhandled: bool = False, **config):
        if unhandled:
            logging.getLogger(logger_name).propagate = False
        app = Flask(logger_name, root_path="/nonexistent-root")
        app.config.update(config)
        return app

    return make


def test_app_logger_is_named_after_the_app(make_app, logger_name):
    assert make_app().logger.name == logger_name


def test_app_logger_is_the_logging_module_logger_of_that_name(make_app, logger_name):
    assert make_app().logger is logging.getLogger(logger_name)


def test_default_handler_is_added_when_no_handler_would_take_records(make_app):
    assert default_handler in make_app(unhandled=True).logger.handlers


def test_default_handler_is_not_added_when_the_logger_already_has_a_handler(make_app, logger_name):
    logging.getLogger(logger_name).addHandler(logging.NullHandler())
    assert default_handler not in make_app(unhandled=True).logger.handlers


def test_default_handler_is_not_added_when_an_ancestor_handles_records(make_app):
    # pytest's capture handler on the root logger takes every record, as basicConfig() would.
    assert default_handler not in make_app().logger.handlers


def test_default_handler_writes_to_wsgi_errors_inside_a_request(make_app, capsys):
    app = make_app(unhandled=True)

    @app.route("/")
    def index():
        app.logger.warning("inside the request")
        return "ok"

    errors = io.StringIO()
    app.test_client().get("/", errors_stream=errors)
    assert "inside the request" in errors.getvalue()
    assert "inside the request" not in capsys.readouterr().err


def test_default_handler_writes_to_stderr_outside_a_request(make_app, capsys):
    make_app(unhandled=True).logger.warning("no request here")
    assert "no request here" in capsys.readouterr().err


def test_default_handler_formats_time_level_and_module(make_app, capsys):
    make_app(unhandled=True).logger.warning("formatted")
    line = capsys.readouterr().err.strip()
    assert line.startswith("[")
    assert line.endswith("] WARNING in test_logging: formatted")


def test_removing_default_handler_stops_its_output(make_app, capsys):
    logger = make_app(unhandled=True).logger
    logger.removeHandler(default_handler)
    logger.warning("silenced")
    # logging's last-resort handler still prints the bare message; the default format is gone.
    assert "WARNING in test_logging" not in capsys.readouterr().err


def test_logger_level_is_debug_in_debug_mode(make_app):
    assert make_app(DEBUG=True).logger.level == logging.DEBUG


def test_logger_level_already_set_is_kept_in_debug_mode(make_app, logger_name):
    logging.getLogger(logger_name).setLevel(logging.WARNING)
    assert make_app(DEBUG=True).logger.level == logging.WARNING


def test_logger_level_is_left_unset_outside_debug_mode(make_app):
    assert make_app(DEBUG=False).logger.level == logging.NOTSET


def test_debug_message_reaches_the_default_handler_in_debug_mode(make_app, capsys):
    make_app(unhandled=True, DEBUG=True).logger.debug("debug detail")
    assert "DEBUG in test_logging: debug detail" in capsys.readouterr().err


# -- Unhandled exceptions ------------------------------------------------------------------------


def make_failing_app(make_app, unhandled=False):
    app = make_app(unhandled=unhandled, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom", methods=["GET", "POST"])
    def boom():
        raise ValueError("boom in view")

    return app


def test_unhandled_exception_is_logged_as_exception_on_path_and_method(make_app, caplog):
    app = make_failing_app(make_app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert app.test_client().get("/boom?page=2").status_code == 500
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (app.logger.name, "ERROR", "Exception on /boom [GET]")]


def test_unhandled_exception_log_record_carries_the_exception(make_app, caplog):
    app = make_failing_app(make_app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.test_client().post("/boom")
    record = caplog.records[0]
    assert record.getMessage() == "Exception on /boom [POST]"
    assert record.exc_info[0] is ValueError
    assert str(record.exc_info[1]) == "boom in view"


def test_unhandled_exception_traceback_is_written_to_wsgi_errors(make_app):
    app = make_failing_app(make_app, unhandled=True)
    errors = io.StringIO()
    app.test_client().get("/boom", errors_stream=errors)
    text = errors.getvalue()
    assert "ERROR in app: Exception on /boom [GET]" in text
    assert "Traceback (most recent call last):" in text
    assert "ValueError: boom in view" in text


def test_propagated_exception_is_raised_not_logged(make_app, caplog):
    app = make_app(TESTING=True)

    @app.route("/boom")
    def boom():
        raise ValueError("boom in view")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        with pytest.raises(ValueError):
            app.test_client().get("/boom")
    assert caplog.records == []


def test_exception_handled_by_an_error_handler_is_not_logged(make_app, caplog):
    app = make_failing_app(make_app)
    app.register_error_handler(ValueError, lambda e: ("handled", 400))
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert app.test_client().get("/boom").status_code == 400
    assert caplog.records == []
