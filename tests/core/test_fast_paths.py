"""The hot path's shortcuts give exactly what werkzeug's (and the stdlib's) generic paths give."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import parse_accept_header
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import App, Response
from lambda_micro.json import JSONProvider

WSGIResult = tuple[str, list[tuple[str, str]], bytes, bool]


def _environ(method: str = "GET") -> dict[str, Any]:
    return EnvironBuilder(path="/x", method=method, base_url="https://example.com/Prod").get_environ()


def _consume(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> WSGIResult:
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, list(headers)))
        return None

    iterable = app(environ, start_response)
    body = b"".join(iterable)
    closed = False
    close = getattr(iterable, "close", None)
    if close is not None:
        close()
        closed = True
    ((status, headers),) = seen
    return status, headers, body, closed


def _both(make: Callable[[], Response], method: str = "GET") -> tuple[WSGIResult, WSGIResult]:
    """(ours, werkzeug's) for two identical responses."""
    ours = _consume(make(), _environ(method))
    response = make()
    theirs = _consume(lambda e, s: WerkzeugResponse.__call__(response, e, s), _environ(method))
    return ours[:3], theirs[:3]


RESPONSES: dict[str, Callable[[], Response]] = {
    "str": lambda: Response("héllo"),
    "bytes": lambda: Response(b"\x00\xff", content_type="application/octet-stream"),
    "empty": Response,
    "status_str": lambda: Response("x", status="299 Custom"),
    "list_of_str": lambda: Response(["a", "é"]),
    "list_mixed": lambda: Response([b"a", "b"]),
    "tuple": lambda: Response((b"a", b"b")),
    "generator": lambda: Response(iter([b"a", b"b"])),
    "explicit_length": lambda: Response(b"abc", headers={"Content-Length": "3"}),
    "wrong_length_kept": lambda: Response([b"abc"], headers=[("Content-Length", "99")]),
    "location": lambda: Response("", status=302, headers={"Location": "/späť"}),
    "content_location": lambda: Response("x", headers={"Content-Location": "/é"}),
    "no_content": lambda: Response("x", status=204),
    "not_modified": lambda: Response("x", status=304, headers={"ETag": '"a"', "Content-Type": "text/plain"}),
    "informational": lambda: Response("x", status=103),
    "repeated_headers": lambda: Response("x", headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]),
    "passthrough": lambda: Response([b"x"], direct_passthrough=True),
}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_call_matches_werkzeug(name: str, method: str) -> None:
    ours, theirs = _both(RESPONSES[name], method)
    assert ours == theirs


def test_response_call_without_automatic_length_matches_werkzeug() -> None:
    def make() -> Response:
        response = Response(["abc"])
        response.automatically_set_content_length = False
        return response

    ours, theirs = _both(make)
    assert ours == theirs
    assert "Content-Length" not in dict(ours[1])


def test_response_call_runs_close_callbacks() -> None:
    calls: list[str] = []
    response = Response("x")
    response.call_on_close(lambda: calls.append("closed"))
    status, _, body, closed = _consume(response, _environ())
    assert (status, body, closed, calls) == ("200 OK", b"x", True, ["closed"])


def test_response_subclass_overriding_a_step_takes_werkzeugs_path() -> None:
    class Custom(Response):
        def get_wsgi_headers(self, environ: Any) -> Any:
            headers = super().get_wsgi_headers(environ)
            headers["X-Custom"] = "1"
            return headers

    _, headers, _, _ = _consume(Custom("x"), _environ())
    assert ("X-Custom", "1") in headers


def test_response_iterable_body_is_the_buffered_list() -> None:
    # The fast path hands the list to the server (nothing to close); HEAD gets no body.
    response = Response("x")
    iterable = response(_environ(), lambda status, headers, exc_info=None: None)
    assert list(iterable) == [b"x"]
    assert list(response(_environ("HEAD"), lambda status, headers, exc_info=None: None)) == []


