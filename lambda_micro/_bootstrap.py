"""Import-time preparation for a fast cold start.

``lambda_micro/__init__.py`` imports this module before anything else.

werkzeug's package ``__init__`` re-exports ``run_simple``, ``Client``, ``Request`` and ``Response``, so a
plain ``import werkzeug.routing`` also imports the development server (``werkzeug.serving``, which pulls in
``http.server``, ``socketserver``, ``ssl``...) and the test client (``werkzeug.test``). A Lambda function
never uses either, and they cost about a third of werkzeug's import time.

When werkzeug has not been imported yet, :func:`install_lazy_werkzeug` registers the ``werkzeug`` package
module *without* running its ``__init__``: submodule imports (``import werkzeug.routing``,
``from werkzeug.wrappers.request import Request``) work as usual because the package's ``__path__`` is set.
The first access to any other package attribute (``werkzeug.Request``, ``from werkzeug import run_simple``,
``werkzeug.__version__``, ``dir(werkzeug)``) runs the real ``__init__`` in the same module object, so user
code sees exactly the package it would have seen otherwise. If werkzeug was already imported, nothing
changes. Its subpackage ``werkzeug.wrappers`` is registered the same way: its ``__init__`` imports the WSGI
Request and with it werkzeug's form parser, which the Lambda path loads only when a form is parsed.

Set the environment variable ``LAMBDA_MICRO_EAGER_WERKZEUG=1`` to turn this off.

In the same situation (werkzeug not imported yet), the standard-library modules werkzeug imports but a
request never calls are registered as stand-ins that import the real module on first use (see
``lambda_micro._stdlib``); ``LAMBDA_MICRO_EAGER_STDLIB=1`` turns that off.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Typing only: importing importlib.abc at run time pulls in importlib.resources (~10 ms).
    import importlib.abc

__all__ = ["install_deferred_stdlib", "install_lazy_werkzeug", "install_lazy_werkzeug_wrappers", "is_lazy"]

_PACKAGE = "werkzeug"
_WRAPPERS = "werkzeug.wrappers"
_OPT_OUT = "LAMBDA_MICRO_EAGER_WERKZEUG"
_STDLIB_OPT_OUT = "LAMBDA_MICRO_EAGER_STDLIB"
_TRUE = frozenset(("1", "true", "yes", "on"))


class _LazyPackageInit:
    """Runs a package's real ``__init__`` once, on the first attribute it does not already have."""

    def __init__(self, module: types.ModuleType, loader: importlib.abc.Loader) -> None:
        self._module = module
        self._loader = loader
        # Re-entrant: the real __init__ runs in this thread while holding it and may look up package
        # attributes (`from . import x`); other threads wait until it has finished.
        self._lock = threading.RLock()
        self._state = "pending"  # -> "running" -> "done"
        self._hooks: dict[str, object] = {"__getattr__": self.getattr, "__dir__": self.dir}

    def install(self) -> None:
        self._module.__dict__.update(self._hooks)

    def is_pending(self) -> bool:
        return self._state == "pending"

    def getattr(self, name: str) -> Any:
        """Module ``__getattr__``: answer a submodule lazily, otherwise run the real ``__init__`` first."""
        if self._state == "pending" and name.isidentifier() and not name.startswith("__"):
            submodule = self._submodule(name)
            if submodule is not None:
                # `from werkzeug import routing` asks the package for the attribute before importing the
                # submodule: answering with the submodule keeps that import lazy and gives the same result.
                return submodule
        self.run_init()
        if self._state != "done":
            # Asked from inside the real __init__ (this thread holds the lock): behave like a module that
            # is still being initialised, so the import system falls back to importing the submodule.
            raise AttributeError(
                f"partially initialized module {self._module.__name__!r} has no attribute {name!r}"
            )
        # The real __init__ has run (and may have installed its own module __getattr__, e.g. for
        # `__version__`): plain getattr now gives exactly the package's own answer.
        return getattr(self._module, name)

    def dir(self) -> list[str]:
        """Module ``__dir__``: the real package's names."""
        self.run_init()
        return sorted(self._module.__dict__)

    def run_init(self) -> None:
        """Execute the package's real ``__init__`` in the module object, once; thread-safe."""
        if self._state == "done":
            return
        with self._lock:
            if self._state != "pending":
                return  # done by another thread meanwhile, or re-entered from the __init__ itself
            self._state = "running"
            try:
                self._loader.exec_module(self._module)
            except BaseException:
                self._state = "pending"
                self.install()  # keep the package usable lazily, the next access retries (and re-raises)
                raise
            namespace = self._module.__dict__
            for hook_name, hook in self._hooks.items():
                if namespace.get(hook_name) is hook:
                    del namespace[hook_name]
            self._state = "done"

    def _submodule(self, name: str) -> types.ModuleType | None:
        full_name = f"{self._module.__name__}.{name}"
        loaded = sys.modules.get(full_name)
        if loaded is not None:
            return loaded
        search_path = getattr(self._module, "__path__", None)
        if not search_path or importlib.machinery.PathFinder.find_spec(full_name, list(search_path)) is None:
            return None
        return importlib.import_module(full_name)


