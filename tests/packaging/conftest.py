"""The release as a user's pip gets it: both distributions built by the standard frontend."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PROJECT = ROOT / "packages" / "lambda-micro-local"


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
