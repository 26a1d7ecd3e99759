"""Smaller pieces of Flask's App and Blueprint API: template tests, blueprint-registered template helpers,
the endpoint decorator, iter_blueprints, ensure_sync, permanent_session_lifetime, tojson."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lambda_micro import App, Blueprint, render_template, render_template_string


def test_template_tests_and_blueprint_template_helpers() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    @app.template_test("even")
    def is_even(n: int) -> bool:
        return n % 2 == 0

    bp = Blueprint("helpers", __name__)

    @bp.app_template_filter("shout")
    def shout(s: str) -> str:
        return s.upper()

    @bp.app_template_global()
    def site_name() -> str:
        return "Blog"

    @bp.app_template_test("short")
    def is_short(s: str) -> bool:
        return len(s) < 4

    bp.add_app_template_filter(lambda s: s[::-1], "reverse")
    bp.add_app_template_global(lambda: 42, "answer")
    bp.add_app_template_test(lambda n: n > 10, "big")
    app.register_blueprint(bp)
    app.add_url_rule(
        "/",
        "index",
        lambda: render_template_string(
            "{{ 'hi'|shout }} {{ site_name() }} {{ 2 is even }} {{ 'abc' is short }}"
            " {{ 'ab'|reverse }} {{ answer() }} {{ 11 is big }}"
        ),
    )
    assert app.test_client().get("/").text == "HI Blog True True ba 42 True"
    app.add_template_test(lambda n: n == 0, "zero")  # after the environment exists
    with app.test_request_context():
        assert render_template_string("{{ 0 is zero }}") == "True"
    with pytest.raises(AssertionError, match="already been registered"):
        bp.app_template_filter("late")(str)


def test_endpoint_decorator_on_app_and_blueprint() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index")

    @app.endpoint("index")
    def index() -> str:
        return "from the endpoint decorator"

    bp = Blueprint("admin", __name__, url_prefix="/admin")
    bp.add_url_rule("/", "home")

    @bp.endpoint("home")
    def home() -> str:
        return "admin home"

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/").text == "from the endpoint decorator"
    assert client.get("/admin/").text == "admin home"
    assert list(app.iter_blueprints()) == [bp]


def test_ensure_sync_refuses_async_functions() -> None:
    app = App(__name__, template_folder=None, static_folder=None)

    async def view() -> str:
        return "x"

    def sync_view() -> str:
        return "x"

    assert app.ensure_sync(sync_view) is sync_view
    with pytest.raises(TypeError, match="is an async function"):
        app.ensure_sync(view)


def test_permanent_session_lifetime_and_static_folder_flags(tmp_path: Path) -> None:
    app = App(__name__, root_path=str(tmp_path))
    assert app.permanent_session_lifetime == timedelta(days=31)
    app.permanent_session_lifetime = 60
    assert app.permanent_session_lifetime == timedelta(seconds=60)
    assert app.has_static_folder
    assert not App(__name__, static_folder=None).has_static_folder


def test_tojson_uses_the_apps_provider_and_macros_imported_with_context(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "macros.html").write_text("{% macro where() %}{{ request.path }}{% endmacro %}")
    (tmp_path / "templates" / "page.html").write_text(
        "{% import 'macros.html' as m with context %}{{ m.where() }} {{ data|tojson }}"
    )
    app = App(__name__, root_path=str(tmp_path))
    values: dict[str, Any] = {"price": Decimal("2.50")}
    app.add_url_rule("/page", "page", lambda: render_template("page.html", data=values))
    assert app.test_client().get("/page").text == '/page {"price": 2.5}'
