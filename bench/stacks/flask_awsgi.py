"""Flask behind aws-wsgi (REST payload 1.0 only)."""

from __future__ import annotations

from typing import Any

import awsgi

from ._flask_app import app
from ._shared import BINARY_TYPE

_BINARY_TYPES = {BINARY_TYPE}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return awsgi.response(app, event, context, base64_content_types=_BINARY_TYPES)
