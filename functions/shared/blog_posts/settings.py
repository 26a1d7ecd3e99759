"""Reading the settings template.yaml gives the functions."""

from __future__ import annotations

import logging
import os
import secrets

SECRET_KEY_VARIABLE = "LAMBDA_MICRO_SECRET_KEY"  # noqa: S105 - the variable's name, not a secret


def require_env(name: str) -> str:
    """Return environment variable ``name``, or raise a RuntimeError that says where it should come from."""
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(
            f"environment variable {name} is not set: template.yaml sets it for each function "
            f"(Globals > Function > Environment); outside Lambda, set it yourself"
        )
    return value


def secret_key(logger: logging.Logger) -> str:
    """The key that signs session cookies and pagination cursors (``LAMBDA_MICRO_SECRET_KEY``).

    template.yaml refuses to deploy without its SessionSecret parameter, so an empty one only happens in
    local runs: then a random key for this process, with a warning (signatures made by another process, or
    before a restart, no longer verify).
    """
    configured = os.environ.get(SECRET_KEY_VARIABLE, "")
    if configured:
        return configured
    logger.warning(
        "%s is not set: signing with a random key for this process only "
        "(set the SessionSecret parameter when deploying)",
        SECRET_KEY_VARIABLE,
    )
    return secrets.token_urlsafe(48)
