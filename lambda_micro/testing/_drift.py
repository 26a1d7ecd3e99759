"""``assert_no_drift``: the test-suite face of :func:`lambda_micro.local.drift.check_drift`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["assert_no_drift", "configure_defaults"]

# Set by the pytest plugin from ``--sam-template`` / the ini options, so the default follows the fixtures.
_default_template: Path | None = None
_default_overrides: dict[str, str] = {}


def configure_defaults(template: Path | None, parameter_overrides: Mapping[str, str] | None = None) -> None:
    """Make ``template`` (and its parameter overrides) the default of :func:`assert_no_drift`."""
    global _default_template, _default_overrides  # noqa: PLW0603 - one process-wide default, set by the plugin
    _default_template = template
    _default_overrides = dict(parameter_overrides or {})


def assert_no_drift(
    template_path: Path | str | None = None, *, parameter_overrides: Mapping[str, str] | None = None
) -> None:
    """Fail (``AssertionError``) listing every drift between the template and the functions' apps.

    The template defaults to the one the pytest fixtures use (``template.yaml`` in the rootdir unless
    configured), or ``template.yaml`` in the working directory outside pytest.
    """
    from lambda_micro.local.drift import check_drift  # noqa: PLC0415 - dev-only, loaded on use
    from lambda_micro.local.sam import load_template  # noqa: PLC0415

    if template_path is not None:
        path = Path(template_path)
        overrides = dict(parameter_overrides or {})
    else:
        path = _default_template or Path("template.yaml")
        overrides = {**_default_overrides, **dict(parameter_overrides or {})}
    problems = check_drift(load_template(path, parameter_overrides=overrides))
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        count = f"{len(problems)} drift problem{'' if len(problems) == 1 else 's'}"
        raise AssertionError(f"{count} between {path} and the functions:\n{listing}")
