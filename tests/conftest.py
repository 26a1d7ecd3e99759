"""Suite-wide: every test module that exercises ``App.lambda_handler`` runs through both of the App's doors.

``app.lambda_handler`` answers an event through the App's direct path (``lambda_micro._lambda``); the WSGI
door (``make_handler(app)``: environ -> ``app(environ, start_response)``) must give the same results. Each
test of such a module runs twice, ``[direct]`` and ``[wsgi]``: the second with the App's handler sending
every event through the WSGI call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_micro._lambda import AppHandler
from lambda_micro.adapter.handler import LambdaHandler

_DOORS = ("direct", "wsgi")


def _uses_lambda_handler(path: Path) -> bool:
    try:
        return "lambda_handler" in path.read_text(encoding="utf-8")
    except OSError:
        return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "lambda_door" in metafunc.fixturenames and _uses_lambda_handler(metafunc.definition.path):
        metafunc.parametrize("lambda_door", _DOORS, indirect=True)


@pytest.fixture(autouse=True)
def lambda_door(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The App's door under test: ``direct`` (its own) or ``wsgi`` (through the WSGI call)."""
    door: str = getattr(request, "param", "direct")
    if door == "wsgi":
        monkeypatch.setattr(AppHandler, "_respond", LambdaHandler._respond)
    return door
