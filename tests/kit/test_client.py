"""The test client: real events in, validated and decoded results out, cookies kept, routes matched."""

from __future__ import annotations

import base64
import io
import json
import time
from typing import Any

import pytest

from lambda_micro import App, Response, jsonify, make_response, redirect, request, url_for
from lambda_micro.local.results import InvalidResult
from lambda_micro.local.sam import Route
from lambda_micro.testing import (
    Client,
    LambdaContext,
    cognito_authorizer,
    jwt_authorizer,
    lambda_authorizer,
)

PAYLOADS = ["1.0", "2.0", "alb", "alb-multi", "url"]


def make_app() -> App:
    app = App(__name__)

    @app.route("/")
    def index() -> Any:
        return "home"

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo() -> Any:
        return jsonify(
            method=request.method,
            args=request.args.to_dict(flat=False),
            form=request.form.to_dict(flat=False),
            files={name: f.read().decode() for name, f in request.files.items()},
            json=request.get_json(silent=True),
            data=request.get_data(as_text=True) if not request.form and not request.files else "",
            cookies=request.cookies.to_dict(),
            headers={"x-test": request.headers.get("X-Test")},
        )

    @app.route("/login", methods=["POST"])
    def login() -> Any:
        response = make_response("ok")
        response.set_cookie("session", "s1", httponly=True, samesite="Lax")
        response.set_cookie("scoped", "yes", path="/admin")
        return response

    @app.route("/logout")
    def logout() -> Any:
        response = make_response("bye")
        response.delete_cookie("session")
        return response

    @app.route("/admin/page")
    def admin() -> Any:
        return jsonify(request.cookies.to_dict())

    @app.route("/go")
    def go() -> Any:
        return redirect(url_for("target", n=1))

    @app.route("/target")
    def target() -> Any:
        return jsonify(path=request.path, script_root=request.script_root, n=request.args.get("n"))

    @app.route("/png")
    def png() -> Any:
        return Response(b"\x89PNG\r\n\x1a\n\x00", mimetype="image/png")

    @app.route("/claims")
    def claims() -> Any:
        return jsonify(request.lambda_event["requestContext"].get("authorizer"))

    @app.route("/posts/<slug>")
    def post(slug: str) -> Any:
        return jsonify(slug=slug, path_parameters=request.lambda_event.get("pathParameters"))

    return app


@pytest.fixture
def app() -> App:
    return make_app()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_round_trip_every_payload(app: App, payload: str) -> None:
    client = Client(app, payload=payload)
    response = client.get("/echo", query={"q": ["a b", "c+d"]}, headers={"X-Test": "1"})
    assert response.status_code == 200
    assert response.status == "200 OK"
    assert response.mimetype == "application/json"
    # Without multi-value headers an ALB passes only the last value of a repeated query parameter.
    assert response.json["args"] == {"q": ["c+d"] if payload == "alb" else ["a b", "c+d"]}
    assert response.json["headers"] == {"x-test": "1"}
    assert response.event is not None
    assert isinstance(response.result, dict)
    assert "statusCode" in response.result
    posted = client.post("/echo", json={"title": "héllo"})
    assert posted.json["json"] == {"title": "héllo"}
    assert posted.json["method"] == "POST"
    form = client.put("/echo", data={"a": "1", "b": "é"})
    assert form.json["form"] == {"a": ["1"], "b": ["é"]}
    raw = client.patch("/echo", body=b"raw bytes", content_type="text/plain")
    assert raw.json["data"] == "raw bytes"
    assert client.delete("/echo").json["method"] == "DELETE"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_binary_response_is_decoded(app: App, payload: str) -> None:
    response = Client(app, payload=payload).get("/png")
    assert response.data == b"\x89PNG\r\n\x1a\n\x00"
    assert response.result["isBase64Encoded"] is True
    assert base64.b64decode(response.result["body"]) == response.data


def test_client_text_and_repr(app: App) -> None:
    response = Client(app).get("/")
    assert response.text == "home"
    assert response.get_data() == b"home"
    assert response.get_data(as_text=True) == "home"
    assert "200 OK" in repr(response)
    with pytest.raises(ValueError, match="not JSON"):
        _ = response.json
    assert response.headers["Content-Type"].startswith("text/html")
    assert "payload=2.0" in repr(Client(app))


