"""The App's two doors give identical proxy results: ``app.lambda_handler`` (the direct path) and
``make_handler(app.wsgi_app)`` (any WSGI app behind the adapter), for generated events of every source on a
representative app (cookies, sessions, redirects under stages, binary, errors, HEAD, streaming, forms), and
for malformed events; a WSGI middleware on ``app.wsgi_app`` sees every event."""

from __future__ import annotations

import base64
import copy
import io
import json
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from adapter_kit import load_event, make_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_micro import (
    App,
    Request,
    Response,
    abort,
    jsonify,
    redirect,
    request,
    session,
    stream_with_context,
    url_for,
)
from lambda_micro.adapter import make_handler

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ["rest", "http-1.0", "http-2.0", "url", "alb", "alb-multi", "lattice-1.0", "lattice-2.0", "edge"]


def representative_app() -> App:
    app = App("direct_equivalence", static_folder=None)
    app.secret_key = "equivalence-secret"

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "hello"

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo() -> Any:
        data = request.get_data()
        return jsonify(
            method=request.method,
            path=request.path,
            root=request.root_path,
            url=request.url,
            args=sorted(request.args.items(multi=True)),
            headers=sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("x-")),
            cookies=sorted(request.cookies.items()),
            remote=request.remote_addr,
            body=base64.b64encode(data).decode(),
        )

    @app.get("/cookies")
    def cookies() -> Response:
        response = Response("cookies", mimetype="text/plain")
        response.set_cookie("a", "1", path="/")
        response.set_cookie("b", "2", httponly=True)
        response.headers.add("Vary", "Accept")
        response.headers.add("Vary", "Cookie")
        return response

    @app.get("/session")
    def counter() -> Any:
        session["n"] = session.get("n", 0) + 1
        return {"n": session["n"]}

    @app.get("/redirect")
    def go_home() -> Response:
        return redirect(url_for("index"))

    @app.get("/elsewhere")
    def elsewhere() -> Response:
        return redirect("https://other.example/päth?q=1")

    @app.get("/bin")
    def binary() -> Response:
        return Response(bytes(range(256)), mimetype="application/octet-stream")

    @app.get("/stream")
    def stream() -> Response:
        def generate() -> Iterator[str]:
            yield "a"
            yield request.path  # needs the request: kept by stream_with_context
            yield "z"

        return Response(stream_with_context(generate()), mimetype="text/plain")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/teapot")
    def teapot() -> str:
        abort(418)

    @app.get("/empty")
    def empty() -> tuple[str, int]:
        return "", 204

    @app.post("/form")
    def form() -> Any:
        return {"form": sorted(request.form.items(multi=True))}

    @app.get("/slash/")
    def slash() -> str:
        return "slash"

    @app.get("/latin")
    def latin() -> Response:
        return Response("x", headers={"X-Name": "Zoë"})

    @app.get("/where")
    def where() -> Any:
        # What the Host gives: its verdict (a 400 for a bad one), the server address, external URLs.
        return {
            "host": request.host,
            "server": request.server,
            "url": url_for("where", _external=True),
            "root": request.host_url,
        }

    @app.route("/facts", methods=["GET", "POST"])
    def facts() -> Any:
        # What the direct door keeps pending read first (without completing its environ), then the
        # environ itself: key for key, in order, as the adapter builds it for any WSGI app.
        data = request.get_data()
        before = {
            "remote": request.remote_addr,
            "server": request.server,
            "host": request.host,
            "stage": request.stage_variables,
            "context": sorted(request.request_context or {}),
            "event": sorted(request.lambda_event or {}),
            "body": base64.b64encode(data).decode(),
        }
        environ = request.environ
        stream = environ["wsgi.input"]
        return {
            "before": before,
            "environ": [[key, _shown(value)] for key, value in environ.items()],
            "input": [stream.tell(), base64.b64encode(stream.getvalue()).decode()],
            "same": [
                request.lambda_event is environ.get("lambda.event"),
                request.request_context is environ.get("lambda.request_context"),
                request.stage_variables is environ.get("lambda.stage_variables"),
                request.stream is stream,
                request.environ is environ,
            ],
        }

    @app.get("/not-latin")
    def not_latin() -> Response:
        return Response("x", headers={"X-Name": "日本"})  # not latin-1: a 500 through either door

    return app


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, tuple):
        return list(value)
    return type(value).__name__


