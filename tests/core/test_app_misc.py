"""App corner cases: names and root paths, odd return values, BaseException, development helpers."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.test import Client

from lambda_micro import App, Blueprint, Response, send_file, session


def test_app_name_for_interactive_main(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    app = App("__main__", template_folder=None, static_folder=None)
    assert app.name == "__main__"


def test_root_path_from_executing_module_globals(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"__name__": "executing_by_hand", "__file__": str(tmp_path / "mod.py")}
    exec("from lambda_micro import App\napp = App(__name__)", namespace)
    assert namespace["app"].root_path == str(tmp_path)


def test_root_path_from_module_spec_when_not_imported() -> None:
    assert "this" not in sys.modules
    spec = importlib.util.find_spec("this")
    assert spec is not None
    assert spec.origin is not None
    app = App("this", template_folder=None, static_folder=None)
    assert app.root_path == os.path.dirname(spec.origin)
    assert "this" not in sys.modules


def test_explicit_root_path_wins(tmp_path: Path) -> None:
    assert App(__name__, root_path=str(tmp_path)).root_path == str(tmp_path)


def test_base_exception_reaches_teardown_and_propagates(app: App) -> None:
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)

    @app.get("/exit")
    def leave() -> str:
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        Client(app, Response).get("/exit")
    assert isinstance(seen[0], SystemExit)


def test_non_wsgi_callable_return_is_a_clear_type_error() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    app.add_url_rule("/", "index", lambda: lambda: "not wsgi")
    with pytest.raises(TypeError, match=r"'index'.*did not return a valid response"):
        Client(app, Response).get("/")


def test_make_response_outside_request_names_no_view(app: App) -> None:
    with pytest.raises(TypeError, match="for this request did not return a valid response"):
        app.make_response(None)  # type: ignore[arg-type]


def test_http_error_response_outside_request_is_html(app: App) -> None:
    response = app.http_error_response(NotFound())
    assert (response.status_code, response.mimetype) == (404, "text/html")


def test_http_exception_with_its_own_response(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        raise NotFound(response=Response("custom not found", status=404, mimetype="text/plain"))

    response = client.get("/")
    assert (response.status_code, response.text) == (404, "custom not found")


def test_blueprint_static_folder_missing_adds_no_route(app: App) -> None:
    bp = Blueprint("nostatic", __name__, static_folder="does-not-exist")
    app.register_blueprint(bp)
    assert "nostatic.static" not in app.view_functions


def test_send_file_explicit_max_age(app: App, client: Client, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("f")

    @app.get("/")
    def index() -> Response:
        return send_file(tmp_path / "f.txt", max_age=60)

    assert "max-age=60" in client.get("/").headers["Cache-Control"]


def test_session_setdefault_on_real_session(app: App) -> None:
    app.secret_key = "k"
    with app.test_request_context():
        assert session.setdefault("cart", []) == []
        assert session.modified is True


def test_json_default_for_html_objects() -> None:
    from lambda_micro.json import dumps

    class Snippet:
        def __html__(self) -> str:
            return "<em>x</em>"

    assert dumps(Snippet()) == '"<em>x</em>"'


def test_test_client_uses_app_response_class(app: App) -> None:
    app.add_url_rule("/", "index", lambda: "x")
    response = app.test_client().get("/")
    assert isinstance(response, Response)
    assert response.text == "x"


def test_run_uses_development_server(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    import werkzeug.serving

    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **kw: calls.append((a, kw)))
    app.run(port=8123, debug=True)
    assert calls == [(("127.0.0.1", 8123, app), {"use_reloader": True, "use_debugger": True})]
    assert app.debug is True


def test_blueprint_static_without_prefix_and_custom_path(app: App, client: Client, tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "x.js").write_text("x")
    bp = Blueprint("assets", __name__, root_path=str(tmp_path), static_folder="files", static_url_path="/js/")
    app.register_blueprint(bp)
    assert client.get("/js/x.js").text == "x"


def test_run_keeps_debug_when_not_given(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    import werkzeug.serving

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **kw: calls.append(kw))
    app.run(use_reloader=False, threaded=True)
    assert calls == [{"use_reloader": False, "threaded": True, "use_debugger": False}]
    assert app.debug is False
