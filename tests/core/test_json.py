"""JSON: DynamoDB-friendly defaults and per-app configuration."""

from __future__ import annotations

import dataclasses
import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.test import Client

from lambda_micro import App, Response, jsonify, request
from lambda_micro import json as lm_json
from lambda_micro.json import JSONProvider


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("42"), 42),
        (Decimal("1E+2"), 100),
        (Decimal("-0"), 0),
        (Decimal("3.25"), 3.25),
        ({3, 1, 2}, [1, 2, 3]),
        (frozenset({"b", "a"}), ["a", "b"]),
        (datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC), "2024-05-01T12:30:00+00:00"),
        (datetime.date(2024, 5, 1), "2024-05-01"),
        (datetime.time(8, 15), "08:15:00"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (Markup("<b>x</b>"), "<b>x</b>"),
    ],
)
def test_json_default_converts(value: Any, expected: Any) -> None:
    assert lm_json.loads(lm_json.dumps({"v": value})) == {"v": expected}


def test_json_decimal_int_keeps_type() -> None:
    assert lm_json.dumps([Decimal("7"), Decimal("7.5")]) == "[7, 7.5]"


def test_json_unsortable_set_becomes_list() -> None:
    assert sorted(lm_json.loads(lm_json.dumps({1, "a"})), key=str) == [1, "a"]


def test_json_dataclass_becomes_object() -> None:
    @dataclasses.dataclass
    class Post:
        slug: str
        views: Decimal

    assert lm_json.loads(lm_json.dumps(Post("a", Decimal(3)))) == {"slug": "a", "views": 3}


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_json_non_finite_decimal_is_refused(value: Decimal) -> None:
    with pytest.raises(TypeError, match="no NaN or Infinity"):
        lm_json.dumps(value)


def test_json_unknown_type_names_the_type() -> None:
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        lm_json.dumps(object())


def test_json_dict_return_uses_dynamodb_types(app: App, client: Client) -> None:
    @app.get("/item")
    def item() -> dict[str, Any]:
        return {"count": Decimal("10"), "price": Decimal("9.99"), "tags": {"b", "a"}}

    assert client.get("/item").json == {"count": 10, "price": 9.99, "tags": ["a", "b"]}


def test_json_provider_default_hook_per_app(app: App, client: Client) -> None:
    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

    previous = app.json.default

    def default(o: Any) -> Any:
        if isinstance(o, Money):
            return f"{o.cents / 100:.2f}"
        return previous(o)

    app.json.default = default

    @app.get("/")
    def index() -> dict[str, Any]:
        return {"price": Money(1250), "n": Decimal(1)}

    assert client.get("/").json == {"price": "12.50", "n": 1}
    other = App("other", template_folder=None, static_folder=None)
    with other.test_request_context(), pytest.raises(TypeError):
        lm_json.dumps(Money(1))


def test_json_provider_options(app: App, client: Client) -> None:
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    @app.get("/")
    def index() -> dict[str, Any]:
        return {"z": "é", "a": 1}

    assert client.get("/").data == '{"z":"é","a":1}\n'.encode()
    app.json.compact = False
    assert client.get("/").data == '{\n  "z": "é",\n  "a": 1\n}\n'.encode()


def test_json_debug_indents_unless_compact_forced(app: App, client: Client) -> None:
    app.debug = True

    @app.get("/")
    def index() -> Response:
        return jsonify(a=1)

    assert client.get("/").data == b'{\n  "a": 1\n}\n'
    app.json.compact = True
    assert client.get("/").data == b'{"a":1}\n'


def test_json_provider_subclass_is_used_for_requests_and_responses(app: App, client: Client) -> None:
    class Provider(JSONProvider):
        mimetype = "application/vnd.api+json"

        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            data = super().loads(s, **kwargs)
            return {"wrapped": data}

    app.json = Provider(app)

    @app.post("/")
    def index() -> Response:
        return jsonify(request.get_json())

    response = client.post("/", json={"a": 1})
    assert response.mimetype == "application/vnd.api+json"
    assert response.json == {"wrapped": {"a": 1}}


def test_json_file_helpers() -> None:
    buffer = io.StringIO()
    lm_json.dump({"d": Decimal(2)}, buffer)
    assert buffer.getvalue() == '{"d": 2}'
    assert lm_json.load(io.StringIO('{"x": [1]}')) == {"x": [1]}


def test_response_json_property_uses_module(app: App) -> None:
    response = Client(app, Response).get("/missing", headers={"Accept": "application/json"})
    assert response.get_json()["code"] == 404
