"""The two distributions of this repository: the runtime `lambda-micro`, the dev tools `lambda-micro-local`.

A function's deployment installs only `lambda-micro`, so the local gateway and the test kit must not be in it;
`lambda-micro-local` ships exactly those two subpackages of the same source tree, its command and its pytest
plugin, and pins the runtime of its own version.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import lambda_micro

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PROJECT = ROOT / "packages" / "lambda-micro-local"
DEV_ONLY = ("lambda_micro/local/", "lambda_micro/testing/")


def _pyproject(folder: Path) -> dict[str, Any]:
    with (folder / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def _local_dependencies() -> list[str]:
    """lambda-micro-local's third-party dependencies (hatch_build.py puts the runtime pin before them)."""
    with (LOCAL_PROJECT / "pyproject.toml").open("rb") as file:
        hooks = tomllib.load(file)["tool"]["hatch"]["metadata"]["hooks"]
    dependencies: list[str] = hooks["custom"]["dependencies"]
    return dependencies


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(req).name) for req in requirements}


def test_the_version_is_written_once_in_lambda_micro_init() -> None:
    runtime, local = _pyproject(ROOT), _pyproject(LOCAL_PROJECT)
    assert runtime["name"] == "lambda-micro"
    assert local["name"] == "lambda-micro-local"
    # Neither pyproject.toml states a version or the runtime pin: both come from lambda_micro/__init__.py.
    assert "version" not in runtime
    assert "version" not in local
    assert runtime["dynamic"] == ["version"]
    assert sorted(local["dynamic"]) == ["dependencies", "version"]
    assert "dependencies" not in local
    written = [
        path.relative_to(ROOT).as_posix()
        for path in (
            ROOT / "pyproject.toml",
            LOCAL_PROJECT / "pyproject.toml",
            LOCAL_PROJECT / "hatch_build.py",
        )
        if f'"{lambda_micro.__version__}"' in path.read_text(encoding="utf-8")
    ]
    assert written == []
    init = (ROOT / "lambda_micro" / "__init__.py").read_text(encoding="utf-8")
    assert init.count(f'__version__ = "{lambda_micro.__version__}"') == 1


def test_the_runtime_declares_no_dev_dependency_command_or_plugin() -> None:
    runtime, local = _pyproject(ROOT), _pyproject(LOCAL_PROJECT)
    assert _names(runtime["dependencies"]) == {"werkzeug", "jinja2"}
    assert "scripts" not in runtime
    assert "entry-points" not in runtime
    # No extra can name lambda-micro-local (it is on no index): `make venv` installs it from packages/.
    assert set(runtime["optional-dependencies"]) == {"sessions", "signals"}
    assert {"pyyaml", "boto3", "moto", "click"} <= _names(_local_dependencies())
    assert "lambda-micro" not in _names(_local_dependencies())  # the hook adds the pin
    assert local["scripts"] == {"lambda-micro": "lambda_micro.local.cli:main"}
    assert local["entry-points"] == {"pytest11": {"lambda_micro": "lambda_micro.testing.plugin"}}


def test_sessions_are_an_extra_and_the_tools_a_dependency_group() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert _names(pyproject["project"]["optional-dependencies"]["sessions"]) == {"itsdangerous"}
    assert _names(pyproject["project"]["optional-dependencies"]["signals"]) == {"blinker"}
    # The tools are PEP 735 groups, not extras: they never reach the metadata a deployment carries. `dev`
    # includes `test`, what the runtime package's tests need on every Python (noxfile.py).
    groups = pyproject["dependency-groups"]
    assert {"pytest", "hypothesis", "flask"} <= _names(groups["test"])
    assert {"include-group": "test"} in groups["dev"]
    dev_only = [item for item in groups["dev"] if isinstance(item, str)]
    assert {"mypy", "ruff", "nox", "build", "twine"} <= _names(dev_only)
    # `make venv` installs the group with the runtime's sessions extra (the tests exercise sessions).
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--group dev -e '.[sessions,signals]'" in makefile


# --- the wheels, as `pip wheel` builds them ----------------------------------------------------------------


