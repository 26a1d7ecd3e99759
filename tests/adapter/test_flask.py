"""An unmodified Flask app through make_handler on REST, HTTP API (2.0 and 1.0), ALB and Function URLs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from adapter_kit import check_result, load_event, result_body, result_headers
from flask import Flask, Response, make_response, redirect, request, url_for

from lambda_micro.adapter import make_handler

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def create_app() -> Flask:
    app = Flask("blog")

    @app.get("/posts/<slug>")
    def post(slug: str) -> Response:
        response = make_response(f"post {slug} {request.args.getlist('tag')}")
        response.set_cookie("seen", slug)
        response.set_cookie("theme", "dark", httponly=True)
        return response

    @app.post("/login")
    def login() -> Response:
        return redirect(url_for("post", slug="welcome"))

    @app.get("/absolute")
    def absolute() -> str:
        return url_for("post", slug="x", _external=True)

    @app.post("/echo.png")
    def echo() -> Response:
        return Response(request.get_data(), mimetype="image/png")

    @app.get("/whoami")
    def whoami() -> dict[str, Any]:
        return {"cookies": request.cookies.to_dict(), "ip": request.remote_addr, "path": request.path}

    return app


SOURCES = {
    # name: (fixture, source, stage prefix the links must carry)
    "rest": ("rest_execute_api_stage", "rest", "/Prod"),
    "http-2.0": ("http_v2_named_stage", "http-2.0", "/dev"),
    "http-1.0": ("http_v1", "http-1.0", "/dev"),
    "alb": ("alb_single", "alb", ""),
    "alb-multi": ("alb_multi", "alb", ""),
    "url": ("function_url", "url", ""),
}


def request_event(
    kind: str, method: str, path: str, *, body: bytes | None = None, ctype: str | None = None
) -> dict[str, Any]:
    fixture, _, prefix = SOURCES[kind]
    event = load_event(fixture)
    encoded = base64.b64encode(body).decode() if body is not None else None
    if "rawPath" in event:
        event["rawPath"] = prefix + path
        event["rawQueryString"] = "tag=a&tag=b"
        event["requestContext"]["http"]["method"] = method
        event["body"], event["isBase64Encoded"] = encoded, body is not None
        if ctype:
            event["headers"]["content-type"] = ctype
        return event
    event["httpMethod"] = method
    event["path"] = prefix + path if kind == "http-1.0" else path
    event["requestContext"]["path"] = prefix + path
    event["resource"] = path
    event["pathParameters"] = None
    event["multiValueQueryStringParameters"] = {"tag": ["a", "b"]}
    event["queryStringParameters"] = {"tag": "b"}
    event["body"], event["isBase64Encoded"] = encoded, body is not None
    if ctype:
        if event.get("multiValueHeaders"):
            event["multiValueHeaders"]["Content-Type"] = [ctype]
        else:
            event["headers"]["Content-Type"] = ctype
    return event


@pytest.fixture(scope="module")
def handler() -> Any:
    return make_handler(create_app())


@pytest.mark.parametrize("kind", SOURCES)
def test_flask_two_set_cookie_headers_survive(kind: str, handler: Any) -> None:
    result = check_result(handler(request_event(kind, "GET", "/posts/hello"), None), SOURCES[kind][1])
    assert result["statusCode"] == 200
    assert result["body"] == "post hello ['a', 'b']"
    cookies = [value for name, value in result_headers(result) if name == "set-cookie"]
    assert len(cookies) == 2
    assert cookies[0].startswith("seen=hello;")
    assert cookies[1].startswith("theme=dark;")
    assert "HttpOnly" in cookies[1]


@pytest.mark.parametrize("kind", SOURCES)
def test_flask_redirect_keeps_the_stage_prefix(kind: str, handler: Any) -> None:
    result = check_result(handler(request_event(kind, "POST", "/login"), None), SOURCES[kind][1])
    assert result["statusCode"] == 302
    location = dict(result_headers(result))["location"]
    assert location == f"{SOURCES[kind][2]}/posts/welcome"


@pytest.mark.parametrize("kind", SOURCES)
def test_flask_external_url_uses_forwarded_scheme_and_host(kind: str, handler: Any) -> None:
    result = handler(request_event(kind, "GET", "/absolute"), None)
    event = request_event(kind, "GET", "/absolute")
    headers = event.get("headers") or {
        name: values[-1] for name, values in event["multiValueHeaders"].items()
    }
    host = {name.lower(): value for name, value in headers.items()}["host"]
    assert result["body"].startswith(
        f"http{'s' if kind not in ('alb',) else ''}://{host}{SOURCES[kind][2]}/posts/x"
    )


@pytest.mark.parametrize("kind", SOURCES)
def test_flask_png_round_trip(kind: str, handler: Any) -> None:
    result = check_result(
        handler(request_event(kind, "POST", "/echo.png", body=PNG, ctype="image/png"), None), SOURCES[kind][1]
    )
    assert result["isBase64Encoded"] is True
    assert result_body(result) == PNG
    assert ("content-type", "image/png") in result_headers(result)


def test_flask_sees_v2_cookies_and_source_ip(handler: Any) -> None:
    event = load_event("http_v2_default_stage", rawPath="/whoami", rawQueryString="")
    result = handler(event, None)
    assert result["statusCode"] == 200
    assert result["body"].strip() == (
        '{"cookies":{"session":"abc123","theme":"dark"},"ip":"198.51.100.23","path":"/whoami"}'
    )


def test_flask_404_for_unknown_route(handler: Any) -> None:
    result = check_result(handler(request_event("alb", "GET", "/nope"), None), "alb")
    assert result["statusCode"] == 404
    assert result["statusDescription"] == "404 NOT FOUND"
