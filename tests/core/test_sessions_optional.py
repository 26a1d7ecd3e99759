"""itsdangerous is optional (the extra ``lambda-micro[sessions]``): without it only sessions fail, clearly."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from lambda_micro import App, flash, get_flashed_messages, session, sessions
from lambda_micro.testing import Client

# What an app using sessions without itsdangerous logs, when the package is not installed.
MISSING_MESSAGE = (
    "lambda_micro sessions (session, flash) need itsdangerous, which could not be imported"
    " (No module named 'itsdangerous'): install the extra lambda-micro[sessions],"
    " e.g. pip install 'lambda-micro[sessions]'."
)


@pytest.fixture
def no_itsdangerous(monkeypatch: pytest.MonkeyPatch) -> None:
    """itsdangerous unimportable, and nothing of it cached by lambda_micro (as in a fresh process)."""
    monkeypatch.setitem(sys.modules, "itsdangerous", None)
    monkeypatch.setattr(sessions, "_ITSDANGEROUS", {})


def _app(monkeypatch: pytest.MonkeyPatch, *, reraise: bool = False) -> App:
    monkeypatch.delenv("LAMBDA_MICRO_SECRET_KEY", raising=False)
    app = App(__name__, template_folder=None, static_folder=None, reraise=reraise)
    app.secret_key = "a-long-random-test-secret"

    @app.post("/login")
    def login() -> str:
        session["user"] = "ann"
        return "ok"

    @app.get("/whoami")
    def whoami() -> dict[str, Any]:
        return {"user": session.get("user")}

    @app.post("/flash")
    def flash_message() -> str:
        flash("saved")
        return "ok"

    @app.get("/messages")
    def messages() -> dict[str, Any]:
        return {"messages": get_flashed_messages()}

    @app.get("/items/<int:n>")
    def item(n: int) -> dict[str, Any]:
        return {"n": n}

    return app


def _logged(caplog: pytest.LogCaptureFixture, app: App) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == app.logger.name]


@pytest.mark.usefixtures("no_itsdangerous")
@pytest.mark.parametrize(("method", "path"), [("POST", "/login"), ("GET", "/whoami"), ("POST", "/flash")])
@pytest.mark.parametrize("payload", ["2.0", "1.0"])
def test_session_use_is_a_logged_500_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, method: str, path: str, payload: str
) -> None:
    app = _app(monkeypatch)
    client = Client(app, payload=payload, stage="Prod" if payload == "1.0" else "$default")
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.request(method, path, headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert "lambda-micro[sessions]" not in response.text  # the reason is for the log, not the client
    assert not response.set_cookie_headers
    (logged,) = _logged(caplog, app)
    assert logged["error_type"] == "ModuleNotFoundError"
    assert "need itsdangerous" in logged["error"]
    assert "pip install 'lambda-micro[sessions]'" in logged["error"]
    assert logged["path"].endswith(path)
    # The original import error stays in the traceback, as the cause.
    assert "import of itsdangerous halted" in logged["traceback"]
    assert "direct cause of the following exception" in logged["traceback"]


@pytest.mark.usefixtures("no_itsdangerous")
def test_with_reraise_the_error_itself_propagates(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(monkeypatch, reraise=True)
    with pytest.raises(ModuleNotFoundError, match=r"install the extra lambda-micro\[sessions\]") as info:
        Client(app).post("/login")
    assert info.value.name == "itsdangerous"
    assert isinstance(info.value.__cause__, ImportError)
    assert info.value.__cause__.name == "itsdangerous"


@pytest.mark.usefixtures("no_itsdangerous")
def test_an_app_that_never_touches_the_session_works(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(monkeypatch)
    client = Client(app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        ok = client.get("/items/3")
        missing = client.get("/nowhere", headers={"Accept": "application/json"})
    assert ok.status_code == 200
    assert ok.json == {"n": 3}
    assert not ok.set_cookie_headers
    assert "Cookie" not in ok.headers.get("Vary", "")
    assert missing.status_code == 404
    assert _logged(caplog, app) == []


@pytest.mark.usefixtures("no_itsdangerous")
def test_without_a_secret_key_the_null_session_needs_no_itsdangerous(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(monkeypatch)
    app.secret_key = None
    client = Client(app)
    assert client.get("/whoami").json == {"user": None}
    assert client.get("/messages").json == {"messages": []}


def test_an_error_saving_the_session_is_a_logged_500_too(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(monkeypatch)

    @app.post("/rotate")
    def rotate() -> str:
        session["user"] = "ann"  # opened with itsdangerous importable
        # Then a new key needs a new signer while itsdangerous has gone: saving fails.
        monkeypatch.setitem(sys.modules, "itsdangerous", None)
        app.secret_key = "a-rotated-test-secret"
        return "ok"

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = Client(app).post("/rotate", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert not response.set_cookie_headers
    # The error, then the same error again from the 500 response's own session save (the session is
    # still modified), logged as such: neither is lost.
    unhandled, again = _logged(caplog, app)
    assert unhandled["message"] == "Unhandled exception"
    assert again["message"] == "after_request failed while handling an error"
    for logged in (unhandled, again):
        assert logged["error_type"] == "ModuleNotFoundError"
        assert "lambda-micro[sessions]" in logged["error"]


@pytest.mark.usefixtures("no_itsdangerous")
def test_bad_signature_import_gives_the_same_error() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"lambda-micro\[sessions\]") as info:
        sessions._bad_signature()
    assert info.value.name == "itsdangerous"
    assert isinstance(info.value.__cause__, ImportError)


def test_not_installed_in_a_fresh_process() -> None:
    """As deployed without the extra: a JSON route answers, a session route logs the exact message."""
    script = textwrap.dedent(
        """
        import importlib.abc, json, sys

        class NotInstalled(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "itsdangerous" or name.startswith("itsdangerous."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, NotInstalled())

        from lambda_micro import App, session
        from lambda_micro.testing import Client

        app = App("json_and_sessions", template_folder=None, static_folder=None)
        app.secret_key = "a-long-random-test-secret"

        @app.get("/items/<int:n>")
        def item(n):
            return {"n": n}

        @app.post("/login")
        def login():
            session["user"] = "ann"
            return "ok"

        client = Client(app)
        item = client.get("/items/7")
        login = client.post("/login")
        print(json.dumps([item.status_code, item.json, login.status_code, "itsdangerous" in sys.modules]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [200, {"n": 7}, 500, False]
    # No logging configured: the stdlib's last-resort handler writes the one JSON record to stderr.
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("{")]
    logged = json.loads(line)
    assert logged["error_type"] == "ModuleNotFoundError"
    assert logged["error"] == MISSING_MESSAGE
