"""Class-based views, as flask.views: View and MethodView."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lambda_micro import App, request
from lambda_micro.views import MethodView, View


def test_view_dispatches_with_url_variables_and_class_arguments() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    class Greeting(View):
        methods = ["GET", "POST"]

        def __init__(self, greeting: str) -> None:
            self.greeting = greeting

        def dispatch_request(self, **kwargs: Any) -> str:
            return f"{self.greeting}, {kwargs['name']} ({request.method})"

    app.add_url_rule("/hello/<name>", view_func=Greeting.as_view("hello", "Hi"))
    client = app.test_client()
    assert client.get("/hello/ann").text == "Hi, ann (GET)"
    assert client.post("/hello/ann").text == "Hi, ann (POST)"
    assert client.put("/hello/ann").status_code == 405
    assert Greeting.as_view("again", "x").view_class is Greeting  # type: ignore[attr-defined]


def test_view_instances_per_request_or_once() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    made: list[object] = []

    class Counted(View):
        def __init__(self) -> None:
            made.append(self)

        def dispatch_request(self, **kwargs: Any) -> str:
            return "ok"

    class Shared(Counted):
        init_every_request = False

    app.add_url_rule("/each", view_func=Counted.as_view("each"))
    app.add_url_rule("/once", view_func=Shared.as_view("once"))
    assert len(made) == 1  # Shared made its one instance in as_view
    client = app.test_client()
    for _ in range(2):
        client.get("/each")
        client.get("/once")
    assert len(made) == 3


def test_view_decorators_wrap_the_view_function() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    def shout(f: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(**kwargs: Any) -> str:
            return str(f(**kwargs)).upper()

        return wrapper

    class Quiet(View):
        decorators = [shout]

        def dispatch_request(self, **kwargs: Any) -> str:
            return "quiet"

    app.add_url_rule("/q", view_func=Quiet.as_view("q"))
    assert app.test_client().get("/q").text == "QUIET"


def test_method_view_routes_by_method() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    class Items(MethodView):
        def get(self, item_id: int | None = None) -> Any:
            return {"id": item_id}

        def post(self) -> tuple[dict[str, Any], int]:
            return {"created": request.get_json()}, 201

    class ItemsWithDelete(Items):
        def delete(self, item_id: int) -> tuple[str, int]:
            return "", 204

    assert Items.methods == {"GET", "POST"}
    assert ItemsWithDelete.methods == {"GET", "POST", "DELETE"}
    view = ItemsWithDelete.as_view("items")
    app.add_url_rule("/items", view_func=view, methods=["GET", "POST"])
    app.add_url_rule("/items/<int:item_id>", view_func=view, methods=["GET", "DELETE"])
    client = app.test_client()
    assert client.get("/items/3").json == {"id": 3}
    assert client.head("/items/3").status_code == 200  # HEAD falls back to get
    assert client.post("/items", json={"a": 1}).json == {"created": {"a": 1}}
    assert client.delete("/items/3").status_code == 204
    assert client.put("/items/3").status_code == 405


def test_method_view_without_the_method_answers_405() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    class OnlyGet(MethodView):
        methods = ["GET", "PATCH"]  # PATCH declared, not implemented

        def get(self) -> str:
            return "got"

    app.add_url_rule("/x", view_func=OnlyGet.as_view("x"))
    response = app.test_client().patch("/x")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


def test_view_without_dispatch_request_is_an_error() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/bare", view_func=View.as_view("bare"))
    app.testing = True
    with pytest.raises(NotImplementedError):
        app.test_client().get("/bare")
