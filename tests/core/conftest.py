"""Fixtures for the core tests: a fresh App per test, its werkzeug test client, and the sample package."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.test import Client

from lambda_micro import App, Response, request

SAMPLE_DIR = Path(__file__).parent / "sampleapp"
SAMPLE_PACKAGE = "lm_core_sample"


@pytest.fixture
def app() -> App:
    """An app with no template or static folder of its own."""
    return App(__name__, template_folder=None, static_folder=None)


@pytest.fixture
def client(app: App) -> Client:
    return Client(app, Response)


def _load_sample() -> ModuleType:
    """Import the sample package from its file path under a private name (as a function loader would)."""
    for name in [m for m in list(sys.modules) if m == SAMPLE_PACKAGE or m.startswith(f"{SAMPLE_PACKAGE}.")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        SAMPLE_PACKAGE, SAMPLE_DIR / "__init__.py", submodule_search_locations=[str(SAMPLE_DIR)]
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[SAMPLE_PACKAGE] = package
    spec.loader.exec_module(package)
    return importlib.import_module(f"{SAMPLE_PACKAGE}.app")


@pytest.fixture
def sample_app() -> Iterator[App]:
    """The sample app (templates, static files, an admin blueprint), freshly imported."""
    module = _load_sample()
    yield module.app
    for name in [m for m in list(sys.modules) if m == SAMPLE_PACKAGE or m.startswith(f"{SAMPLE_PACKAGE}.")]:
        del sys.modules[name]


@pytest.fixture
def sample_client(sample_app: App) -> Client:
    return Client(sample_app, Response)


RouteOutcome = tuple[Any, Any, Any]


def _route_outcome(app: App, environ: dict[str, Any]) -> RouteOutcome:
    """(url_rule, view_args, routing exception type) that the app's dispatch gives for ``environ``."""
    seen: list[RouteOutcome] = []

    def capture(exc: BaseException | None) -> None:
        error = request.routing_exception
        seen.append((request.url_rule, request.view_args, type(error) if error is not None else None))

    app.teardown_request(capture)
    try:
        b"".join(app(environ, lambda status, headers, exc_info=None: None))
    finally:
        app.teardown_request_funcs[None].remove(capture)
    return seen[0]


@pytest.fixture
def route_outcome() -> Callable[[App, dict[str, Any]], RouteOutcome]:
    """Run a request through the app and return what routing gave it (see ``_route_outcome``)."""
    return _route_outcome


@pytest.fixture
def assert_routes_like_werkzeug() -> Callable[[App, dict[str, Any]], None]:
    """Check that the app routes ``environ`` to the very rule, arguments and error werkzeug's map gives."""

    def check(app: App, environ: dict[str, Any]) -> None:
        reference = app.url_map.bind_to_environ(dict(environ))
        try:
            rule, args = reference.match(return_rule=True)
            expected: RouteOutcome = (rule, args, None)
        except HTTPException as e:
            expected = (None, None, type(e))
        got = _route_outcome(app, environ)
        assert got[0] is expected[0]  # the same rule object: werkzeug rules with one path compare equal
        assert got[1:] == expected[1:]

    return check
