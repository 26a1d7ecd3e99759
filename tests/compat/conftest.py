"""Fixtures for the compatibility suite, in the shape of Flask's tutorial tests, run once on Flask and once on
lambda_micro.

The ``framework`` fixture is the parametrised import: it points the module ``compat_framework`` (the one the
app and the tests import their framework names from) at ``flask`` or at ``lambda_micro`` (whose ``App`` is
imported as ``Flask``), then imports the app package afresh. Nothing else differs between the two runs.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

HERE = Path(__file__).parent
FRAMEWORKS = ("flask", "lambda_micro")


def _framework_module(name: str) -> types.ModuleType:
    source = importlib.import_module(name)
    module = types.ModuleType("compat_framework", f"The framework names, from {name}.")

    def __getattr__(attribute: str) -> Any:
        if attribute == "Flask" and name == "lambda_micro":
            return source.App
        return getattr(source, attribute)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.NAME = name  # type: ignore[attr-defined]
    return module


def _forget_app_modules() -> None:
    for name in [m for m in sys.modules if m in {"flaskr", "compat_framework"} or m.startswith("flaskr.")]:
        del sys.modules[name]


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """``compat_framework``, on Flask or on lambda_micro."""
    _forget_app_modules()
    module = _framework_module(request.param)
    sys.modules["compat_framework"] = module
    monkeypatch.syspath_prepend(str(HERE))
    yield module
    _forget_app_modules()


@pytest.fixture
def flaskr(framework: types.ModuleType) -> types.ModuleType:
    """The app package, imported on the framework under test."""
    return importlib.import_module("flaskr")


@pytest.fixture
def app(flaskr: types.ModuleType, tmp_path: Path) -> Any:
    """The app with a fresh database holding two users (test/test, other/other) and one post."""
    app = flaskr.create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "test.sqlite")}, instance_path=str(tmp_path / "instance")
    )
    db = importlib.import_module("flaskr.db")
    with app.app_context():
        db.init_db()
        connection = db.get_db()
        connection.executemany(
            "INSERT INTO user (username, password) VALUES (?, ?)",
            # Few iterations: the default hash takes a good part of a second, in every test.
            [(name, generate_password_hash(name, "pbkdf2:sha256:1000")) for name in ("test", "other")],
        )
        connection.execute(
            "INSERT INTO post (title, body, author_id, created) VALUES (?, ?, ?, ?)",
            ("test title", "test\nbody", 1, "2018-01-01 00:00:00"),
        )
        connection.commit()
    return app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: Any) -> None:
        self._client = client

    def login(self, username: str = "test", password: str = "test") -> Any:
        return self._client.post("/auth/login", data={"username": username, "password": password})

    def logout(self) -> Any:
        return self._client.get("/auth/logout")


@pytest.fixture
def auth(client: Any) -> AuthActions:
    return AuthActions(client)
