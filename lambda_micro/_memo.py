"""The one bounded cache the runtime keeps: what a request computed from a value that repeats (a Host, a
Content-Type, an Accept header, an error page), remembered for the next request.

The values come from clients, so every memo follows one limit policy: at most ``limit`` entries, and when
it is full it starts over (the values seen now are the ones worth keeping, and a client cycling through
new values cannot grow it); a key built from a long text (over :data:`MAX_TEXT` characters) is never
remembered. A lookup is a plain ``dict.get``: nothing but a hit is paid on the hot path.
"""

from __future__ import annotations

from typing import Final, TypeVar

__all__ = ["MAX_TEXT", "Memo"]

K = TypeVar("K")
V = TypeVar("V")

#: The longest text a memo key may be built from (a longer one is computed every time).
MAX_TEXT: Final = 1024


class Memo(dict[K, V]):
    """A dict of at most ``limit`` entries, filled with :meth:`remember` (see the module docstring)."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: K, value: V, text_length: int = 0) -> V:
        """Store ``value`` under ``key`` (emptying the memo first when it is full) and return it; a key
        built from a text of ``text_length`` characters over :data:`MAX_TEXT` is not stored."""
        if text_length <= MAX_TEXT:
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value

    def __repr__(self) -> str:
        return f"Memo(limit={self.limit}, {dict.__repr__(self)})"
