"""Reading the settings template.yaml gives the functions."""

from __future__ import annotations

import os


def require_env(name: str) -> str:
    """Return environment variable ``name``, or raise a RuntimeError that says where it should come from."""
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(
            f"environment variable {name} is not set: template.yaml sets it for each function "
            f"(Globals > Function > Environment); outside Lambda, set it yourself"
        )
    return value
