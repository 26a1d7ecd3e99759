"""Signed-cookie sessions: JSON (never pickle) signed with itsdangerous, imported only when used.

itsdangerous is an optional dependency, the extra ``lambda-micro[sessions]``: an app that never opens a
session (a JSON API) works without it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import CallbackDict

from .globals import _cv_request

if TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

    from .app import App
    from .wrappers import Request, Response

__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
]

_SESSION_UNAVAILABLE = (
    "The session is unavailable because no secret key was set. Set app.secret_key (config['SECRET_KEY']) or"
    " the LAMBDA_MICRO_SECRET_KEY environment variable to a long random string."
)


class SessionMixin(MutableMapping[str, Any]):
    """What every session has besides the mapping: ``permanent``, ``new``, ``modified``, ``accessed``."""

    #: Whether the session was created by this request (no valid cookie came in).
    new = False
    #: Whether the session changed (only then is a cookie sent back).
    modified = True
    #: Whether the session was read or written.
    accessed = True

    @property
    def permanent(self) -> bool:
        """A permanent session's cookie expires after ``PERMANENT_SESSION_LIFETIME``, else at browser exit."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


class SecureCookieSession(CallbackDict[str, Any], SessionMixin):
    """The session dict: tracks reads (``accessed``) and writes (``modified``)."""

    modified = False
    accessed = False

    def __init__(self, initial: Any = None) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().setdefault(key, default)


class NullSession(SecureCookieSession):
    """The read-only empty session used when no secret key is set; any change raises ``RuntimeError``."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(_SESSION_UNAVAILABLE)

    __setitem__ = __delitem__ = clear = pop = popitem = update = _fail

    def setdefault(self, key: str, default: Any = None) -> Any:
        raise RuntimeError(_SESSION_UNAVAILABLE)


class SessionInterface:
    """How sessions are opened from a request and saved into a response. Subclass to store them elsewhere."""

    null_session_class: type[SecureCookieSession] = NullSession

    def make_null_session(self, app: App) -> SecureCookieSession:
        """The session used when sessions cannot work (no secret key)."""
        return self.null_session_class()

    def is_null_session(self, session: object) -> bool:
        """Whether ``session`` is the null session."""
        return isinstance(session, self.null_session_class)

    def open_session(self, app: App, request: Request) -> SessionMixin:
        """Load the session for ``request``."""
        raise NotImplementedError

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        """Store ``session`` into ``response``."""
        raise NotImplementedError

    def get_cookie_name(self, app: App) -> str:
        """``SESSION_COOKIE_NAME``."""
        return str(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_path(self, app: App, request: Request | None) -> str:
        """``SESSION_COOKIE_PATH``, else the request's script root (the API stage ``/Prod``), else ``/``."""
        path = app.config["SESSION_COOKIE_PATH"]
        if path:
            return str(path)
        return (request.script_root if request is not None else "") or "/"

    def get_cookie_secure(self, app: App, request: Request | None) -> bool:
        """``SESSION_COOKIE_SECURE``, or whether the request came over https."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request is not None and request.is_secure)


# itsdangerous is imported on the first session use, then kept here: no import statement per request.
_ITSDANGEROUS: dict[str, type[Exception]] = {}


def _itsdangerous_missing(error: ImportError) -> ModuleNotFoundError:
    """The error for an app using sessions without itsdangerous, an optional dependency of lambda-micro."""
    return ModuleNotFoundError(
        f"lambda_micro sessions (session, flash) need itsdangerous, which could not be imported ({error}):"
        " install the extra lambda-micro[sessions], e.g. pip install 'lambda-micro[sessions]'.",
        name="itsdangerous",
    )


def _bad_signature() -> type[Exception]:
    """itsdangerous' ``BadSignature`` (tampered, expired or malformed cookies), imported once."""
    bad_signature = _ITSDANGEROUS.get("BadSignature")
    if bad_signature is None:
        try:
            from itsdangerous import BadSignature  # noqa: PLC0415 - only apps using sessions pay
        except ImportError as e:
            raise _itsdangerous_missing(e) from e

        bad_signature = _ITSDANGEROUS["BadSignature"] = BadSignature
    return bad_signature