def test_client_multipart_upload(app: App) -> None:
    response = Client(app).post("/echo", data={"name": "x", "file": (io.BytesIO(b"content"), "a.txt")})
    assert response.json["form"] == {"name": ["x"]}
    assert response.json["files"] == {"file": "content"}
    assert response.event is not None
    assert response.event["headers"]["content-type"].startswith("multipart/form-data; boundary=")


def test_client_cookie_jar(app: App) -> None:
    client = Client(app, payload="1.0")
    login = client.post("/login")
    assert login.cookies == {"session": "s1", "scoped": "yes"}
    assert len(login.set_cookie_headers) == 2
    assert client.get_cookie("session") == "s1"
    assert client.get("/echo").json["cookies"] == {"session": "s1"}  # scoped cookie only under /admin
    assert client.get("/admin/page").json == {"session": "s1", "scoped": "yes"}
    assert client.get("/echo", cookies={"extra": "1", "session": "override"}).json["cookies"] == {
        "session": "override",
        "extra": "1",
    }
    logout = client.get("/logout")
    assert logout.cookies == {"session": ""}
    assert client.get_cookie("session") is None
    assert client.get("/echo").json["cookies"] == {}
    client.set_cookie("manual", "m")
    assert client.get("/echo").json["cookies"] == {"manual": "m"}
    client.delete_cookie("manual")
    assert client.get("/echo").json["cookies"] == {}


def test_client_cookies_in_v2_event(app: App) -> None:
    client = Client(app)
    client.post("/login")
    event = client.get("/echo").event
    assert event is not None
    assert event["cookies"] == ["session=s1"]
    assert "cookie" not in event["headers"]


def test_client_without_cookie_jar(app: App) -> None:
    client = Client(app, use_cookies=False)
    client.post("/login")
    assert client.get("/echo").json["cookies"] == {}
    with pytest.raises(RuntimeError, match="use_cookies=False"):
        client.set_cookie("a", "b")
    assert client.get_cookie("a") is None