# --- default error pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, None),
        ("*/*", None),
        ("application/json", None),
        ("text/html", None),
        ("text/html;q=0.5, application/json", None),
        ("application/json;q=0.1, text/html;q=0.2", None),
        ("application/*", None),
        ("text/*, application/json;q=0.9", None),
        ("", None),
        ("garbage;;;", None),
        ("text/html", "application/json"),
        ("text/html", "application/vnd.api+json; charset=utf-8"),
        ("text/html", "text/plain"),
        (None, "application/merge-patch+json"),
    ],
)
def test_error_format_matches_werkzeug_accept_rules(
    app: App, accept: str | None, content_type: str | None
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    client = Client(app, Response)
    for _ in range(2):  # the second request answers from the verdict cache
        response = client.get("/missing", headers=headers)
        with app.test_request_context("/missing", headers=headers) as ctx:
            request = ctx.request
            mimetypes = parse_accept_header(accept, MIMEAccept)
            expected_json = request.is_json or mimetypes["application/json"] > mimetypes["text/html"]
            assert request.accept_mimetypes == mimetypes
        assert response.status_code == 404
        assert response.mimetype == ("application/json" if expected_json else "text/html")


def test_error_format_uses_a_request_class_that_overrides_accept(app: App) -> None:
    class JSONLovingRequest(app.request_class):  # type: ignore[name-defined,misc]
        @property
        def accept_mimetypes(self) -> MIMEAccept:  # type: ignore[override]
            return MIMEAccept([("application/json", 1)])

    app.request_class = JSONLovingRequest
    assert Client(app, Response).get("/missing", headers={"Accept": "text/html"}).is_json


def test_error_format_uses_accept_already_parsed(app: App) -> None:
    @app.before_request
    def replace_accept() -> None:
        from lambda_micro import request

        request.accept_mimetypes  # noqa: B018 - parsed and cached on the request
        request.__dict__["accept_mimetypes"] = MIMEAccept([("application/json", 1)])

    assert Client(app, Response).get("/missing", headers={"Accept": "text/html"}).is_json


@pytest.mark.parametrize(
    "error",
    [NotFound(), NotFound("A <custom>\ndescription"), MethodNotAllowed(["GET"]), NotFound(description=None)],
)
def test_error_page_matches_werkzeug(app: App, error: HTTPException) -> None:
    with app.test_request_context("/", headers={"Accept": "text/html"}) as ctx:
        for _ in range(2):
            response = app.http_error_response(error)
            assert response.get_data(as_text=True) == error.get_body(ctx.request.environ)


def test_error_page_of_a_custom_exception_is_rendered_each_time(app: App) -> None:
    class Counted(NotFound):
        renders = 0

        def get_body(self, environ: Any = None, scope: Any = None) -> str:
            type(self).renders += 1
            return f"<p>render {type(self).renders}</p>"

    with app.test_request_context("/", headers={"Accept": "text/html"}):
        assert app.http_error_response(Counted()).get_data(as_text=True) == "<p>render 1</p>"
        assert app.http_error_response(Counted()).get_data(as_text=True) == "<p>render 2</p>"


# --- URL adapter host cache -------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("host", ["example.com:443", "example.com:80", "Example.COM", "bücher.example:8443"])
def test_url_adapter_host_cache_keeps_scheme_rules(app: App, scheme: str, host: str) -> None:
    for _ in range(2):  # computed, then cached
        environ = EnvironBuilder(path="/x", base_url=f"{scheme}://{host}/").get_environ()
        ours = app.create_url_adapter(app.request_class(environ))
        assert vars(ours) == vars(app.url_map.bind_to_environ(environ))


# --- JSON responses ---------------------------------------------------------------------------------

DOCUMENTS: list[Any] = [
    {"b": 1, "a": [1, 2.5, None, True], "é": "ü"},
    [decimal.Decimal("1.5"), decimal.Decimal("2"), {3, 1}, datetime.date(2026, 1, 2)],
    "text",
    None,
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_json_response_matches_dumps(app: App, document: Any) -> None:
    provider = app.json
    for debug in (False, True, False):
        app.debug = debug
        expected = (
            provider.dumps(document, indent=2) if debug else provider.dumps(document, separators=(",", ":"))
        )
        assert provider.response(document).get_data(as_text=True) == expected + "\n"


def test_json_response_follows_setting_changes(app: App) -> None:
    provider = app.json
    document = {"b": "é", "a": decimal.Decimal("1")}
    assert provider.response(document).get_data(as_text=True) == '{"a":1,"b":"\\u00e9"}\n'
    provider.sort_keys = False
    provider.ensure_ascii = False
    assert provider.response(document).get_data(as_text=True) == '{"b":"é","a":1}\n'
    provider.default = lambda o: "custom"
    assert provider.response(document).get_data(as_text=True) == '{"b":"é","a":"custom"}\n'
    provider.compact = False
    assert provider.response([1]).get_data(as_text=True) == "[\n  1\n]\n"


def test_json_response_uses_an_overridden_dumps(app: App) -> None:
    class Shouting(JSONProvider):
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    app.json = Shouting(app)
    assert app.json.response({"a": "b"}).get_data(as_text=True) == '{"A":"B"}\n'


def test_json_provider_subclass_without_init_still_answers() -> None:
    class Bare(JSONProvider):
        def __init__(self) -> None:  # does not call JSONProvider.__init__
            self._app = None
            self.default = str

    assert Bare().response({"a": object}).get_data(as_text=True).startswith('{"a":"<class')


# --- static route matches -----------------------------------------------------------------------------


def _routing_app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index", lambda: "index")
    app.add_url_rule("/items/", "items", lambda: "items")
    app.add_url_rule("/post", "post", lambda: "post", methods=["POST"])
    app.add_url_rule("/users/<int:user_id>", "user", str)

    def page(n: int) -> str:
        return str(n)

    app.add_url_rule("/page/", "page", page, defaults={"n": 1})
    app.add_url_rule("/page/<int:n>", "page", page)
    app.add_url_rule("/old", "old", redirect_to="/items/")
    return app


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("HEAD", "/"),
        ("OPTIONS", "/"),
        ("get", "/"),
        ("GET", "/items/"),
        ("GET", "/items"),
        ("GET", "//items/"),
        ("POST", "/post"),
        ("GET", "/post"),
        ("GET", "/users/7"),
        ("GET", "/users/x"),
        ("GET", "/page/"),
        ("GET", "/page/1"),
        ("GET", "/old"),
        ("GET", "/missing"),
    ],
)
def test_static_match_cache_answers_like_werkzeug(
    method: str, path: str, assert_routes_like_werkzeug: Callable[[App, dict[str, Any]], None]
) -> None:
    app = _routing_app()
    for _ in range(3):  # first match, then from the cache
        environ = EnvironBuilder(path=path, method=method.upper()).get_environ()
        environ["REQUEST_METHOD"] = method
        assert_routes_like_werkzeug(app, environ)