PATHS = st.sampled_from(
    [
        "/",
        "/facts",
        "/echo",
        "/cookies",
        "/session",
        "/redirect",
        "/elsewhere",
        "/bin",
        "/stream",
        "/boom",
        "/teapot",
        "/empty",
        "/form",
        "/slash",
        "/slash/",
        "/latin",
        "/not-latin",
        "/missing",
        "/where",
        "/café",
        "/echo/",
    ]
)
METHODS = st.sampled_from(["GET", "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"])
QUERY = st.lists(
    st.tuples(st.sampled_from(["a", "b", "é", "x y"]), st.sampled_from(["1", "", "a+b", "ü"])), max_size=3
)
HEADERS = st.lists(
    st.tuples(
        st.sampled_from(["x-one", "x-two", "accept", "content-type", "host"]),
        st.sampled_from(
            [
                "1",
                "application/json",
                "text/html",
                "application/x-www-form-urlencoded",
                "Api.Example.COM:8443",  # as a Host: one seen for the first time
                "bad host",  # as a Host: invalid, a 400
                "[::1]:3000",
            ]
        ),
    ),
    max_size=3,
    unique_by=lambda pair: pair[0],
)
COOKIES = st.lists(
    st.tuples(st.sampled_from(["c", "d"]), st.sampled_from(["1", "two"])),
    max_size=2,
    unique_by=lambda p: p[0],
)
BODIES = st.none() | st.sampled_from([b"", b"name=Ann&tag=a&tag=b", b'{"k": 1}', bytes(range(200, 256))])


def _answer_both(app: App, event: dict[str, Any], context: Any) -> tuple[Any, Any]:
    wsgi = make_handler(app.wsgi_app)
    # The session cookie carries a timestamp: both doors sign it in the same second.
    with mock.patch("time.time", return_value=time.time()):
        direct = app.lambda_handler(copy.deepcopy(event), context)
        through_wsgi = wsgi(copy.deepcopy(event), context)
    return direct, through_wsgi


@SETTINGS
@given(
    kind=st.sampled_from(KINDS),
    method=METHODS,
    path=PATHS,
    query=QUERY,
    headers=HEADERS,
    cookies=COOKIES,
    body=BODIES,
)
def test_property_both_doors_answer_every_source_identically(  # noqa: PLR0917 - hypothesis' arguments
    kind: str,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    cookies: list[tuple[str, str]],
    body: bytes | None,
) -> None:
    app = representative_app()
    event = make_event(
        kind, method=method, path=path, query=query, headers=headers, cookies=cookies, body=body
    )
    direct, through_wsgi = _answer_both(app, event, None)
    assert direct == through_wsgi


def test_a_session_round_trip_is_the_same_through_both_doors() -> None:
    app = representative_app()
    first, _ = _answer_both(
        app,
        make_event("http-2.0", method="GET", path="/session", query=[], headers=[], cookies=[], body=None),
        None,
    )
    cookie = first["cookies"][0].split(";")[0]
    name, _, value = cookie.partition("=")
    event = make_event(
        "http-2.0", method="GET", path="/session", query=[], headers=[], cookies=[(name, value)], body=None
    )
    direct, through_wsgi = _answer_both(app, event, None)
    assert direct == through_wsgi
    assert direct["body"] == '{"n":2}\n'


def _malformed() -> list[tuple[str, dict[str, Any]]]:
    rest = load_event("rest_execute_api_stage")
    v2 = load_event("http_v2_default_stage")
    alb = load_event("alb_single")
    return [
        ("method with a space", {**rest, "httpMethod": "GET /x"}),
        ("relative path", {**rest, "path": "x"}),
        ("bad base64", {**rest, "body": "***", "isBase64Encoded": True}),
        ("headers not an object", {**alb, "headers": ["a"]}),
        ("2.0 without http", {**v2, "requestContext": {**v2["requestContext"], "http": None}}),
        (
            "bad protocol",
            {
                **v2,
                "requestContext": {
                    **v2["requestContext"],
                    "http": {**v2["requestContext"]["http"], "protocol": "SPDY/3"},
                },
            },
        ),
        ("bad address", {**alb, "headers": {**alb["headers"], "x-forwarded-for": "not-an-ip"}}),
    ]


@pytest.mark.parametrize(("what", "event"), _malformed(), ids=[what for what, _ in _malformed()])
def test_malformed_events_get_the_same_400_through_both_doors(what: str, event: dict[str, Any]) -> None:
    direct, through_wsgi = _answer_both(representative_app(), event, None)
    assert direct == through_wsgi
    assert direct["statusCode"] == 400, what


