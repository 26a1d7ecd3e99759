"""Each loaded function's private package: its modules, and plain ``import models`` kept inside it.

A function ``Fn`` is imported as ``_lambda_micro_fn_Fn_<n>.<handler module>``; its own top-level modules
and its layers' are found under that package by an import hook installed in the builtins of its modules
only (:func:`register_package`), and :func:`forget` removes them all again.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["forget", "local_top_level_names", "register_package"]

_install_lock = threading.Lock()


def local_top_level_names(code_uri: Path, *, layer: bool = False) -> frozenset[str]:
    """The modules and packages a function's folder provides (``import X`` finds them first on Lambda).

    In a layer's folder (a ``site-packages`` in particular) namespace packages (folders without
    ``__init__.py``) and extension modules count too; in a CodeUri a plain folder is data (``templates``).
    """
    names = set()
    for entry in code_uri.iterdir():
        if entry.is_file() and entry.suffix == ".py" and entry.stem.isidentifier():
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier() and entry.name != "__pycache__":
            if (entry / "__init__.py").is_file() or (layer and _namespace_portion(entry.name)):
                names.add(entry.name)
        elif layer and entry.is_file() and entry.suffix in (".so", ".pyd"):
            stem = entry.name.partition(".")[0]
            if stem.isidentifier():
                names.add(stem)
    return frozenset(names)


def _namespace_portion(name: str) -> bool:
    """Whether a folder ``name`` (no ``__init__.py``) in a layer would be imported as a namespace package.

    Python prefers a regular module or package anywhere on ``sys.path`` to namespace portions, so a data
    folder named ``json`` or ``logging`` in a layer never hides the real one.
    """
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return False
    spec = importlib.machinery.PathFinder.find_spec(name)
    return spec is None or spec.origin is None


def _make_import(package: str, local_names: frozenset[str]) -> Callable[..., types.ModuleType]:
    real_import = builtins.__import__

    def function_import(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        top = name.partition(".")[0]
        if level != 0 or top not in local_names:
            return real_import(name, globals, locals, fromlist or (), level)
        module = real_import(f"{package}.{name}", globals, locals, fromlist or (), 0)
        if fromlist:
            return module
        # ``import models.db`` binds ``models``: the function's own top-level module, not the package.
        return sys.modules[f"{package}.{top}"]

    return function_import


class _FunctionLoader(importlib.machinery.SourceFileLoader):
    """Executes a function module with builtins whose ``__import__`` keeps sibling imports private."""

    def __init__(self, fullname: str, path: str, builtins_dict: dict[str, Any]) -> None:
        super().__init__(fullname, path)
        self._builtins = builtins_dict

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__["__builtins__"] = self._builtins
        super().exec_module(module)

    def get_code(self, fullname: str) -> types.CodeType:
        # Always compile the source: a reload within the same second must not run a stale ``.pyc`` (they are
        # keyed by whole-second mtimes), and the function's folder stays free of ``__pycache__``.
        return self.source_to_code(self.get_data(self.path), self.path)


class _FunctionFinder(importlib.abc.MetaPathFinder):
    """Finds the modules under each loaded function's private package, with :class:`_FunctionLoader`."""

    def __init__(self) -> None:
        self.packages: dict[str, dict[str, Any]] = {}

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package = fullname.partition(".")[0]
        builtins_dict = self.packages.get(package)
        if builtins_dict is None or fullname == package:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        assert spec.origin is not None
        loader = _FunctionLoader(fullname, spec.origin, builtins_dict)
        return importlib.util.spec_from_file_location(
            fullname, spec.origin, loader=loader, submodule_search_locations=spec.submodule_search_locations
        )


_finder = _FunctionFinder()


def _install_finder() -> None:
    with _install_lock:
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)


def register_package(package: str, local_names: frozenset[str]) -> None:
    """Find ``package``'s modules with builtins whose ``__import__`` maps ``local_names`` into it."""
    builtins_dict = dict(vars(builtins))
    builtins_dict["__import__"] = _make_import(package, local_names)
    _install_finder()
    _finder.packages[package] = builtins_dict


def forget(package: str) -> None:
    """Remove ``package`` and its submodules from ``sys.modules``, and stop finding modules under it.

    Other threads (request threads, the embedded AWS server, lazy imports anywhere) may import modules at
    any moment: iterate over a snapshot of the names, never over ``sys.modules`` itself, and tolerate a name
    that is gone by the time it is removed.
    """
    _finder.packages.pop(package, None)  # first: nothing new is imported under the package from here on
    prefix = package + "."
    for name in list(sys.modules):
        if name == package or name.startswith(prefix):
            sys.modules.pop(name, None)
