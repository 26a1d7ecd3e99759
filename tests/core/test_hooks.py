"""Request hooks on apps and blueprints: order, short-circuit, teardown with the exception."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from werkzeug.test import Client

from lambda_micro import App, Blueprint, Response, request


def test_before_request_return_value_short_circuits(app: App, client: Client) -> None:
    called: list[str] = []

    @app.before_request
    def gate() -> tuple[str, int] | None:
        if request.args.get("deny"):
            return "denied", 403
        return None

    @app.get("/")
    def index() -> str:
        called.append("view")
        return "ok"

    assert client.get("/?deny=1").status_code == 403
    assert called == []
    assert client.get("/").text == "ok"
    assert called == ["view"]


def test_before_request_short_circuit_still_runs_after_request(app: App, client: Client) -> None:
    app.before_request(lambda: "early")

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-After"] = "1"
        return response

    response = client.get("/anything")
    assert (response.text, response.headers["X-After"]) == ("early", "1")


def test_after_request_runs_in_reverse_registration_order(app: App, client: Client) -> None:
    order: list[str] = []

    @app.after_request
    def first(response: Response) -> Response:
        order.append("first")
        return response

    @app.after_request
    def second(response: Response) -> Response:
        order.append("second")
        return response

    app.add_url_rule("/", "index", lambda: "x")
    client.get("/")
    assert order == ["second", "first"]


def test_after_request_can_replace_the_response(app: App, client: Client) -> None:
    app.after_request(lambda response: Response("replaced", status=202))
    app.add_url_rule("/", "index", lambda: "x")
    response = client.get("/")
    assert (response.status_code, response.text) == (202, "replaced")


def test_after_request_sees_error_responses(app: App, client: Client) -> None:
    seen: list[int] = []

    @app.after_request
    def record(response: Response) -> Response:
        seen.append(response.status_code)
        return response

    client.get("/missing")
    assert seen == [404]


def test_teardown_always_runs_with_the_unhandled_exception(app: App, client: Client) -> None:
    seen: list[Any] = []
    app.teardown_request(seen.append)

    @app.get("/ok")
    def ok() -> str:
        return "ok"

    @app.get("/handled")
    def handled() -> str:
        raise KeyError("k")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    app.register_error_handler(KeyError, lambda e: ("handled", 400))
    client.get("/ok")
    client.get("/handled")
    client.get("/missing")
    client.get("/boom")
    assert seen[:3] == [None, None, None]
    assert isinstance(seen[3], RuntimeError)


def test_teardown_failure_is_logged_and_others_still_run(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    @app.teardown_request
    def second(exc: BaseException | None) -> None:
        ran.append("second")

    @app.teardown_request
    def failing(exc: BaseException | None) -> None:
        raise ValueError("teardown broke")

    app.add_url_rule("/", "index", lambda: "fine")
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.get("/")
    assert response.text == "fine"
    assert ran == ["second"]
    assert "teardown_request failed" in caplog.text


def test_hook_decorators_return_the_function(app: App) -> None:
    def hook() -> None:
        return None

    assert app.before_request(hook) is hook


def test_blueprint_hooks_run_only_for_its_requests(app: App, client: Client) -> None:
    events: list[str] = []
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.before_request
    def bp_before() -> None:
        events.append("bp.before")

    @bp.after_request
    def bp_after(response: Response) -> Response:
        events.append("bp.after")
        return response

    @bp.teardown_request
    def bp_teardown(exc: BaseException | None) -> None:
        events.append("bp.teardown")

    @bp.get("/")
    def dashboard() -> str:
        events.append("bp.view")
        return "admin"

    @app.before_request
    def app_before() -> None:
        events.append("app.before")

    @app.after_request
    def app_after(response: Response) -> Response:
        events.append("app.after")
        return response

    @app.teardown_request
    def app_teardown(exc: BaseException | None) -> None:
        events.append("app.teardown")

    @app.get("/")
    def index() -> str:
        events.append("app.view")
        return "home"

    app.register_blueprint(bp)
    client.get("/admin/")
    assert events == [
        "app.before",
        "bp.before",
        "bp.view",
        "bp.after",
        "app.after",
        "bp.teardown",
        "app.teardown",
    ]
    events.clear()
    client.get("/")
    assert events == ["app.before", "app.view", "app.after", "app.teardown"]


def test_nested_blueprint_hooks_order(app: App, client: Client) -> None:
    events: list[str] = []
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")
    parent.before_request(lambda: events.append("parent.before"))  # type: ignore[arg-type,func-returns-value]
    child.before_request(lambda: events.append("child.before"))  # type: ignore[arg-type,func-returns-value]

    @parent.after_request
    def parent_after(response: Response) -> Response:
        events.append("parent.after")
        return response

    @child.after_request
    def child_after(response: Response) -> Response:
        events.append("child.after")
        return response

    @child.get("/x")
    def view() -> str:
        return "x"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/p/c/x").text == "x"
    assert events == ["parent.before", "child.before", "child.after", "parent.after"]


def test_blueprint_app_wide_hooks(app: App, client: Client) -> None:
    events: list[str] = []
    bp = Blueprint("tracking", __name__)

    @bp.before_app_request
    def before() -> None:
        events.append("before")

    @bp.after_app_request
    def after(response: Response) -> Response:
        events.append("after")
        return response

    @bp.teardown_app_request
    def teardown(exc: BaseException | None) -> None:
        events.append("teardown")

    @bp.app_errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "app-wide 404", 404

    app.register_blueprint(bp)
    response = client.get("/not-in-blueprint")
    assert response.text == "app-wide 404"
    assert events == ["before", "after", "teardown"]


def test_blueprint_app_errorhandler_validates_eagerly() -> None:
    bp = Blueprint("x", __name__)
    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        bp.app_errorhandler(999)
