"""Registration shared by App and Blueprint: routes, error handlers, request hooks, template context."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, TypeVar

from werkzeug.exceptions import HTTPException, default_exceptions

from .helpers import send_from_directory
from .scaffold_events import EventRegistration
from .typing import (
    AfterRequestCallable,
    BeforeRequestCallable,
    ErrorHandlerCallable,
    RouteCallable,
    TeardownCallable,
    TemplateContextProcessorCallable,
)

if TYPE_CHECKING:
    from .wrappers import Response

__all__ = ["Scaffold", "find_instance_path", "get_root_path"]

T_route = TypeVar("T_route", bound=RouteCallable)
T_before_request = TypeVar("T_before_request", bound=BeforeRequestCallable)
T_after_request = TypeVar("T_after_request", bound=AfterRequestCallable)
T_teardown = TypeVar("T_teardown", bound=TeardownCallable)
T_error_handler = TypeVar("T_error_handler", bound=ErrorHandlerCallable)
T_template_context_processor = TypeVar("T_template_context_processor", bound=TemplateContextProcessorCallable)

# {blueprint name or None for the app: {HTTP code or None: {exception class: handler}}}
ErrorHandlerSpec = dict[str | None, dict[int | None, dict[type[BaseException], ErrorHandlerCallable]]]


def get_root_path(import_name: str, *, _depth: int = 2) -> str | None:
    """The folder of the module ``import_name``: where its templates and static files live.

    Resolved from the module itself, never from the working directory: Lambda, the local gateway and tests
    each start in a different directory. Returns ``None`` when the module has no file (interactive use).
    """
    module = sys.modules.get(import_name)
    filename = getattr(module, "__file__", None) if module is not None else None
    if filename is None:
        # A module being executed by a custom loader may not be in sys.modules yet: find it on the stack.
        frame: FrameType | None = sys._getframe(_depth)  # the documented way to reach the caller's globals
        depth = 0
        while frame is not None and depth < 8:
            if frame.f_globals.get("__name__") == import_name and frame.f_globals.get("__file__"):
                filename = frame.f_globals["__file__"]
                break
            frame = frame.f_back
            depth += 1
    if filename is None:
        try:
            spec = importlib.util.find_spec(import_name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin not in (None, "built-in", "frozen"):
            filename = spec.origin
    if filename is None:
        return None
    return os.path.dirname(os.path.abspath(filename))


def _package_path(import_name: str, root_path: str | None) -> str:
    """The folder holding the top-level package (or the module) of ``import_name``: the import path entry it
    comes from. Derived from the module's own folder, so that modules loaded outside ``sys.path`` (the local
    gateway's private function modules) get the same answer."""
    if root_path is None:
        return os.getcwd()  # Flask's answer for a module it cannot find
    if import_name == "__main__":
        return root_path
    module = sys.modules.get(import_name)
    levels = import_name.count(".") + (1 if hasattr(module, "__path__") else 0)
    path = root_path
    for _ in range(levels):
        path = os.path.dirname(path)
    return path


def _install_prefix(package_path: str) -> str | None:
    """The installation prefix (``sys.prefix``, a virtualenv) when ``package_path`` is installed, or None."""
    prefix = os.path.abspath(sys.prefix)
    if os.path.commonpath([prefix, os.path.abspath(package_path)]) == prefix:
        return prefix
    site_parent, site_folder = os.path.split(package_path)
    if site_folder.lower() != "site-packages":
        return None
    parent, folder = os.path.split(site_parent)
    if folder.lower() == "lib":  # prefix/lib/site-packages
        return parent
    if os.path.basename(parent).lower() == "lib":  # prefix/lib/pythonX.Y/site-packages
        return os.path.dirname(parent)
    return site_parent


def find_instance_path(import_name: str, root_path: str | None, name: str | None = None) -> str:
    """Flask's default instance folder: ``instance`` beside the package (or module) ``import_name``, or
    ``PREFIX/var/NAME-instance`` when it is installed (in ``site-packages``). Only computed, never created:
    on Lambda the function's folder (``/var/task``) is read-only."""
    package_path = _package_path(import_name, root_path)
    prefix = _install_prefix(package_path)
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", f"{name or import_name}-instance")


def _exception_class_and_code(
    exc_class_or_code: type[BaseException] | int,
) -> tuple[type[BaseException], int | None]:
    if isinstance(exc_class_or_code, int):
        try:
            exc_class: type[BaseException] = default_exceptions[exc_class_or_code]
        except KeyError:
            raise ValueError(
                f"'{exc_class_or_code}' is not a recognized HTTP error code. Use a subclass of"
                " werkzeug.exceptions.HTTPException with that code instead."
            ) from None
    else:
        exc_class = exc_class_or_code
    if isinstance(exc_class, BaseException):
        raise TypeError(
            f"{exc_class!r} is an instance, not a class. Handlers can only be registered for classes."
        )
    if not isinstance(exc_class, type) or not issubclass(exc_class, BaseException):
        raise TypeError(
            f"'{exc_class!r}' is not a subclass of Exception. Handlers can only be registered for them."
        )
    if issubclass(exc_class, HTTPException):
        return exc_class, exc_class.code
    return exc_class, None


