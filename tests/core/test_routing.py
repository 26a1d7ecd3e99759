"""Routing: converters, strict slashes, automatic HEAD/OPTIONS, 404/405, url_for and registration errors."""

from __future__ import annotations

import inspect
import uuid

import pytest
from werkzeug.routing import BaseConverter, BuildError
from werkzeug.test import Client

from lambda_micro import App, Response, request, url_for


def test_route_builtin_converters_pass_typed_values(app: App, client: Client) -> None:
    seen: dict[str, object] = {}

    @app.get("/int/<int:n>")
    def by_int(n: int) -> str:
        seen["int"] = n
        return "ok"

    @app.get("/float/<float:x>")
    def by_float(x: float) -> str:
        seen["float"] = x
        return "ok"

    @app.get("/path/<path:p>")
    def by_path(p: str) -> str:
        seen["path"] = p
        return "ok"

    @app.get("/uuid/<uuid:u>")
    def by_uuid(u: uuid.UUID) -> str:
        seen["uuid"] = u
        return "ok"

    @app.get("/any/<any(a, b):which>")
    def by_any(which: str) -> str:
        seen["any"] = which
        return "ok"

    @app.get("/code/<string(length=3):code>")
    def by_code(code: str) -> str:
        seen["string"] = code
        return "ok"

    u = uuid.uuid4()
    for path in ["/int/42", "/float/1.5", "/path/a/b/c.txt", f"/uuid/{u}", "/any/b", "/code/abc"]:
        assert client.get(path).status_code == 200, path
    assert seen == {"int": 42, "float": 1.5, "path": "a/b/c.txt", "uuid": u, "any": "b", "string": "abc"}
    assert client.get("/int/x").status_code == 404
    assert client.get("/any/c").status_code == 404
    assert client.get("/code/abcd").status_code == 404


def test_route_custom_converter_from_url_map(app: App, client: Client) -> None:
    class ListConverter(BaseConverter):
        def to_python(self, value: str) -> list[str]:
            return value.split("+")

        def to_url(self, value: list[str]) -> str:
            return "+".join(value)

    app.url_map.converters["list"] = ListConverter

    @app.get("/tags/<list:tags>")
    def tags(tags: list[str]) -> dict[str, object]:
        return {"tags": tags, "self": url_for("tags", tags=["x", "y"])}

    assert client.get("/tags/a+b").json == {"tags": ["a", "b"], "self": "/tags/x+y"}


def test_route_unknown_converter_names_the_rule(app: App) -> None:
    with pytest.raises(LookupError, match=r"'/x/<nope:v>'.*endpoint 'view'"):
        app.add_url_rule("/x/<nope:v>", view_func=lambda v: v, endpoint="view")


def test_route_rule_without_leading_slash_is_rejected(app: App) -> None:
    with pytest.raises(ValueError, match="must start with a slash"):
        app.add_url_rule("relative", endpoint="rel", view_func=lambda: "x")


def test_route_strict_slashes_redirect_keeps_method_and_query(app: App, client: Client) -> None:
    @app.route("/posts/", methods=["GET", "POST"])
    def posts() -> str:
        return request.method

    response = client.get("/posts?page=2")
    assert response.status_code == 308
    # Relative: werkzeug's absolute URL would carry the client's Host (see test_hosts.py).
    assert response.headers["Location"] == "/posts/?page=2"
    assert client.post("/posts").status_code == 308
    assert client.get("/posts/").text == "GET"


def test_route_strict_slash_redirect_honours_script_name(app: App, client: Client) -> None:
    @app.get("/posts/")
    def posts() -> str:
        return "list"

    response = client.get("/posts", environ_overrides={"SCRIPT_NAME": "/Prod"})
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/Prod/posts/")


def test_route_strict_slashes_false_matches_both(app: App, client: Client) -> None:
    @app.get("/loose", strict_slashes=False)
    def loose() -> str:
        return "loose"

    assert client.get("/loose").text == "loose"
    assert client.get("/loose/").text == "loose"


def test_route_head_is_automatic_and_has_no_body(app: App, client: Client) -> None:
    @app.get("/page")
    def page() -> str:
        return "hello world"

    response = client.head("/page")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "11"


def test_route_options_is_automatic_with_allow(app: App, client: Client) -> None:
    @app.route("/items", methods=["GET", "POST"])
    def items() -> str:
        return "never for OPTIONS"

    response = client.options("/items")
    assert response.status_code == 200
    assert response.data == b""
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_route_explicit_options_calls_the_view(app: App, client: Client) -> None:
    @app.route("/cors", methods=["GET", "OPTIONS"])
    def cors() -> tuple[str, int]:
        return ("preflight" if request.method == "OPTIONS" else "get"), 200

    assert client.options("/cors").text == "preflight"


