"""SAM's ``--env-vars`` file: environment overrides per function, applied with SAM's rule."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from .sam import Function

__all__ = ["EnvVarsError", "apply_env_vars", "function_with_env_vars", "load_env_vars"]

logger = logging.getLogger("lambda_micro.local")


class EnvVarsError(Exception):
    """An ``--env-vars`` file that cannot be used (message names the file and the problem)."""


def load_env_vars(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a SAM ``--env-vars`` JSON file: ``{"FunctionId": {"VAR": "v"}, "Parameters": {"VAR": "v"}}``.

    Values may be strings, numbers or booleans (written as JSON spells them: ``true``, ``3``); ``null`` and
    nested values are refused, naming the function and variable.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnvVarsError(f"{path}: cannot read the env-vars file: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EnvVarsError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EnvVarsError(f'{path}: expected an object like {{"FunctionId": {{"VAR": "value"}}}}')
    result: dict[str, dict[str, str]] = {}
    for section, variables in data.items():
        if not isinstance(variables, dict):
            raise EnvVarsError(
                f"{path}: {section}: expected an object of variables, got {type(variables).__name__}"
            )
        values: dict[str, str] = {}
        for name, value in variables.items():
            if isinstance(value, bool):
                values[name] = "true" if value else "false"
            elif isinstance(value, str | int | float):
                values[name] = str(value)
            else:
                raise EnvVarsError(f"{path}: {section}.{name}: expected a string, number or boolean")
        result[str(section)] = values
    return result


def apply_env_vars(
    function: Function, env_vars: Mapping[str, Mapping[str, str]] | None
) -> tuple[Function, list[str]]:
    """``function`` with SAM's env-vars overrides applied, and the variables ignored.

    As ``sam local`` does: ``Parameters`` applies to every function, the function's own section wins over
    it, and only variables the template declares in the function's ``Environment`` are overridden (a
    variable the deployed function would not have is ignored, and reported).
    """
    if not env_vars:
        return function, []
    overrides = {**env_vars.get("Parameters", {}), **env_vars.get(function.logical_id, {})}
    if not overrides:
        return function, []
    declared = function.environment
    ignored = sorted(name for name in overrides if name not in declared)
    environment = {**declared, **{k: v for k, v in overrides.items() if k in declared}}
    return replace(function, environment=environment), ignored


def function_with_env_vars(function: Function, env_vars: Mapping[str, Mapping[str, str]] | None) -> Function:
    """:func:`apply_env_vars`, logging a warning that names the variables it ignored."""
    updated, ignored = apply_env_vars(function, env_vars)
    if ignored:
        logger.warning(
            "env-vars: %s does not declare %s in its Environment; ignored (as sam local does)",
            function.logical_id,
            ", ".join(ignored),
        )
    return updated
