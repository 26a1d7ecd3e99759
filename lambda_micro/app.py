"""The App: owns the URL map, dispatches requests, turns view return values and errors into responses."""

from __future__ import annotations

import inspect
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

from werkzeug.routing import Map, Rule

from ._devtools import DevTools
from ._dispatch import Dispatch
from ._errors import Errors
from ._lambda import AppHandler
from ._memo import Memo
from ._routing import MATCHES_LIMIT, SERVER_NAMES_LIMIT, MatchKey, URLMap, URLRule, URLs
from ._templates import Templates
from .adapter import UnsupportedEvent
from .config import Config
from .ctx import AppContext, AppGlobals, RequestContext
from .json import JSONProvider
from .scaffold import Scaffold, _endpoint_from_view_func, _join_methods, find_instance_path
from .snapstart import INITIALIZATION_TYPE, SNAP_START, SnapStartHooks
from .typing import ShellContextProcessorCallable, TeardownCallable
from .wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from ._click import AppCliRunner
    from .app_testing import AppClient
    from .blueprints import Blueprint
    from .cli import AppCommands
    from .events.registry import EventHandler
    from .identity import Identity
    from .sessions import SessionInterface
    from .typing import RouteCallable

__all__ = ["App", "URLMap", "URLRule"]

T_template_callable = TypeVar("T_template_callable", bound=Callable[..., Any])
# Bounds are the aliases themselves, not their names: a string bound is compiled at import (cold start).
T_teardown = TypeVar("T_teardown", bound=TeardownCallable)
T_shell_context = TypeVar("T_shell_context", bound=ShellContextProcessorCallable)
T_identity_loader = TypeVar("T_identity_loader", bound=Callable[[], Any])


class _DefaultSessionInterface:
    """``app.session_interface`` until the app sets its own: the signed-cookie interface, made on first
    use (a session opened or tested for), so that a JSON API never imports :mod:`lambda_micro.sessions`."""

    def __get__(self, app: App | None, owner: type | None = None) -> Any:
        if app is None:
            return self
        from .sessions import SecureCookieSessionInterface  # noqa: PLC0415 - the first session only

        interface = app.__dict__["session_interface"] = SecureCookieSessionInterface()
        return interface


