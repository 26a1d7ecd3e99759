"""app.test_client(): werkzeug's client with Flask's FlaskClient semantics (contexts kept in `with client:`,
session_transaction, test_client_class), and the EnvironBuilder defaults from the config."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_micro import App, flash, g, get_flashed_messages, redirect, request, session, url_for
from lambda_micro.app_testing import AppClient, EnvironBuilder
from lambda_micro.ctx import has_app_context, has_request_context


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.secret_key = "test-secret-key-of-32-characters!"
    app.testing = True

    @app.before_request
    def load_user() -> None:
        g.user = session.get("user")

    @app.get("/")
    def index() -> dict[str, Any]:
        return {"user": g.user, "flashes": get_flashed_messages()}

    @app.post("/login")
    def login() -> Any:
        session["user"] = request.form["name"]
        flash("welcome")
        return redirect(url_for("index"))

    return app


def test_client_is_an_app_client_with_flasks_environ_base(app: App) -> None:
    client = app.test_client()
    assert isinstance(client, AppClient)
    app.add_url_rule("/env", "env", lambda: {"ip": request.remote_addr, "ua": request.user_agent.string})
    data = client.get("/env").json
    assert data["ip"] == "127.0.0.1"
    assert data["ua"].startswith("Werkzeug/")


def test_with_client_keeps_the_last_requests_contexts(app: App) -> None:
    client = app.test_client()
    response = client.post("/login", data={"name": "ann"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client:
        assert client.get("/").json == {"user": "ann", "flashes": ["welcome"]}
        assert has_request_context()
        assert request.path == "/"
        assert session["user"] == "ann"
        assert g.user == "ann"
        client.get("/?second=1")
        assert request.args["second"] == "1"  # the previous request's contexts were popped first
    assert not has_request_context()
    assert not has_app_context()


def test_with_client_cannot_nest(app: App) -> None:
    client = app.test_client()
    with client, pytest.raises(RuntimeError, match="Cannot nest client invocations"):
        client.__enter__()


def test_teardown_runs_again_when_the_with_block_ends(app: App) -> None:
    # As in Flask: the kept contexts are pushed again, and their last pop tears them down.
    seen: list[str] = []
    app.teardown_request(lambda exc: seen.append("request"))
    app.teardown_appcontext(lambda exc: seen.append("app"))
    client = app.test_client()
    with client:
        client.get("/")
        assert seen == ["request", "app"]
    assert seen == ["request", "app", "request", "app"]


def test_session_transaction_reads_and_writes_the_cookie_jar(app: App) -> None:
    client = app.test_client()
    with client.session_transaction() as sess:
        assert "user" not in sess
        sess["user"] = "bob"
    assert client.get("/").json["user"] == "bob"
    client.post("/login", data={"name": "cid"})
    with client.session_transaction() as sess:
        assert sess["user"] == "cid"


def test_session_transaction_needs_cookies_and_a_session(app: App) -> None:
    with (
        pytest.raises(TypeError, match="Cookies are disabled"),
        app.test_client(use_cookies=False).session_transaction(),
    ):
        pass
    app.secret_key = None
    with app.test_client().session_transaction() as sess:  # the null session: nothing is saved
        assert not sess

    class NoSession(type(app.session_interface)):  # type: ignore[misc]
        def open_session(self, app: App, request: Any) -> Any:
            return None

    app.session_interface = NoSession()
    with pytest.raises(RuntimeError, match="did not open a session"), app.test_client().session_transaction():
        pass


def test_test_client_class_and_kwargs(app: App) -> None:
    class AuthClient(AppClient):
        def __init__(self, *args: Any, token: str = "", **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    app.test_client_class = AuthClient
    app.add_url_rule("/auth", "auth", lambda: request.headers["Authorization"])
    client = app.test_client(token="abc")
    assert isinstance(client, AuthClient)
    assert client.get("/auth").text == "Bearer abc"


def test_environ_builder_takes_the_base_url_from_the_config(app: App) -> None:
    app.config.update(SERVER_NAME="api.example", APPLICATION_ROOT="/v1", PREFERRED_URL_SCHEME="https")
    app.add_url_rule("/where", "where", lambda: {"url": request.url, "ext": url_for("where", _external=True)})
    assert app.test_client().get("/where?x=1").json == {
        "url": "https://api.example/v1/where?x=1",
        "ext": "https://api.example/v1/where",
    }
    with app.test_request_context("/where", subdomain="eu") as ctx:
        assert ctx.request.host == "eu.api.example"
    with app.test_request_context("http://other.example/where") as ctx:
        assert ctx.request.url == "http://other.example/v1/where"
    with pytest.raises(ValueError, match="Cannot pass 'subdomain' or 'url_scheme' with 'base_url'"):
        EnvironBuilder(app, "/", base_url="http://x", url_scheme="https")


def test_client_json_uses_the_apps_provider(app: App) -> None:
    from decimal import Decimal

    app.add_url_rule("/echo", "echo", lambda: {"got": request.get_json()}, methods=["POST"])
    client = app.test_client()
    assert client.post("/echo", json={"price": Decimal("1.5")}).json == {"got": {"price": 1.5}}


def test_client_open_with_a_builder_an_environ_or_a_request(app: App) -> None:
    from werkzeug.test import EnvironBuilder as WerkzeugBuilder

    client = app.test_client()
    app.add_url_rule("/ip", "ip", lambda: request.remote_addr or "")
    assert client.open(WerkzeugBuilder("/ip")).text == "127.0.0.1"
    environ = WerkzeugBuilder("/ip").get_environ()
    assert client.open(environ).text == "127.0.0.1"
    assert client.open(WerkzeugBuilder("/ip").get_request()).text == "127.0.0.1"
