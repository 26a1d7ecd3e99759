"""The application context: current_app, g, teardown_appcontext, nesting, misuse, url_for outside requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.routing import BuildError

from lambda_micro import (
    App,
    after_this_request,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    stream_with_context,
    url_for,
)
from lambda_micro.ctx import AppContext
from lambda_micro.testing import LambdaContext, build_event


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.testing = True
    return app


def test_app_context_pushes_current_app_and_a_new_g(app: App) -> None:
    assert not has_app_context()
    with app.app_context() as ctx:
        assert isinstance(ctx, AppContext)
        assert has_app_context()
        assert not has_request_context()
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
        g.db = "connection"
        assert g.db == "connection"
        assert ctx.g.db == "connection"
    assert not has_app_context()
    with app.app_context():
        assert "db" not in g  # a new g for every application context


def test_app_context_outside_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        _ = g.user
    with pytest.raises(RuntimeError, match="Working outside of application context"):
        _ = current_app.config
    assert not current_app  # a proxy with nothing behind it is false, as in Flask


def test_request_context_outside_an_app_context_is_still_an_error(app: App) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="Working outside of request context"):
        _ = request.path


def test_teardown_appcontext_runs_when_the_app_context_ends(app: App) -> None:
    seen: list[Any] = []

    @app.teardown_appcontext
    def close_db(exc: BaseException | None) -> None:
        seen.append((g.get("db"), exc))

    with app.app_context():
        g.db = 1
    assert seen == [(1, None)]

    def fail_inside() -> None:
        with app.app_context():
            g.db = 2
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        fail_inside()
    assert seen[1][0] == 2
    assert isinstance(seen[1][1], ValueError)


def test_teardown_appcontext_runs_at_the_end_of_every_request(app: App) -> None:
    seen: list[Any] = []

    @app.teardown_appcontext
    def close_db(exc: BaseException | None) -> None:
        seen.append((current_app.name, g.get("db"), has_request_context()))

    @app.get("/")
    def index() -> str:
        g.db = "open"
        return "ok"

    assert app.test_client().get("/").text == "ok"
    # After the request context is gone, with the request's g, as in Flask.
    assert seen == [(app.name, "open", False)]
    result = app.lambda_handler(build_event("GET", "/"), LambdaContext())
    assert result["statusCode"] == 200
    assert seen[1] == (app.name, "open", False)


def test_teardown_appcontext_runs_at_the_end_of_a_test_request_context(app: App) -> None:
    seen: list[str] = []
    app.teardown_appcontext(lambda exc: seen.append("app"))
    app.teardown_request(lambda exc: seen.append("request"))
    with app.test_request_context("/"):
        assert has_app_context()
        assert seen == []
    assert seen == ["request", "app"]


def test_failing_teardown_appcontext_is_logged_and_the_others_run(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    @app.teardown_appcontext
    def first(exc: BaseException | None) -> None:
        seen.append("first")

    @app.teardown_appcontext
    def failing(exc: BaseException | None) -> None:
        raise RuntimeError("cannot close")

    with app.app_context():
        pass
    assert seen == ["first"]
    assert "teardown_appcontext failed" in caplog.text
    assert "cannot close" in caplog.text


def test_requests_inside_an_app_context_share_its_g(app: App) -> None:
    @app.get("/count")
    def count() -> dict[str, int]:
        g.hits = g.get("hits", 0) + 1
        return {"hits": g.hits}

    client = app.test_client()
    with app.app_context():
        assert client.get("/count").json == {"hits": 1}
        assert client.get("/count").json == {"hits": 2}
        assert g.hits == 2
    assert client.get("/count").json == {"hits": 1}  # outside: a new application context per request


def test_a_request_to_another_app_pushes_its_own_context(app: App) -> None:
    other = App("other_app", template_folder=None, static_folder=None)
    other.add_url_rule("/", "index", lambda: {"app": current_app.name, "g": sorted(g)})
    with app.app_context():
        g.mine = 1
        assert other.test_client().get("/").json == {"app": "other_app", "g": []}
        assert current_app.name == app.name


def test_app_context_nests_and_restores(app: App) -> None:
    other = App("nested_other", template_folder=None, static_folder=None)
    with app.app_context():
        with other.app_context():
            assert current_app.name == "nested_other"
        assert current_app.name == app.name
    ctx = app.app_context()
    with ctx, ctx:  # the same context may be pushed again while active
        assert current_app.name == app.name
    assert not has_app_context()


def test_app_context_misuse_is_a_clear_error(app: App) -> None:
    ctx = app.app_context()
    with pytest.raises(RuntimeError, match="it is not pushed"):
        ctx.pop()
    first, second = app.app_context(), app.app_context()
    first.push()
    second.push()
    with pytest.raises(RuntimeError, match="Popped the wrong application context"):
        first.pop()
    second.pop()
    first.pop()
    assert not has_app_context()


def test_app_context_popped_in_another_thread_is_a_clear_error(app: App) -> None:
    ctx = app.app_context()
    ctx.push()
    errors: list[BaseException] = []

    def pop_here() -> None:
        try:
            ctx.pop()
        except RuntimeError as e:
            errors.append(e)

    thread = threading.Thread(target=pop_here)
    thread.start()
    thread.join()
    ctx.pop()
    assert len(errors) == 1
    assert "wrong application context" in str(errors[0]) or "another thread" in str(errors[0])


def test_request_context_misuse_is_a_clear_error(app: App) -> None:
    ctx = app.test_request_context("/")
    with pytest.raises(RuntimeError, match="it is not pushed"):
        ctx.pop()
    first, second = app.test_request_context("/a"), app.test_request_context("/b")
    first.push()
    second.push()
    with pytest.raises(RuntimeError, match="Popped the wrong request context"):
        first.pop()
    second.pop()
    first.pop()
    assert not has_request_context()
    assert not has_app_context()


def test_url_for_in_an_app_context_uses_server_name(app: App) -> None:
    app.add_url_rule("/posts/<slug>", "post", lambda slug: slug)
    app.config.update(SERVER_NAME="blog.example", APPLICATION_ROOT="/Prod", PREFERRED_URL_SCHEME="https")
    with app.app_context():
        assert url_for("post", slug="a b") == "https://blog.example/Prod/posts/a%20b"
        assert url_for("post", slug="x", _external=False) == "/Prod/posts/x"
        assert url_for("post", slug="x", _scheme="http") == "http://blog.example/Prod/posts/x"
        assert url_for("post", slug="x", _anchor="top") == "https://blog.example/Prod/posts/x#top"
        with pytest.raises(BuildError):
            url_for("missing")
    # app.url_for with no context at all builds the same way
    assert app.url_for("post", slug="x") == "https://blog.example/Prod/posts/x"


def test_url_for_outside_a_request_without_server_name_is_a_clear_error(app: App) -> None:
    app.add_url_rule("/", "index", lambda: "")
    with app.app_context(), pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
        url_for("index")
    with pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
        app.url_for("index")


def test_url_for_in_a_request_ignores_server_name(app: App) -> None:
    app.config["SERVER_NAME"] = "configured.example"
    app.add_url_rule("/here", "here", lambda: url_for("here", _external=True))
    assert (
        app.test_client().get("/here", base_url="http://actual.example").text == "http://actual.example/here"
    )


def test_after_this_request_runs_before_after_request_hooks(app: App) -> None:
    order: list[str] = []

    @app.after_request
    def hook(response: Any) -> Any:
        order.append("after_request")
        return response

    @app.get("/")
    def index() -> str:
        @after_this_request
        def add_header(response: Any) -> Any:
            order.append("after_this_request")
            response.headers["X-Once"] = "1"
            return response

        return "ok"

    response = app.test_client().get("/")
    assert response.headers["X-Once"] == "1"
    assert order == ["after_this_request", "after_request"]
    assert "X-Once" not in app.test_client().get("/other").headers


def test_after_this_request_outside_a_request_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="after_this_request\\(\\) needs an active request"):
        after_this_request(lambda response: response)


def test_copy_current_request_context_runs_in_a_thread(app: App) -> None:
    results: list[Any] = []

    @app.get("/work")
    def work() -> str:
        g.user = "ann"

        @copy_current_request_context
        def background() -> None:
            results.append((request.args["job"], has_app_context(), g.get("user")))

        thread = threading.Thread(target=background)
        thread.start()
        thread.join()
        return "started"

    assert app.test_client().get("/work?job=7").text == "started"
    # The request is shared; g belongs to the thread's own new application context, as in Flask.
    assert results == [("7", True, None)]
    with pytest.raises(RuntimeError, match="copy_current_request_context\\(\\) needs an active request"):
        copy_current_request_context(lambda: None)


def test_stream_with_context_keeps_the_request_while_streaming(app: App) -> None:
    seen: list[str] = []
    app.teardown_request(lambda exc: seen.append("teardown_request"))
    app.teardown_appcontext(lambda exc: seen.append("teardown_appcontext"))

    @app.get("/stream")
    def stream() -> Any:
        g.prefix = ">"

        def generate() -> Iterator[str]:
            seen.append("streaming")
            yield f"{g.prefix}{request.args['name']}"
            yield "!"

        return stream_with_context(generate())

    @app.get("/decorated")
    def decorated() -> Any:
        @stream_with_context
        def generate() -> Iterator[str]:
            yield request.path

        return generate()

    assert app.test_client().get("/stream?name=ann").text == ">ann!"
    # The teardown waits for the end of the streamed body.
    assert seen == ["streaming", "teardown_request", "teardown_appcontext"]
    result = app.lambda_handler(build_event("GET", "/decorated"), LambdaContext())
    assert result["body"] == "/decorated"
    assert not has_request_context()
    assert not has_app_context()
    with pytest.raises(RuntimeError, match="stream_with_context\\(\\) needs an active request"):
        stream_with_context(iter(["x"]))


def test_app_instance_dict_stays_within_cpythons_shared_key_limit() -> None:
    # Past 30 names, an instance dict stops sharing its keys and every attribute read of a request costs
    # more (about 3% of a warm Lambda request, measured with callgrind); see app._Rare.
    app = App(__name__)
    assert len(vars(app)) <= 30, sorted(vars(app))
