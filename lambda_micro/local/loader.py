"""Import a template's function from its CodeUri and Handler, isolated from the other functions.

Two concerns make this more than ``importlib.import_module``:

**Module isolation.** Every function folder tends to have an ``app.py`` and siblings with common names
(``models.py``, ``db.py``). Each loaded function gets a private package, ``_lambda_micro_fn_<Id>_<n>``, whose
``__path__`` is the CodeUri: the handler module is ``<package>.app``. Plain ``import models`` statements
inside the function's own modules are redirected to ``<package>.models`` by an ``__import__`` hook installed
in those modules' builtins only, so two functions never share a sibling module, and nothing outside the
function (the test suite, libraries) is affected. (``importlib.import_module("models")`` calls inside the
function are not redirected; they resolve on ``sys.path`` as usual.)

**Layers.** On Lambda the function's folder comes first on ``sys.path``, then its layers' ``/opt/python``.
Locally the private package's ``__path__`` is the CodeUri followed by the folders of the function's layers
(:meth:`~lambda_micro.local.sam.Function.layer_import_paths`), and the top-level names the layers provide
are redirected like the CodeUri's own, so ``import blog_posts`` from a layer works and two functions with
different layers never see each other's modules (a layer used by two functions is imported once for each,
as two Lambda functions each have their own copy). Layers that cannot be fetched locally (an ARN from another
account or stack, content in S3) are logged once and skipped: the function still loads when the local
environment provides what it imports. A ``makefile`` layer without a local ``python/`` folder (such as one
packaging the framework itself) adds nothing: the local environment supplies its packages.

Each function's environment variables are its own while its code runs (:mod:`.environ`).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import itertools
import logging
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .context import LambdaContext, lambda_context
from .environ import FunctionEnviron, in_environment, install_overlay, lambda_environment
from .isolation import forget, local_top_level_names, register_package
from .sam import ExternalLayer, Function

__all__ = ["FunctionLoadError", "FunctionUnloaded", "LoadedFunction", "load_function"]

_PACKAGE_PREFIX = "_lambda_micro_fn_"
_counter = itertools.count(1)
logger = logging.getLogger("lambda_micro.local")
#: Layer messages already logged, ``(function id, ARN)`` or ``("", layer)``: a reload does not repeat them.
_reported_layers: set[tuple[str, str]] = set()


class FunctionLoadError(Exception):
    """A function's handler cannot be imported; the message names the function, CodeUri, Handler and cause."""

    def __init__(self, function: Function, cause: str) -> None:
        self.function = function
        self.cause = cause
        super().__init__(
            f"function {function.logical_id} (CodeUri {function.code_uri}, "
            f"Handler {function.handler}): {cause}"
        )


# Installed when this module is imported, before the caller creates boto3 sessions that would capture the
# plain ``os.environ`` (the local gateway and the test fixtures import this module first).
install_overlay()


def _report_layers(fn: Function) -> None:
    """Log the layers that add nothing locally and why: once per process (a reload does not repeat it)."""
    for layer in fn.layers:
        if isinstance(layer, ExternalLayer):
            key = (fn.logical_id, layer.arn)
            if key in _reported_layers:
                continue
            _reported_layers.add(key)
            logger.warning(
                "function %s uses layer %s, which cannot be fetched locally (%s); the function loads without "
                "it and imports what the layer provides from the local environment, if installed",
                fn.logical_id,
                layer.arn,
                layer.reason,
            )
            continue
        note = layer.note
        # A note is about the layer, not the function: said once however many functions use it.
        key = ("", f"{layer.logical_id}:{layer.content_uri}")
        if note is None or key in _reported_layers:
            continue
        _reported_layers.add(key)
        # A makefile layer the local environment provides is the usual case (nothing is wrong): debug only.
        logger.log(logging.DEBUG if layer.build_method == "makefile" else logging.WARNING, "%s", note)


# -- loading -----------------------------------------------------------------------------------------


class FunctionUnloaded(RuntimeError):
    """The function's modules were forgotten (:meth:`LoadedFunction.unload`): it cannot run any more."""


