"""The deferred-package mechanism of lambda_micro._bootstrap, on small packages written for each test."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from lambda_micro import _bootstrap

PACKAGE = "lmcs_lazy_pkg"
TRACKER = "lmcs_lazy_tracker"


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def package_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A sys.path entry holding the test's packages and a tracker module counting __init__ runs."""
    _write(tmp_path, f"{TRACKER}.py", "runs = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    for name in list(sys.modules):
        if name.split(".")[0] in {PACKAGE, TRACKER}:
            del sys.modules[name]
    _bootstrap._DEFERRED.pop(PACKAGE, None)


def _runs() -> list[str]:
    runs: list[str] = importlib.import_module(TRACKER).runs
    return runs


def _install(root: Path, init_source: str) -> ModuleType:
    _write(root, f"{PACKAGE}/__init__.py", init_source)
    _write(root, f"{PACKAGE}/sub.py", "VALUE = 42\n")
    _write(root, f"{PACKAGE}/other.py", "OTHER = 'other'\n")
    importlib.invalidate_caches()
    assert _bootstrap._install_lazy_package(PACKAGE) is True
    return sys.modules[PACKAGE]


_REEXPORTING_INIT = f"""
    import {TRACKER}
    {TRACKER}.runs.append("init")
    from .sub import VALUE as VALUE

    def __getattr__(name):
        if name == "__version__":
            return "9.9"
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
"""


def test_lazy_package_submodule_imports_do_not_run_the_init(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    other = importlib.import_module(f"{PACKAGE}.other")
    assert other.OTHER == "other"
    assert _runs() == []
    assert _bootstrap.is_lazy(PACKAGE)
    assert package.__path__ == [str(package_root / PACKAGE)]


def test_lazy_package_from_import_of_a_submodule_does_not_run_the_init(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    namespace: dict[str, object] = {}
    exec(f"from {PACKAGE} import sub", namespace)  # the import system asks the package for `sub` first
    assert namespace["sub"] is sys.modules[f"{PACKAGE}.sub"]
    assert package.sub is sys.modules[f"{PACKAGE}.sub"]
    assert _runs() == []


def test_lazy_package_first_other_attribute_runs_the_init_once(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    assert package.VALUE == 42
    assert package.VALUE == 42
    _bootstrap._DEFERRED[PACKAGE].run_init()  # a late caller (another thread) finds it done: no second run
    assert _runs() == ["init"]
    assert not _bootstrap.is_lazy(PACKAGE)


def test_lazy_package_own_module_getattr_answers_after_the_init(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    assert package.__version__ == "9.9"  # dunder: never taken for a submodule, runs the init
    assert _runs() == ["init"]
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        _ = package.missing


def test_lazy_package_odd_attribute_names_run_the_init_and_raise_attribute_error(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    with pytest.raises(AttributeError):
        getattr(package, "nested.sub")  # not an identifier: never looked up as a submodule
    assert _runs() == ["init"]


def test_lazy_package_dir_lists_the_real_names(package_root: Path) -> None:
    package = _install(package_root, _REEXPORTING_INIT)
    names = dir(package)
    assert "VALUE" in names
    assert _runs() == ["init"]


def test_lazy_package_without_own_getattr_drops_the_hooks_after_init(package_root: Path) -> None:
    package = _install(package_root, f"import {TRACKER}\n{TRACKER}.runs.append('init')\nNAME = 'pkg'\n")
    assert package.NAME == "pkg"
    assert "__getattr__" not in vars(package)
    assert "__dir__" not in vars(package)
    with pytest.raises(AttributeError):
        _ = package.missing


def test_lazy_package_init_importing_its_own_submodules_resolves_them(package_root: Path) -> None:
    package = _install(
        package_root,
        f"""
        import {TRACKER}
        {TRACKER}.runs.append("init")
        from . import other
        from . import sub as renamed
        TOTAL = renamed.VALUE + len(other.OTHER)
        """,
    )
    assert package.TOTAL == 47
    assert _runs() == ["init"]


def test_lazy_package_failing_init_raises_and_stays_lazy_for_a_retry(package_root: Path) -> None:
    package = _install(
        package_root,
        f"""
        import {TRACKER}
        {TRACKER}.runs.append("init")
        if len({TRACKER}.runs) == 1:
            raise RuntimeError("first run fails")
        VALUE = 1
        """,
    )
    with pytest.raises(RuntimeError, match="first run fails"):
        _ = package.VALUE
    assert _bootstrap.is_lazy(PACKAGE)
    assert package.VALUE == 1
    assert _runs() == ["init", "init"]


def test_install_lazy_package_refuses_an_imported_missing_or_namespace_package(package_root: Path) -> None:
    assert _bootstrap._install_lazy_package("json") is False  # already imported
    assert _bootstrap._install_lazy_package("lmcs_no_such_package") is False
    (package_root / "lmcs_namespace_pkg").mkdir()
    importlib.invalidate_caches()
    assert _bootstrap._install_lazy_package("lmcs_namespace_pkg") is False
    _write(package_root, "lmcs_plain_module.py", "X = 1\n")
    importlib.invalidate_caches()
    assert _bootstrap._install_lazy_package("lmcs_plain_module") is False  # a module, not a package
    assert "lmcs_plain_module" not in sys.modules


def test_install_lazy_package_refuses_a_name_the_finder_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(name: str) -> None:
        raise ValueError(f"{name}.__spec__ is None")

    monkeypatch.setattr(importlib.util, "find_spec", reject)
    assert _bootstrap._install_lazy_package("lmcs_rejected") is False


def test_install_lazy_werkzeug_respects_the_opt_out_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_MICRO_EAGER_WERKZEUG", "true")
    monkeypatch.delitem(sys.modules, "werkzeug")
    assert _bootstrap.install_lazy_werkzeug() is False
    assert "werkzeug" not in sys.modules


def test_is_lazy_is_false_for_a_package_never_deferred() -> None:
    assert _bootstrap.is_lazy("json") is False
