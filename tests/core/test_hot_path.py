"""The per-request shortcuts (request and response construction, query and body parsing, remembered URL
matches, late URL binding, releasing the environ) give exactly what werkzeug's generic code gives."""

from __future__ import annotations

import gc
import io
import uuid
import weakref
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import pytest
from werkzeug.datastructures import EnvironHeaders, Headers, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers.request import Request as WerkzeugRequest
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import App, Request, Response, request, url_for
from lambda_micro._memo import MAX_TEXT, Memo
from lambda_micro._routing import NO_RULE
from lambda_micro.ctx import RequestContext
from lambda_micro.globals import current_app, g
from lambda_micro.testing import build_event


def _environ(**overrides: Any) -> dict[str, Any]:
    environ = EnvironBuilder(path="/x", base_url="https://example.com/Prod").get_environ()
    environ.update(overrides)
    return environ


# Request construction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"PATH_INFO": "/caf\xc3\xa9", "SCRIPT_NAME": "/St\xc3\xa4ge/"},
        {"PATH_INFO": "//double//slashes", "SCRIPT_NAME": "/"},
        {"PATH_INFO": "", "SCRIPT_NAME": ""},
        {"PATH_INFO": "/bad\xff", "QUERY_STRING": "a=%FF"},
        {"REQUEST_METHOD": "patch"},
        {"SERVER_PORT": "not-a-port"},
        {"SERVER_NAME": None},
        {"REMOTE_ADDR": "203.0.113.9"},
    ],
)
@pytest.mark.parametrize(("populate", "shallow"), [(True, False), (False, False), (True, True)])
def test_request_init_matches_werkzeug(overrides: dict[str, Any], populate: bool, shallow: bool) -> None:
    ours_environ = _environ(**overrides)
    theirs_environ = _environ(**overrides)
    for environ in (ours_environ, theirs_environ):
        for key in [key for key, value in environ.items() if value is None]:
            del environ[key]
    ours = Request(ours_environ, populate_request=populate, shallow=shallow)
    theirs = WerkzeugRequest(theirs_environ, populate_request=populate, shallow=shallow)
    # The same attributes, in the same order (headers and server: made on first read, see below).
    ours_vars = {k: v for k, v in vars(ours).items() if k not in {"environ", "_cgi"}}
    theirs_vars = {k: v for k, v in vars(theirs).items() if k not in {"headers", "server", "environ"}}
    assert list(ours_vars.items()) == list(theirs_vars.items())
    assert ours.server == theirs.server
    assert ours.server is ours.server  # read once
    assert ours.environ is ours._cgi is ours_environ
    assert type(ours.headers) is type(theirs.headers) is EnvironHeaders
    assert ours.headers.environ is ours_environ
    assert list(ours.headers) == list(theirs.headers)
    assert ours.headers is ours.headers  # made once
    populated = (
        ours_environ.get("werkzeug.request") is ours,
        theirs_environ.get("werkzeug.request") is theirs,
    )
    assert populated[0] == populated[1] == (populate and not shallow)


def test_request_headers_can_be_replaced_before_or_after_a_read() -> None:
    replaced = Headers({"X-A": "1"})
    before = Request(_environ(HTTP_X_A="env"))
    before.headers = replaced
    assert before.headers is replaced
    after = Request(_environ(HTTP_X_A="env"))
    assert after.headers["X-A"] == "env"
    after.headers = replaced
    assert after.headers["X-A"] == "1"
    assert Request.headers is Request.__dict__["headers"]  # read on the class: the descriptor, as a property


def test_request_init_refuses_what_werkzeug_refuses() -> None:
    environ = _environ(PATH_INFO="/\u20ac")  # not a PEP 3333 latin-1 string
    with pytest.raises(UnicodeEncodeError):
        WerkzeugRequest(dict(environ))
    with pytest.raises(UnicodeEncodeError):
        Request(environ)


# Query arguments -----------------------------------------------------------------------------------

