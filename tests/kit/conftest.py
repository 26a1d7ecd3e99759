"""Fixtures for the test kit's own tests."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# The adapter tests' helpers (check_edge_event: AWS's documented Lambda@Edge structure), importable as
# ``adapter_kit`` here too, registered as tests/adapter/conftest.py registers it.
if "adapter_kit" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "adapter_kit", Path(__file__).parents[1] / "adapter" / "adapter_kit.py"
    )
    assert _spec is not None
    assert _spec.loader is not None
    _kit = importlib.util.module_from_spec(_spec)
    sys.modules["adapter_kit"] = _kit
    _spec.loader.exec_module(_kit)


def pytest_configure(config: pytest.Config) -> None:
    # ``pytest_plugins`` is only allowed in the top-level conftest; load pytester for the plugin tests here.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[..., Path]:
    """Write ``template.yaml`` and function files into ``tmp_path``; returns the template's path."""

    def write(template: str, files: dict[str, str] | None = None) -> Path:
        for name, text in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text), encoding="utf-8")
        path = tmp_path / "template.yaml"
        path.write_text(textwrap.dedent(template), encoding="utf-8")
        return path

    return write
