"""JSON that handles what DynamoDB and applications return: Decimal, sets, datetimes, UUIDs, dataclasses.

Each App has its own provider (``app.json``); the module-level :func:`dumps` and :func:`loads` use the current
app's provider inside a request and the default behaviour outside one.
"""

from __future__ import annotations

import dataclasses
import datetime
import json as _json
import sys
import uuid
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from .globals import _current_app_or_none

if TYPE_CHECKING:
    from .app import App
    from .wrappers import Response

__all__ = ["DefaultJSONProvider", "JSONProvider", "default", "dump", "dumps", "jsonify", "load", "loads"]


def default(o: Any) -> Any:
    """Convert a value the stdlib encoder does not know; raise ``TypeError`` for anything else.

    - ``Decimal`` → ``int`` when integral (DynamoDB numbers), else ``float``; NaN/Infinity are refused.
    - ``set``/``frozenset`` → a sorted list when the items are orderable, else a list.
    - ``datetime``/``date``/``time`` → ISO 8601 strings; ``UUID`` → its string form.
    - dataclass instances → dicts; objects with ``__html__`` (markup) → that string.
    """
    # decimal is imported by whoever makes a Decimal (boto3's DynamoDB types do): not here, at cold start.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(o, decimal.Decimal):
        if not o.is_finite():
            raise TypeError(f"Decimal {o} is not JSON serializable (JSON has no NaN or Infinity)")
        if o == o.to_integral_value():
            return int(o)
        return float(o)
    if isinstance(o, (set, frozenset)):
        try:
            return sorted(o)
        except TypeError:
            return list(o)
    if isinstance(o, (datetime.date, datetime.time)):
        return o.isoformat()
    if isinstance(o, uuid.UUID):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class JSONProvider:
    """Per-application JSON settings and behaviour (``app.json``).

    Customise one app by setting attributes (``app.json.sort_keys = False``,
    ``app.json.default = my_default``) or by assigning a subclass instance (``app.json = MyProvider(app)``).
    """

    #: Sort object keys (stable output, like Flask).
    sort_keys: bool = True
    #: Escape non-ASCII characters as ``\\uXXXX``.
    ensure_ascii: bool = True
    #: ``None``: compact unless the app is in debug mode; ``True``/``False`` force it.
    compact: bool | None = None
    #: The media type of :meth:`response`.
    mimetype: str = "application/json"
    # The encoder response() reuses, with the settings it was built from (a class default: subclasses
    # that skip __init__ still work).
    _encoder: tuple[tuple[Any, ...], _json.JSONEncoder] | None = None

    def __init__(self, app: App | None = None) -> None:
        self._app = app
        #: Called for values the encoder does not know; replace it to support more types.
        self.default: Callable[[Any], Any] = default

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise ``obj`` to a JSON string with this provider's settings (keyword arguments override)."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return _json.dumps(obj, **kwargs)

    def dump(self, obj: Any, fp: IO[str], **kwargs: Any) -> None:
        """Serialise ``obj`` into a text file."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a JSON document."""
        return _json.loads(s, **kwargs)

    def load(self, fp: IO[str] | IO[bytes], **kwargs: Any) -> Any:
        """Parse a JSON document from a file."""
        return self.loads(fp.read(), **kwargs)

    def _response_encoder(self, compact: bool) -> _json.JSONEncoder:
        """The encoder ``dumps(obj, separators=...)``/``dumps(obj, indent=2)`` builds, kept while the settings
        it was built from (``default``, ``ensure_ascii``, ``sort_keys``, compactness) are unchanged."""
        settings = (self.default, self.ensure_ascii, self.sort_keys, compact)
        cached = self._encoder
        if cached is not None:
            old = cached[0]
            if old[0] is settings[0] and old[1:] == settings[1:]:
                return cached[1]
        encoder = _json.JSONEncoder(
            default=self.default, ensure_ascii=self.ensure_ascii, sort_keys=self.sort_keys, **_LAYOUT[compact]
        )
        self._encoder = (settings, encoder)
        return encoder

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response: one positional argument is the value, several are a list, keywords a dict."""
        if args and kwargs:
            raise TypeError("jsonify() takes either positional arguments or keyword arguments, not both")
        obj: Any = (args[0] if len(args) == 1 else list(args)) if args else kwargs or None
        app = self._app
        compact = self.compact
        if compact is None:  # compact unless the app is in debug mode
            compact = not (app is not None and app.debug)
        if type(self).dumps is JSONProvider.dumps:
            body = self._response_encoder(compact).encode(obj)  # what dumps() would do, encoder reused
        else:
            body = self.dumps(obj, **_LAYOUT[compact])
        response_class = app.response_class if app is not None else _response_class()
        return response_class(f"{body}\n", mimetype=self.mimetype)


# The layout of response(): compact, or indented for reading (debug mode).
_LAYOUT: dict[bool, dict[str, Any]] = {True: {"separators": (",", ":")}, False: {"indent": 2}}


def _response_class() -> type[Response]:
    from .wrappers import Response  # noqa: PLC0415 - wrappers imports this module

    return Response


#: Flask's name for its default provider class (``flask.json.provider.DefaultJSONProvider``).
DefaultJSONProvider = JSONProvider

_DEFAULT_PROVIDER = JSONProvider()


def _provider() -> JSONProvider:
    app = _current_app_or_none()
    return app.json if app is not None else _DEFAULT_PROVIDER


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """A JSON response from the current app's provider (``flask.json.jsonify``)."""
    return _provider().response(*args, **kwargs)


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialise with the current app's provider (the default one outside a request)."""
    return _provider().dumps(obj, **kwargs)


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """Parse with the current app's provider (the default one outside a request)."""
    return _provider().loads(s, **kwargs)


def dump(obj: Any, fp: IO[str], **kwargs: Any) -> None:
    """Serialise into a file with the current app's provider."""
    _provider().dump(obj, fp, **kwargs)


def load(fp: IO[str] | IO[bytes], **kwargs: Any) -> Any:
    """Parse from a file with the current app's provider."""
    return _provider().load(fp, **kwargs)
