"""Hooks of lambda-micro-local: its dependencies pin the runtime of its own version, and the wheel ships the
repository's lambda_micro/local and /testing.

The version is written once, in lambda_micro/__init__.py ([tool.hatch.version] reads it), and
:class:`LocalMetadataHook` pins ``lambda-micro`` to it, so a release is one edit.

The code stays in the one lambda_micro source tree (imports, tests and type checking see a single
package); this distribution only takes those two subpackages from it, and lambda-micro provides the rest.
In a checkout they are two levels up; an sdist built here carries them, so a wheel built from the unpacked
sdist finds them next to this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

SUBPACKAGES = ("lambda_micro/local", "lambda_micro/testing")


class LocalMetadataHook(MetadataHookInterface):
    """``dependencies``: ``lambda-micro==<this version>``, then the hook's own ``dependencies`` list."""

    def update(self, metadata: dict[str, Any]) -> None:
        # hatchling sets the version from [tool.hatch.version] before it calls the hooks.
        version = metadata["version"]
        extra = self.config.get("dependencies", [])
        if not isinstance(extra, list) or not all(isinstance(item, str) for item in extra):
            raise TypeError("[tool.hatch.metadata.hooks.custom] dependencies must be a list of strings")
        metadata["dependencies"] = [f"lambda-micro=={version}", *extra]


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
