"""Contract section I: VPC Lattice targets, event structure versions 1 and 2 (items 39-40)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from adapter_kit import DELETE, RecordingApp, check_result, load_event, result_body, result_headers
from aws_lambda_powertools.utilities.parser.models import VpcLatticeModel, VpcLatticeV2Model
from pydantic import ValidationError
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import infer_source, make_handler

FIXTURES = {"lattice_v1": "lattice-1.0", "lattice_v2": "lattice-2.0", "lattice_v2_list_values": "lattice-2.0"}


def run(event: dict[str, Any], app: RecordingApp | None = None, **options: Any) -> dict[str, Any]:
    app = app or RecordingApp()
    make_handler(app, **options)(event, None)
    return app.environ


# --- item 39: the request -------------------------------------------------------------------------------


def test_i39_fixtures_pass_the_powertools_parser_models() -> None:
    VpcLatticeModel.model_validate(load_event("lattice_v1"))
    VpcLatticeV2Model.model_validate(load_event("lattice_v2"))


def test_i39_list_valued_v2_event_is_the_documented_shape_powertools_model_rejects() -> None:
    # AWS's documentation and its Go (VPCLatticeRequestV2) and Java (VpcLatticeV2RequestEvent) types give
    # version 2 header values as lists; Powertools' model says strings. The adapter takes both.
    event = load_event("lattice_v2_list_values")
    with pytest.raises(ValidationError, match="headers"):
        VpcLatticeV2Model.model_validate(event)
    assert infer_source(event) == "lattice-2.0"


def test_i39_version_1_reaches_the_app_as_sent() -> None:
    app = RecordingApp()
    environ = run(load_event("lattice_v1"), app)
    request = Request(environ)
    assert (request.method, request.path, request.query_string) == ("GET", "/orders/42", b"expand=items")
    assert environ["SCRIPT_NAME"] == ""
    assert request.host == "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.eu-central-1.on.aws"
    assert request.url.startswith("https://orders-0a40eebed65f8d69c.")
    assert environ["SERVER_PORT"] == "443"
    assert environ["REMOTE_ADDR"] == "10.0.12.34"
    assert request.cookies.to_dict() == {"session": "8f14e45f", "theme": "dark"}
    assert request.headers["X-Tags"] == "blue,green"  # the service's own comma join, untouched
    assert request.headers["X-Amzn-Source-Vpc"] == "vpc-0b8276c84697e7339"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert (app.body, environ["CONTENT_LENGTH"]) == (b"", "0")
    assert environ["lambda.request_context"] == {}
    assert environ["lambda.stage_variables"] == {}


def test_i39_version_2_reaches_the_app_as_sent() -> None:
    app = RecordingApp()
    event = load_event("lattice_v2")
    environ = run(event, app)
    request = Request(environ)
    assert (request.method, request.path, request.args.to_dict()) == ("POST", "/orders", {"dry-run": "1"})
    assert json.loads(app.body) == {"sku": "SKU-0042", "quantity": 2}
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("application/json", str(len(app.body)))
    assert "HTTP_CONTENT_LENGTH" not in environ
    assert environ["REMOTE_ADDR"] == "10.0.12.34"
    assert environ["lambda.request_context"] == event["requestContext"]
    assert environ["lambda.request_context"]["identity"]["type"] == "AWS_IAM"
    assert environ["lambda.event"] is event


def test_i39_list_values_are_joined_and_repeated() -> None:
    request = Request(run(load_event("lattice_v2_list_values")))
    assert request.headers["X-Tags"] == "blue, green"
    assert request.cookies.to_dict() == {"session": "8f14e45f", "theme": "dark"}
    assert request.query_string == b"status=open&status=shipped&page=2"
    assert request.args.getlist("status") == ["open", "shipped"]


@pytest.mark.parametrize(
    ("name", "field", "target"),
    [
        ("lattice_v1", "raw_path", "/orders/42?expand=items&next=%2Fa%2Bb"),
        ("lattice_v2", "path", "/orders?x=%2F"),
    ],
)
def test_i39_query_string_in_the_path_is_used_as_sent(name: str, field: str, target: str) -> None:
    # Powertools reads the path as carrying the query string; the raw query keeps every byte.
    environ = run(load_event(name, **{field: target}))
    path, _, query = target.partition("?")
    assert (environ["PATH_INFO"], environ["QUERY_STRING"]) == (path, query)
    assert environ["RAW_URI"] == target


def test_i39_query_in_path_with_non_ascii_is_percent_encoded() -> None:
    environ = run(load_event("lattice_v1", raw_path="/search?q=café"))
    assert environ["QUERY_STRING"] == "q=caf%C3%A9"


def test_i39_parameter_values_are_encoded_again() -> None:
    # Values arrive decoded, as on REST (item 11): a literal "+" must reach the app as "+".
    event = load_event("lattice_v1", query_string_parameters={"q": "a+b c", "tag": "x&y"})
    request = Request(run(event))
    assert request.args.to_dict() == {"q": "a+b c", "tag": "x&y"}


@pytest.mark.parametrize("name", ["lattice_v1", "lattice_v2"])
def test_i39_absent_null_or_empty_optional_fields(name: str) -> None:
    query_field = "query_string_parameters" if name == "lattice_v1" else "queryStringParameters"
    for value in (None, {}, DELETE):
        event = load_event(name, **{query_field: value, "headers": None, "body": value if value else None})
        app = RecordingApp()
        result = make_handler(app)(event, None)
        assert result["statusCode"] == 200
        assert (app.environ["QUERY_STRING"], app.body) == ("", b"")
        assert app.environ["SERVER_NAME"] == "localhost"
        assert "REMOTE_ADDR" not in app.environ


def test_i39_empty_path_is_the_root_and_null_header_values_are_skipped() -> None:
    environ = run(load_event("lattice_v2", path="", headers={"accept": None, "x-a": ["1"]}))
    assert environ["PATH_INFO"] == "/"
    assert "HTTP_ACCEPT" not in environ
    assert environ["HTTP_X_A"] == "1"


def test_i39_path_is_decoded_once_and_trailing_slash_kept() -> None:
    request = Request(run(load_event("lattice_v2", path="/files/caf%C3%A9/a%2520b/")))
    assert request.path == "/files/café/a%20b/"


@pytest.mark.parametrize(
    ("name", "encoded_field"), [("lattice_v1", "is_base64_encoded"), ("lattice_v2", "isBase64Encoded")]
)
def test_i39_base64_body_is_decoded(name: str, encoded_field: str) -> None:
    payload = bytes(range(256))
    app = RecordingApp()
    run(load_event(name, body=base64.b64encode(payload).decode(), **{encoded_field: True}), app)
    assert app.body == payload
    assert app.environ["CONTENT_LENGTH"] == "256"


def test_i39_scheme_and_port_from_forwarded_headers() -> None:
    headers = {**load_event("lattice_v1")["headers"], "x-forwarded-proto": "http"}
    environ = run(load_event("lattice_v1", headers=headers))
    assert (environ["wsgi.url_scheme"], environ["SERVER_PORT"]) == ("http", "80")


def test_i39_remote_addr_is_the_last_forwarded_for_entry() -> None:
    headers = {**load_event("lattice_v1")["headers"], "x-forwarded-for": "6.6.6.6, 10.0.12.34"}
    assert run(load_event("lattice_v1", headers=headers))["REMOTE_ADDR"] == "10.0.12.34"


def test_i39_configured_base_path_applies() -> None:
    environ = run(load_event("lattice_v1", raw_path="/api/orders/42"), base_path="api")
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/api", "/orders/42")


MALFORMED = [
    ("lattice_v1", {"method": None}, "method"),
    ("lattice_v1", {"method": "GET /x"}, "method"),
    ("lattice_v1", {"raw_path": 5}, "raw_path"),
    ("lattice_v1", {"raw_path": "orders"}, "raw_path"),
    ("lattice_v1", {"headers": ["host"]}, "headers"),
    ("lattice_v1", {"headers": {"accept": 1}}, "headers"),
    ("lattice_v1", {"query_string_parameters": ["a"]}, "query_string_parameters"),
    ("lattice_v1", {"query_string_parameters": {"a": 1}}, "query_string_parameters"),
    ("lattice_v1", {"is_base64_encoded": "yes"}, "is_base64_encoded"),
    ("lattice_v1", {"is_base64_encoded": True, "body": "%%%"}, "body"),
    ("lattice_v2", {"path": None}, "path"),
    ("lattice_v2", {"requestContext": "x"}, "requestContext"),
    ("lattice_v2", {"queryStringParameters": "a=1"}, "queryStringParameters"),
    ("lattice_v2", {"queryStringParameters": []}, "queryStringParameters"),
    ("lattice_v2", {"headers": {"x-forwarded-for": "unknown"}}, "X-Forwarded-For"),
    ("lattice_v2", {"body": 7}, "body"),
]


@pytest.mark.parametrize(("name", "fields", "field"), MALFORMED)
def test_i39_malformed_field_is_a_400_naming_it(name: str, fields: dict[str, Any], field: str) -> None:
    app = RecordingApp()
    result = check_result(make_handler(app)(load_event(name, **fields), None), FIXTURES[name])
    assert (result["statusCode"], result["statusDescription"]) == (400, "400 Bad Request")
    assert repr(field) in result["body"] or field in result["body"]
    assert app.calls == 0


# --- item 40: the result --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_i40_result_is_the_documented_lattice_response(name: str) -> None:
    app = RecordingApp(headers=[("Content-Type", "application/json")], body=b'{"ok": true}')
    result = check_result(make_handler(app)(load_event(name), None), FIXTURES[name])
    assert result == {
        "statusCode": 200,
        "statusDescription": "200 OK",
        "headers": {"Content-Type": "application/json"},
        "body": '{"ok": true}',
        "isBase64Encoded": False,
    }


def test_i40_status_description_keeps_a_custom_reason() -> None:
    app = RecordingApp(status="299 Custom Thing")
    result = make_handler(app)(load_event("lattice_v2"), None)
    assert (result["statusCode"], result["statusDescription"]) == (299, "299 Custom Thing")


def test_i40_repeated_headers_and_cookies_survive_in_single_value_headers() -> None:
    headers = [
        ("Content-Type", "text/plain"),
        ("Vary", "Accept"),
        ("Vary", "Cookie"),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"),
    ]
    result = check_result(
        make_handler(RecordingApp(headers=headers))(load_event("lattice_v1"), None), "lattice-1.0"
    )
    sent = result_headers(result)
    assert ("vary", "Accept, Cookie") in sent
    cookies = [value for name, value in sent if name == "set-cookie"]
    assert cookies == ["a=1; Path=/", "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"]
    assert "cookies" not in result


def test_i40_binary_body_is_base64_by_the_media_type_rules() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    app = RecordingApp(headers=[("Content-Type", "image/png")], body=png)
    result = check_result(make_handler(app)(load_event("lattice_v2"), None), "lattice-2.0")
    assert result["isBase64Encoded"] is True
    assert result_body(result) == png


def test_i40_head_keeps_headers_and_sends_no_body() -> None:
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Content-Length", "2")])
    result = make_handler(app)(load_event("lattice_v1", method="HEAD"), None)
    assert result["headers"]["Content-Length"] == "2"
    assert result["body"] == ""


def test_i40_app_error_is_a_500_for_the_source() -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("boom")

    result = check_result(make_handler(broken)(load_event("lattice_v2"), None), "lattice-2.0")
    assert (result["statusCode"], result["statusDescription"]) == (500, "500 Internal Server Error")


def test_i40_flask_app_behind_vpc_lattice() -> None:
    from flask import Flask, jsonify, url_for

    flask_app = Flask(__name__)

    @flask_app.get("/orders/<int:order_id>")
    def order(order_id: int) -> Any:
        return jsonify(id=order_id, link=url_for("order", order_id=order_id, _external=True))

    result = check_result(make_handler(flask_app)(load_event("lattice_v1"), None), "lattice-1.0")
    assert result["statusCode"] == 200
    host = load_event("lattice_v1")["headers"]["host"]
    assert json.loads(result["body"]) == {"id": 42, "link": f"https://{host}/orders/42"}
