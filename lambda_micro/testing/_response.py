"""What the test client returns: a decoded proxy result, and the ``Set-Cookie`` parser it uses."""

from __future__ import annotations

import json as _json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header

from lambda_micro.adapter.result import reason_phrase
from lambda_micro.local.results import HttpResult

__all__ = ["LambdaResponse", "SetCookie"]


class LambdaResponse:
    """A decoded proxy result: status, multi-valued headers, cookies, body; plus the event and raw result."""

    def __init__(
        self,
        http: HttpResult,
        *,
        event: dict[str, Any] | None,
        result: Any,
        request_method: str = "GET",
    ) -> None:
        self.http = http
        self.status_code = http.status
        self.headers = Headers(http.headers)
        self.data = http.body
        self.event = event
        self.result = result
        self.request_method = request_method
        self.history: list[LambdaResponse] = []

    @property
    def status(self) -> str:
        """``"200 OK"`` (``"299 Unknown"`` for a code without a standard phrase)."""
        return f"{self.status_code} {reason_phrase(self.status_code)}"

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.headers.get("Content-Type")

    @property
    def mimetype(self) -> str | None:
        """The media type without parameters (``"application/json"``)."""
        value = self.content_type
        return parse_options_header(value)[0].lower() if value else None

    @property
    def location(self) -> str | None:
        """The Location header."""
        return self.headers.get("Location")

    @property
    def set_cookie_headers(self) -> list[str]:
        """The raw ``Set-Cookie`` headers of this response, in order."""
        return self.headers.getlist("Set-Cookie")

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies this response sets (``name -> value``; a deletion shows as ``""``)."""
        return {
            cookie.name: cookie.value for cookie in map(SetCookie.parse, self.set_cookie_headers) if cookie
        }

    @property
    def text(self) -> str:
        """The body decoded with the response's charset (UTF-8 by default)."""
        charset = "utf-8"
        if self.content_type:
            charset = parse_options_header(self.content_type)[1].get("charset", "utf-8")
        return self.data.decode(charset, errors="replace")

    def get_data(self, as_text: bool = False) -> bytes | str:
        """Flask-style access to the body."""
        return self.text if as_text else self.data

    @property
    def json(self) -> Any:
        """The body parsed as JSON; a ``ValueError`` names the Content-Type when it is not JSON."""
        mimetype = self.mimetype or ""
        if not (mimetype == "application/json" or mimetype.endswith("+json")):
            raise ValueError(
                f"the response is not JSON (Content-Type {self.content_type!r}): {self.text[:200]!r}"
            )
        return _json.loads(self.data)

    def __repr__(self) -> str:
        return f"<LambdaResponse {self.status} {self.mimetype or ''} {len(self.data)} bytes>"


@dataclass
class SetCookie:
    name: str
    value: str
    path: str | None
    expired: bool
    expires_at: float | None

    @classmethod
    def parse(cls, header: str) -> SetCookie | None:
        first, *attributes = header.split(";")
        name, sep, value = first.partition("=")
        if not sep or not name.strip():
            return None
        path = None
        expired = False
        expires_at: float | None = None
        for attribute in attributes:
            key, _, attr_value = attribute.strip().partition("=")
            key = key.lower()
            if key == "path" and attr_value.startswith("/"):
                path = attr_value
            elif key == "max-age":
                try:
                    seconds = int(attr_value)
                except ValueError:
                    continue
                expired = seconds <= 0
                expires_at = time.time() + seconds
            elif key == "expires" and expires_at is None:
                try:
                    moment = parsedate_to_datetime(attr_value).timestamp()
                except (TypeError, ValueError):
                    continue
                expired = moment <= time.time()
                expires_at = moment
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return cls(name.strip(), value, path, expired, expires_at)