QUERY_STRINGS = [
    "",
    "verbose=1",
    "a=1&b=2&a=3",
    "flag",
    "flag&x=",
    "&&a=1&&",
    "=value",
    "a=b=c",
    "q=caf\xc3\xa9",
    "q=hello+world",
    "q=%20x%2B",
    "q=%zz",
    "q=%FF",
    "a;b=1",
]


@pytest.mark.parametrize("query", QUERY_STRINGS)
def test_request_args_match_werkzeug(query: str) -> None:
    ours = Request(_environ(QUERY_STRING=query)).args
    theirs = WerkzeugRequest(_environ(QUERY_STRING=query)).args
    assert type(ours) is type(theirs) is ImmutableMultiDict
    assert list(ours.items(multi=True)) == list(theirs.items(multi=True))
    assert ours == theirs


def test_request_args_of_undecodable_bytes_fail_like_werkzeug() -> None:
    query = "q=\xff"  # a raw byte that is not UTF-8, without percent-encoding
    with pytest.raises(UnicodeDecodeError):
        _ = WerkzeugRequest(_environ(QUERY_STRING=query)).args
    with pytest.raises(UnicodeDecodeError):
        _ = Request(_environ(QUERY_STRING=query)).args


def test_request_args_are_immutable_and_computed_once() -> None:
    req = Request(_environ(QUERY_STRING="a=1&a=2"))
    args = req.args
    assert args is req.args
    assert args.getlist("a") == ["1", "2"]
    with pytest.raises(TypeError):
        args["a"] = "3"  # type: ignore[index]
    args.getlist("a").append("mutated")  # a copy: the stored values are untouched
    assert args.getlist("a") == ["1", "2"]


def test_request_args_use_a_subclass_storage_class() -> None:
    class MutableArgsRequest(Request):
        parameter_storage_class = MultiDict  # type: ignore[assignment]

    args = MutableArgsRequest(_environ(QUERY_STRING="a=1")).args
    assert type(args) is MultiDict
    args["b"] = "2"
    assert args.to_dict() == {"a": "1", "b": "2"}


# Request body stream -------------------------------------------------------------------------------


def _body_environ(body: bytes, *, terminated: bool) -> dict[str, Any]:
    environ = _environ(REQUEST_METHOD="POST", CONTENT_LENGTH=str(len(body)), CONTENT_TYPE="application/json")
    environ["wsgi.input"] = io.BytesIO(body)
    if terminated:
        environ["wsgi.input_terminated"] = True
    return environ


def test_request_stream_of_a_terminated_input_is_the_input_itself() -> None:
    environ = _body_environ(b'{"a": 1}', terminated=True)
    req = Request(environ)
    assert req.stream is environ["wsgi.input"]
    assert WerkzeugRequest(_body_environ(b"{}", terminated=True)).stream.__class__ is io.BytesIO
    assert req.get_json() == {"a": 1}


def test_request_stream_with_a_length_limit_is_werkzeugs() -> None:
    req = Request(_body_environ(b"x" * 10, terminated=True))
    req.max_content_length = 4
    theirs = WerkzeugRequest(_body_environ(b"x" * 10, terminated=True))
    theirs.max_content_length = 4
    with pytest.raises(HTTPException) as ours_error:
        req.get_data()
    with pytest.raises(HTTPException) as theirs_error:
        theirs.get_data()
    assert ours_error.value.code == theirs_error.value.code == 413


def test_request_stream_without_termination_is_bounded_by_content_length() -> None:
    environ = _body_environ(b"abc", terminated=False)
    environ["wsgi.input"] = io.BytesIO(b"abcEXTRA")
    assert Request(environ).get_data() == b"abc"


