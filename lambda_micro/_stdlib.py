"""Stand-ins for the standard-library modules werkzeug imports at module level but a request never calls.

werkzeug's routing, datastructures and utilities import ``email.utils`` (for HTTP dates; it pulls in
``socket``, ``random`` and ``calendar``), ``uuid`` (``platform``), ``hashlib``, ``hmac``, ``secrets``,
``difflib``, ``mimetypes``, ``pkgutil``, ``unicodedata``, ``pprint``, ``inspect`` and, through
``urllib.parse``, ``ipaddress``. A Lambda function answering JSON never calls any of them, and together
they are about a fifth of INIT.

:func:`install` registers, for each of these that is not imported yet, a :class:`DeferredModule` in
``sys.modules``: a module object that imports the real module on its first attribute read and from then on
forwards every read, write and deletion to it (the real module also takes its place in ``sys.modules``, so
a later ``import`` gets it directly). ``import uuid`` costs nothing until ``uuid.UUID`` is used.

Three names werkzeug imports *from* these modules at import time (``from hashlib import sha1``,
``from pprint import pformat``, ``from inspect import cleandoc``) are functions of the stand-in:
``sha1`` and ``pformat`` import the real module when called, and ``cleandoc`` (called while werkzeug's
cache-control classes are defined) is the standard library's algorithm for this Python version. On 3.12
and later, ``dataclasses`` calls ``inspect.get_annotations(cls)`` for every ``@dataclass`` (werkzeug's
routing defines some at import): the stand-in answers that call for a class without ``eval_str`` as the
standard library does, and hands any other call to the real function. Tests in ``tests/coldstart`` check
each against the real one.

``_bootstrap`` installs the stand-ins before werkzeug is imported, unless ``LAMBDA_MICRO_EAGER_STDLIB=1``.
"""

from __future__ import annotations

import sys
import threading
import types
from importlib import import_module
from importlib.machinery import ModuleSpec
from typing import Any, Final

__all__ = ["DEFERRED", "DeferredModule", "install", "is_deferred"]

#: The modules deferred, in the order they are installed.
DEFERRED: Final = (
    "email.utils",
    "uuid",
    "hashlib",
    "hmac",
    "secrets",
    "difflib",
    "mimetypes",
    "pkgutil",
    "unicodedata",
    "pprint",
    "ipaddress",
    "inspect",
)
_LOCK: Final = threading.RLock()
# The stand-ins' own attributes: everything else goes to the real module.
_OWN: Final = frozenset(
    ("__name__", "__spec__", "__loader__", "__package__", "__doc__", "_lambda_micro_real")
)


class DeferredModule(types.ModuleType):
    """A module in ``sys.modules`` that imports the real one on first use and then forwards to it."""

    _lambda_micro_real: types.ModuleType | None

    def __init__(self, name: str) -> None:
        super().__init__(name)
        # The import system reads __spec__ on every `import name` (its _initializing flag): a spec without
        # a loader, so that a plain `import` never triggers the real import.
        self.__spec__ = ModuleSpec(name, None)
        self._lambda_micro_real = None

    def _real(self) -> types.ModuleType:
        real = self._lambda_micro_real
        if real is None:
            with _LOCK:
                real = self._lambda_micro_real
                if real is None:
                    name = self.__name__
                    if sys.modules.get(name) is self:
                        del sys.modules[name]
                    try:
                        real = import_module(name)
                    except BaseException:
                        sys.modules.setdefault(name, self)  # still deferred: the next use retries
                        raise
                    object.__setattr__(self, "_lambda_micro_real", real)
        return real

    def __getattr__(self, name: str) -> Any:
        # Only called for names the stand-in does not have itself: the real module's, loaded on first use.
        if name == "__path__":
            # `from module import name` asks whether the module is a package: none of the deferred ones is,
            # and the answer must not import it.
            raise AttributeError(name)
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self._real(), name, value)

    def __delattr__(self, name: str) -> None:
        if name in _OWN:
            object.__delattr__(self, name)
        else:
            delattr(self._real(), name)

    def __dir__(self) -> list[str]:
        return dir(self._real())

    def __repr__(self) -> str:
        real = self._lambda_micro_real
        return repr(real) if real is not None else f"<module {self.__name__!r} (not imported yet)>"


def _sha1(*args: Any, **kwargs: Any) -> Any:
    """``hashlib.sha1``, imported on the first call."""
    return import_module("hashlib").sha1(*args, **kwargs)


def _pformat(*args: Any, **kwargs: Any) -> str:
    """``pprint.pformat``, imported on the first call."""
    result: str = import_module("pprint").pformat(*args, **kwargs)
    return result


def _cleandoc(doc: str) -> str:
    """``inspect.cleandoc``: the standard library's algorithm (3.13 strips spaces only, earlier versions any
    whitespace), without importing ``inspect``, ``dis`` and ``ast``'s users for it."""
    strip: str | None = " " if sys.version_info >= (3, 13) else None
    lines = doc.expandtabs().split("\n")
    margin = sys.maxsize
    for line in lines[1:]:
        content = len(line.lstrip(strip))
        if content:
            margin = min(margin, len(line) - content)
    if lines:
        lines[0] = lines[0].lstrip(strip)
    if margin < sys.maxsize:
        for i in range(1, len(lines)):
            lines[i] = lines[i][margin:]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def _get_annotations(
    obj: Any, *, globals: Any = None, locals: Any = None, eval_str: bool = False
) -> dict[str, Any]:
    """``inspect.get_annotations``: a class's own annotations (the standard library's steps for a class,
    ``eval_str`` false), without importing ``inspect``; any other call goes to the real function."""
    if not isinstance(obj, type) or eval_str:
        real: dict[str, Any] = import_module("inspect").get_annotations(
            obj, globals=globals, locals=locals, eval_str=eval_str
        )
        return real
    obj_dict = getattr(obj, "__dict__", None)
    ann = obj_dict.get("__annotations__", None) if obj_dict and hasattr(obj_dict, "get") else None
    if ann is None or isinstance(ann, types.GetSetDescriptorType):
        return {}
    if not isinstance(ann, dict):
        raise ValueError(f"{obj!r}.__annotations__ is neither a dict nor None")
    return dict(ann)


# Names imported *from* a deferred module at import time, provided by its stand-in.
_EAGER_NAMES: Final[dict[str, dict[str, Any]]] = {
    "hashlib": {"sha1": _sha1},
    "pprint": {"pformat": _pformat},
    "inspect": {"cleandoc": _cleandoc, "get_annotations": _get_annotations},
}


def install(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Register a stand-in for each module of ``names`` not imported yet; return the names installed."""
    installed: list[str] = []
    for name in names:
        if name in sys.modules:
            continue
        parent_name, _, child = name.rpartition(".")
        parent = None
        if parent_name:
            # `import email.utils` binds the package and reads its attribute: the (cheap) package is
            # imported, and the stand-in set as its attribute, as the import system would set the real one.
            parent = import_module(parent_name)
            if child in parent.__dict__:
                continue
        stand_in = DeferredModule(name)
        for attribute, value in _EAGER_NAMES.get(name, {}).items():
            object.__setattr__(stand_in, attribute, value)
        sys.modules[name] = stand_in
        if parent is not None:
            setattr(parent, child, stand_in)
        installed.append(name)
    return installed


def is_deferred(name: str) -> bool:
    """Whether ``name`` is a stand-in whose real module has not been imported."""
    module = sys.modules.get(name)
    return isinstance(module, DeferredModule) and module._lambda_micro_real is None
