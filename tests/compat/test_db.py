"""The database connection on g, closed by teardown_appcontext; the init-db command."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest


def test_get_close_db(app: Any) -> None:
    from flaskr.db import get_db

    with app.app_context():
        db = get_db()
        assert db is get_db()

    with pytest.raises(sqlite3.ProgrammingError) as e:
        db.execute("SELECT 1")

    assert "closed" in str(e.value)


def test_each_request_gets_its_own_connection(app: Any, client: Any) -> None:
    from flaskr.db import get_db

    seen: list[Any] = []

    @app.teardown_appcontext
    def record(exc: BaseException | None) -> None:
        seen.append(exc)

    client.get("/")
    client.get("/")
    assert seen == [None, None]
    with app.app_context():
        # Requests made inside an app context share its g, and so its connection, as in Flask.
        db = get_db()
        client.get("/")
        assert get_db() is db
        assert len(seen) == 2


def test_init_db_command(app: Any, runner: Any) -> None:
    from flaskr.db import get_db

    with app.app_context():
        get_db().execute("DELETE FROM post")
        get_db().commit()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Initialized" in result.output
    with app.app_context():
        tables = {row[0] for row in get_db().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"user", "post"} <= tables


def test_init_db_command_calls_init_db(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Recorder:
        called = False

    def fake_init_db() -> None:
        Recorder.called = True

    monkeypatch.setattr("flaskr.db.init_db", fake_init_db)
    result = runner.invoke(args=["init-db"])
    assert "Initialized" in result.output
    assert Recorder.called
