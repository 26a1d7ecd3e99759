"""View decorators for the checks API Gateway cannot express: ``login_required``, ``require_scopes``,
``require_groups``.

They read :attr:`request.identity <lambda_micro.wrappers.Request.identity>` (what the authorizer, or the
app's identity loader, established) and answer like any HTTP error of the app, JSON or HTML by content
negotiation:

- no identity: ``401 Unauthorized`` with ``WWW-Authenticate: Bearer`` (RFC 6750 section 3), or, for a
  client that prefers HTML when ``app.config["LOGIN_VIEW"]`` names the login endpoint, a redirect there with
  ``?next=`` the page asked for (Flask-Login's convention);
- an identity without the scopes: ``403 Forbidden`` with ``WWW-Authenticate: Bearer
  error="insufficient_scope", scope="..."`` (RFC 6750 section 3.1);
- an identity outside the groups: ``403 Forbidden``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from .globals import current_app, request

if TYPE_CHECKING:
    from .identity import Identity

__all__ = ["login_required", "require_groups", "require_scopes"]

F = TypeVar("F", bound=Callable[..., Any])
Match = Literal["all", "any"]


def _unauthenticated() -> Any:
    app = current_app
    login_view = app.config.get("LOGIN_VIEW")
    if login_view and not app._wants_json(None):
        from .helpers import redirect, url_for  # noqa: PLC0415 - only for an HTML login redirect

        target = request.full_path if request.query_string else request.path
        return redirect(url_for(login_view, next=request.script_root + target), 303)
    raise Unauthorized(
        "This resource needs an authenticated user: sign in and send your token.",
        www_authenticate=WWWAuthenticate("Bearer"),
    )


def _check(names: tuple[str, ...], granted: tuple[str, ...], match: Match) -> list[str]:
    """The names missing for the check to pass (empty: it passes)."""
    missing = [name for name in names if name not in granted]
    if match == "any" and len(missing) < len(names):
        return []
    return missing


def _validated(what: str, names: tuple[str, ...], match: str) -> None:
    if not names:
        raise TypeError(f"require_{what}() needs at least one name")
    if not all(isinstance(name, str) and name for name in names):
        raise TypeError(f"require_{what}() takes non-empty strings, got {names!r}")
    if match not in ("all", "any"):
        raise ValueError(f"require_{what}(match=...) is 'all' or 'any', not {match!r}")


def _guarded(refusal: Callable[[Identity], HTTPException | None]) -> Callable[[F], F]:
    """A view decorator: anonymous callers are refused as unauthenticated, others by ``refusal``."""

    def decorator(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = request.identity
            if not identity.authenticated:
                return _unauthenticated()
            error = refusal(identity)
            if error is not None:
                raise error
            return f(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


@overload
def login_required(view: F) -> F: ...


@overload
def login_required(view: None = None) -> Callable[[F], F]: ...


def login_required(view: F | None = None) -> F | Callable[[F], F]:
    """Let the view run only for an authenticated identity (``@login_required`` or ``@login_required()``)."""
    decorator: Callable[[F], F] = _guarded(lambda identity: None)
    return decorator(view) if view is not None else decorator


def require_scopes(*scopes: str, match: Match = "all") -> Callable[[F], F]:
    """Let the view run only when the identity was granted ``scopes`` (every one; ``match="any"``: one)."""
    _validated("scopes", scopes, match)

    def refusal(identity: Identity) -> HTTPException | None:
        missing = _check(scopes, identity.scopes, match)
        if not missing:
            return None
        challenge = WWWAuthenticate("Bearer", {"error": "insufficient_scope", "scope": " ".join(scopes)})
        return _Forbidden(
            f"This resource needs the scope{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}{' (any one of them)' if match == 'any' else ''}.",
            challenge,
        )

    return _guarded(refusal)


def require_groups(*groups: str, match: Match = "all") -> Callable[[F], F]:
    """Let the view run only when the identity is in ``groups`` (every one; ``match="any"``: one)."""
    _validated("groups", groups, match)

    def refusal(identity: Identity) -> HTTPException | None:
        missing = _check(groups, identity.groups, match)
        if not missing:
            return None
        return Forbidden(
            f"This resource is for members of {'any of ' if match == 'any' else ''}"
            f"{', '.join(missing if match == 'all' else groups)}."
        )

    return _guarded(refusal)


class _Forbidden(Forbidden):
    """403 with a ``WWW-Authenticate`` challenge (werkzeug's Forbidden has none)."""

    def __init__(self, description: str, challenge: WWWAuthenticate) -> None:
        super().__init__(description)
        self.challenge = challenge

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", self.challenge.to_header())]