def test_request_stream_of_a_shallow_request_refuses_reading() -> None:
    with pytest.raises(RuntimeError, match="shallow"):
        _ = Request(_body_environ(b"{}", terminated=True), shallow=True).stream


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/problem+json",
        "application/json-seq",
        "text/json",
        "application/x-www-form-urlencoded",
    ],
)
def test_request_is_json_matches_werkzeug(content_type: str | None) -> None:
    for _ in range(2):  # computed, then remembered
        environ = _environ(CONTENT_TYPE=content_type)
        if content_type is None:
            del environ["CONTENT_TYPE"]
        assert Request(environ).is_json is WerkzeugRequest(dict(environ)).is_json


def test_request_is_json_follows_parsed_or_replaced_headers() -> None:
    req = Request(_environ(CONTENT_TYPE="text/plain"))
    assert req.mimetype == "text/plain"
    req.environ["CONTENT_TYPE"] = "application/json"
    assert req.is_json is False  # werkzeug's parsed media type is kept once read
    replaced = Request(_environ(CONTENT_TYPE="text/plain"))
    replaced.headers = Headers({"Content-Type": "application/json"})
    assert replaced.is_json is True


def test_request_is_json_verdicts_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro import wrappers

    monkeypatch.setattr(wrappers, "_JSON_VERDICTS", Memo(8))
    for i in range(13):
        assert Request(_environ(CONTENT_TYPE=f"application/x{i}+json")).is_json
    assert len(wrappers._JSON_VERDICTS) <= 8
    assert "application/x12+json" in wrappers._JSON_VERDICTS  # a full memo starts over with the new ones
    long_type = "application/json; x=" + "y" * (MAX_TEXT + 1)
    assert Request(_environ(CONTENT_TYPE=long_type)).is_json
    assert long_type not in wrappers._JSON_VERDICTS


# Response construction -----------------------------------------------------------------------------


def _generator() -> Iterator[bytes]:
    yield b"a"


RESPONSE_ARGUMENTS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "str": (("héllo",), {}),
    "bytes": ((b"\x00\xff",), {"content_type": "application/octet-stream"}),
    "bytearray": ((bytearray(b"ab"),), {}),
    "none": ((), {}),
    "list": (([b"a", "b"],), {}),
    "tuple_body": (((b"a",),), {}),
    "generator": ((_generator(),), {}),
    "status_int": (("x", 201), {}),
    "status_unknown_int": (("x", 299), {}),
    "status_http_status": (("x", HTTPStatus.ACCEPTED), {}),
    "status_str": (("x", "299 Custom"), {}),
    "mimetype_text": (("x",), {"mimetype": "text/plain"}),
    "mimetype_json": (("x",), {"mimetype": "application/json"}),
    "mimetype_xml": (("x",), {"mimetype": "image/svg+xml"}),
    "content_type": (("x",), {"content_type": "text/csv; charset=latin-1", "mimetype": "ignored/type"}),
    "empty_list_headers": (("x", 404, []), {}),
    "empty_dict_headers": (("x", None, {}), {}),
    "empty_tuple_headers": (("x", None, ()), {}),
    "headers_with_type": (("x", None, {"Content-Type": "text/plain"}), {}),
    "headers_list": (("x", None, [("X-A", "1")]), {"mimetype": "text/plain"}),
    "passthrough": (([b"x"],), {"direct_passthrough": True}),
}


def _werkzeug_built(*args: Any, **kwargs: Any) -> Response:
    """Our Response class, built by werkzeug's constructor."""
    response = Response.__new__(Response)
    WerkzeugResponse.__init__(response, *args, **kwargs)
    return response


@pytest.mark.parametrize("name", sorted(RESPONSE_ARGUMENTS))
def test_response_init_matches_werkzeug(name: str) -> None:
    args, kwargs = RESPONSE_ARGUMENTS[name]
    ours = Response(*args, **kwargs)
    theirs = _werkzeug_built(*args, **kwargs)
    assert sorted(vars(ours)) == sorted(vars(theirs))
    assert ours.headers.to_wsgi_list() == theirs.headers.to_wsgi_list()
    assert (ours.status, ours.status_code) == (theirs.status, theirs.status_code)
    assert ours.direct_passthrough == theirs.direct_passthrough
    assert ours._on_close == theirs._on_close == []
    if isinstance(theirs.response, list):
        assert ours.response == theirs.response
    else:
        assert ours.response is theirs.response or type(ours.response) is type(theirs.response)