# Deferred packages by name, so is_lazy() can tell a deferred package from one that ran its __init__.
_DEFERRED: dict[str, _LazyPackageInit] = {}

# Loaders whose exec_module runs the package's own code in a module object we created.
_DEFERRABLE_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


def _install_lazy_package(name: str) -> bool:
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if (
        spec is None
        or spec.submodule_search_locations is None
        or not isinstance(spec.loader, _DEFERRABLE_LOADERS)
    ):
        # Not installed, not a regular package, or loaded by an importer we do not know: import it normally.
        return False
    module = importlib.util.module_from_spec(spec)
    lazy = _LazyPackageInit(module, spec.loader)
    lazy.install()
    _DEFERRED[name] = lazy
    sys.modules[name] = module
    parent_name, _, child = name.rpartition(".")
    if parent_name:
        # A subpackage is an attribute of its package, as the import system makes it.
        setattr(sys.modules[parent_name], child, module)
    return True


def install_lazy_werkzeug() -> bool:
    """Register werkzeug's package module without running its ``__init__`` (see the module docstring).

    Returns True when the lazy package was installed, False when werkzeug was already imported, is not
    installed as a regular source package, or the ``LAMBDA_MICRO_EAGER_WERKZEUG`` environment variable is set.
    """
    if os.environ.get(_OPT_OUT, "").strip().lower() in _TRUE:
        return False
    return _install_lazy_package(_PACKAGE)


def install_lazy_werkzeug_wrappers() -> bool:
    """Register ``werkzeug.wrappers`` without running its ``__init__`` (which imports the WSGI Request and
    with it werkzeug's form parser), when werkzeug itself was deferred: ``from werkzeug.wrappers.response
    import Response`` then loads the response module only."""
    if not is_lazy(_PACKAGE):
        return False
    return _install_lazy_package(_WRAPPERS)


def install_deferred_stdlib() -> list[str]:
    """Register the standard-library stand-ins of ``lambda_micro._stdlib`` when werkzeug has not been
    imported yet (its modules are the ones that would import them) and ``LAMBDA_MICRO_EAGER_STDLIB`` is not
    set; return the names installed."""
    if os.environ.get(_STDLIB_OPT_OUT, "").strip().lower() in _TRUE:
        return []
    if _PACKAGE in sys.modules and not is_lazy(_PACKAGE):
        return []
    from . import _stdlib  # noqa: PLC0415 - only when there is something to defer

    return _stdlib.install()


def is_lazy(name: str) -> bool:
    """Whether the package ``name`` is registered with its real ``__init__`` still deferred."""
    lazy = _DEFERRED.get(name)
    return lazy is not None and lazy.is_pending() and sys.modules.get(name) is lazy._module


install_lazy_werkzeug()
install_lazy_werkzeug_wrappers()
install_deferred_stdlib()
