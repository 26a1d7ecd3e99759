"""The App: owns the URL map, dispatches requests, turns view return values and errors into responses."""

from __future__ import annotations

import inspect
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar, cast, overload
from urllib.parse import quote

from werkzeug.datastructures import Headers, MIMEAccept
from werkzeug.exceptions import BadHost, BadRequest, BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.http import parse_accept_header
from werkzeug.routing import Map, MapAdapter, Rule, RuleFactory
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)
from werkzeug.routing.exceptions import RoutingException
from werkzeug.utils import redirect as _redirect
from werkzeug.wrappers.request import Request as _WerkzeugRequest
from werkzeug.wrappers.response import Response as _WerkzeugResponse
from werkzeug.wsgi import get_host

from . import signals
from ._errorlog import log_unhandled_exception
from .adapter import make_handler
from .config import Config
from .ctx import OWNED, AppContext, AppGlobals, RequestContext
from .globals import _cv_app, _cv_request
from .json import JSONProvider
from .scaffold import Scaffold, _endpoint_from_view_func, _join_methods, find_instance_path
from .sessions import SecureCookieSessionInterface, SessionInterface
from .wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from jinja2 import Environment

    from ._click import AppCliRunner
    from .app_testing import AppClient
    from .blueprints import Blueprint
    from .cli import AppCommands
    from .identity import Identity
    from .typing import (
        ErrorHandlerCallable,
        HeadersValue,
        ResponseReturnValue,
        RouteCallable,
        ShellContextProcessorCallable,
        TeardownCallable,
    )

__all__ = ["App", "URLMap", "URLRule"]

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
T_template_callable = TypeVar("T_template_callable", bound=Callable[..., Any])
T_teardown = TypeVar("T_teardown", bound="TeardownCallable")
T_shell_context = TypeVar("T_shell_context", bound="ShellContextProcessorCallable")
T_identity_loader = TypeVar("T_identity_loader", bound="Callable[[], Identity | None]")
_MISSING: Any = object()
# What werkzeug's matcher is given: subdomain, path, method, WebSocket flag.
MatchKey = tuple[str | None, str, str, bool]


class URLRule(Rule):
    """A werkzeug Rule that remembers whether the App answers OPTIONS for it automatically.

    It also compiles its URL builders on first use: werkzeug generates and compiles two Python functions
    per rule when the rule is bound, which every route paid at INIT although many Lambda functions never
    build a URL.
    """

    provide_automatic_options: bool = False

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # ``Rule.compile()`` binds what this returns as ``_build``/``_build_unknown``. The stand-in compiles
        # werkzeug's builder on its first call and puts it in its own place, so later builds call werkzeug's
        # function directly. A new ``compile()`` (``refresh()``, a rebound map) installs new stand-ins.
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule: Rule, /, **values: Any) -> tuple[str, str]:
            builder: Callable[..., tuple[str, str]] = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return build_on_first_use


class URLMap(Map):
    """werkzeug's Map, counting the rules added so that the App knows when what it remembered is stale."""

    #: Incremented by every :meth:`add`.
    changes: int = 0

    def add(self, rulefactory: RuleFactory) -> None:
        """Add a rule (or a rule factory's rules), as werkzeug does."""
        try:
            super().add(rulefactory)
        finally:
            self.changes += 1


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


