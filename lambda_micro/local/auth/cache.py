"""Lambda authorizer results kept for their TTL, keyed by the identity source values, as API Gateway does.

API Gateway caches an authorizer's answer (its policy and context, or a simple response) under the values
of its identity sources for ``authorizerResultTtlInSeconds`` (``ReauthorizeEvery``), and evaluates a cached
policy against each request's own ARN: a policy that allowed only ``GET /posts`` then refuses ``PUT /posts``
from the same token until the entry expires, exactly the surprise it is on AWS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["AuthorizerCache"]


class AuthorizerCache:
    """``get``/``put`` of authorizer answers with a per-entry TTL (thread-safe, bounded)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        #: How many answers came from the cache (for tests and the log).
        self.hits = 0

    def get(self, key: Hashable) -> Any | None:
        """The cached answer for ``key``, or ``None`` (absent or expired)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            self.hits += 1
            return entry[1]

    def put(self, key: Hashable, value: Any, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds (nothing for ``ttl <= 0``)."""
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max:
                now = self._clock()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self._max:
                    self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (self._clock() + ttl, value)

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._entries.clear()