def test_response_init_keeps_a_given_headers_object() -> None:
    headers = Headers()
    assert Response("x", headers=headers).headers is headers


@pytest.mark.parametrize(
    "kwargs", [{"content_type": "text/plain\r\nX-Injected: 1"}, {"mimetype": "text/plain\nX-Injected: 1"}]
)
def test_response_init_refuses_line_breaks_like_werkzeug(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="newline"):
        _werkzeug_built("x", **kwargs)
    with pytest.raises(ValueError, match="newline"):
        Response("x", **kwargs)


def test_response_subclass_defaults_are_honoured() -> None:
    class TextResponse(Response):
        default_mimetype = "text/plain"
        default_status = 202
        automatically_set_content_length = False

    response = TextResponse("x")
    assert response.status == "202 ACCEPTED"
    assert response.headers.to_wsgi_list() == [("Content-Type", "text/plain; charset=utf-8")]


def test_response_fast_init_reads_class_settings() -> None:
    response = Response("abc")
    assert response.headers.to_wsgi_list() == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", "3"),
    ]
    assert response.get_data() == b"abc"
    response.headers["X-Later"] = "1"  # the headers are werkzeug's own, fully usable
    assert response.headers["x-later"] == "1"


def test_response_class_settings_changed_at_runtime_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Response, "automatically_set_content_length", False)
    ours = Response("abc")
    assert ours.headers.to_wsgi_list() == _werkzeug_built("abc").headers.to_wsgi_list()
    assert "Content-Length" not in ours.headers


def test_response_content_types_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambda_micro import _response as wrappers

    monkeypatch.setattr(wrappers, "_CONTENT_TYPES", Memo(8))
    for i in range(18):
        assert Response("x", mimetype=f"text/x-{i}").content_type == f"text/x-{i}; charset=utf-8"
    assert 1 <= len(wrappers._CONTENT_TYPES) <= 8


# Remembered URL matches ----------------------------------------------------------------------------


def _converter_app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/users/<user_id>", "user", lambda user_id: f"user {user_id}")
    app.add_url_rule("/n/<int:n>", "int", lambda n: f"int {n + 1}")
    app.add_url_rule("/f/<float:x>", "float", lambda x: f"float {x}")
    app.add_url_rule("/u/<uuid:u>", "uuid", lambda u: f"uuid {u.hex}")
    app.add_url_rule("/p/<path:rest>", "path", lambda rest: f"path {rest}")
    app.add_url_rule("/c/<any(red, blue):colour>", "any", lambda colour: colour)
    app.add_url_rule("/slash/<name>/", "slash", lambda name: name)
    app.add_url_rule("/loose/<name>/", "loose", lambda name: name, strict_slashes=False)
    app.add_url_rule("/post/<name>", "post", lambda name: name, methods=["POST"])
    app.add_url_rule("/go/<name>", "go", redirect_to="/users/<name>")
    return app


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users/42"),
        ("GET", "/users/caf%C3%A9"),
        ("GET", "/n/7"),
        ("GET", "/n/x"),
        ("GET", "/f/1.5"),
        ("GET", f"/u/{uuid.UUID(int=7)}"),
        ("GET", "/p/a/b/c"),
        ("GET", "/c/red"),
        ("GET", "/c/green"),
        ("GET", "/slash/x/"),
        ("GET", "/slash/x"),
        ("GET", "/loose/x"),
        ("GET", "/loose/x/"),
        ("POST", "/post/x"),
        ("GET", "/post/x"),
        ("GET", "/go/x"),
        ("GET", "//users//42"),
        ("HEAD", "/users/42"),
        ("OPTIONS", "/users/42"),
    ],
)
def test_remembered_matches_answer_like_werkzeug(
    method: str, path: str, assert_routes_like_werkzeug: Callable[[App, dict[str, Any]], None]
) -> None:
    app = _converter_app()
    for _ in range(3):  # first match, then from what was remembered
        assert_routes_like_werkzeug(app, EnvironBuilder(path=path, method=method).get_environ())


