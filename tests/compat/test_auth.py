"""Registration, login and logout: forms, flash messages, the session and g.user."""

from __future__ import annotations

from typing import Any

import pytest


def test_register(client: Any, app: Any) -> None:
    assert client.get("/auth/register").status_code == 200
    response = client.post("/auth/register", data={"username": "a", "password": "a"})
    assert response.headers["Location"] == "/auth/login"

    from flaskr.db import get_db

    with app.app_context():
        assert get_db().execute("SELECT * FROM user WHERE username = 'a'").fetchone() is not None


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", b"Username is required."),
        ("a", "", b"Password is required."),
        ("test", "test", b"already registered"),
    ],
)
def test_register_validate_input(client: Any, username: str, password: str, message: bytes) -> None:
    response = client.post("/auth/register", data={"username": username, "password": password})
    assert message in response.data


def test_login(client: Any, auth: Any, framework: Any) -> None:
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.headers["Location"] == "/"

    with client:
        client.get("/")
        assert framework.session["user_id"] == 1
        assert framework.g.user["username"] == "test"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("a", "test", b"Incorrect username."), ("test", "a", b"Incorrect password.")],
)
def test_login_validate_input(auth: Any, username: str, password: str, message: bytes) -> None:
    response = auth.login(username, password)
    assert message in response.data


def test_logout(client: Any, auth: Any, framework: Any) -> None:
    auth.login()

    with client:
        auth.logout()
        assert "user_id" not in framework.session


def test_session_transaction_logs_in_without_the_form(client: Any, framework: Any) -> None:
    with client.session_transaction() as session:
        session["user_id"] = 2
    with client:
        response = client.get("/")
        assert framework.g.user["username"] == "other"
    assert b"Log Out" in response.data


def test_flashed_messages_are_shown_once(client: Any) -> None:
    response = client.post("/auth/login", data={"username": "nobody", "password": "x"})
    assert response.data.count(b"Incorrect username.") == 1
    assert b"Incorrect username." not in client.get("/auth/login").data
