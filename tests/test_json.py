"""JSON: the app's provider, ``jsonify``, ``microflask.json`` and the tagged serializer.

Wire-format literals in the tag tests were produced by Flask 3.1's
``flask.json.tag.TaggedJSONSerializer().dumps`` for the same values, so session data written by
either library reads back in the other.
"""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
from collections import namedtuple
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import microflask
from microflask import Flask, jsonify, request
from microflask import json as mjson
from microflask.json.provider import DefaultJSONProvider, JSONProvider
from microflask.json.tag import JSONTag, TaggedJSONSerializer


@dataclasses.dataclass
class Point:
    x: int
    y: str


class Bold:
    """An object that renders itself as HTML, like ``Markup``."""

    def __html__(self) -> str:
        return "<b>bold</b>"


class Opaque:
    pass


def dumps_in(app, value, **kwargs):
    with app.app_context():
        return app.json.dumps(value, **kwargs)


def body_of(app, *args, **kwargs):
    with app.app_context():
        return jsonify(*args, **kwargs).get_data(as_text=True)


# -- DefaultJSONProvider ------------------------------------------------------------------------


def test_app_json_is_a_default_json_provider(app):
    assert isinstance(app.json, DefaultJSONProvider)


def test_provider_sorts_keys_by_default(app):
    assert dumps_in(app, {"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_provider_keeps_insertion_order_when_sort_keys_is_false(app):
    app.json.sort_keys = False
    assert dumps_in(app, {"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_provider_escapes_non_ascii_by_default(app):
    assert dumps_in(app, "é☃") == '"\\u00e9\\u2603"'


def test_provider_writes_non_ascii_as_is_when_ensure_ascii_is_false(app):
    app.json.ensure_ascii = False
    assert body_of(app, "é☃") == '"é☃"\n'


def test_response_is_utf8_encoded_when_ensure_ascii_is_false(app):
    app.json.ensure_ascii = False
    with app.app_context():
        assert jsonify(text="é").get_data() == '{"text":"é"}\n'.encode()


def test_response_is_compact_with_a_final_newline_outside_debug(app):
    assert body_of(app, a=[1, 2], b=None) == '{"a":[1,2],"b":null}\n'


def test_response_is_indented_by_two_spaces_in_debug(app):
    app.debug = True
    assert body_of(app, a=[1], b=2) == '{\n  "a": [\n    1\n  ],\n  "b": 2\n}\n'


def test_compact_true_stays_compact_in_debug(app):
    app.debug = True
    app.json.compact = True
    assert body_of(app, a=[1]) == '{"a":[1]}\n'


def test_compact_false_indents_outside_debug(app):
    app.json.compact = False
    assert body_of(app, a=1) == '{\n  "a": 1\n}\n'


def test_provider_mimetype_sets_the_response_content_type(app):
    app.json.mimetype = "application/vnd.api+json"
    with app.app_context():
        assert jsonify(1).content_type == "application/vnd.api+json"


def test_date_is_written_as_an_http_date(app):
    assert dumps_in(app, date(2024, 1, 2)) == '"Tue, 02 Jan 2024 00:00:00 GMT"'


def test_naive_datetime_is_written_as_an_http_date_in_utc(app):
    assert dumps_in(app, datetime(2024, 1, 2, 3, 4, 5)) == '"Tue, 02 Jan 2024 03:04:05 GMT"'


def test_aware_datetime_is_converted_to_gmt(app):
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert dumps_in(app, moment) == '"Tue, 02 Jan 2024 01:04:05 GMT"'


def test_decimal_is_written_as_a_string_keeping_its_digits(app):
    assert dumps_in(app, Decimal("1.10")) == '"1.10"'


def test_uuid_is_written_as_its_hyphenated_string(app):
    assert dumps_in(app, uuid.UUID(int=1)) == '"00000000-0000-0000-0000-000000000001"'


def test_dataclass_instance_is_written_as_an_object(app):
    assert dumps_in(app, Point(1, "a")) == '{"x": 1, "y": "a"}'


def test_object_with_html_method_is_written_as_its_html(app):
    assert dumps_in(app, Bold()) == '"<b>bold</b>"'


def test_unknown_type_is_a_type_error_naming_the_type(app):
    with pytest.raises(TypeError, match="Object of type Opaque is not JSON serializable"):
        dumps_in(app, Opaque())


def test_dataclass_class_itself_is_a_type_error(app):
    with pytest.raises(TypeError):
        dumps_in(app, Point)


def test_default_assigned_on_the_instance_handles_other_types(app):
    app.json.default = lambda value: sorted(value)
    assert dumps_in(app, {3, 1, 2}) == "[1, 2, 3]"


def test_dumps_keyword_arguments_override_the_provider_settings(app):
    assert dumps_in(app, {"b": 1, "a": 2}, sort_keys=False) == '{"b": 1, "a": 2}'


def test_provider_loads_accepts_bytes(app):
    assert app.json.loads(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}


def test_provider_dump_and_load_use_file_objects(app):
    buffer = io.StringIO()
    app.json.dump({"b": 1, "a": date(2024, 1, 2)}, buffer)
    buffer.seek(0)
    assert app.json.load(buffer) == {"a": "Tue, 02 Jan 2024 00:00:00 GMT", "b": 1}


def test_invalid_document_is_a_value_error(app):
    with pytest.raises(ValueError):
        app.json.loads("{'single': 'quotes'}")


# -- Custom providers ---------------------------------------------------------------------------


class UnsortedProvider(DefaultJSONProvider):
    sort_keys = False
    ensure_ascii = False


class ReversingProvider(JSONProvider):
    """A provider for another "JSON library": it implements only dumps and loads."""

    def dumps(self, obj, **kwargs):
        return f"<{obj!r}>"

    def loads(self, s, **kwargs):
        if isinstance(s, bytes):
            s = s.decode()
        return s[::-1]


class DecimalProvider(DefaultJSONProvider):
    """Reads floats as Decimal, a common reason to replace the provider."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_float", Decimal)
        return super().loads(s, **kwargs)


def test_json_provider_class_subclass_is_used_by_new_apps():
    class MyFlask(Flask):
        json_provider_class = UnsortedProvider

    app = MyFlask(__name__)
    assert isinstance(app.json, UnsortedProvider)


def test_json_provider_class_subclass_shapes_jsonify_output():
    class MyFlask(Flask):
        json_provider_class = UnsortedProvider

    assert body_of(MyFlask(__name__), b=1, a="é") == '{"b":1,"a":"é"}\n'


def test_assigned_provider_serialises_returned_dicts(app, client):
    app.json = UnsortedProvider(app)

    @app.route("/")
    def index():
        return {"z": 1, "a": 2}

    assert client.get("/").get_data(as_text=True) == '{"z":1,"a":2}\n'


def test_base_provider_response_uses_dumps_with_json_mimetype(app):
    app.json = ReversingProvider(app)
    with app.app_context():
        response = jsonify(1, 2)
    assert (response.get_data(as_text=True), response.mimetype) == ("<(1, 2)>", "application/json")


def test_base_provider_load_reads_the_file_then_calls_loads(app):
    assert ReversingProvider(app).load(io.StringIO("cba")) == "abc"


def test_base_provider_dump_writes_what_dumps_returns(app):
    buffer = io.StringIO()
    ReversingProvider(app).dump([1], buffer)
    assert buffer.getvalue() == "<[1]>"


def test_base_provider_dumps_is_not_implemented(app):
    with pytest.raises(NotImplementedError):
        JSONProvider(app).dumps(1)


# -- jsonify ------------------------------------------------------------------------------------


def test_jsonify_keyword_arguments_give_an_object(app):
    assert body_of(app, b=2, a=1) == '{"a":1,"b":2}\n'


def test_jsonify_one_argument_is_serialised_as_is(app):
    assert body_of(app, {"a": [1]}) == '{"a":[1]}\n'


def test_jsonify_one_list_gives_that_list(app):
    assert body_of(app, [1, 2]) == "[1,2]\n"


def test_jsonify_several_arguments_give_an_array(app):
    assert body_of(app, 1, "two", None) == '[1,"two",null]\n'


def test_jsonify_without_arguments_gives_null(app):
    assert body_of(app) == "null\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("text", '"text"\n'), (3, "3\n"), (2.5, "2.5\n"), (None, "null\n"), (False, "false\n")],
)
def test_jsonify_top_level_scalars_are_valid_json(app, value, expected):
    assert body_of(app, value) == expected


def test_jsonify_arguments_and_keyword_arguments_together_is_a_type_error(app):
    with app.app_context(), pytest.raises(TypeError, match="either args or kwargs"):
        jsonify(1, a=2)


def test_jsonify_outside_an_app_context_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        jsonify(a=1)


def test_jsonify_response_has_json_mimetype_and_status_200(app):
    with app.app_context():
        response = jsonify(a=1)
    assert (response.mimetype, response.status_code) == ("application/json", 200)


def test_jsonify_status_can_be_set_by_returning_a_tuple(app, client):
    @app.route("/", methods=["POST"])
    def create():
        return jsonify(id=7), 201

    response = client.post("/")
    assert (response.status_code, response.get_json()) == (201, {"id": 7})


def test_jsonify_in_a_view_serialises_special_types(app, client):
    @app.route("/")
    def index():
        return jsonify(when=date(2024, 1, 2), price=Decimal("9.99"), point=Point(1, "a"))

    assert client.get("/").get_json() == {
        "when": "Tue, 02 Jan 2024 00:00:00 GMT", "price": "9.99", "point": {"x": 1, "y": "a"}
    }


# -- microflask.json functions ------------------------------------------------------------------


def test_dumps_outside_an_app_context_uses_stdlib_defaults():
    assert mjson.dumps({"b": 1, "a": "é"}) == '{"b": 1, "a": "\\u00e9"}'


def test_dumps_outside_an_app_context_still_writes_dates_and_decimals():
    assert mjson.dumps([date(2024, 1, 2), Decimal("1.5")]) == '["Tue, 02 Jan 2024 00:00:00 GMT", "1.5"]'


def test_dumps_outside_an_app_context_is_a_type_error_for_unknown_types():
    with pytest.raises(TypeError, match="Opaque"):
        mjson.dumps(Opaque())


def test_dumps_inside_an_app_context_uses_the_app_provider(app):
    with app.app_context():
        assert mjson.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_dumps_inside_an_app_context_uses_an_assigned_provider(app):
    app.json = ReversingProvider(app)
    with app.app_context():
        assert mjson.dumps([1]) == "<[1]>"


def test_loads_outside_an_app_context_parses_str_and_bytes():
    assert (mjson.loads('{"a": 1}'), mjson.loads(b"[true]")) == ({"a": 1}, [True])


def test_loads_outside_an_app_context_raises_value_error_for_invalid_json():
    with pytest.raises(ValueError):
        mjson.loads("{")


def test_loads_inside_an_app_context_uses_the_app_provider(app):
    app.json = DecimalProvider(app)
    with app.app_context():
        assert mjson.loads("[1.10]") == [Decimal("1.10")]


def test_dump_and_load_outside_an_app_context_round_trip_through_a_file():
    buffer = io.StringIO()
    mjson.dump({"a": [1, None]}, buffer)
    buffer.seek(0)
    assert mjson.load(buffer) == {"a": [1, None]}


def test_dump_inside_an_app_context_uses_the_provider_dump(app):
    app.json = ReversingProvider(app)
    buffer = io.StringIO()
    with app.app_context():
        mjson.dump("x", buffer)
    assert buffer.getvalue() == "<'x'>"


def test_load_reads_binary_files():
    assert mjson.load(io.BytesIO(b'{"a": 1}')) == {"a": 1}


# -- Request JSON through the provider ----------------------------------------------------------


def test_request_get_json_parses_with_the_app_provider(app, client):
    app.json = DecimalProvider(app)

    @app.route("/", methods=["POST"])
    def echo():
        return repr(request.get_json())

    assert client.post("/", json={"price": 9.99}).get_data(as_text=True) == "{'price': Decimal('9.99')}"


def test_request_get_json_uses_a_provider_from_json_provider_class():
    class MyFlask(Flask):
        json_provider_class = DecimalProvider

    app = MyFlask(__name__)

    @app.route("/", methods=["POST"])
    def echo():
        return repr(request.json)

    response = app.test_client().post("/", data="[0.5]", content_type="application/json")
    assert response.get_data(as_text=True) == "[Decimal('0.5')]"


# -- TaggedJSONSerializer: wire format ----------------------------------------------------------

WIRE_FORMAT = [
    pytest.param({" t": "x"}, '{" di":{" t__":"x"}}', id="dict-looking-like-a-tag"),
    pytest.param((1, 2, "a"), '{" t":[1,2,"a"]}', id="tuple"),
    pytest.param((), '{" t":[]}', id="empty-tuple"),
    pytest.param(b"\x00\xffhello", '{" b":"AP9oZWxsbw=="}', id="bytes"),
    pytest.param(b"", '{" b":""}', id="empty-bytes"),
    pytest.param(Bold(), '{" m":"<b>bold</b>"}', id="markup"),
    pytest.param(
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        '{" u":"12345678123456781234567812345678"}',
        id="uuid",
    ),
    pytest.param(datetime(2024, 1, 2, 3, 4, 5), '{" d":"Tue, 02 Jan 2024 03:04:05 GMT"}', id="datetime"),
    pytest.param(
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        '{" d":"Tue, 02 Jan 2024 01:04:05 GMT"}',
        id="aware-datetime",
    ),
    pytest.param(date(2024, 1, 2), '"Tue, 02 Jan 2024 00:00:00 GMT"', id="date-is-not-tagged"),
    pytest.param({"x": {" t": [1]}}, '{"x":{" di":{" t__":[1]}}}', id="nested-dict-looking-like-a-tag"),
    pytest.param({" t": (1,)}, '{" di":{" t__":{" t":[1]}}}', id="tagged-value-inside-tag-like-dict"),
    pytest.param(((1, 2),), '{" t":[{" t":[1,2]}]}', id="nested-tuples"),
    pytest.param({" x": 1}, '{" x":1}', id="unregistered-space-key"),
    pytest.param({"a": 1, " t": 2}, '{"a":1," t":2}', id="two-keys-one-tag-like"),
    pytest.param({1: 2}, '{"1":2}', id="int-key"),
    pytest.param("é☃", '"\\u00e9\\u2603"', id="non-ascii"),
    pytest.param([], "[]", id="empty-list"),
    pytest.param(None, "null", id="none"),
]


@pytest.mark.parametrize(("value", "expected"), WIRE_FORMAT)
def test_tagged_dumps_matches_flask_wire_format(value, expected):
    assert TaggedJSONSerializer().dumps(value) == expected


def test_tagged_dumps_keeps_insertion_order_outside_an_app_context():
    value = {"b": 2, "a": [1, (2, b"x")], "é": "☃"}
    expected = '{"b":2,"a":[1,{" t":[2,{" b":"eA=="}]}],"\\u00e9":"\\u2603"}'
    assert TaggedJSONSerializer().dumps(value) == expected


def test_tagged_dumps_sorts_keys_inside_an_app_context(app):
    value = {"b": 2, "a": [1, (2, b"x")], "é": "☃"}
    expected = '{"a":[1,{" t":[2,{" b":"eA=="}]}],"b":2,"\\u00e9":"\\u2603"}'
    with app.app_context():
        assert TaggedJSONSerializer().dumps(value) == expected


def test_tagged_dumps_of_session_data_matches_flask(app):
    session = {"user_id": 42, "_fresh": True, "_flashes": [("message", "hi")], "csrf": b"\x01" * 20}
    expected = (
        '{"_flashes":[{" t":["message","hi"]}],"_fresh":true,'
        '"csrf":{" b":"AQEBAQEBAQEBAQEBAQEBAQEBAQE="},"user_id":42}'
    )
    with app.app_context():
        assert TaggedJSONSerializer().dumps(session) == expected


def test_tagged_dumps_follows_the_app_sort_keys_setting(app):
    app.json.sort_keys = False
    with app.app_context():
        assert TaggedJSONSerializer().dumps({"b": 1, "a": 2}) == '{"b":1,"a":2}'


def test_tagged_dumps_is_a_type_error_naming_an_unknown_type():
    with pytest.raises(TypeError, match="Opaque"):
        TaggedJSONSerializer().dumps({"x": Opaque()})


def test_tagged_dumps_of_a_value_containing_itself_is_a_value_error():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested too deeply or contains itself"):
        TaggedJSONSerializer().dumps(loop)


def test_tagged_dumps_is_a_value_error_when_the_providers_default_returns_a_loop(app):
    loop = []
    loop.append(loop)
    app.json.default = lambda value: loop
    with app.app_context(), pytest.raises(ValueError, match="nested too deeply or contains itself"):
        TaggedJSONSerializer().dumps({"x": Opaque()})


# -- TaggedJSONSerializer: round trips ----------------------------------------------------------

ROUND_TRIPS = [
    pytest.param({" t": "x"}, id="dict-looking-like-a-tag"),
    pytest.param({" di": {" di": 1}}, id="dict-looking-like-the-dict-tag"),
    pytest.param({"a": 1, "b": [1, 2]}, id="plain-dict"),
    pytest.param([1, "a", None, True, 2.5], id="list"),
    pytest.param((1, (2, 3), []), id="tuple"),
    pytest.param(b"\x00\x01\xfe\xff", id="bytes"),
    pytest.param(uuid.UUID("12345678-1234-5678-1234-567812345678"), id="uuid"),
    pytest.param(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), id="utc-datetime"),
    pytest.param(
        {"list": [(b"x", {" u": uuid.UUID(int=5)})], "when": (datetime(2000, 1, 1, tzinfo=timezone.utc),)},
        id="nested-combination",
    ),
]


@pytest.mark.parametrize("value", ROUND_TRIPS)
def test_tagged_round_trip_gives_an_equal_value_of_the_same_type(value):
    serializer = TaggedJSONSerializer()
    loaded = serializer.loads(serializer.dumps(value))
    assert (loaded, type(loaded)) == (value, type(value))


def test_tagged_round_trip_keeps_tuples_nested_in_lists_as_tuples():
    serializer = TaggedJSONSerializer()
    assert type(serializer.loads(serializer.dumps([(1,)]))[0]) is tuple


def test_tagged_naive_datetime_loads_as_aware_utc():
    serializer = TaggedJSONSerializer()
    loaded = serializer.loads(serializer.dumps(datetime(2024, 1, 2, 3, 4, 5)))
    assert loaded == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_tagged_datetime_loses_its_microseconds():
    serializer = TaggedJSONSerializer()
    loaded = serializer.loads(serializer.dumps(datetime(2024, 1, 2, 3, 4, 5, 999, tzinfo=timezone.utc)))
    assert loaded.microsecond == 0


def test_tagged_namedtuple_loads_as_a_plain_tuple():
    Pair = namedtuple("Pair", "a b")
    serializer = TaggedJSONSerializer()
    assert type(serializer.loads(serializer.dumps(Pair(1, 2)))) is tuple


def test_tagged_markup_loads_as_a_string_that_is_its_own_html():
    loaded = TaggedJSONSerializer().loads('{" m":"<b>bold</b>"}')
    assert (str(loaded), loaded.__html__()) == ("<b>bold</b>", "<b>bold</b>")


def test_tagged_markup_loads_as_microflask_markup_when_it_exists(monkeypatch):
    class Markup(str):
        def __html__(self):
            return self

    monkeypatch.setattr(microflask, "Markup", Markup, raising=False)
    assert type(TaggedJSONSerializer().loads('{" m":"<i>x</i>"}')) is Markup


def test_tagged_markup_round_trips_through_the_serializer_again():
    serializer = TaggedJSONSerializer()
    once = serializer.loads(serializer.dumps(Bold()))
    assert serializer.dumps(once) == '{" m":"<b>bold</b>"}'


def test_tagged_loads_accepts_surrounding_whitespace_as_json_does():
    assert TaggedJSONSerializer().loads(' \n{" t": [1, 2]}\t ') == (1, 2)


@pytest.mark.parametrize("text", ['{"a":1} x', '{"a":1}{}', "", "   ", '{"a":', "[1,]"])
def test_tagged_loads_of_malformed_json_is_a_value_error(text):
    with pytest.raises(ValueError):
        TaggedJSONSerializer().loads(text)


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("sort_keys", [True, False])
def test_tagged_dumps_writes_what_json_dumps_writes(app, ensure_ascii, sort_keys):
    value = {"z": [1, -2.5, 1e300, float("inf"), None, True], "é": "ünï\u2028\n\"", "a": {"b": []}}
    app.json.ensure_ascii, app.json.sort_keys = ensure_ascii, sort_keys
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii, sort_keys=sort_keys)
    with app.app_context():
        assert TaggedJSONSerializer().dumps(value) == expected


def test_tagged_dumps_works_without_the_c_json_encoder(app, monkeypatch):
    import json.encoder

    import microflask.json.tag as tag_module

    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(tag_module, "_compact_encoders", {})
    with app.app_context():
        assert TaggedJSONSerializer().dumps({"b": (1,), "a": "é"}) == '{"a":"\\u00e9","b":{" t":[1]}}'


def _refuses_arguments(*args):
    raise TypeError("c_make_encoder() takes exactly 10 arguments")


def _writes_something_else(*args):
    return lambda obj, level: ["{}"]


@pytest.mark.parametrize("broken", [_refuses_arguments, _writes_something_else],
                         ids=["other-signature", "other-output"])
def test_tagged_dumps_uses_the_public_encoder_when_the_c_encoder_does_not_match_it(app, monkeypatch, broken):
    import json.encoder

    import microflask.json.tag as tag_module

    real, calls = json.encoder.c_make_encoder, []

    def first_call_broken(*args):  # the serializer's own build is the first call
        calls.append(args)
        return broken(*args) if len(calls) == 1 else real(*args)

    monkeypatch.setattr(json.encoder, "c_make_encoder", first_call_broken)
    monkeypatch.setattr(tag_module, "_compact_encoders", {})
    with app.app_context():
        assert TaggedJSONSerializer().dumps({"b": (1,), "a": "é"}) == '{"a":"\\u00e9","b":{" t":[1]}}'
    assert len(calls) > 1


def test_tagged_loads_keeps_an_unknown_tag_as_a_dict():
    assert TaggedJSONSerializer().loads('{" zz":[1]}') == {" zz": [1]}


def test_tagged_loads_leaves_dicts_with_several_keys_alone():
    assert TaggedJSONSerializer().loads('{" t":[1]," b":"eA=="}') == {" t": [1], " b": "eA=="}


def test_tagged_loads_reads_flask_session_data(app):
    data = '{"_flashes":[{" t":["message","hi"]}],"csrf":{" b":"AQI="},"user_id":42}'
    with app.app_context():
        loaded = TaggedJSONSerializer().loads(data)
    assert loaded == {"_flashes": [("message", "hi")], "csrf": b"\x01\x02", "user_id": 42}


# -- TaggedJSONSerializer: malformed input ------------------------------------------------------

MALFORMED = [
    pytest.param("not json", id="not-json"),
    pytest.param("", id="empty"),
    pytest.param(b"\xff", id="invalid-utf8"),
    pytest.param('{" t":5}', id="tuple-of-int"),
    pytest.param('{" b":"!!"}', id="bytes-not-base64"),
    pytest.param('{" b":5}', id="bytes-of-int"),
    pytest.param('{" b":"\\u00e9"}', id="bytes-non-ascii"),
    pytest.param('{" u":"zz"}', id="uuid-not-hex"),
    pytest.param('{" u":5}', id="uuid-of-int"),
    pytest.param('{" d":"yesterday"}', id="datetime-not-a-date"),
    pytest.param('{" d":5}', id="datetime-of-int"),
    pytest.param('{" m":5}', id="markup-of-int"),
    pytest.param('{" di":5}', id="tag-dict-of-int"),
    pytest.param('{" di":{"a":1}}', id="tag-dict-without-suffix"),
    pytest.param('{" di":{"a__":1,"b__":2}}', id="tag-dict-with-two-keys"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested-list"),
    pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="deeply-nested-dict"),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_tagged_loads_of_malformed_input_is_a_value_error(data):
    with pytest.raises(ValueError):
        TaggedJSONSerializer().loads(data)


def test_tagged_loads_of_invalid_json_is_a_json_decode_error():
    import json

    with pytest.raises(json.JSONDecodeError):
        TaggedJSONSerializer().loads('{"a":')


def test_tagged_loads_names_the_tag_of_a_malformed_value():
    with pytest.raises(ValueError, match="' t' holds int, expected list"):
        TaggedJSONSerializer().loads('{" t":5}')


# -- TaggedJSONSerializer: tag, untag and registration ------------------------------------------


class TagSet(JSONTag):
    __slots__ = ()
    key = " s"

    def check(self, value):
        return isinstance(value, set)

    def to_json(self, value):
        return [self.serializer.tag(item) for item in sorted(value)]

    def to_python(self, value):
        return set(value)


class TagPair(JSONTag):
    """A special case of tuple: must be registered before the tuple tag to be seen."""

    __slots__ = ()
    key = " p"

    def check(self, value):
        return isinstance(value, tuple) and len(value) == 2

    def to_json(self, value):
        return {"first": self.serializer.tag(value[0]), "second": self.serializer.tag(value[1])}

    def to_python(self, value):
        return (value["first"], value["second"])


class TagTupleReversed(JSONTag):
    __slots__ = ()
    key = " t"

    def check(self, value):
        return isinstance(value, tuple)

    def to_json(self, value):
        return list(reversed(value))

    def to_python(self, value):
        return tuple(reversed(value))


def test_tag_wraps_values_that_need_a_tag():
    assert TaggedJSONSerializer().tag({"a": (1, b"x")}) == {"a": {" t": [1, {" b": "eA=="}]}}


def test_tag_returns_plain_json_values_unchanged():
    assert TaggedJSONSerializer().tag("text") == "text"


def test_untag_turns_a_tagged_dict_into_its_value():
    assert TaggedJSONSerializer().untag({" t": [1, 2]}) == (1, 2)


def test_untag_returns_an_untagged_dict_unchanged():
    assert TaggedJSONSerializer().untag({"a": 1}) == {"a": 1}


def test_json_tag_tag_wraps_to_json_under_its_key():
    serializer = TaggedJSONSerializer()
    assert TagSet(serializer).tag({2, 1}) == {" s": [1, 2]}


def test_default_tags_fill_the_key_lookup():
    assert set(TaggedJSONSerializer().tags) == {" di", " t", " b", " m", " u", " d"}


def test_registered_tag_round_trips_its_type():
    serializer = TaggedJSONSerializer()
    serializer.register(TagSet)
    assert serializer.loads(serializer.dumps({"ids": {3, 1}})) == {"ids": {1, 3}}


def test_registered_tag_writes_its_key():
    serializer = TaggedJSONSerializer()
    serializer.register(TagSet)
    assert serializer.dumps({2, 1}) == '{" s":[1,2]}'


def test_registered_tag_key_makes_a_lookalike_dict_get_wrapped():
    serializer = TaggedJSONSerializer()
    serializer.register(TagSet)
    assert serializer.dumps({" s": 1}) == '{" di":{" s__":1}}'


def test_registering_a_taken_key_is_a_key_error():
    with pytest.raises(KeyError, match="' t' is already registered"):
        TaggedJSONSerializer().register(TagTupleReversed)


def test_tag_appended_after_a_more_general_tag_is_never_checked():
    serializer = TaggedJSONSerializer()
    serializer.register(TagPair)
    assert serializer.dumps((1, 2)) == '{" t":[1,2]}'


def test_tag_registered_at_index_0_is_checked_before_the_built_in_tags():
    serializer = TaggedJSONSerializer()
    serializer.register(TagPair, index=0)
    assert serializer.dumps((1, 2)) == '{" p":{"first":1,"second":2}}'


def test_tag_registered_at_index_0_round_trips():
    serializer = TaggedJSONSerializer()
    serializer.register(TagPair, index=0)
    assert serializer.loads(serializer.dumps([(1, b"x"), (1, 2, 3)])) == [(1, b"x"), (1, 2, 3)]


def test_forced_registration_replaces_the_tag_when_dumping():
    serializer = TaggedJSONSerializer()
    serializer.register(TagTupleReversed, force=True)
    assert serializer.dumps((1, 2)) == '{" t":[2,1]}'


def test_forced_registration_replaces_the_tag_when_loading():
    serializer = TaggedJSONSerializer()
    serializer.register(TagTupleReversed, force=True)
    assert serializer.loads('{" t":[2,1]}') == (1, 2)


def test_registration_on_one_serializer_leaves_others_alone():
    TaggedJSONSerializer().register(TagSet)
    with pytest.raises(TypeError, match="set"):
        TaggedJSONSerializer().dumps({1})


class TagUpperString(JSONTag):
    __slots__ = ()
    key = " up"

    def check(self, value):
        return isinstance(value, str) and value.isupper()

    def to_json(self, value):
        return value.lower()

    def to_python(self, value):
        return value.upper()


def test_tag_registered_for_plain_strings_sees_strings_nested_in_dicts_and_lists():
    serializer = TaggedJSONSerializer()
    serializer.register(TagUpperString, index=0)
    assert serializer.dumps({"a": ["OK", "no"]}) == '{"a":[{" up":"ok"},"no"]}'
    assert serializer.loads(serializer.dumps({"a": ["OK", "no"]})) == {"a": ["OK", "no"]}
