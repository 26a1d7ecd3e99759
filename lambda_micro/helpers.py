"""Request-time helpers: abort, redirect, jsonify, make_response, url_for, flash, templates, files,
stream_with_context."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.utils import redirect as _redirect
from werkzeug.utils import send_file as _send_file
from werkzeug.utils import send_from_directory as _send_from_directory
from werkzeug.wrappers.response import Response as _WerkzeugResponse

from . import signals
from .globals import _current_app_or_none, _cv_request

if TYPE_CHECKING:
    from .app import App
    from .ctx import RequestContext
    from .typing import ResponseReturnValue
    from .wrappers import Response

__all__ = [
    "abort",
    "flash",
    "get_flashed_messages",
    "jsonify",
    "make_response",
    "redirect",
    "render_template",
    "render_template_string",
    "send_file",
    "send_from_directory",
    "stream_with_context",
    "url_for",
]

T = TypeVar("T")


def _ctx(what: str) -> RequestContext:
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            f"{what}() needs an active request: call it from a view, a hook or an error handler"
            " (in tests and scripts, inside `with app.test_request_context():`)."
        )
    return ctx


def _app(what: str) -> App:
    app = _current_app_or_none()
    if app is None:
        raise RuntimeError(
            f"{what}() needs an application context: call it from a view, a hook or a CLI command of the"
            " app (in tests and scripts, inside `with app.app_context():`)."
        )
    return app


def abort(code: int | _WerkzeugResponse, description: str | None = None, **kwargs: Any) -> NoReturn:
    """Stop the request with an HTTP error: ``abort(404)``, ``abort(403, "Not your post")``.

    ``abort(response)`` sends that response as is. Extra keyword arguments go to the werkzeug exception
    (``abort(405, valid_methods=["GET"])``, ``abort(429, retry_after=30)``). The error is answered as JSON
    or HTML depending on the client, unless an error handler is registered for it.
    """
    if isinstance(code, _WerkzeugResponse):
        raise HTTPException(description=description, response=code)
    exc_class = default_exceptions.get(code)
    if exc_class is None:
        raise LookupError(
            f"abort({code!r}): no HTTP error is defined for that status code; return a response instead"
            " (for example `return body, 299`)."
        )
    # By keyword: some exceptions take other arguments first (MethodNotAllowed's valid_methods,
    # RequestedRangeNotSatisfiable's length), so a positional description would land in the wrong one.
    raise exc_class(description=description, **kwargs)


def redirect(location: str, code: int = 302) -> Response:
    """A redirect response (302 by default; 301, 303, 307 or 308 as asked)."""
    app = _current_app_or_none()
    if app is not None:
        return app.redirect(location, code)
    from .wrappers import Response  # noqa: PLC0415 - avoids an import cycle

    return _redirect(location, code=code, Response=Response)  # type: ignore[return-value]


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """A JSON response from one value, several values (a list) or keyword arguments (an object).

    Uses the current app's JSON provider: Decimal, sets, datetimes and UUIDs are handled.
    """
    app = _current_app_or_none()
    if app is not None:
        return app.json.response(*args, **kwargs)
    from .json import _DEFAULT_PROVIDER  # noqa: PLC0415 - the default provider, outside a request

    return _DEFAULT_PROVIDER.response(*args, **kwargs)


def make_response(*args: Any) -> Response:
    """Turn a view-style return value into a Response, to add headers or cookies before returning it.

    ``make_response()`` is an empty response; ``make_response(body, 201, headers)`` takes the tuple's items.
    """
    app = _app("make_response")
    if not args:
        return app.response_class()
    rv: ResponseReturnValue = args[0] if len(args) == 1 else args
    return app.make_response(rv)


def url_for(
    endpoint: str,
    /,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: Any,
) -> str:
    """The URL of ``endpoint`` (``"index"``, ``"blog.show"``, ``".show"`` within the current blueprint).

    Honours SCRIPT_NAME, so links work under an API Gateway stage (``/Prod/...``). Unknown keyword values
    become query arguments. In an application context without a request, the URL is external, built from
    ``SERVER_NAME``. See :meth:`lambda_micro.App.url_for`.
    """
    return _app("url_for").url_for(
        endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
    )


def flash(message: str, category: str = "message") -> None:
    """Store a message in the session for the next request (needs a secret key)."""
    ctx = _ctx("flash")
    session = ctx.session
    flashes = list(session.get("_flashes", []))
    flashes.append([category, message])
    session["_flashes"] = flashes
    if signals.message_flashed.connected:
        signals.message_flashed.send(ctx.app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: tuple[str, ...] | list[str] = ()
) -> list[Any]:
    """Pop the flashed messages (once per request; later calls in the same request return the same list).

    ``with_categories`` returns ``(category, message)`` pairs; ``category_filter`` keeps only those
    categories.
    """
    ctx = _ctx("get_flashed_messages")
    flashes = ctx.flashes
    if flashes is None:
        session = ctx.session
        raw = session.pop("_flashes") if "_flashes" in session else []
        flashes = [
            (str(item[0]), item[1]) for item in raw if isinstance(item, (list, tuple)) and len(item) == 2
        ]
        ctx.flashes = flashes
    if category_filter:
        flashes = [item for item in flashes if item[0] in category_filter]
    if with_categories:
        return list(flashes)
    return [message for _, message in flashes]


# Filled on the first render: templating imports jinja2, which a JSON-only function never loads. Cached
# here so that rendering does not execute an import statement on every request.
_TEMPLATING: dict[str, Callable[..., str]] = {}


def _render(app: App, template: Any, context: dict[str, Any]) -> str:
    renderer = _TEMPLATING.get("render")
    if renderer is None:
        from .templating import render  # noqa: PLC0415 - jinja2 only when templates are used

        renderer = _TEMPLATING["render"] = render
    return renderer(app, template, context)


def render_template(template_name_or_list: str | list[str], /, **context: Any) -> str:
    """Render a template from the app's (or a blueprint's) template folder with ``context`` (in a request,
    or in an application context without ``request`` and ``session``)."""
    app = _app("render_template")
    return _render(app, app.jinja_env.get_or_select_template(template_name_or_list), context)  # type: ignore[arg-type]


def render_template_string(source: str, /, **context: Any) -> str:
    """Render a template given as a string (autoescaped like an ``.html`` template)."""
    app = _app("render_template_string")
    return _render(app, app.jinja_env.from_string(source), context)


def stream_with_context(generator_or_function: Iterator[T] | Callable[..., Iterator[T]]) -> Any:
    """Keep the request context (``request``, ``session``, ``g``) while a streamed response's generator
    runs, after the view has returned. Wraps a generator, or decorates a generator function."""
    if callable(generator_or_function) and not isinstance(generator_or_function, Iterator):
        function = generator_or_function

        def decorated(*args: Any, **kwargs: Any) -> Iterator[T]:
            return stream_with_context(function(*args, **kwargs))  # type: ignore[no-any-return]

        from functools import update_wrapper  # noqa: PLC0415 - streaming views only

        return update_wrapper(decorated, function)
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "stream_with_context() needs an active request: call it in the view that returns the stream."
        )
    return _streamed(ctx, iter(generator_or_function))


def _streamed(ctx: RequestContext, gen: Iterator[T]) -> Iterable[T]:
    # Pushed (again) while the body is produced: the view's contexts are gone once it returned. The
    # first next() runs at once, below, so that the push happens before the view's context is popped.
    def generate() -> Iterator[Any]:
        with ctx:
            yield None
            try:
                yield from gen
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()

    wrapped = generate()
    next(wrapped)
    return wrapped


def send_file(
    path_or_file: str | os.PathLike[str] | IO[bytes],
    mimetype: str | None = None,
    *,
    as_attachment: bool = False,
    download_name: str | None = None,
    max_age: int | None = None,
    **kwargs: Any,
) -> Response:
    """Send a file (path or binary file object) with Content-Type, ETag and conditional GET (304/206)."""
    ctx = _ctx("send_file")
    if max_age is None:
        max_age = ctx.app.config["SEND_FILE_MAX_AGE_DEFAULT"]
    return _send_file(  # type: ignore[return-value]
        path_or_file,
        ctx.request.environ,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        max_age=max_age,
        response_class=ctx.app.response_class,
        **kwargs,
    )


def send_from_directory(
    directory: str | os.PathLike[str], path: str | os.PathLike[str], **kwargs: Any
) -> Response:
    """Send ``path`` from inside ``directory``; a path escaping it (``..``, absolute) or missing gives 404."""
    ctx = _ctx("send_from_directory")
    kwargs.setdefault("max_age", ctx.app.config["SEND_FILE_MAX_AGE_DEFAULT"])
    kwargs.setdefault("response_class", ctx.app.response_class)
    return _send_from_directory(directory, path, ctx.request.environ, **kwargs)  # type: ignore[return-value]
