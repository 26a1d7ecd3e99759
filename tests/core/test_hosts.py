"""The client's Host header: never trusted to build a redirect, validated (TRUSTED_HOSTS) before any URL."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.test import Client as WSGIClient
from werkzeug.test import EnvironBuilder

from lambda_micro import App, Request, Response, _routing, redirect, request, url_for
from lambda_micro.testing import Client

SOURCES = ["1.0", "2.0", "alb", "url"]


def make_app(**config: Any) -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.config.update(config)

    @app.get("/posts/new")
    def new_post() -> str:
        return "new"

    @app.get("/dir/")
    def directory() -> str:
        return "dir"

    @app.get("/where")
    def where() -> dict[str, str]:
        return {"url": request.url, "host": request.host, "external": url_for("where", _external=True)}

    @app.get("/go")
    def go() -> Response:
        return redirect(request.args.get("to", "/posts/new"))

    return app


# -- redirects the framework makes -------------------------------------------------------------------------


@pytest.mark.parametrize("payload", SOURCES)
def test_merged_slashes_redirect_is_relative_whatever_the_host(payload: str) -> None:
    client = Client(make_app(), payload=payload)
    response = client.get("/posts//new", headers={"Host": "evil.example"}, query={"a": "1"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/posts/new?a=1"


def test_strict_slashes_redirect_is_relative_and_keeps_the_stage() -> None:
    # REST on its execute-api host: SCRIPT_NAME is /Prod, so the relative Location must carry it.
    client = Client(
        make_app(), payload="1.0", stage="Prod", domain_name="abc123.execute-api.eu-west-1.amazonaws.com"
    )
    response = client.get("/dir")
    assert response.status_code == 308
    assert response.headers["Location"] == "/Prod/dir/"
    assert client.get("/dir", follow_redirects=True).text == "dir"


def test_redirect_helper_keeps_a_relative_location() -> None:
    client = Client(make_app())
    assert client.get("/go", query={"to": "/posts/new"}).headers["Location"] == "/posts/new"
    assert client.get("/go", query={"to": "new"}).headers["Location"] == "new"


def test_an_app_can_ask_for_absolute_locations() -> None:
    app = make_app(TRUSTED_HOSTS=["blog.example.com"])

    class AbsoluteResponse(Response):
        autocorrect_location_header = True

    app.response_class = AbsoluteResponse
    response = Client(app).get("/posts//new", headers={"Host": "blog.example.com"})
    assert response.headers["Location"] == "https://blog.example.com/posts/new"


def test_redirect_to_another_host_stays_absolute() -> None:
    app = App(__name__, template_folder=None, static_folder=None, host_matching=True, static_host="x")

    @app.get("/a/", host="api.example.com")
    def a() -> str:
        return "a"

    wsgi = WSGIClient(app, Response)
    response = wsgi.get("/a", headers={"Host": "api.example.com"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/a/"


# -- malformed Host headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", SOURCES)
@pytest.mark.parametrize(
    "host", ["[a:b:c]", "a b", "x:99999", "bad_host!", "[::1", "a..b", "x" * 64 + ".example"]
)
def test_malformed_host_is_a_400_naming_it(payload: str, host: str) -> None:
    client = Client(make_app(), payload=payload)
    response = client.get("/where", headers={"Host": host, "Accept": "application/json"})
    assert response.status_code == 400
    assert "The Host header" in response.json["description"]


def test_malformed_host_never_breaks_an_error_handler_that_reads_the_url() -> None:
    app = make_app()

    @app.errorhandler(400)
    def bad(e: Exception) -> tuple[dict[str, str], int]:
        return {"url": request.url, "host": request.host}, 400

    response = Client(app).get("/where", headers={"Host": "[a:b:c]"})
    assert response.status_code == 400
    assert response.json == {"url": "https:///where", "host": ""}


def test_valid_hosts_pass_and_are_remembered() -> None:
    app = make_app()
    client = Client(app)
    # request.url is werkzeug's IRI: an IDNA host shows decoded.
    for host, shown in (
        ("blog.example.com", "blog.example.com"),
        ("127.0.0.1:8080", "127.0.0.1:8080"),
        ("[::1]:3000", "[::1]:3000"),
        ("xn--caf-dma.example", "café.example"),
    ):
        answer = client.get("/where", headers={"Host": host}).json
        assert answer["host"] == host
        assert answer["url"] == f"https://{shown}/where"
    # The verdict is cached per (scheme, Host): the second request takes the fast path, same answer.
    assert client.get("/where", headers={"Host": "[::1]:3000"}).json["host"] == "[::1]:3000"


# -- TRUSTED_HOSTS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", SOURCES)
def test_trusted_hosts_accepts_listed_names_and_subdomains(payload: str) -> None:
    client = Client(make_app(TRUSTED_HOSTS=["blog.example.com", ".example.org"]), payload=payload)
    assert client.get("/where", headers={"Host": "blog.example.com"}).status_code == 200
    assert client.get("/where", headers={"Host": "www.example.org:8443"}).json["external"] == (
        "https://www.example.org:8443/where"
    )
    refused = client.get("/where", headers={"Host": "evil.example", "Accept": "application/json"})
    assert refused.status_code == 400
    assert refused.json["description"] == "Host 'evil.example' is not trusted."


def test_trusted_hosts_refuses_before_a_redirect_is_built() -> None:
    client = Client(make_app(TRUSTED_HOSTS=["blog.example.com"]))
    response = client.get("/posts//new", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_trusted_hosts_set_after_a_host_was_seen_still_applies() -> None:
    app = make_app()
    client = Client(app)
    assert client.get("/where", headers={"Host": "evil.example"}).status_code == 200
    app.config["TRUSTED_HOSTS"] = ["blog.example.com"]
    assert client.get("/where", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/where", headers={"Host": "blog.example.com"}).status_code == 200


def test_trusted_hosts_on_the_wsgi_path_and_request_host() -> None:
    app = make_app(TRUSTED_HOSTS="blog.example.com")  # a single name, as werkzeug accepts
    wsgi = WSGIClient(app, Response)
    assert wsgi.get("/where", headers={"Host": "blog.example.com"}).json["host"] == "blog.example.com"
    assert wsgi.get("/where", headers={"Host": "other.example.com"}).status_code == 400
    with app.test_request_context("/where", headers={"Host": "blog.example.com"}):
        assert request.trusted_hosts == "blog.example.com"
        assert request.host == "blog.example.com"
    with app.test_request_context("/where", headers={"Host": "other.example.com"}):
        assert isinstance(request.routing_exception, SecurityError)
        assert request.host == ""


_HOST_TEXT = st.text(alphabet="abcXYZ019.-:[]_ é", max_size=70) | st.sampled_from(
    [
        "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "x" * 63 + ".example.com",
        "x" * 64 + ".example.com",  # a label too long for IDNA: a 400
        "api.example.com:443",
        "api.example.com:0",
        "API.Example.COM",
        "[::1]:3000",
        "..",
        "-",
    ]
)


@settings(max_examples=400, deadline=None)
@given(host=_HOST_TEXT, scheme=st.sampled_from(["http", "https"]))
def test_the_plain_host_shortcut_answers_as_werkzeugs_host_check(host: str, scheme: str) -> None:
    # The verdict on a new Host with the shortcut for plain lower-case names, and without it (werkzeug's
    # get_host, lower(), the IPv6 and IDNA checks): the same host, or the same 400.
    request = Request(
        EnvironBuilder(path="/", base_url=f"{scheme}://placeholder/", headers={"Host": host}).get_environ()
    )
    assert request.headers["Host"] == host

    def verdict() -> tuple[str, str]:
        try:
            return ("host", _routing._checked_host(request, None))
        except BadRequest as e:
            return ("400", str(e.description))

    shortcut = verdict()
    with mock.patch.object(_routing, "_PLAIN_HOST", re.compile(r"(?!)")):  # matches nothing: the exact steps
        exact = verdict()
    assert shortcut == exact