class Scaffold(EventRegistration):
    """What App and Blueprint have in common: the decorators that register views, hooks and handlers
    (the non-HTTP event handlers' come from :class:`~lambda_micro.scaffold_events.EventRegistration`)."""

    name: str

    def __init__(
        self,
        import_name: str,
        *,
        template_folder: str | os.PathLike[str] | None = None,
        static_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        #: The folder of the module that created this object; relative folders are resolved from it.
        self.root_path: str | None = (
            root_path if root_path is not None else get_root_path(import_name, _depth=3)
        )
        self.template_folder = os.fspath(template_folder) if template_folder is not None else None
        self.static_folder_name = os.fspath(static_folder) if static_folder is not None else None
        self.error_handler_spec: ErrorHandlerSpec = {}
        self.before_request_funcs: dict[str | None, list[BeforeRequestCallable]] = {}
        self.after_request_funcs: dict[str | None, list[AfterRequestCallable]] = {}
        self.teardown_request_funcs: dict[str | None, list[TeardownCallable]] = {}
        self.template_context_processors: dict[str | None, list[TemplateContextProcessorCallable]] = {}

    def _resolve(self, folder: str | None) -> str | None:
        if folder is None:
            return None
        if os.path.isabs(folder):
            return folder
        if self.root_path is None:
            return None
        return os.path.join(self.root_path, folder)

    @property
    def template_folder_path(self) -> str | None:
        """The absolute template folder, or ``None``."""
        return self._resolve(self.template_folder)

    @property
    def static_folder(self) -> str | None:
        """The absolute static folder, or ``None``."""
        return self._resolve(self.static_folder_name)

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is set (it may not exist)."""
        return self.static_folder is not None

    def send_static_file(self, filename: str) -> Response:
        """The ``static`` view: a file from ``static_folder`` (traversal → 404), ETag, conditional GET."""
        folder = self.static_folder
        if folder is None:  # pragma: no cover - the route exists only when the folder does
            raise RuntimeError(f"{self.name!r} has no static folder")
        return send_from_directory(folder, filename)

    def open_resource(self, resource: str, mode: str = "rb", encoding: str | None = None) -> IO[Any]:
        """Open ``resource``, a path relative to :attr:`root_path`, for reading (``rb``, ``r``, ``rt``)."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError(
                f"Resources can only be opened for reading (mode 'r', 'rt' or 'rb'), not {mode!r}."
            )
        if self.root_path is None:
            raise RuntimeError(f"{self!r} has no root_path (pass root_path=) to open {resource!r} from.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    def _check_setup_finished(self, method: str) -> None:
        """Blueprints refuse registrations after they were registered on an app (they would be lost)."""

    # Routes --------------------------------------------------------------------------------------

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Register ``rule`` for ``view_func`` (see :meth:`route`)."""
        raise NotImplementedError

    def route(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """Register the decorated view for URL ``rule`` (werkzeug syntax: ``/posts/<int:id>``).

        Options are werkzeug ``Rule`` options (``methods``, ``defaults``, ``strict_slashes``…) plus
        ``endpoint`` (defaults to the function name). The decorated function is returned unchanged.
        """

        def decorator(f: T_route) -> T_route:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    def endpoint(self, endpoint: str) -> Callable[[T_route], T_route]:
        """Register the decorated function as the view of ``endpoint`` (a rule added without a view)."""

        def decorator(f: T_route) -> T_route:
            self._check_setup_finished("endpoint")
            self._register_view(endpoint, f)
            return f

        return decorator

    def _register_view(self, endpoint: str, f: RouteCallable) -> None:
        raise NotImplementedError

    def _method_route(self, method: str, rule: str, options: dict[str, Any]) -> Callable[[T_route], T_route]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """``route(rule, methods=["GET"])`` (HEAD and OPTIONS are answered automatically)."""
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    def patch(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    def delete(self, rule: str, **options: Any) -> Callable[[T_route], T_route]:
        """``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    # Errors --------------------------------------------------------------------------------------

    def errorhandler(
        self, code_or_exception: type[BaseException] | int
    ) -> Callable[[T_error_handler], T_error_handler]:
        """Register the decorated function for an HTTP status code or an exception class (and subclasses)."""
        _exception_class_and_code(code_or_exception)  # a bad code or class fails here, at the decorator line

        def decorator(f: T_error_handler) -> T_error_handler:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    def register_error_handler(
        self, code_or_exception: type[BaseException] | int, f: ErrorHandlerCallable
    ) -> None:
        """Non-decorator form of :meth:`errorhandler`."""
        self._check_setup_finished("register_error_handler")
        exc_class, code = _exception_class_and_code(code_or_exception)
        self.error_handler_spec.setdefault(None, {}).setdefault(code, {})[exc_class] = f

    # Hooks ---------------------------------------------------------------------------------------

    def before_request(self, f: T_before_request) -> T_before_request:
        """Run ``f()`` before each view; a non-``None`` return value is the response (view skipped)."""
        self._check_setup_finished("before_request")
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    def after_request(self, f: T_after_request) -> T_after_request:
        """Run ``f(response)`` after each view; it returns the response. Last registered runs first."""
        self._check_setup_finished("after_request")
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    def teardown_request(self, f: T_teardown) -> T_teardown:
        """Run ``f(exc)`` when the request ends, always, with the unhandled exception or ``None``."""
        self._check_setup_finished("teardown_request")
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    def context_processor(self, f: T_template_context_processor) -> T_template_context_processor:
        """Register ``f()`` returning a dict of extra template variables."""
        self._check_setup_finished("context_processor")
        self.template_context_processors.setdefault(None, []).append(f)
        return f


def _endpoint_from_view_func(view_func: Callable[..., Any] | None) -> str:
    if view_func is None:
        raise TypeError("expected a view function when no endpoint is given")
    return view_func.__name__


def _join_methods(methods: Iterable[str] | str | None, view_func: Any) -> set[str]:
    if methods is None:
        methods = getattr(view_func, "methods", None) or ("GET",)
    if isinstance(methods, str):
        raise TypeError(
            "Allowed methods must be a list of strings, for example: @app.route(..., methods=['POST'])"
        )
    return {item.upper() for item in methods}
