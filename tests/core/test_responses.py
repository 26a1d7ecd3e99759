"""View return values: str, bytes, dict/list, Response, tuples, iterators, WSGI callables, and bad ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import Client
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import App, Response, jsonify, make_response, redirect


def _serve(app: App, value: Any) -> Any:
    app.add_url_rule("/", "index", lambda: value)
    return Client(app, Response).get("/")


def test_response_str_is_html_utf8(app: App) -> None:
    response = _serve(app, "héllo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.data == "héllo".encode()


def test_response_bytes_are_sent_as_is(app: App) -> None:
    response = _serve(app, b"\x00\xff")
    assert response.data == b"\x00\xff"


@pytest.mark.parametrize("value", [{"a": 1, "b": [1, 2]}, [1, "two", None]])
def test_response_dict_and_list_are_json(app: App, value: Any) -> None:
    response = _serve(app, value)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == value


def test_response_object_is_returned_unchanged(app: App) -> None:
    response = _serve(app, Response("teapot", status=418, headers={"X-Tea": "yes"}))
    assert response.status_code == 418
    assert response.headers["X-Tea"] == "yes"


def test_response_plain_werkzeug_response_is_converted(app: App) -> None:
    response = _serve(app, WerkzeugResponse("plain", mimetype="text/plain"))
    assert response.text == "plain"
    assert response.mimetype == "text/plain"


def test_response_tuple_body_status(app: App) -> None:
    response = _serve(app, ("created", 201))
    assert (response.status_code, response.text) == (201, "created")


def test_response_tuple_body_str_status_keeps_reason(app: App) -> None:
    response = _serve(app, ("custom", "299 Custom Thing"))
    assert response.status == "299 Custom Thing"


def test_response_tuple_body_headers_dict(app: App) -> None:
    response = _serve(app, ("x", {"X-One": "1", "Content-Type": "text/plain"}))
    assert response.headers["X-One"] == "1"
    assert response.headers["Content-Type"] == "text/plain"


def test_response_tuple_body_status_headers_list_keeps_repeats(app: App) -> None:
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-List", ["p", "q"])]
    response = _serve(app, ({"ok": True}, 202, headers))
    assert response.status_code == 202
    assert response.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers.getlist("X-List") == ["p", "q"]
    assert response.json == {"ok": True}


def test_response_tuple_with_werkzeug_headers(app: App) -> None:
    headers = Headers([("X-A", "1")])
    response = _serve(app, ("x", headers))
    assert response.headers["X-A"] == "1"


def test_response_tuple_response_object_gets_status_and_headers(app: App) -> None:
    response = _serve(app, (Response("r"), 404, {"X-B": "2"}))
    assert (response.status_code, response.headers["X-B"]) == (404, "2")


def test_response_bytes_status_is_decoded(app: App) -> None:
    response = _serve(app, (Response("r"), b"203 Non-Authoritative"))
    assert response.status == "203 Non-Authoritative"


def test_response_generator_is_streamed(app: App) -> None:
    def chunks() -> Iterator[str]:
        yield "a"
        yield "b"

    response = _serve(app, chunks())
    assert response.text == "ab"


def test_response_wsgi_callable_is_run(app: App) -> None:
    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Wsgi", "1")])
        return [b"from wsgi"]

    response = _serve(app, wsgi)
    assert (response.text, response.headers["X-Wsgi"]) == ("from wsgi", "1")


def test_response_none_is_a_type_error_naming_the_view() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)

    @app.get("/forgot")
    def forgot_to_return() -> None:
        pass

    with pytest.raises(TypeError, match=r"'forgot_to_return' \(.*forgot_to_return\).*returned None"):
        Client(app, Response).get("/forgot")


def test_response_none_is_500_without_reraise(app: App) -> None:
    assert _serve(app, None).status_code == 500


@pytest.mark.parametrize("value", [(), ("a",), ("a", 200, {}, "extra")])
def test_response_bad_tuple_length_is_a_type_error(value: tuple[Any, ...]) -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    with pytest.raises(TypeError, match=f"tuple of {len(value)} items"):
        _serve(app, value)


def test_response_unsupported_type_is_a_type_error() -> None:
    app = App(__name__, template_folder=None, static_folder=None, reraise=True)
    with pytest.raises(TypeError, match="but it was a int"):
        _serve(app, 42)


def test_make_response_helper_builds_from_view_values(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> Response:
        response = make_response("body", 201, {"X-Made": "yes"})
        response.set_cookie("c", "v")
        return response

    @app.get("/empty")
    def empty() -> Response:
        return make_response()

    @app.get("/single")
    def single() -> Response:
        return make_response({"a": 1})

    response = client.get("/")
    assert (response.status_code, response.headers["X-Made"], response.text) == (201, "yes", "body")
    assert "c=v" in response.headers["Set-Cookie"]
    assert client.get("/empty").data == b""
    assert client.get("/single").json == {"a": 1}


def test_redirect_helper_inside_and_outside_a_request(app: App, client: Client) -> None:
    @app.get("/old")
    def old() -> Response:
        return redirect("/new", 301)

    response = client.get("/old")
    assert (response.status_code, response.headers["Location"]) == (301, "/new")
    outside = redirect("/elsewhere")
    assert isinstance(outside, Response)
    assert outside.status_code == 302


def test_jsonify_forms(app: App, client: Client) -> None:
    @app.get("/one")
    def one() -> Response:
        return jsonify({"x": 1})

    @app.get("/many")
    def many() -> Response:
        return jsonify(1, 2, 3)

    @app.get("/kw")
    def kw() -> Response:
        return jsonify(a=1)

    @app.get("/none")
    def none() -> Response:
        return jsonify()

    assert client.get("/one").json == {"x": 1}
    assert client.get("/many").json == [1, 2, 3]
    assert client.get("/kw").json == {"a": 1}
    assert client.get("/none").json is None
    assert client.get("/one").data == b'{"x":1}\n'


def test_jsonify_mixing_args_and_kwargs_is_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        jsonify(1, a=2)


def test_jsonify_outside_a_request_uses_default_provider() -> None:
    response = jsonify(b=1, a=2)
    assert response.data == b'{"a":2,"b":1}\n'
    assert response.mimetype == "application/json"


def test_make_response_outside_a_request_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="needs an application context"):
        make_response("x")