class LoadedFunction:
    """A function imported from its CodeUri: call :meth:`invoke` with an event and a context.

    Invocations under way are counted, so that a reload can :meth:`retire` the old version: its modules are
    forgotten when its last invocation returns, never under a request still running on it.
    """

    def __init__(
        self,
        function: Function,
        handler: Callable[..., Any],
        module: types.ModuleType,
        package: str,
        layer: FunctionEnviron,
        *,
        region: str = "us-east-1",
    ) -> None:
        self.function = function
        self.region = region
        self.handler = handler
        self.module = module
        self.package = package
        self._layer = layer
        self._lock = threading.Lock()
        self._active = 0  # invocations (and calls) under way
        self._retired = False  # unload when the last one returns
        self._unloaded = False

    @property
    def function_id(self) -> str:
        """The function's logical id."""
        return self.function.logical_id

    @property
    def timeout(self) -> float:
        """The function's ``Timeout``, in seconds."""
        return float(self.function.timeout)

    def make_context(self, request_id: str) -> LambdaContext:
        """The Lambda context of one invocation (named, sized and timed from the template)."""
        return lambda_context(self.function, request_id, region=self.region)

    @property
    def environment(self) -> dict[str, str]:
        """The function's own variables (Lambda's, the template's, the extra ones) as its code sees them."""
        return dict(self._layer.values)

    def invoke(self, event: Any, context: Any) -> Any:
        """Call the handler with the function's environment in effect; exceptions propagate.

        Raises :class:`FunctionUnloaded` when the function was unloaded before the call began.
        """
        with self.in_use(), in_environment(self._layer):
            return self.handler(event, context)

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func`` with the function's environment in effect (to call helpers of the function's code)."""
        with self.in_use(), in_environment(self._layer):
            return func(*args, **kwargs)

    def acquire(self) -> bool:
        """Count one more use of the code; ``False`` (nothing counted) when it is already unloaded.

        Every successful ``acquire`` needs one :meth:`release`; :meth:`in_use` pairs them.
        """
        with self._lock:
            if self._unloaded:
                return False
            self._active += 1
            return True

    def release(self) -> None:
        """End one use; the last use of a retired function unloads it."""
        with self._lock:
            self._active -= 1
            due = self._retired and self._active == 0
        if due:
            self.unload()

    @contextlib.contextmanager
    def in_use(self) -> Iterator[None]:
        """A block that runs the function's code: it is not unloaded before the block ends."""
        if not self.acquire():
            raise FunctionUnloaded(f"{self.function.logical_id} was unloaded (its code was reloaded)")
        try:
            yield
        finally:
            self.release()

    def retire(self) -> None:
        """Unload once the uses under way have ended (at once when there are none): what a reload does
        with the version it replaces, so a request that started on the old code finishes on it."""
        with self._lock:
            self._retired = True
            due = self._active == 0
        if due:
            self.unload()

    def unload(self) -> None:
        """Forget the function's modules now (a new :func:`load_function` imports fresh code)."""
        with self._lock:
            self._unloaded = True
        forget(self.package)

    def __repr__(self) -> str:
        fn = self.function
        return f"<LoadedFunction {fn.logical_id} {fn.handler} from {fn.code_uri}>"


def load_function(
    fn: Function, *, extra_env: Mapping[str, str] | None = None, region: str = "us-east-1"
) -> LoadedFunction:
    """Import ``fn``'s handler from its CodeUri under a private package, with its environment applied.

    The function's environment is Lambda's reserved variables, then the template's ``Environment``, then
    ``extra_env`` (e.g. ``AWS_ENDPOINT_URL`` for a local AWS); it is in effect while the module is
    imported and during every :meth:`LoadedFunction.invoke`. Raises :class:`FunctionLoadError` when the
    module cannot be imported, lacks the handler attribute, or the attribute is not callable.
    """
    module_name = fn.handler_module
    attribute = fn.handler_attribute
    if not module_name or not attribute or not all(part.isidentifier() for part in module_name.split(".")):
        raise FunctionLoadError(fn, f"Handler {fn.handler!r} is not 'module.function'")
    if not fn.runtime.startswith("python"):
        raise FunctionLoadError(fn, f"runtime {fn.runtime} is not Python: it cannot run in this process")
    if not fn.code_uri.is_dir():
        raise FunctionLoadError(fn, f"CodeUri {fn.code_uri} is not a folder")

    _report_layers(fn)
    layer_paths = fn.layer_import_paths()
    safe_id = re.sub(r"\W", "_", fn.logical_id)
    package = f"{_PACKAGE_PREFIX}{safe_id}_{next(_counter)}"
    local_names = local_top_level_names(fn.code_uri).union(
        *(local_top_level_names(path, layer=True) for path in layer_paths)
    )
    search_path = [str(fn.code_uri), *(str(path) for path in layer_paths)]

    package_module = types.ModuleType(package, f"Lambda function {fn.logical_id} ({fn.code_uri})")
    # The CodeUri first, then the layers' folders: Lambda's /var/task, then /opt/python.
    package_module.__path__ = list(search_path)
    package_module.__package__ = package
    package_module.__spec__ = importlib.machinery.ModuleSpec(package, None, is_package=True)
    package_module.__spec__.submodule_search_locations = list(search_path)
    register_package(package, local_names)
    sys.modules[package] = package_module

    layer = FunctionEnviron({**lambda_environment(fn, region), **fn.environment, **dict(extra_env or {})})
    # The handler's folder is its import root on Lambda: ``import models`` finds a sibling ``models.py``.
    try:
        with in_environment(layer):
            module = importlib.import_module(f"{package}.{module_name}")
    except ModuleNotFoundError as exc:
        forget(package)
        if exc.name is not None and (exc.name == package or exc.name.startswith(package + ".")):
            missing = exc.name[len(package) + 1 :] or module_name
            where = str(fn.code_uri)
            if layer_paths:
                where += " or its layers (" + ", ".join(str(path) for path in layer_paths) + ")"
            raise FunctionLoadError(
                fn, f"cannot import module {module_name!r}: no module named {missing!r} in {where}"
            ) from exc
        raise FunctionLoadError(
            fn, f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}"
        ) from exc
    except BaseException as exc:
        forget(package)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise FunctionLoadError(
            fn,
            f"importing module {module_name!r} raised {type(exc).__name__}: {_unprefix(str(exc), package)}",
        ) from exc

    handler = getattr(module, attribute, None)
    if handler is None:
        forget(package)
        raise FunctionLoadError(fn, f"module {module_name!r} has no attribute {attribute!r}")
    if not callable(handler):
        forget(package)
        raise FunctionLoadError(
            fn, f"{module_name}.{attribute} is not callable (it is a {type(handler).__name__})"
        )
    return LoadedFunction(fn, handler, module, package, layer, region=region)


def _unprefix(text: str, package: str) -> str:
    return text.replace(package + ".", "")