def test_remembered_matches_serve_the_same_responses() -> None:
    client = Client(_converter_app(), Response)
    first = [client.get(path).text for path in ("/users/1", "/n/41", "/u/" + str(uuid.UUID(int=1)))]
    again = [client.get(path).text for path in ("/users/1", "/n/41", "/u/" + str(uuid.UUID(int=1)))]
    assert first == again == ["user 1", "int 42", "uuid " + uuid.UUID(int=1).hex]


def test_remembered_matches_give_each_request_its_own_view_args(
    route_outcome: Callable[[App, dict[str, Any]], tuple[Any, Any, Any]],
) -> None:
    app = _converter_app()
    first = route_outcome(app, EnvironBuilder(path="/n/7").get_environ())[1]
    first["n"] = 99
    first["extra"] = True
    assert route_outcome(app, EnvironBuilder(path="/n/7").get_environ())[1] == {"n": 7}


def test_custom_converters_are_asked_every_time() -> None:
    calls: list[str] = []

    class Counting(BaseConverter):
        def to_python(self, value: str) -> str:
            calls.append(value)
            return value.upper()

    app = App(__name__, template_folder=None, static_folder=None)
    app.url_map.converters["counting"] = Counting
    app.add_url_rule("/c/<counting:v>", "c", lambda v: v)
    client = Client(app, Response)
    assert [client.get("/c/a").text for _ in range(3)] == ["A", "A", "A"]
    assert calls == ["a", "a", "a"]
    assert not app._matches


def test_remembered_matches_follow_redirect_defaults() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.url_map.redirect_defaults = False

    def page(n: int) -> str:
        return f"page {n}"

    app.add_url_rule("/page/", "page", page, defaults={"n": 1})
    app.add_url_rule("/page/<int:n>", "page", page)
    client = Client(app, Response)
    assert client.get("/page/1").text == "page 1"
    assert client.get("/page/1").text == "page 1"
    app.url_map.redirect_defaults = True  # werkzeug now redirects /page/1 to /page/
    response = client.get("/page/1")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/page/")


def test_a_path_no_rule_matches_is_remembered_and_answered_with_werkzeug_s_404() -> None:
    app = _converter_app()
    client = Client(app, Response)
    first = client.get("/nowhere")
    assert app._matches[("", "/nowhere", "GET", False)] == NO_RULE
    again = client.get("/nowhere")
    assert (again.status_code, again.data, again.headers) == (first.status_code, first.data, first.headers)
    assert again.status_code == 404
    # A 405 depends on the rules of the path under other methods: never remembered.
    assert client.get("/post/x").status_code == 405
    assert ("", "/post/x", "GET", False) not in app._matches


def test_a_remembered_404_is_forgotten_when_a_rule_for_the_path_is_added() -> None:
    app = _converter_app()
    client = Client(app, Response)
    assert client.get("/later").status_code == 404
    app.add_url_rule("/later", "later", lambda: "here now")
    assert client.get("/later").text == "here now"


def test_a_404_leaves_no_garbage_for_the_collector() -> None:
    app = _converter_app()
    event = build_event("GET", "/nowhere", payload="1.0", stage="Prod")
    app.lambda_handler(event, None)  # werkzeug's matcher (its recursive closure is a cycle), remembered
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert app.lambda_handler(event, None)["statusCode"] == 404
        assert gc.collect() == 0  # the request, its 404 and its traceback freed by reference counting
    finally:
        if was_enabled:
            gc.enable()