def test_static_match_cache_gives_each_request_its_own_view_args(
    route_outcome: Callable[[App, dict[str, Any]], tuple[Any, Any, Any]],
) -> None:
    app = _routing_app()
    first = route_outcome(app, EnvironBuilder(path="/").get_environ())[1]
    first["mutated"] = True
    assert route_outcome(app, EnvironBuilder(path="/").get_environ())[1] == {}


def test_static_match_cache_is_dropped_when_rules_change() -> None:
    app = _routing_app()
    client = Client(app, Response)
    assert client.get("/").text == "index"
    assert app._matches
    app.add_url_rule("/later", "later", lambda: "later")
    assert client.get("/later").text == "later"
    assert client.get("/").text == "index"
    assert set(app._matches) == {("", "/later", "GET", False), ("", "/", "GET", False)}
    app.url_map = type(app.url_map)()  # a replaced map starts again, whatever its count
    app.add_url_rule("/", "fresh", lambda: "fresh")
    assert client.get("/").text == "fresh"
    app.url_map.add(app.url_rule_class("/direct", endpoint="fresh"))  # werkzeug's own API counts too
    assert client.get("/direct").text == "fresh"


def test_plain_werkzeug_map_skips_the_static_match_cache() -> None:
    from werkzeug.routing import Map

    app = App(__name__, template_folder=None, static_folder=None)
    app.url_map = Map()
    app.add_url_rule("/", "index", lambda: "index")
    assert Client(app, Response).get("/").text == "index"
    assert not app._matches