class Wheel:
    """A built wheel: its file names, entry points and requirements."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.names = set(archive.namelist())
            dist_info = next(name.split("/")[0] for name in self.names if ".dist-info/" in name)
            metadata = HeaderParser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
            entry_points = f"{dist_info}/entry_points.txt"
            parser = configparser.ConfigParser(delimiters=("=",))
            parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the names' case
            if entry_points in self.names:
                parser.read_string(archive.read(entry_points).decode())
        self.entry_points = {section: dict(parser[section]) for section in parser.sections()}
        self.requires = metadata.get_all("Requires-Dist") or []
        self.version = metadata["Version"]
        self.package_files = {name for name in self.names if name.startswith("lambda_micro/")}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Wheel]:
    """Both wheels, built from this checkout with the installed hatchling (no index needed)."""
    out = tmp_path_factory.mktemp("wheels")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
            str(LOCAL_PROJECT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    built = {path.name.split("-")[0]: Wheel(path) for path in out.glob("*.whl")}
    assert set(built) == {"lambda_micro", "lambda_micro_local"}
    return built


def _source_files(subpackage: str) -> set[str]:
    folder = ROOT / "lambda_micro" / subpackage
    return {
        path.relative_to(ROOT).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc")
    }


def _extra(requires: list[str], extra: str) -> list[str]:
    """The requirements that only ``extra`` brings."""
    conditional = [(req, Requirement(req).marker) for req in requires]
    return [req for req, marker in conditional if marker is not None and marker.evaluate({"extra": extra})]


@pytest.mark.slow
def test_runtime_wheel_has_no_dev_only_code_command_or_plugin(wheels: dict[str, Wheel]) -> None:
    runtime = wheels["lambda_micro"]
    for required in ("lambda_micro/__init__.py", "lambda_micro/app.py", "lambda_micro/adapter/__init__.py"):
        assert required in runtime.package_files, required
    assert "lambda_micro/py.typed" in runtime.package_files
    assert not [name for name in runtime.package_files if name.startswith(DEV_ONLY)]
    assert "console_scripts" not in runtime.entry_points
    assert "pytest11" not in runtime.entry_points
    # Everything else it names is an extra's (itsdangerous for `sessions`, blinker for `signals`); no
    # development tool is named (click is lambda-micro-local's).
    unconditional = [req for req in runtime.requires if Requirement(req).marker is None]
    assert _names(unconditional) == {"werkzeug", "jinja2"}
    assert _names(_extra(runtime.requires, "sessions")) == {"itsdangerous"}
    assert _names(_extra(runtime.requires, "signals")) == {"blinker"}
    assert _names(runtime.requires) == {"werkzeug", "jinja2", "itsdangerous", "blinker"}


@pytest.mark.slow
def test_local_wheel_has_exactly_the_dev_subpackages_command_and_plugin(wheels: dict[str, Wheel]) -> None:
    local = wheels["lambda_micro_local"]
    assert local.version == wheels["lambda_micro"].version == lambda_micro.__version__
    assert local.package_files == _source_files("local") | _source_files("testing")
    assert local.entry_points["console_scripts"] == {"lambda-micro": "lambda_micro.local.cli:main"}
    assert local.entry_points["pytest11"] == {"lambda_micro": "lambda_micro.testing.plugin"}
    assert f"lambda-micro=={lambda_micro.__version__}" in local.requires
    assert {"pyyaml", "boto3", "moto", "click"} <= _names(local.requires)


@pytest.mark.slow
def test_both_wheels_install_into_one_lambda_micro_package(wheels: dict[str, Wheel], tmp_path: Path) -> None:
    target = tmp_path / "site"
    for wheel in wheels.values():
        with zipfile.ZipFile(wheel.path) as archive:
            archive.extractall(target)  # what an installer does with a pure-Python wheel's files
    code = (
        "import json, lambda_micro, lambda_micro.local.cli, lambda_micro.testing\n"
        "print(json.dumps([lambda_micro.__file__, lambda_micro.local.cli.__file__,"
        " lambda_micro.testing.__file__]))\n"
    )
    # The target first on sys.path: its lambda_micro wins over this checkout's.
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    for module_file in json.loads(result.stdout):
        assert module_file.startswith(str(target)), module_file
