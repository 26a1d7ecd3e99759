"""The API's one error shape: ``{"error": {"code", "message", "fields"?}}`` with its HTTP status.

``fields`` names each input that was wrong (a member of the JSON body, a query parameter or a header) with
what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lambda_micro import Response


class ApiError(Exception):
    """An error answered as ``{"error": {...}}`` with its HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, *, fields: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields) if fields else None


def error_response(status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> Response:
    """The JSON error document every failure of this API uses."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = dict(fields)
    return Response(json.dumps({"error": error}), status=status, mimetype="application/json")