def test_route_provide_automatic_options_false(app: App, client: Client) -> None:
    @app.route("/no-options", provide_automatic_options=False)
    def no_options() -> str:
        return "x"

    assert client.options("/no-options").status_code == 405


def test_route_unknown_path_is_404(app: App, client: Client) -> None:
    assert client.get("/missing").status_code == 404


def test_route_wrong_method_is_405_with_allow(app: App, client: Client) -> None:
    @app.post("/only-post")
    def only_post() -> str:
        return "posted"

    response = client.get("/only-post")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_route_method_shortcuts(app: App, client: Client) -> None:
    @app.put("/r")
    def put() -> str:
        return "put"

    @app.patch("/r")
    def patch() -> str:
        return "patch"

    @app.delete("/r")
    def delete() -> str:
        return "delete"

    assert client.put("/r").text == "put"
    assert client.patch("/r").text == "patch"
    assert client.delete("/r").text == "delete"


def test_route_shortcut_refuses_methods_argument(app: App) -> None:
    with pytest.raises(TypeError, match="'route' decorator"):
        app.get("/x", methods=["POST"])


def test_route_methods_as_string_is_a_clear_error(app: App) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        app.route("/x", methods="POST")(lambda: "x")


def test_route_decorator_returns_the_function_unchanged(app: App) -> None:
    def view(post_id: int, *, extra: str = "") -> str:
        return f"{post_id}{extra}"

    decorated = app.get("/p/<int:post_id>")(view)
    assert decorated is view
    assert str(inspect.signature(decorated)) == "(post_id: 'int', *, extra: 'str' = '') -> 'str'"


def test_route_duplicate_endpoint_is_refused(app: App) -> None:
    @app.get("/a")
    def view() -> str:
        return "a"

    def other() -> str:
        return "b"

    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: 'view'"):
        app.add_url_rule("/b", "view", other)
    # The same function on a second rule is fine (Flask allows it).
    app.add_url_rule("/a2", "view", view)


def test_route_endpoint_option_and_rule_without_view(app: App, client: Client) -> None:
    app.add_url_rule("/docs", endpoint="docs")

    @app.get("/", endpoint="home")
    def index() -> str:
        return url_for("docs")

    assert client.get("/").text == "/docs"
    with pytest.raises(TypeError, match="expected a view function"):
        app.add_url_rule("/nothing")


def test_route_view_attributes_methods_and_required_methods(app: App, client: Client) -> None:
    def view() -> str:
        return request.method

    view.methods = ["POST"]  # type: ignore[attr-defined]
    view.required_methods = ["PUT"]  # type: ignore[attr-defined]
    app.add_url_rule("/attrs", view_func=view)
    assert client.post("/attrs").text == "POST"
    assert client.put("/attrs").text == "PUT"
    assert client.get("/attrs").status_code == 405


def test_url_for_honours_script_name_and_query_args(app: App, client: Client) -> None:
    @app.get("/posts/<slug>")
    def post(slug: str) -> str:
        return url_for("post", slug="b c", page=2)

    response = client.get("/posts/a", environ_overrides={"SCRIPT_NAME": "/Prod"})
    assert response.text == "/Prod/posts/b%20c?page=2"


def test_url_for_external_scheme_anchor_method(app: App, client: Client) -> None:
    @app.get("/item")
    def item_get() -> str:
        return "get"

    @app.post("/item/new")
    def item_post() -> str:
        return "post"

    app.add_url_rule("/item/<int:n>", endpoint="item", methods=["GET"])
    app.add_url_rule("/item/edit/<int:n>", endpoint="item", methods=["PUT"])

    @app.get("/links")
    def links() -> dict[str, str]:
        return {
            "external": url_for("item_get", _external=True),
            "scheme": url_for("item_get", _scheme="https"),
            "anchor": url_for("item_get", _anchor="top section"),
            "get": url_for("item", n=1, _method="GET"),
            "put": url_for("item", n=1, _method="PUT"),
        }

    data = client.get("/links", base_url="http://example.com/Prod").json
    assert data == {
        "external": "http://example.com/Prod/item",
        "scheme": "https://example.com/Prod/item",
        "anchor": "/Prod/item#top%20section",
        "get": "/Prod/item/1",
        "put": "/Prod/item/edit/1",
    }


