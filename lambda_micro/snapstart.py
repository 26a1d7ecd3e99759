"""Lambda SnapStart: prime the App before the snapshot, refresh what must differ per process after a restore.

With SnapStart (``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``; python3.12 and newer on AWS), Lambda runs
INIT once, snapshots the process, and starts later execution environments from the snapshot. What INIT did
not do, every restored environment does on its first request, so INIT becomes eager: each App registers two
hooks with ``snapshot_restore_py`` (the library the managed runtimes include; nothing happens when it is not
importable), which the runtime runs once INIT is over.

Before the snapshot (:func:`run_before_snapshot`):

1. the framework primes itself, never calling a view, a hook or an error handler of the app: the standard
   library modules deferred at cold start and werkzeug's form parser are imported, the templates compiled
   (when the app has a templates folder), the URL map's matcher built, and a synthetic request of each
   payload shape taken through the adapter, a request object, a JSON response, the 404 and 500 pages (HTML
   and JSON) and the proxy result, so that their code and memos are in the snapshot; the match of each
   route without URL arguments is remembered (what its first request would remember), and the Lambda path
   run under several Hosts (the first request brings one never seen); then a full garbage collection, and
   the survivors frozen (``gc.freeze``), so no collection after the restore walks them;
2. the app's ``@app.before_snapshot`` functions run, in registration order.

After the restore (:func:`run_after_restore`):

1. the framework refreshes what must not be shared by environments restored from one snapshot: ``random``
   is reseeded from the operating system (when it was imported; ``secrets`` and ``uuid.uuid4`` read the OS
   each time), and the session serializers (keyed on the secret) are dropped, so they are made again from
   the key the restored environment has;
2. the app's ``@app.after_restore`` functions run, in registration order: reconnect clients, reload secrets
   from the environment, regenerate anything random made at INIT.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "INITIALIZATION_TYPE",
    "SNAP_START",
    "SnapStartHooks",
    "enabled",
    "prime",
    "register",
    "run_after_restore",
    "run_before_snapshot",
]

T_hook = TypeVar("T_hook", bound=Callable[[], Any])  # (not a string: compiled at import)

#: The environment variable Lambda sets to the kind of INIT, and its value under SnapStart.
INITIALIZATION_TYPE: Final = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START: Final = "snap-start"

# The synthetic requests of priming: what API Gateway, a Function URL and the load balancer send (the header
# names are the services' own, so their environ keys are memoised in the snapshot).
_HEADERS: Final = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate, br",
    "Content-Type": "application/json",
    "Host": "localhost",
    "User-Agent": "lambda-micro-snapstart",
    "X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000000",
    "X-Forwarded-For": "127.0.0.1",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
}
_PRIME_PATH: Final = "/__lambda_micro_snapstart_prime__"
_DISPATCH_RUNS: Final = 16
# The Content-Type values of the framework's own responses (text, HTML, JSON), whose binary verdict the
# Lambda handler memoises.
_CONTENT_TYPES: Final = ("text/plain; charset=utf-8", "text/html; charset=utf-8", "application/json")


class SnapStartHooks:
    """The App's SnapStart decorators (its functions run only under SnapStart, see the module docstring)."""

    _rare: dict[str, Any]

    @property
    def before_snapshot_funcs(self) -> list[Callable[[], Any]]:
        """The functions :meth:`before_snapshot` registered, in order."""
        funcs: list[Callable[[], Any]] = self._rare.setdefault("before_snapshot_funcs", [])
        return funcs

    @property
    def after_restore_funcs(self) -> list[Callable[[], Any]]:
        """The functions :meth:`after_restore` registered, in order."""
        funcs: list[Callable[[], Any]] = self._rare.setdefault("after_restore_funcs", [])
        return funcs

    def before_snapshot(self, f: T_hook) -> T_hook:
        """Run ``f()`` once INIT is over, before Lambda snapshots the process (after the framework's own
        priming): warm what the snapshot should hold, close what must not be shared."""
        self.before_snapshot_funcs.append(f)
        return f

    def after_restore(self, f: T_hook) -> T_hook:
        """Run ``f()`` when an execution environment is restored from the snapshot, before its first
        request (after the framework reseeded ``random``): reconnect, reload secrets, regenerate what INIT
        made at random."""
        self.after_restore_funcs.append(f)
        return f


def enabled() -> bool:
    """Whether this process runs a SnapStart INIT."""
    return os.environ.get(INITIALIZATION_TYPE) == SNAP_START


