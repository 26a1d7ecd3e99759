"""Flask behind serverless-wsgi."""

from __future__ import annotations

from typing import Any

import serverless_wsgi

from ._flask_app import app


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serverless_wsgi.handle_request(app, event, context)
