"""Flask's signals, on blinker, which is imported only when a receiver connects (the extra
``lambda-micro[signals]``).

Each signal here is a stand-in: ``send()`` costs one attribute check and needs no blinker while nothing is
connected. Any other use (``connect``, ``connect_via``, ``connected_to``, ``receivers``, …) imports blinker,
creates the real ``blinker`` signal of that name and delegates to it, so receivers behave exactly as with
Flask (``template_rendered.connect(record, app)``, ``with template_rendered.connected_to(record, app):``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from blinker import NamedSignal

F = TypeVar("F", bound=Callable[..., Any])

#: "Any sender" (blinker's ``ANY``), without importing blinker.
ANY: Any = object()


def _blinker_any() -> Any:
    from blinker import ANY as BLINKER_ANY  # noqa: PLC0415 - the real signal exists, so blinker is loaded

    return BLINKER_ANY


__all__ = [
    "ANY",
    "LazySignal",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]


def _blinker_missing(error: ImportError) -> ModuleNotFoundError:
    return ModuleNotFoundError(
        f"lambda_micro signals need blinker, which could not be imported ({error}): install the extra"
        " lambda-micro[signals], e.g. pip install 'lambda-micro[signals]'.",
        name="blinker",
    )


class LazySignal:
    """A named signal that becomes a ``blinker`` signal on first use other than ``send()``.

    It has blinker's API (``connect``, ``connect_via``, ``connected_to``, ``disconnect``, ``muted``,
    ``receivers``, ``has_receivers_for``, ``receivers_for``, ``send``), each delegated to the real signal.
    No ``__getattr__``: the framework reads ``connected`` on every request, and a class with one makes
    every attribute read slower.
    """

    __slots__ = ("_real", "connected", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        #: Whether the blinker signal exists (something was connected once). While ``False``, ``send()``
        #: does nothing and the framework skips building its arguments.
        self.connected = False
        self._real: NamedSignal | None = None

    @property
    def signal(self) -> NamedSignal:
        """The blinker signal of this name (blinker is imported, and the signal made, on first use)."""
        real = self._real
        if real is None:
            try:
                from blinker import Namespace  # noqa: PLC0415 - only apps that connect receivers pay
            except ImportError as e:
                raise _blinker_missing(e) from e
            real = self._real = _namespace(Namespace).signal(self.name)
            self.connected = True
        return real

    def send(self, sender: Any = None, /, **kwargs: Any) -> list[tuple[Any, Any]]:
        """Call the receivers connected for ``sender`` (none, at no cost, until one connects)."""
        real = self._real
        if real is None:
            return []
        return real.send(sender, **kwargs)

    def connect(self, receiver: F, sender: Any = ANY, weak: bool = True) -> F:
        """Connect ``receiver(sender, **kwargs)``, for every sender or only ``sender`` (blinker's)."""
        return self.signal.connect(receiver, sender if sender is not ANY else _blinker_any(), weak)

    def connect_via(self, sender: Any, weak: bool = False) -> Callable[[F], F]:
        """Decorator form of :meth:`connect` for one sender."""
        return self.signal.connect_via(sender, weak)

    def connected_to(self, receiver: Callable[..., Any], sender: Any = ANY) -> AbstractContextManager[None]:
        """A ``with`` block during which ``receiver`` is connected (tests)."""
        return self.signal.connected_to(receiver, sender if sender is not ANY else _blinker_any())

    def disconnect(self, receiver: Callable[..., Any], sender: Any = ANY) -> None:
        """Disconnect ``receiver`` (for ``sender``, or for every sender)."""
        self.signal.disconnect(receiver, sender if sender is not ANY else _blinker_any())

    def muted(self) -> AbstractContextManager[None]:
        """A ``with`` block during which sending calls no receiver."""
        return self.signal.muted()

    @property
    def receivers(self) -> dict[Any, Any]:
        """blinker's receivers mapping."""
        return self.signal.receivers

    def has_receivers_for(self, sender: Any) -> bool:
        """Whether a receiver is connected for ``sender`` (or for any sender)."""
        return self._real is not None and self._real.has_receivers_for(sender)

    def receivers_for(self, sender: Any) -> Iterator[Callable[..., Any]]:
        """The receivers connected for ``sender``."""
        if self._real is None:
            return iter(())
        return self._real.receivers_for(sender)

    def __repr__(self) -> str:
        return f"<LazySignal {self.name!r}{' (blinker)' if self._real is not None else ''}>"


_NAMESPACE: list[Any] = []


def _namespace(namespace_class: type[Any]) -> Any:
    """One blinker Namespace for all of lambda_micro's signals (like Flask's ``_signals``)."""
    if not _NAMESPACE:
        _NAMESPACE.append(namespace_class())
    return _NAMESPACE[0]


# Flask's names, in its order (flask/signals.py).
template_rendered = LazySignal("template-rendered")
before_render_template = LazySignal("before-render-template")
request_started = LazySignal("request-started")
request_finished = LazySignal("request-finished")
request_tearing_down = LazySignal("request-tearing-down")
got_request_exception = LazySignal("got-request-exception")
appcontext_tearing_down = LazySignal("appcontext-tearing-down")
appcontext_pushed = LazySignal("appcontext-pushed")
appcontext_popped = LazySignal("appcontext-popped")
message_flashed = LazySignal("message-flashed")
