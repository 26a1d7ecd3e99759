"""Powertools' APIGatewayHttpResolver (HTTP API payload 2.0)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from ._powertools_app import register

app = APIGatewayHttpResolver()
register(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
