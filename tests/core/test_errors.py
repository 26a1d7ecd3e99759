"""Errors: abort, error handlers (codes, classes, MRO, blueprints), JSON/HTML negotiation, 500s, reraise."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, InternalServerError, NotFound
from werkzeug.test import Client

from lambda_micro import App, Blueprint, Response, abort, request

JSON_ACCEPT = {"Accept": "application/json"}


def test_abort_with_description_html_by_default(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(403, "Not your post")

    response = client.get("/")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "Not your post" in response.text


def test_abort_answers_json_when_client_prefers_json(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(404, "No such post")

    response = client.get("/", headers=JSON_ACCEPT)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json == {"code": 404, "name": "Not Found", "description": "No such post"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/json", "application/json"),
        ("application/json, text/javascript, */*; q=0.01", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("*/*", "text/html"),
        ("text/html;q=0.5, application/json;q=0.9", "application/json"),
        (None, "text/html"),
    ],
)
def test_error_negotiation_follows_accept_quality(
    app: App, client: Client, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    assert client.get("/missing", headers=headers).mimetype == expected


def test_error_is_json_when_request_sent_json(app: App, client: Client) -> None:
    response = client.post("/missing", json={"a": 1}, headers={"Accept": "text/html"})
    assert response.mimetype == "application/json"
    assert response.json["code"] == 404


def test_error_405_json_keeps_allow_header(app: App, client: Client) -> None:
    @app.get("/only-get")
    def only_get() -> str:
        return "x"

    response = client.delete("/only-get", headers=JSON_ACCEPT)
    assert response.status_code == 405
    assert response.json["name"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_abort_keyword_arguments_reach_the_exception(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(429, retry_after=30)

    response = client.get("/")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "30")


def test_abort_405_with_valid_methods_sets_allow(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(405, valid_methods=["GET", "POST"])

    @app.get("/described")
    def described() -> str:
        abort(405, "Use POST", valid_methods=["POST"])

    response = client.get("/")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, POST")
    response = client.get("/described", headers=JSON_ACCEPT)
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")
    assert response.json["description"] == "Use POST"


def test_abort_416_description_is_not_taken_for_the_length(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(416, "Out of range", length=10)

    response = client.get("/", headers=JSON_ACCEPT)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */10"
    assert response.json["description"] == "Out of range"


def test_abort_with_a_response(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        abort(Response("custom", status=402))

    response = client.get("/")
    assert (response.status_code, response.text) == (402, "custom")


def test_abort_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no HTTP error is defined for that status code"):
        abort(299)


def test_errorhandler_by_code(app: App, client: Client) -> None:
    @app.errorhandler(404)
    def not_found(e: NotFound) -> tuple[str, int]:
        return f"custom 404: {request.path}", 404

    response = client.get("/nope")
    assert (response.status_code, response.text) == (404, "custom 404: /nope")


def test_errorhandler_by_exception_class_and_mro(app: App, client: Client) -> None:
    class AppError(Exception):
        status = 409

    class ConflictError(AppError):
        pass

    @app.errorhandler(AppError)
    def app_error(e: AppError) -> tuple[dict[str, str], int]:
        return {"error": type(e).__name__}, e.status

    @app.get("/")
    def index() -> str:
        raise ConflictError

    response = client.get("/")
    assert (response.status_code, response.json) == (409, {"error": "ConflictError"})


def test_errorhandler_most_specific_class_wins(app: App, client: Client) -> None:
    app.register_error_handler(LookupError, lambda e: ("lookup", 500))
    app.register_error_handler(KeyError, lambda e: ("key", 500))

    @app.get("/")
    def index() -> str:
        raise KeyError("k")

    assert client.get("/").text == "key"


def test_errorhandler_http_exception_base_catches_all_http_errors(app: App, client: Client) -> None:
    @app.errorhandler(HTTPException)
    def any_http(e: HTTPException) -> tuple[str, int]:
        return f"http {e.code}", e.code or 500

    assert client.get("/missing").text == "http 404"


def test_errorhandler_by_code_registered_via_class(app: App, client: Client) -> None:
    app.register_error_handler(Forbidden, lambda e: ("forbidden!", 403))

    @app.get("/")
    def index() -> str:
        abort(403)

    assert client.get("/").text == "forbidden!"


def test_errorhandler_registration_errors(app: App) -> None:
    with pytest.raises(ValueError, match="'999' is not a recognized HTTP error code"):
        app.errorhandler(999)
    with pytest.raises(TypeError, match="is an instance"):
        app.register_error_handler(KeyError("x"), lambda e: "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a subclass of Exception"):
        app.register_error_handler(int, lambda e: "x")  # type: ignore[arg-type]


def test_errorhandler_returning_none_is_a_type_error() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    app.register_error_handler(404, lambda e: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="returned None"):
        Client(app, Response).get("/missing")


def test_blueprint_error_handler_applies_to_its_requests_only(app: App, client: Client) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.errorhandler(404)
    def api_404(e: NotFound) -> tuple[dict[str, str], int]:
        return {"api": "not found"}, 404

    @bp.get("/missing-thing")
    def missing_thing() -> str:
        abort(404)

    @app.get("/page")
    def page() -> str:
        abort(404)

    app.register_blueprint(bp)
    assert client.get("/api/missing-thing").json == {"api": "not found"}
    assert client.get("/page").mimetype == "text/html"


def test_blueprint_handler_beats_app_handler(app: App, client: Client) -> None:
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(ValueError, lambda e: "blueprint")
    app.register_error_handler(ValueError, lambda e: "app")

    @bp.get("/bp")
    def in_bp() -> str:
        raise ValueError

    @app.get("/app")
    def in_app() -> str:
        raise ValueError

    app.register_blueprint(bp)
    assert client.get("/bp").text == "blueprint"
    assert client.get("/app").text == "app"


def test_unhandled_exception_is_500_logged_once(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.get("/boom", headers=JSON_ACCEPT)
    assert response.status_code == 500
    assert response.json == {
        "code": 500,
        "name": "Internal Server Error",
        "description": InternalServerError.description,
    }
    assert "secret detail" not in response.text
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert len(records) == 1
    logged = json.loads(records[0].getMessage())
    assert logged["error_type"] == "RuntimeError"
    assert logged["path"] == "/boom"
    assert "secret detail" in logged["traceback"]


def test_unhandled_exception_logs_lambda_request_ids(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    class Context:
        aws_request_id = "aws-req-1"

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError

    environ = {"lambda.context": Context(), "lambda.request_context": {"requestId": "api-req-1"}}
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        client.get("/boom", environ_overrides=environ)
    logged = json.loads(caplog.records[-1].getMessage())
    assert (logged["aws_request_id"], logged["api_request_id"]) == ("aws-req-1", "api-req-1")


def test_debug_shows_traceback_html_and_json(app: App, client: Client) -> None:
    app.debug = True
    # Debug mode alone makes exceptions propagate through WSGI calls, as in Flask: ask for the page instead.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("<visible detail>")

    html = client.get("/boom")
    assert html.status_code == 500
    assert "RuntimeError: &lt;visible detail&gt;" in html.text
    data = client.get("/boom", headers=JSON_ACCEPT).json
    assert "RuntimeError: <visible detail>" in data["traceback"]


def test_internal_server_error_handler_receives_original(app: App, client: Client) -> None:
    seen: list[BaseException | None] = []

    @app.errorhandler(500)
    def server_error(e: InternalServerError) -> tuple[str, int]:
        seen.append(e.original_exception)
        return "sorry", 500

    @app.get("/boom")
    def boom() -> str:
        raise KeyError("k")

    response = client.get("/boom")
    assert (response.status_code, response.text) == (500, "sorry")
    assert isinstance(seen[0], KeyError)


def test_failing_500_handler_falls_back_to_default(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    @app.errorhandler(500)
    def broken(e: InternalServerError) -> str:
        raise ValueError("handler broke")

    @app.get("/boom")
    def boom() -> str:
        raise KeyError("k")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "500 error handler failed" in caplog.text


def test_after_request_failing_while_handling_error_is_logged(
    app: App, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    @app.after_request
    def fails(response: Response) -> Response:
        calls.append(response.status_code)
        raise ValueError("after failed")

    @app.get("/")
    def index() -> str:
        return "x"

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.get("/")
    # The first failure (during the normal response) is unhandled → 500; the second is only logged.
    assert response.status_code == 500
    assert calls == [200, 500]
    assert "after_request failed while handling an error" in caplog.text


def test_reraise_propagates_after_teardown() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    torn_down: list[BaseException | None] = []
    app.teardown_request(torn_down.append)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("propagates")

    with pytest.raises(RuntimeError, match="propagates"):
        Client(app, Response).get("/boom")
    assert isinstance(torn_down[0], RuntimeError)


def test_reraise_still_answers_http_errors() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    assert Client(app, Response).get("/missing").status_code == 404


def test_malformed_json_is_400_json_even_for_html_clients(app: App, client: Client) -> None:
    @app.post("/items")
    def create() -> dict[str, Any]:
        return {"got": request.get_json()}

    response = client.post(
        "/items", data="{not json", content_type="application/json", headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.json["code"] == 400
    assert response.json["description"].startswith("Failed to decode JSON object")


def test_get_json_wrong_content_type_is_415(app: App, client: Client) -> None:
    @app.post("/items")
    def create() -> dict[str, Any]:
        return {"got": request.get_json()}

    assert client.post("/items", data="{}", content_type="text/plain").status_code == 415
    assert client.post("/items", json={"a": 1}).json == {"got": {"a": 1}}


def test_get_json_silent_and_force(app: App, client: Client) -> None:
    @app.post("/silent")
    def silent() -> dict[str, Any]:
        return {"got": request.get_json(silent=True)}

    @app.post("/force")
    def force() -> dict[str, Any]:
        return {"got": request.get_json(force=True)}

    assert client.post("/silent", data="{bad", content_type="application/json").json == {"got": None}
    assert client.post("/force", data='{"a": 2}', content_type="text/plain").json == {"got": {"a": 2}}


def test_bad_request_subclass_handler_catches_malformed_json(app: App, client: Client) -> None:
    app.register_error_handler(BadRequest, lambda e: ("handled bad request", 400))

    @app.post("/")
    def index() -> Any:
        return request.json

    assert client.post("/", data="[", content_type="application/json").text == "handled bad request"


def test_error_handler_may_return_the_http_exception_or_its_response(app: App, client: Client) -> None:
    @app.errorhandler(404)
    def as_is(e: NotFound) -> Any:
        return e

    @app.errorhandler(403)
    def customised(e: Forbidden) -> Any:
        response = e.get_response()
        response.data = json.dumps({"error": e.name}).encode()
        response.content_type = "application/json"
        return response

    @app.get("/forbidden")
    def forbidden() -> str:
        abort(403)

    assert client.get("/missing").status_code == 404
    response = client.get("/forbidden")
    assert (response.status_code, response.json) == (403, {"error": "Forbidden"})