def test_client_cookie_expiry_rules() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        cookies = {
            "/set": [
                "a=1; Max-Age=100",
                "b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT",
                'c="quoted"',
                "bad",
                "d=4",
            ],
            "/expire": ["a=; Max-Age=0", "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "d=4; Max-Age=x"],
        }.get(event["rawPath"], [])
        return {"statusCode": 200, "cookies": cookies, "body": json.dumps(event.get("cookies", []))}

    client = Client(handler)
    client.get("/set")
    assert sorted(json.loads(client.get("/other").text)) == ["a=1", "b=2", "c=quoted", "d=4"]
    client.get("/expire")
    assert json.loads(client.get("/other").text) == ["c=quoted", "d=4"]


def test_client_redirects_strip_the_stage(app: App) -> None:
    rest = Client(app, payload="1.0", stage="Prod")
    first = rest.get("/go")
    assert first.status_code == 302
    assert first.location is not None
    assert first.location.endswith("/Prod/target?n=1")
    followed = rest.get("/go", follow_redirects=True)
    assert followed.json == {"path": "/target", "script_root": "/Prod", "n": "1"}
    assert [r.status_code for r in followed.history] == [302]
    http = Client(app).get("/go", follow_redirects=True)
    assert http.json == {"path": "/target", "script_root": "", "n": "1"}


def test_client_redirect_loop_is_reported() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": 307, "headers": {"Location": "/again"}, "body": ""}

    with pytest.raises(AssertionError, match="more than 10 redirects"):
        Client(handler).post("/start", json={}, follow_redirects=True)


def test_client_authorizers_reach_the_app(app: App) -> None:
    rest = Client(app, payload="1.0", stage="Prod")
    assert rest.get("/claims", authorizer=cognito_authorizer({"sub": "u1"})).json == {"claims": {"sub": "u1"}}
    v2 = Client(app)
    assert v2.get("/claims", authorizer=jwt_authorizer({"sub": "u1"}, ["read"])).json == {
        "jwt": {"claims": {"sub": "u1"}, "scopes": ["read"]}
    }
    assert v2.get("/claims", authorizer=lambda_authorizer({"tenant": "t"})).json == {
        "lambda": {"principalId": "user", "tenant": "t"}
    }


def test_client_invalid_result_fails_the_call() -> None:
    def bad(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": "200", "body": "x"}

    with pytest.raises(InvalidResult, match="statusCode must be an int"):
        Client(bad, payload="1.0").get("/")

    def unknown_key(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": 200, "cookies": ["a=1"], "body": ""}

    with pytest.raises(InvalidResult, match="unknown key"):
        Client(unknown_key, payload="1.0").get("/")
    assert Client(unknown_key).get("/").status_code == 200


def test_client_plain_handler_and_context() -> None:
    seen: list[Any] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(context)
        return {"hello": event["rawPath"]}

    client = Client(handler, function_name="fn", timeout=30, memory_size=512)
    response = client.get("/x")
    assert response.json == {"hello": "/x"}
    context = seen[0]
    assert context.function_name == "fn"
    assert context.memory_limit_in_mb == "512"
    assert 29_000 < context.get_remaining_time_in_millis() <= 30_000
    client.get("/y")
    assert seen[1].aws_request_id != context.aws_request_id
    fixed = LambdaContext(function_name="fixed")
    Client(handler, context=fixed).get("/")
    assert seen[-1] is fixed
    Client(handler, context=lambda: "custom").get("/")
    assert seen[-1] == "custom"


def test_client_handler_exceptions_propagate() -> None:
    def handler(event: dict[str, Any], context: Any) -> Any:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        Client(handler).get("/")


def test_client_argument_errors(app: App) -> None:
    with pytest.raises(ValueError, match="unknown payload"):
        Client(app, payload="3.0")
    with pytest.raises(TypeError, match="Lambda handler"):
        Client(42)
    with pytest.raises(TypeError, match="only one of json=, data= or body="):
        Client(app).post("/echo", json={}, body="x")


@pytest.mark.parametrize("payload", ["1.0", "2.0", "alb"])
def test_client_scheme_is_the_connections(payload: str) -> None:
    app = App(__name__)

    @app.get("/where")
    def where() -> dict[str, str]:
        return {"scheme": request.scheme, "url": request.url}

    plain = Client(app, payload=payload, scheme="http", domain_name="blog.example.com")
    # The client's own X-Forwarded-Proto does not count: the gateway sets it, as API Gateway does.
    answer = plain.get("/where", headers={"X-Forwarded-Proto": "https"}).json
    assert answer == {"scheme": "http", "url": "http://blog.example.com/where"}
    assert Client(app, payload=payload).get("/where").json["scheme"] == "https"
    with pytest.raises(ValueError, match="scheme must be 'http' or 'https'"):
        Client(app, scheme="ftp")


def test_client_default_headers_and_head_options(app: App) -> None:
    client = Client(app, headers={"X-Test": "default"})
    assert client.get("/echo").json["headers"] == {"x-test": "default"}
    head = client.head("/")
    assert head.status_code == 200
    assert head.data == b""
    assert client.options("/").status_code == 200


ROUTES = [
    Route("Fn", "Root", "GET", "/", "rest", "ServerlessRestApi", "Prod"),
    Route("Fn", "Post", "GET", "/posts/{slug}", "rest", "ServerlessRestApi", "Prod"),
    Route("Fn", "Echo", "ANY", "/echo", "rest", "ServerlessRestApi", "Prod", ("image/png",)),
]


def test_client_routes_match_like_api_gateway(app: App) -> None:
    client = Client(app, payload="1.0", stage="Prod", routes=ROUTES)
    post = client.get("/posts/caf%C3%A9")
    # REST pathParameters keep the request's percent-encoding, as API Gateway sends them (the app's own
    # URL routing decodes the path).
    assert post.json == {"slug": "café", "path_parameters": {"slug": "caf%C3%A9"}}
    assert post.event is not None
    assert post.event["resource"] == "/posts/{slug}"
    assert post.event["requestContext"]["resourcePath"] == "/posts/{slug}"
    assert client.post("/echo", json={"a": 1}).json["json"] == {"a": 1}
    missing = client.get("/nowhere")
    assert missing.status_code == 403
    assert missing.json == {"message": "Missing Authentication Token"}
    assert missing.event is None
    assert missing.result is None
    assert client.post("/").status_code == 403  # the path exists, not for POST


def test_client_routes_use_the_gateway_precedence(app: App) -> None:
    routes = [
        Route("Fn", "Any", "ANY", "/posts/{slug}", "rest", "ServerlessRestApi", "Prod"),
        Route("Fn", "Get", "GET", "/posts/{slug}", "rest", "ServerlessRestApi", "Prod"),
        Route("Fn", "Me", "PATCH", "/posts/me", "rest", "ServerlessRestApi", "Prod"),
        Route("Fn", "Proxy", "ANY", "/{proxy+}", "rest", "ServerlessRestApi", "Prod"),
    ]
    client = Client(app, payload="1.0", stage="Prod", routes=routes)
    # The exact method beats ANY on the same path; a method /posts/me lacks falls through to /posts/{slug}.
    me = client.get("/posts/me")
    assert me.event is not None
    assert me.event["resource"] == "/posts/{slug}"
    assert me.event["pathParameters"] == {"slug": "me"}
    # One trailing slash is ignored, as API Gateway routes it.
    trailing = client.get("/posts/x/")
    assert trailing.event is not None
    assert trailing.event["pathParameters"] == {"slug": "x"}
    # The API's own stage URL is recognised; the event's path omits the stage.
    staged = client.get("/Prod/posts/x")
    assert staged.event is not None
    assert staged.event["path"] == "/posts/x"
    assert staged.event["requestContext"]["path"] == "/Prod/posts/x"
    proxied = client.get("/echo")
    assert proxied.event is not None
    assert proxied.event["resource"] == "/{proxy+}"


def test_client_http_api_miss_is_api_gateways_own_answer(app: App) -> None:
    routes = [Route("Fn", "Post", "GET", "/posts/{slug}", "http-2.0", "ServerlessHttpApi", "$default")]
    missing = Client(app, routes=routes).get("/nowhere")
    assert missing.status_code == 404
    assert missing.json == {"message": "Not Found"}
    assert missing.headers["x-amzn-ErrorType"] == "NotFoundException"
    assert missing.event is None
    # No routes at all: every path is undeclared, answered by the API the client's payload stands for.
    assert Client(app, routes=[]).get("/").status_code == 404
    assert Client(app, payload="1.0", stage="Prod", routes=[]).get("/").status_code == 403
    assert Client(app, payload="rest", routes=[]).get("/").status_code == 403


def test_client_http_api_routes(app: App) -> None:
    routes = [
        Route("Fn", "Post", "GET", "/posts/{slug}", "http-2.0", "ServerlessHttpApi", "$default"),
        Route("Fn", "Proxy", "ANY", "/{proxy+}", "http-1.0", "ServerlessHttpApi", "$default"),
    ]
    client = Client(app, routes=routes)
    post = client.get("/posts/x")
    assert post.event is not None
    assert post.event["routeKey"] == "GET /posts/x".replace("/x", "/{slug}")
    proxied = client.get("/echo")
    assert proxied.event is not None
    assert proxied.event["version"] == "1.0"
    assert proxied.event["pathParameters"] == {"proxy": "echo"}
    assert client.get("/").status_code == 404  # /{proxy+} does not match the root
    default = Client(
        app, routes=[Route("Fn", "D", "ANY", "/{proxy+}", "http-2.0", "A", "$default", (), True)]
    )
    root = default.get("/")
    assert root.text == "home"
    assert root.event is not None
    assert root.event["routeKey"] == "$default"


def test_lambda_context_attributes() -> None:
    context = LambdaContext(function_name="web", memory_limit_in_mb=256, timeout=0.05, region="eu-west-1")  # type: ignore[arg-type]
    assert context.invoked_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:web"
    assert context.log_group_name == "/aws/lambda/web"
    assert context.memory_limit_in_mb == "256"
    assert context.function_version == "$LATEST"
    assert len(context.aws_request_id) == 36
    assert context.log_stream_name
    assert 0 < LambdaContext(timeout=60).get_remaining_time_in_millis() <= 60_000
    assert context.get_remaining_time_in_millis() <= 50
    time.sleep(0.06)
    assert context.get_remaining_time_in_millis() == 0


def test_client_cookie_jar_sees_the_stage_in_the_url() -> None:
    app = App(__name__)

    @app.route("/set")
    def set_cookie() -> Any:
        response = make_response("set")
        # Scoped like a session cookie on the default stage URL (https://…/Prod/…).
        response.set_cookie("sid", "1", path=request.script_root or "/")
        response.set_cookie("elsewhere", "1", path="/Dev")
        return response

    @app.route("/read")
    def read() -> Any:
        return jsonify(request.cookies.to_dict())

    rest = Client(app, payload="1.0", stage="Prod")
    rest.get("/set")
    assert rest.get("/read").json == {"sid": "1"}
    v2 = Client(app, stage="live")
    v2.get("/set")
    assert v2.get("/read").json == {"sid": "1"}
    custom_domain = Client(app, payload="1.0", stage="Prod", domain_name="api.example.com")
    custom_domain.get("/set")
    assert custom_domain.get("/read").json == {"sid": "1"}