def test_static_match_cache_is_bounded() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    for i in range(1100):
        app.add_url_rule(f"/r{i}", f"r{i}", lambda: "ok")
    client = Client(app, Response)
    for i in range(1100):
        assert client.get(f"/r{i}").text == "ok"
        assert len(app._matches) <= 1024
    # Full, it starts again: the recent URLs are the ones remembered.
    assert ("", "/r1099", "GET", False) in app._matches
    assert len(app._matches) == 1100 - 1024


def test_host_matching_maps_skip_the_static_match_cache() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.url_map.host_matching = True
    app.add_url_rule("/", "a", lambda: "a", host="a.example")
    app.add_url_rule("/", "b", lambda: "b", host="b.example")
    client = Client(app, Response)
    assert client.get("/", headers={"Host": "a.example"}).text == "a"
    assert client.get("/", headers={"Host": "b.example"}).text == "b"
    assert not app._matches


def test_error_format_caches_stay_bounded(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    import lambda_micro._errors as app_module
    from lambda_micro._memo import Memo

    monkeypatch.setattr(app_module, "_ACCEPT_PREFERS_JSON", Memo(2))
    monkeypatch.setattr(app_module, "_ERROR_PAGES", Memo(2))
    app.add_url_rule("/gone", "gone", lambda: abort_with(f"gone {next(counter)}"))
    counter = iter(range(100))

    def abort_with(description: str) -> None:
        raise NotFound(description)

    client = Client(app, Response)
    for i in range(5):
        accept = f"text/html;q=0.{i + 1}, application/json;q=0.{i}"
        assert client.get("/gone", headers={"Accept": accept}).text.endswith(f"gone {i}</p>\n")
    # Full memos start over: the last values seen are kept, never more than the limit.
    assert 1 <= len(app_module._ACCEPT_PREFERS_JSON) <= 2
    assert 1 <= len(app_module._ERROR_PAGES) <= 2
    assert "text/html;q=0.5, application/json;q=0.4" in app_module._ACCEPT_PREFERS_JSON


def test_error_format_caches_skip_long_texts(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    import lambda_micro._errors as app_module
    from lambda_micro._memo import Memo

    monkeypatch.setattr(app_module, "_ACCEPT_PREFERS_JSON", Memo(256))
    monkeypatch.setattr(app_module, "_ERROR_PAGES", Memo(256))
    long_text = "x" * 2000

    def gone() -> None:
        raise NotFound(long_text)

    app.add_url_rule("/gone", "gone", gone)
    accept = "text/html, " + ", ".join(f"text/x-{i}" for i in range(200))
    for _ in range(2):
        response = Client(app, Response).get("/gone", headers={"Accept": accept})
        assert response.mimetype == "text/html"
        assert long_text in response.text
    assert app_module._ACCEPT_PREFERS_JSON == {}
    assert app_module._ERROR_PAGES == {}


def test_error_format_with_an_overriding_request_class_honours_json_bodies(app: App) -> None:
    class Custom(app.request_class):  # type: ignore[name-defined,misc]
        @property
        def accept_mimetypes(self) -> MIMEAccept:  # type: ignore[override]
            return MIMEAccept([("text/html", 1)])

    app.request_class = Custom
    client = Client(app, Response)
    assert client.post("/missing", data="{}", content_type="application/json").is_json
    assert not client.post("/missing", data="x", content_type="text/plain").is_json
