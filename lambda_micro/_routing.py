"""Routing internals of the App: its Rule and Map classes, binding the map to a request (the Host checked
once per value), the memo of matches, and ``url_for``."""

from __future__ import annotations

# The class below is one of App's bases and nothing else's: its methods declare `self: App` (mypy reports
# such a self type as an error of code "misc", and checks the methods against App all the same).
# mypy: disable-error-code="misc"
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, overload
from urllib.parse import quote

from werkzeug.exceptions import BadHost, BadRequest
from werkzeug.routing import Map, MapAdapter, Rule, RuleFactory
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
)
from werkzeug.sansio.utils import get_host as sansio_get_host
from werkzeug.utils import redirect as _redirect
from werkzeug.wsgi import get_host

from ._werkzeug import LazyBuilderRule, rule_converters
from .globals import _cv_app, _cv_request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import App
    from .ctx import RequestContext
    from .wrappers import Request, Response

__all__ = ["NO_RULE", "MatchKey", "URLMap", "URLRule", "URLs"]

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"
# What werkzeug's matcher is given: subdomain, path, method, WebSocket flag.
MatchKey = tuple[str | None, str, str, bool]


class URLRule(LazyBuilderRule):
    """A werkzeug Rule that remembers whether the App answers OPTIONS for it automatically.

    It also compiles its URL builders on first use (see :class:`~lambda_micro._werkzeug.LazyBuilderRule`).
    """

    provide_automatic_options: bool = False


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


