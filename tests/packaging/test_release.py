"""What a release uploads: both sdists and wheels from ``python -m build``, passing ``twine check``."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

import lambda_micro

ROOT = Path(__file__).resolve().parents[2]
VERSION = lambda_micro.__version__


def _metadata(wheel: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = HeaderParser().parsestr(archive.read(name).decode())
    return {key: message.get_all(key) or [] for key in ("Name", "Version", "Requires-Dist")}


@pytest.mark.slow
def test_build_makes_an_sdist_and_a_wheel_of_each_distribution(release_dir: Path) -> None:
    assert sorted(path.name for path in release_dir.iterdir()) == [
        f"lambda_micro-{VERSION}-py3-none-any.whl",
        f"lambda_micro-{VERSION}.tar.gz",
        f"lambda_micro_local-{VERSION}-py3-none-any.whl",
        f"lambda_micro_local-{VERSION}.tar.gz",
    ]


@pytest.mark.slow
def test_twine_check_passes_strictly(release_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *sorted(map(str, release_dir.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 4, result.stdout


@pytest.mark.slow
def test_the_wheels_carry_the_one_version_and_the_pin(release_dir: Path) -> None:
    runtime = _metadata(release_dir / f"lambda_micro-{VERSION}-py3-none-any.whl")
    local = _metadata(release_dir / f"lambda_micro_local-{VERSION}-py3-none-any.whl")
    assert runtime["Version"] == local["Version"] == [VERSION]
    # Built from the sdist (PKG-INFO), the tools still pin the runtime of their own version.
    assert f"lambda-micro=={VERSION}" in local["Requires-Dist"]


@pytest.mark.slow
def test_the_local_sdist_holds_its_subpackages_and_not_the_runtime(release_dir: Path) -> None:
    with tarfile.open(release_dir / f"lambda_micro_local-{VERSION}.tar.gz") as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"PKG-INFO", "pyproject.toml", "hatch_build.py", "README.md"} <= names
    assert "lambda_micro/local/cli.py" in names
    assert "lambda_micro/testing/plugin.py" in names
    assert "lambda_micro/__init__.py" not in names
    assert "lambda_micro/app.py" not in names
    with tarfile.open(release_dir / f"lambda_micro-{VERSION}.tar.gz") as archive:
        runtime_names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert "lambda_micro/app.py" in runtime_names
    assert not any(
        name.startswith(("lambda_micro/local/", "lambda_micro/testing/")) for name in runtime_names
    )


def test_the_changelog_has_a_section_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{VERSION}]" in changelog or f"## {VERSION}" in changelog
