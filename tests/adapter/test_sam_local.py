"""Contract section G: events shaped by `sam local` (captured with the SAM CLI's own event constructors) and
samples from `sam local generate-event`; results must pass `sam local`'s checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from adapter_kit import REST_KEYS, RecordingApp, check_result, load_event
from werkzeug.wrappers.request import Request

from lambda_micro.adapter import make_handler


def run(name: str, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    app = RecordingApp()
    result = make_handler(app)(load_event(name, **fields), None)
    return app.environ, result


def test_g36_rest_path_already_decoded_is_not_decoded_again() -> None:
    environ, _ = run("sam_local_rest")
    request = Request(environ)
    assert request.path == "/café menu/a+b/"
    assert environ["SCRIPT_NAME"] == ""


def test_g36_rest_null_stage_and_title_case_headers() -> None:
    environ, result = run("sam_local_rest")
    assert environ["lambda.request_context"]["stage"] is None
    assert environ["HTTP_USER_AGENT"] == "curl/8.5.0"
    assert environ["HTTP_COOKIE"] == "session=abc; theme=dark"
    assert Request(environ).args.getlist("q") == ["a b", "c"]
    check_result(result, "rest")


def test_g36_forwarded_port_is_the_local_port() -> None:
    environ, _ = run("sam_local_rest")
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"], environ["wsgi.url_scheme"]) == (
        "127.0.0.1",
        "3000",
        "http",
    )
    assert Request(environ).host_url == "http://127.0.0.1:3000/"


def test_g36_v2_keeps_cookie_header_beside_cookies() -> None:
    app = RecordingApp()
    result = make_handler(app)(load_event("sam_local_http_v2"), None)
    environ = app.environ
    assert environ["HTTP_COOKIE"] == "session=abc; theme=dark"
    assert Request(environ).cookies.to_dict() == {"session": "abc", "theme": "dark"}
    assert Request(environ).path == "/café menu/a+b/"
    assert json.loads(app.body) == {"title": "café"}
    check_result(result, "http-2.0")


def test_g36_http_api_payload_1_from_sam_local() -> None:
    environ, result = run("sam_local_http_v1")
    assert Request(environ).path == "/café menu/a+b/"  # stage Prod is not in the local path
    assert environ["SCRIPT_NAME"] == ""
    check_result(result, "http-1.0")


@pytest.mark.parametrize(
    ("name", "source", "path"),
    [
        ("sam_generate_rest", "rest", "/path/to/resource"),
        ("sam_generate_http_v2", "http-2.0", "/path/to/resource"),
        ("sam_generate_alb", "alb", "/path/to/resource"),
    ],
)
def test_g36_generate_event_samples(name: str, source: str, path: str) -> None:
    environ, result = run(name)
    assert environ["PATH_INFO"] == path
    assert environ["REQUEST_METHOD"] == "POST"
    check_result(result, source)


def test_g36_generate_event_rest_stage_prefix() -> None:
    environ, _ = run("sam_generate_rest")
    assert environ["SCRIPT_NAME"] == "/prod"


@pytest.mark.parametrize("name", ["sam_local_rest", "sam_generate_rest", "rest_execute_api_stage", "http_v1"])
@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Type", "text/html")],
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Type", "image/png")],
        [],
    ],
)
def test_g37_rest_results_only_use_keys_sam_local_accepts(name: str, headers: list[tuple[str, str]]) -> None:
    result = make_handler(RecordingApp(headers=headers))(load_event(name), None)
    assert set(result) <= REST_KEYS
    assert type(result["statusCode"]) is int
    assert type(result["isBase64Encoded"]) is bool
    assert isinstance(result["body"], str)


@pytest.mark.parametrize("code", [400, 500])
def test_g37_error_results_only_use_accepted_keys(code: int) -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("boom")

    handler = make_handler(RecordingApp() if code == 400 else broken)
    event = load_event("sam_local_rest", body="%%%" if code == 400 else None, isBase64Encoded=code == 400)
    result = handler(event, None)
    assert result["statusCode"] == code
    assert set(result) <= REST_KEYS


KIT_PAYLOADS = {
    "rest_execute_api_stage": "1.0",
    "http_v1": "1.0",
    "http_v2_default_stage": "2.0",
    "function_url": "url",
    "alb_single": "alb",
    "alb_multi": "alb-multi",
}


@pytest.mark.parametrize(("name", "payload"), KIT_PAYLOADS.items())
@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (
            "200 OK",
            [("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            b"<p>hi</p>",
        ),
        ("201 Created", [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n\x00"),
        ("299 Custom", [], b""),
        ("304 Not Modified", [("ETag", '"abc"')], b"ignored"),
    ],
)
def test_g37_results_pass_the_project_result_checker(
    name: str, payload: str, status: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    results = pytest.importorskip("lambda_micro.local.results")
    result = make_handler(RecordingApp(status=status, headers=headers, body=body))(load_event(name), None)
    parsed = results.parse_result(result, payload)
    assert parsed.status == int(status[:3])
    assert parsed.body == (b"" if status.startswith("304") else body)
    cookies = [value for key, value in parsed.headers if key.lower() == "set-cookie"]
    assert cookies == [value for key, value in headers if key == "Set-Cookie"]


# --- with the SAM CLI's own code: its event constructors and its result parsers -------------------------

SAM_REQUESTS = [
    ("GET", "/posts/caf%C3%A9/a%20b/?q=a%2Bb&q=c&e=1%2C2&flag", {"Cookie": "a=1; b=2"}, b""),
    ("GET", "/x%41/y+z", {}, b""),
    ("GET", "/100%25", {}, b""),
    ("POST", "/", {"Content-Type": "application/json"}, '{"t": "café"}'.encode()),
    ("POST", "/img", {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\xff"),
]


@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0"])
@pytest.mark.parametrize(("method", "url", "headers", "body"), SAM_REQUESTS)
def test_g36_events_built_by_sam_local_reach_the_app_as_sent(
    api: str, method: str, url: str, headers: dict[str, str], body: bytes
) -> None:
    flask = pytest.importorskip("flask")
    constructor = pytest.importorskip("samcli.local.apigw.event_constructor")
    route = pytest.importorskip("samcli.local.apigw.route")
    # `sam local start-api` serves each route through a Flask app and builds the event from its request.
    local = flask.Flask("sam_local")
    local.add_url_rule("/", "proxy", defaults={"proxy": ""}, methods=["GET", "POST"])
    local.add_url_rule("/<path:proxy>", "proxy", methods=["GET", "POST"])
    with local.test_request_context(
        url, method=method, headers=headers, data=body, base_url="http://127.0.0.1:3000"
    ):
        request = flask.request
        request.url_rule, request.view_args = local.url_map.bind_to_environ(request.environ).match(
            return_rule=True
        )
        if api == "http-2.0":
            event = constructor.construct_v2_event_http(
                request, 3000, ["image/png"], stage_name="$default", route_key="$default"
            )
        else:
            event = constructor.construct_v1_event(
                request,
                3000,
                ["image/png"],
                stage_name=None if api == "rest" else "$default",
                api_type=route.Route.API if api == "rest" else route.Route.HTTP,
            )
        sent = (request.path, list(request.args.items(multi=True)), dict(request.cookies), request.get_data())
    app = RecordingApp()
    result = make_handler(app)(json.loads(json.dumps(event)), None)
    check_result(result, api)
    seen = Request(app.environ)
    assert (seen.path, list(seen.args.items(multi=True)), dict(seen.cookies), app.body) == sent


@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0"])
@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (
            "200 OK",
            [("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Vary", "Accept")],
            b"<p>caf\xc3\xa9</p>",
        ),
        ("299 Custom", [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n\x00\xff"),
        ("204 No Content", [], b""),
        ("302 Found", [("Location", "/Prod/x")], b""),
    ],
)
def test_g37_results_pass_sam_local_own_result_parser(
    api: str, status: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    flask = pytest.importorskip("flask")
    service = pytest.importorskip("samcli.local.apigw.local_apigw_service")
    route = pytest.importorskip("samcli.local.apigw.route")
    fixture = {"rest": "sam_local_rest", "http-1.0": "sam_local_http_v1", "http-2.0": "sam_local_http_v2"}[
        api
    ]
    result = make_handler(RecordingApp(status=status, headers=headers, body=body))(load_event(fixture), None)
    parser = service.LocalApigwService
    # The client accepts the binary media type, so `sam local` decodes a base64 REST body as API Gateway does.
    with flask.Flask("sam_local").test_request_context("/", headers={"Accept": "image/png"}):
        if api == "http-2.0":
            code, parsed_headers, parsed_body = parser._parse_v2_payload_format_lambda_output(
                json.dumps(result), ["image/png"], flask.request
            )
        else:
            event_type = route.Route.API if api == "rest" else route.Route.HTTP
            code, parsed_headers, parsed_body = parser._parse_v1_payload_format_lambda_output(
                json.dumps(result), ["image/png"], flask.request, event_type
            )
    if isinstance(parsed_body, str):
        parsed_body = parsed_body.encode()
    assert code == int(status[:3])
    assert (parsed_body or b"") == body
    assert parsed_headers.getlist("Set-Cookie") == [value for name, value in headers if name == "Set-Cookie"]
    assert parsed_headers.getlist("Vary") == [value for name, value in headers if name == "Vary"]