def test_a_wsgi_middleware_on_wsgi_app_sees_every_event() -> None:
    app = representative_app()
    seen: list[str] = []
    inner = app.wsgi_app

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    event = make_event("http-2.0", method="GET", path="/", query=[], headers=[], cookies=[], body=None)
    assert app.lambda_handler(event, None)["body"] == "hello"
    assert seen == ["/"]


def test_a_subclass_overriding_wsgi_app_is_called_for_events() -> None:
    calls: list[str] = []

    class Logged(App):
        def wsgi_app(self, environ: Any, start_response: Any) -> Any:
            calls.append(environ["REQUEST_METHOD"])
            return super().wsgi_app(environ, start_response)

    app = Logged("logged", static_folder=None)
    app.add_url_rule("/", "index", lambda: "ok")
    event = make_event("rest", method="GET", path="/", query=[], headers=[], cookies=[], body=None)
    assert app.lambda_handler(event, None)["body"] == "ok"
    assert calls == ["GET"]


def test_a_response_class_overriding_call_is_answered_through_its_call() -> None:
    class Tagged(Response):
        def __call__(self, environ: Any, start_response: Any) -> Any:
            self.headers["X-Tagged"] = "yes"
            return super().__call__(environ, start_response)

    app = App("tagged", static_folder=None)
    app.response_class = Tagged
    app.add_url_rule("/", "index", lambda: "ok")
    event = make_event("http-2.0", method="GET", path="/", query=[], headers=[], cookies=[], body=None)
    direct, through_wsgi = _answer_both(app, event, None)
    assert direct == through_wsgi
    assert direct["headers"]["X-Tagged"] == "yes"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host", ["api.example.com", "Api.Example.COM:8443", "bad host", "[::1]:3000"])
def test_a_host_seen_for_the_first_time_is_answered_the_same_through_both_doors(kind: str, host: str) -> None:
    app = representative_app()
    event = make_event(
        kind, method="GET", path="/where", query=[], headers=[("host", host)], cookies=[], body=None
    )
    direct, through_wsgi = _answer_both(app, event, None)
    assert direct == through_wsgi
    assert int(direct.get("statusCode", direct.get("status"))) in (200, 400)  # Lambda@Edge: "status"


def test_the_direct_door_completes_no_environ_for_a_request_that_needs_none(lambda_door: str) -> None:
    app = representative_app()
    event = make_event("rest", method="GET", path="/", query=[], headers=[], cookies=[], body=None)
    with mock.patch("lambda_micro.adapter.environ.BytesIO", wraps=io.BytesIO) as made:
        assert app.lambda_handler(copy.deepcopy(event), None)["body"] == "hello"
        # The direct door: no wsgi.input, nothing read the body or the environ.
        assert made.call_count == (0 if lambda_door == "direct" else 1)
        made.reset_mock()
        assert make_handler(app.wsgi_app)(copy.deepcopy(event), None)["body"] == "hello"
        assert made.call_count == 1  # any WSGI app gets the whole environ


def test_a_body_read_before_the_environ_is_the_environs_input_stream() -> None:
    app = representative_app()
    event = make_event(
        "http-2.0", method="POST", path="/facts", query=[], headers=[], cookies=[], body=b"abc"
    )
    direct, through_wsgi = _answer_both(app, event, None)
    assert direct == through_wsgi
    answer = json.loads(direct["body"])
    assert answer["before"]["body"] == base64.b64encode(b"abc").decode()
    assert answer["input"] == [3, base64.b64encode(b"abc").decode()]
    assert answer["same"] == [True] * 5
    keys = [key for key, _ in answer["environ"]]
    assert keys[:4] == ["REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING"]
    assert "lambda_micro.pending" not in keys


def test_a_request_class_with_its_own_constructor_gets_the_whole_environ() -> None:
    seen: list[str] = []

    class Recording(Request):
        def __init__(self, environ: Any, *args: Any, **kwargs: Any) -> None:
            seen.append(environ["RAW_URI"])  # a key the direct door would otherwise leave pending
            super().__init__(environ, *args, **kwargs)

    app = App("recording", static_folder=None)
    app.request_class = Recording
    app.add_url_rule("/", "index", lambda: "ok")
    event = make_event("rest", method="GET", path="/", query=[("a", "1")], headers=[], cookies=[], body=None)
    assert app.lambda_handler(event, None)["body"] == "ok"
    assert seen == ["/Prod/?a=1"]
