"""Signed-cookie sessions and flash messages."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.http import parse_cookie
from werkzeug.test import Client

from lambda_micro import App, Response, flash, get_flashed_messages, session


@pytest.fixture
def sapp(monkeypatch: pytest.MonkeyPatch) -> App:
    monkeypatch.delenv("LAMBDA_MICRO_SECRET_KEY", raising=False)
    app = App(__name__, template_folder=None, static_folder=None)
    app.secret_key = "a-long-random-test-secret"

    @app.post("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        session[key] = value
        return "set"

    @app.get("/get/<key>")
    def get_value(key: str) -> dict[str, Any]:
        return {"value": session.get(key)}

    @app.get("/read-only")
    def read_only() -> str:
        return str(len(session))

    @app.get("/plain")
    def plain() -> str:
        return "no session here"

    @app.post("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    return app


def _set_cookie_headers(response: Response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_session_round_trip(sapp: App) -> None:
    client = Client(sapp, Response)
    client.post("/set/user/ann")
    assert client.get("/get/user").json == {"value": "ann"}


def test_session_cookie_attributes_http(sapp: App) -> None:
    response = Client(sapp, Response).post("/set/a/1")
    (cookie,) = _set_cookie_headers(response)
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    assert "Expires" not in cookie
    assert "Cookie" in response.headers["Vary"]


def test_session_cookie_secure_on_https_and_scoped_to_stage(sapp: App) -> None:
    response = Client(sapp, Response).post(
        "/set/a/1", base_url="https://abc.execute-api.us-east-1.amazonaws.com/Prod"
    )
    (cookie,) = _set_cookie_headers(response)
    assert "Secure" in cookie
    assert "Path=/Prod" in cookie


def test_session_cookie_is_signed_json_not_pickle(sapp: App) -> None:
    response = Client(sapp, Response).post("/set/user/ann")
    value = parse_cookie(_set_cookie_headers(response)[0].split(";")[0])["session"]
    payload = value.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert json.loads(decoded) == {"user": "ann"}


def test_session_no_set_cookie_when_only_read(sapp: App) -> None:
    client = Client(sapp, Response)
    client.post("/set/a/1")
    response = client.get("/get/a")
    assert _set_cookie_headers(response) == []
    assert "Cookie" in response.headers["Vary"]


def test_session_untouched_means_no_vary_no_cookie(sapp: App) -> None:
    response = Client(sapp, Response).get("/plain")
    assert _set_cookie_headers(response) == []
    assert "Vary" not in response.headers


@pytest.mark.parametrize("cookie", ["garbage", "eyJhIjoxfQ.bad.sig", "", "a.b.c.d", "e30.AAAA.BBBB"])
def test_session_tampered_cookie_gives_empty_session(sapp: App, cookie: str) -> None:
    client = Client(sapp, Response)
    client.set_cookie("session", cookie)
    assert client.get("/get/user").json == {"value": None}


def test_session_cookie_signed_with_other_key_is_ignored(sapp: App) -> None:
    other = App("other", template_folder=None, static_folder=None)
    other.secret_key = "a-different-secret"
    other.add_url_rule("/set", "set", lambda: session.update(user="mallory") or "ok", methods=["POST"])
    forged = parse_cookie(_set_cookie_headers(Client(other, Response).post("/set"))[0].split(";")[0])[
        "session"
    ]
    client = Client(sapp, Response)
    client.set_cookie("session", forged)
    assert client.get("/get/user").json == {"value": None}


def test_session_non_dict_payload_is_ignored(sapp: App) -> None:
    serializer = sapp.session_interface.get_signing_serializer(sapp)  # type: ignore[attr-defined]
    client = Client(sapp, Response)
    client.set_cookie("session", serializer.dumps(["not", "a", "dict"]))
    assert client.get("/get/user").json == {"value": None}


def test_session_expired_cookie_is_ignored(sapp: App, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(sapp, Response)
    client.post("/set/user/ann")
    sapp.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)
    assert client.get("/get/user").json == {"value": None}


def test_session_permanent_sets_expires(sapp: App) -> None:
    @sapp.post("/remember")
    def remember() -> str:
        session.permanent = True
        session["user"] = "ann"
        return str(session.permanent)

    response = Client(sapp, Response).post("/remember")
    assert response.text == "True"
    assert "Expires=" in _set_cookie_headers(response)[0]


def test_session_cleared_deletes_cookie(sapp: App) -> None:
    client = Client(sapp, Response)
    client.post("/set/a/1")
    response = client.post("/clear")
    (cookie,) = _set_cookie_headers(response)
    assert cookie.startswith("session=;")
    assert "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get("/get/a").json == {"value": None}


def test_session_without_secret_reads_empty_and_refuses_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDA_MICRO_SECRET_KEY", raising=False)
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)

    @app.get("/read")
    def read() -> dict[str, Any]:
        return {"user": session.get("user"), "len": len(session)}

    @app.post("/write")
    def write() -> str:
        session["user"] = "ann"
        return "unreachable"

    client = Client(app, Response)
    assert client.get("/read").json == {"user": None, "len": 0}
    with pytest.raises(RuntimeError, match=r"no secret key was set.*LAMBDA_MICRO_SECRET_KEY"):
        client.post("/write")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.setdefault("a", 1),
        lambda s: s.pop("a"),
        lambda s: s.update(a=1),
        lambda s: s.clear(),
        lambda s: s.__delitem__("a"),
        lambda s: s.popitem(),
    ],
)
def test_null_session_every_mutation_raises(app: App, mutate: Any) -> None:
    app.secret_key = None
    with app.test_request_context(), pytest.raises(RuntimeError, match="no secret key"):
        mutate(session)


def test_session_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_MICRO_SECRET_KEY", "env-secret")
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/w", "w", lambda: session.update(x=1) or "ok", methods=["POST"])
    assert _set_cookie_headers(Client(app, Response).post("/w"))


def test_session_key_rotation_with_fallbacks(sapp: App) -> None:
    client = Client(sapp, Response)
    client.post("/set/user/ann")
    sapp.config["SECRET_KEY_FALLBACKS"] = [sapp.secret_key]
    sapp.secret_key = "the-new-secret"
    assert client.get("/get/user").json == {"value": "ann"}


def test_session_values_use_app_json(sapp: App) -> None:
    from decimal import Decimal

    @sapp.post("/decimal")
    def store_decimal() -> str:
        session["n"] = Decimal("3")
        return "ok"

    client = Client(sapp, Response)
    client.post("/decimal")
    assert client.get("/get/n").json == {"value": 3}


def test_session_mixin_flags(sapp: App) -> None:
    with sapp.test_request_context():
        assert session.new is True
        assert session.modified is False
        session["x"] = 1
        assert session.modified is True
        assert session.accessed is True


def test_session_cookie_config(sapp: App) -> None:
    sapp.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    (cookie,) = _set_cookie_headers(Client(sapp, Response).post("/set/a/1"))
    assert cookie.startswith("sid=")
    for part in ("Path=/app", "Domain=example.com", "Secure", "SameSite=Strict"):
        assert part in cookie


def test_flash_and_get_flashed_messages(sapp: App) -> None:
    @sapp.post("/save")
    def save() -> str:
        flash("Saved!")
        flash("Careful", "warning")
        flash("Broken", "error")
        return "ok"

    @sapp.get("/messages")
    def messages() -> dict[str, Any]:
        return {
            "all": get_flashed_messages(),
            "again": get_flashed_messages(),
            "with": get_flashed_messages(with_categories=True),
            "filtered": get_flashed_messages(category_filter=["warning", "error"]),
            "filtered_with": get_flashed_messages(with_categories=True, category_filter=("error",)),
        }

    client = Client(sapp, Response)
    client.post("/save")
    assert client.get("/messages").json == {
        "all": ["Saved!", "Careful", "Broken"],
        "again": ["Saved!", "Careful", "Broken"],
        "with": [["message", "Saved!"], ["warning", "Careful"], ["error", "Broken"]],
        "filtered": ["Careful", "Broken"],
        "filtered_with": [["error", "Broken"]],
    }
    # Consumed: the next request sees none.
    assert client.get("/messages").json["all"] == []


def test_flash_without_secret_is_a_clear_error(app: App) -> None:
    app.secret_key = None
    with app.test_request_context(), pytest.raises(RuntimeError, match="no secret key"):
        flash("x")
    with app.test_request_context():
        assert get_flashed_messages() == []


def test_flashes_survive_a_redirect(sapp: App) -> None:
    from lambda_micro import redirect

    @sapp.post("/posts")
    def create() -> Response:
        flash("Created")
        return redirect("/")

    @sapp.get("/")
    def home() -> str:
        return ",".join(get_flashed_messages())

    client = Client(sapp, Response)
    assert client.post("/posts", follow_redirects=True).text == "Created"


def test_custom_session_interface_methods_are_abstract() -> None:
    from lambda_micro.sessions import SessionInterface

    interface = SessionInterface()
    app = App("x", template_folder=None, static_folder=None)
    with pytest.raises(NotImplementedError):
        interface.open_session(app, None)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError):
        interface.save_session(app, None, None)  # type: ignore[arg-type]


def test_session_lifetime_in_seconds(sapp: App) -> None:
    client = Client(sapp, Response)
    client.post("/set/user/ann")
    sapp.config["PERMANENT_SESSION_LIFETIME"] = 3600
    assert client.get("/get/user").json == {"value": "ann"}
    sapp.config["PERMANENT_SESSION_LIFETIME"] = -1
    assert client.get("/get/user").json == {"value": None}
