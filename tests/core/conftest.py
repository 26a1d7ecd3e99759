"""Fixtures for the core tests: a fresh App per test, its werkzeug test client, and the sample package."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug.test import Client

from lambda_micro import App, Response

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
    for name in [m for m in sys.modules if m == SAMPLE_PACKAGE or m.startswith(f"{SAMPLE_PACKAGE}.")]:
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
    for name in [m for m in sys.modules if m == SAMPLE_PACKAGE or m.startswith(f"{SAMPLE_PACKAGE}.")]:
        del sys.modules[name]


@pytest.fixture
def sample_client(sample_app: App) -> Client:
    return Client(sample_app, Response)
