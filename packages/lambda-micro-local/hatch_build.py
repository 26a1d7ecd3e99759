"""Build hook of lambda-micro-local: the wheel ships the repository's lambda_micro/local and /testing.

The code stays in the one lambda_micro source tree (imports, tests and type checking see a single package);
this distribution only takes those two subpackages from it, and lambda-micro provides the rest. In a checkout
they are two levels up; an sdist built here carries them, so a wheel built from the unpacked sdist finds them
next to this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SUBPACKAGES = ("lambda_micro/local", "lambda_micro/testing")


class LocalSubpackagesHook(BuildHookInterface):
    """Force-includes the two subpackages into the sdist and the (non-editable) wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # the editable wheel is a .pth file naming the checkout (dev-mode-dirs)
        here = Path(self.root)
        in_sdist = all((here / name / "__init__.py").is_file() for name in SUBPACKAGES)
        if in_sdist and self.target_name == "sdist":
            return  # already in the project folder, where the sdist's default selection takes them
        source = here if in_sdist else here.parent.parent
        for name in SUBPACKAGES:
            if not (source / name / "__init__.py").is_file():
                raise FileNotFoundError(f"lambda-micro-local: {name} not found under {source}")
            build_data["force_include"][str(source / name)] = name