def register(app: App) -> bool:
    """Register ``app``'s hooks with ``snapshot_restore_py`` (App does when :func:`enabled`); ``False`` when
    that library is not importable (the hooks could not run)."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-untyped]  # noqa: PLC0415 - SnapStart only
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(run_before_snapshot, app)
    register_after_restore(run_after_restore, app)
    return True


def run_before_snapshot(app: App) -> None:
    """The runtime's before-snapshot hook for ``app``: priming, then the app's own functions."""
    prime(app)
    _run(app.before_snapshot_funcs)


def run_after_restore(app: App) -> None:
    """The runtime's after-restore hook for ``app``: per-process refresh, then the app's own functions."""
    random = sys.modules.get("random")
    if random is not None and hasattr(random, "seed"):
        random.seed()  # from os.urandom: environments restored from one snapshot must not share a sequence
    serializers = getattr(app.session_interface, "_serializers", None)
    if isinstance(serializers, dict):
        serializers.clear()
    _run(app.after_restore_funcs)


def _run(funcs: list[Callable[[], Any]]) -> None:
    for f in funcs:
        f()


def prime(app: App) -> None:
    """Import and run, once, what the app's requests will need, without calling any code of the app."""
    from . import _stdlib  # noqa: PLC0415

    for name in _stdlib.DEFERRED:
        module = sys.modules.get(name)
        if isinstance(module, _stdlib.DeferredModule):
            dir(module)  # imports the real module
    import werkzeug.wrappers.request  # noqa: F401, PLC0415 - the form parser, in the snapshot

    if _has_templates(app):
        app.preload_templates()
    app.url_map.update()
    _prime_requests(app)
    if _dispatch_calls_no_app_code(app):
        _prime_dispatch(app)
    _prime_matches(app)
    _prime_binary_cache(app)
    gc.collect()
    gc.freeze()


def _prime_dispatch(app: App) -> None:
    """The whole Lambda path, a few times over (CPython specialises a function's bytecode after a few runs):
    a 404 with no hook, handler or receiver of the app to call.

    Each run comes with a Host of its own: the first request after a restore brings a Host the memos have
    never seen (the API's own domain, unknown at INIT), so the host checks it pays for (the adapter's
    server name, the App's verdict and URL binding) must be specialised code too. The priming hosts (and
    the priming path's 404) are then taken out of the memos: they must not fill the room of real ones.
    """
    from .adapter import environ  # noqa: PLC0415

    memos: list[dict[Any, Any]] = [environ._SERVER_NAMES, app._server_names, app._matches]
    before = [dict(memo) for memo in memos]
    for event in _events():
        for run in range(_DISPATCH_RUNS):
            app.lambda_handler(_with_host(event, f"prime-{run}.snapstart.invalid"), None)
    for memo, kept in zip(memos, before, strict=True):
        memo.clear()
        memo.update(kept)


def _with_host(event: dict[str, Any], host: str) -> dict[str, Any]:
    """``event`` with its Host header (either spelling, either header map) replaced by ``host``."""
    copy = dict(event)
    for field, value in (("headers", host), ("multiValueHeaders", [host])):
        headers = event.get(field)
        if isinstance(headers, dict):
            copy[field] = {name: value if name.lower() == "host" else old for name, old in headers.items()}
    return copy


def _prime_matches(app: App) -> None:
    """Remember the match of each rule without arguments (``/``, ``/health``) for its methods, as the first
    request to it would (werkzeug's matcher run once: its answer depends on the path and method alone), so
    the first such request after a restore finds it; matching is not calling, no view runs."""
    from werkzeug.exceptions import HTTPException  # noqa: PLC0415

    url_map = app._matches_map()
    if url_map is None:
        return
    adapter = url_map.bind("localhost")
    for rule in list(url_map.iter_rules()):
        if rule.arguments or not rule.methods or rule.subdomain:
            continue
        for method in sorted(rule.methods):
            try:
                matched, args = adapter.match(rule.rule, method, return_rule=True)
            except HTTPException:
                continue  # a redirect or another rule answers this path: left to the request
            if matched is rule:
                app._remember_match(("", rule.rule, method, False), rule, args)


def _prime_binary_cache(app: App) -> None:
    """Fill the Lambda handler's memo of text/binary verdicts for the framework's own response types."""
    from .adapter.result import _is_binary  # noqa: PLC0415

    handler = app._lambda_handler
    cache = handler._binary_cache
    for content_type in _CONTENT_TYPES:
        if content_type not in cache:
            cache[content_type] = _is_binary(content_type, handler._is_text, handler._always_binary)


