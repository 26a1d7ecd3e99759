"""Blueprints: prefixes, nesting, endpoint names, relative url_for, url_defaults and registration errors."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from lambda_micro import App, Blueprint, request, url_for


def test_blueprint_url_prefix_and_endpoint_name(app: App, client: Client) -> None:
    bp = Blueprint("blog", __name__, url_prefix="/blog/")

    @bp.get("/")
    def index() -> str:
        return f"{request.endpoint} {url_for('blog.index')} {url_for('.show', slug='a')}"

    @bp.get("/<slug>")
    def show(slug: str) -> str:
        return slug

    app.register_blueprint(bp)
    assert client.get("/blog/").text == "blog.index /blog/ /blog/a"
    assert client.get("/blog/x").text == "x"


def test_blueprint_empty_rule_is_the_prefix(app: App, client: Client) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("", "root", lambda: "api root")
    app.register_blueprint(bp)
    assert client.get("/api").text == "api root"


def test_blueprint_prefix_given_at_registration(app: App, client: Client) -> None:
    bp = Blueprint("v", __name__, url_prefix="/ignored")
    bp.add_url_rule("/ping", "ping", lambda: "pong")
    app.register_blueprint(bp, url_prefix="/v2")
    assert client.get("/v2/ping").text == "pong"
    assert client.get("/ignored/ping").status_code == 404


def test_nested_blueprints_join_prefixes_and_names(app: App, client: Client) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    grandchild = Blueprint("grandchild", __name__)
    no_prefix_child = Blueprint("flat", __name__)

    @grandchild.get("/leaf")
    def leaf() -> dict[str, Any]:
        return {
            "endpoint": request.endpoint,
            "blueprints": request.blueprints,
            "self": url_for(".leaf"),
            "sibling": url_for("parent.child.other"),
        }

    @child.get("/other")
    def other() -> str:
        return "other"

    no_prefix_child.add_url_rule("/flat", "flat", lambda: "flat")
    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    parent.register_blueprint(no_prefix_child, url_prefix="/np")
    app.register_blueprint(parent)
    assert client.get("/parent/child/leaf").json == {
        "endpoint": "parent.child.grandchild.leaf",
        "blueprints": ["parent.child.grandchild", "parent.child", "parent"],
        "self": "/parent/child/leaf",
        "sibling": "/parent/child/other",
    }
    assert client.get("/parent/np/flat").text == "flat"
    assert set(app.blueprints) == {"parent", "parent.child", "parent.child.grandchild", "parent.flat"}


def test_nested_blueprint_without_parent_prefix(app: App, client: Client) -> None:
    parent = Blueprint("p", __name__)
    child = Blueprint("c", __name__, url_prefix="/c")
    child.add_url_rule("/x", "x", lambda: "x")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/c/x").text == "x"


def test_blueprint_registered_twice_with_different_names(app: App, client: Client) -> None:
    bp = Blueprint("items", __name__)

    @bp.get("/")
    def index() -> str:
        return request.blueprint or ""

    app.register_blueprint(bp, url_prefix="/a")
    app.register_blueprint(bp, url_prefix="/b", name="items_b")
    assert client.get("/a/").text == "items"
    assert client.get("/b/").text == "items_b"
    with pytest.raises(ValueError, match="already registered for this blueprint"):
        app.register_blueprint(bp, url_prefix="/c")
    with pytest.raises(ValueError, match="already registered for a different blueprint"):
        app.register_blueprint(Blueprint("items", __name__))


def test_blueprint_url_defaults(app: App, client: Client) -> None:
    bp = Blueprint("lang", __name__, url_defaults={"lang": "en"})

    @bp.get("/hello")
    def hello(lang: str) -> str:
        return lang

    @bp.get("/page", defaults={"lang": "fr"})
    def page(lang: str) -> str:
        return lang

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="de", url_prefix="/de", url_defaults={"lang": "de"})
    assert client.get("/hello").text == "en"
    assert client.get("/page").text == "fr"
    assert client.get("/de/hello").text == "de"


def test_blueprint_name_validation() -> None:
    with pytest.raises(ValueError, match="may not be empty"):
        Blueprint("", __name__)
    with pytest.raises(ValueError, match="may not contain a dot"):
        Blueprint("a.b", __name__)
    bp = Blueprint("ok", __name__)
    with pytest.raises(ValueError, match=r"endpoint 'a\.b' may not contain a dot"):
        bp.add_url_rule("/x", "a.b", lambda: "x")
    with pytest.raises(ValueError, match="Cannot register a blueprint on itself"):
        bp.register_blueprint(bp)


def test_blueprint_registration_name_with_dot_is_refused(app: App) -> None:
    with pytest.raises(ValueError, match="may not contain a dot"):
        app.register_blueprint(Blueprint("ok", __name__), name="a.b")


def test_blueprint_changes_after_registration_are_refused(app: App) -> None:
    bp = Blueprint("late", __name__)
    app.register_blueprint(bp)
    with pytest.raises(
        AssertionError, match="'add_url_rule' can no longer be called on the blueprint 'late'"
    ):
        bp.add_url_rule("/x", "x", lambda: "x")
    with pytest.raises(AssertionError, match="before_request"):
        bp.before_request(lambda: None)


def test_blueprint_context_processor_only_for_its_templates(app: App, client: Client) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")
    bp.context_processor(lambda: {"section": "shop"})
    bp.app_context_processor(lambda: {"site": "blog"})

    @bp.get("/")
    def shop() -> str:
        from lambda_micro import render_template_string

        return render_template_string("{{ site }}/{{ section }}")

    @app.get("/")
    def index() -> str:
        from lambda_micro import render_template_string

        return render_template_string("{{ site }}/{{ section }}")

    app.register_blueprint(bp)
    assert client.get("/shop/").text == "blog/shop"
    assert client.get("/").text == "blog/"