class URLs:
    """The App's URL side: binding the map to a request, the memo of matches, ``url_for``."""

    # The map state the memo of matches was filled for (see _match_key).
    _matches_state: tuple[Map, Any, bool] | None = None

    def _match_key(self: App, ctx: RequestContext) -> MatchKey | None:
        """The key of what werkzeug's matcher answered for this request, or ``None`` when that cache does not
        apply.

        A successful match (no redirect, converters of werkzeug's own that only parse the text) depends only
        on the subdomain, path, method and WebSocket flag while the map has the same rules: it is
        remembered, and werkzeug's matcher skipped when they come again. Errors, redirects and rules with
        other converters (they may have side effects) always go to werkzeug.
        """
        url_map = self._matches_map()
        if url_map is None:
            return None
        adapter = ctx._url_adapter
        if adapter is not None:
            if adapter.map is not url_map:  # an overriding create_url_adapter bound another map
                return None
            return (adapter.subdomain, adapter.path_info, adapter.default_method, adapter.websocket)
        # What create_url_adapter would bind (its subdomain is always ""), without binding.
        environ = ctx.request._cgi  # (the keys read here are there in a lazily built environ)
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

    def _matches_map(self: App) -> Map | None:
        """The URL map the memo of matches holds answers for (emptied when its rules or settings changed),
        or ``None`` when the memo does not apply (a plain werkzeug Map, host matching)."""
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
        return url_map

    def _remember_not_found(self: App, key: MatchKey) -> None:
        """Remember that no rule matches ``key``'s path (werkzeug's plain ``NotFound``: no rule for the path
        under any method). Like a match, it depends only on the key while the map has the same rules; the
        next request for it skips werkzeug's matcher, whose recursive closure leaves a reference cycle
        for the garbage collector on every call."""
        self._matches.remember(key, NO_RULE, len(key[1]))  # paths are client-controlled

    def _remember_match(self: App, key: MatchKey, rule: Rule, args: Mapping[str, Any]) -> None:
        if rule.redirect_to is not None:
            return
        if not all(type(converter) in _PURE_CONVERTERS for converter in rule_converters(rule)):
            return
        self._matches.remember(key, (rule, dict(args)), len(key[1]))  # paths are client-controlled

    def _early_url_adapter(self: App, request: Request) -> MapAdapter | None:
        """The request's URL adapter, or ``None`` when it can be bound on first use.

        Binding can wait when ``create_url_adapter`` is the App's own and the Host is one it has already
        found valid (an invalid one must give its 400 now, as ``request.routing_exception``).
        """
        if type(self).create_url_adapter is not URLs.create_url_adapter:
            return self.create_url_adapter(request)
        environ = request._cgi
        host_header = environ.get("HTTP_HOST")
        trusted = self.config["TRUSTED_HOSTS"]
        if trusted is not None:
            request.trusted_hosts = trusted
        if host_header is None:
            return self.create_url_adapter(request)
        cache_key = _host_key(environ, host_header, trusted)
        if cache_key in self._server_names:
            return None
        # A Host seen for the first time: its verdict now, the binding left to first use as for a known one
        # (an invalid Host binds now, with its 400 as the routing exception).
        try:
            server_name = _checked_host(request, trusted)
        except BadRequest:
            return self.create_url_adapter(request)
        self._server_names.remember(cache_key, server_name, len(host_header))
        return None

    # URLs ----------------------------------------------------------------------------------------

    def url_for(
        self: App,
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

    def redirect(self: App, location: str, code: int = 302) -> Response:
        """A redirect response to ``location``."""
        return _redirect(location, code=code, Response=self.response_class)  # type: ignore[return-value]

    @overload
    def create_url_adapter(self: App, request: Request) -> MapAdapter: ...

    @overload
    def create_url_adapter(self: App, request: None) -> MapAdapter | None: ...

    def create_url_adapter(self: App, request: Request | None) -> MapAdapter | None:
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
        environ = request._cgi  # (the keys read here are there in a lazily built environ)
        scheme = environ["wsgi.url_scheme"]
        trusted = self.config["TRUSTED_HOSTS"]
        if trusted is not None:
            request.trusted_hosts = trusted
        # With a Host header, the verdict depends on the scheme, the header and TRUSTED_HOSTS: cache on them.
        host_header = environ.get("HTTP_HOST")
        cache_key = _host_key(environ, host_header, trusted) if host_header is not None else None
        server_name = self._server_names.get(cache_key) if cache_key is not None else None
        if server_name is None:
            try:
                server_name = _checked_host(request, trusted)
            except BadRequest as e:
                # Before anything builds a URL from it: the request is answered 400, and request.host/url
                # give werkzeug's empty host for an invalid one rather than raising in a view or handler.
                request.routing_exception = e
                request.host = ""
                server_name = environ.get("SERVER_NAME") or "localhost"
            else:
                if cache_key is not None:  # Host is client-controlled
                    self._server_names.remember(cache_key, server_name, len(host_header or ""))
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


#: The memo of matches each App keeps (see ``URLs._match_key``).
MATCHES_LIMIT: Final = 1024
#: Its entry for a path no rule matches (a 404).
NO_RULE: Final[tuple[None, dict[str, Any]]] = (None, {})
#: The memo of Host verdicts each App keeps.
SERVER_NAMES_LIMIT: Final = 64
_WEBSOCKET_SCHEMES: Final = frozenset(("ws", "wss"))
# Host values werkzeug's host check accepts as they are: its pattern's name alternative, in lower case,
# without a port (a subset of what it accepts, matched case-sensitively).
_PLAIN_HOST: Final = re.compile(r"[a-z0-9.-]+")
_MAX_LABEL: Final = 64  # a DNS label has 1 to 63 characters (the last may be empty: "example.com.")
# werkzeug's converters: to_python parses the text and nothing else, so a match can be reused.
_PURE_CONVERTERS: Final = frozenset(
    (UnicodeConverter, PathConverter, IntegerConverter, FloatConverter, UUIDConverter, AnyConverter)
)


def _host_key(environ: WSGIEnvironment, host_header: str, trusted: Any) -> tuple[Any, ...]:
    """What a Host verdict depends on: the scheme, the header and TRUSTED_HOSTS (as a hashable value)."""
    scheme = environ["wsgi.url_scheme"]
    if trusted is None:
        return (scheme, host_header)
    return (scheme, host_header, (trusted,) if isinstance(trusted, str) else tuple(trusted))


def _checked_host(request: Request, trusted: Any) -> str:
    """The request's host (IDNA, lower case) for building URLs; ``BadHost`` when the Host header is
    malformed, werkzeug's ``SecurityError`` (also a 400) when ``trusted`` is set and does not list it."""
    environ = request._cgi
    host_header: str | None = environ.get("HTTP_HOST")
    if (
        trusted is None
        and host_header is not None
        and _PLAIN_HOST.fullmatch(host_header) is not None
        and len(host_header) < _MAX_LABEL
        and ".." not in host_header
        and host_header[:1] != "."
    ):
        # A lower-case name without a port, shorter than one label may be and with no empty label but
        # the last (what API Gateway, the load balancer and Function URLs send): werkzeug's get_host,
        # lower() and the IDNA form (idna_host's own shortcut) all give it back unchanged, so this is
        # what the exact steps below answer, without werkzeug's case-insensitive pattern (a few times
        # dearer, for the first request with each Host: after a SnapStart restore, always).
        return host_header
    # "" for invalid characters or port. With a Host header, werkzeug's WSGI get_host is its sansio one
    # given the scheme and the header (the server address, SERVER_PORT too, is read only without one).
    host = (
        sansio_get_host(environ["wsgi.url_scheme"], host_header, None, trusted)
        if host_header is not None
        else get_host(request.environ, trusted_hosts=trusted)
    ).lower()
    shown = (host_header or host)[:100]
    if not host and host_header is not None:
        raise BadHost(f"The Host header {shown!r} is not a valid host name.")
    if host.startswith("["):
        # werkzeug's character check lets "[a:b:c]" pass; urllib (request.url) then raises ValueError.
        import ipaddress  # noqa: PLC0415 - IPv6 literal hosts only: kept off the cold-start path

        try:
            ipaddress.IPv6Address(host[1 : host.index("]")])
        except ValueError:
            raise BadHost(f"The Host header {shown!r} is not a valid IPv6 address.") from None
    name, sep, port = host.partition(":")
    try:
        return f"{idna_host(name)}{sep}{port}"
    except UnicodeError:
        raise BadHost(f"The Host header {shown!r} is not a valid host name.") from None


def idna_host(name: str) -> str:
    """``name.encode("idna").decode("ascii")``: the IDNA form of a host name (``UnicodeError`` when it has
    none). An ASCII name is its own IDNA form when its labels are 1 to 63 characters (the codec's own fast
    path, without importing the codec, ``stringprep`` and ``unicodedata`` for the first request)."""
    if name.isascii():
        if len(name) < _MAX_LABEL and ".." not in name and name[:1] != ".":
            return name  # shorter than one label may be, and no empty label but the last: the usual Host
        labels = name.split(".")
        last = labels.pop()
        if len(last) < _MAX_LABEL and all(0 < len(label) < _MAX_LABEL for label in labels):
            return name
    return name.encode("idna").decode("ascii")


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