def _dispatch_calls_no_app_code(app: App) -> bool:
    """Whether a request that matches no rule runs nothing of the app's: no request hooks, no error
    handlers, no signal receivers, the App's own dispatch."""
    from . import signals  # noqa: PLC0415
    from .app import App  # noqa: PLC0415

    scaffolds = [app, *app.iter_blueprints()]
    if any(
        any(s.before_request_funcs.values())
        or any(s.after_request_funcs.values())
        or any(s.teardown_request_funcs.values())
        or s.error_handler_spec
        for s in scaffolds
    ):
        return False
    if app.teardown_appcontext_funcs or any(
        getattr(signals, name).connected
        for name in ("request_started", "request_finished", "request_tearing_down", "got_request_exception")
    ):
        return False
    return (
        all(
            getattr(type(app), name) is getattr(App, name)
            for name in (
                "wsgi_app",
                "__call__",
                "full_dispatch_request",
                "handle_exception",
                "lambda_handler",
            )
        )
        and getattr(app.wsgi_app, "__func__", None) is App.wsgi_app
    )


def _has_templates(app: App) -> bool:
    scaffolds = [app, *app.iter_blueprints()]
    return any(
        s.template_folder is not None
        and s.root_path is not None
        and os.path.isdir(os.path.join(s.root_path, s.template_folder))
        for s in scaffolds
    )


def _prime_requests(app: App) -> None:
    import contextlib  # noqa: PLC0415 - SnapStart only: the runtime client has not loaded it

    from werkzeug.exceptions import HTTPException, InternalServerError, NotFound  # noqa: PLC0415

    from .adapter.environ import complete_environ  # noqa: PLC0415
    from .adapter.handler import BUILDERS  # noqa: PLC0415
    from .adapter.infer import infer_source  # noqa: PLC0415
    from .adapter.result import ResponseCollector, build_result  # noqa: PLC0415
    from .ctx import RequestContext  # noqa: PLC0415
    from .globals import _cv_request  # noqa: PLC0415

    for event in _events():
        source = infer_source(event)
        assert source is not None
        for accept in ("application/json", "text/html"):
            # Lazily built, as the App's Lambda door builds it (completed for the WSGI answers below).
            environ = BUILDERS[source](source, event, None, "", True)
            environ["HTTP_ACCEPT"] = accept
            ctx = RequestContext(app, environ)
            # Current for the error pages' format choice, but not pushed: pushing and popping would run
            # the app's teardown functions.
            token = _cv_request.set(ctx)
            try:
                request = ctx.request
                request.args.get("x")
                request.get_json(silent=True)
                adapter = ctx.url_adapter
                with contextlib.suppress(NotFound):  # the matcher, built and walked
                    adapter.match(_PRIME_PATH, "GET")
                for rule in app.url_map.iter_rules():
                    # Matching (not calling) each route without arguments: the matcher's paths to them.
                    if not rule.arguments and rule.methods:
                        with contextlib.suppress(HTTPException):
                            adapter.match(rule.rule, next(iter(sorted(rule.methods))))
                responses = [
                    app.json.response({"snapstart": True}),
                    app.response_class("snapstart", mimetype="text/plain"),
                    app.http_error_response(NotFound()),
                    app.http_error_response(InternalServerError()),
                ]
            finally:
                _cv_request.reset(token)
                ctx.release_environ()
            complete_environ(environ)
            for response in responses:
                collector = ResponseCollector()
                body = b"".join(response(environ, collector.start_response))
                assert collector.status is not None
                build_result(
                    source,
                    collector.status,
                    collector.headers,
                    body,
                    method="GET",
                    alb_multi_value=False,
                )


def _events() -> list[dict[str, Any]]:
    body = '{"snapstart": true}'
    context = {"stage": "$default", "domainName": "localhost", "identity": {"sourceIp": "127.0.0.1"}}
    rest = {
        "resource": "/{proxy+}",
        "path": _PRIME_PATH,
        "httpMethod": "POST",
        "headers": dict(_HEADERS),
        "multiValueHeaders": {name: [value] for name, value in _HEADERS.items()},
        "queryStringParameters": {"x": "1"},
        "multiValueQueryStringParameters": {"x": ["1"]},
        "requestContext": {**context, "path": _PRIME_PATH, "protocol": "HTTP/1.1"},
        "body": body,
        "isBase64Encoded": False,
    }
    http = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": _PRIME_PATH,
        "rawQueryString": "x=1",
        "headers": {name.lower(): value for name, value in _HEADERS.items()},
        "requestContext": {
            **context,
            "http": {"method": "POST", "path": _PRIME_PATH, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }
    alb = {
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:::targetgroup/prime/0"}},
        "httpMethod": "POST",
        "path": _PRIME_PATH,
        "queryStringParameters": {"x": "1"},
        "headers": {name.lower(): value for name, value in _HEADERS.items()},
        "body": body,
        "isBase64Encoded": False,
    }
    return [rest, http, alb]
