"""``login_required``, ``require_scopes``, ``require_groups``: 401 or 403, JSON or HTML, challenges, login."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_micro import App, Identity, login_required, require_groups, require_scopes
from lambda_micro.testing import Client

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)

    @app.get("/me")
    @login_required
    def me() -> dict[str, Any]:
        from lambda_micro import request

        return {"sub": request.identity.subject}

    @app.get("/called")
    @login_required()
    def called() -> str:
        return "ok"

    @app.post("/posts")
    @require_scopes("posts:write", "posts:read")
    def write() -> str:
        return "written"

    @app.post("/either")
    @require_scopes("a", "b", match="any")
    def either() -> str:
        return "either"

    @app.delete("/admin")
    @require_groups("admins")
    def admin() -> str:
        return "deleted"

    @app.get("/staff")
    @require_groups("editors", "admins", match="any")
    def staff() -> str:
        return "staff"

    @app.get("/login")
    def login() -> str:
        return "login page"

    return app


@pytest.fixture
def client(app: App) -> Client:
    return Client(app, payload="2.0")


def test_login_required_anonymous_json_is_401_with_a_bearer_challenge(client: Client) -> None:
    response = client.get("/me", headers=JSON)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json["code"] == 401
    assert "authenticated user" in response.json["description"]


def test_login_required_anonymous_html_is_an_html_401(client: Client) -> None:
    response = client.get("/called", headers=HTML)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/html")


def test_login_required_passes_an_authenticated_identity(client: Client) -> None:
    with client.as_user(sub="u-1"):
        assert client.get("/me", headers=JSON).json == {"sub": "u-1"}


def test_login_view_redirects_html_clients_with_next(app: App) -> None:
    app.config["LOGIN_VIEW"] = "login"
    client = Client(app, payload="rest")
    page = client.get("/me", query={"tab": "1"}, headers=HTML)
    assert page.status_code == 303
    assert page.location == "/Prod/login?next=/Prod/me?tab%3D1"
    assert client.get("/me", headers=JSON).status_code == 401  # an API client still gets its 401


def test_require_scopes_all_of(client: Client) -> None:
    assert client.post("/posts", headers=JSON).status_code == 401
    with client.as_user(scopes=["posts:write"]):
        response = client.post("/posts", headers=JSON)
    assert response.status_code == 403
    assert (
        response.headers["WWW-Authenticate"]
        == 'Bearer error=insufficient_scope, scope="posts:write posts:read"'
    )
    assert "posts:read" in response.json["description"]
    with client.as_user(scopes=["posts:read", "posts:write"]):
        assert client.post("/posts").text == "written"


def test_require_scopes_any_of(client: Client) -> None:
    with client.as_user(scopes=["b"]):
        assert client.post("/either").text == "either"
    with client.as_user(scopes=["c"]):
        assert "any one of them" in client.post("/either", headers=JSON).json["description"]


def test_require_groups(client: Client) -> None:
    assert client.delete("/admin", headers=JSON).status_code == 401
    with client.as_user(groups=["editors"]):
        response = client.delete("/admin", headers=JSON)
        assert response.status_code == 403
        assert "WWW-Authenticate" not in response.headers
        assert "admins" in response.json["description"]
        assert client.get("/staff").text == "staff"
    with client.as_user(groups=["admins"]):
        assert client.delete("/admin").text == "deleted"
    with client.as_user(groups=["viewers"]):
        assert "any of editors, admins" in client.get("/staff", headers=JSON).json["description"]


def test_decorators_see_the_identity_loader(app: App) -> None:
    @app.identity_loader
    def loaded() -> Identity:
        return Identity("cognito", subject="from-session", groups=["admins"])

    client = Client(app, payload="2.0")
    assert client.get("/me").json == {"sub": "from-session"}
    assert client.delete("/admin").text == "deleted"


def test_decorator_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="at least one"):
        require_scopes()
    with pytest.raises(TypeError, match="non-empty strings"):
        require_groups("")
    with pytest.raises(ValueError, match="'all' or 'any'"):
        require_groups("a", match="some")  # type: ignore[arg-type]


def test_decorated_views_keep_their_name_and_docstring() -> None:
    @login_required
    def view() -> str:
        """Doc."""
        return ""

    assert (view.__name__, view.__doc__) == ("view", "Doc.")
