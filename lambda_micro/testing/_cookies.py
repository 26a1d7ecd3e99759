"""The test client's cookie jar: ``Set-Cookie`` carried across calls like a browser (RFC 6265 paths)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from ._response import SetCookie

__all__ = ["CookieJar"]


def _default_path(request_path: str) -> str:
    # RFC 6265 5.1.4: the directory of the request path.
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path.rsplit("/", 1)[0]


def _path_matches(cookie_path: str, request_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


class CookieJar:
    """The client's cookies: ``(name, path) -> (value, expiry)``."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str], tuple[str, float | None]] = {}

    def update(self, set_cookie_headers: Iterable[str], request_path: str) -> None:
        for header in set_cookie_headers:
            cookie = SetCookie.parse(header)
            if cookie is None:
                continue
            key = (cookie.name, cookie.path or _default_path(request_path))
            if cookie.expired:
                self._cookies.pop(key, None)
            else:
                self._cookies[key] = (cookie.value, cookie.expires_at)

    def for_path(self, request_path: str) -> list[str]:
        now = time.time()
        for key, (_, expires) in list(self._cookies.items()):
            if expires is not None and expires <= now:
                del self._cookies[key]
        # Longer paths first, as browsers send them.
        matching = sorted(
            (
                (path, name, value)
                for (name, path), (value, _) in self._cookies.items()
                if _path_matches(path, request_path)
            ),
            key=lambda item: -len(item[0]),
        )
        return [f"{name}={value}" for _, name, value in matching]

    def set(self, name: str, value: str, path: str = "/") -> None:
        self._cookies[(name, path)] = (value, None)

    def delete(self, name: str, path: str = "/") -> None:
        self._cookies.pop((name, path), None)

    def get(self, name: str) -> str | None:
        return next((value for (key, _), (value, _) in self._cookies.items() if key == name), None)

    def clear(self) -> None:
        self._cookies.clear()

    def __len__(self) -> int:
        return len(self._cookies)

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self._cookies)
