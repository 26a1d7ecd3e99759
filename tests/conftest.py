"""Fixtures for every part of the suite.

Every test module that exercises ``App.lambda_handler`` runs through both of the App's doors:
``app.lambda_handler`` answers an event through the App's direct path (``lambda_micro._lambda``); the WSGI
door (``make_handler(app)``: environ -> ``app(environ, start_response)``) must give the same results. Each
test of such a module runs twice, ``[direct]`` and ``[wsgi]``: the second with the App's handler sending
every event through the WSGI call.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_micro._lambda import AppHandler
from lambda_micro.adapter.handler import LambdaHandler

ROOT = Path(__file__).resolve().parents[1]
LOCAL_PROJECT = ROOT / "packages" / "lambda-micro-local"
#: The Python of the Lambda runtime that template.yaml and ``lambda-micro new`` use (``python3.13``).
LAMBDA_PYTHON_VERSION = "3.13"


@pytest.fixture(scope="session")
def lambda_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``python3.13`` that runs, in a folder of its own: ``sam build`` finds it first on PATH.

    ``scripts/pythons`` (which the Makefile and CI use too) looks on PATH and in pyenv's versions folder.
    """
    links = tmp_path_factory.mktemp("pythons")
    result = subprocess.run(
        [str(ROOT / "scripts" / "pythons"), str(links), LAMBDA_PYTHON_VERSION],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(
            f"no python{LAMBDA_PYTHON_VERSION} for sam build (scripts/pythons --install installs one): "
            + result.stderr.strip(),
            pytrace=False,
        )
    return links / f"python{LAMBDA_PYTHON_VERSION}"


@pytest.fixture(scope="session")
def lambda_tools_env(lambda_python: Path) -> dict[str, str]:
    """The environment for AWS's tools: the runtime's python first on PATH, a region, no telemetry."""
    return {
        **os.environ,
        "PATH": f"{lambda_python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
    }


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sdist and the wheel of both distributions, as a release uploads them.

    ``python -m build`` makes the sdist, then the wheel from the unpacked sdist (so the sdist is complete);
    without build isolation, with the installed hatchling (the dev group's), so no index is needed.
    """
    out = tmp_path_factory.mktemp("release")
    for project in (ROOT, LOCAL_PROJECT):
        result = subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(project)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return out


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
        monkeypatch.setattr(AppHandler, "_lazy", False)  # the whole environ, as any WSGI app gets it
    return door
