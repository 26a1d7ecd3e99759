"""Fixtures for the cold-start tests: each check runs in a fresh interpreter, where imports really happen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

FreshPython = Callable[..., Any]


@pytest.fixture
def fresh_python() -> FreshPython:
    """Run ``code`` in a new interpreter and return the JSON it prints on its last stdout line.

    ``stdin`` is passed to the child; ``env`` entries are added to (or, when None, removed from) the
    environment. The opt-out variable of the lazy werkzeug import is always removed unless given.
    """

    def run(code: str, *, stdin: str = "", env: Mapping[str, str | None] | None = None) -> Any:
        child_env = {k: v for k, v in os.environ.items() if k != "LAMBDA_MICRO_EAGER_WERKZEUG"}
        for name, value in (env or {}).items():
            if value is None:
                child_env.pop(name, None)
            else:
                child_env[name] = value
        completed = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=child_env,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, f"child failed:\n{completed.stderr}"
        return json.loads(completed.stdout.strip().splitlines()[-1])

    return run