class _Rare:
    """An App attribute kept in the instance's ``_rare`` dict: the instance ``__dict__`` stays within
    CPython's shared-key limit (30 names), which keeps the attribute reads of every request specialized
    (past it they cost about 3% more instructions per request). For attributes no request reads."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, app: App | None, owner: type | None = None) -> Any:
        if app is None:
            return self
        try:
            return app._rare[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, app: App, value: Any) -> None:
        app._rare[self.name] = value


def _app_name(import_name: str) -> str:
    if import_name == "__main__":
        filename = getattr(sys.modules.get("__main__"), "__file__", None)
        if isinstance(filename, str):
            return os.path.splitext(os.path.basename(filename))[0]
    return import_name


class App(Dispatch, Errors, URLs, Templates, SnapStartHooks, DevTools, Scaffold):
    """A WSGI application in Flask's style, ready to be a Lambda handler (``handler = app.lambda_handler``).

    The arguments up to ``root_path`` are Flask's, in Flask's order; the others configure the Lambda adapter.

    :param import_name: the module creating the app (``__name__``); templates and static files are found
        relative to its folder, never the working directory.
    :param static_url_path: the URL prefix of the static files (default ``/`` + the static folder's name).
    :param static_folder: static files folder, relative to the module, served under ``static_url_path``
        when it exists (``None`` to disable).
    :param static_host: the host of the static route, with ``host_matching`` only.
    :param host_matching: match rules on the ``host`` argument too (werkzeug's ``Map(host_matching=True)``).
    :param subdomain_matching: not supported (a ``ValueError``): rules match the default subdomain.
    :param template_folder: templates folder, relative to the module (``None`` to disable).
    :param instance_path: the instance folder, an absolute path (default: ``instance`` next to the package,
        see :func:`~lambda_micro.scaffold.find_instance_path`). Never created; on Lambda, read-only.
    :param instance_relative_config: resolve ``config.from_pyfile`` and ``from_file`` names from the
        instance folder instead of ``root_path``.
    :param root_path: overrides the folder computed from ``import_name``.
    :param base_path: passed to the Lambda adapter: a custom-domain base path mapping (``"v1"``).
    :param text_mime_types: passed to the Lambda adapter: media types returned as text, not base64.
    :param reraise: let unhandled exceptions propagate (after teardown) instead of answering 500, so that
        Lambda's error metrics fire. The only setting that makes an exception escape a Lambda invocation:
        ``TESTING``, ``DEBUG`` and ``PROPAGATE_EXCEPTIONS`` apply to WSGI calls (the test client, a WSGI
        server), never to an event.
    """

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    url_rule_class: type[URLRule] = URLRule
    json_provider_class: type[JSONProvider] = JSONProvider
    config_class: type[Config] = Config
    url_map_class: type[URLMap] = URLMap
    #: The class of ``g`` (one instance per application context).
    app_ctx_globals_class: type[AppGlobals] = AppGlobals
    #: The class :meth:`test_client` makes (default :class:`~lambda_micro.app_testing.AppClient`).
    test_client_class: type[AppClient] | None = None
    #: The class :meth:`test_cli_runner` makes (default :class:`~lambda_micro.app_testing.AppCliRunner`).
    test_cli_runner_class: type[AppCliRunner] | None = None

    #: The instance folder (absolute; never created by lambda_micro, and read-only on Lambda).
    instance_path: str = cast("str", _Rare())
    #: Where extensions keep their per-app state (``app.extensions["name"] = ...``), as in Flask.
    extensions: dict[str, Any] = cast("dict[str, Any]", _Rare())
    #: Add names to ``lambda-micro --app ... shell`` (``shell_context_processor``).
    shell_context_processors: list[ShellContextProcessorCallable] = cast(
        "list[ShellContextProcessorCallable]", _Rare()
    )
    #: Let unhandled exceptions propagate (see the class docstring).
    reraise: bool = cast("bool", _Rare())
    #: Opens and saves ``session`` (Flask's attribute; default: signed cookies, made on first use).
    session_interface: SessionInterface = cast("SessionInterface", _DefaultSessionInterface())
    #: Gives ``request.identity`` when the event carries none (see :meth:`identity_loader`).
    identity_loader_func: Callable[[], Identity | None] | None = cast(
        "Callable[[], Identity | None] | None", _Rare()
    )

    #: Flask's keys, with Flask's defaults where lambda_micro honours them (the README lists the others).
    default_config: Mapping[str, Any] = {
        "DEBUG": False,
        "TESTING": False,
        "PROPAGATE_EXCEPTIONS": None,
        "TRAP_HTTP_EXCEPTIONS": False,
        "TRAP_BAD_REQUEST_ERRORS": None,
        "SECRET_KEY": None,
        "SECRET_KEY_FALLBACKS": [],
        "TRUSTED_HOSTS": None,
        "SERVER_NAME": None,
        "APPLICATION_ROOT": "/",
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_NAME": "session",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_PARTITIONED": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
        "SEND_FILE_MAX_AGE_DEFAULT": None,
        "MAX_CONTENT_LENGTH": None,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1_000,
        "TEMPLATES_AUTO_RELOAD": None,
        "PROVIDE_AUTOMATIC_OPTIONS": True,
    }

    def __init__(  # noqa: PLR0917 - Flask's signature, positional arguments included
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
        *,
        base_path: str | None = None,
        text_mime_types: Iterable[str] | None = None,
        reraise: bool = False,
    ) -> None:
        self._rare: dict[str, Any] = {}
        super().__init__(
            import_name, template_folder=template_folder, static_folder=static_folder, root_path=root_path
        )
        if subdomain_matching:
            raise ValueError(
                "subdomain_matching is not supported: lambda_micro matches rules on the default subdomain"
                " (each API Gateway custom domain maps to one app)."
            )
        if static_host is not None and not host_matching:
            raise ValueError("static_host requires host_matching=True.")
        if instance_path is None:
            instance_path = find_instance_path(import_name, self.root_path, _app_name(import_name))
        elif not os.path.isabs(instance_path):
            raise ValueError(f"The instance path must be absolute; {instance_path!r} is relative.")
        self.instance_path = instance_path
        #: The app's name (the module name; the file name for ``__main__``); also the logger's name.
        self.name = _app_name(import_name)
        config_root = instance_path if instance_relative_config else self.root_path
        self.config = self.config_class(config_root, self.default_config)
        self.config["SECRET_KEY_FALLBACKS"] = []
        self.config["SECRET_KEY"] = os.environ.get("LAMBDA_MICRO_SECRET_KEY") or None
        #: werkzeug's URL map; add custom converters to ``url_map.converters`` before registering rules.
        self.url_map: Map = self.url_map_class(host_matching=host_matching)
        self._server_names: Memo[tuple[Any, ...], str] = Memo(SERVER_NAMES_LIMIT)
        # URLs already matched, with their rule and arguments (see _match_key), while the map is unchanged.
        self._matches: Memo[MatchKey, tuple[Rule | None, dict[str, Any]]] = Memo(MATCHES_LIMIT)
        self._matches_state = None
        self.view_functions: dict[str, RouteCallable] = {}
        #: Registered blueprints by full (dotted) name.
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions = {}
        #: Run with the exception (or ``None``) when an application context ends (``teardown_appcontext``).
        self.teardown_appcontext_funcs: list[TeardownCallable] = []
        self.shell_context_processors = []
        #: The JSON provider used by ``jsonify``, dict/list returns and ``request.get_json()``.
        self.json: JSONProvider = self.json_provider_class(self)
        #: The stdlib logger named after the app (unhandled exceptions are logged here).
        self.logger = logging.getLogger(self.name)
        self.reraise = reraise
        self.identity_loader_func = None
        #: Extra keyword arguments for the jinja2 Environment (set before the first render).
        self.jinja_options: dict[str, Any] = {}
        self.template_filters: dict[str, Callable[..., Any]] = {}
        self.template_globals: dict[str, Any] = {}
        self.template_tests: dict[str, Callable[..., Any]] = {}
        self._jinja_env = None
        static_dir = self.static_folder
        if static_url_path is None:
            static_url_path = f"/{os.path.basename(static_dir.rstrip(os.sep))}" if static_dir else "/static"
        self.static_url_path = static_url_path.rstrip("/")
        if static_dir is not None and os.path.isdir(static_dir):
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                view_func=self.send_static_file,
                host=static_host,
            )
        # Built once at INIT: the adapter precomputes everything it can, the first request pays nothing.
        self._lambda_handler = AppHandler(
            self, base_path=base_path, text_mime_types=text_mime_types, reraise=reraise
        )
        if os.environ.get(INITIALIZATION_TYPE) == SNAP_START:
            from .snapstart import register  # noqa: PLC0415

            register(self)  # the hooks the runtime runs once INIT is over (lambda_micro.snapstart)

    # Properties ----------------------------------------------------------------------------------

    @property
    def debug(self) -> bool:
        """Debug mode (``config["DEBUG"]``): tracebacks in 500 responses, indented JSON, template reload."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value

    @property
    def testing(self) -> bool:
        """Testing mode (``config["TESTING"]``): unhandled exceptions propagate to the test client (unless
        ``PROPAGATE_EXCEPTIONS`` is ``False``), never out of a Lambda invocation."""
        return bool(self.config["TESTING"])

    @testing.setter
    def testing(self, value: bool) -> None:
        self.config["TESTING"] = value

    @property
    def cli(self) -> AppCommands:
        """The app's commands: ``@app.cli.command("init-db")``, recorded without importing click (run by
        ``lambda-micro --app MODULE COMMAND`` and ``app.test_cli_runner()``); made on first use."""
        commands: AppCommands | None = self._rare.get("cli")
        if commands is None:
            from .cli import AppCommands  # noqa: PLC0415 - only apps that declare commands load it

            commands = self._rare["cli"] = AppCommands(self.name)
        return commands

    @cli.setter
    def cli(self, commands: AppCommands) -> None:
        self._rare["cli"] = commands

    @property
    def permanent_session_lifetime(self) -> timedelta:
        """``config["PERMANENT_SESSION_LIFETIME"]`` as a timedelta (an int is a number of seconds)."""
        value = self.config["PERMANENT_SESSION_LIFETIME"]
        return value if isinstance(value, timedelta) else timedelta(seconds=int(value))

    @permanent_session_lifetime.setter
    def permanent_session_lifetime(self, value: timedelta | int) -> None:
        self.config["PERMANENT_SESSION_LIFETIME"] = value

    @property
    def secret_key(self) -> str | bytes | None:
        """The key signing session cookies (``config["SECRET_KEY"]``, default ``LAMBDA_MICRO_SECRET_KEY``)."""
        return self.config["SECRET_KEY"]  # type: ignore[no-any-return]

    @secret_key.setter
    def secret_key(self, value: str | bytes | None) -> None:
        self.config["SECRET_KEY"] = value

    # Lambda --------------------------------------------------------------------------------------

    def lambda_handler(self, event: dict[str, Any], context: Any) -> Any:
        """The AWS Lambda entry point: ``handler = app.lambda_handler`` at module level.

        HTTP events reach the WSGI app; the others (SQS, S3, streams, schedules, EventBridge, SNS) the
        handlers registered with ``@app.on_sqs`` and its siblings (:mod:`lambda_micro.events`).
        """
        try:
            return self._lambda_handler(event, context)
        except UnsupportedEvent as exc:
            unsupported = exc  # dispatched outside the except block: a handler's traceback is its own
        from .events.dispatch import dispatch_event  # noqa: PLC0415 - loaded by the first such event

        return dispatch_event(self, event, context, unsupported)

    @property
    def event_handlers(self) -> list[EventHandler]:
        """The non-HTTP event handlers, in registration order (blueprints' included)."""
        handlers: list[EventHandler] = self._rare.setdefault("event_handlers", [])
        return handlers

    def _add_event_handler(self, spec: EventHandler) -> None:
        self.event_handlers.append(spec)

    # Registration --------------------------------------------------------------------------------

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Register ``rule`` (werkzeug syntax) for ``view_func`` under ``endpoint`` (default: its name)."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        methods = _join_methods(options.pop("methods", None), view_func)
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            provide_automatic_options = "OPTIONS" not in methods and bool(
                self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            )
        if provide_automatic_options:
            required_methods.add("OPTIONS")
        methods |= required_methods
        try:
            rule_obj = self.url_rule_class(rule, methods=methods, endpoint=endpoint, **options)
            rule_obj.provide_automatic_options = provide_automatic_options
            # Compiled here, at registration. werkzeug orders its matcher once, on the first match (sorting
            # after every add would make registering n rules cost O(n^2)).
            self.url_map.add(rule_obj)
        except (ValueError, LookupError) as e:
            raise type(e)(f"Invalid URL rule {rule!r} (endpoint {endpoint!r}): {e}") from e
        if view_func is not None:
            existing = self.view_functions.get(endpoint)
            if existing is not None and existing is not view_func:
                raise AssertionError(
                    f"View function mapping is overwriting an existing endpoint function: {endpoint!r}"
                    f" ({getattr(existing, '__qualname__', existing)!r}). Give the view a unique endpoint."
                )
            self.view_functions[endpoint] = view_func

    def _register_view(self, endpoint: str, f: RouteCallable) -> None:
        self.view_functions[endpoint] = f

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Register a blueprint (options: ``url_prefix``, ``name``, ``url_defaults``)."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> Iterator[Blueprint]:
        """The registered blueprints, in registration order."""
        return iter(self.blueprints.values())

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` itself: views and hooks are synchronous. A coroutine function is a ``TypeError`` (Flask
        runs those with its ``async`` extra; lambda_micro does not)."""
        if inspect.iscoroutinefunction(func):
            raise TypeError(
                f"{getattr(func, '__qualname__', func)!r} is an async function: lambda_micro runs synchronous"
                " views and hooks only."
            )
        return func

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> IO[Any]:
        """Open ``resource``, a path relative to :attr:`instance_path`, in any mode (on Lambda the instance
        folder is read-only unless ``instance_path`` is under ``/tmp``)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # Contexts ------------------------------------------------------------------------------------

    def app_context(self) -> AppContext:
        """An application context for ``with`` blocks: ``current_app`` and a new ``g``; the
        ``teardown_appcontext`` functions run when it ends."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """A request context for a WSGI environ (what :meth:`wsgi_app` makes for each request)."""
        return RequestContext(self, environ)

    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Run ``f(exc)`` when an application context ends: after every request, at the end of
        ``with app.app_context():`` and of CLI commands. ``exc`` is the unhandled exception or ``None``."""
        self.teardown_appcontext_funcs.append(f)
        return f

    def identity_loader(self, f: T_identity_loader) -> T_identity_loader:
        """Register the function giving ``request.identity`` when the event has none (a session login).

        It takes no argument and returns an :class:`~lambda_micro.identity.Identity` or ``None``
        (anonymous); an authorizer's identity always wins over it.
        """
        self.identity_loader_func = f
        return f

    def shell_context_processor(self, f: T_shell_context) -> T_shell_context:
        """Register ``f()`` returning a dict of names for ``lambda-micro --app ... shell``."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, Any]:
        """The names of an interactive shell: ``app``, ``g`` and the shell context processors' values."""
        from .globals import g  # noqa: PLC0415 - the proxy, only for shells

        names: dict[str, Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            names.update(processor())
        return names

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