class App(Scaffold):
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
        self._server_names: dict[tuple[str, str], str] = {}
        # URLs already matched, with their rule and arguments (see _match_key), while the map is unchanged.
        self._matches: dict[MatchKey, tuple[Rule, dict[str, Any]]] = {}
        self._matches_state: tuple[Map, int, bool] | None = None
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
        self.session_interface: SessionInterface = SecureCookieSessionInterface()
        self.reraise = reraise
        self.identity_loader_func = None
        #: Extra keyword arguments for the jinja2 Environment (set before the first render).
        self.jinja_options: dict[str, Any] = {}
        self.template_filters: dict[str, Callable[..., Any]] = {}
        self.template_globals: dict[str, Any] = {}
        self.template_tests: dict[str, Callable[..., Any]] = {}
        self._jinja_env: Environment | None = None
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
        self._lambda_handler = make_handler(
            self, base_path=base_path, text_mime_types=text_mime_types, reraise=reraise
        )

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

    def lambda_handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The AWS Lambda entry point: ``handler = app.lambda_handler`` at module level."""
        return self._lambda_handler(event, context)

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

    def template_filter(
        self, name: str | None = None
    ) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 filter (named after the function by default)."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_filter(f, name)
            return f

        return decorator

    def add_template_filter(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 filter."""
        self.template_filters[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.filters[name or f.__name__] = f

    def template_global(
        self, name: str | None = None
    ) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 global."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_global(f, name)
            return f

        return decorator

    def add_template_global(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 global."""
        self.template_globals[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.globals[name or f.__name__] = f

    def template_test(self, name: str | None = None) -> Callable[[T_template_callable], T_template_callable]:
        """Register the decorated function as a jinja2 test (``{% if n is prime %}``)."""

        def decorator(f: T_template_callable) -> T_template_callable:
            self.add_template_test(f, name)
            return f

        return decorator

    def add_template_test(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Register a jinja2 test."""
        self.template_tests[name or f.__name__] = f
        if self._jinja_env is not None:
            self._jinja_env.tests[name or f.__name__] = f

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

    # WSGI ----------------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point (wrap ``app.wsgi_app`` to add middleware)."""
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Handle one request: push its contexts, dispatch, turn errors into responses, tear down.

        An application context is pushed first unless one is active for this app (Flask's rule), so a
        request made inside ``with app.app_context():`` shares its ``g``.
        """
        ctx = RequestContext(self, environ)
        # What RequestContext.push() does, inline (this runs for every Lambda invocation), with one saving:
        # with no application context active, the request owns one, made only if something uses it (`g`).
        active = _cv_app.get(None)
        pushed: Any
        if active is not None and active.app is self:
            ctx._app_ctx = active
            pushed = None
        elif active is None and not (
            signals.appcontext_pushed.connected or signals.appcontext_popped.connected
        ):
            pushed = OWNED
        else:
            pushed = ctx._app_ctx = AppContext(self)
            pushed.push()
        token = _cv_request.set(ctx)
        error: BaseException | None = None
        try:
            try:
                response = self.full_dispatch_request(ctx)
            except Exception as e:
                error = e
                response = self.handle_exception(ctx, e)
            except BaseException as e:
                error = e
                raise
            return response(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:  # the test client inside `with client:`
                preserve = environ["werkzeug.debug.preserve_context"]
                preserve(ctx.app_ctx)
                preserve(ctx)
            if error is not None and self.should_ignore_error(error):
                error = None
            tokens = ctx._tokens
            if not tokens:
                # RequestContext.pop(), inline, for the common case.
                try:
                    self.do_teardown_request(ctx, error)
                finally:
                    _cv_request.reset(token)
                    ctx.release_environ()
                    if pushed is OWNED:
                        if self.teardown_appcontext_funcs or signals.appcontext_tearing_down.connected:
                            self._end_owned_app_context(ctx, error)
                    elif pushed is not None:
                        pushed.pop(error)
            else:
                # stream_with_context pushed the context again: the request ends when the streamed body
                # does. Its push is undone here (the context stays current); its generator's final pop is
                # then this one, and tears down.
                _cv_request.reset(tokens.pop()[0])
                tokens.append((token, pushed))

    def _end_owned_app_context(self, ctx: RequestContext, error: BaseException | None) -> None:
        """The end of the application context a request owned (never pushed): teardown functions and
        signals run with it pushed, after the request context is gone, as in Flask."""
        app_ctx = ctx.app_ctx
        token = _cv_app.set(app_ctx)
        try:
            self.do_teardown_appcontext(error)
        finally:
            _cv_app.reset(token)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions get ``None`` instead of ``error`` (Flask's hook; ``False`` here)."""
        return False

    def full_dispatch_request(self, ctx: RequestContext) -> Response:
        """Match the URL, run before_request hooks and the view, handle errors, run after_request hooks."""
        request = ctx.request
        if request.routing_exception is None:
            key = self._match_key(ctx)
            known = self._matches.get(key) if key is not None else None
            if known is not None:
                request.url_rule = known[0]
                request.view_args = dict(known[1]) if known[1] else {}
            else:
                try:  # in this frame: a routing error's traceback stays as short as werkzeug makes it
                    rule, args = ctx.url_adapter.match(return_rule=True)
                except HTTPException as e:
                    request.routing_exception = e
                else:
                    request.url_rule, request.view_args = rule, args  # type: ignore[assignment]
                    if key is not None:
                        self._remember_match(key, rule, args)
        try:
            if signals.request_started.connected:
                signals.request_started.send(self)
            rv = self.preprocess_request(ctx)
            if rv is None:
                rv = self.dispatch_request(ctx)
        except Exception as e:
            rv = self.handle_user_exception(ctx, e)
        return self.finalize_request(ctx, rv)

    def _match_key(self, ctx: RequestContext) -> MatchKey | None:
        """The key of what werkzeug's matcher answered for this request, or ``None`` when that cache does not
        apply.

        A successful match (no redirect, converters of werkzeug's own that only parse the text) depends only
        on the subdomain, path, method and WebSocket flag while the map has the same rules: it is
        remembered, and werkzeug's matcher skipped when they come again. Errors, redirects and rules with
        other converters (they may have side effects) always go to werkzeug.
        """
        url_map = self.url_map
        changes = getattr(url_map, "changes", None)  # None: a plain werkzeug Map was assigned
        if changes is None or url_map.host_matching:
            return None
        # A rule found for a path may answer a redirect to another's defaults when redirect_defaults is
        # switched on: remembered answers are valid for one setting.
        state = (url_map, changes, url_map.redirect_defaults)
        if self._matches_state != state:
            self._matches.clear()
            self._matches_state = state
        adapter = ctx._url_adapter
        if adapter is not None:
            if adapter.map is not url_map:  # an overriding create_url_adapter bound another map
                return None
            return (adapter.subdomain, adapter.path_info, adapter.default_method, adapter.websocket)
        # What create_url_adapter would bind (its subdomain is always ""), without binding.
        environ = ctx.request.environ
        path = environ.get("PATH_INFO")
        if path is None:
            path = "/"
        elif not path.isascii():
            path = _wsgi_str(path)
        # MapAdapter's websocket flag: a ws/wss scheme, given or from an upgrade request.
        websocket = environ["wsgi.url_scheme"] in _WEBSOCKET_SCHEMES or (
            "HTTP_UPGRADE" in environ and _websocket(environ)
        )
        return ("", path, environ["REQUEST_METHOD"], websocket)

    def _remember_match(self, key: MatchKey, rule: Rule, args: Mapping[str, Any]) -> None:
        if rule.redirect_to is not None or len(key[1]) > _CACHED_TEXT_MAX:
            return
        converters = rule._converters.values()
        if not all(type(converter) in _PURE_CONVERTERS for converter in converters):
            return
        matches = self._matches
        if len(matches) >= _MATCHES_LIMIT:
            matches.clear()  # paths are client-controlled: bounded, and the recent ones kept
        matches[key] = (rule, dict(args))

    def _early_url_adapter(self, request: Request) -> MapAdapter | None:
        """The request's URL adapter, or ``None`` when it can be bound on first use.

        Binding can wait when ``create_url_adapter`` is the App's own and the Host is one it has already
        found valid (an invalid one must give its 400 now, as ``request.routing_exception``).
        """
        if type(self).create_url_adapter is not App.create_url_adapter:
            return self.create_url_adapter(request)
        environ = request.environ
        host_header = environ.get("HTTP_HOST")
        if host_header is not None and (environ["wsgi.url_scheme"], host_header) in self._server_names:
            return None
        return self.create_url_adapter(request)

    def preprocess_request(self, ctx: RequestContext) -> ResponseReturnValue | None:
        """Run the app's, then each enclosing blueprint's, before_request hooks; stop at a return value."""
        funcs = self.before_request_funcs
        if not funcs:
            return None
        for name in (None, *reversed(ctx.request.blueprints)):
            for f in funcs.get(name, ()):
                rv = f()
                if rv is not None:
                    return rv
        return None

    def dispatch_request(self, ctx: RequestContext) -> ResponseReturnValue:
        """Call the matched view (or raise the routing error: 404, 405, a strict-slash redirect)."""
        request = ctx.request
        if request.routing_exception is not None:
            raise request.routing_exception
        rule = cast("URLRule", request.url_rule)
        if rule.provide_automatic_options and request.method == "OPTIONS":
            return self.make_default_options_response(ctx)
        return self.view_functions[rule.endpoint](**request.view_args)  # type: ignore[arg-type]

    def make_default_options_response(self, ctx: RequestContext) -> Response:
        """An empty 200 with ``Allow`` listing the URL's methods."""
        rv = self.response_class()
        rv.allow.update(ctx.url_adapter.allowed_methods())
        return rv

    def finalize_request(
        self, ctx: RequestContext, rv: ResponseReturnValue, from_error_handler: bool = False
    ) -> Response:
        """Turn ``rv`` into a response and run after_request hooks (and the session save)."""
        response = self.make_response(rv)
        try:
            response = self.process_response(ctx, response)
            if signals.request_finished.connected:
                signals.request_finished.send(self, response=response)
        except Exception as e:
            if not from_error_handler:
                raise
            log_unhandled_exception(
                self.logger, e, ctx.request.environ, message="after_request failed while handling an error"
            )
        return response

    def process_response(self, ctx: RequestContext, response: Response) -> Response:
        """Run ``after_this_request`` functions, after_request hooks (innermost blueprint first, app last),
        then save the session."""
        once = ctx._after_request_functions
        if once:
            for f in once:
                response = f(response)
        funcs = self.after_request_funcs
        if funcs:
            for name in (*ctx.request.blueprints, None):
                for f in reversed(funcs.get(name, ())):
                    response = f(response)
        session = ctx._session  # only a session that was opened is saved
        if session is not None:
            self.session_interface.save_session(self, session, response)
        return response

    def do_teardown_request(self, ctx: RequestContext, exc: BaseException | None) -> None:
        """Run teardown_request hooks, always; one failing hook is logged and does not stop the others."""
        funcs = self.teardown_request_funcs
        if funcs:
            for name in (*ctx.request.blueprints, None):
                for f in reversed(funcs.get(name, ())):
                    try:
                        f(exc)
                    except Exception as e:  # the response is already decided; log and go on
                        log_unhandled_exception(
                            self.logger, e, ctx.request.environ, message="teardown_request failed"
                        )
        if signals.request_tearing_down.connected:
            signals.request_tearing_down.send(self, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = _MISSING) -> None:
        """Run teardown_appcontext functions (last registered first) when an application context ends; one
        failing function is logged and does not stop the others."""
        if exc is _MISSING:
            exc = sys.exc_info()[1]
        for f in reversed(self.teardown_appcontext_funcs):
            try:
                f(exc)
            except Exception as e:
                ctx = _cv_request.get(None)
                log_unhandled_exception(
                    self.logger,
                    e,
                    ctx.request.environ if ctx is not None else None,
                    message="teardown_appcontext failed",
                )
        if signals.appcontext_tearing_down.connected:
            signals.appcontext_tearing_down.send(self, exc=exc)

    # Responses -----------------------------------------------------------------------------------

    def make_response(self, rv: ResponseReturnValue) -> Response:
        """Convert a view's return value into a :class:`Response` (see the README for the accepted shapes)."""
        status: int | str | None = None
        headers: HeadersValue | None = None
        if isinstance(rv, tuple):
            length = len(rv)
            if length == 3:
                rv, status, headers = rv  # type: ignore[misc]
            elif length == 2:
                if isinstance(rv[1], (Headers, dict, tuple, list)):
                    rv, headers = rv
                else:
                    rv, status = rv  # type: ignore[assignment,misc]
            else:
                raise TypeError(
                    f"The view function for {self._view_name()} returned a tuple of {length} items."
                    " A response tuple must be (body, status, headers), (body, status) or (body, headers)."
                )
        if rv is None:
            raise TypeError(
                f"The view function for {self._view_name()} did not return a valid response: it returned None"
                " or ended without a return statement."
            )
        if not isinstance(rv, self.response_class):
            # Cheapest checks first: Iterator is an ABC and slow to test against.
            if isinstance(rv, (str, bytes, bytearray)) or (
                not isinstance(rv, (dict, list, _WerkzeugResponse)) and isinstance(rv, Iterator)
            ):
                # Status and headers go to the constructor so that a str status keeps its reason phrase.
                rv = self.response_class(rv, status=status, headers=_as_headers(headers))
                status = headers = None
            elif isinstance(rv, (dict, list)):
                rv = self.json.response(rv)
            elif isinstance(rv, _WerkzeugResponse) or callable(rv):
                ctx = _cv_request.get(None)
                environ = ctx.request.environ if ctx is not None else None
                try:
                    rv = self.response_class.force_type(rv, environ)  # type: ignore[arg-type]
                except TypeError as e:
                    raise TypeError(
                        f"The view function for {self._view_name()} did not return a valid response: {e}"
                    ) from e
            else:
                raise TypeError(
                    f"The view function for {self._view_name()} did not return a valid response. The return"
                    " type must be a str, bytes, dict, list, tuple with status or headers, Response or WSGI"
                    f" callable, but it was a {type(rv).__name__}."
                )
        rv = cast("Response", rv)
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                rv.status = status if isinstance(status, str) else bytes(status).decode("latin-1")
            else:
                rv.status_code = status
        if headers:
            _apply_headers(rv.headers, headers)
        return rv

    def _view_name(self) -> str:
        ctx = _cv_request.get(None)
        endpoint = ctx.request.endpoint if ctx is not None else None
        if endpoint is None:
            return "this request"
        view = self.view_functions.get(endpoint)
        qualname = getattr(view, "__qualname__", None)
        return f"{endpoint!r} ({qualname})" if qualname else repr(endpoint)

    # Errors --------------------------------------------------------------------------------------

    def _find_error_handler(self, e: BaseException, blueprints: list[str]) -> ErrorHandlerCallable | None:
        """The handler for ``e``: innermost blueprint first, then the app; by code, then by class MRO."""
        spec = self.error_handler_spec
        if not spec:
            return None
        code = e.code if isinstance(e, HTTPException) else None
        for name in (*blueprints, None):
            handler_map = spec.get(name)
            if not handler_map:
                continue
            for c in (code, None) if code is not None else (None,):
                handlers = handler_map.get(c)
                if not handlers:
                    continue
                for cls in type(e).__mro__:
                    handler = handlers.get(cls)
                    if handler is not None:
                        return handler
        return None

    def _call_error_handler(self, handler: ErrorHandlerCallable, e: BaseException) -> ResponseReturnValue:
        rv = handler(e)
        if rv is None:
            raise TypeError(
                f"The error handler {getattr(handler, '__qualname__', handler)!r} for {type(e).__name__}"
                " returned None; an error handler must return a response."
            )
        return rv

    def handle_user_exception(self, ctx: RequestContext, e: Exception) -> ResponseReturnValue:
        """Answer an exception raised by a hook or view with its registered handler, or re-raise it.

        HTTP errors go to :meth:`handle_http_exception` unless :meth:`trap_http_exception` traps them.
        """
        if isinstance(e, HTTPException):
            if isinstance(e, BadRequestKeyError) and (self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]):
                e.show_exception = True
            if not self.trap_http_exception(e):
                return self.handle_http_exception(ctx, e)
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            raise e
        return self._call_error_handler(handler, e)

    def handle_http_exception(self, ctx: RequestContext, e: HTTPException) -> ResponseReturnValue:
        """Answer an HTTP error with its registered handler, else a JSON or HTML error page."""
        if e.code is None or isinstance(e, RoutingException):
            # Routing redirects (strict slashes) and code-less exceptions answer for themselves.
            return e.get_response(ctx.request.environ)
        handler = self._find_error_handler(e, ctx.request.blueprints)
        if handler is None:
            return self.http_error_response(e)
        return self._call_error_handler(handler, e)

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP error is raised as an unhandled exception instead of answered (Flask's rule):
        always with ``TRAP_HTTP_EXCEPTIONS``; 400s with ``TRAP_BAD_REQUEST_ERRORS``; when that is ``None``,
        a missing form or query key (``BadRequestKeyError``) in debug mode."""
        config = self.config
        if config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None:
            return self.debug and isinstance(e, BadRequestKeyError)
        return bool(trap_bad_request) and isinstance(e, BadRequest)

    def _propagates(self, environ: WSGIEnvironment) -> bool:
        """Whether an unhandled exception leaves the app: ``reraise``, else (never for a Lambda event)
        ``PROPAGATE_EXCEPTIONS``, which defaults to testing or debug mode as in Flask."""
        if self.reraise:
            return True
        if "lambda.event" in environ:  # a Lambda invocation: only `reraise` asks for propagation
            return False
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            return self.testing or self.debug
        return bool(propagate)

    def handle_exception(self, ctx: RequestContext, e: Exception) -> Response:
        """An unhandled exception: re-raise it (see :meth:`_propagates`), or log it once and answer 500."""
        if signals.got_request_exception.connected:
            signals.got_request_exception.send(self, exception=e)
        environ = ctx.request.environ
        if self._propagates(environ):
            raise e
        log_unhandled_exception(self.logger, e, environ)
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, ctx.request.blueprints)
        rv: ResponseReturnValue | None = None
        if handler is not None:
            try:
                rv = self._call_error_handler(handler, server_error)
            except Exception as handler_error:  # fall back to the default 500 below
                log_unhandled_exception(
                    self.logger, handler_error, environ, message="500 error handler failed"
                )
        if rv is None:
            rv = self.internal_error_response(e)
        return self.finalize_request(ctx, rv, from_error_handler=True)

    def _wants_json(self, e: HTTPException | None = None) -> bool:
        if e is not None and getattr(e, "always_json", False):
            return True
        ctx = _cv_request.get(None)
        if ctx is None:
            return False
        request = ctx.request
        environ = request.environ
        if _plain_request_class(type(request)) and "accept_mimetypes" not in request.__dict__:
            # werkzeug's own is_json and accept_mimetypes, computed from two environ strings: a request
            # without a Content-Type is not JSON, and the Accept verdict is cached per header value.
            if environ.get("CONTENT_TYPE") and request.is_json:
                return True
            header = environ.get("HTTP_ACCEPT")
            verdict = _ACCEPT_PREFERS_JSON.get(header)
            if verdict is None:
                accept = parse_accept_header(header, MIMEAccept)
                verdict = accept["application/json"] > accept["text/html"]
                # Accept is client-controlled: bound the cache, and what each entry may hold.
                if len(_ACCEPT_PREFERS_JSON) < _ACCEPT_CACHE_LIMIT and len(header or "") <= _CACHED_TEXT_MAX:
                    _ACCEPT_PREFERS_JSON[header] = verdict
            return verdict
        if request.is_json:
            return True
        accept = request.accept_mimetypes
        return accept["application/json"] > accept["text/html"]

    def http_error_response(self, e: HTTPException) -> Response:
        """The default response for an HTTP error.

        JSON ``{"code", "name", "description"}`` when the client prefers JSON (Accept) or sent JSON, else
        werkzeug's HTML page; ``Allow``, ``WWW-Authenticate`` and ``Retry-After`` headers are kept.
        """
        if e.response is not None:
            return self.response_class.force_type(e.response)  # type: ignore[arg-type,return-value]
        ctx = _cv_request.get(None)
        environ = ctx.request.environ if ctx is not None else None
        headers = [(k, v) for k, v in e.get_headers(environ) if k.lower() != "content-type"]
        if self._wants_json(e):
            body = self.json.dumps(
                {"code": e.code, "name": e.name, "description": e.description}, separators=(",", ":")
            )
            return self.response_class(body, e.code, headers, mimetype="application/json")
        return self.response_class(_error_page(e, environ), e.code, headers, mimetype="text/html")

    def internal_error_response(self, e: BaseException) -> Response:
        """The default 500: a generic message, plus the traceback only when ``debug`` is on."""
        error = InternalServerError(original_exception=e)
        if not self.debug:
            return self.http_error_response(error)
        from html import escape  # noqa: PLC0415 (debug only: kept off the cold-start path)

        trace = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        if self._wants_json(None):
            body = self.json.dumps(
                {"code": 500, "name": error.name, "description": error.description, "traceback": trace},
                indent=2,
            )
            return self.response_class(body, 500, mimetype="application/json")
        page = (
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            f"<h1>Internal Server Error</h1>\n<p>{escape(str(error.description))}</p>\n"
            f"<pre>{escape(trace)}</pre>\n"
        )
        return self.response_class(page, 500, mimetype="text/html")

    # URLs ----------------------------------------------------------------------------------------

    def url_for(
        self,
        endpoint: str,
        /,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Build the URL of ``endpoint`` for the current request (SCRIPT_NAME, e.g. an API stage, included).

        ``".view"`` is relative to the current blueprint. Extra values become query arguments. ``_external``
        gives an absolute URL (``_scheme`` implies it); ``_anchor`` appends ``#anchor``; ``_method`` picks the
        rule for that method. Raises werkzeug's ``BuildError`` for an unknown endpoint or missing values.

        Outside a request (in an application context, or with none) the URL is built from ``SERVER_NAME``,
        ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``, and is external by default, as in Flask; without
        ``SERVER_NAME`` that is a ``RuntimeError``.
        """
        ctx = _cv_request.get(None)
        adapter: MapAdapter | None
        if ctx is not None:
            if endpoint[:1] == ".":
                blueprint = ctx.request.blueprint
                endpoint = f"{blueprint}{endpoint}" if blueprint is not None else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
            adapter = ctx.url_adapter
        else:
            app_ctx = _cv_app.get(None)
            if app_ctx is not None and app_ctx.app is self:
                adapter = app_ctx.url_adapter
            else:
                adapter = self.create_url_adapter(None)
            if adapter is None:
                raise RuntimeError(
                    f"Unable to build the URL of {endpoint!r} outside a request without 'SERVER_NAME'"
                    " configured: the URL depends on a host. Set app.config['SERVER_NAME'] (and"
                    " 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as needed), or build it inside a"
                    " request (`with app.test_request_context():` in scripts and tests)."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")
        if _scheme is not None:
            old_scheme, adapter.url_scheme = adapter.url_scheme, _scheme
            try:
                rv = adapter.build(endpoint, values, method=_method, force_external=_external)
            finally:
                adapter.url_scheme = old_scheme
        else:
            rv = adapter.build(endpoint, values, method=_method, force_external=_external)
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe=_ANCHOR_SAFE)}"
        return rv

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response to ``location``."""
        return _redirect(location, code=code, Response=self.response_class)  # type: ignore[return-value]

    @overload
    def create_url_adapter(self, request: Request) -> MapAdapter: ...

    @overload
    def create_url_adapter(self, request: None) -> MapAdapter | None: ...

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the URL map to ``request`` (what werkzeug's ``bind_to_environ`` does, minus repeated work).

        The IDNA form of each Host is cached. A Host that is not valid IDNA gives a 400 for the request
        (``request.routing_exception``) instead of an exception escaping the app.

        Without a request (``None``): the map bound to ``SERVER_NAME``, ``APPLICATION_ROOT`` and
        ``PREFERRED_URL_SCHEME``, or ``None`` when ``SERVER_NAME`` is not set (as in Flask).
        """
        if request is None:
            config = self.config
            server_name = config["SERVER_NAME"]
            if server_name is None:
                return None
            return self.url_map.bind(
                server_name,
                script_name=config["APPLICATION_ROOT"] or "/",
                url_scheme=config["PREFERRED_URL_SCHEME"] or "http",
            )
        environ = request.environ
        scheme = environ["wsgi.url_scheme"]
        # With a Host header, werkzeug's get_host depends on the scheme and the header only: cache on them.
        host_header = environ.get("HTTP_HOST")
        cache_key = (scheme, host_header) if host_header is not None else None
        server_name = self._server_names.get(cache_key) if cache_key is not None else None
        if server_name is None:
            host = get_host(environ).lower()
            name, sep, port = host.partition(":")
            try:
                server_name = f"{name.encode('idna').decode('ascii')}{sep}{port}"
            except UnicodeError:
                request.routing_exception = BadHost()
                server_name = host
            else:
                # Host is client-controlled: bound the cache.
                if cache_key is not None and len(self._server_names) < 64:
                    self._server_names[cache_key] = server_name
        if "HTTP_UPGRADE" in environ and _websocket(environ):
            scheme = "wss" if scheme == "https" else "ws"
        path = environ.get("PATH_INFO")
        query = environ.get("QUERY_STRING")
        return MapAdapter(
            self.url_map,
            server_name,
            _wsgi_str(environ.get("SCRIPT_NAME", "")),
            "",
            scheme,
            _wsgi_str(path) if path is not None else "/",
            environ["REQUEST_METHOD"],
            _wsgi_str(query) if query is not None else None,
        )

    # Templates and static files ------------------------------------------------------------------

    @property
    def jinja_env(self) -> Environment:
        """The jinja2 Environment, created (and jinja2 imported) on first use."""
        env = self._jinja_env
        if env is None:
            from .templating import create_environment  # noqa: PLC0415 - jinja2 only when templates are used

            env = self._jinja_env = create_environment(self)
        return env

    def preload_templates(self, *, extensions: Iterable[str] | None = None) -> list[str]:
        """Compile every template now (call at module level so that INIT, not the first request, pays).

        ``extensions`` limits it to names ending with one of them (e.g. ``(".html",)``); returns the names.
        """
        from .templating import preload  # noqa: PLC0415 - jinja2 only when templates are used

        return preload(self, extensions)

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

    # Development and tests -----------------------------------------------------------------------

    def test_client(self, use_cookies: bool = True, **kwargs: Any) -> AppClient:
        """A test client on werkzeug's (:attr:`test_client_class`, default
        :class:`~lambda_micro.app_testing.AppClient`, Flask's ``FlaskClient``): ``with client:`` keeps the
        last request's contexts until the block ends; ``client.session_transaction()`` edits the session."""
        from .app_testing import AppClient  # noqa: PLC0415 - tests only

        cls = self.test_client_class or AppClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: Any) -> AppCliRunner:
        """A click ``CliRunner`` for the app's commands (:attr:`test_cli_runner_class`):
        ``invoke(args=[...])`` runs ``app.cli`` commands in an application context. Needs click (which
        lambda-micro-local depends on)."""
        cls = self.test_cli_runner_class
        if cls is None:
            from ._click import AppCliRunner  # noqa: PLC0415 - tests only; imports click

            cls = AppCliRunner
        return cls(self, **kwargs)

    def test_request_context(self, *args: Any, **kwargs: Any) -> RequestContext:
        """A request context for ``with`` blocks (arguments as werkzeug's ``EnvironBuilder``; the base URL
        comes from ``SERVER_NAME``, ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME``, as in Flask)."""
        from .app_testing import EnvironBuilder  # noqa: PLC0415 - tests only

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        return RequestContext(self, environ)

    def run(
        self, host: str = "127.0.0.1", port: int = 5000, *, debug: bool | None = None, **options: Any
    ) -> None:
        """Serve the app with werkzeug's development server (never in Lambda)."""
        from werkzeug.serving import run_simple  # noqa: PLC0415 - development only

        if debug is not None:
            self.debug = debug
        options.setdefault("use_reloader", self.debug)
        # Exceptions propagate in debug mode (PROPAGATE_EXCEPTIONS), to werkzeug's debugger, as with Flask.
        options.setdefault("use_debugger", self.debug)
        run_simple(host, port, self, **options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_MATCHES_LIMIT: Final = 1024
_WEBSOCKET_SCHEMES: Final = frozenset(("ws", "wss"))
# werkzeug's converters: to_python parses the text and nothing else, so a match can be reused.
_PURE_CONVERTERS: Final = frozenset(
    (UnicodeConverter, PathConverter, IntegerConverter, FloatConverter, UUIDConverter, AnyConverter)
)
_ACCEPT_PREFERS_JSON: dict[str | None, bool] = {}
_ACCEPT_CACHE_LIMIT: Final = 256
_ERROR_PAGES: dict[tuple[type[HTTPException], int | None, str | None], str] = {}
_ERROR_PAGES_LIMIT: Final = 256
_CACHED_TEXT_MAX: Final = 1024


def _plain_request_class(cls: type[Request]) -> bool:
    """Whether ``cls`` keeps werkzeug's ``is_json`` (as Request answers it) and ``accept_mimetypes`` (a
    subclass may change them)."""
    return cls.is_json is Request.is_json and cls.accept_mimetypes is _WerkzeugRequest.accept_mimetypes


def _error_page(e: HTTPException, environ: WSGIEnvironment | None) -> str:
    """``e.get_body(environ)``, cached for exceptions that keep werkzeug's page (it then depends only on the
    class, code and description; a subclass that renders its own page is asked every time)."""
    cls = type(e)
    description = e.description
    if not (
        cls.get_body is HTTPException.get_body
        and cls.get_description is HTTPException.get_description
        and cls.name is HTTPException.name
        and (description is None or type(description) is str)
    ):
        return e.get_body(environ)
    key = (cls, e.code, description)
    page = _ERROR_PAGES.get(key)
    if page is None:
        page = e.get_body(environ)
        # Descriptions may carry per-request text: bound the cache, and what each entry may hold.
        if len(_ERROR_PAGES) < _ERROR_PAGES_LIMIT and len(description or "") <= _CACHED_TEXT_MAX:
            _ERROR_PAGES[key] = page
    return page


def _websocket(environ: WSGIEnvironment) -> bool:
    """Whether the request asks for a WebSocket upgrade (werkzeug's rule when binding to an environ)."""
    if "HTTP_UPGRADE" not in environ:
        return False
    connection = environ.get("HTTP_CONNECTION", "").lower()
    upgrade = any(v.strip(" \t") == "upgrade" for v in connection.split(","))
    return upgrade and environ["HTTP_UPGRADE"].lower() == "websocket"


def _wsgi_str(value: str) -> str:
    # PEP 3333 strings are latin-1 "bytes as str"; URLs are UTF-8 (werkzeug's decoding, done once here).
    # ASCII is the same text in both encodings: no round trip for the common case.
    return value if value.isascii() else value.encode("latin-1").decode("utf-8", "replace")


def _as_headers(headers: HeadersValue | None) -> Headers | None:
    if headers is None:
        return None
    result = Headers()
    _apply_headers(result, headers)
    return result


def _apply_headers(target: Headers, headers: HeadersValue) -> None:
    """Merge view-returned headers: a mapping replaces by name; a list of pairs keeps repeated names."""
    if isinstance(headers, (Headers, Mapping)):
        target.update(headers)
        return
    pairs = list(headers)
    for name in {name.lower() for name, _ in pairs}:
        del target[name]
    for name, value in pairs:
        if isinstance(value, (list, tuple)):
            for item in value:
                target.add(name, item)
        else:
            target.add(name, value)