def _lifetime(app: App) -> timedelta:
    """``PERMANENT_SESSION_LIFETIME`` as a timedelta (an int is a number of seconds, as in Flask)."""
    value = app.config["PERMANENT_SESSION_LIFETIME"]
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=int(value))


class _JSONSessionSerializer:
    """Compact, sorted JSON through the app's provider (so Decimal, datetime and UUID values serialise)."""

    def __init__(self, app: App) -> None:
        self._app = app

    def dumps(self, obj: Any) -> str:
        return self._app.json.dumps(obj, separators=(",", ":"), sort_keys=True)

    def loads(self, s: str | bytes) -> Any:
        return json.loads(s)


def _lazy_sha256(string: bytes = b"") -> Any:
    """``hashlib.sha256``, looked up when a session is signed, not when this module is imported (Flask's
    ``_lazy_sha1``): the runtime may defer hashlib's import until then."""
    return hashlib.sha256(string)


class SecureCookieSessionInterface(SessionInterface):
    """Sessions stored in a cookie: JSON, signed (HMAC-SHA256) and timestamped with itsdangerous.

    The cookie is readable by the client (it is signed, not encrypted): never store secrets in it.
    """

    salt = "lambda_micro.session"
    digest_method: Callable[..., Any] = staticmethod(_lazy_sha256)
    key_derivation = "hmac"

    def __init__(self) -> None:
        self._serializers: dict[tuple[int, Any], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: App) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (cached), or ``None`` without a secret key."""
        key = app.secret_key
        if not key:
            return None
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
        cache_key = (id(app), (key, *fallbacks))
        serializer = self._serializers.get(cache_key)
        if serializer is None:
            try:
                from itsdangerous import URLSafeTimedSerializer  # noqa: PLC0415 - only apps using sessions pay
            except ImportError as e:
                raise _itsdangerous_missing(e) from e

            serializer = URLSafeTimedSerializer(
                [*fallbacks, key],  # the last key signs; every key verifies (rotation)
                salt=self.salt,
                serializer=_JSONSessionSerializer(app),
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
            self._serializers[cache_key] = serializer
        return serializer

    def open_session(self, app: App, request: Request) -> SessionMixin:
        """Verify the cookie; a missing, tampered, expired or malformed cookie gives an empty session."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return self.make_null_session(app)
        value = request.cookies.get(self.get_cookie_name(app))
        data = None
        if value:
            try:
                data = serializer.loads(value, max_age=int(_lifetime(app).total_seconds()))
            except _bad_signature():
                pass  # tampered, expired or malformed: a new session, like no cookie at all
        if not isinstance(data, dict):
            session = SecureCookieSession()
            session.new = True
            return session
        return SecureCookieSession(data)

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        """Set the cookie only when the session changed; delete it when emptied; always ``Vary: Cookie``."""
        ctx = _cv_request.get(None)
        request = ctx.request if ctx is not None else None
        # The response depends on the cookie whenever the session was looked at.
        response.vary.add("Cookie")
        if self.is_null_session(session) or not session.modified:
            return
        name = self.get_cookie_name(app)
        config = app.config
        attributes: dict[str, Any] = {
            "domain": config["SESSION_COOKIE_DOMAIN"],
            "path": self.get_cookie_path(app, request),
            "secure": self.get_cookie_secure(app, request),
            "samesite": config["SESSION_COOKIE_SAMESITE"],
            "httponly": bool(config["SESSION_COOKIE_HTTPONLY"]),
            "partitioned": bool(config.get("SESSION_COOKIE_PARTITIONED", False)),
        }
        if not session:
            response.delete_cookie(name, **attributes)
            return
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # pragma: no cover - a null session is returned when there is no key
            raise RuntimeError(_SESSION_UNAVAILABLE)
        expires: datetime | None = None
        if session.permanent:
            expires = datetime.now(UTC) + _lifetime(app)
        response.set_cookie(name, serializer.dumps(dict(session)), expires=expires, **attributes)
