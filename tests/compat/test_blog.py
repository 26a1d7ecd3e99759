"""The blog: listing, the login and author checks, create, update, delete; a template_rendered receiver."""

from __future__ import annotations

from typing import Any

import pytest


def test_index(client: Any, auth: Any) -> None:
    response = client.get("/")
    assert b"Log In" in response.data
    assert b"Register" in response.data

    auth.login()
    response = client.get("/")
    assert b"Log Out" in response.data
    assert b"test title" in response.data
    assert b"by test on 2018-01-01" in response.data
    assert b"test\nbody" in response.data
    assert b'href="/1/update"' in response.data


@pytest.mark.parametrize("path", ["/create", "/1/update", "/1/delete"])
def test_login_required(client: Any, path: str) -> None:
    response = client.post(path)
    assert response.headers["Location"] == "/auth/login"


def test_author_required(app: Any, client: Any, auth: Any) -> None:
    from flaskr.db import get_db

    # change the post author to another user
    with app.app_context():
        db = get_db()
        db.execute("UPDATE post SET author_id = 2 WHERE id = 1")
        db.commit()

    auth.login()
    # current user can't modify other user's post
    assert client.post("/1/update").status_code == 403
    assert client.post("/1/delete").status_code == 403
    # current user doesn't see edit link
    assert b'href="/1/update"' not in client.get("/").data


@pytest.mark.parametrize("path", ["/2/update", "/2/delete"])
def test_exists_required(client: Any, auth: Any, path: str) -> None:
    auth.login()
    response = client.post(path)
    assert response.status_code == 404
    assert b"Post id 2 doesn&#39;t exist." in response.data or b"Post id 2 doesn't exist." in response.data


def test_create(client: Any, auth: Any, app: Any) -> None:
    from flaskr.db import get_db

    auth.login()
    assert client.get("/create").status_code == 200
    client.post("/create", data={"title": "created", "body": ""})

    with app.app_context():
        count = get_db().execute("SELECT COUNT(id) FROM post").fetchone()[0]
        assert count == 2


def test_update(client: Any, auth: Any, app: Any) -> None:
    from flaskr.db import get_db

    auth.login()
    assert client.get("/1/update").status_code == 200
    client.post("/1/update", data={"title": "updated", "body": ""})

    with app.app_context():
        post = get_db().execute("SELECT * FROM post WHERE id = 1").fetchone()
        assert post["title"] == "updated"


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_create_update_validate(client: Any, auth: Any, path: str) -> None:
    auth.login()
    response = client.post(path, data={"title": "", "body": ""})
    assert b"Title is required." in response.data


def test_delete(client: Any, auth: Any, app: Any) -> None:
    from flaskr.db import get_db

    auth.login()
    response = client.post("/1/delete")
    assert response.headers["Location"] == "/"

    with app.app_context():
        post = get_db().execute("SELECT * FROM post WHERE id = 1").fetchone()
        assert post is None


def test_templates_rendered(client: Any, auth: Any, app: Any, framework: Any) -> None:
    recorded: list[tuple[str, dict[str, Any]]] = []

    def record(sender: Any, template: Any, context: dict[str, Any], **extra: Any) -> None:
        recorded.append((template.name, context))

    auth.login()
    with framework.template_rendered.connected_to(record, app):
        client.get("/")
        client.get("/1/update")
    assert [name for name, _ in recorded] == ["blog/index.html", "blog/update.html"]
    index_context = recorded[0][1]
    assert [post["title"] for post in index_context["posts"]] == ["test title"]
    assert index_context["g"].user["username"] == "test"
    assert recorded[1][1]["post"]["id"] == 1


def test_url_for_in_an_app_context_needs_a_server_name(app: Any, framework: Any) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        framework.url_for("blog.index")
    app.config["SERVER_NAME"] = "blog.example"
    with app.app_context():
        assert framework.url_for("blog.update", id=1) == "http://blog.example/1/update"