def test_url_for_scheme_without_external_is_refused(app: App) -> None:
    app.add_url_rule("/", endpoint="index")
    with app.test_request_context("/"), pytest.raises(ValueError, match="_external"):
        url_for("index", _scheme="https", _external=False)


def test_url_for_unknown_endpoint_raises_build_error(app: App) -> None:
    with app.test_request_context("/"), pytest.raises(BuildError):
        url_for("nowhere")


def test_url_for_outside_a_request_is_a_clear_error(app: App) -> None:
    app.add_url_rule("/", endpoint="index")
    with pytest.raises(RuntimeError, match="url_for\\(\\) needs an application context"):
        url_for("index")
    with pytest.raises(RuntimeError, match="outside a request"):
        app.url_for("index")


def test_url_for_relative_endpoint_without_blueprint_is_app_level(app: App) -> None:
    app.add_url_rule("/", endpoint="index")
    with app.test_request_context("/"):
        assert url_for(".index") == "/"


def test_url_map_is_built_at_registration(app: App) -> None:
    app.add_url_rule("/a", endpoint="a")
    app.add_url_rule("/b/<int:n>", endpoint="b")
    assert [rule.rule for rule in app.url_map.iter_rules()] == ["/a", "/b/<int:n>"]
    # Every rule is compiled (parsed into matcher parts) when added, not while serving requests.
    assert all(rule._parts for rule in app.url_map.iter_rules())


def test_route_returns_response_class(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        return "x"

    assert isinstance(client.get("/"), Response)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"HTTP_HOST": "Example.COM:443", "wsgi.url_scheme": "https"},
        {"HTTP_HOST": "api.example.com:8443", "wsgi.url_scheme": "https"},
        {"HTTP_HOST": "xn--bcher-kva.example", "SCRIPT_NAME": "/Prod", "PATH_INFO": "/caf\xc3\xa9"},
        {"SERVER_NAME": "10.0.0.1", "SERVER_PORT": "8080", "QUERY_STRING": "a=1&b=%20"},
        {"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "keep-alive, Upgrade"},
        {"HTTP_UPGRADE": "h2c", "HTTP_CONNECTION": "Upgrade", "wsgi.url_scheme": "https"},
        {"PATH_INFO": ""},
    ],
)
def test_url_adapter_binding_matches_werkzeug(app: App, environ: dict[str, str]) -> None:
    from werkzeug.test import EnvironBuilder

    base = EnvironBuilder(path="/x").get_environ()
    base.update(environ)
    if "HTTP_HOST" not in environ and "SERVER_NAME" in environ:
        del base["HTTP_HOST"]
    ours = app.create_url_adapter(app.request_class(base))
    reference = app.url_map.bind_to_environ(base)
    assert vars(ours) == vars(reference)
    # Cached for the next request with the same Host.
    assert vars(app.create_url_adapter(app.request_class(base))) == vars(reference)


def test_url_adapter_refuses_a_host_werkzeug_would_bind_empty(app: App) -> None:
    # werkzeug binds a Host with characters a host name cannot have (raw UTF-8, not IDNA) to "" and builds
    # "http:///x"; the App answers 400 instead (test_hosts.py has the other malformed forms).
    from werkzeug.exceptions import BadHost
    from werkzeug.test import EnvironBuilder

    base = EnvironBuilder(path="/x").get_environ()
    base["HTTP_HOST"] = "bücher.example"
    request = app.request_class(base)
    app.create_url_adapter(request)
    assert isinstance(request.routing_exception, BadHost)


def test_invalid_idna_host_is_400_not_a_crash(app: App, client: Client) -> None:
    app.add_url_rule("/", "index", lambda: "ok")
    response = client.get("/", headers={"Host": "a" * 70 + ".example"})
    assert response.status_code == 400
    assert client.get("/").text == "ok"


def test_url_adapter_without_path_info_is_root(app: App) -> None:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/x").get_environ()
    del environ["PATH_INFO"]
    assert app.create_url_adapter(app.request_class(environ)).path_info == "/"


def test_host_cache_is_bounded(app: App, client: Client) -> None:
    app.add_url_rule("/", "index", lambda: "ok")
    for i in range(100):
        assert client.get("/", headers={"Host": f"h{i}.example"}).text == "ok"
    assert 1 <= len(app._server_names) <= 64
    assert any(key[1] == "h99.example" for key in app._server_names)  # the recent hosts are kept