def test_remembered_matches_start_again_when_full() -> None:
    app = _converter_app()
    client = Client(app, Response)
    for i in range(1030):
        assert client.get(f"/users/{i}").text == f"user {i}"
        assert len(app._matches) <= 1024
    assert ("", "/users/1029", "GET", False) in app._matches


def test_long_paths_are_not_remembered() -> None:
    app = _converter_app()
    client = Client(app, Response)
    long_id = "x" * 2000
    assert client.get(f"/users/{long_id}").text == f"user {long_id}"
    assert not app._matches


def test_overridden_url_adapter_binding_is_used_and_keyed() -> None:
    bound: list[str] = []

    class SubdomainApp(App):
        def create_url_adapter(self, request: Request) -> Any:
            subdomain = request.host.partition(".")[0]
            bound.append(subdomain)
            return self.url_map.bind_to_environ(request.environ, subdomain=subdomain)

    app = SubdomainApp(__name__, template_folder=None, static_folder=None)
    app.url_map.default_subdomain = "www"
    app.add_url_rule("/", "api", lambda: "api", subdomain="api")
    app.add_url_rule("/", "www", lambda: "www", subdomain="www")
    app.url_map.server_name = "example.com"
    client = Client(app, Response)
    for _ in range(2):
        assert client.get("/", base_url="http://api.example.com").text == "api"
        assert client.get("/", base_url="http://www.example.com").text == "www"
    assert bound == ["api", "www", "api", "www"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"wsgi.url_scheme": "ws"},
        {"wsgi.url_scheme": "wss"},
        {"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "keep-alive, Upgrade"},
        {"HTTP_UPGRADE": "h2c", "HTTP_CONNECTION": "Upgrade"},
    ],
)
def test_remembered_matches_keep_websocket_requests_apart(
    overrides: dict[str, str], route_outcome: Callable[[App, dict[str, Any]], tuple[Any, Any, Any]]
) -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/feed/<name>", "socket", lambda name: "socket", websocket=True)
    app.add_url_rule("/feed/<name>", "page", lambda name: "page")
    for _ in range(2):
        for environ in (_environ(PATH_INFO="/feed/x"), _environ(PATH_INFO="/feed/x", **overrides)):
            rule = app.url_map.bind_to_environ(dict(environ)).match(return_rule=True)[0]
            outcome = route_outcome(app, environ)
            assert outcome[0] is rule
            assert outcome[1:] == ({"name": "x"}, None)


