"""The Request: form, files, cookies, args, routing facts, Lambda facts, size limits; context locals."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from werkzeug.test import Client

from lambda_micro import App, Blueprint, Request, current_app, g, request, session
from lambda_micro.ctx import has_request_context


def test_request_is_the_app_request_class(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        assert isinstance(request._get_current_object(), Request)  # type: ignore[attr-defined]
        return type(request._get_current_object()).__name__  # type: ignore[attr-defined]

    assert client.get("/").text == "Request"


def test_request_args_form_files_cookies_headers(app: App, client: Client) -> None:
    @app.post("/upload")
    def upload() -> dict[str, Any]:
        upload = request.files["doc"]
        return {
            "args": request.args.getlist("tag"),
            "title": request.form["title"],
            "file": [upload.filename, upload.read().decode()],
            "cookie": request.cookies.get("theme"),
            "header": request.headers.get("X-Custom"),
        }

    client.set_cookie("theme", "dark")
    response = client.post(
        "/upload?tag=a&tag=b",
        data={"title": "Hi", "doc": (io.BytesIO(b"content"), "notes.txt")},
        headers={"X-Custom": "yes"},
    )
    assert response.json == {
        "args": ["a", "b"],
        "title": "Hi",
        "file": ["notes.txt", "content"],
        "cookie": "dark",
        "header": "yes",
    }


def test_request_routing_facts(app: App, client: Client) -> None:
    bp = Blueprint("blog", __name__)

    @bp.get("/posts/<int:n>")
    def show(n: int) -> dict[str, Any]:
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
            "view_args": request.view_args,
            "rule": request.url_rule.rule if request.url_rule else None,
        }

    @app.get("/")
    def index() -> dict[str, Any]:
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
        }

    app.register_blueprint(bp)
    assert client.get("/posts/3").json == {
        "endpoint": "blog.show",
        "blueprint": "blog",
        "blueprints": ["blog"],
        "view_args": {"n": 3},
        "rule": "/posts/<int:n>",
    }
    assert client.get("/").json == {"endpoint": "index", "blueprint": None, "blueprints": []}


def test_request_routing_exception_is_visible_to_before_request(app: App, client: Client) -> None:
    seen: list[Any] = []

    @app.before_request
    def look() -> None:
        seen.append((request.endpoint, type(request.routing_exception).__name__))

    client.get("/nowhere")
    assert seen == [(None, "NotFound")]


def test_request_lambda_facts_are_none_outside_lambda(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> dict[str, Any]:
        return {
            "event": request.lambda_event,
            "context": request.lambda_context,
            "request_context": request.request_context,
            "stage_variables": request.stage_variables,
        }

    assert client.get("/").json == {
        "event": None,
        "context": None,
        "request_context": None,
        "stage_variables": None,
    }


def test_request_lambda_facts_come_from_environ(app: App, client: Client) -> None:
    class Context:
        aws_request_id = "req-1"

    event = {"version": "2.0", "routeKey": "GET /"}
    request_context = {"requestId": "abc", "authorizer": {"jwt": {"claims": {"sub": "u1"}}}}

    @app.get("/")
    def index() -> dict[str, Any]:
        return {
            "event": request.lambda_event,
            "aws_request_id": request.lambda_context.aws_request_id,
            "sub": request.request_context["authorizer"]["jwt"]["claims"]["sub"],  # type: ignore[index]
            "stage_variables": request.stage_variables,
        }

    environ = {
        "lambda.event": event,
        "lambda.context": Context(),
        "lambda.request_context": request_context,
        "lambda.stage_variables": {"env": "prod"},
    }
    assert client.get("/", environ_overrides=environ).json == {
        "event": event,
        "aws_request_id": "req-1",
        "sub": "u1",
        "stage_variables": {"env": "prod"},
    }


def test_request_max_content_length_gives_413(app: App, client: Client) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/")
    def index() -> str:
        return request.get_data(as_text=True)

    assert client.post("/", data="x" * 5).text == "x" * 5
    assert client.post("/", data="x" * 50).status_code == 413


def test_context_locals_outside_a_request_raise(app: App) -> None:
    assert not has_request_context()
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        _ = request.path
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        _ = g.user
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        _ = current_app.name
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        _ = session.get("x")


def test_test_request_context_pushes_and_pops(app: App) -> None:
    with app.test_request_context("/hello?x=1", method="POST") as ctx:
        assert has_request_context()
        assert request.path == "/hello"
        assert request.args["x"] == "1"
        assert current_app is not None
        assert current_app.name == app.name
        assert ctx.request is request._get_current_object()  # type: ignore[attr-defined]
    assert not has_request_context()


def test_g_is_per_request_and_has_helpers(app: App, client: Client) -> None:
    @app.before_request
    def load_user() -> None:
        g.user = request.args.get("u")

    @app.get("/")
    def index() -> dict[str, Any]:
        g.setdefault("n", 1)
        assert "user" in g
        assert g.get("missing", "dflt") == "dflt"
        assert g.pop("missing", None) is None
        return {"user": g.user, "n": g.pop("n"), "names": sorted(g), "repr": repr(g)}

    assert client.get("/?u=ann").json == {
        "user": "ann",
        "n": 1,
        "names": ["user"],
        "repr": "<lambda_micro.g of ['user']>",
    }
    assert client.get("/").json["user"] is None
    with app.test_request_context(), pytest.raises(KeyError):
        g.pop("absent")


def test_context_is_isolated_between_threads(app: App) -> None:
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    @app.get("/<name>")
    def view(name: str) -> str:
        g.name = name
        barrier.wait(timeout=5)
        return f"{g.name}:{request.path}"

    def run(name: str) -> None:
        results[name] = Client(app).get(f"/{name}").text

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": "a:/a", "b": "b:/b"}
    assert not has_request_context()


def test_g_attribute_errors(app: App) -> None:
    with app.test_request_context():
        g.temp = 1
        del g.temp
        with pytest.raises(AttributeError, match="temp"):
            _ = g.temp
        with pytest.raises(AttributeError, match="temp"):
            del g.temp