def test_url_adapter_of_another_map_is_not_remembered() -> None:
    other = App(__name__, template_folder=None, static_folder=None)
    other.add_url_rule("/x/<v>", "other", lambda v: "other")

    class ForwardingApp(App):
        def create_url_adapter(self, request: Request) -> Any:
            return other.url_map.bind_to_environ(request.environ)

    app = ForwardingApp(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/x/<v>", "other", lambda v: f"mine {v}")
    client = Client(app, Response)
    assert [client.get("/x/1").text for _ in range(2)] == ["mine 1", "mine 1"]
    assert not app._matches


# Late URL binding ----------------------------------------------------------------------------------


def test_url_for_works_after_a_remembered_match() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/users/<user_id>", "user", lambda user_id: url_for("user", user_id=user_id, x=1))
    client = Client(app, Response)
    assert [client.get("/users/7", base_url="https://example.com/Prod").text for _ in range(2)] == [
        "/Prod/users/7?x=1"
    ] * 2


def test_invalid_host_is_400_every_time() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index", lambda: "ok")
    client = Client(app, Response)
    assert client.get("/").text == "ok"
    for _ in range(2):
        assert client.get("/", headers={"Host": "a" * 70 + ".example"}).status_code == 400
    assert client.get("/").text == "ok"


def test_request_context_binds_the_url_adapter_once() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index", lambda: "ok")
    ctx = RequestContext(app, _environ(PATH_INFO="/"))
    adapter = ctx.url_adapter
    assert adapter is ctx.url_adapter
    assert adapter.match() == ("index", {})
    replacement = app.url_map.bind("other.example")
    ctx.url_adapter = replacement
    assert ctx.url_adapter is replacement


def test_a_new_valid_host_is_checked_and_remembered_without_binding_the_url_adapter() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index", lambda: url_for("index", _external=True))
    ctx = RequestContext(app, _environ(PATH_INFO="/", HTTP_HOST="new.example:8443"))
    assert ctx._url_adapter is None  # bound on first use, as for a Host seen before
    assert ("https", "new.example:8443") in app._server_names
    assert ctx.url_adapter.server_name == "new.example:8443"
    client = Client(app, Response)
    assert client.get("/", headers={"Host": "other.example"}).text == "http://other.example/"


def test_a_new_invalid_host_binds_at_once_with_its_400() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/", "index", lambda: "ok")
    ctx = RequestContext(app, _environ(PATH_INFO="/", HTTP_HOST="bad host"))
    assert ctx._url_adapter is not None
    assert ctx.request.routing_exception is not None
    assert ctx.request.routing_exception.code == 400
    assert not app._server_names


# Releasing the environ -----------------------------------------------------------------------------


def test_request_is_freed_without_the_garbage_collector() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    refs: list[weakref.ref[Request]] = []

    @app.get("/")
    def index() -> str:
        refs.append(weakref.ref(request._get_current_object()))  # type: ignore[attr-defined]
        return "ok"

    environ = _environ(PATH_INFO="/")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        assert b"".join(app(environ, lambda status, headers, exc_info=None: None)) == b"ok"
        assert environ["werkzeug.request"] is None  # as Flask leaves it
        assert refs[0]() is None
    finally:
        if was_enabled:
            gc.enable()


def test_request_context_releases_the_environ_on_its_last_pop() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    ctx = app.test_request_context("/")
    environ = ctx.request.environ
    with ctx:
        with ctx:
            assert environ["werkzeug.request"] is ctx.request
        assert environ["werkzeug.request"] is ctx.request
    assert environ["werkzeug.request"] is None


def test_release_leaves_an_environ_that_names_another_request() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    environ = _environ()
    ctx = RequestContext(app, environ)
    other = Request(environ)
    ctx.release_environ()
    assert environ["werkzeug.request"] is other


# Context proxies -----------------------------------------------------------------------------------


def test_proxies_read_the_current_request() -> None:
    app = App(__name__, template_folder=None, static_folder=None)
    with app.test_request_context("/?a=1") as ctx:
        assert request.args["a"] == "1"
        assert request.path == "/"
        assert isinstance(request, Request)
        assert current_app.name == app.name
        g.value = 3
        assert ctx.g.value == 3


def test_request_proxy_reads_writes_and_deletes_on_the_request() -> None:
    from lambda_micro.globals import _RequestProxy

    app = App(__name__, template_folder=None, static_folder=None)
    app.add_url_rule("/p/<v>", "p", lambda v: v)
    context = app.test_request_context("/p/1?a=1", method="POST", json={"x": 1})
    with context as ctx:
        real = ctx.request
        names = [name for name, value in vars(_RequestProxy).items() if isinstance(value, property)]
        assert "args" in names
        for name in names:
            value = getattr(request, name)
            assert value == getattr(real, name), name
        assert request.get_data() == real.get_data()
        request.args = ImmutableMultiDict({"b": "2"})  # type: ignore[misc]
        assert real.args["b"] == "2"
        del request.args  # type: ignore[misc]
        assert real.args["a"] == "1"  # computed again from the query string
        assert not hasattr(request, "no_such_attribute")


@pytest.mark.parametrize(
    ("read", "context"),
    [
        (lambda: request.args, "request"),
        (lambda: request.path, "request"),
        (lambda: current_app.name, "application"),
        (lambda: g.value, "application"),
    ],
)
def test_proxies_outside_a_request_raise_the_same_error(read: Callable[[], Any], context: str) -> None:
    with pytest.raises(RuntimeError, match=f"Working outside of {context} context"):
        read()
